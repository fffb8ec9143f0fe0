"""Issue 13 in the language itself: Liquid's filter argument lists, ``a ?? b``, python-liquid's
``a if c else b``, and strict mode that reaches every path and lets fallbacks through."""

from __future__ import annotations

from typing import Any

import pytest

from ladle import filters, grammar
from ladle.grammar.errors import EvaluationError
from ladle.grammar.fallbacks import guarded_paths
from ladle.grammar.nodes import Conditional, Literal, Logical, Name, RootIndex, unparse

FILTERS = filters.table()
USER = {"user": {"name": "Ann", "profile": None, "tags": ["a", "b"]}, "items": [1, 2, 3],
        "f": False, "zero": 0, "blank_text": "", "nil": None}


def value(source: str, data: dict[str, Any] | None = None, **options: Any) -> Any:
    return grammar.evaluate(source, USER if data is None else data, filters=FILTERS, **options)


def failure(source: str, data: dict[str, Any] | None = None, **options: Any) -> EvaluationError:
    with pytest.raises(EvaluationError) as caught:
        value(source, data, **options)
    return caught.value


# -- filter arguments ------------------------------------------------------------------------


@pytest.mark.parametrize(("source", "expected"), [
    ("'x' | append: 'a',", "xa"),
    ("'x' | upcase:", "X"),
    ("'x' | upcase: | append: 'b',", "Xb"),
    ("nil | default: 'd', allow_false: true,", "d"),
    ("false | default: 'd', allow_false: true,", False),
    ("'abc' | slice: 1, 2,", "bc"),
    ("('x' | upcase:) + ('y' | append: 'z',)", "Xyz"),
])
def test_a_trailing_comma_and_a_lone_colon_are_accepted(source: str, expected: Any) -> None:
    assert value(source) == expected
    without = source.replace(":)", ")").replace(": |", " |").replace(",)", ")")
    if without.endswith(":") or without.endswith(","):
        without = without[:-1]
    assert value(without) == expected  # the same as without them


@pytest.mark.parametrize("source", ["x | f: ,", "x | f: 1,,", "x | f: , 1", "x | f ,"])
def test_other_stray_commas_are_errors(source: str) -> None:
    with pytest.raises(grammar.ExpressionSyntaxError):
        grammar.parse(source)


# -- ?? ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("source", "expected"), [
    ("missing ?? 1", 1),
    ("nil ?? 1", 1),
    ("f ?? 1", False),  # only nil and undefined fall back
    ("zero ?? 1", 0),
    ("blank_text ?? 1", ""),
    ("user.name ?? 'x'", "Ann"),
    ("user.nope ?? 'x'", "x"),
    ("user.profile ?? 'x'", "x"),
    ("missing ?? nil ?? f ?? 2", False),
    ("missing ?? 1 / 0", EvaluationError),  # the fallback is evaluated when needed
    ("1 ?? 1 / 0", 1),  # and only then
    ("missing ?? f || 3", 3),  # ?? is looser than ||: missing ?? (f || 3)
    ("f || missing ?? 3", 3),  # (f || missing) ?? 3
    ("missing ?? 2 + 3", 5),
    ("missing ?? 1 == 1", True),
    ("missing ?? f and 4", False),  # words are looser still: (missing ?? f) and 4
    ("missing ?? true ? 'y' : 'n'", "y"),
])
def test_nil_coalescing(source: str, expected: Any) -> None:
    if expected is EvaluationError:
        failure(source)
    else:
        result = value(source)
        assert result == expected and type(result) is type(expected)


def test_nil_coalescing_is_one_operator_of_the_table() -> None:
    tree = grammar.parse("a ?? b || c")
    assert tree == Logical("??", Name("a"), Logical("||", Name("b"), Name("c")))
    assert grammar.parse(unparse(tree)) == tree


def test_a_host_s_undefined_value_falls_back_too() -> None:
    class Undefined:
        def __liquid__(self) -> None:
            return None

    expression = grammar.compile("missing ?? 'd'", undefined=lambda _: Undefined())
    assert expression.evaluate({}) == "d"
    assert expression.evaluate({"missing": False}) is False


# -- a if c else b ---------------------------------------------------------------------------


@pytest.mark.parametrize(("inline", "ternary"), [
    ("a if c else b", "c ? a : b"),
    ("a if c", "c ? a : nil"),
    ("a | upcase if c else b | append: 'x'", "c ? (a | upcase) : (b | append: 'x')"),
    ("a if c and d else b", "(c and d) ? a : b"),
    ("a if c else b if d else e", "c ? a : (d ? b : e)"),
    ("(a if c else b) | upcase", "(c ? a : b) | upcase"),
    ("a if c ?? d else b", "(c ?? d) ? a : b"),
])
def test_the_inline_conditional_is_the_ternary(inline: str, ternary: str) -> None:
    assert grammar.parse(inline) == grammar.parse(ternary)


def test_the_inline_conditional_evaluates_like_the_ternary() -> None:
    data = {"a": "yes", "b": "no"}
    assert value("a if c else b", {**data, "c": True}) == "yes"
    assert value("a if c else b", {**data, "c": 0}) == "yes"  # Liquid truthiness
    assert value("a if c else b", {**data, "c": False}) == "no"
    assert value("a if c", {**data, "c": False}) is None
    assert isinstance(grammar.parse("a if c"), Conditional)
    assert grammar.parse("a if c").otherwise == Literal("nil", None)  # type: ignore[attr-defined]


def test_if_and_else_are_words_of_the_language() -> None:
    for source in ("if", "else", "a else b", "x | if"):
        with pytest.raises(grammar.ExpressionSyntaxError):
            grammar.parse(source)
    assert value("m.if + m.else", {"m": {"if": 1, "else": 2}}) == 3
    assert value('["if"]', {"if": 5}) == 5


# -- strict mode: every path, fallbacks excepted -------------------------------------------------


@pytest.mark.parametrize(("source", "message", "column"), [
    ("user.nmae", "user.nmae is undefined; did you mean 'name'?", 1),
    ("user.profile.name", "user.profile.name is undefined (its parent is nil)", 1),
    ("user.nope.name", "user.nope is undefined", 1),
    ("items[5]", "items[5] is undefined (the list holds 3 items)", 1),
    ("1 + items[-4]", "items[-4] is undefined (the list holds 3 items)", 5),
    ("user.tags.firts", "user.tags.firts is undefined (the list holds 2 items)", 1),
    ("usr.name", "undefined variable 'usr' (did you mean 'user'?)", 1),
    ("(1, user['nmae'])", "user['nmae'] is undefined; did you mean 'name'?", 5),
    ("user.name.x", "user.name.x is undefined (a string has no 'x')", 1),
    ("(user.name | upcase).x", "(user.name | upcase).x is undefined (a string has no 'x')", 1),
    ("user.nmae | upcase | default: 'd'", "user.nmae is undefined", 1),
    ("user[k] ?? 1", "undefined variable 'k'", 6),  # a key is not guarded by the fallback
    ("user.nope ?? items[9]", "items[9] is undefined", 14),  # nor is the fallback itself
    ("f ? 1 : user.nmae", "user.nmae is undefined", 9),
])
def test_strict_mode_names_the_missing_path(source: str, message: str, column: int) -> None:
    error = failure(source, strict=True)
    assert error.message.startswith(message), error.message
    assert error.column == column and error.line == 1
    value(source, strict=False)  # (nil without strict mode)


@pytest.mark.parametrize(("source", "expected"), [
    ("user.nmae | default: 'd'", "d"),
    ("user.nmae || 'd'", "d"),
    ("user.nmae or 'd'", "d"),
    ("user.nmae ?? 'd'", "d"),
    ("user.profile.name ?? 'd'", "d"),
    ("missing.a.b[3] ?? 'd'", "d"),
    ("items[5] ?? items[0]", 1),
    ("(user.x && user.y) || 'd'", "d"),
    ("(f ? user.x : items[7]) ?? 'd'", "d"),
    ("(user.x if user.name else 1) ?? 'd'", "d"),
    ("user.x || user.y || 'd'", "d"),
    ("user.x ?? user.y ?? 'd'", "d"),
    ("user.x ?? f", False),
    ("[user.nmae ?? 'name'] ?? 1", 1),
    ('["nope"] | default: 2', 2),
    ("user.name ?? 'd'", "Ann"),
])
def test_strict_mode_lets_a_fallback_supply_the_value(source: str, expected: Any) -> None:
    assert value(source, strict=True) == expected
    assert value(source, strict=False) == expected


def test_a_guarded_computation_is_not_reused_where_no_fallback_guards_it() -> None:
    # The same path, guarded first: the unguarded one still raises.
    for source in ("(user.x ?? 1) + user.x", "(user.x || 1, user.x)", "user.x | default: user.x"):
        assert failure(source, strict=True).message.startswith("user.x is undefined")
    assert value("user.name + (user.name ?? 'x')", strict=True) == "AnnAnn"


def test_strict_mode_in_a_compiled_set() -> None:
    rules = grammar.compile_set(["user.nmae ?? 1", "user.name"], strict=True)
    assert rules.evaluate(USER) == (1, "Ann")
    with pytest.raises(EvaluationError, match=r"user\.nmae is undefined"):
        grammar.compile_set(["user.name", "user.nmae"], strict=True).evaluate(USER)


def test_the_did_you_mean_looks_at_a_bounded_number_of_keys() -> None:
    many = {"user": {f"key{i}": i for i in range(100_000)}}
    error = failure("user.key99999x", many, strict=True)
    assert error.message.startswith("user.key99999x is undefined")


@pytest.mark.parametrize(("source", "guarded"), [
    ("a ?? b", ["a"]),
    ("a || b || c", ["a", "b"]),
    ("a.b[c] or d", ["a"]),
    ("a | default: b", ["a"]),
    ("a | upcase | default: b", []),
    ("(a && b) ?? c", ["a", "b"]),
    ("(t ? a : b) ?? c", ["a", "b"]),
    ("a + b ?? c", []),
    ('["x"] ?? c', ['["x"]']),
])
def test_guarded_paths(source: str, guarded: list[str]) -> None:
    found = guarded_paths(grammar.parse(source))
    assert sorted(unparse(node) for node in found) == guarded
    assert all(isinstance(node, Name | RootIndex) for node in found)
