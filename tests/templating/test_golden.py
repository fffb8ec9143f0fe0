"""The golden-liquid conformance suite, rendered by ladle and by python-liquid.

The suite (jg-rp/golden-liquid, MIT licensed) lives outside the project, in
``../shared/conformance/golden-liquid/golden_liquid.json`` next to the repository;
it is read from there and never copied in. Without it, this module is skipped.

Each case is rendered the way python-liquid's own golden runner does it: the standard
environment (no extra tags), a ``DictLoader`` holding the case's partial templates,
and ``render(**data)``. A case passes when the output is its ``result`` (or one of its
``results``), or, for an ``invalid`` case, when rendering raises a ``LiquidError``.

The rules checked here:

- ladle passes every case python-liquid passes, except the cases in ``DELIBERATE``:
  they assert that an operator or word ladle adds is a syntax error;
- where python-liquid renders a golden template without error, ladle renders exactly
  the same text, unless python-liquid's text fails the case and ladle's passes;
- the pass counts do not fall below what they are today.

Run the suite on its own with ``pytest tests/templating/test_golden.py -q``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import liquid
import pytest
from liquid import DictLoader
from liquid.exceptions import LiquidError

from ladle import templating

GOLDEN = (Path(__file__).resolve().parents[2].parent / "shared" / "conformance"
          / "golden-liquid" / "golden_liquid.json")

if not GOLDEN.is_file():
    pytest.skip(f"the golden-liquid suite is not there: looked for {GOLDEN}",
                allow_module_level=True)

# The one table of deliberate differences: cases asserting that something ladle's
# expression language adds is a syntax error. python-liquid passes each of them
# (it rejects the template) and ladle renders it.
DELIBERATE: dict[str, str] = {
    "illegal, no addition operator":
        "'+' is ladle's addition: {% assign x = 1 + 2 %} assigns 3",
    "illegal, no subtraction operator":
        "'-' between spaces is ladle's subtraction: 1 - 2 is -1",
    "illegal, no multiplication operator":
        "'*' is ladle's multiplication: x * 3 is 6",
    "identifiers, leading hyphen in for loop target":
        "a leading '-' is ladle's prefix minus: 'for x in -foo' loops over the negation "
        "of foo (undefined, so 0: no iterations), not over a variable named '-foo'",
    "tags, if, in is not a valid operator":
        "'in' is ladle's membership operator: 't in s' is 's contains t'",
    "tags, if, not is not a valid operator":
        "'not' is ladle's word negation (Liquid's own, which python-liquid only enables "
        "with logical_not_operator): 'not false' is true",
}

# Floors for the pass counts, out of 1054. python-liquid 2.3.6 passes 1048. ladle
# passes all but the 6 deliberate cases and one more: "tags, case, unexpected when
# token, strict2" expects an error for the same template and data for which "tags, case,
# unexpected when token" expects '' (Liquid's lax parse, which python-liquid follows and
# ladle keeps); no engine can pass both.
PYTHON_LIQUID_PASSES = 1048
LADLE_PASSES = 1047


@dataclass(frozen=True)
class Case:
    name: str
    template: str
    data: dict[str, Any] = field(default_factory=dict)
    templates: dict[str, str] = field(default_factory=dict)
    result: str | None = None
    results: list[str] | None = None
    invalid: bool = False
    tags: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Outcome:
    """What rendering a case gave: its text, or the message of the ``LiquidError`` raised."""

    text: str | None = None
    error: str | None = None

    def __str__(self) -> str:
        return f"error: {self.error}" if self.error is not None else f"rendered {self.text!r}"


def _load() -> dict[str, Case]:
    document = json.loads(GOLDEN.read_text(encoding="utf-8"))
    cases: dict[str, Case] = {}
    for raw in document["tests"]:
        case = Case(
            name=raw["name"],
            template=raw["template"],
            data=raw.get("data") or {},
            templates=raw.get("templates") or {},
            result=raw.get("result"),
            results=raw.get("results"),
            invalid=bool(raw.get("invalid", False)),
            tags=raw.get("tags", []),
        )
        assert case.name not in cases, f"two golden cases are named {case.name!r}"
        cases[case.name] = case
    return cases


CASES = _load()
ENGINES = {
    "ladle": templating.Environment,
    "python-liquid": liquid.Environment,
}


@cache
def outcome(engine: str, name: str) -> Outcome:
    """Render golden case ``name`` with ``engine``. Anything but a ``LiquidError`` escapes:
    a crash fails whichever test asked."""
    case = CASES[name]
    env = ENGINES[engine](loader=DictLoader(case.templates))
    try:
        return Outcome(text=env.from_string(case.template).render(**case.data))
    except LiquidError as error:
        return Outcome(error=f"{type(error).__name__}: {error.message}")


def passes(name: str, result: Outcome) -> bool:
    case = CASES[name]
    if case.invalid:
        return result.error is not None
    if result.text is None:
        return False
    if case.results is not None:
        return result.text in case.results
    return result.text == case.result


def describe(name: str) -> str:
    case = CASES[name]
    if case.invalid:
        expected = "an error"
    elif case.results is not None:
        expected = f"one of {case.results!r}"
    else:
        expected = repr(case.result)
    return (f"template {case.template!r} with data {case.data!r}: expected {expected}; "
            f"ladle {outcome('ladle', name)}; python-liquid {outcome('python-liquid', name)}")


# The deliberate differences are checked by their own test, below the table.
@pytest.mark.parametrize("name", [n for n in CASES if n not in DELIBERATE])
def test_ladle_passes_what_python_liquid_passes(name: str) -> None:
    if passes(name, outcome("ladle", name)):
        return
    assert not passes(name, outcome("python-liquid", name)), describe(name)


@pytest.mark.parametrize("name", list(CASES))
def test_python_liquid_renders_the_case(name: str) -> None:
    """python-liquid's outcome of each case, the baseline the other tests compare with:
    it must be a result or a ``LiquidError``, never a crash."""
    result = outcome("python-liquid", name)
    assert (result.text is None) != (result.error is None)


@pytest.mark.parametrize("name", [n for n in CASES if outcome("python-liquid", n).error is None])
def test_ladle_renders_what_python_liquid_renders(name: str) -> None:
    """Standard Liquid renders byte for byte as in python-liquid, except where python-liquid
    gets the case wrong and ladle gets it right."""
    theirs = outcome("python-liquid", name)
    ours = outcome("ladle", name)
    if ours == theirs:
        return
    assert passes(name, ours) and not passes(name, theirs), describe(name)


@pytest.mark.parametrize("name", list(DELIBERATE))
def test_deliberate_differences_are_real(name: str) -> None:
    """Each table entry is an invalid case python-liquid rejects and ladle renders: when
    one stops being so, the table is out of date."""
    assert name in CASES, f"no golden case is named {name!r}"
    assert CASES[name].invalid
    assert outcome("python-liquid", name).error is not None, describe(name)
    assert outcome("ladle", name).error is None, describe(name)


def test_pass_counts() -> None:
    counts = {engine: sum(passes(name, outcome(engine, name)) for name in CASES)
              for engine in ENGINES}
    assert counts["python-liquid"] >= PYTHON_LIQUID_PASSES, counts
    assert counts["ladle"] >= LADLE_PASSES, counts
