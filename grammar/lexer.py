"""Lexer: expression text to a list of tokens with source offsets."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, NamedTuple, NoReturn

from ladle.grammar.errors import ExpressionSyntaxError
from ladle.grammar.operators import WORDS, symbol_pattern

# Word operators and literals; any other word is a NAME.
KEYWORDS = frozenset(
    {"and", "or", "not", "true", "false", "nil", "null", "empty", "blank", "if", "else"}
) | WORDS

# Names follow Liquid: '-' may appear after the first character, '?' only at the end.
# That is [A-Za-z_\u0080-\uffff][A-Za-z0-9_\-\u0080-\uffff]*\?? written with negated
# classes: `re` compiles a class holding a range past U+00FF code point by code point
# (12 ms at import), and a negated one at once. Each lists what a name may not hold.
_NOT_FIRST = r"\x00-@\[-^`{-\x7f"
_NOT_NEXT = r"\x00-,./:-@\[-^`{-\x7f"
_ASTRAL = r"\U00010000-\U0010ffff"
NAME_PATTERN = rf"[^{_NOT_FIRST}{_ASTRAL}][^{_NOT_NEXT}{_ASTRAL}]*\??"
# The same for text with no character past U+FFFF (the parser's shortcuts read no other):
# each class compiles several times quicker without that range.
BMP_NAME_PATTERN = rf"[^{_NOT_FIRST}][^{_NOT_NEXT}]*\??"
STRING_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "/": "/"}

# Strings match possessively: the body cannot end with the closing quote, so backtracking
# into it never helps, and an unterminated string otherwise keeps backtracking state for
# each character (a 10 MB one took 1 GB and 2.5 s). The alternatives begin with different
# characters (but FLOAT before INT), so their order only sets which is tried first.
def _token_pattern(name: str) -> str:
    return r"""
    (?P<NAME>""" + name + r""")
  | (?P<OP>\.\.|""" + symbol_pattern() + r"""|[-!?:|.,()\[\]])
  | (?P<FLOAT>[0-9]+\.[0-9]+(?:[eE][+-]?[0-9]+)?|[0-9]+[eE][+-]?[0-9]+)
  | (?P<INT>[0-9]+)
  | (?P<STRING>"(?:[^"\\]++|\\.)*+"|'(?:[^'\\]++|\\.)*+')
    """


TOKEN_FLAGS = re.VERBOSE | re.DOTALL
# One token (its kind's group names it).
TOKEN_PATTERN = _token_pattern(NAME_PATTERN)
# A token after any white space (possessive: the space is never given back), so each
# match is a token; ``lastindex`` tells which. For text with no character past U+FFFF
# (``beyond_bmp``), the same with names' quicker classes: the pattern for any text is
# compiled only when such a text comes (through ``re``'s own cache).
_SCAN = re.compile(r"\s*+(?:" + _token_pattern(BMP_NAME_PATTERN) + ")", TOKEN_FLAGS)
_SCAN_ANY = r"\s*+(?:" + TOKEN_PATTERN + ")"
_SPACE = re.compile(r"\s*+")
# A token's kind by its group, or None where it is the token's text (an operator) or,
# for a NAME, where the text is a keyword.
_KIND_OF_GROUP = (None, "NAME", None, "FLOAT", "INT", "STRING")
_KEYWORD_KINDS = {word: word for word in KEYWORDS}
# An escape; a high surrogate's \\uXXXX takes the low one after it (group 2) along.
_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|.)(?:(?<=\\u[dD][89abAB][0-9a-fA-F]{2})"
                     r"\\u([dD][c-fC-F][0-9a-fA-F]{2}))?", re.DOTALL)

# Digits in an integer literal beyond which it is certainly over the 2**256 limit.
MAX_LITERAL_DIGITS = 80

# Bracket nesting no parser reaches: each level takes at least one Python frame, and
# parsing never lifts the recursion limit past grammar.parser.MAX_RECURSION_LIMIT.
NEVER_PARSED = 50_000
_OPENING = frozenset("([")
_CLOSING = frozenset(")]")


class Token(NamedTuple):
    """One token: ``kind`` is NAME, INT, FLOAT, STRING, a keyword, an operator or EOF.
    (A named tuple: made several times faster than a frozen dataclass.)"""

    kind: str
    text: str
    start: int
    end: int


# Makes a token from its four fields at C speed (``Token(...)`` runs a Python ``__new__``).
_new_token = tuple.__new__


def unescape(text: str, source: str, start: int) -> str:
    """The value of a quoted string literal; ``start`` is the offset of its quote.

    ``\\uXXXX`` escapes of a UTF-16 surrogate pair join into one character, as in JSON;
    a lone surrogate is an error (no text can hold it).
    """

    def replace(match: re.Match[str]) -> str:
        code = match.group(1)
        if code in ("\\", '"', "'"):
            return code
        if code in STRING_ESCAPES:
            return STRING_ESCAPES[code]
        position = start + 1 + match.start()
        if len(code) == 5 and code[0] == "u":
            high = int(code[1:], 16)
            low = match.group(2)
            if 0xD800 <= high <= 0xDBFF and low is not None:
                return chr(0x10000 + ((high - 0xD800) << 10) + (int(low, 16) - 0xDC00))
            if 0xD800 <= high <= 0xDFFF:
                raise ExpressionSyntaxError(
                    f"'\\{code}' is half of a UTF-16 surrogate pair, not a character",
                    source, position)
            return chr(high)
        raise ExpressionSyntaxError(
            f"unknown escape sequence '\\{code[0]}' in string", source, position
        )

    body = text[1:-1]
    return _ESCAPE.sub(replace, body) if "\\" in body else body


def beyond_bmp(source: str) -> bool:
    """Whether ``source`` holds a character past U+FFFF (which no name may hold)."""
    return not source.isascii() and max(source) > "\uffff"


def tokenize(source: str, *, max_depth: int | None = None) -> list[Token]:
    """Split ``source`` into tokens, ending with an EOF token just past the text.

    Brackets nested more than ``max_depth`` deep (by default, deeper than any parser can
    go) end the list early: after the first bracket past the limit comes the EOF token.
    A parser with that depth limit raises its nesting error at or before that bracket
    (every open bracket takes a nesting level until it is closed) and never reads past
    it, so it reports the same error without the rest of a hostile text being lexed.
    """
    limit = NEVER_PARSED if max_depth is None else max_depth
    # Matches one after another, each where the last ended (a scanner does not search
    # on: that would try every later position of a hostile text). Typed Any: each has a
    # ``lastindex``, which ``re.Match`` types as optional.
    scan = re.compile(_SCAN_ANY, TOKEN_FLAGS) if beyond_bmp(source) else _SCAN
    matches: Iterator[Any] = iter(scan.scanner(source).match, None)  # type: ignore[attr-defined]
    nested = len(source) > limit  # only a text this long can nest past the limit
    if nested:
        matches = _until_too_deep(matches, limit)
    # One comprehension, not a loop of statements: most of tokenizing was the loop's own
    # steps. A token's kind: a keyword's text, else its group's kind, else its text.
    tokens = [_new_token(Token, (_KEYWORD_KINDS.get(text) or _KIND_OF_GROUP[group] or text,
                                 text, start, end))
              for match in matches
              for group in (match.lastindex,)
              for text in (match.group(group),)
              for start, end in (match.span(group),)]
    end = len(source)
    position = tokens[-1].end if tokens else 0
    if position < end and not (nested and _depth(tokens) > limit):
        after_space = _SPACE.match(source, position).end()  # type: ignore[union-attr]
        if after_space < end:
            _unexpected(source, after_space)
    tokens.append(_new_token(Token, ("EOF", "", end, end)))
    return tokens


def _until_too_deep(matches: Iterator[Any], limit: int) -> Iterator[Any]:
    """``matches`` up to and with the first bracket nested more than ``limit`` deep."""
    depth = 0
    for match in matches:
        yield match
        char = match.group(match.lastindex)
        if char in _OPENING:
            depth += 1
            if depth > limit:
                return
        elif char in _CLOSING:
            depth -= 1


def _depth(tokens: list[Token]) -> int:
    """How deep the brackets are open after ``tokens``."""
    return sum((t.kind in _OPENING) - (t.kind in _CLOSING) for t in tokens)


def _unexpected(source: str, position: int) -> NoReturn:
    char = source[position]
    if char in "\"'":
        raise ExpressionSyntaxError("unterminated string literal", source, position)
    if char == "&":
        message = "unexpected '&' (did you mean '&&'?)"
    else:
        message = f"unexpected character {char!r}"
    raise ExpressionSyntaxError(message, source, position)
