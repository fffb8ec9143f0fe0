"""rules.sql.shared: the values a query's rules repeat are computed once, in both dialects,
and the query's answer is the one without sharing. (tests/rules/test_spark.py runs
``rules.to_sql``'s shared query in Spark; tests/rules/test_engines.py the duckdb
engine's.)"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from ladle import grammar, rules
from ladle.rules import python_engine
from ladle.rules.sql import DUCKDB, SPARK, Dialect, Shared, rule_sql
from ladle.rules.sql.compiler import Compiler
from ladle.rules.sql.values import Value

PLACEMENT = """\
morbo:    tag == 'lossless' && (id % 100) >=  0 && (id % 100) <= 47
linda:    tag == 'lossless' && (id % 100) >= 48 && (id % 100) <= 96
calculon: tag == 'lossless' && (id % 100) >= 97 && (id % 100) <= 99
first:    slot(id, 3) == 0
second:   slot(id, 3) == 1 && ((id % 100) * 2 + 7) > 10
third:    ((id % 100) * 2 + 7) < 150
once:     id * 3 > 10
"""
TYPES = {"id": "int", "tag": "string"}
IDS = [0, 1, 47, 48, 99, 100, -1, -7, -101, 2**63 - 1, 2**63, 2**64 - 1, 2**64, -(2**63),
       -(2**63) - 1, 10**30, -(10**30), None]


@pytest.mark.parametrize("dialect", [DUCKDB, SPARK])
def test_a_repeated_value_is_one_column(dialect: Dialect) -> None:
    query = rules.to_sql(rules.parse(PLACEMENT), dialect.name, types=TYPES)
    for value in ("id % 100", "slot(id, 3)"):
        assert query.count(_value_sql(value, dialect)) == 1, value
    # (id % 100) * 2 + 7 is shared too, in a layer above id % 100's; id * 3, used once,
    # stays in its rule
    assert query.count(" + CAST(7 AS ") == 1
    assert query.count("SELECT *, ") >= 2
    assert _value_sql("id * 3", dialect) in query.split("FROM (SELECT *, ")[0]


def _value_sql(source: str, dialect: Dialect) -> str:
    compiler = Compiler({"id": "HUGEINT"}, source, 1000, dialect)
    (text,) = compiler.value(grammar.parse(source)).slots.values()
    return text


def test_the_shared_query_answers_as_the_python_engine(tmp_path: Path) -> None:
    records = [{"id": value, "tag": tag} for value in IDS for tag in ("lossless", "lossy")]
    catalog = tmp_path / "catalog.jsonl"
    catalog.write_text("".join(json.dumps(record) + "\n" for record in records))
    ruleset = rules.parse(PLACEMENT)
    report = python_engine.route(ruleset, str(catalog))
    query = rules.to_sql(ruleset, "duckdb", catalog=str(catalog), types=TYPES)
    with duckdb.connect() as con:
        rows = con.sql(query).fetchall()
    assert len(rows) == len(records)
    names = list(ruleset.names)
    counts = {name: sum(1 for row in rows if row[index]) for index, name in enumerate(names)}
    assert counts == {name: report["rules"][name]["records"] for name in names}
    # (slot() of a nil id fails: those two records are claimed by no rule it is in)
    assert report["errors"]["records"] == 2 and counts["morbo"] > 0


def test_a_value_that_can_fail_the_query_stays_in_place() -> None:
    trees = [grammar.parse("id % 100 > 1"), grammar.parse("id % 100 < 5")]
    shared = Shared(trees, DUCKDB, "_s")
    node = grammar.parse("id % 100")
    failing = Value({"int": f"(CASE WHEN x > 1 THEN x ELSE {DUCKDB.fail('no')} END)"})
    assert shared.value(node, failing) is failing
    plain = Value({"int": "(CASE WHEN x > 1 THEN x ELSE x + 100000 END)"})
    assert shared.value(node, plain).slots == {"int": '"_s0"'}
    # a value not repeated, or short, stays
    assert shared.value(grammar.parse("id % 7"), plain) is plain
    short = Value({"int": "(x + 1)"})
    assert shared.value(node, short) is short
    assert shared.wrap("(SELECT 1 AS x)") == (
        '(SELECT *, (CASE WHEN x > 1 THEN x ELSE x + 100000 END) AS "_s0" '
        'FROM (SELECT 1 AS x) AS "_st0")')


def test_without_sharing_nothing_changes() -> None:
    sql = rule_sql(grammar.parse("(id % 100) > 1 && (id % 100) < 5"), {"id": "HUGEINT"})
    assert sql.claim.count(_value_sql("id % 100", DUCKDB)) == 2
