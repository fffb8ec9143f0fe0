"""``a ?? b`` in the duckdb engine (issue 13): lowered to SQL where it is exact, giving the
python engine's report byte for byte; where it is not (a list chosen at run time), or if
the operator had no lowering, the rule goes to the python engine by construction."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from ladle import grammar, rules
from ladle.grammar import operators
from ladle.rules import duckdb_engine, python_engine
from ladle.rules.duckdb_engine import Fallback
from ladle.rules.sql import SqlUnsupported, rule_sql

COALESCE_RULES = """\
flag:    (public ?? true) == true
kept:    (public ?? 'x') == false
size:    (size ?? -1) < 0
text:    (tag ?? 'none') == 'none'
chain:   (tag ?? other ?? 'none') == 'none'
sum:     ((size ?? 0) + (id ?? 0)) % 3 == 0
lazy:    (id ?? 10 / size) > 2
guard:   missing ?? public
"""


def records() -> list[dict[str, Any]]:
    made: list[dict[str, Any]] = []
    for n in range(120):
        record: dict[str, Any] = {}
        if n % 2:
            record["public"] = [True, False, None][n % 3]
        if n % 3:
            record["size"] = n % 7 - 2
        if n % 5:
            record["tag"] = ["lossless", "", "flac"][n % 3]
        if n % 4 == 1:
            record["other"] = "o"
        if n % 6:
            record["id"] = n
        made.append(record)
    return made


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("coalesce") / "c.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records()), encoding="utf-8")
    return str(path)


def test_nil_coalescing_is_lowered_to_sql() -> None:
    columns = {"public": "BOOLEAN", "size": "BIGINT", "tag": "VARCHAR", "other": "VARCHAR",
               "id": "BIGINT"}
    for rule in rules.parse(COALESCE_RULES).rules:
        rule_sql(rule.tree, columns, source=rule.source)  # no SqlUnsupported
    sql = rule_sql(grammar.parse("(tag ?? 'none') == 'none'"), {"tag": "VARCHAR"}).claim
    assert 'WHEN ("tag" IS NULL) THEN' in sql


def test_the_engines_agree_on_nil_coalescing(catalog: str) -> None:
    ruleset = rules.parse(COALESCE_RULES)
    python = python_engine.route(ruleset, catalog, sample=5)
    assert json.dumps(duckdb_engine.route(ruleset, catalog, sample=5)) == json.dumps(python)
    claims = {name: rule["records"] for name, rule in python["rules"].items()}
    assert 0 < claims["kept"] < claims["flag"]  # false is kept, only nil falls back
    assert python["errors"]["records"] > 0  # lazy: 10 / 0 where id is missing, size 0


def test_what_sql_cannot_choose_goes_to_the_python_engine(catalog: str) -> None:
    rule = "(tag ?? (1, 2)) == 'flac'"
    with pytest.raises(SqlUnsupported, match="a list, range, empty or blank chosen"):
        rule_sql(grammar.parse(rule), {"tag": "VARCHAR"})
    ruleset = rules.parse(f"r: {rule}")
    notices: list[str] = []
    report = rules.route(ruleset, catalog, engine="duckdb", notice=notices.append)
    assert json.dumps(report) == json.dumps(python_engine.route(ruleset, catalog))
    assert notices and "chosen at run time" in notices[0]


def test_without_a_lowering_the_operator_falls_back(catalog: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    row = replace(operators.OPERATORS["??"], sql=None)  # as a new operator's row starts
    monkeypatch.setattr(operators, "OPERATORS", {**operators.OPERATORS, "??": row})
    with pytest.raises(SqlUnsupported, match=r"the operator '\?\?' has no SQL form"):
        rule_sql(grammar.parse("(tag ?? 'x') == 'x'"), {"tag": "VARCHAR"})
    ruleset = rules.parse("r: (tag ?? 'x') == 'x'")
    with pytest.raises(Fallback):
        duckdb_engine.route(ruleset, catalog)
    report = rules.route(ruleset, catalog, engine="duckdb", notice=lambda _: None)
    assert json.dumps(report) == json.dumps(python_engine.route(ruleset, catalog))


def test_the_sql_of_a_decided_side() -> None:
    # A constant decides at compile time: the other side is never lowered.
    assert rule_sql(grammar.parse("(1 ?? tag) == 1"), {"tag": "VARCHAR"}).claim == "TRUE"
    assert "tag" in rule_sql(grammar.parse("(nil ?? tag) == 'a'"), {"tag": "VARCHAR"}).claim
