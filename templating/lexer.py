"""Template lexer: python-liquid's, with two fixes.

- A ``}}`` or ``%}`` inside a quoted string does not end the output or tag.
- The final newline of a template survives a ``-}}``/``-%}`` trim before it
  (python-liquid 2.3.6 drops it: its content rule ends at ``$``, which also
  matches before a final newline).
- A malformed tag inside a ``{% comment %}`` block (``{%`` with no tag name or no
  closing ``%}``) is a syntax error, as it is outside comments and in Liquid
  (python-liquid 2.3.6 lets it pass as comment text).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import partial

from liquid.lex import _compile_rules, _tokenize_template
from liquid.token import TOKEN_COMMENT, TOKEN_CONTENT, TOKEN_OUTPUT, Token

from templating.errors import TemplateSyntaxError

# A quoted string, skipped whole so that delimiters inside it do not count.
_QUOTED = r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'"


def _rules(tag_start: str, tag_end: str, out_start: str, out_end: str) -> re.Pattern[str]:
    ts, te, os_, oe = map(re.escape, (tag_start, tag_end, out_start, out_end))
    raw = rf"{ts}-?\s*raw\s*(?P<rsr>-?){te}(?P<raw>.*?){ts}-?\s*endraw\s*(?P<rsr_e>-?){te}"
    doc = rf"{ts}-?\s*doc\s*(?P<lsd>-?){te}(?P<doc>.*?){ts}-?\s*enddoc\s*(?P<rsd>-?){te}"
    output = (rf"{os_}-?\s*(?P<stmt>(?:{_QUOTED}|(?!-?{oe})[\s\S])*(?<!\s))\s*"
              rf"(?P<rss>-?){oe}")
    tag = (rf"{ts}-?\s*(?P<name>#|\w+)\s*"
           rf"(?P<expr>(?:{_QUOTED}|(?!-?{te})[\s\S])*(?<!\s))\s*(?P<rst>-?){te}")
    content = rf".+?(?=(({ts}|{os_})(?P<rstrip>-?))|\Z)"
    return _compile_rules([("RAW", raw), ("DOC", doc), (TOKEN_OUTPUT, output), ("TAG", tag),
                           (TOKEN_CONTENT, content)])


def _tokenize(source: str, rules: re.Pattern[str], tag_start: str) -> Iterator[Token]:
    for token in _tokenize_template(source, rules):
        if token.kind == TOKEN_COMMENT and tag_start in token.value:
            _check_comment(token, rules, tag_start)
        yield token


def _check_comment(token: Token, rules: re.Pattern[str], tag_start: str) -> None:
    """Reject a ``{%`` in a block comment that does not start a complete tag.

    The comment's text is the concatenation of the pieces the rules matched, so matching
    it again finds the same pieces: a piece of plain text that starts with ``{%`` is one.
    """
    for match in rules.finditer(token.value):
        if match.lastgroup == TOKEN_CONTENT and match.group().startswith(tag_start):
            raise TemplateSyntaxError(
                "missing tag name or closing delimiter",
                token=Token(TOKEN_CONTENT, match.group(), token.start_index + match.start(),
                            token.source))


def get_lexer(tag_start: str = "{%", tag_end: str = "%}", out_start: str = "{{",
              out_end: str = "}}") -> Callable[[str], Iterator[Token]]:
    """A template tokenizer for the given delimiters."""
    return partial(_tokenize, rules=_rules(tag_start, tag_end, out_start, out_end),
                   tag_start=tag_start)
