"""Helpers the tags share: the token stream and parser of blocks, reading a tag's
expression and splitting it at top-level words."""

from __future__ import annotations

from collections.abc import Container, Iterator
from typing import TYPE_CHECKING

from liquid.ast import BlockNode, Node
from liquid.builtin.content import Literal
from liquid.exceptions import BlockNestingError, LiquidError, LiquidSyntaxError
from liquid.parser import Parser, get_parser
from liquid.stream import TokenStream
from liquid.token import (
    TOKEN_COMMENT,
    TOKEN_CONTENT,
    TOKEN_DOC,
    TOKEN_EOF,
    TOKEN_EXPRESSION,
    TOKEN_ILLEGAL,
    TOKEN_OUTPUT,
    TOKEN_TAG,
    Token,
)

from ladle.grammar.errors import ExpressionError
from ladle.grammar.lexer import Token as Lexeme
from ladle.grammar.lexer import tokenize
from ladle.templating.errors import TemplateSyntaxError, at, from_expression

if TYPE_CHECKING:
    from liquid import Environment


class TemplateStream(TokenStream):
    """python-liquid's token stream, whose current token is an attribute, not a property
    that looks it up: the parser and the tags ask for it several times a token."""

    current: Token = TokenStream.eof  # (this class attribute hides the base's property)

    def __init__(self, tokens: Iterator[Token], block_depth_carry: int = 0) -> None:
        super().__init__(tokens, block_depth_carry)
        if self.tokens:
            self.current = self.tokens[0]

    def __next__(self) -> Token:
        token = self.current
        if token is not self.eof:
            pos = self.pos = self.pos + 1
            self.current = self.tokens[pos] if pos < len(self.tokens) else self.eof
        return token

    def next(self) -> Token:
        return self.__next__()

    def next_token(self) -> Token:
        return self.__next__()

    # `eat` and `expect` as python-liquid's, in fewer steps when the token is the one
    # expected (python-liquid's own raise the error otherwise).

    def eat(self, typ: str) -> Token:
        token = self.current
        if token.kind != typ:
            return super().eat(typ)
        self.__next__()
        return token

    def expect(self, typ: str, value: str | None = None) -> Token:
        token = self.current
        if token.kind != typ or (value is not None and token.value != value):
            return super().expect(typ, value)
        return token


class BlockParser(Parser):
    """python-liquid's parser, making the same nodes with fewer steps a token: a content
    token becomes its node here when the content tag is python-liquid's own."""

    __slots__ = ()

    def parse(self, stream: TokenStream) -> list[Node]:
        return self.nodes(stream, ())

    def parse_block(self, stream: TokenStream, end: Container[str]) -> BlockNode:
        stream.block_depth += 1
        if stream.block_depth > self.env.block_nesting_limit:
            raise BlockNestingError("block nesting limit reached", token=None)
        nodes = self.nodes(stream, end)
        stream.block_depth -= 1
        return BlockNode(stream.current, nodes)

    def nodes(self, stream: TokenStream, end: Container[str]) -> list[Node]:
        """The nodes up to the end of ``stream`` or a tag named in ``end``."""
        tags = self.env.tags
        illegal = tags[TOKEN_ILLEGAL]
        content = tags[TOKEN_CONTENT]
        output = tags[TOKEN_OUTPUT]
        text = content.node_class if type(content) is Literal else None
        nodes: list[Node] = []
        token = stream.current
        while token.kind != TOKEN_EOF:
            kind = token.kind
            try:
                if kind == TOKEN_CONTENT and text is not None:
                    nodes.append(text(token, token.value))
                elif kind == TOKEN_OUTPUT:
                    nodes.append(output.get_node(stream))
                elif kind == TOKEN_TAG:
                    if token.value in end:
                        break
                    nodes.append(tags.get(token.value, illegal).get_node(stream))
                elif kind == TOKEN_DOC:
                    nodes.append(tags.get(TOKEN_DOC, illegal).get_node(stream))
                elif kind == "COMMENT":
                    nodes.append(tags.get(TOKEN_COMMENT, illegal).get_node(stream))
                else:
                    nodes.append(content.get_node(stream))
            except LiquidError as error:
                self.env.error(error, token=stream.current)
            next(stream)
            token = stream.current
        return nodes


def block_parser(env: Environment) -> Parser:
    """The parser of ``env``'s blocks: ladle's environment keeps one (python-liquid's
    ``get_parser`` hashes all of the environment's settings each time)."""
    parser: Parser | None = getattr(env, "block_parser", None)
    return parser or get_parser(env)


def expression_token(stream: TokenStream, tag: Token, *, consume: bool = True) -> Token:
    """The tag's expression token, or a syntax error pointing after the tag name.

    Block tags consume it, so their block starts next; python-liquid's parser steps
    past the last token of other tags itself, so they pass ``consume=False``.
    """
    token = stream.current
    if token.kind != TOKEN_EXPRESSION:
        raise TemplateSyntaxError(f"missing expression after {tag.value!r}",
                                  token=at(tag, len(tag.value)))
    if consume:
        next(stream)
    return token


def lexemes(token: Token, text: str | None = None) -> list[Lexeme]:
    """The expression lexemes of ``token`` (its text by default)."""
    try:
        return tokenize(token.value if text is None else text)
    except ExpressionError as error:
        raise from_expression(error, token) from None


def split_top_level(token: Token, separators: frozenset[str],
                    end: str = "EOF") -> list[tuple[int, int]]:
    """(start, end) spans of the parts of ``token``'s text between top-level separators,
    up to the first top-level lexeme of kind ``end`` (by default, the end of the text)."""
    parts: list[tuple[int, int]] = []
    depth = 0
    start = 0
    for lexeme in lexemes(token):
        if lexeme.kind == "EOF" or (depth == 0 and lexeme.kind == end):
            parts.append((start, lexeme.start))  # (brackets left open: the rest is one part)
            break
        if lexeme.kind in ("(", "["):
            depth += 1
        elif lexeme.kind in (")", "]"):
            depth -= 1
        elif depth == 0 and lexeme.kind in separators:
            parts.append((start, lexeme.start))
            start = lexeme.end
    return parts


def syntax_error(message: str, token: Token, offset: int) -> LiquidSyntaxError:
    return TemplateSyntaxError(message, token=at(token, offset))
