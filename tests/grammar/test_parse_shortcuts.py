"""The parser's shortcuts (``grammar.shortcuts``: plain paths, and plain operands through
filters) give exactly the tree, spans and errors the full parser gives, on any text made
of the pieces they read and of pieces they must leave to the parser."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ladle.grammar import nodes, shortcuts
from ladle.grammar.errors import ExpressionSyntaxError
from ladle.grammar.parser import Parser, parse


def _full(source: str, max_depth: int = 100) -> nodes.Node:
    return Parser(source, max_depth=max_depth, liquid=True).parse()


def _kind(node: nodes.Node, name: str) -> object:
    value = getattr(node, name)
    if isinstance(value, tuple) and value and isinstance(value[0], tuple):  # kwargs
        return tuple(key for key, _ in value)
    return None if isinstance(value, nodes.Node | tuple) else value


def _shape(tree: nodes.Node) -> list[tuple[str, tuple[int, int], tuple[object, ...]]]:
    """Every node with its span (``==`` ignores spans)."""
    return [(type(node).__name__, node.span, tuple(
        _kind(node, name) for name in type(node).__match_args__))
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


FILTERED = ["a | f", "a.b | f: 1", "a|f:'x',b.c|g", " 'x' | upcase ", "7 | plus: 007",
            "a | f: 'it''s'", "a | f: \"q\"", "a | f: 'a\\'b'", "a | f:", "a | f: 1,",
            "a | f: 1, | g", "a | f: x: 1", "a | f: 1.5", "a | f: -1", "a | f: true",
            "a | f(1)", "a | f | ", "a || f", "a | and", "a | f: b.true", "a | f: b.1",
            "a | f: b[0]", "a | f if b", "a | f: 1 + 2", "a.b | f: 123456789012345678901",
            "f(a) | g", "a | f: b | g: c.d.e, 'x', 3", "a |f:1 ,2", "a\u00a0| f", "| f"]


@pytest.mark.parametrize("source", FILTERED)
def test_filters_same_as_the_full_parser(source: str) -> None:
    assert _outcome(parse, source) == _outcome(_full, source)


@pytest.mark.parametrize("depth", [1, 2, 3, 4])
def test_depth_limit_as_the_full_parser(depth: int) -> None:
    for source in ("a.b.c", "a.b.c.d", "a.b.c.d.e", "a | f", "a | f | g | h", "a.b | f: c.d",
                   "a | f: b | g: c.d.e"):
        assert _outcome(parse, source, depth) == _outcome(_full, source, depth)


def test_paths_are_the_parsers_trees() -> None:
    tree = parse("user.address.city")
    assert tree == nodes.Member(nodes.Member(nodes.Name("user"), "address"), "city")
    assert tree.span == (0, 17)


_PIECES = st.sampled_from(["a", "b1", "x-y", "q?", "true", "and", "é", ".", "..", " ",
                           "\u00a0", "1", "-", "?", "_", "\U0001d4b3"])  # (past U+FFFF)


@settings(max_examples=3000, deadline=None, database=None)
@given(st.lists(_PIECES, max_size=8).map("".join))
def test_any_text_of_names_and_dots(source: str) -> None:
    assert _outcome(parse, source) == _outcome(_full, source)


_FILTER_PIECES = st.sampled_from(["a", "b.c", "f", "g?", " ", "|", "||", ":", ",", "'x'",
                                  '"y"', "'\\n'", "1", "0099", "2.5", "true", "nil", "(",
                                  ")", "[", "]", ".", "+", "if", "and", "-", "x:", "\u00a0",
                                  "'\U0001f600'", "\U0001d4b3"])


@settings(max_examples=4000, deadline=None, database=None)
@given(st.lists(_FILTER_PIECES, max_size=12).map("".join), st.integers(1, 6))
def test_any_text_of_filters_and_operands(source: str, depth: int) -> None:
    assert _outcome(parse, source, depth) == _outcome(_full, source, depth)


@pytest.mark.parametrize(("source", "taken"), [
    ("a | f", True), ("a.b | f: 1, 'x' | g: c.d", True), ("'x' | upcase", True),
    ("a", True), ("a | f: x: 1", False), ("a | f: 1.5", True), ("a | f: 'a\\'b'", False),
    ("a | f:", False), ("a + b | f", True), ("a + b * c", False), ("a | f if b", False),
    ("a.b > 10", True), ("!a", True), ("!!a", False), ("a[0]", False), ("f(a)", False),
    ("a | f: -1", True), ("a | f: b + 1", False), ("a ? b : c", False), ("not a", False),
    ("a and b", True), ("a b", False), ("1e999", False), ("1234567890123456789", False),
    ("'\U0001f600' | f", False), ("a\U0001d4b3 | f", False)])  # text past U+FFFF: the parser's
def test_the_shortcuts_read_plain_operands_only(source: str, taken: bool) -> None:
    assert (shortcuts.simple(source, 100) is not None) is taken
    assert (shortcuts.path(source, 100) is not None) is (source == "a")
