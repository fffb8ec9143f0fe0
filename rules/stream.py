"""A live match stream: JSON Lines records in, one JSON line per record out.

``ladle rules match RULES --stream`` is this loop. For each input line it writes
``{"line": n, "id": …, "claimed": [...]}`` (with ``"errors": {rule: message}`` when a
rule could not evaluate), or ``{"line": n, "error": "…"}`` for a line that is not a
record; blank lines are counted and skipped. With ``only``, ``"claimed"`` is replaced by
``"claims": true|false`` for that one rule. The output is ASCII (JSON escapes the rest).

Input is read as it arrives (a pipe's available bytes at a time) and the output for all
of it is written and flushed before the next read waits: a consumer sees each record's
line as soon as it was matched, and a busy pipe costs one write per chunk, not per
line. Memory stays constant however long the stream: nothing is kept between chunks
but a bounded table of outcomes and the unfinished last line, itself bounded by
``MAX_LINE_BYTES`` (a longer line is reported and skipped).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import IO, Any

import orjson

from ladle.grammar.errors import ExpressionError
from ladle.rules.catalog import CatalogError, jsonl_line
from ladle.rules.ruleset import RuleSet

__all__ = ["CHUNK_BYTES", "MAX_LINE_BYTES", "stream"]

CHUNK_BYTES = 1 << 16
MAX_LINE_BYTES = 16 << 20
# Claim tuples seen so far and the end of the output line they give; bounded (5 rules
# have at most 32 outcomes, a large set may have more).
_MAX_OUTCOMES = 4096
_BOM = b"\xef\xbb\xbf"
# Value types that send a record to the careful reader (``rules.catalog``).
_UNUSUAL = frozenset({type(None), float})


def _id_text(value: Any) -> str:
    """The record's ``id`` as JSON (integers of any size exactly)."""
    if type(value) is int:
        return str(value)
    return json.dumps(value)


class _Matcher:
    """Turns one record into its output line (``ruleset`` evaluated once per record)."""

    def __init__(self, ruleset: RuleSet, only: str | None) -> None:
        self.ruleset = ruleset
        self.only = only
        self.claims = ruleset.claims
        self.endings: dict[tuple[bool, ...], str] = {}

    def ending(self, claims: tuple[bool, ...]) -> str:
        if self.only is not None:
            text = ', "claims": true}\n' if claims[0] else ', "claims": false}\n'
        else:
            names = [name for name, claimed in zip(self.ruleset.names, claims, strict=True)
                     if claimed]
            text = f', "claimed": {json.dumps(names)}}}\n'
        if len(self.endings) < _MAX_OUTCOMES:
            self.endings[claims] = text
        return text

    def failed(self, number: int, record: dict[str, Any]) -> str:
        """The line for a record on which some rule could not evaluate."""
        results = self.ruleset.evaluate(record)
        head = f'{{"line": {number}, "id": {_id_text(record.get("id"))}'
        errors = {name: message for name, (_, message) in zip(self.ruleset.names, results,
                                                             strict=True) if message}
        claimed = [name for name, (claims, _) in zip(self.ruleset.names, results,
                                                      strict=True) if claims]
        out: dict[str, Any]
        if self.only is not None:
            out = {"claims": bool(claimed), "error": errors[self.only]}
        else:
            out = {"claimed": claimed, "errors": errors}
        return f"{head}, {json.dumps(out)[1:]}\n"


def _bad(number: int, message: str) -> str:
    return json.dumps({"line": number, "error": message}) + "\n"


def stream(ruleset: RuleSet, source: IO[bytes], out: IO[bytes], *,
           only: str | None = None) -> int:
    """Match every JSON Lines record of ``source`` (read until end of input) against
    ``ruleset`` (or only its rule ``only``), writing one line per record to ``out``;
    returns the number of lines read. Raises ``KeyError`` for an unknown ``only``."""
    if only is not None:
        chosen = [rule for rule in ruleset.rules if rule.name == only]
        if not chosen:
            raise KeyError(only)
        ruleset = RuleSet(chosen, ruleset.file, ruleset.source)
    matcher = _Matcher(ruleset, only)
    read: Callable[[int], bytes] = getattr(source, "read1", source.read)
    number = 0
    rest = b""
    skipping = False  # inside a line longer than MAX_LINE_BYTES
    while True:
        chunk = read(CHUNK_BYTES)
        if not chunk:
            break
        lines = (rest + chunk).split(b"\n") if rest else chunk.split(b"\n")
        rest = lines.pop()
        if skipping and lines:
            lines[0] = b""  # the end of the long line, reported already
            skipping = False
        if lines:
            output = _match_lines(matcher, lines, number)
            number += len(lines)
            out.write(output)
            out.flush()
        if len(rest) > MAX_LINE_BYTES:
            if not skipping:
                out.write(_bad(number + 1,
                               f"line longer than {MAX_LINE_BYTES:,} bytes").encode())
                out.flush()
            skipping = True
            rest = b""
    if rest and not skipping:
        out.write(_match_lines(matcher, [rest], number))
        out.flush()
        number += 1
    elif skipping:
        number += 1
    return number


def _match_lines(matcher: _Matcher, lines: list[bytes], number: int) -> bytes:
    """The output for ``lines``, the first of which is line ``number + 1``."""
    loads = orjson.loads
    decode_error = orjson.JSONDecodeError
    claims = matcher.claims
    endings = matcher.endings
    ending = matcher.ending
    unusual = _UNUSUAL
    parts: list[str] = []
    append = parts.append
    for line in lines:
        number += 1
        try:
            record = loads(line)
            if type(record) is not dict:
                raise TypeError
            if not unusual.isdisjoint(map(type, record.values())):
                raise TypeError  # nulls, or an integer too large for orjson (a float)
        except (decode_error, TypeError):
            item = jsonl_line(line.removeprefix(_BOM) if number == 1 else line)
            if item is None:
                continue  # a blank line
            if isinstance(item, CatalogError):
                append(_bad(number, item.message))
                continue
            record = item
        try:
            outcome = claims(record)
        except ExpressionError:
            append(matcher.failed(number, record))
            continue
        identifier = record.get("id")
        if type(identifier) is not int:
            identifier = _id_text(identifier)
        append(f'{{"line": {number}, "id": {identifier}{endings.get(outcome) or ending(outcome)}')
    return "".join(parts).encode()
