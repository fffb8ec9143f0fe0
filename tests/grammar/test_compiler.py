"""The compiler: constant folding, common-subexpression elimination, and what the generated
code may contain."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pytest
from markupsafe import Markup

from ladle import grammar


def counting() -> tuple[Counter[str], dict[str, Any]]:
    calls: Counter[str] = Counter()

    def f(x: Any) -> Any:
        calls["f"] += 1
        return x

    return calls, {"f": f}


def helper_calls(expression: grammar.Expression) -> set[str]:
    """Names of the runtime helpers the generated function refers to."""
    return {n for n in expression.evaluate.__code__.co_names if n.startswith("_")} - {"_fail"}


@pytest.mark.parametrize(("source", "value"), [
    ("1 + 2 * 3", 7), ("'a' + 'b'", "ab"), ("-7 % 100", 93), ("(1..3) contains 2", True),
    ("true && 'x'", "x"), ("nil || 5", 5), ("false ? 1 : 2", 2), ("!0", False),
    ("slot(12345, 1024)", 108), ("max(1, 2) + len('abc')", 5), ("'x' in ('x', 'y')", True),
])
def test_constant_expressions_fold_to_one_constant(source: str, value: Any) -> None:
    expression = grammar.compile(source)
    assert expression.evaluate({}) == value
    assert helper_calls(expression) == set()  # nothing left to compute at run time
    assert value in expression.evaluate.__code__.co_consts or isinstance(value, bool)


def test_folding_keeps_errors_for_evaluation_time() -> None:
    # `1/0` must not fail at compile time: it may sit in a branch that never runs.
    assert grammar.evaluate("false && 1 / 0") is False
    with pytest.raises(grammar.EvaluationError, match="division by zero"):
        grammar.evaluate("x || 1 / 0", {"x": False})


def test_repeated_subexpression_is_computed_once() -> None:
    calls, functions = counting()
    assert grammar.evaluate("f(x) + f(x) * f(x)", {"x": 3}, functions=functions) == 12
    assert calls["f"] == 1


def test_shared_across_a_set_under_the_same_condition() -> None:
    calls, functions = counting()
    rules = grammar.compile_set(["a && f(x) > 1", "a && f(x) < 5"], functions=functions)
    assert rules.evaluate({"a": True, "x": 3}) == (True, True)
    assert calls["f"] == 1


def test_not_reused_where_the_first_computation_may_not_have_run() -> None:
    calls, functions = counting()
    rules = grammar.compile_set(["a && f(x) > 1", "f(x) == 3"], functions=functions)
    assert rules.evaluate({"a": False, "x": 3}) == (False, True)
    assert calls["f"] == 1
    calls.clear()
    # The second expression cannot know that the first one's branch ran: it computes again.
    assert rules.evaluate({"a": True, "x": 3}) == (True, True)
    assert calls["f"] == 2


def test_opposite_branches_do_not_share() -> None:
    calls, functions = counting()
    expression = grammar.compile("a ? f(x) : f(x) + 1", functions=functions)
    assert expression.evaluate({"a": False, "x": 1}) == 2
    assert expression.evaluate({"a": True, "x": 1}) == 1
    assert calls["f"] == 2


HOSTILE = [
    "__import__('os').system('echo hacked')",
    "x.__class__.__mro__",
    "data",
    "_t1",
    "_fail",
    "type",
    "['__builtins__']",
    "exec",
    '"\\"); import os #"',
    "x.__dict__ || y.__globals__",
    "s.upper",
]


@pytest.mark.parametrize("source", HOSTILE)
def test_user_text_never_becomes_python_code(source: str) -> None:
    try:
        expression = grammar.compile(source)
    except grammar.ExpressionSyntaxError:
        return  # e.g. an unknown function: rejected before code exists
    code = expression.evaluate.__code__
    # Only the compiler's own names: the data argument, temporaries, helpers, built-in types.
    allowed_globals = re.compile(r"_[A-Za-z]+\d*|type|int|str|float|bool|dict|KeyError|Exception")
    assert all(allowed_globals.fullmatch(name) for name in code.co_names), code.co_names
    assert all(re.fullmatch(r"data|_e|_t\d+", name) for name in code.co_varnames)
    value = expression.evaluate({"x": "text", "s": "text", "y": {}, "data": 1, "_t1": 2})
    assert value is None or isinstance(value, (int, str))


def test_attributes_are_never_read() -> None:
    class Secret:
        leaked = "leaked"

        def __getitem__(self, key: str) -> str:
            return f"key {key}"

    data = {"obj": Secret(), "s": "text"}
    assert grammar.evaluate("obj.leaked", data) == "key leaked"  # mapping-like access only
    assert grammar.evaluate("s.upper", data) is None
    assert grammar.evaluate("s.__class__", data) is None


def test_drops_use_liquid_value() -> None:
    class Flag:
        def __liquid__(self) -> bool:
            return False

    assert grammar.evaluate("flag ? 'yes' : 'no'", {"flag": Flag()}) == "no"
    assert grammar.evaluate("flag == false", {"flag": Flag()}) is True


def test_shared_where_an_earlier_rule_ran_under_fewer_conditions() -> None:
    calls, functions = counting()
    rules = grammar.compile_set(["b && f(x) > 1", "a && b && f(x) < 5"], functions=functions)
    assert rules.evaluate({"a": True, "b": True, "x": 3}) == (True, True)
    assert calls["f"] == 1


def test_shared_from_outside_a_long_chain() -> None:
    calls, functions = counting()
    chain = " && ".join(f"a{n}" for n in range(30))
    expression = grammar.compile(f"f(x) > 0 && {chain} && f(x) < 5", functions=functions)
    assert expression.evaluate({"x": 3, **{f"a{n}": True for n in range(30)}}) is True
    assert calls["f"] == 1


def test_a_set_split_into_several_functions_keeps_values_and_errors(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(grammar.compiler, "_CHUNK_LINES", 3)
    sources = ["a && b", "x % 100 + 1", "tag == 'lossless' && x > 3", "a ? x : y", "y - 1"]
    together = grammar.compile_set(sources)
    assert len({name for name in together.evaluate.__globals__ if name.startswith("_c")}) > 1
    data = {"a": True, "b": 2, "x": 47, "tag": "lossless", "y": 5}
    assert together.evaluate(data) == tuple(grammar.evaluate(s, data) for s in sources)
    for bad in ({**data, "y": "text"}, {**data, "x": "text"}):
        with pytest.raises(grammar.EvaluationError) as caught:
            together.evaluate(bad)
        expected = next(error for error in _errors(sources, bad))
        assert (caught.value.message, caught.value.source, caught.value.position) == expected


def _errors(sources: list[str], data: dict[str, Any]) -> list[tuple[str, str, int | None]]:
    found = []
    for source in sources:
        try:
            grammar.evaluate(source, data)
        except grammar.EvaluationError as error:
            found.append((error.message, error.source, error.position))
    return found


def test_each_filter_of_a_chain_is_a_nesting_level() -> None:
    filters = {"abs": abs}
    assert grammar.compile("x" + " | abs" * 100, filters=filters).evaluate({"x": -2}) == 2
    with pytest.raises(grammar.ExpressionSyntaxError, match="nested too deeply") as caught:
        grammar.compile("x" + " | abs" * 101, filters=filters)
    assert caught.value.position == 1 + 6 * 100 + 1  # the 101st '|'
    # the parentheses are a level too
    with pytest.raises(grammar.ExpressionSyntaxError, match="the limit is 3 levels"):
        grammar.compile("(x | abs | abs | abs)", filters=filters, max_depth=3)
    assert grammar.compile("(x | abs | abs) | abs", filters=filters, max_depth=3).evaluate(
        {"x": -1}) == 1


def test_running_out_of_memory_while_compiling_is_an_expression_error(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def exhausted(*args: Any) -> Any:
        raise MemoryError

    for where in ("_compile", "value"):
        with monkeypatch.context() as patch:
            patch.setattr(grammar.compiler.Compiler, where, exhausted)
            with pytest.raises(grammar.ExpressionSyntaxError, match="out of memory"):
                grammar.compile("a + 1")
            with pytest.raises(grammar.ExpressionSyntaxError, match="out of memory"):
                grammar.compile_set(["a + 1", "b"])


@pytest.mark.parametrize("strings", [None, Markup], ids=["plain", "markup"])
def test_membership_in_a_literal_list_of_strings_is_a_set_lookup(strings: Any) -> None:
    expression = grammar.compile("s in ('refunded', 'voided')", strings=strings, liquid=True)
    helpers = expression.evaluate.__globals__
    called: list[object] = []
    contains = helpers["_contains"]
    helpers["_contains"] = lambda *args: called.append(args) or contains(*args)
    assert [expression.evaluate({"s": s}) for s in ("voided", "paid")] == [True, False]
    assert called == []  # a template's literals are Markup: still the fast path
    assert expression.evaluate({"s": 1}) is False and len(called) == 1
