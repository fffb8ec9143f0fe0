"""The python engine: route a catalog through rule sets, one record at a time.

``route`` gives the report of ``ladle rules route --format json`` and ``diff``
the one of ``ladle rules diff --format json`` (shapes in ``design/rules.md``).

Counting, the same in both engines:

- ``records`` is every record of the catalog, including lines that are not a
  JSON object (or bad CSV rows); those are claimed by no rule.
- ``copies`` has a string key for every count from ``"0"`` to the number of
  rules, zeros included, and its values add up to ``records``;
  ``unclaimed.records`` equals ``copies["0"]``; the unclaimed sample holds the
  first records claimed by no rule (unreadable lines have no record to show).
- ``errors.records`` counts each record once however many rules failed on it,
  and every unreadable line; a sample entry is ``{"line", "rule", "message"}``
  with the first rule that failed (``null`` for an unreadable line). A rule
  that fails does not claim the record; the other rules still do. In ``diff`` the
  entry also says which set the rule is in (``"rules": "old"`` or ``"new"``, ``null``
  for an unreadable line); a record counts once whichever sets fail on it.
- ``bytes`` add up the ``size`` fields that are integers (not bools, not
  floats); a record without one counts 0.

Speed: a record is evaluated by every rule at once (``RuleSet.claims``, one
compiled function giving a tuple of bools), and that tuple is looked up in a
small table of outcomes seen before, so the work per record is one call, one
dict lookup and a few additions. A record on which a rule fails takes the slow
path (``RuleSet.evaluate``, rule by rule, for the message).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ladle.grammar.errors import ExpressionError
from ladle.rules.catalog import CatalogError, Item, Reader
from ladle.rules.ruleset import RuleSet

__all__ = ["PROGRESS_EVERY", "Catalog", "Output", "Progress", "check_copies", "check_sample",
           "diff", "diff_report", "route", "route_report", "short_of"]

PROGRESS_EVERY = 10_000

Progress = Callable[[int, int], object]
"""``progress(records_done, catalog_bytes_read)``; bytes read is 0 when unknown (stdin)."""

Output = Callable[[int, Any, list[str]], object]
"""``output(line, record's "id" or None, names of the claiming rules)`` for every record.

The list of names may be shared between records: copy it to keep it.
"""

Catalog = str | os.PathLike[str] | Iterable[Item]

_NO_POSITION: Callable[[], int] = lambda: 0  # noqa: E731


def _open(catalog: Catalog, format: str | None) -> tuple[Iterator[Item], Callable[[], int]]:
    if isinstance(catalog, str | os.PathLike):
        reader = Reader(catalog, format)
        return reader.items(), reader.position
    return iter(catalog), _NO_POSITION


def _reported(items: Iterator[Item], progress: Progress | None,
              position: Callable[[], int]) -> Iterator[Item]:
    """``items``, calling ``progress`` every ``PROGRESS_EVERY`` items and at the end."""
    if progress is None:
        yield from items
        return
    count = 0
    for item in items:
        count += 1
        if count % PROGRESS_EVERY == 0:
            progress(count, position())
        yield item
    progress(count, position())


def check_sample(sample: int) -> None:
    if not isinstance(sample, int) or isinstance(sample, bool) or sample < 0:
        raise ValueError(f"sample must be a non-negative integer, not {sample!r}")


def check_copies(require_copies: int | None) -> None:
    if require_copies is not None and (not isinstance(require_copies, int)
                                       or isinstance(require_copies, bool)
                                       or require_copies < 0):
        raise ValueError(f"require_copies must be a non-negative integer, "
                         f"not {require_copies!r}")


class _Tally:
    """Records that got one outcome (which rules claim them), and their bytes."""

    __slots__ = ("bytes", "names", "records", "unclaimed")

    def __init__(self, claims: tuple[bool, ...], names: list[str]) -> None:
        self.names = [name for name, claimed in zip(names, claims, strict=True) if claimed]
        self.unclaimed = not self.names
        self.records = 0
        self.bytes = 0


def _first_error(names: list[str],
                 results: list[tuple[bool, str | None]]) -> tuple[str, str] | None:
    for name, (_, error) in zip(names, results, strict=True):
        if error is not None:
            return name, error
    return None


def route(ruleset: RuleSet, catalog: Catalog, *, format: str | None = None,
          progress: Progress | None = None, require_copies: int | None = None,
          sample: int = 5, output: Output | None = None) -> dict[str, Any]:
    """The ``route --format json`` report of ``ruleset`` over ``catalog``.

    ``catalog`` is a path (``-`` for stdin; ``format`` overrides the extension)
    or an iterable of ``(line, record or CatalogError)`` items. ``progress`` is
    called every ``PROGRESS_EVERY`` records and at the end. ``output`` receives
    every record's assignment. ``require_copies`` is checked for being a
    non-negative integer and does not change the report: compare it with
    ``short_of(report, n)``.
    """
    check_sample(sample)
    check_copies(require_copies)
    items, position = _open(catalog, format)
    names = list(ruleset.names)
    claims_of = ruleset.claims
    table: dict[tuple[bool, ...], _Tally] = {}
    get = table.get
    unclaimed_sample: list[dict[str, Any]] = []
    error_sample: list[dict[str, Any]] = []
    error_records = 0
    unreadable = 0
    count = 0

    def failed(record: dict[str, Any], line: int) -> tuple[bool, ...]:
        """The claims of a record on which some rule fails; counts the error."""
        nonlocal error_records
        results = ruleset.evaluate(record)
        first = _first_error(names, results)
        if first is not None:
            error_records += 1
            if len(error_sample) < sample:
                error_sample.append({"line": line, "rule": first[0], "message": first[1]})
        return tuple(claimed for claimed, _ in results)

    for line, record in _reported(items, progress, position):
        count += 1
        if type(record) is not dict:
            unreadable += 1
            error_records += 1
            if len(error_sample) < sample:
                message = record.message if isinstance(record, CatalogError) else str(record)
                error_sample.append({"line": line, "rule": None, "message": message})
            if output is not None:
                output(line, None, [])
            continue
        try:
            key = claims_of(record)
        except ExpressionError:
            key = failed(record, line)
        tally = get(key)
        if tally is None:
            tally = table[key] = _Tally(key, names)
        tally.records += 1
        size = record.get("size")
        if type(size) is int:
            tally.bytes += size
        if tally.unclaimed and len(unclaimed_sample) < sample:
            unclaimed_sample.append(record)
        if output is not None:
            output(line, record.get("id"), tally.names)

    return route_report(names, count, [(t.records, t.bytes, t.names) for t in table.values()],
                        unreadable, error_records, unclaimed_sample, error_sample)


def route_report(names: list[str], count: int, groups: Iterable[tuple[int, int, list[str]]],
                 unreadable: int, error_records: int, unclaimed_sample: list[dict[str, Any]],
                 error_sample: list[dict[str, Any]]) -> dict[str, Any]:
    """The ``route`` report from groups of (records, bytes, names claiming them) and the
    counts of unreadable lines and of errors (those lines included), for both engines."""
    rules = {name: {"records": 0, "bytes": 0} for name in names}
    copies = dict.fromkeys(range(len(names) + 1), 0)
    copies[0] = unreadable
    total_bytes = 0
    for records, size, claimed in groups:
        total_bytes += size
        copies[len(claimed)] += records
        for name in claimed:
            rules[name]["records"] += records
            rules[name]["bytes"] += size
    return {
        "records": count,
        "bytes": total_bytes,
        "rules": rules,
        "copies": {str(n): records for n, records in copies.items()},
        "unclaimed": {"records": copies[0], "sample": unclaimed_sample},
        "errors": {"records": error_records, "sample": error_sample},
    }


def short_of(report: dict[str, Any], copies: int) -> int:
    """How many records of a ``route`` report have fewer than ``copies`` claimants."""
    return sum(records for n, records in report["copies"].items() if int(n) < copies)


def diff(old: RuleSet, new: RuleSet, catalog: Catalog, *, format: str | None = None,
         progress: Progress | None = None, sample: int = 5) -> dict[str, Any]:
    """The ``diff --format json`` report: what going from ``old`` to ``new`` moves.

    A rule that fails on a record does not claim it (as in ``route``); an
    unreadable line is claimed by no rule before and after, so never changes. Both
    are counted under ``errors``, as in ``route``.
    """
    check_sample(sample)
    items, position = _open(catalog, format)
    old_names, new_names = list(old.names), list(new.names)
    old_claims, new_claims = old.claims, new.claims
    # per pair of claims: [records, old claiming names, new claiming names, orphaned]
    table: dict[tuple[tuple[bool, ...], tuple[bool, ...]], list[Any]] = {}
    get = table.get
    orphan_sample: list[dict[str, Any]] = []
    error_sample: list[dict[str, Any]] = []
    error_records = 0
    count = 0

    def failed(line: int, record: dict[str, Any]) -> tuple[tuple[bool, ...], tuple[bool, ...]]:
        """The claims of a record on which some rule fails; counts the error."""
        nonlocal error_records
        old_results, new_results = old.evaluate(record), new.evaluate(record)
        first = [("old", *found) for found in [_first_error(old_names, old_results)] if found]
        first += [("new", *found) for found in [_first_error(new_names, new_results)] if found]
        if first:
            error_records += 1
            if len(error_sample) < sample:
                side, name, message = first[0]
                error_sample.append({"line": line, "rules": side, "rule": name,
                                     "message": message})
        return (tuple(claimed for claimed, _ in old_results),
                tuple(claimed for claimed, _ in new_results))

    for line, record in _reported(items, progress, position):
        count += 1
        if type(record) is not dict:
            error_records += 1
            if len(error_sample) < sample:
                message = record.message if isinstance(record, CatalogError) else str(record)
                error_sample.append({"line": line, "rules": None, "rule": None,
                                     "message": message})
            continue
        try:
            key = (old_claims(record), new_claims(record))
        except ExpressionError:
            key = failed(line, record)
        entry = get(key)
        if entry is None:
            before = [name for name, claimed in zip(old_names, key[0], strict=True) if claimed]
            after = [name for name, claimed in zip(new_names, key[1], strict=True) if claimed]
            entry = table[key] = [0, before, after, bool(before) and not after]
        entry[0] += 1
        if entry[3] and len(orphan_sample) < sample:
            orphan_sample.append(record)

    return diff_report(old_names, new_names, count,
                       [(records, before, after) for records, before, after, _ in table.values()],
                       orphan_sample, error_records, error_sample)


def diff_report(old_names: list[str], new_names: list[str], count: int,
                groups: Iterable[tuple[int, list[str], list[str]]],
                orphan_sample: list[dict[str, Any]], error_records: int,
                error_sample: list[dict[str, Any]]) -> dict[str, Any]:
    """The ``diff`` report from groups of (records, names claiming before, after), the
    records on which a rule of either set fails (unreadable lines included) and their
    sample, the same for both engines."""
    known = set(old_names)
    union = old_names + [name for name in new_names if name not in known]
    rules = {name: {"gained": 0, "lost": 0} for name in union}
    changed = 0
    orphaned = 0
    for records, before, after in groups:
        if set(before) != set(after):
            changed += records
        for name in after:
            if name not in before:
                rules[name]["gained"] += records
        for name in before:
            if name not in after:
                rules[name]["lost"] += records
        if before and not after:
            orphaned += records
    return {
        "records": count,
        "changed": changed,
        "rules": rules,
        "orphaned": {"records": orphaned, "sample": orphan_sample},
        "errors": {"records": error_records, "sample": error_sample},
    }
