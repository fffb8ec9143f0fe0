"""Lines of a JSON Lines catalog that DuckDB's JSON reader accepts and the python reader
refuses or reads differently: the duckdb engine finds them and hands the catalog to the
python engine. Also the lines where a field DuckDB reads with a type holds a value of
another type: the engine then reads that field as JSON.

``lenient_sql(fields, typed)`` is a condition on a line's text (the column ``raw``), TRUE
for such a line; ``wrong_type_sql(name, kind)`` says which typed field it was;
``trimmed_control(path)`` finds the lines with a vertical tab or form feed next to their
JSON, which DuckDB trims off as white space before any SQL sees the line.
"""

from __future__ import annotations

import json
import mmap
from collections.abc import Mapping, Sequence

from ladle.rules.sql import quote_string

# Lines DuckDB's JSON reader accepts and the python engine's does not, or reads
# differently, found by one regular expression over the line's text: a key with a "\\u"
# escape (the twice-given check below reads keys as written; escapes in values DuckDB
# decodes as Python does, and a lone surrogate is not JSON to either); NaN and
# infinities, which DuckDB reads in any case ("nan", "-inf"); numbers that may overflow
# to infinity, which orjson refuses ("1e400", also "1e100", for simplicity); trailing
# commas; and a field the rules read given twice in one line (DuckDB keeps the first
# value, the python reader the last; a string value spelled like the key counts too, for
# simplicity). Only long lines are searched for a number of 200 digits or more (it may
# overflow too) and for 1,000 brackets or more (orjson refuses more than 1,024 levels of
# nesting).
#
# One expression, because RE2 reads every byte of a line for any expression that does
# not start with a fixed text, at one cost whatever it looks for (0.4 s of CPU per 1M
# lines of 112 bytes, about what the hand-written query takes for everything): tests
# that each start with a fixed text cost 0.06-0.1 s each, and a key given twice needs a
# pass over the rest of the line per key (LIKE '%"id"%"id"%', 0.09 s), so split up the
# search costs about twice as much. The typed fields' checks ride along for free.
_LENIENT = (r'\\u[0-9a-fA-F]{4}(?:[^"\\]|\\.)*"[ \t\r\n]*:'
            r"|[:,\[][ \t\r\n]*[-+]?([nN][aA][nN]|[iI][nN][fF])"
            r"|[0-9][eE]\+?0*[1-9][0-9][0-9]|,[ \t\r\n]*[}\]]")
_LONG_NUMBER = 200
_DEEP = 1_000
_SPACE = r"[ \t\r\n]*"

# The integers a typed column reads exactly, by kind: DuckDB reads JSON integers of 64
# bits as they are (and, in recent versions, longer ones through their text).
_INTEGER_RANGES = {"UBIGINT": (0, 2**64 - 1), "BIGINT": (-(2**63), 2**63 - 1),
                   "HUGEINT": (-(2**63), 2**64 - 1)}
# The first characters of a value of the kind (or of null): any other makes the line
# a match of wrong_type_sql. A string, true or false; "n" is null (NaN is lenient).
_STARTS = {"VARCHAR": '"n', "BOOLEAN": "tfn"}
TYPED_KINDS = frozenset({*_INTEGER_RANGES, *_STARTS})
"""The kinds of field that ``json_transform`` may read typed, checked by ``lenient_sql``."""


def _regex_text(text: str) -> str:
    """``text`` as a regular expression matching it literally (RE2 syntax)."""
    return "".join(char if char.isalnum() or ord(char) > 127 else f"\\x{{{ord(char):x}}}"
                   for char in text)


def _key(name: str) -> str:
    """The key as JSON writes it; '/' may also be written '\\/' (other escapes are "\\u")."""
    return _regex_text(json.dumps(name, ensure_ascii=False)).replace(
        _regex_text("/"), "\\\\?/")


def _above(bound: int) -> str:
    """Alternatives that match the start of the digits of every integer above ``bound``
    (0 or more, written without leading zeros, as JSON does), and of no other."""
    digits = str(bound)
    options = [f"[1-9][0-9]{{{len(digits)}}}"]  # more digits
    for at, digit in enumerate(digits):  # as many, and greater at ``at``
        if digit != "9":
            options.append(f"{digits[:at]}[{int(digit) + 1}-9][0-9]{{{len(digits) - at - 1}}}")
    return "|".join(options)


def _wrong_type(name: str, kind: str) -> str:
    """A pattern matching, after the key ``name``, a value that is not of ``kind`` or
    that ``kind`` does not hold exactly (and, for simplicity, an unsigned -0)."""
    # (the class leaves out white space: the key's _SPACE may stop short of the value)
    if kind in _STARTS:
        other = f"[^{_STARTS[kind]} \\t\\r\\n]"
    else:
        low, high = _INTEGER_RANGES[kind]
        negative = f"-(?:{_above(-low)})" if low else "-"
        # not a number, a number with a fraction or an exponent, or one out of range
        other = f"[^-0-9n \\t\\r\\n]|-?[0-9]+[.eE]|{_above(high)}|{negative}"
    return f"{_key(name)}{_SPACE}:{_SPACE}(?:{other})"


def lenient_sql(fields: Sequence[str], typed: Mapping[str, str] | None = None) -> str:
    """True for a line the python reader refuses or reads differently (see _LENIENT), or
    where a field of ``typed`` (name -> kind, one of TYPED_KINDS) may hold a value of
    another type.

    A field of the record is given once in a line that is not lenient, and its key is
    written as ``_key`` matches it (JSON spells a key otherwise only with a "\\u"
    escape, which is lenient), so the field's value follows the key's one spelling in
    the line: a value of another type cannot escape ``_wrong_type`` (the same text
    elsewhere, say in a nested object, may match it too: the field is then read as JSON,
    exactly, more slowly)."""
    twice = [f"{_key(name)}.*{_key(name)}" for name in fields]
    checks = [_wrong_type(name, kind) for name, kind in (typed or {}).items()]
    pattern = "|".join([_LENIENT, *twice, *checks])
    brackets = "strlen(raw) - strlen(replace(replace(raw, '[', ''), '{', ''))"
    return (f"(regexp_matches(raw, {quote_string(pattern)}) OR (strlen(raw) > {_LONG_NUMBER} "
            f"AND regexp_matches(raw, {quote_string(f'[0-9]{{{_LONG_NUMBER}}}')})) OR "
            f"(strlen(raw) >= {_DEEP} AND {brackets} >= {_DEEP}))")


def wrong_type_sql(name: str, kind: str) -> str:
    """True for a line where the field ``name``, read as ``kind``, may hold a value of
    another type (given that the line is not lenient: see ``lenient_sql``)."""
    return f"regexp_matches(raw, {quote_string(_wrong_type(name, kind))})"


_CHUNK_BYTES = 1 << 22
# The mapped file is searched a window at a time, and each window searched is let go:
# its pages would otherwise stay in the process's resident memory (the whole file).
_WINDOW_BYTES = 1 << 26
_FEEDS = (b"\x0b", b"\x0c")
_JSON_SPACE = b" \t\r\n"


def trimmed_control(path: str) -> int | None:
    """The number of the first line where a vertical tab or form feed stands before or
    after the JSON text, or None. DuckDB trims them off a line as white space; to JSON
    (and so to the python reader) they are not white space, and the line is not JSON. A
    line of white space of either kind is blank to both.

    The file is mapped, not read: the two bytes are searched for (memchr speed, a tenth
    of reading the file by blocks), and only the lines holding one are looked at."""
    with open(path, "rb") as file:
        try:
            view = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
        except ValueError:  # an empty file cannot be mapped, and has no such line
            return None
        with view:
            for start in range(0, len(view), _WINDOW_BYTES):
                stop = min(start + _WINDOW_BYTES, len(view))
                line = _first_trimmed(view, start, stop)
                if line is not None:
                    return line
                _release(view, start, stop)
            return None


def _release(view: mmap.mmap, start: int, stop: int) -> None:
    """Let the whole pages of ``view[start:stop]`` go (read again if touched again)."""
    advice = getattr(mmap, "MADV_DONTNEED", None)
    first, last = start - start % mmap.PAGESIZE, stop - stop % mmap.PAGESIZE
    if advice is not None and last > first:
        view.madvise(advice, first, last - first)


def _first_trimmed(view: mmap.mmap, start: int, stop: int) -> int | None:
    """The first such line with a vertical tab or form feed in ``view[start:stop]``."""
    upcoming = {feed: view.find(feed, start, stop) for feed in _FEEDS}
    while True:
        found = [place for place in upcoming.values() if place >= 0]
        if not found:
            return None
        hit = min(found)
        begin = view.rfind(b"\n", 0, hit) + 1
        end = view.find(b"\n", hit)
        end = len(view) if end < 0 else end
        line = _LineEnds()
        line.add(view[begin:end])
        if line.suspect():
            return 1 + sum(view[at:min(at + _CHUNK_BYTES, begin)].count(b"\n")
                           for at in range(0, begin, _CHUNK_BYTES))
        for feed, place in upcoming.items():
            if 0 <= place <= end:
                upcoming[feed] = view.find(feed, end + 1, stop)


class _LineEnds:
    """What a line holds at its ends, read in pieces: its first and last bytes that are
    not JSON white space, and whether it has any byte that is not white space at all."""

    __slots__ = ("filled", "first", "last")

    def __init__(self) -> None:
        self.first = self.last = b""
        self.filled = False

    def add(self, piece: bytes) -> None:
        significant = piece.strip(_JSON_SPACE)
        if significant:
            self.first = self.first or significant[:1]
            self.last = significant[-1:]
            self.filled = self.filled or bool(significant.strip())

    def suspect(self) -> bool:
        return self.filled and (self.first in _FEEDS or self.last in _FEEDS)
