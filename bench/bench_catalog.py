"""Catalog suite: the five placement rules routed over a generated catalog of 10 million
records, as JSON Lines and as Parquet, by the duckdb engine and by hand-written DuckDB SQL.

The catalog is made by DuckDB itself (a few seconds, Python would take minutes) and kept
in ``.bench-data/``; ``LADLE_BENCH_RECORDS`` changes its size. ids cover the whole range
the rules must read exactly: 10% negative, 10% in [2**63, 2**64). In Parquet the ids are
DECIMAL(38,0), the one Parquet type that holds them all.

The hand-written SQL is what an operator would type into DuckDB: typed columns and plain
``%``. It is the speed reference, not a correct one (``-7 % 100`` is -7 there, 93 in
ladle), so its counts are not compared. The python engine is timed on a catalog of
``PYTHON_RECORDS`` records, against hand-written lambdas that read the same lines with
orjson and count the same things; both are reported per record like the others. Before
timing, the duckdb engine's report must equal the python engine's on that catalog.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import duckdb
import orjson
import pytest

from bench import workload
from bench.bench_expressions import LAMBDAS
from ladle import rules
from ladle.rules import duckdb_engine, python_engine

GROUP = "catalog"
RECORDS = int(os.environ.get("LADLE_BENCH_RECORDS", 10_000_000))
PYTHON_RECORDS = 1_000_000
DATA = Path(__file__).resolve().parent.parent / ".bench-data"
RULES = "\n".join(f"{name}: {source}" for name, source in workload.RULES.items())

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

_HAND_WRITTEN = """
SELECT count(*) FILTER (WHERE tag = 'lossless' AND id % 100 >= 0 AND id % 100 <= 47),
       count(*) FILTER (WHERE tag = 'lossless' AND id % 100 >= 48 AND id % 100 <= 96),
       count(*) FILTER (WHERE tag = 'lossless' AND id % 100 >= 97 AND id % 100 <= 99),
       count(*) FILTER (WHERE public = true), count(*) FILTER (WHERE public = true),
       count(*), sum(size)
FROM {source}
"""


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


def catalog_files(count: int = RECORDS) -> tuple[Path, Path]:
    """The generated catalog of ``count`` records (JSON Lines, Parquet), for other suites."""
    return _make(count, f"catalog-{count}")


@pytest.fixture(scope="module")
def catalogs() -> dict[str, Path]:
    jsonl, parquet = _make(RECORDS, f"catalog-{RECORDS}")
    small, _ = _make(PYTHON_RECORDS, f"catalog-{PYTHON_RECORDS}")
    return {"jsonl": jsonl, "parquet": parquet, "small": small}


@pytest.fixture(scope="module")
def ruleset() -> rules.RuleSet:
    return rules.parse(RULES)


def _tag(benchmark: Any, label: str, records: int, baseline: bool = False) -> None:
    benchmark.group = GROUP
    benchmark.extra_info.update(label=label, records=records, evaluations=records,
                                baseline=baseline)


@pytest.fixture(scope="module")
def agreed(catalogs: dict[str, Path], ruleset: rules.RuleSet) -> None:
    """The engines' reports are equal on the small catalog (a fixture, since
    ``--benchmark-only`` skips plain tests)."""
    expected = python_engine.route(ruleset, catalogs["small"])
    assert duckdb_engine.route(ruleset, catalogs["small"]) == expected
    assert expected["errors"]["records"] == 0 and expected["records"] == PYTHON_RECORDS


def test_hand_written_jsonl(benchmark: Any, catalogs: dict[str, Path]) -> None:
    _tag(benchmark, "DuckDB hand-written SQL, JSON Lines", RECORDS, baseline=True)
    source = (f"read_json('{catalogs['jsonl']}', format = 'newline_delimited', columns = "
              f"{{'id': 'HUGEINT', 'tag': 'VARCHAR', 'public': 'BOOLEAN', 'size': 'BIGINT'}})")
    with duckdb.connect() as con:
        row = benchmark.pedantic(lambda: con.sql(_HAND_WRITTEN.format(source=source))
                                 .fetchall()[0], rounds=3, iterations=1)
    assert row is not None and row[5] == RECORDS


def test_hand_written_parquet(benchmark: Any, catalogs: dict[str, Path]) -> None:
    _tag(benchmark, "DuckDB hand-written SQL, Parquet", RECORDS)
    source = f"read_parquet('{catalogs['parquet']}')"
    with duckdb.connect() as con:
        row = benchmark.pedantic(lambda: con.sql(_HAND_WRITTEN.format(source=source))
                                 .fetchall()[0], rounds=3, iterations=1)
    assert row is not None and row[5] == RECORDS


@pytest.mark.parametrize("kind", ["jsonl", "parquet"])
def test_duckdb_engine(benchmark: Any, catalogs: dict[str, Path], ruleset: rules.RuleSet,
                       agreed: None, kind: str) -> None:
    _tag(benchmark, f"ladle duckdb engine, {'JSON Lines' if kind == 'jsonl' else 'Parquet'}",
         RECORDS)
    # duckdb_engine itself, not rules.route: a fallback to python must fail, not be timed
    report = benchmark.pedantic(duckdb_engine.route, (ruleset, catalogs[kind]),
                                rounds=3, iterations=1)
    assert report["records"] == RECORDS and report["errors"]["records"] == 0


def test_python_engine(benchmark: Any, catalogs: dict[str, Path],
                       ruleset: rules.RuleSet) -> None:
    _tag(benchmark, "ladle python engine, JSON Lines", PYTHON_RECORDS)
    report = benchmark.pedantic(python_engine.route, (ruleset, catalogs["small"]),
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


def test_lambdas(benchmark: Any, catalogs: dict[str, Path], ruleset: rules.RuleSet) -> None:
    _tag(benchmark, "hand-written lambdas, JSON Lines", PYTHON_RECORDS)
    claimed, copies, total_bytes = benchmark.pedantic(lambdas_route, (catalogs["small"],),
                                                      rounds=3, iterations=1)
    expected = python_engine.route(ruleset, catalogs["small"])
    assert claimed == [expected["rules"][name]["records"] for name in ruleset.names]
    assert {str(n): count for n, count in copies.items()} == {
        n: count for n, count in expected["copies"].items() if count}
    assert total_bytes == expected["bytes"]
