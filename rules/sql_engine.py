"""What the SQL engines (duckdb, spark) share: the signal to fall back to the python
engine, the fields and claim columns of rule sets, and the error samples, which the python
reader reads again from the lines the query picked."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from ladle.grammar.names import top_level_names
from ladle.rules.catalog import CatalogError
from ladle.rules.ruleset import RuleSet
from ladle.rules.sql import DUCKDB, Dialect, Shared, SqlUnsupported, rule_sql


class Fallback(Exception):
    """This catalog or these rules need the python engine; the message says why."""


def fields(rulesets: Sequence[RuleSet]) -> list[str]:
    """The record fields the rules read, in a stable order."""
    names: dict[str, None] = {}
    for ruleset in rulesets:
        for rule in ruleset.rules:
            names.update(dict.fromkeys(sorted(top_level_names(rule.tree))))
    return list(names)


def claim_columns(ruleset: RuleSet, columns: Mapping[str, str], prefix: str,
                  flag: Callable[[str, int], str], dialect: Dialect = DUCKDB,
                  shared: Shared | None = None) -> list[str]:
    """Per rule: its claim column ``flag(prefix + "c", i)`` and its error column
    ``flag(prefix + "e", i)``; a rule SQL cannot compute exactly is a ``Fallback``.
    ``shared`` (built for every rule of the query) computes repeated values once."""
    parts = []
    for index, rule in enumerate(ruleset.rules):
        try:
            sql = rule_sql(rule.tree, columns, source=rule.source, own_names=rule.own_names,
                           dialect=dialect, shared=shared)
        except SqlUnsupported as error:
            raise Fallback(f"rule {rule.name!r}: {error.message}") from None
        except (RecursionError, MemoryError):
            raise Fallback(f"rule {rule.name!r} is too large to compile to SQL") from None
        parts += [f"({sql.claim}) AS {flag(prefix + 'c', index)}",
                  f"({sql.error}) AS {flag(prefix + 'e', index)}"]
    return parts


class RouteTally(NamedTuple):
    """A route's counts from the query's groups (``route_report`` takes them)."""

    total: int
    groups: list[tuple[int, int, list[str]]]  # (records, bytes, the rules claiming them)
    unreadable: int  # lines that are no record
    others: int  # of those, the ones the engine could not parse (the python reader checks)
    errors: int  # records on which a rule failed, and unreadable lines
    unclaimed: int


class DiffTally(NamedTuple):
    """A diff's counts from the query's groups (``diff_report`` takes them)."""

    total: int
    groups: list[tuple[int, list[str], list[str]]]  # (records, claimed before, after)
    others: int
    errors: int
    orphaned: int


def route_tally(names: Sequence[str], rows: Iterable[Sequence[Any]]) -> RouteTally:
    """The counts of groups (ok, other, one flag per rule, failed, records, bytes): ``ok``
    is FALSE for a line that is no record, ``other`` TRUE for one the engine could not
    parse."""
    groups = []
    total = unreadable = others = errors = unclaimed = 0
    for ok, other, *flags, failed, records, size in rows:
        total += records
        if not ok:
            unreadable += records
            others += records if other else 0
            continue
        claimed = [name for name, flag in zip(names, flags, strict=True) if flag]
        groups.append((records, int(size or 0), claimed))
        errors += records if failed else 0
        unclaimed += 0 if claimed else records
    return RouteTally(total, groups, unreadable, others, errors + unreadable, unclaimed)


def diff_tally(old: Sequence[str], new: Sequence[str],
               rows: Iterable[Sequence[Any]]) -> DiffTally:
    """The counts of groups (ok, other, a flag per old rule then per new rule, failed,
    records, and anything after), as ``route_tally``."""
    groups = []
    total = others = errors = orphaned = 0
    split, width = len(old), len(old) + len(new)
    for ok, other, *rest in rows:
        flags, failed, records = rest[:width], rest[width], rest[width + 1]
        total += records
        if not ok:
            errors += records
            others += records if other else 0
            continue
        errors += records if failed else 0
        before = [name for name, flag in zip(old, flags[:split], strict=True) if flag]
        after = [name for name, flag in zip(new, flags[split:], strict=True) if flag]
        groups.append((records, before, after))
        orphaned += records if before and not after else 0
    return DiffTally(total, groups, others, errors, orphaned)


def _first_failure(ruleset: RuleSet, record: dict[str, Any]) -> tuple[str, str] | None:
    """The first rule of ``ruleset`` that fails on ``record``, and its message."""
    for name, (_, message) in zip(ruleset.names, ruleset.evaluate(record), strict=True):
        if message is not None:
            return name, message
    return None


def route_errors(ruleset: RuleSet, engine: str,
                 rows: Iterable[tuple[int, Any]]) -> list[dict[str, Any]]:
    """The route report's error sample from (line, record or CatalogError) pairs the query
    counted as errors; the python reader must fail on each as the query did."""
    sample: list[dict[str, Any]] = []
    for line, record in rows:
        if isinstance(record, CatalogError):
            sample.append({"line": line, "rule": None, "message": record.message})
            continue
        first = _first_failure(ruleset, record) if isinstance(record, dict) else None
        if first is None:
            raise read_differently(engine)
        sample.append({"line": line, "rule": first[0], "message": first[1]})
    return sample


def diff_errors(old: RuleSet, new: RuleSet, engine: str,
                rows: Iterable[tuple[int, Any]]) -> list[dict[str, Any]]:
    """The diff report's error sample, as ``route_errors`` (the old rules first)."""
    sample: list[dict[str, Any]] = []
    for line, record in rows:
        if isinstance(record, CatalogError):
            sample.append({"line": line, "rules": None, "rule": None,
                           "message": record.message})
            continue
        for side, ruleset in (("old", old), ("new", new)):
            first = _first_failure(ruleset, record) if isinstance(record, dict) else None
            if first is not None:
                sample.append({"line": line, "rules": side, "rule": first[0],
                               "message": first[1]})
                break
        else:
            raise read_differently(engine)
    return sample


def records_only(engine: str, found: Iterable[Any]) -> list[dict[str, Any]]:
    """The sampled records, which the python reader must read as records too."""
    records = list(found)
    if any(not isinstance(record, dict) for record in records):
        raise read_differently(engine)
    return records


def read_differently(engine: str) -> Fallback:
    return Fallback(f"{engine} and the python reader read a line differently")
