"""What makes parsing quick keeps its results: the lexer gives the tokens and errors of a
plain scanning loop; ``parse`` (its shortcuts, then the parser's quick routes) gives the
tree, spans, nesting errors and syntax errors of the parser reading every level of the
grammar; ``check_names`` reports what a walk of every node reports and returns the
filters that walk finds; ``nodes.builder`` makes the node the class makes."""

from __future__ import annotations

import pickle
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ladle.grammar import nodes, shortcuts
from ladle.grammar.errors import ExpressionSyntaxError
from ladle.grammar.functions import BUILTINS
from ladle.grammar.lexer import (
    KEYWORDS,
    NEVER_PARSED,
    TOKEN_FLAGS,
    TOKEN_PATTERN,
    Token,
    tokenize,
)
from ladle.grammar.names import check_names
from ladle.grammar.parser import Parser, parse

_TOKEN = re.compile(TOKEN_PATTERN, TOKEN_FLAGS)  # one token, as the lexer reads it

# Pieces of every kind of token, and of what the shortcuts must leave to the parser.
PIECES = ["a", "b.c", "x-y", "q?", "é", "_", "true", "nil", "empty", "and", "or", "not",
          "contains", "in", "if", "else", "1", "007", "2.5", "1e3", "2E-1", "1e999", "1.",
          "123456789012345678901", "'x'", '"y"', "'a\\'b'", '"\\u00e9"', "'", "==", "!=",
          "<>", "<", "<=", ">", ">=", "+", "-", "*", "/", "%", "??", "||", "&&", "!", "?",
          "|", ":", ",", ".", "..", "(", ")", "[", "]", "abs(", "len(", " ", "  ", "\n",
          "\u00a0", "\x1c", "&", "@", "f", "g: ", "\U0001d4b3", "'\U0001f600'"]  # (past U+FFFF)
TEXTS = st.one_of(st.lists(st.sampled_from(PIECES), max_size=14).map("".join),
                  st.lists(st.sampled_from(PIECES), max_size=14).map(" ".join))


# -- the lexer -----------------------------------------------------------------------------

def scanned(source: str, max_depth: int | None = None) -> list[Token]:
    """The tokens of a plain loop: white space or one token at a time, each match where
    the last one ended, cut after the first bracket past the depth limit."""
    limit = NEVER_PARSED if max_depth is None else max_depth
    found: list[Token] = []
    position = depth = 0
    space = re.compile(r"\s+")
    while position < len(source):
        gap = space.match(source, position)
        if gap is not None:
            position = gap.end()
            continue
        match = _TOKEN.match(source, position)
        if match is None:
            char = source[position]
            message = ("unterminated string literal" if char in "\"'" else
                       "unexpected '&' (did you mean '&&'?)" if char == "&" else
                       f"unexpected character {char!r}")
            raise ExpressionSyntaxError(message, source, position)
        text = match.group()
        kind = text if match.lastgroup == "OP" or text in KEYWORDS else str(match.lastgroup)
        found.append(Token(kind, text, position, match.end()))
        position = match.end()
        depth += (kind in "([") - (kind in ")]")
        if depth > limit:
            break
    found.append(Token("EOF", "", len(source), len(source)))
    return found


def lexed(lexer: object, source: str, max_depth: int | None) -> object:
    try:
        return [tuple(token) for token in lexer(source, max_depth=max_depth)]  # type: ignore[operator]
    except ExpressionSyntaxError as error:
        return (error.message, error.position)


@settings(max_examples=3000, deadline=None, database=None)
@given(TEXTS, st.sampled_from([None, 1, 2, 5]))
def test_the_lexer_gives_what_a_plain_loop_gives(source: str, max_depth: int | None) -> None:
    assert lexed(tokenize, source, max_depth) == lexed(scanned, source, max_depth)


@pytest.mark.parametrize("source", ["", "   ", "a  ", "a & b", "a 'b", "a @", "(((a", "a)]",
                                    "x\u00a0", "\u00a0x", "1.5e3x", "a..b", "'\\'' x"])
def test_the_lexer_on_edge_cases(source: str) -> None:
    for max_depth in (None, 1):
        assert lexed(tokenize, source, max_depth) == lexed(scanned, source, max_depth)


def test_a_long_text_nested_too_deep_is_cut_where_the_loop_cuts_it() -> None:
    source = "(" * 30 + "a" + ")" * 30 + "@"
    assert lexed(tokenize, source, 3) == lexed(scanned, source, 3)
    assert lexed(tokenize, source, None) == lexed(scanned, source, None)


# -- parsing -------------------------------------------------------------------------------

class EveryLevel(Parser):
    """The parser without its quick routes: each operand read through every level."""

    quick_words = Parser.words
    quick_binary = Parser.binary


def shape(tree: nodes.Node) -> list[tuple[object, ...]]:
    """Every node with its span (and a Binary's operator offset): ``==`` ignores them."""
    return [(repr(node), node.span, getattr(node, "at", None)) for node in nodes.walk(tree)]


def outcome(source: str, max_depth: int, liquid: bool, *, quick: bool) -> object:
    try:
        tree = parse(source, max_depth=max_depth, liquid=liquid) if quick else \
            EveryLevel(source, max_depth=max_depth, liquid=liquid).parse()
    except ExpressionSyntaxError as error:
        return (error.message, error.position)
    return shape(tree)


@settings(max_examples=6000, deadline=None, database=None)
@given(TEXTS, st.sampled_from([1, 2, 3, 100]), st.booleans())
def test_quick_parsing_gives_what_every_level_gives(source: str, max_depth: int,
                                                    liquid: bool) -> None:
    assert outcome(source, max_depth, liquid, quick=True) == \
        outcome(source, max_depth, liquid, quick=False)


# Texts the shortcuts take, and texts next to them that they must leave to the parser.
CASES = ["a | f: 1, 'x' | g: b.c", "a.b > 10", "!a.b", "-a - -1", "a and -b", "a ?? 'b'",
         "x <> nil", "cents / 100.0 | money: c", "nil.x | f", "a contains 'x'", " 3 ",
         "'open'", "a in b.c", "a || b | f", "true | f: false, empty", "a|f:1,2,3|g",
         "a + b * c", "a | f: 1,", "a | f:", "a | f: x: 1", "a | and", "a b", "a . b",
         "a.\u00a0b", "1.5e3x", "1e999 | f", "a | f: 1e999", "123456789012345678901",
         "a | f: 'a\\'b'", "a | f | ", "a ||| b", "a?? b", "a??b", "!!a", "not a",
         "a == b == c", "a | f if b", "(a) | f", "a[0] | f", "a | f: b[0]", "a\u00a0| f",
         "a | f: -b.c.d", "a.b.c | f: d.e", "a - 1 | f: 2"]


@pytest.mark.parametrize("source", CASES)
@pytest.mark.parametrize("max_depth", [1, 2, 3, 100])
def test_quick_parsing_on_edge_cases(source: str, max_depth: int) -> None:
    assert outcome(source, max_depth, True, quick=True) == \
        outcome(source, max_depth, True, quick=False)


# -- names ---------------------------------------------------------------------------------

FILTERS = {"f": str, "g": str, "upcase": str}


def walked(tree: nodes.Node) -> object:
    """What checking every node of a walk finds: the first unknown or miscalled function
    or unknown filter, or else the filters."""
    found = []
    for node in nodes.walk(tree):
        if isinstance(node, nodes.Call):
            function = BUILTINS.get(node.name)
            if function is None or len(node.args) < function.min_args or (
                    function.max_args is not None and len(node.args) > function.max_args):
                return ("function", node.span[0])
        if isinstance(node, nodes.Filter):
            if node.name not in FILTERS:
                return ("filter", node.span[0])
            found.append(node)
    return [shape(node) for node in found]


def checked(tree: nodes.Node, source: str) -> object:
    try:
        return [shape(node) for node in check_names(tree, source, names=None,
                                                      functions=BUILTINS, filters=FILTERS)]
    except ExpressionSyntaxError as error:
        return ("filter" if "filter" in error.message else "function", error.position)


NAME_PIECES = [*PIECES, "| f", "| h", "| upcase", "abs(", "len(a)", "round(a, 1)", "min(",
               "nope(", ")", ", "]


@settings(max_examples=3000, deadline=None, database=None)
@given(st.lists(st.sampled_from(NAME_PIECES), max_size=12).map(" ".join))
def test_check_names_finds_what_a_walk_of_every_node_finds(source: str) -> None:
    try:
        tree = parse(source, liquid=True)
    except ExpressionSyntaxError:
        return
    assert checked(tree, source) == walked(tree)


# -- nodes ---------------------------------------------------------------------------------

@pytest.mark.parametrize("node", [
    nodes.Name("a", span=(1, 2)), nodes.Member(nodes.Name("a"), "b", span=(0, 3)),
    nodes.Literal("int", 1, span=(4, 5)), nodes.Unary("!", nodes.Name("a"), span=(0, 2)),
    nodes.Binary("+", nodes.Name("a"), nodes.Name("b"), 2, span=(0, 5)),
    nodes.Logical("&&", nodes.Name("a"), nodes.Name("b"), span=(0, 6)),
    nodes.Filter("f", (nodes.Name("a"),), (("k", nodes.Name("b")),), span=(2, 9)),
    nodes.Pipeline(nodes.Name("a"), (nodes.Filter("f", (), ()),), span=(0, 5)),
    nodes.Index(nodes.Name("a"), nodes.Literal("int", 0), span=(0, 4)),
    nodes.Call("abs", (nodes.Name("a"),), span=(0, 6)),
    nodes.Conditional(nodes.Name("a"), nodes.Name("b"), nodes.Name("c"), span=(0, 9)),
])
def test_a_built_node_is_the_node_the_class_makes(node: nodes.Node) -> None:
    values = [getattr(node, name) for name in node.__match_args__]
    built = nodes.builder(type(node))(*values, node.span)
    assert type(built) is type(node)
    assert (built, repr(built), hash(built)) == (node, repr(node), hash(node))
    assert shape(built) == shape(node)
    assert shape(pickle.loads(pickle.dumps(built))) == shape(node)
    with pytest.raises(AttributeError):
        built.span = (0, 0)


def test_running_out_of_memory_in_a_shortcut_is_a_syntax_error(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def exhausted(source: str, max_depth: int) -> nodes.Node:
        raise MemoryError

    monkeypatch.setattr(shortcuts, "simple", exhausted)
    with pytest.raises(ExpressionSyntaxError, match="too large to compile: out of memory"):
        parse("a | f")
