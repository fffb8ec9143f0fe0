"""Lines of a JSON Lines catalog that DuckDB's JSON reader accepts and the python reader
refuses or reads differently: the duckdb engine finds them and hands the catalog to the
python engine.

``lenient_sql(fields)`` is a condition on a line's text (the column ``raw``), TRUE for
such a line; ``trimmed_control(path)`` finds the lines with a vertical tab or form feed
next to their JSON, which DuckDB trims off as white space before any SQL sees the line.
"""

from __future__ import annotations

import json
import mmap
from collections.abc import Sequence

from ladle.rules.sql import quote_string

# Lines DuckDB's JSON reader accepts and the python engine's does not, or reads
# differently, found by one regular expression over the line's text (about as costly as
# the substring tests it replaced, which missed some of these): a key with a "\\u" escape
# (the twice-given check below reads keys as written; escapes in values DuckDB decodes
# as Python does, and a lone surrogate is not JSON to either); NaN and infinities,
# which DuckDB reads in any case ("nan", "-inf"); numbers
# that may overflow to infinity, which orjson refuses ("1e400", also "1e100", for
# simplicity); trailing commas; and a field the rules read given twice in one line
# (DuckDB keeps the first value, the python reader the last; a string value spelled like
# the key counts too, for simplicity). Only long lines are searched for a number of 200
# digits or more (it may overflow too) and for 1,000 brackets or more (orjson refuses
# more than 1,024 levels of nesting).
_LENIENT = (r'\\u[0-9a-fA-F]{4}(?:[^"\\]|\\.)*"[ \t\r\n]*:'
            r"|[:,\[][ \t\r\n]*[-+]?([nN][aA][nN]|[iI][nN][fF])"
            r"|[0-9][eE]\+?0*[1-9][0-9][0-9]|,[ \t\r\n]*[}\]]")
_LONG_NUMBER = 200
_DEEP = 1_000


def _regex_text(text: str) -> str:
    """``text`` as a regular expression matching it literally (RE2 syntax)."""
    return "".join(char if char.isalnum() or ord(char) > 127 else f"\\x{{{ord(char):x}}}"
                   for char in text)


def lenient_sql(fields: Sequence[str]) -> str:
    """True for a line the python reader refuses or reads differently (see _LENIENT)."""
    twice = []
    for name in fields:
        # the key as JSON writes it; '/' may also be written '\/' (other escapes are "\u")
        key = _regex_text(json.dumps(name, ensure_ascii=False)).replace(
            _regex_text("/"), "\\\\?/")
        twice.append(f"{key}.*{key}")
    pattern = "|".join([_LENIENT, *twice])
    brackets = "strlen(raw) - strlen(replace(replace(raw, '[', ''), '{', ''))"
    return (f"(regexp_matches(raw, {quote_string(pattern)}) OR (strlen(raw) > {_LONG_NUMBER} "
            f"AND regexp_matches(raw, {quote_string(f'[0-9]{{{_LONG_NUMBER}}}')})) OR "
            f"(strlen(raw) >= {_DEEP} AND {brackets} >= {_DEEP}))")


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
