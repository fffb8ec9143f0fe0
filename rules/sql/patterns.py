"""RE2 patterns of what Python's string methods treat specially and DuckDB's do not: the
white space ``str.strip()`` removes (``blank``, ``| strip``), and the characters whose case mapping
DuckDB's ``lower()``/``upper()`` does not reproduce (their rules abort)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable


def _char_class(codes: Iterable[int]) -> str:
    """An RE2 character class of the given code points, as ranges."""
    ranges: list[list[int]] = []
    for code in sorted(codes):
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    parts = [f"\\x{{{a:x}}}" if a == b else f"\\x{{{a:x}}}-\\x{{{b:x}}}" for a, b in ranges]
    return "[" + "".join(parts) + "]"


@functools.cache
def _spaces() -> str:
    """The white space Python's ``str.strip()`` removes, as a character class."""
    return _char_class(code for code in range(0x110000) if chr(code).isspace())


def blank_pattern() -> str:
    """Strings that Python's ``str.strip()`` empties."""
    return "^" + _spaces() + "*$"


def strip_pattern() -> str:
    """The white space ``str.strip()`` removes from either end of a string."""
    return "^" + _spaces() + "+|" + _spaces() + "+$"


@functools.cache
def case_unsafe_pattern(function: str, every_cased: bool = False) -> str:
    """Characters whose Python case mapping DuckDB's does not reproduce: those that map to
    more than one character, and, for lower(), the final-sigma rule's capital sigma.
    ``every_cased``: every character beyond ASCII that the mapping changes (for an engine
    whose case tables are of another Unicode version than Python's)."""
    method: Callable[[str], str] = str.lower if function == "lower" else str.upper
    codes = {code for code in range(0x110000)
             if not 0xD800 <= code <= 0xDFFF and (
                 len(method(chr(code))) != 1
                 or (every_cased and code > 0x7F and method(chr(code)) != chr(code)))}
    if function == "lower":
        codes.add(0x3A3)
    return _char_class(codes)
