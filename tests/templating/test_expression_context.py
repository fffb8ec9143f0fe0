"""An expression knows, from the one walk that checks its names, whether any filter in it
reads the render context (``with_context``): wherever that filter is in the tree."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from liquid.token import Token

from ladle import templating
from ladle.grammar import nodes
from ladle.grammar.errors import ExpressionError
from ladle.templating.errors import TemplateSyntaxError
from ladle.templating.expression import compile_expression


def reads_context(value: object, *, context: Any) -> object:
    return value


reads_context.with_context = True  # type: ignore[attr-defined]

ENV = templating.Environment()
ENV.add_filter("ctx", reads_context)


def compiled(text: str) -> Any:
    return compile_expression(ENV, Token("expression", text, 0, text))


@pytest.mark.parametrize(("text", "needs"), [
    ("a | ctx", True), ("a | upcase | ctx: 1", True), ("a | upcase", False), ("a", False),
    ("abs((a | ctx))", True), ("a | default: (b | ctx)", True), ("x ? (a | ctx) : b", True),
    ("[(a | ctx)]", True), ("(a | ctx) + 1", True), ("'|' | upcase", False),
    ("abs(-1)", False), ("(1..(a | ctx))", True), ("a | default: 1, allow_false: (b | ctx)", True),
    ("a | default: 1, allow_false: true", False),
])
def test_needs_context_wherever_the_filter_is(text: str, needs: bool) -> None:
    assert compiled(text).needs_context is needs


PIECES = ["a", "b.c", "1", "'s'", "| ctx", "| upcase", "| default: ", "abs(", "(", ")",
          "[", "]", ",", "+", "?", ":", "and"]


@settings(max_examples=1000, deadline=None, database=None)
@given(st.lists(st.sampled_from(PIECES), max_size=10).map(" ".join))
def test_needs_context_is_whether_the_tree_has_such_a_filter(text: str) -> None:
    try:
        expression = compiled(text)
    except (TemplateSyntaxError, ExpressionError):
        return
    assert expression.needs_context is any(
        isinstance(node, nodes.Filter) and node.name == "ctx"
        for node in nodes.walk(expression.tree))
