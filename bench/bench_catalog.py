"""Catalog suite: the placement rules routed (and a change of them diffed) over generated
catalogs of 1 and 10 million records, as JSON Lines and as Parquet, by the duckdb engine,
by the DuckDB query an expert would write by hand, and by Polars where it is installed.

The catalogs are made by DuckDB itself (a few seconds, Python would take minutes) and
kept in ``.bench-data/``; ``LADLE_BENCH_SIZES`` (comma-separated record counts) changes
their sizes and ``LADLE_BENCH_ROUNDS`` the rounds. ids cover the whole range the rules
must read exactly: 10% negative, 10% in [2**63, 2**64). In Parquet the ids are
DECIMAL(38,0), the one Parquet type that holds them all.

The hand-written query is the strong baseline: it reads only the four columns, with
explicit types (``read_json(columns=...)``, ``read_parquet`` projection, the decimal ids
made HUGEINT through their text, DuckDB's quickest way), computes each rule once per
record with the modulo of ladle (and Python: ``-7 % 100`` is 93; a 64-bit division where
the id fits, as the engine does) and gets every count of the report from one aggregate,
grouped by the rules' claims. Its counts must equal the engine's report, so both are
checked before anything is timed.
Contenders are interleaved round by round, and medians are reported: this machine is
shared, and a slow moment then hits every contender alike.

The python engine is timed on the 1M catalog against hand-written lambdas that read the
same lines with orjson and count the same things.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import orjson
import pytest

from bench import report, workload
from bench.bench_expressions import LAMBDAS
from ladle import rules
from ladle.rules import duckdb_engine, python_engine

GROUP = "catalog"
SIZES = tuple(int(n) for n in os.environ.get("LADLE_BENCH_SIZES",
                                             "1000000,10000000").split(","))
ROUNDS = int(os.environ.get("LADLE_BENCH_ROUNDS", 3))
PYTHON_RECORDS = 1_000_000
DATA = Path(__file__).resolve().parent.parent / ".bench-data"
RULES = "\n".join(f"{name}: {source}" for name, source in workload.RULES.items())
# The diffed change: the three transcoders' ranges resplit, santa gone, a new archive.
NEW_RULES = """\
morbo:    tag == 'lossless' && (id % 100) >=  0 && (id % 100) <= 39
linda:    tag == 'lossless' && (id % 100) >= 40 && (id % 100) <= 79
calculon: tag == 'lossless' && (id % 100) >= 80 && (id % 100) <= 99
devil:    public == true
archive:  size > 100000000
"""

_RECORD_SQL = """
SELECT
  CASE WHEN h2 % 10 = 0 THEN -CAST(h >> 1 AS HUGEINT) - 1
       WHEN h2 % 10 = 1 THEN CAST(h | (CAST(1 AS UBIGINT) << 63) AS HUGEINT)
       ELSE CAST(h >> 1 AS HUGEINT) END AS id,
  CASE WHEN h2 % 100 < 40 THEN 'lossless' WHEN h2 % 100 < 70 THEN 'lossy'
       WHEN h2 % 100 < 85 THEN 'image' WHEN h2 % 100 < 95 THEN 'video'
       ELSE 'document' END AS tag,
  (h2 >> 8) % 10 < 3 AS public,
  CAST(1000 + (h >> 20) % 200000000 AS BIGINT) AS size,
  'artist' || (h % 5000) || '/album' || (h % 50) || '/' || i || '.flac' AS path
FROM (SELECT i, hash(i) AS h, hash(i + 1000000000000) AS h2 FROM range({count}) t(i))
"""

# What an expert types: the claims of each rule once per record (nil is false; ladle's
# modulo), one aggregate grouped by them, from which every count of the report follows.
_HAND_ROUTE = """
SELECT c0, c1, c2, c3, c3 AS c4, count(*), sum(size) FROM (
  SELECT lossless AND m BETWEEN 0 AND 47 AS c0, lossless AND m BETWEEN 48 AND 96 AS c1,
         lossless AND m BETWEEN 97 AND 99 AS c2, public AS c3, size
  FROM (SELECT coalesce(tag = 'lossless', false) AS lossless,
               {m} AS m, coalesce(public, false) AS public, size
        FROM {source}))
GROUP BY ALL
"""
_HAND_DIFF = """
SELECT o0, o1, o2, o3, o3 AS o4, n0, n1, n2, o3 AS n3, n4, count(*) FROM (
  SELECT lossless AND m BETWEEN 0 AND 47 AS o0, lossless AND m BETWEEN 48 AND 96 AS o1,
         lossless AND m BETWEEN 97 AND 99 AS o2, lossless AND m BETWEEN 0 AND 39 AS n0,
         lossless AND m BETWEEN 40 AND 79 AS n1, lossless AND m BETWEEN 80 AND 99 AS n2,
         public AS o3, coalesce(size > 100000000, false) AS n4
  FROM (SELECT coalesce(tag = 'lossless', false) AS lossless,
               {m} AS m, coalesce(public, false) AS public, size
        FROM {source}))
GROUP BY ALL
"""
# ladle's modulo; a 64-bit unsigned division where the id allows it is twice as quick as
# DuckDB's 128-bit one
_MODULO = ("CASE WHEN id BETWEEN 0 AND 18446744073709551615 "
           "THEN CAST(CAST(id AS UBIGINT) % 100 AS HUGEINT) ELSE ((id % 100) + 100) % 100 END")
_KINDS = {"jsonl": "JSON Lines", "parquet": "Parquet"}


def _make(count: int, stem: str) -> tuple[Path, Path]:
    """The catalog of ``count`` records as JSON Lines and Parquet, made once."""
    DATA.mkdir(exist_ok=True)
    jsonl, parquet = DATA / f"{stem}.jsonl", DATA / f"{stem}.parquet"
    with duckdb.connect() as con:
        if not jsonl.exists():
            partial = jsonl.with_suffix(".partial")
            con.execute(f"COPY ({_RECORD_SQL.format(count=count)}) TO "
                        f"'{partial}' (FORMAT json)")
            partial.rename(jsonl)
        if not parquet.exists():
            partial = parquet.with_suffix(".partial")
            con.execute(f"COPY (SELECT CAST(id AS DECIMAL(38, 0)) AS id, tag, public, size, "
                        f"path FROM ({_RECORD_SQL.format(count=count)})) TO '{partial}' "
                        f"(FORMAT parquet)")
            partial.rename(parquet)
    return jsonl, parquet


def catalog_files(count: int = max(SIZES)) -> tuple[Path, Path]:
    """The generated catalog of ``count`` records (JSON Lines, Parquet), for other suites."""
    return _make(count, f"catalog-{count}")


@pytest.fixture(scope="module")
def catalogs() -> dict[int, dict[str, Path]]:
    made = {}
    for count in sorted({*SIZES, PYTHON_RECORDS}):
        jsonl, parquet = _make(count, f"catalog-{count}")
        made[count] = {"jsonl": jsonl, "parquet": parquet}
    return made


@pytest.fixture(scope="module")
def ruleset() -> rules.RuleSet:
    return rules.parse(RULES)


def _tag(benchmark: Any, label: str, records: int, baseline: bool = False) -> None:
    benchmark.group = GROUP
    benchmark.extra_info.update(label=label, records=records, evaluations=records,
                                baseline=baseline)


@pytest.fixture(scope="module")
def agreed(catalogs: dict[int, dict[str, Path]], ruleset: rules.RuleSet) -> None:
    """The engines' reports are equal on the 1M catalog (a fixture, since
    ``--benchmark-only`` skips plain tests)."""
    small = catalogs[PYTHON_RECORDS]["jsonl"]
    expected = python_engine.route(ruleset, small)
    assert duckdb_engine.route(ruleset, small) == expected
    assert duckdb_engine.route(ruleset, catalogs[PYTHON_RECORDS]["parquet"]) == expected
    new = rules.parse(NEW_RULES)
    assert duckdb_engine.diff(ruleset, new, small) == python_engine.diff(ruleset, new, small)
    assert expected["errors"]["records"] == 0 and expected["records"] == PYTHON_RECORDS


def _source(kind: str, path: Path) -> str:
    if kind == "jsonl":
        return (f"read_json('{path}', format = 'newline_delimited', columns = "
                f"{{'id': 'HUGEINT', 'tag': 'VARCHAR', 'public': 'BOOLEAN', 'size': 'BIGINT'}})")
    # DECIMAL(38,0) to HUGEINT through text: a third of the direct cast's time (DuckDB 1.x)
    return (f"(SELECT CAST(CAST(id AS VARCHAR) AS HUGEINT) AS id, tag, public, size "
            f"FROM read_parquet('{path}'))")


def _hand(query: str, kind: str, path: Path) -> Callable[[], list[tuple[Any, ...]]]:
    def run() -> list[tuple[Any, ...]]:
        with duckdb.connect() as con:
            return con.sql(query.format(source=_source(kind, path), m=_MODULO)).fetchall()
    return run


def _route_counts(names: list[str], groups: list[tuple[Any, ...]]) -> dict[str, Any]:
    """The counts of a route report, from (claims..., records, bytes) groups."""
    counts: dict[str, Any] = {"records": 0, "bytes": 0,
                              "rules": {name: {"records": 0, "bytes": 0} for name in names},
                              "copies": {}, "unclaimed": 0}
    for *claims, records, size in groups:
        counts["records"] += records
        counts["bytes"] += int(size or 0)
        for name, claimed in zip(names, claims, strict=True):
            if claimed:
                counts["rules"][name]["records"] += records
                counts["rules"][name]["bytes"] += int(size or 0)
        copies = str(sum(map(bool, claims)))
        counts["copies"][copies] = counts["copies"].get(copies, 0) + records
        counts["unclaimed"] += 0 if any(claims) else records
    return counts


def _route_report_counts(report: dict[str, Any]) -> dict[str, Any]:
    return {"records": report["records"], "bytes": report["bytes"], "rules": report["rules"],
            "copies": {n: count for n, count in report["copies"].items() if count},
            "unclaimed": report["unclaimed"]["records"]}


def _diff_counts(old: list[str], new: list[str], groups: list[tuple[Any, ...]]) -> Any:
    """changed, orphaned and per-rule gained/lost, from (old..., new..., records) groups."""
    moved: dict[str, dict[str, int]] = {}
    changed = orphaned = 0
    for *claims, records in groups:
        before = {name for name, claimed in zip(old, claims, strict=False) if claimed}
        after = {name for name, claimed in zip(new, claims[len(old):], strict=True)
                 if claimed}
        changed += records if before != after else 0
        orphaned += records if before and not after else 0
        for name in before ^ after:
            entry = moved.setdefault(name, {"gained": 0, "lost": 0})
            entry["gained" if name in after else "lost"] += records
    return changed, orphaned, moved


def _diff_report_counts(report: dict[str, Any]) -> Any:
    moved = {name: entry for name, entry in report["rules"].items()
             if entry["gained"] or entry["lost"]}
    return report["changed"], report["orphaned"]["records"], moved


def _polars_route(kind: str, path: Path) -> Callable[[], Any] | None:
    """The hand-written route query in Polars' lazy API, or None if Polars is missing."""
    try:
        import polars as pl
    except ModuleNotFoundError:
        return None

    def run() -> Any:
        schema = {"id": pl.Int128, "tag": pl.String, "public": pl.Boolean, "size": pl.Int64}
        frame = (pl.scan_ndjson(path, schema=schema) if kind == "jsonl"
                 else pl.scan_parquet(path).select(pl.col("id").cast(pl.Int128), "tag",
                                                   "public", "size"))
        m = pl.col("id") % 100  # Polars' % takes the divisor's sign, as ladle's
        lossless = (pl.col("tag") == "lossless").fill_null(False)
        public = pl.col("public").fill_null(False)
        claims = [(lossless & m.is_between(0, 47)).alias("c0"),
                  (lossless & m.is_between(48, 96)).alias("c1"),
                  (lossless & m.is_between(97, 99)).alias("c2"),
                  public.alias("c3"), public.alias("c4")]
        return (frame.select(*claims, "size")
                .group_by("c0", "c1", "c2", "c3", "c4")
                .agg(pl.len(), pl.col("size").sum()).collect())
    return run


def test_duckdb_engine(benchmark: Any, catalogs: dict[int, dict[str, Path]],
                       ruleset: rules.RuleSet, agreed: None) -> None:
    """Every contender on every catalog, interleaved round by round; medians."""
    new = rules.parse(NEW_RULES)
    names, new_names = list(ruleset.names), list(new.names)
    runs: list[tuple[str, str, int, str, bool, Callable[[], Any]]] = []
    for count in SIZES:
        for kind, path in catalogs[count].items():
            group = f"{GROUP}: {_KINDS[kind]}, {count:,} records"
            # duckdb_engine itself, not rules.route: a fallback to python must fail
            engine_route = lambda path=path: duckdb_engine.route(ruleset, path)  # noqa: E731
            engine_diff = lambda path=path: duckdb_engine.diff(ruleset, new, path)  # noqa: E731
            hand_route = _hand(_HAND_ROUTE, kind, path)
            hand_diff = _hand(_HAND_DIFF, kind, path)
            # the same counts, or the times mean nothing
            assert _route_counts(names, hand_route()) == _route_report_counts(engine_route())
            assert _diff_counts(names, new_names, hand_diff()) == _diff_report_counts(
                engine_diff())
            runs += [(f"{group}, route", "DuckDB hand-written SQL", count, kind, True,
                      hand_route),
                     (f"{group}, route", "ladle duckdb engine", count, kind, False,
                      engine_route),
                     (f"{group}, diff", "DuckDB hand-written SQL", count, kind, True,
                      hand_diff),
                     (f"{group}, diff", "ladle duckdb engine", count, kind, False,
                      engine_diff)]
            polars = _polars_route(kind, path)
            if polars is not None:
                assert _route_counts(names, polars().rows()) == _route_counts(
                    names, hand_route())
                runs.append((f"{group}, route", "Polars lazy", count, kind, False, polars))
    times: dict[int, list[float]] = {index: [] for index in range(len(runs))}

    def interleaved() -> None:
        for _ in range(ROUNDS):
            for index, (*_, run) in enumerate(runs):
                start = time.perf_counter()
                run()
                times[index].append(time.perf_counter() - start)

    benchmark.extra_info.update(internal=True)  # its own total is not a result
    benchmark.pedantic(interleaved, rounds=1, iterations=1)
    for index, (group, label, count, _, baseline, _) in enumerate(runs):
        report.RESULTS.append(report.Result(
            group=group, label=label, ns=statistics.median(times[index]) * 1e9 / count,
            rounds=len(times[index]), records=count, baseline=baseline))


def test_python_engine(benchmark: Any, catalogs: dict[int, dict[str, Path]],
                       ruleset: rules.RuleSet) -> None:
    _tag(benchmark, "ladle python engine, JSON Lines", PYTHON_RECORDS)
    small = catalogs[PYTHON_RECORDS]["jsonl"]
    report = benchmark.pedantic(python_engine.route, (ruleset, small),
                                rounds=3, iterations=1)
    assert report["records"] == PYTHON_RECORDS


def lambdas_route(path: Path) -> tuple[list[int], dict[int, int], int]:
    """The route report's counts, the way one would write it by hand for these rules."""
    claimed = [0] * len(LAMBDAS)
    copies: dict[int, int] = {}
    total_bytes = 0
    loads = orjson.loads
    with path.open("rb") as lines:
        for line in lines:
            record = loads(line)
            count = 0
            for index, rule in enumerate(LAMBDAS):
                if rule(record):
                    claimed[index] += 1
                    count += 1
            copies[count] = copies.get(count, 0) + 1
            total_bytes += record["size"]
    return claimed, copies, total_bytes


def test_lambdas(benchmark: Any, catalogs: dict[int, dict[str, Path]],
                 ruleset: rules.RuleSet) -> None:
    _tag(benchmark, "hand-written lambdas, JSON Lines", PYTHON_RECORDS)
    small = catalogs[PYTHON_RECORDS]["jsonl"]
    claimed, copies, total_bytes = benchmark.pedantic(lambdas_route, (small,),
                                                      rounds=3, iterations=1)
    expected = python_engine.route(ruleset, small)
    assert claimed == [expected["rules"][name]["records"] for name in ruleset.names]
    assert {str(n): count for n, count in copies.items()} == {
        n: count for n, count in expected["copies"].items() if count}
    assert total_bytes == expected["bytes"]
