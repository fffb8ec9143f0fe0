"""What keeps ``import ladle.grammar`` quick (issue 14) keeps the grammar's meaning."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

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


def test_import_loads_the_parts_when_first_used() -> None:
    code = ("import sys\nfrom ladle import grammar\n"
            "before = sorted(m for m in sys.modules if m.startswith('ladle.grammar.'))\n"
            "value = grammar.evaluate('1 + 2')\n"
            "print(before, value, 'ladle.grammar.compiler' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.split() == ["['ladle.grammar.errors',", "'ladle.grammar.later',",
                                   "'ladle.grammar.limits']", "3", "True"]


def test_every_public_name_is_there() -> None:
    from ladle import grammar

    for name in grammar.__all__:
        assert getattr(grammar, name) is not None, name
    assert grammar.truthy is grammar.runtime.truthy  # type: ignore[attr-defined]
    assert grammar.BUILTINS is grammar.functions.BUILTINS  # type: ignore[attr-defined]
    for missing in ("nope", "_LATER_x", "runtime_"):
        with pytest.raises(AttributeError, match=f"has no attribute '{missing}'"):
            getattr(grammar, missing)
