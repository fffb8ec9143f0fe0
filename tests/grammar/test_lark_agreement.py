"""The hand-written parser and the normative grammar accept, reject and shape the same corpus."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import lark
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ladle import grammar
from ladle.grammar.lexer import unescape
from ladle.grammar.nodes import (
    BLANK,
    EMPTY,
    Binary,
    Call,
    Conditional,
    Filter,
    Index,
    ListLiteral,
    Literal,
    Logical,
    Member,
    Name,
    Node,
    Pipeline,
    RangeLiteral,
    RootIndex,
    Unary,
)

GRAMMAR = Path(grammar.__file__).with_name("expression.lark")
LARK = lark.Lark(GRAMMAR.read_text(encoding="utf-8"), parser="lalr", lexer="basic",
                 maybe_placeholders=False)


class ToAst(lark.Transformer[Any, Node]):
    """Builds ladle's AST from lark's tree, so the two parsers can be compared node for node."""

    def int(self, items: list[Any]) -> Node:
        return Literal("int", int(items[0]))

    def float(self, items: list[Any]) -> Node:
        return Literal("float", float(items[0]))

    def string(self, items: list[Any]) -> Node:
        return Literal("string", unescape(str(items[0]), "", 0))

    def true(self, _: list[Any]) -> Node:
        return Literal("bool", True)

    def false(self, _: list[Any]) -> Node:
        return Literal("bool", False)

    def nil(self, _: list[Any]) -> Node:
        return Literal("nil", None)

    def empty(self, _: list[Any]) -> Node:
        return Literal("empty", EMPTY)

    def blank(self, _: list[Any]) -> Node:
        return Literal("blank", BLANK)

    def name(self, items: list[Any]) -> Node:
        return Name(str(items[0]))

    def member_name(self, items: list[Any]) -> str:
        return str(items[0])

    def member(self, items: list[Any]) -> Node:
        return Member(items[0], items[1])

    def index(self, items: list[Any]) -> Node:
        return Index(items[0], items[1])

    def root_index(self, items: list[Any]) -> Node:
        return RootIndex(items[0])

    def call(self, items: list[Any]) -> Node:
        return Call(str(items[0]), tuple(items[1:]))

    def negate(self, items: list[Any]) -> Node:
        return Unary("-", items[1])

    def not_symbol(self, items: list[Any]) -> Node:
        return Unary("!", items[0])

    def not_word(self, items: list[Any]) -> Node:
        return Unary("not", items[0])

    def arith(self, items: list[Any]) -> Node:
        return Binary(str(items[1]), items[0], items[2])

    def compare(self, items: list[Any]) -> Node:
        op = "!=" if str(items[1]) == "<>" else str(items[1])
        return Binary(op, items[0], items[2])

    def contains(self, items: list[Any]) -> Node:
        return Binary("contains", items[0], items[1])

    def in_(self, items: list[Any]) -> Node:
        return Binary("in", items[0], items[1])

    def and_symbol(self, items: list[Any]) -> Node:
        return Logical("&&", items[0], items[1])

    def or_symbol(self, items: list[Any]) -> Node:
        return Logical("||", items[0], items[1])

    def and_word(self, items: list[Any]) -> Node:
        return Logical("and", items[0], items[1])

    def or_word(self, items: list[Any]) -> Node:
        return Logical("or", items[0], items[1])

    def conditional(self, items: list[Any]) -> Node:
        return Conditional(items[0], items[1], items[2])

    def inline_conditional(self, items: list[Any]) -> Node:
        otherwise = items[2] if len(items) == 3 else Literal("nil", None)
        return Conditional(items[1], items[0], otherwise)

    def nil_coalesce(self, items: list[Any]) -> Node:
        return Logical("??", items[0], items[1])

    def range(self, items: list[Any]) -> Node:
        return RangeLiteral(items[0], items[1])

    def list(self, items: list[Any]) -> Node:
        return ListLiteral(tuple(items))

    def kwarg(self, items: list[Any]) -> tuple[str, Node]:
        return (str(items[0]), items[1])

    def filter(self, items: list[Any]) -> Filter:
        args = tuple(i for i in items[1:] if not isinstance(i, tuple))
        kwargs = tuple(i for i in items[1:] if isinstance(i, tuple))
        return Filter(str(items[0]), args, kwargs)

    def pipeline(self, items: list[Any]) -> Node:
        return Pipeline(items[0], tuple(items[1:]))


def lark_tree(source: str) -> Node | None:
    """The tree by the normative grammar, or None when it rejects ``source``."""
    try:
        tree = LARK.parse(source)
    except lark.exceptions.LarkError:
        return None
    result: Node = ToAst().transform(tree)
    return result


def ladle_tree(source: str) -> Node | None:
    try:
        return grammar.parse(source)
    except grammar.ExpressionSyntaxError:
        return None


ACCEPTED = [
    "42", "1.5", "1e3", "2.5E-3", "'single'", '"double"', r'"esc\"aped\n\t\u00e9"',
    "true", "false", "nil", "null", "empty", "blank",
    "x", "product.on-sale", "a-b", "a - b", "empty?", "x.empty", "x.in", "x.size",
    "items[0]", "items[-1]", '["a b"]', "[key]", '["a"].b[c].d',
    "f()", "slot(id, 1024)", "min(a, b, 3)", "f(x).y",
    "-x", "!x", "--x", "!!x", "- -x", "!a == b", "-a.b",
    "a * b / c % d", "a + b - c", "a + b * c", "(a + b) * c",
    "a == b", "a != b", "a <> b", "a < b", "a <= b", "a > b", "a >= b",
    "a contains b", "a in b", "tag in ('lossless', 'flac')", "x in ('flac',)", "(a, b,)",
    "a && b", "a || b", "a && b || c", "a || b && c", "a && b && c",
    "a and b", "a or b", "a and b or c", "not a", "not a or b", "not not a", "a and not b",
    "a || b and c", "a == 1 and b", "!a and !b",
    "a ? b : c", "a ? b : c ? d : e", "a ? b ? c : d : e", "a and b ? c : d",
    "x | upcase", "x | f: 1", "x | f: 1, 2", "x | f: k: 1", "x | f: 1, k: 2, j: 3",
    "x | f: a ? b : c | g", "(x | f) == y", "(x | f | g: 1)",
    "x | f:", "x | f: | g", "x | f: 1,", "x | f: 1, k: 2,", "x | f: k: 1,", "x | f: 1, | g:",
    "(x | f:)", "(x | f: 1,)", "x | f: if c",
    "a ?? b", "a ?? b ?? c", "a ?? b || c", "a || b ?? c", "a ?? b and c", "not a ?? b",
    "a ?? b ? c : d", "x.y ?? 'd' | upcase",
    "a if b", "a if b else c", "a | f if b else c | g", "a if b else c if d else e",
    "a if b and c else d", "a if not b else c ?? d", "(a if b else c) | f",
    "x.if", "x.else", "a ? b : c if d", "x | f: 1, if c else d",
    "(1..3)", "(1..n + 1)", "(a.b..c[0])", "(-1..1)",
    "tag == 'lossless' && (id % 100) <= 47", "user.logged_in && user.admin_level >= 10",
    "shown + 1", "user.name || \"guest\"", "slot(id, 1024) in (0..490)",
    "a\n&&\nb", "  spaced  ", "é", "naïve.ü",
]
REJECTED = [
    "", " ", "(", ")", "a b", "a &&", "&& a", "a & b", "a | b | ", "| f", "a ||", "a ==",
    "a < b < c", "a == b == c", "a?b:c", "a ? b", "a ? b :", "? a : b", "a : b",
    "f(", "f(a,", "f(,)", "f(a b)", "(a b)", "(a,", "()", "(,)", "(1..)", "(..1)", "1..2",
    "[", "[]", "x[]", "x[1", "x.", "x.1", "x.'a'", ".x", "x..y", "'unterminated", "\"bad",
    r"'\q'", "x | ", "x | 1", "x | f: k: 1, 2", "x | f: ,", "x | f: 1,,", "x | f: , 1",
    "not", "a and", "or a",
    "a contains", "in a", "!", "-", "a !b", "a = b", "a === b", "1.", ".5", "@", "a;b",
    "x | f: (1, 2", "(a | f, b)", "(a | f..b)",
    "a ??", "?? a", "a ?? ?? b", "a??b", "if", "else", "a if", "a if b else", "a else b",
    "a if b if c", "a if b | f", "a if b ? c : d else e", "if a", "a ? b if c : d",
    "(a if b, c)",
]


@pytest.mark.parametrize("source", ACCEPTED)
def test_accepted_by_both_with_the_same_tree(source: str) -> None:
    expected = lark_tree(source)
    assert expected is not None, f"the grammar rejects {source!r}"
    assert ladle_tree(source) == expected


@pytest.mark.parametrize("source", REJECTED)
def test_rejected_by_both(source: str) -> None:
    assert lark_tree(source) is None, f"the grammar accepts {source!r}"
    assert ladle_tree(source) is None, f"the parser accepts {source!r}"


# Token soup: random sequences from the language's vocabulary probe the corners.
VOCABULARY = [
    "a", "b", "x.y", "f", "1", "2.5", "'s'", "true", "nil", "empty", "(", ")", "[", "]",
    ",", ".", "..", ":", "?", "|", "||", "&&", "!", "-", "+", "*", "/", "%", "==", "<",
    ">=", "<>", "and", "or", "not", "contains", "in", "upcase",
]


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=12))
def test_token_soup_agreement(tokens: list[str]) -> None:
    source = " ".join(tokens)
    assert ladle_tree(source) == lark_tree(source)


def test_semantic_limits_are_not_grammar() -> None:
    # Literal magnitude and nesting depth are limits, not syntax: the grammar accepts them.
    for source in ("9" * 100, "1e999", "(" * 101 + "1" + ")" * 101):
        assert lark_tree(source) is not None
        with pytest.raises(grammar.ExpressionSyntaxError):
            grammar.parse(source)
