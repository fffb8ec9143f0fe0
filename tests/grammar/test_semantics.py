"""The "Semantics" list of design/expressions.md, one table per point.

Every table is evaluated through ``grammar.compile(...).evaluate(data)``; values
that could be folded at compile time are also given as data, so both the
constant path and the runtime path are checked.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from ladle import grammar
from ladle.grammar import EvaluationError, ExpressionSyntaxError

UNDEFINED = object()  # marks "leave the name out of the data"


def canon(value: Any) -> Any:
    """A form where 1, 1.0 and True differ, and tuples, lists and ranges are all lists."""
    if isinstance(value, (list, tuple, range)):
        return ("list", [canon(v) for v in value])
    if isinstance(value, Mapping):
        return ("map", {k: canon(v) for k, v in value.items()})
    return (type(value).__name__, value)


def assert_value(source: str, data: Mapping[str, Any], expected: Any, **options: Any) -> None:
    result = grammar.compile(source, **options).evaluate(data)
    assert canon(result) == canon(expected), (
        f"{source!r} with {data!r} gave {result!r}, expected {expected!r}"
    )


def data_with(value: Any) -> dict[str, Any]:
    return {} if value is UNDEFINED else {"x": value}


# -- truthiness ---------------------------------------------------------------------

# (value as data, its literal or None, Liquid truthiness)
TRUTH = [
    (0, "0", True),
    (0.0, "0.0", True),
    ("", "''", True),
    ("false", "'false'", True),
    ([], None, True),
    ({}, None, True),
    (1, "1", True),
    (True, "true", True),
    (False, "false", False),
    (None, "nil", False),
    (UNDEFINED, None, False),
]


@pytest.mark.parametrize(("value", "literal", "truth"), TRUTH)
@pytest.mark.parametrize(
    ("template", "if_true", "if_false"),
    [
        ("!{x}", False, True),
        ("not {x}", False, True),
        ("{x} ? 'yes' : 'no'", "yes", "no"),
        ("{x} && 'yes'", "yes", "ITSELF"),
        ("{x} and 'yes'", "yes", "ITSELF"),
        ("{x} || 'no'", "ITSELF", "no"),
        ("{x} or 'no'", "ITSELF", "no"),
        ("!!{x}", True, False),
        ("not not {x}", True, False),
    ],
)
def test_truthiness_is_liquid_everywhere(
    value: Any, literal: str | None, truth: bool, template: str, if_true: Any, if_false: Any
) -> None:
    expected = if_true if truth else if_false
    if expected == "ITSELF":
        expected = None if value is UNDEFINED else value
    assert_value(template.format(x="x"), data_with(value), expected)
    if literal is not None:
        assert_value(template.format(x=literal), {}, expected)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("!0", False),
        ('!""', False),
        ("!nil", True),
        ("!false", True),
        ("!true", False),
        ("0 && 1", 1),
        ('"" && 1', 1),
        ("(1,) && 2", 2),
        ("0 || 1", 0),
        ('"" || 1', ""),
        ("0 ? 'a' : 'b'", "a"),
        ("'' ? 'a' : 'b'", "a"),
        ("not 0", False),
        ("not ''", False),
    ],
)
def test_truthiness_of_literals(source: str, expected: Any) -> None:
    assert_value(source, {}, expected)


# -- && || and or ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "data", "expected"),
    [
        ('user.name || "guest"', {"user": {"name": "ann"}}, "ann"),
        ('user.name || "guest"', {"user": {}}, "guest"),
        ('user.name or "guest"', {}, "guest"),
        ("a && b", {"a": 1, "b": 2}, 2),
        ("a && b", {"a": False, "b": 2}, False),
        ("a && b", {"a": None, "b": 2}, None),
        ("a && b", {"b": 2}, None),
        ("a || b", {"a": 0, "b": 2}, 0),
        ("a || b", {"a": None, "b": False}, False),
        ("a || b", {"a": False, "b": None}, None),
        ("a and b", {"a": "x", "b": [1]}, [1]),
        ("a or b", {"a": False, "b": "y"}, "y"),
        ("a && b && c", {"a": 1, "b": 2, "c": 3}, 3),
        ("a && b && c", {"a": 1, "b": None, "c": 3}, None),
        ("a || b || c", {"a": None, "b": False, "c": 0}, 0),
        ("a || b || c", {"a": None, "b": "B", "c": 0}, "B"),
        ("0 and 'x'", {}, "x"),
        ("1 or 2", {}, 1),
        ("false and 1", {}, False),
        ("nil and 1", {}, None),
    ],
)
def test_logical_operators_return_the_deciding_operand(
    source: str, data: dict[str, Any], expected: Any
) -> None:
    assert_value(source, data, expected)


@pytest.mark.parametrize(
    ("source", "data", "expected"),
    [
        ("false && 1/0", {}, False),
        ("nil && 1/0", {}, None),
        ("true || 1/0", {}, True),
        ("0 || 1/0", {}, 0),
        ("false and 1/0", {}, False),
        ("1 or 1/0", {}, 1),
        ("a && x / y", {"a": False, "x": 1, "y": 0}, False),
        ("a || x / y", {"a": "set", "x": 1, "y": 0}, "set"),
        ("a and x % y", {"a": None, "x": 1, "y": 0}, None),
        ("a or x % y", {"a": [], "x": 1, "y": 0}, []),
        ("a ? x / y : 'safe'", {"a": False, "x": 1, "y": 0}, "safe"),
        ("a ? 'safe' : x / y", {"a": 0, "x": 1, "y": 0}, "safe"),
        ("a && b && x / y", {"a": 1, "b": None, "x": 1, "y": 0}, None),
        ("a || b || x / y", {"a": None, "b": 2, "x": 1, "y": 0}, 2),
    ],
)
def test_short_circuit_does_not_evaluate_the_right_side(
    source: str, data: dict[str, Any], expected: Any
) -> None:
    assert_value(source, data, expected)
    # The same with an undefined name on the right under strict mode.
    strict_source = source.replace("1/0", "missing").replace("x / y", "missing")
    strict_source = strict_source.replace("x % y", "missing")
    assert_value(strict_source, data, expected, strict=True)


@pytest.mark.parametrize(
    "source",
    [
        "false && boom()",
        "nil && boom()",
        "true || boom()",
        "0 || boom()",
        "false and boom()",
        "nil and boom()",
        "1 or boom()",
        "'' or boom()",
        "true ? 1 : boom()",
        "false ? boom() : 2",
        "not (1 or boom())",
        "x && boom() && boom()",
        "false and boom() or boom()",
    ],
)
def test_short_circuit_never_calls_the_right_side(source: str) -> None:
    calls: list[tuple[Any, ...]] = []

    def boom(*args: Any) -> None:
        calls.append(args)

    expression = grammar.compile(source, functions={"boom": boom})
    expression.evaluate({})
    expression.evaluate({"x": None})
    assert calls == []


# -- associativity and precedence of words and symbols ------------------------------------


@pytest.mark.parametrize(
    ("source", "same_as"),
    [
        ("a and b or c", "a and (b or c)"),
        ("a or b and c", "a or (b and c)"),
        ("a and b and c", "a and (b and c)"),
        ("a or b or c", "a or (b or c)"),
        ("a and b or c and d", "a and (b or (c and d))"),
        ("not a == b", "not (a == b)"),
        ("not a or b", "not (a or b)"),
        ("not a and b", "not (a and b)"),
        ("not a || b && c", "not (a || (b && c))"),
        ("a and not b or c", "a and (not (b or c))"),
        ("not a ? b : c", "(not a) ? b : c"),
        ("!a == b", "(!a) == b"),
        ("!a && b", "(!a) && b"),
        ("!a.b", "!(a.b)"),
        ("-a.b", "-(a.b)"),
        ("a || b && c", "a || (b && c)"),
        ("a || b || c", "(a || b) || c"),
        ("a && b && c", "(a && b) && c"),
        ("a && b and c", "(a && b) and c"),
        ("a == b && c != d", "(a == b) && (c != d)"),
        ("a + b * c", "a + (b * c)"),
        ("a - b - c", "(a - b) - c"),
        ("a / b % c", "(a / b) % c"),
        ("a ? b : c ? d : e", "a ? b : (c ? d : e)"),
        ("a ? b ? c : d : e", "a ? (b ? c : d) : e"),
        ("a and b ? c : d", "(a and b) ? c : d"),
        ("x in (1..n + 1)", "x in (1..(n + 1))"),
    ],
)
def test_grouping(source: str, same_as: str) -> None:
    assert grammar.parse(source) == grammar.parse(same_as)


@pytest.mark.parametrize(
    ("source", "data", "expected"),
    [
        # Right to left: a left-to-right reading gives the other answer.
        ("false and false or true", {}, False),
        ("true or false and false", {}, True),
        ("nil and 2 or 3", {}, None),
        ("a and b or c", {"a": None, "c": "C"}, None),
        # not takes everything to its right.
        ("not false || true", {}, False),
        ("not false or true", {}, False),
        ("not a == b", {"a": 1, "b": True}, True),
        ("not true and false", {}, True),
        # ! binds tight: (!a) == b.
        ("!a == b", {"a": 1, "b": True}, False),
        ("!a == b", {"a": 1, "b": False}, True),
        ("!1 == true", {}, False),
        # C-style: && before ||, both left to right.
        ("true || false && false", {}, True),
        ("a || b && c", {"a": None, "b": 0, "c": "C"}, "C"),
        # Ternary is right-associative.
        ("true ? 1 : false ? 2 : 3", {}, 1),
        ("false ? 1 : false ? 2 : 3", {}, 3),
        ("false ? 1 : true ? 2 : 3", {}, 2),
        ("true ? false ? 1 : 2 : 3", {}, 2),
        ("x == 1 ? 'one' : x == 2 ? 'two' : 'many'", {"x": 2}, "two"),
        ("x == 1 ? 'one' : x == 2 ? 'two' : 'many'", {"x": 5}, "many"),
        ("x == 1 ? 'one' : x == 2 ? 'two' : 'many'", {"x": 1.0}, "one"),
    ],
)
def test_grouping_changes_results(source: str, data: dict[str, Any], expected: Any) -> None:
    assert_value(source, data, expected)


# -- equality ------------------------------------------------------------------------------


class Drop:
    """A python-liquid style drop: ``__liquid__`` gives its plain value."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __liquid__(self) -> Any:
        return self.value


@pytest.mark.parametrize(
    ("source", "data", "expected"),
    [
        ("1 == 1.0", {}, True),
        ("x == y", {"x": 1, "y": 1.0}, True),
        ("1 == true", {}, False),
        ("x == y", {"x": 1, "y": True}, False),
        ("x == true", {"x": 1}, False),
        ("x != true", {"x": 1}, True),
        ("0 == false", {}, False),
        ("x == false", {"x": 0}, False),
        ("nil == false", {}, False),
        ("x == nil", {}, True),
        ("'1' == 1", {}, False),
        ("x == 1", {"x": "1"}, False),
        ("'a' == 'a'", {}, True),
        ("'a' != 'b'", {}, True),
        ("1 <> 2", {}, True),
        ("x == empty", {"x": ""}, True),
        ("x == empty", {"x": []}, True),
        ("x == empty", {"x": {}}, True),
        ("x == empty", {"x": " "}, False),
        ("x == empty", {"x": [0]}, False),
        ("x == empty", {}, False),
        ("empty == x", {"x": ""}, True),
        ("x != empty", {"x": "a"}, True),
        ("'' == empty", {}, True),
        ("nil == empty", {}, False),
        ("x == blank", {"x": "  \t"}, True),
        ("x == blank", {"x": ""}, True),
        ("x == blank", {"x": []}, True),
        ("x == blank", {"x": None}, True),
        ("x == blank", {}, True),
        ("x == blank", {"x": False}, True),
        ("x == blank", {"x": "a"}, False),
        ("x == blank", {"x": 0}, False),
        ("blank == x", {"x": " "}, True),
        ("x == y", {"x": [1, 2], "y": [1.0, 2]}, True),
        ("x == y", {"x": [1, 2], "y": [1, 3]}, False),
        ("x == y", {"x": [1, 2], "y": [1, 2, 3]}, False),
        ("x == y", {"x": [1], "y": [True]}, False),
        ("x == y", {"x": [[1, "a"]], "y": [[1.0, "a"]]}, True),
        ("x == (1, 2)", {"x": [1, 2]}, True),
        ("x == (1..3)", {"x": [1, 2, 3]}, True),
        ("x == y", {"x": {"a": 1}, "y": {"a": 1.0}}, True),
        ("x == y", {"x": {"a": 1}, "y": {"b": 1}}, False),
        ("x == y", {"x": {"a": 1}, "y": {"a": True}}, False),
        ("x == y", {"x": {"a": [1]}, "y": {"a": [1], "b": 2}}, False),
        ("x == y", {"x": [1], "y": {"0": 1}}, False),
        ("x == y", {"x": {"a": 1, "b": "c"}, "y": {"b": "c", "a": 1}}, True),
        ("x == y", {"x": {"a": Drop(1.0)}, "y": {"a": 1}}, True),
        ("x == y", {"x": {"a": float("nan")}, "y": {"a": float("nan")}}, False),
        ("x == x", {"x": {"a": {"b": [2, "z"]}}}, True),
        ("x == 'v'", {"x": Drop("v")}, True),
        ("x == 1", {"x": Drop(1.0)}, True),
    ],
)
def test_liquid_equality(source: str, data: dict[str, Any], expected: bool) -> None:
    assert_value(source, data, expected)
    negated = source.replace("!=", "==") if "!=" in source else source.replace("==", "!=", 1)
    if "<>" not in source:
        assert_value(negated, data, not expected)


# -- ordering --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "data", "expected"),
    [
        ("1 < 2", {}, True),
        ("x < y", {"x": 1, "y": 2.5}, True),
        ("x > y", {"x": 2.5, "y": 2}, True),
        ("x <= y", {"x": 2, "y": 2.0}, True),
        ("x >= y", {"x": -1, "y": 0}, False),
        ("x < y", {"x": 2**70, "y": 2**70 + 1}, True),
        ("'a' < 'b'", {}, True),
        ("x < y", {"x": "B", "y": "a"}, True),
        ("x > y", {"x": "abc", "y": "ab"}, True),
        ("x >= 'a'", {"x": "a"}, True),
        ("x < 10", {"x": Drop(3)}, True),
    ],
)
def test_ordering(source: str, data: dict[str, Any], expected: bool) -> None:
    assert_value(source, data, expected)


@pytest.mark.parametrize(
    ("source", "data", "types"),
    [
        ("x < y", {"x": 1, "y": "2"}, ("int", "string")),
        ("x > y", {"x": "2", "y": 1.5}, ("string", "float")),
        ("x <= y", {"y": 1}, ("nil", "int")),
        ("x >= y", {"x": True, "y": 1}, ("bool", "int")),
        ("x < y", {"x": [1], "y": [2]}, ("list", "list")),
        ("x < y", {"x": {}, "y": "a"}, ("map", "string")),
        ("1 < 'a'", {}, ("int", "string")),
        ("nil > 0", {}, ("nil", "int")),
    ],
)
def test_ordering_other_pairings_are_errors_naming_both_types(
    source: str, data: dict[str, Any], types: tuple[str, str]
) -> None:
    expression = grammar.compile(source)
    with pytest.raises(EvaluationError) as caught:
        expression.evaluate(data)
    for name in types:
        assert name in caught.value.message


# -- contains and in --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "data", "expected"),
    [
        ("'abc' contains 'b'", {}, True),
        ("x contains 'bc'", {"x": "abc"}, True),
        ("x contains 'z'", {"x": "abc"}, False),
        ("x contains ''", {"x": "abc"}, True),
        ("x contains 2", {"x": [1, 2]}, True),
        ("x contains 2", {"x": [1, 2.0]}, True),
        ("x contains 3", {"x": [1, 2]}, False),
        ("x contains 1", {"x": [True]}, False),
        ("x contains 'a'", {"x": ["ab"]}, False),
        ("x contains 'k'", {"x": {"k": 1}}, True),
        ("x contains 'v'", {"x": {"k": "v"}}, False),
        ("x contains y", {"x": {"k": 1}, "y": [1]}, False),
        ("'b' in 'abc'", {}, True),
        ("y in x", {"x": "abc", "y": "d"}, False),
        ("2 in x", {"x": [1, 2]}, True),
        ("'k' in x", {"x": {"k": 1}}, True),
        ("'v' in x", {"x": {"k": "v"}}, False),
        ("x in ('a', 'b')", {"x": "b"}, True),
        ("x in ('a', 'b')", {"x": "c"}, False),
        ("x in ('a', 'b')", {"x": ["a"]}, False),
        ("x in ('flac',)", {"x": "flac"}, True),
        ("'flac' in ('flac',)", {}, True),
        ("'mp3' in ('flac',)", {}, False),
        ("x in (1, 2.5)", {"x": 2.5}, True),
        ("x in (1, 2)", {"x": 1.0}, True),
        ("x in (1..3)", {"x": 3}, True),
        ("x in (1..3)", {"x": 4}, False),
        ("x in (1..3)", {"x": 2.0}, True),
        ("x in (1..3)", {"x": True}, False),
        ("x in (1..n)", {"x": 5, "n": 5}, True),
        ("x in (1..n)", {"x": 0, "n": 5}, False),
        ("x contains 'a'", {}, False),
    ],
)
def test_contains_and_in(source: str, data: dict[str, Any], expected: bool) -> None:
    assert_value(source, data, expected)


# -- arithmetic -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "data", "expected"),
    [
        ("1 + 2 * 3", {}, 7),
        ("x + y", {"x": 1, "y": 2}, 3),
        ("x + y", {"x": 1, "y": 0.5}, 1.5),
        ("x - y", {"x": 1.5, "y": 2}, -0.5),
        ("x * y", {"x": 2**40, "y": 2**40}, 2**80),
        ("shown + 1", {}, 1),
        ("shown + 1", {"shown": None}, 1),
        ("shown + 1", {"shown": 4}, 5),
        ("shown - 1", {}, -1),
        ("1 - shown", {}, 1),
        ("shown * 3", {}, 0),
        ("nil + 1", {}, 1),
        ("1 * nil", {}, 0),
        ("nil + 1.5", {}, 1.5),
        ("a.b + 2", {"a": {}}, 2),
        ("-x", {}, 0),
        ("-x", {"x": 3}, -3),
        ("--x", {"x": 3}, 3),
        ("'a' + 'b'", {}, "ab"),
        ("x + y", {"x": "ab", "y": "cd"}, "abcd"),
        ("x + ''", {"x": "ab"}, "ab"),
        ("x + y", {"x": [1], "y": [2, 3]}, [1, 2, 3]),
        ("x + (3, 4)", {"x": [1]}, [1, 3, 4]),
        ("x + (1..2)", {"x": [0]}, [0, 1, 2]),
        ("x + y", {"x": Drop(2), "y": 3}, 5),
    ],
)
def test_arithmetic(source: str, data: dict[str, Any], expected: Any) -> None:
    assert_value(source, data, expected)


@pytest.mark.parametrize(
    ("source", "data"),
    [
        ('"a" * 3', {}),
        ("x * 3", {"x": "a"}),
        ('"3" + 1', {}),
        ("x + 1", {"x": "3"}),
        ("1 + x", {"x": "3"}),
        ("true + 1", {}),
        ("x + 1", {"x": True}),
        ("1 - x", {"x": False}),
        ("x + y", {"x": [1], "y": 1}),
        ("x + y", {"x": "a", "y": ["a"]}),
        ("x + y", {"x": {}, "y": {}}),
        ("x + nil", {"x": "a"}),
        ("x - y", {"x": "b", "y": "a"}),
        ("x - y", {"x": [1], "y": [1]}),
        ("x * y", {"x": [1], "y": 2}),
        ("x / y", {"x": "6", "y": 2}),
        ("x % y", {"x": "6", "y": 2}),
        ("-x", {"x": "a"}),
        ("-x", {"x": True}),
        ("x + empty", {"x": 1}),
    ],
)
def test_arithmetic_type_errors(source: str, data: dict[str, Any]) -> None:
    expression = grammar.compile(source)
    with pytest.raises(EvaluationError):
        expression.evaluate(data)


@pytest.mark.parametrize(
    ("source", "data", "expected"),
    [
        ("7 / 2", {}, 3),
        ("-7 / 2", {}, -4),
        ("x / y", {"x": -7, "y": 2}, -4),
        ("x / y", {"x": 7, "y": -2}, -4),
        ("x / 2", {"x": -7}, -4),
        ("x / y", {"x": 6, "y": 3}, 2),
        ("7 / 2.0", {}, 3.5),
        ("x / y", {"x": 7.0, "y": 2}, 3.5),
        ("x / y", {"x": -7, "y": 2.0}, -3.5),
        ("x / 2", {"x": 7.0}, 3.5),
        ("x / y", {"x": 6.0, "y": 3}, 2.0),
        ("-7 % 100", {}, 93),
        ("x % 100", {"x": -7}, 93),
        ("x % y", {"x": 7, "y": -100}, -93),
        ("x % y", {"x": -7, "y": -100}, -7),
        ("x % 100", {"x": 1234}, 34),
        ("x % y", {"x": 7.5, "y": 2}, 1.5),
        ("x % y", {"x": -1.5, "y": 1}, 0.5),
        ("x / y", {"y": 2}, 0),
        ("x % 3", {}, 0),
    ],
)
def test_division_and_modulo(source: str, data: dict[str, Any], expected: Any) -> None:
    assert_value(source, data, expected)


@pytest.mark.parametrize(
    ("source", "data"),
    [
        ("1 / 0", {}),
        ("x / 0", {"x": 1}),
        ("x / y", {"x": 1, "y": 0}),
        ("x / y", {"x": 1.5, "y": 0}),
        ("x / y", {"x": 1, "y": 0.0}),
        ("x / y", {"x": 1}),
        ("1 % 0", {}),
        ("x % 0", {"x": 1}),
        ("x % y", {"x": 1, "y": 0}),
        ("x % y", {"x": 1.5, "y": 0.0}),
        ("x % y", {"x": 5}),
    ],
)
def test_division_or_modulo_by_zero_is_an_error(source: str, data: dict[str, Any]) -> None:
    expression = grammar.compile(source)
    with pytest.raises(EvaluationError, match="zero"):
        expression.evaluate(data)


# -- paths ---------------------------------------------------------------------------------


class MappingDrop:
    """Mapping-like access through ``__getitem__``; attributes must stay unreachable."""

    secret = "attribute"

    def __init__(self) -> None:
        self.hidden = "instance attribute"

    def __getitem__(self, key: str) -> Any:
        if key == "name":
            return "drop name"
        raise KeyError(key)


class PlainObject:
    visible = "class attribute"

    def __init__(self) -> None:
        self.name = "instance attribute"

    def method(self) -> str:
        return "called"


DATA = {
    "m": {"a": 1, "b": {"c": [10, 20, {"d": "deep"}]}, "a b": 2, 3: "three"},
    "l": [1, 2, 3],
    "s": "abcd",
    "e": [],
    "d": {"size": 99, "first": "f", "keys": "data wins", "_private": "p"},
    "_private": "top",
    "drop": MappingDrop(),
    "obj": PlainObject(),
    "k": "a",
    "i": -1,
}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("m.a", 1),
        ("m['a']", 1),
        ('m["a b"]', 2),
        ("m[k]", 1),
        ("m.b.c[2].d", "deep"),
        ("m.b['c'][0]", 10),
        ("m.zz", None),
        ("m.zz.yy", None),
        ("m[3]", "three"),
        ("l[0]", 1),
        ("l[2]", 3),
        ("l[-1]", 3),
        ("l[-3]", 1),
        ("l[i]", 3),
        ("l[3]", None),
        ("l[-4]", None),
        ("l[100]", None),
        ("l['0']", None),
        ("l[1.0]", 2),
        ("s[0]", None),
        ("l.size", 3),
        ("l.first", 1),
        ("l.last", 3),
        ("s.size", 4),
        ("m.size", 4),
        ("e.size", 0),
        ("e.first", None),
        ("e.last", None),
        ("(1..5).size", 5),
        ("(1..5).first", 1),
        ("(1..5).last", 5),
        ("(1..5)[-2]", 4),
        ("('a', 'b').last", "b"),
        ("d.size", 99),
        ("d.first", "f"),
        ("d.keys", "data wins"),
        ("_private", "top"),
        ("d._private", "p"),
        ("d['_private']", "p"),
        ('["_private"]', "top"),
        ('["a b"]', None),
        ("[k]", None),
        ("[s]", None),
        ("drop.name", "drop name"),
        ("drop['name']", "drop name"),
        ("drop.missing", None),
        ("nothing.at.all", None),
        ("nothing[0]", None),
        ("l.size + s.size", 7),
    ],
)
def test_paths(source: str, expected: Any) -> None:
    assert_value(source, DATA, expected)


@pytest.mark.parametrize(
    ("source", "data"),
    [
        ("x.__class__", {"x": 1}),
        ("x.__class__", {"x": "s"}),
        ("x.__class__", {"x": {}}),
        ("x.__class__.__name__", {"x": 1}),
        ("x['__class__']", {"x": "s"}),
        ("x.__dict__", {"x": PlainObject()}),
        ("x.__doc__", {"x": 5}),
        ("x.__len__", {"x": {"a": 1}}),
        ("s.upper", {"s": "abc"}),
        ("s.format", {"s": "abc"}),
        ("s.__add__", {"s": "abc"}),
        ("d.keys", {"d": {"a": 1}}),
        ("d.items", {"d": {"a": 1}}),
        ("d.values", {"d": {"a": 1}}),
        ("d.get", {"d": {"a": 1}}),
        ("d.pop", {"d": {"a": 1}}),
        ("l.append", {"l": [1]}),
        ("l.copy", {"l": [1]}),
        ("l.index", {"l": [1]}),
        ("n.real", {"n": 5}),
        ("n.bit_length", {"n": 5}),
        ("f.__globals__", {"f": len}),
        ("f.__globals__", {"f": lambda: 0}),
        ("obj.name", {"obj": PlainObject()}),
        ("obj.visible", {"obj": PlainObject()}),
        ("obj.method", {"obj": PlainObject()}),
        ("obj['name']", {"obj": PlainObject()}),
        ("drop.secret", {"drop": MappingDrop()}),
        ("drop.hidden", {"drop": MappingDrop()}),
        ("drop.__class__", {"drop": MappingDrop()}),
    ],
)
def test_python_attributes_are_never_reached(source: str, data: dict[str, Any]) -> None:
    assert_value(source, data, None)


# -- undefined names --------------------------------------------------------------------


@pytest.mark.parametrize(
    "source", ["missing", "missing.a.b", "missing[0]", "m.missing", "['missing']"]
)
def test_undefined_names_are_nil_by_default(source: str) -> None:
    assert_value(source, {"m": {}}, None)
    assert_value(f"{source} == nil", {"m": {}}, True)


@pytest.mark.parametrize(
    ("source", "data", "name", "position"),
    [
        ("missing", {}, "missing", 0),
        ("a + missing", {"a": 1}, "missing", 4),
        ("a.b + zz", {"a": {"b": 1}}, "zz", 6),
        ("a &&\n  missing", {"a": 1}, "missing", 7),
        ("(1, 2, missing)", {}, "missing", 7),
        ("missing.a", {}, "missing", 0),
        ('["missing"]', {}, "missing", 0),
        ("f(x) | up", {}, "x", 2),
        ("[k]", {"k": "nope"}, "nope", 0),
    ],
)
def test_strict_undefined_names_raise_with_name_and_position(
    source: str, data: dict[str, Any], name: str, position: int
) -> None:
    expression = grammar.compile(
        source, strict=True, functions={"f": lambda v: v}, filters={"up": str.upper}
    )
    with pytest.raises(EvaluationError) as caught:
        expression.evaluate(data)
    assert f"'{name}'" in caught.value.message
    assert "undefined" in caught.value.message
    assert caught.value.position == position


@pytest.mark.parametrize(
    ("source", "data", "expected"),
    [
        ("a", {"a": None}, None),
        ("a.missing ?? nil", {"a": {}}, None),
        ("a[5] || nil", {"a": []}, None),
        ("a && missing", {"a": False}, False),
        ("a ? 1 : missing", {"a": True}, 1),
    ],
)
def test_strict_allows_defined_nil_guarded_members_and_unreached_names(
    source: str, data: dict[str, Any], expected: Any
) -> None:
    assert_value(source, data, expected, strict=True)


def test_strict_dashed_name_hint() -> None:
    expression = grammar.compile("width-31", strict=True)
    with pytest.raises(EvaluationError) as caught:
        expression.evaluate({"width": 100})
    assert caught.value.message == "undefined variable 'width-31' (did you mean 'width - 31'?)"
    assert grammar.compile("width - 31").evaluate({"width": 100}) == 69
    assert grammar.compile("width-31").evaluate({"width-31": "one name"}) == "one name"


# -- functions -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "data", "expected"),
    [
        ("min(3, 1, 2)", {}, 1),
        ("min(x)", {"x": [3, 1, 2]}, 1),
        ("min(x, y)", {"x": 2.5, "y": 3}, 2.5),
        ("min('b', 'a')", {}, "a"),
        ("max(3, 1, 2)", {}, 3),
        ("max(x)", {"x": [3, 1, 2]}, 3),
        ("max('b', 'c')", {}, "c"),
        ("max(x, 1)", {"x": 0.5}, 1),
        ("abs(-5)", {}, 5),
        ("abs(x)", {"x": -2.5}, 2.5),
        ("abs(x)", {"x": 7}, 7),
        ("round(x)", {"x": 2.5}, 3),
        ("round(x)", {"x": -2.5}, -3),
        ("round(x)", {"x": 2.4}, 2),
        ("round(x, 2)", {"x": 1.005}, 1.01),
        ("round(x, 1)", {"x": 1.25}, 1.3),
        ("round(x, -2)", {"x": 1250}, 1300),
        ("round(7)", {}, 7),
        ("floor(x)", {"x": 2.7}, 2),
        ("floor(x)", {"x": -2.5}, -3),
        ("floor(4)", {}, 4),
        ("ceil(x)", {"x": 2.1}, 3),
        ("ceil(x)", {"x": -2.5}, -2),
        ("int(x)", {"x": "42"}, 42),
        ("int(x)", {"x": " -42 "}, -42),
        ("int(x)", {"x": 3.9}, 3),
        ("int(x)", {"x": -3.9}, -3),
        ("float(x)", {"x": "1.5"}, 1.5),
        ("float(x)", {"x": 2}, 2.0),
        ("str(x)", {"x": 12}, "12"),
        ("str(x)", {"x": 1.5}, "1.5"),
        ("str(x)", {}, ""),
        ("str(x)", {"x": True}, "true"),
        ("str(x)", {"x": "s"}, "s"),
        ("str(x) + 'x'", {"x": 2**70}, str(2**70) + "x"),
        ("len(x)", {"x": "abc"}, 3),
        ("len(x)", {"x": [1, 2]}, 2),
        ("len(x)", {"x": {"a": 1}}, 1),
        ("len((1..10))", {}, 10),
        ("lower(x)", {"x": "AbC"}, "abc"),
        ("upper(x)", {"x": "AbC"}, "ABC"),
        ("upper(x)", {"x": "é"}, "É"),
        ("startswith(x, 'ab')", {"x": "abc"}, True),
        ("startswith(x, 'b')", {"x": "abc"}, False),
        ("endswith(x, 'bc')", {"x": "abc"}, True),
        ("endswith(x, 'b')", {"x": "abc"}, False),
        ("slot(12345, 1024)", {}, 108),
        ("slot(x, 1024)", {"x": "abc"}, 944),
    ],
)
def test_builtin_functions(source: str, data: dict[str, Any], expected: Any) -> None:
    assert_value(source, data, expected)


@pytest.mark.parametrize(
    ("source", "data"),
    [
        ("min(x, y)", {"x": 1, "y": "a"}),
        ("max(x)", {"x": []}),
        ("abs(x)", {"x": "a"}),
        ("round(x)", {"x": "a"}),
        ("floor(x)", {"x": [1]}),
        ("ceil(x)", {"x": "1.5"}),
        ("int(x)", {"x": "x"}),
        ("int(x)", {"x": "1.5"}),
        ("float(x)", {"x": "x"}),
        ("len(x)", {"x": 5}),
        ("lower(x)", {"x": 5}),
        ("upper(x)", {"x": None}),
        ("startswith(x, 1)", {"x": "abc"}),
        ("endswith(x, 'a')", {"x": 1}),
    ],
)
def test_builtin_function_type_errors(source: str, data: dict[str, Any]) -> None:
    expression = grammar.compile(source)
    with pytest.raises(EvaluationError):
        expression.evaluate(data)


@pytest.mark.parametrize(
    ("source", "suggestion"),
    [
        ("mn(1, 2)", "min"),
        ("maxx(1, 2)", "max"),
        ("lowr(s)", "lower"),
        ("uper(s)", "upper"),
        ("startwith(s, 'a')", "startswith"),
        ("endwith(s, 'a')", "endswith"),
        ("flor(1.5)", "floor"),
        ("1 + rond(1.5)", "round"),
        ("x && slott(id, 4)", "slot"),
    ],
)
def test_unknown_functions_are_compile_time_errors_with_a_hint(
    source: str, suggestion: str
) -> None:
    with pytest.raises(ExpressionSyntaxError) as caught:
        grammar.compile(source)
    name = source.split("(")[0].split()[-1]
    assert f"'{name}'" in caught.value.message
    assert f"did you mean '{suggestion}'" in caught.value.message
    assert caught.value.position == source.index(name)


@pytest.mark.parametrize("source", ["system('ls')", "eval('1')", "__import__('os')", "getattr(x)"])
def test_unknown_functions_without_a_close_match(source: str) -> None:
    with pytest.raises(ExpressionSyntaxError, match="unknown function"):
        grammar.compile(source)


@pytest.mark.parametrize(
    "source", ["min()", "abs()", "abs(1, 2)", "slot(1)", "round(1, 2, 3)", "lower()"]
)
def test_builtin_arity_is_checked_at_compile_time(source: str) -> None:
    with pytest.raises(ExpressionSyntaxError, match="argument"):
        grammar.compile(source)


def test_host_functions() -> None:
    functions = {"double": lambda v: v * 2, "join": lambda *parts: "-".join(parts)}
    assert grammar.compile("double(x) + 1", functions=functions).evaluate({"x": 4}) == 9
    assert grammar.compile("join('a', 'b', c)", functions=functions).evaluate({"c": "c"}) == (
        "a-b-c"
    )
    # Built-ins stay available next to host functions.
    assert grammar.compile("max(double(2), 3)", functions=functions).evaluate({}) == 4
    with pytest.raises(ExpressionSyntaxError, match="did you mean 'double'"):
        grammar.compile("dubble(1)", functions=functions)
    # Without functions= the name is unknown.
    with pytest.raises(ExpressionSyntaxError, match="unknown function 'double'"):
        grammar.compile("double(1)")


def test_host_functions_run_at_every_evaluation() -> None:
    counter = itertools.count(1)
    expression = grammar.compile("tick()", functions={"tick": lambda: next(counter)})
    assert [expression.evaluate({}) for _ in range(3)] == [1, 2, 3]


def test_host_function_errors_are_evaluation_errors() -> None:
    def fail(value: Any) -> Any:
        raise ValueError("bad value")

    expression = grammar.compile("1 + fail(x)", functions={"fail": fail})
    with pytest.raises(EvaluationError) as caught:
        expression.evaluate({"x": 1})
    assert caught.value.position == 4


# -- filters ------------------------------------------------------------------------------

FILTERS = {
    "upcase": lambda s: s.upper(),
    "append": lambda s, tail: s + tail,
    "pad": lambda s, width, fill=" ": s.rjust(width, fill),
    "plus": lambda a, b: a + b,
    "join": lambda items, sep=", ": sep.join(str(i) for i in items),
}


@pytest.mark.parametrize(
    ("source", "data", "expected"),
    [
        ("name | upcase", {"name": "bob"}, "BOB"),
        ("name | append: '!' | upcase", {"name": "bob"}, "BOB!"),
        ("name | upcase | append: tail", {"name": "bob", "tail": "?"}, "BOB?"),
        ("name | pad: 6", {"name": "bob"}, "   bob"),
        ("name | pad: 6, fill: '*'", {"name": "bob"}, "***bob"),
        ("name | pad: fill: '-', width: 5", {"name": "bob"}, "--bob"),
        ("n | plus: 1 | plus: n", {"n": 2}, 5),
        ("(name | upcase) + '?'", {"name": "bob"}, "BOB?"),
        ("(1..3) | join", {}, "1, 2, 3"),
        ("('a', 'b') | join: sep: '/'", {}, "a/b"),
        ("x ? 'a' : 'b' | upcase", {"x": False}, "B"),
        ("x ? 'a' : 'b' | upcase", {"x": True}, "A"),
    ],
)
def test_filter_pipeline(source: str, data: dict[str, Any], expected: Any) -> None:
    assert_value(source, data, expected, filters=FILTERS)


@pytest.mark.parametrize(
    ("source", "filters", "hint"),
    [
        ("name | upcse", FILTERS, "did you mean 'upcase'"),
        ("name | appendd: 'x'", FILTERS, "did you mean 'append'"),
        ("name | upcase | nope", FILTERS, ""),
        ("name | upcase", None, ""),
        ("name | upcase", {}, ""),
    ],
)
def test_unknown_filters_are_compile_time_errors(
    source: str, filters: dict[str, Any] | None, hint: str
) -> None:
    with pytest.raises(ExpressionSyntaxError) as caught:
        grammar.compile(source, filters=filters)
    assert "unknown filter" in caught.value.message
    assert hint in caught.value.message
    name = source.split("|")[-1].split(":")[0].strip()
    assert f"'{name}'" in caught.value.message


def test_filter_exceptions_become_evaluation_errors_naming_the_filter() -> None:
    expression = grammar.compile("x | plus: 1", filters=FILTERS)
    with pytest.raises(EvaluationError, match="plus"):
        expression.evaluate({"x": "a"})


# -- names= ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "names", "message", "position"),
    [
        ("widht + 1", {"width", "height"}, "unknown variable 'widht' (did you mean 'width'?)", 0),
        ("hieght", {"width", "height"}, "unknown variable 'hieght' (did you mean 'height'?)", 0),
        ("width-31", {"width"}, "unknown variable 'width-31' (did you mean 'width - 31'?)", 0),
        ("1+width-h", {"width", "h"}, "unknown variable 'width-h' (did you mean 'width - h'?)", 2),
        ("zzz", {"width"}, "unknown variable 'zzz'", 0),
        ("width > 1 && tag == 'x'", {"width"}, "unknown variable 'tag'", 13),
        ('["secret"]', {"width"}, "unknown variable 'secret'", 0),
    ],
)
def test_names_are_checked_at_compile_time(
    source: str, names: set[str], message: str, position: int
) -> None:
    with pytest.raises(ExpressionSyntaxError) as caught:
        grammar.compile(source, names=names)
    assert caught.value.message == message
    assert caught.value.position == position


@pytest.mark.parametrize(
    ("source", "data", "expected"),
    [
        ("width - 31", {"width": 100}, 69),
        ("width.anything.at.all", {"width": {}}, None),
        ("width > 1 ? height : 0", {"width": 2, "height": 3}, 3),
        ("max(width, height)", {"width": 2, "height": 3}, 3),
    ],
)
def test_known_names_compile(source: str, data: dict[str, Any], expected: Any) -> None:
    assert_value(source, data, expected, names=["width", "height"])


# -- ranges and lists ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "data", "expected"),
    [
        ("(1..3)", {}, [1, 2, 3]),
        ("(0..0)", {}, [0]),
        ("(3..1)", {}, []),
        ("(-2..1)", {}, [-2, -1, 0, 1]),
        ("(1..n)", {"n": 4}, [1, 2, 3, 4]),
        ("(1..n + 1)", {"n": 3}, [1, 2, 3, 4]),
        ("(a..b)", {"a": 2, "b": 3}, [2, 3]),
        ("('a', 'b')", {}, ["a", "b"]),
        ("('flac',)", {}, ["flac"]),
        ("(1, 'a', nil, true)", {}, [1, "a", None, True]),
        ("(x, x + 1)", {"x": 1}, [1, 2]),
        ("(x, (y, z))", {"x": 1, "y": 2, "z": 3}, [1, [2, 3]]),
        ("(1, 2,)", {}, [1, 2]),
        ("(1, 2).size", {}, 2),
    ],
)
def test_ranges_and_lists(source: str, data: dict[str, Any], expected: Any) -> None:
    assert_value(source, data, expected)


@pytest.mark.parametrize(
    ("source", "data"),
    [("(1..x)", {"x": "a"}), ("(x..3)", {"x": [1]}), ("(1..x)", {"x": True})],
)
def test_range_bounds_must_be_numbers(source: str, data: dict[str, Any]) -> None:
    expression = grammar.compile(source)
    with pytest.raises(EvaluationError):
        expression.evaluate(data)


# -- Expression.variables and .source ----------------------------------------------------


@pytest.mark.parametrize(
    ("source", "variables"),
    [
        ("tag == 'lossless' && (id % 100) <= 47", {"tag", "id"}),
        ("a.b.c + d[e]", {"a", "d", "e"}),
        ("min(x, y)", {"x", "y"}),
        ("x | f: y, key: z", {"x", "y", "z"}),
        ("(1..n)", {"n"}),
        ("x ? y : z", {"x", "y", "z"}),
        ("width-31", {"width-31"}),
        ("1 + 2", set()),
        ("true and nil", set()),
        ("x.size + x.first", {"x"}),
        ("[k]", {"k"}),
        ('["a b"]', {"a b"}),
    ],
)
def test_variables_and_source(source: str, variables: set[str]) -> None:
    expression = grammar.compile(source, filters={"f": lambda *a, **k: None})
    assert expression.source == source
    assert expression.variables == frozenset(variables)
    assert isinstance(expression.variables, frozenset)


# -- compile_set ---------------------------------------------------------------------------

SETS = [
    ["id % 100 < 50", "id % 100 >= 50", "(id % 100) * 2"],
    [
        "tag == 'lossless' && (id % 100) <= 47",
        "tag == 'lossy' && (id % 100) <= 47",
        "tag in ('lossless', 'flac') || id % 100 > 90",
    ],
    ["a && x / y", "x / y"],
    ["x / y", "a && x / y"],
    ["a ? x / y : 0", "a || x / y", "x / y > 1"],
    ["not a and x / y", "a or x / y"],
    ["a && b && x / y", "a && b", "b && a && x / y"],
    ["(a || b) && x / y", "a || b"],
    ["a ? q : 1", "q"],
    ["q", "a ? q : 1"],
    ["x + 1", "x + 1 > 2 ? x + 1 : -(x + 1)"],
    ["x / 0", "x + 1"],
    ["x + 1", "x / 0"],
    ["a.b.c", "a.b", "a.b.c + 1"],
    ["x == 1 ? 'one' : x == 2 ? 'two' : 'many'", "x == 1", "x == 2"],
    ["lower(s) == 'abc'", "upper(s)", "lower(s)"],
    ["x == 1", "x == 1.0", "x == true", "x != 1"],
    ["x * y", "y * x", "x * y + x * y"],
    ["a", "a", "a"],
    ["1 + 2", "x", "'c' + 'd'"],
]


def records() -> Iterator[dict[str, Any]]:
    values = itertools.product([True, False, None, 0], [True, None], [0, 1, 2, 7, "z", None])
    for a, b, x in values:
        for y in (0, 2, 2.0):
            record: dict[str, Any] = {
                "a": a if a is not None else {"b": {"c": x}},
                "b": b,
                "x": x,
                "y": y,
                "id": 1234 if a else 1299,
                "tag": "lossless" if b else "flac",
                "s": "AbC" if a else 5,
            }
            if x is not None:
                record["q"] = x
            yield record


def outcome(function: Any, record: dict[str, Any]) -> tuple[Any, ...]:
    try:
        return ("value", canon(function(record)))
    except grammar.ExpressionError as error:
        return ("error", type(error), error.message, error.source, error.position)


@pytest.mark.parametrize("strict", [False, True])
@pytest.mark.parametrize("sources", SETS, ids=lambda s: " ; ".join(s))
def test_compile_set_matches_each_expression_alone(sources: list[str], strict: bool) -> None:
    alone = [grammar.compile(s, strict=strict) for s in sources]
    together = grammar.compile_set(sources, strict=strict)
    assert len(together) == len(sources)
    assert together.sources == tuple(sources)
    assert together.variables == frozenset().union(*(e.variables for e in alone))
    for record in records():
        singles = [outcome(e.evaluate, record) for e in alone]
        errors = [o for o in singles if o[0] == "error"]
        if errors:
            expected: tuple[Any, ...] = errors[0]
        else:
            expected = ("value", [o[1] for o in singles])
        got = outcome(together.evaluate, record)
        if got[0] == "value":
            got = ("value", got[1][1])
        assert got == expected, f"{sources} with {record}"
        claims = grammar.compile_set(sources, strict=strict, truthy=True).evaluate
        if errors:
            assert outcome(claims, record) == expected, f"{sources} with {record}"
        else:
            assert claims(record) == tuple(grammar.truthy(e.evaluate(record)) for e in alone)


@pytest.mark.parametrize(
    ("sources", "failing", "data"),
    [
        (["x + 1", "x / 0"], 1, {"x": 1}),
        (["x / 0", "x + 1"], 0, {"x": 1}),
        (["a && x / y", "x / y"], 1, {"a": False, "x": 1, "y": 0}),
        (["a && x / y", "x / y"], 0, {"a": True, "x": 1, "y": 0}),
        (["a ? 1 : x < 'b'", "x < 'b'"], 1, {"a": 1, "x": 1}),
        (["lower(s)", "upper(s) + 1"], 0, {"s": 1}),
    ],
)
def test_compile_set_raises_the_error_of_the_first_failing_expression(
    sources: list[str], failing: int, data: dict[str, Any]
) -> None:
    with pytest.raises(EvaluationError) as alone:
        grammar.compile(sources[failing]).evaluate(data)
    with pytest.raises(EvaluationError) as together:
        grammar.compile_set(sources).evaluate(data)
    assert together.value.message == alone.value.message
    assert together.value.source == sources[failing]
    assert together.value.position == alone.value.position


def test_compile_set_of_one_is_a_tuple() -> None:
    together = grammar.compile_set(["x + 1"])
    assert together.evaluate({"x": 1}) == (2,)
    assert grammar.compile_set([]).evaluate({}) == ()
