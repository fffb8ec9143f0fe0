"""Comparisons and tag arguments in templates give python-liquid's answers (the fuzzer in
test_differential_liquid.py found each of these), compiled and interpreted."""

from __future__ import annotations

import liquid
import pytest
from liquid.exceptions import LiquidError

from ladle import templating

CONDITIONS = [
    "false < 'x'", "nil < 1", "false < 1", "true > 0", "x < 1", "empty < 1", "true >= true",
    "a < 1", "a <= a", "1 <= '1'", "1 < '1'", "'a' >= 'a'", "a >= 1",
    "false contains 0", "nil contains 'a'", "a contains false", "'abc' contains 'b'",
    "(b..3) == empty", "(b..3) != blank", "(1..0) == empty",
]


def outcome(env: liquid.Environment, source: str) -> str:
    try:
        return env.from_string(source).render(a=[1], b=4)
    except LiquidError:
        return "error"


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled", "interpreted"])
@pytest.mark.parametrize("condition", CONDITIONS)
def test_a_condition_decides_as_in_python_liquid(condition: str, compiled: bool) -> None:
    source = f"{{% if {condition} %}}yes{{% else %}}no{{% endif %}}"
    expected = outcome(liquid.Environment(), source)
    assert outcome(templating.Environment(compiled=compiled), source) == expected


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled", "interpreted"])
def test_an_empty_range_prints_as_in_python_liquid(compiled: bool) -> None:
    source = "{{ (b..3) }} {{ (1..3) }} {% case (b..3) %}{% when empty %}E{% else %}R{% endcase %}"
    expected = liquid.Environment().from_string(source).render(b=4)
    assert templating.Environment(compiled=compiled).from_string(source).render(b=4) == expected
    assert expected == "0..-1 1..3 R"


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled", "interpreted"])
@pytest.mark.parametrize("cols", [None, [0], "x", "2", 2.6])
def test_tablerow_cols_that_is_no_number_means_zero(cols: object, compiled: bool) -> None:
    source = "{% tablerow i in (1..3) cols: c %}{{ i }}{% endtablerow %}"
    zero = liquid.Environment().from_string(source).render(c=0)
    expected = zero if cols in (None, [0], "x") else (
        liquid.Environment().from_string(source).render(c=cols))
    assert templating.Environment(compiled=compiled).from_string(source).render(c=cols) == (
        expected)


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled", "interpreted"])
def test_a_long_range_bound_that_is_no_number_is_zero(compiled: bool) -> None:
    source = "{{ (a..3) | join: ',' }}"
    text = "<td>" * 100  # past the digits an integer bound may have, and no number
    expected = liquid.Environment().from_string(source).render(a=text)
    assert templating.Environment(compiled=compiled).from_string(source).render(a=text) == (
        expected) == "0,1,2,3"
