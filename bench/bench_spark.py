"""The spark engine on the catalog suite's 10-million-record Parquet catalog, in Spark's
local mode (``local[*]``, the machine's cores), in the same group of the table as the
duckdb engine and hand-written DuckDB SQL routing that catalog (``bench_catalog``), so
that its ratio is to the hand-written query of the same run. Starting Spark (about 20 s)
is not timed; before timing, the spark engine's report must equal the duckdb engine's."""

from __future__ import annotations

from typing import Any

import pytest

from bench.bench_catalog import GROUP, RULES, SIZES, catalog_files
from ladle import rules
from ladle.rules import duckdb_engine, spark_engine, spark_session

RECORDS = max(SIZES)  # the catalog suite's largest
ROUTE_GROUP = f"{GROUP}: Parquet, {RECORDS:,} records, route"  # as bench_catalog names it


@pytest.fixture(scope="module")
def spark() -> Any:
    return spark_session.session()


def test_spark_engine_parquet(benchmark: Any, spark: Any) -> None:
    benchmark.group = ROUTE_GROUP
    benchmark.extra_info.update(label="ladle spark engine, Parquet (local[*])",
                                records=RECORDS, evaluations=RECORDS, baseline=False)
    _, parquet = catalog_files(RECORDS)
    ruleset = rules.parse(RULES)
    expected = duckdb_engine.route(ruleset, parquet)
    report = benchmark.pedantic(spark_engine.route, (ruleset, str(parquet)),
                                rounds=2, iterations=1, warmup_rounds=0)
    assert report == expected and report["records"] == RECORDS
