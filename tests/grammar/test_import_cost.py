"""What keeps ``import ladle.grammar`` quick (issue 14) keeps the grammar's meaning."""

from __future__ import annotations

import re
import subprocess
import sys

from ladle.grammar.lexer import NAME_PATTERN

# The name pattern as the grammar states it; the lexer spells it another way that `re`
# compiles in a fraction of the time.
READABLE = r"[A-Za-z_\u0080-\uffff][A-Za-z0-9_\-\u0080-\uffff]*\??"


def test_the_name_pattern_takes_the_same_characters() -> None:
    quick, readable = re.compile(NAME_PATTERN), re.compile(READABLE)
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        for text in (char, "a" + char):
            assert bool(quick.fullmatch(text)) == bool(readable.fullmatch(text)), hex(code)
