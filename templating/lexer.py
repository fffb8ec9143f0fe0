"""Template lexer: python-liquid's, with two fixes.

- A ``}}`` or ``%}`` inside a quoted string does not end the output or tag.
- The final newline of a template survives a ``-}}``/``-%}`` trim before it
  (python-liquid 2.3.6 drops it: its content rule ends at ``$``, which also
  matches before a final newline).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import partial

from liquid.lex import _compile_rules, _tokenize_template
from liquid.token import TOKEN_CONTENT, TOKEN_OUTPUT, Token

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


def get_lexer(tag_start: str = "{%", tag_end: str = "%}", out_start: str = "{{",
              out_end: str = "}}") -> Callable[[str], Iterator[Token]]:
    """A template tokenizer for the given delimiters."""
    return partial(_tokenize_template, rules=_rules(tag_start, tag_end, out_start, out_end))
