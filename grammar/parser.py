"""Parser: tokens to AST by recursive descent, one method per rule of ``expression.lark``."""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from typing import Final, TypeVar

from ladle.grammar import limits, shortcuts
from ladle.grammar.errors import ExpressionSyntaxError
from ladle.grammar.lexer import MAX_LITERAL_DIGITS, Token, tokenize, unescape
from ladle.grammar.nodes import (
    LITERAL_WORDS,
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
    builder,
)
from ladle.grammar.operators import ALIASES, AND_LEVEL, COMPARISON_LEVEL, COMPARISONS, LEVELS

DEFAULT_MAX_DEPTH: Final = limits.DEFAULT_MAX_DEPTH
INTEGER_LIMIT: Final = limits.INTEGER_LIMIT
# Never raise Python's recursion limit beyond this, whatever depth is configured.
MAX_RECURSION_LIMIT = 50_000
T = TypeVar("T")

_COMPARISONS = COMPARISONS
# The C-style binary operators, loosest level first (grammar/operators.py).
BINARY_LEVELS = LEVELS
_LEVEL_OF = {op: level for level, ops in enumerate(BINARY_LEVELS) for op in ops}
_LAST_LOGICAL_LEVEL = AND_LEVEL
_COMPARISON_LEVEL = COMPARISON_LEVEL
# Tokens that can never begin an operand: punctuation, and every binary operator but
# '-' (also a prefix) and '+'.
_CANNOT_START = frozenset({"EOF", ")", "]", ",", ":", "|", "..", "and", "or", "?", "if",
                           "else"}) | (
    frozenset(_LEVEL_OF) - {"-", "+"})
# Tokens after which a filter's arguments have ended (``x | f: | g``, ``(x | f: 1,)``).
_ARGUMENTS_END = frozenset({"EOF", "|", ")", "if"})
# The nodes made most, made quicker (``nodes.builder``).
_name, _member, _index = builder(Name), builder(Member), builder(Index)
_literal, _binary, _logical = builder(Literal), builder(Binary), builder(Logical)
_call, _filter, _pipeline = builder(Call), builder(Filter), builder(Pipeline)
# Tokens that begin an operand at a level above the one ``postfix`` reads.
_PREFIXES = frozenset({"not", "-", "!"})


def _describe(token: Token) -> str:
    if token.kind == "EOF":
        return "the end of the expression"
    return repr(token.text)


class Parser:
    """Parses one expression. Every rule method returns a node and tracks nesting depth."""

    def __init__(self, source: str, *, max_depth: int = DEFAULT_MAX_DEPTH,
                 liquid: bool = False, tokens: list[Token] | None = None) -> None:
        self.source = source
        # Liquid's leniency: positional filter arguments may follow keyword arguments.
        self.liquid = liquid
        self.tokens = tokenize(source) if tokens is None else tokens
        self.index = 0
        self.depth = 0
        self.max_depth = max_depth

    # -- token helpers ------------------------------------------------------------

    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def peek(self, ahead: int = 1) -> Token:
        return self.tokens[min(self.index + ahead, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        if token.kind != "EOF":
            self.index += 1
        return token

    def accept(self, *kinds: str) -> Token | None:
        if self.current.kind in kinds:
            return self.advance()
        return None

    def error(self, message: str, position: int | None = None) -> ExpressionSyntaxError:
        where = self.current.start if position is None else position
        return ExpressionSyntaxError(message, self.source, where)

    def expect(self, kind: str, what: str) -> Token:
        if self.current.kind != kind:
            raise self.error(f"expected {what}, found {_describe(self.current)}")
        return self.advance()

    def operand_error(self, after: Token) -> ExpressionSyntaxError:
        found = self.current
        if found.kind == "EOF":
            return self.error(f"expected an expression after {after.text!r}")
        return self.error(f"expected an expression after {after.text!r}, found {found.text!r}")

    def enter(self, at: int) -> None:
        self.depth += 1
        if self.depth > self.max_depth:
            raise self.error(
                f"expression is nested too deeply (the limit is {self.max_depth} levels)", at
            )

    def span(self, start: int) -> tuple[int, int]:
        return (start, self.tokens[self.index - 1].end if self.index else start)

    # -- rules --------------------------------------------------------------------
    # The hot paths read ``self.tokens[self.index]`` rather than ``current`` (a property
    # call each time) and skip the levels a token cannot continue: a plain operand is
    # most of what templates hold.

    def parse(self) -> Node:
        """start: pipeline"""
        tokens = self.tokens
        if tokens[self.index].kind == "EOF":
            raise self.error("expected an expression, found nothing")
        node = self.pipeline()
        token = tokens[self.index]
        if token.kind != "EOF":
            previous = tokens[self.index - 1]
            hint = ""
            if previous.kind == "NAME" and previous.text.endswith("?"):
                hint = f" ({previous.text!r} is one name: write 'a ? b : c' with spaces)"
            raise self.error(f"unexpected {token.text!r} after a complete expression{hint}")
        return node

    def pipeline(self) -> Node:
        """pipeline: filtered ["if" words ["else" pipeline]]; filtered: ternary ("|" filter)*"""
        tokens = self.tokens
        start = tokens[self.index].start
        node = self.ternary()
        kind = tokens[self.index].kind
        if kind == "|":
            node = self.filters_after(node, start)
            kind = tokens[self.index].kind
        return self.inline_conditional(node, start) if kind == "if" else node

    def inline_conditional(self, then: Node, start: int) -> Node:
        """python-liquid's ``then if test else otherwise`` after its ``then`` part: the
        same node as ``test ? then : otherwise``; without ``else``, otherwise is nil."""
        if self.current.kind != "if":
            return then
        word = self.advance()
        self.enter(word.start)
        self.check_operand(word)
        test = self.words()
        otherwise: Node
        if self.current.kind == "else":
            other = self.advance()
            self.check_operand(other)
            otherwise = self.pipeline()
        else:
            end = self.tokens[self.index - 1].end
            otherwise = Literal("nil", None, span=(end, end))
        self.depth -= 1
        return Conditional(test, then, otherwise, span=self.span(start))

    def filters_after(self, value: Node, start: int) -> Node:
        """The ``("|" filter)*`` part of a pipeline whose value is already parsed."""
        tokens = self.tokens
        filters: list[Filter] = []
        while (bar := tokens[self.index]).kind == "|":
            self.index += 1
            # Each filter is a level, as in the call ``f(g(x))`` it stands for: a chain
            # of 100,000 filters is refused here, not compiled into 100,000 statements.
            self.enter(bar.start)
            filters.append(self.filter())
        self.depth -= len(filters)
        if not filters:
            return value
        return _pipeline(value, tuple(filters), (start, tokens[self.index - 1].end))

    def filter(self) -> Filter:
        """filter: NAME [":" [arg ("," arg)* [","]]]"""
        tokens = self.tokens
        name = tokens[self.index]
        if name.kind != "NAME":
            raise self.error(f"expected a filter name after '|', found {_describe(name)}")
        self.index += 1
        args: list[Node] = []
        kwargs: list[tuple[str, Node]] = []
        if tokens[self.index].kind == ":":
            self.index += 1
            # As in Liquid, the colon may stand alone and the list may end with a comma.
            while tokens[self.index].kind not in _ARGUMENTS_END:
                key, value = self.arg()
                if key is None:
                    if kwargs and not self.liquid:
                        raise self.error("positional filter argument after a keyword argument",
                                         value.span[0])
                    args.append(value)
                else:
                    kwargs.append((key, value))
                if tokens[self.index].kind != ",":
                    break
                self.index += 1
        return _filter(name.text, tuple(args), tuple(kwargs),
                       (name.start, tokens[self.index - 1].end))

    def arg(self) -> tuple[str | None, Node]:
        """arg: NAME ":" ternary | ternary"""
        tokens = self.tokens
        token = tokens[self.index]
        if token.kind == "NAME" and tokens[self.index + 1].kind == ":":
            colon = tokens[self.index + 1]
            self.index += 2
            if tokens[self.index].kind in ("EOF", ",", "|"):
                raise self.operand_error(colon)
            return token.text, self.ternary()
        if token.kind in ("EOF", ",", "|"):
            raise self.error(f"expected a filter argument, found {_describe(token)}")
        return None, self.ternary()

    def ternary(self) -> Node:
        """ternary: words ("?" ternary ":" ternary)?"""
        tokens = self.tokens
        start = tokens[self.index].start
        test = self.quick_words()
        if tokens[self.index].kind != "?":
            return test
        before = tokens[self.index - 1]
        question = self.advance()
        self.enter(question.start)
        self.check_operand(question)
        then = self.ternary()
        if self.current.kind != ":" and before.kind == "NAME" and before.text.endswith("?") \
                and before.end == question.start:
            # `a??b` lexes as the name `a?` and `?`
            raise self.error(f"{before.text!r} is one name: write 'a ?? b' or 'a ? b : c' "
                             "with spaces", before.start)
        self.expect(":", "':' in 'condition ? then : otherwise'")
        self.check_operand(self.tokens[self.index - 1])
        otherwise = self.ternary()
        self.depth -= 1
        return Conditional(test, then, otherwise, span=self.span(start))

    def quick_words(self) -> Node:
        """``words``, by fewer steps where it begins with an operand: the levels between
        are skipped, each of which would only pass the operand on."""
        tokens = self.tokens
        first = tokens[self.index]
        if first.kind in _PREFIXES:
            return self.words()
        node = self.postfix()
        kind = tokens[self.index].kind
        if kind in _LEVEL_OF:
            node = self.climb(node, 0, first.start)
            kind = tokens[self.index].kind
        if kind == "and" or kind == "or":
            return self.words_after(node, first.start)
        return node

    def words(self) -> Node:
        """words: "not" words | binary (("and" | "or") words)?"""
        start = self.current.start
        nots: list[Token] = []
        while self.current.kind == "not":
            word = self.advance()
            self.enter(word.start)
            nots.append(word)
            self.check_operand(word)
        if nots:
            node = self.words()
            for word in reversed(nots):
                node = Unary("not", node, span=(word.start, node.span[1]))
            self.depth -= len(nots)
            return node
        return self.words_after(self.binary(0), start)

    def words_after(self, left: Node, start: int) -> Node:
        """The ``(("and" | "or") words)?`` part of ``words`` after its ``binary``."""
        if self.current.kind not in ("and", "or"):
            return left
        word = self.advance()
        self.enter(word.start)
        self.check_operand(word)
        right = self.words()
        self.depth -= 1
        return _logical(word.text, left, right, self.span(start))

    def binary(self, min_level: int = 0) -> Node:
        """The C-style levels, by precedence climbing over ``BINARY_LEVELS``:

        coalesce: cor ("??" cor)*
        cor: cand ("||" cand)*
        cand: comparison ("&&" comparison)*
        comparison: sum (COMPARE sum)?        (non-associative)
        sum: product (("+" | "-") product)*
        product: unary (("*" | "/" | "%") unary)*
        """
        start = self.tokens[self.index].start
        node = self.unary()
        if _LEVEL_OF.get(self.tokens[self.index].kind, -1) < min_level:
            return node
        return self.climb(node, min_level, start)

    def quick_binary(self, min_level: int) -> Node:
        """``binary``, by fewer steps where it begins with an operand (as ``quick_words``)."""
        tokens = self.tokens
        first = tokens[self.index]
        if first.kind == "-" or first.kind == "!":
            return self.binary(min_level)
        node = self.postfix()
        if _LEVEL_OF.get(tokens[self.index].kind, -1) < min_level:
            return node
        return self.climb(node, min_level, first.start)

    def climb(self, node: Node, min_level: int, start: int) -> Node:
        """``binary(min_level)`` after its first operand, ``node`` (from ``start``)."""
        tokens = self.tokens
        entered = 0
        while (level := _LEVEL_OF.get((token := tokens[self.index]).kind, -1)) >= min_level:
            self.index += 1
            self.enter(token.start)
            entered += 1
            if tokens[self.index].kind in _CANNOT_START:
                raise self.operand_error(token)
            right = self.quick_binary(level + 1)
            span = (start, tokens[self.index - 1].end)
            if level <= _LAST_LOGICAL_LEVEL:
                node = _logical(token.kind, node, right, span)
            else:
                op = ALIASES.get(token.kind, token.kind)
                node = _binary(op, node, right, token.start, span)
            if level == _COMPARISON_LEVEL and tokens[self.index].kind in _COMPARISONS:
                raise self.error(
                    "comparisons do not chain: use '&&' to combine them "
                    f"(found {self.current.text!r} after a comparison)"
                )
        self.depth -= entered
        return node

    def unary(self) -> Node:
        """unary: ("-" | "!") unary | postfix"""
        kind = self.tokens[self.index].kind
        if kind != "-" and kind != "!":
            return self.postfix()
        prefixes: list[Token] = []
        while self.current.kind in ("-", "!"):
            token = self.advance()
            self.enter(token.start)
            prefixes.append(token)
            self.check_operand(token)
        node = self.postfix()
        for token in reversed(prefixes):
            node = Unary(token.kind, node, span=(token.start, node.span[1]))
        self.depth -= len(prefixes)
        return node

    def postfix(self) -> Node:
        """postfix: primary ("." member_name | "[" ternary "]")*"""
        tokens = self.tokens
        first = tokens[self.index]
        if first.kind == "NAME" and tokens[self.index + 1].kind != "(":
            self.index += 1  # a name: the commonest primary
            node: Node = _name(first.text, (first.start, first.end))
        else:
            node = self.primary()
        kind = tokens[self.index].kind
        if kind != "." and kind != "[":
            return node
        start = first.start
        entered = 0
        while kind == "." or kind == "[":
            token = tokens[self.index]
            self.index += 1
            self.enter(token.start)
            entered += 1
            if kind == ".":
                name = tokens[self.index]
                if name.kind != "NAME" and not name.text[:1].isalpha():
                    raise self.error(f"expected a property name after '.', "
                                     f"found {_describe(name)}")
                self.index += 1
                node = _member(node, name.text, (start, name.end))
            else:
                self.check_operand(token)
                key = self.ternary()
                self.expect("]", "']'")
                node = _index(node, key, (start, tokens[self.index - 1].end))
            kind = tokens[self.index].kind
        self.depth -= entered
        return node

    def primary(self) -> Node:
        """primary: literal | NAME | call | "(" ... ")" | "[" ternary "]" """
        token = self.tokens[self.index]
        kind = token.kind
        if kind == "INT":
            self.index += 1
            return _literal("int", self._integer(token), (token.start, token.end))
        if kind == "STRING":
            self.index += 1
            text = unescape(token.text, self.source, token.start)
            return _literal("string", text, (token.start, token.end))
        if kind == "NAME":
            if self.peek().kind == "(":
                return self.call()
            self.index += 1
            return _name(token.text, (token.start, token.end))
        if kind in LITERAL_WORDS:
            self.index += 1
            literal_kind, word_value = LITERAL_WORDS[kind]
            return _literal(literal_kind, word_value, (token.start, token.end))
        if kind == "FLOAT":
            self.index += 1
            value = float(token.text)
            if not math.isfinite(value):
                raise self.error("number literal is too large", token.start)
            return _literal("float", value, (token.start, token.end))
        if kind == "(":
            return self.group()
        if kind == "[":
            self.advance()
            self.enter(token.start)
            self.check_operand(token)
            key = self.ternary()
            self.expect("]", "']'")
            self.depth -= 1
            return RootIndex(key, span=self.span(token.start))
        if kind == "EOF":
            raise self.error("expected an expression, found the end of the expression")
        raise self.error(f"expected an expression, found {token.text!r}")

    def call(self) -> Node:
        """call: NAME "(" [ternary ("," ternary)*] ")" """
        name = self.advance()
        paren = self.advance()
        self.enter(paren.start)
        args: list[Node] = []
        if self.current.kind != ")":
            while True:
                self.check_operand(self.tokens[self.index - 1])
                args.append(self.ternary())
                if not self.accept(","):
                    break
        self.expect(")", f"',' or ')' to close the call of {name.text!r}")
        self.depth -= 1
        return _call(name.text, tuple(args), self.span(name.start))

    def group(self) -> Node:
        """group: "(" pipeline ")" | "(" ternary ".." ternary ")" | "(" ternary "," [items] ")" """
        paren = self.advance()
        self.enter(paren.start)
        if self.current.kind == ")":
            raise self.error("empty parentheses: expected an expression")
        self.check_operand(paren)
        first = self.ternary()
        node: Node
        if self.current.kind == "..":
            dots = self.advance()
            self.check_operand(dots)
            stop = self.ternary()
            self.expect(")", "')' to close the range")
            node = RangeLiteral(first, stop, span=self.span(paren.start))
        elif self.current.kind == ",":
            items = [first]
            while self.accept(","):
                if self.current.kind == ")":
                    break
                self.check_operand(self.tokens[self.index - 1])
                items.append(self.ternary())
            self.expect(")", "',' or ')' to close the list")
            node = ListLiteral(tuple(items), span=self.span(paren.start))
        else:
            node = self.inline_conditional(self.filters_after(first, first.span[0]),
                                           first.span[0])
            self.expect(")", "')'")
        self.depth -= 1
        return node

    # -- helpers ------------------------------------------------------------------

    def check_operand(self, after: Token) -> None:
        """Report a missing operand as 'expected an expression after …'."""
        if self.current.kind in _CANNOT_START:
            raise self.operand_error(after)

    def _integer(self, token: Token) -> int:
        digits = token.text.lstrip("0") or "0"
        if len(digits) > MAX_LITERAL_DIGITS or int(digits) > INTEGER_LIMIT:
            raise self.error("integer literal is too large (the limit is 2**256)", token.start)
        return int(digits)


def parse(source: str, *, max_depth: int = DEFAULT_MAX_DEPTH, liquid: bool = False) -> Node:
    """Parse ``source`` into an AST, or raise ``ExpressionSyntaxError``.

    ``liquid=True`` also accepts what Liquid does beyond the grammar: positional filter
    arguments after keyword arguments (``default: allow_false: true, "x"``)."""
    if not isinstance(source, str):
        raise ExpressionSyntaxError(f"an expression must be text, not {type(source).__name__}")
    try:
        tree = shortcuts.path(source, max_depth) or shortcuts.simple(source, max_depth)
    except MemoryError:  # a huge text: as ``with_stack`` says it
        raise _too_large(source) from None
    if tree is not None:
        return tree
    return with_stack(lambda: Parser(source, max_depth=max_depth, liquid=liquid).parse(),
                      levels=max_depth, source=source)


# Python frames one nesting level may take while parsing or compiling.
FRAMES_PER_LEVEL = 16


def with_stack(work: Callable[[], T], *, levels: int, source: str) -> T:
    """Run ``work``; if Python's recursion limit is too low for ``levels`` of nesting, raise
    the limit (only ever upwards, so no other thread loses stack) and run it again. Running
    out of memory is an ``ExpressionSyntaxError`` too: never a foreign exception."""
    try:
        return work()
    except RecursionError:
        pass
    except MemoryError:
        raise _too_large(source) from None
    needed = sys.getrecursionlimit() + levels * FRAMES_PER_LEVEL
    if needed > MAX_RECURSION_LIMIT:
        raise ExpressionSyntaxError("expression is nested too deeply", source, 0) from None
    sys.setrecursionlimit(needed)
    try:
        return work()
    except RecursionError:
        raise ExpressionSyntaxError("expression is nested too deeply", source, 0) from None
    except MemoryError:
        raise _too_large(source) from None


def _too_large(source: str) -> ExpressionSyntaxError:
    return ExpressionSyntaxError("expression is too large to compile: out of memory",
                                 source, 0)
