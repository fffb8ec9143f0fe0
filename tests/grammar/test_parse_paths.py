"""The parser's shortcut for plain paths (``user.name``) gives exactly the tree, spans
and errors the full parser gives, on any text made of names, dots and spaces."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ladle.grammar import nodes
from ladle.grammar.errors import ExpressionSyntaxError
from ladle.grammar.parser import Parser, parse


def _full(source: str, max_depth: int = 100) -> nodes.Node:
    return Parser(source, max_depth=max_depth, liquid=True).parse()


def _shape(tree: nodes.Node) -> list[tuple[str, tuple[int, int], tuple[object, ...]]]:
    """Every node with its span (``==`` ignores spans)."""
    return [(type(node).__name__, node.span, tuple(
        getattr(node, name) for name in type(node).__match_args__
        if not isinstance(getattr(node, name), nodes.Node)))
        for node in nodes.walk(tree)]


def _outcome(parser: object, source: str, max_depth: int = 100) -> object:
    try:
        tree = parser(source, max_depth=max_depth) if parser is _full else \
            parse(source, max_depth=max_depth, liquid=True)
    except ExpressionSyntaxError as error:
        return ("error", str(error))
    return _shape(tree)


CASES = ["user", "user.name", "  user.name  ", "a.b.c.d", "a?.b?", "a-b.c-d", "true",
         "nil.x", "a.true", "a.and", "a.empty", "a.b-", "é.ü", "a\u00a0", "\u00a0a",
         "a\u00a0.b", "a .b", "a. b", "a..b", "a.", ".a", "a.1", "a.b.", "_x._y", "a?b",
         "a??", "blank", "empty.size", "forloop.index", "a\u2003b.c", "a\x85", ""]


@pytest.mark.parametrize("source", CASES)
def test_same_as_the_full_parser(source: str) -> None:
    assert _outcome(parse, source) == _outcome(_full, source)


@pytest.mark.parametrize("depth", [2, 3, 4])
def test_depth_limit_as_the_full_parser(depth: int) -> None:
    for source in ("a.b.c", "a.b.c.d", "a.b.c.d.e"):
        assert _outcome(parse, source, depth) == _outcome(_full, source, depth)


def test_paths_are_the_parsers_trees() -> None:
    tree = parse("user.address.city")
    assert tree == nodes.Member(nodes.Member(nodes.Name("user"), "address"), "city")
    assert tree.span == (0, 17)


_PIECES = st.sampled_from(["a", "b1", "x-y", "q?", "true", "and", "é", ".", "..", " ",
                           "\u00a0", "1", "-", "?", "_"])


@settings(max_examples=3000, deadline=None, database=None)
@given(st.lists(_PIECES, max_size=8).map("".join))
def test_any_text_of_names_and_dots(source: str) -> None:
    assert _outcome(parse, source) == _outcome(_full, source)
