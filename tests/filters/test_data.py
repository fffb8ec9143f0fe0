"""``json``: canonical JSON."""

from __future__ import annotations

import enum
import json as jsonlib
from collections import OrderedDict
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from liquid import Undefined
from markupsafe import Markup

from ladle.filters.data import MAX_DEPTH, json
from tests.filters.helpers import assert_filter_error


class Format(enum.IntEnum):
    FLAC = 1


class Drop:
    def __liquid__(self) -> object:
        return "drop value"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "null"),
        (True, "true"),
        (0, "0"),
        (-12, "-12"),
        (1.5, "1.5"),
        (-0.0, "-0.0"),
        (1e20, "1e+20"),
        ("", '""'),
        ("Déjà vu ☃", '"Déjà vu ☃"'),
        ('quote " back \\ slash\n', '"quote \\" back \\\\ slash\\n"'),
        (Markup("<b>&lt;</b>"), '"<b>&lt;</b>"'),
        ([], "[]"),
        ((1, "a"), '[1,"a"]'),
        (range(3), "[0,1,2]"),
        (range(0), "[]"),
        ({}, "{}"),
        ({"b": 1, "a": 2, "C": 3}, '{"C":3,"a":2,"b":1}'),
        ({"z": {"y": [1, {"b": 2, "a": 1}]}}, '{"z":{"y":[1,{"a":1,"b":2}]}}'),
        (OrderedDict([("b", 1), ("a", 2)]), '{"a":2,"b":1}'),
        (MappingProxyType({"b": 1, "a": 2}), '{"a":2,"b":1}'),
        ({Markup("k"): Markup("v")}, '{"k":"v"}'),
        (Decimal("9.90"), "9.9"),
        (Decimal("3.00"), "3"),
        (Decimal("-0.5"), "-0.5"),
        (Format.FLAC, "1"),
        (Drop(), '"drop value"'),
        (Undefined("missing"), "null"),
        ({"a": Undefined("missing")}, '{"a":null}'),
        (10**99, "1" + "0" * 99),
    ],
)
def test_json(value: Any, expected: str) -> None:
    assert json(value) == expected


def test_json_shared_value_is_not_a_cycle() -> None:
    shared = [1]
    assert json({"a": shared, "b": shared}) == '{"a":[1],"b":[1]}'


def test_json_nesting_up_to_the_limit() -> None:
    nested: list[Any] = []
    for _ in range(MAX_DEPTH - 1):
        nested = [nested]
    assert json(nested) == "[" * MAX_DEPTH + "]" * MAX_DEPTH


def _cycle() -> list[Any]:
    looped: list[Any] = []
    looped.append(looped)
    return looped


def _too_deep() -> list[Any]:
    nested: list[Any] = []
    for _ in range(MAX_DEPTH):
        nested = [nested]
    return nested


@pytest.mark.parametrize(
    ("value", "quoted"),
    [
        (float("nan"), "nan"),
        (float("inf"), "inf"),
        ({"rating": float("-inf")}, "-inf at rating"),
        (Decimal("NaN"), "NaN"),
        (Decimal("0.1000000000000000000001"), "0.1000000000000000000001 exactly"),
        (Decimal("1E+100"), "1E+100"),
        (10**100, "more than 100 digits"),
        ({"tags": {"lossless"}}, "{'lossless'} (set) at tags"),
        ({"when": date(2024, 1, 2)}, "datetime.date(2024, 1, 2) (date) at when"),
        ([1, object()], "(object) at [1]"),
        ({"a b": {"c": [b"x"]}}, "b'x' (bytes) at [\"a b\"].c[0]"),
        ({1: "one"}, "keys must be strings, found 1"),
        ({"a": {None: 1}}, "found nil at a"),
        (_cycle(), "contains itself at [0]"),
        (_too_deep(), f"nested too deeply for json (the limit is {MAX_DEPTH})"),
    ],
)
def test_json_errors(value: Any, quoted: str) -> None:
    assert_filter_error(json, (value,), quoted)


def test_json_wrong_arguments() -> None:
    assert_filter_error(json, ({}, 2), "json() takes 1 positional argument but 2 were given")


json_data = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**64), max_value=2**64)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=30,
)


def _reordered(value: Any) -> Any:
    """The same data with every mapping's keys inserted in reverse order, lists as tuples."""
    if isinstance(value, dict):
        return {k: _reordered(value[k]) for k in reversed(list(value))}
    if isinstance(value, list):
        return tuple(_reordered(v) for v in value)
    return value


@given(json_data)
def test_json_is_canonical(value: Any) -> None:
    text = json(value)
    assert json(_reordered(value)) == text  # insertion order and tuples do not matter
    assert jsonlib.loads(text) == value
    assert json(jsonlib.loads(text)) == text
    expected = jsonlib.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert text == expected
