"""Helpers the tags share: reading a tag's expression and splitting it at top-level words."""

from __future__ import annotations

from liquid.exceptions import LiquidSyntaxError
from liquid.stream import TokenStream
from liquid.token import TOKEN_EXPRESSION, Token

from ladle.grammar.errors import ExpressionError
from ladle.grammar.lexer import Token as Lexeme
from ladle.grammar.lexer import tokenize
from ladle.templating.errors import TemplateSyntaxError, at, from_expression


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
