"""The tracing evaluator (grammar/trace.py) against the compiled evaluation, and its
drawing (grammar/explain.py).

The property: on every expression of the property tests' generators, with any data and
options, the trace's value (or error message and position) is the compiled one, and every
step's value is the value of its sub-expression compiled on its own.
"""

from __future__ import annotations

import doctest
import json
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from ladle import grammar
from ladle.grammar import explain, operators
from ladle.grammar import trace as trace_module
from ladle.grammar.nodes import Filter
from ladle.grammar.trace import Tracer, trace
from tests.grammar.reference import same
from tests.grammar.test_properties import (
    FILTERS,
    OPTIONS,
    PROPERTY,
    SMALL_FORMS,
    check_constants,
    datas,
    evaluable_sources,
    values,
    watchdog,
)


def outcomes(source: str, data: dict[str, Any], options: dict[str, Any]) -> None:
    try:
        tree = grammar.parse(source)
    except grammar.ExpressionSyntaxError:
        assume(False)
        raise
    check_constants(tree, options["max_length"])
    with watchdog():
        compiled = grammar.compile(source, filters=FILTERS, **options)
        try:
            expected: tuple[str, Any] = ("value", compiled.evaluate(data))
        except grammar.EvaluationError as error:
            expected = ("error", error)
        traced = Tracer(filters=FILTERS, **options).trace(source, compiled.tree, data)
    where = f"{source!r} with {data!r} ({options})"
    if expected[0] == "error":
        assert traced.error is not None, f"{where}: traced {traced.value!r}, " \
                                         f"compiled failed: {expected[1].message}"
        assert traced.error.message == expected[1].message, where
        assert traced.error.position == expected[1].position, where
    else:
        assert traced.error is None, f"{where}: traced failed: {traced.error}"
        assert same(traced.value, expected[1]), f"{where}: traced {traced.value!r}, " \
                                               f"compiled {expected[1]!r}"
    assert traced.root.node is compiled.tree


@PROPERTY
@given(evaluable_sources(), datas, OPTIONS, st.booleans())
def test_trace_agrees_with_the_compiled_evaluation(
    sources: list[str], data: dict[str, Any], options: dict[str, Any], liquid: bool
) -> None:
    """(``liquid``: under Liquid's rules, as templates compile.)"""
    [source] = sources
    outcomes(source, data, {**options, "liquid": liquid})


@PROPERTY
@given(st.sampled_from(SMALL_FORMS), values(), values(), OPTIONS)
def test_trace_agrees_on_each_operation_with_any_values(
    form: str, x: Any, y: Any, options: dict[str, Any]
) -> None:
    outcomes(form, {"x": x, "y": y}, options)


@PROPERTY
@given(evaluable_sources(), datas)
def test_every_step_is_its_sub_expression_evaluated(
    sources: list[str], data: dict[str, Any]
) -> None:
    """A step that succeeded holds the value its sub-expression has compiled alone."""
    [source] = sources
    try:
        tree = grammar.parse(source)
    except grammar.ExpressionSyntaxError:
        assume(False)
        raise
    check_constants(tree, 1_000_000)
    with watchdog():
        traced = Tracer(filters=FILTERS).trace(source, tree, data)
        pending = [traced.root]
        while pending:
            step = pending.pop()
            pending.extend(step.steps)
            if not step.evaluated or step.error is not None or isinstance(step.node, Filter):
                continue  # (a filter's text is its name: its value is the pipeline's)
            start, end = step.node.span
            text = source[start:end]
            try:
                alone = grammar.compile(text, filters=FILTERS).evaluate(data)
            except grammar.ExpressionError:
                continue  # a span that is not an expression alone (a filter, say)
            assert same(step.value, alone), f"{text!r} in {source!r}: {step.value!r}"


# -- explanations --------------------------------------------------------------------------

PLACEMENT = "tag == 'lossless' && (id % 100) >=  0 && (id % 100) <= 47"


def test_the_issue_example() -> None:
    traced = trace(PLACEMENT, {"tag": "lossless", "id": 93})
    assert explain.render(traced).split("\n") == [
        "  tag == 'lossless' && (id % 100) >=  0 && (id % 100) <= 47",
        "  ^^^^^^^^^^^^^^^^^ true                   ^^^^^^^^^^^^^^^^ false (id % 100 = 93)",
        "                       ^^^^^^^^^^^^^^^^ true (id % 100 = 93)",
    ]


def test_operands_short_circuiting_skipped_are_not_drawn() -> None:
    traced = trace(PLACEMENT, {"tag": "lossy", "id": 93})
    assert explain.render(traced, indent="") == (
        f"{PLACEMENT}\n^^^^^^^^^^^^^^^^^ false (tag = 'lossy')")
    assert [step.evaluated for step in traced.root.steps] == [True, False]


def test_an_error_shows_where_it_began_and_its_operands() -> None:
    traced = trace(PLACEMENT, {"tag": "lossless", "id": "x"})
    assert traced.error is not None and not traced.truthy
    assert explain.render(traced, indent="").split("\n")[2] == (
        "                     ^^^^^^^^^^^^^^^^ error: cannot apply '%' to string and int "
        "(id = 'x')")


def test_conditionals_show_the_test_and_the_branch_taken() -> None:
    traced = trace("big ? size / 1000 : size", {"big": True, "size": 48000})
    assert explain.render(traced, indent="") == (
        "big ? size / 1000 : size\n^^^ true\n      ^^^^^^^^^^^ 48 (size = 48000)")


def test_lines_of_a_multi_line_source_get_their_own_carets() -> None:
    traced = trace("a == 1 &&\n  b == 2", {"a": 1, "b": 3})
    assert explain.render(traced, indent="") == (
        "a == 1 &&\n^^^^^^ true\n  b == 2\n  ^^^^^^ false (b = 3)")


@pytest.mark.parametrize(("value", "text"), [
    ("it's", "'it\\'s'"), ("a\nb", "'a\\u000ab'"), (None, "nil"), (False, "false"),
    (1.5, "1.5"), ((1, (2, 3)), "[1, [2, 3]]"), (range(1, 4), "[1, 2, 3]"),
    ({"k": None}, '{"k": null}'), ("x" * 100, "'" + "x" * 58 + "…"),
])
def test_values_are_shown_as_the_language_writes_them(value: Any, text: str) -> None:
    assert explain.show(value) == text


def test_the_json_tree_has_every_node() -> None:
    tree = explain.to_json(trace("x > 1 || y", {"x": 1, "y": [1]}))
    json.dumps(tree)  # plain JSON
    assert tree["value"] == [1] and tree["error"] is None
    root = tree["tree"]
    assert (root["node"], root["op"], root["deciding"]) == ("logical", "||", False)
    left, right = root["children"]
    assert (left["text"], left["value"], left["deciding"]) == ("x > 1", False, True)
    assert [c["value"] for c in left["children"]] == [1, 1]
    assert (right["text"], right["value"], right["deciding"]) == ("y", [1], True)
    skipped = explain.to_json(trace("true || y"))["tree"]["children"][1]
    assert skipped == {"node": "name", "text": "y", "start": 8, "end": 9,
                       "evaluated": False, "deciding": False, "children": []}


def test_a_new_operator_row_is_traced_with_no_change(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tracer reads an operator's meaning from the table (here: '-' made to add)."""
    row = operators.OPERATORS["-"]
    changed = dict(operators.OPERATORS)
    changed["-"] = operators.Operator("-", row.level, lambda a, b: a + b, "number")
    monkeypatch.setattr(operators, "OPERATORS", changed)
    monkeypatch.setattr(trace_module, "OPERATORS", changed)
    assert trace("5 - 2").value == 7


def test_what_the_table_cannot_compute_is_evaluated_by_the_compiler(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """(Here '+' is taken out of the table the tracer reads.)"""
    monkeypatch.setattr(trace_module, "OPERATORS",
                        {k: v for k, v in operators.OPERATORS.items() if k != "+"})
    traced = trace("a + 1 > 2", {"a": 5})
    assert traced.value is True
    assert traced.root.steps[0].value == 6
    assert [step.evaluated for step in traced.root.steps[0].steps] == [False, False]


@pytest.mark.parametrize("module", [trace_module, explain], ids=lambda m: m.__name__)
def test_docstring_examples(module: Any) -> None:
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0


def test_a_tracer_is_immutable() -> None:
    tracer = Tracer(strict=True)
    with pytest.raises(AttributeError):
        tracer.strict = False  # type: ignore[misc]
    assert tracer.strict is True
