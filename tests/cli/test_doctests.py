"""The examples in the CLI's docstrings run."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

from ladle import cli

MODULES = [importlib.import_module(m.name)
           for m in pkgutil.walk_packages(cli.__path__, "ladle.cli.")
           if not m.name.endswith("__main__")]


@pytest.mark.parametrize("module", MODULES, ids=lambda module: module.__name__)
def test_docstring_examples(module: object) -> None:
    result = doctest.testmod(module)  # type: ignore[arg-type]
    assert result.failed == 0
