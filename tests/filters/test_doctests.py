"""Every docstring example of the filters package runs, and every module and filter has one."""

from __future__ import annotations

import doctest
import importlib
import io
import pkgutil
from types import ModuleType

import pytest

from ladle import filters

MODULES = [filters] + [
    importlib.import_module(f"ladle.filters.{info.name}")
    for info in pkgutil.iter_modules(filters.__path__)
]


def test_every_family_module_is_found() -> None:
    names = {module.__name__ for module in MODULES}
    assert {"ladle.filters.time", "ladle.filters.numbers", "ladle.filters.text",
            "ladle.filters.data"} <= names


@pytest.mark.parametrize("module", MODULES, ids=lambda module: module.__name__)
def test_docstring_examples(module: ModuleType) -> None:
    tests = doctest.DocTestFinder().find(module)
    examples = sum(len(test.examples) for test in tests)
    assert examples > 0, f"{module.__name__} has no docstring example"
    output = io.StringIO()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for test in tests:
        runner.run(test, out=output.write)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, output.getvalue()
    assert result.attempted == examples


@pytest.mark.parametrize("name", sorted(filters.LADLE))
def test_every_ladle_filter_has_an_example(name: str) -> None:
    function = filters.LADLE[name]
    tests = doctest.DocTestFinder().find(function, name, globs={})
    assert sum(len(test.examples) for test in tests) > 0, f"{name} has no docstring example"
