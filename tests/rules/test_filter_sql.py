"""Filters in the duckdb engine (issue 12): the standard filters with an exact SQL form
(rules/sql/filters.py) give the python engine's report byte for byte, on records built to
probe them (nil, negative numbers, division by zero, case changes SQL cannot follow); any
other filter, kind of value or host-defined name makes the engine hand the rules to the
python engine, saying why."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ladle import grammar, rules
from ladle.rules import duckdb_engine, python_engine
from ladle.rules.duckdb_engine import Fallback
from ladle.rules.sql import SqlUnsupported, rule_sql

FILTER_RULES = """\
down:    (tag | downcase) == 'lossless'
up:      (tag | upcase) contains 'SS'
size:    (tag | size) > 4
plus:    (id | plus: 3) % 10 == 0
minus:   (id | minus: size) < 0
times:   (id | times: -2) > -50
div:     (id | divided_by: 7) == 2
divzero: (id | divided_by: (size - size)) > 1
mod:     (id | modulo: -3) == -1
abs:     (id | abs | modulo: 5) == 2
append:  ((tag | downcase) | append: '!') == 'flac!'
prepend: (('x' | prepend: 'a') | size) == 2
chain:   (id | plus: 1 | times: 2 | minus: 4 | abs) > 10
const:   ('ABC' | downcase | size) == 3
list:    ((1, 2, id) | size) == 3
range:   ((1..id) | size) > 5
strip:   (tag | strip) == 'flac' || (pad | strip | size) == 3
default: (tag | default: 'none') == 'none' || (pad | default: id) == 5
defint:  (size | default: 7) == 0
"""

TAGS = ["lossless", "LOSSLESS", "Lossless", "flac", "FLAC", "straße", "İstanbul", "",
        "ǅ", "σς"]
PADS = ["  abc ", "\u3000abc\u2029", "abc", "", " \t\n", "a b c", "\x1cabc\x85"]


def records(count: int) -> list[dict[str, Any]]:
    made: list[dict[str, Any]] = []
    for n in range(count):
        record: dict[str, Any] = {"id": (n * 37) % 61 - 20, "size": n % 5}
        if n % 7:
            record["tag"] = TAGS[n % len(TAGS)]
        if n % 5:
            record["pad"] = PADS[n % len(PADS)]
        if n % 11 == 0:
            del record["id"]
        made.append(record)
    return made


def write(path: Path, lines: list[dict[str, Any]]) -> str:
    path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines),
                    encoding="utf-8")
    return str(path)


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> str:
    return write(tmp_path_factory.mktemp("filters") / "c.jsonl", records(400))


def test_rules_with_filters_compile_to_sql() -> None:
    columns = {"tag": "VARCHAR", "id": "HUGEINT", "size": "HUGEINT"}
    for rule in rules.parse(FILTER_RULES).rules:
        rule_sql(rule.tree, columns, source=rule.source)  # no SqlUnsupported


def test_the_engines_agree_on_rules_with_filters(catalog: str) -> None:
    ruleset = rules.parse(FILTER_RULES)
    without_case = rules.parse("\n".join(line for line in FILTER_RULES.splitlines()
                                         if "case" not in line))
    with pytest.raises(Fallback, match="cannot read this catalog exactly"):
        duckdb_engine.route(ruleset, catalog, sample=5)  # 'İ' and 'ß': see below
    python = python_engine.route(without_case, catalog, sample=5)
    assert json.dumps(duckdb_engine.route(without_case, catalog, sample=5)) == json.dumps(
        python)
    assert python["errors"]["records"] > 0  # divzero fails on some records
    changed = rules.parse("\n".join(line.replace("plus: 3", "plus: 4")
                                     for line in FILTER_RULES.splitlines() if "case" not in line))
    diff = duckdb_engine.diff(without_case, changed, catalog, sample=5)
    assert diff["changed"] > 0
    assert json.dumps(diff) == json.dumps(python_engine.diff(without_case, changed, catalog,
                                                             sample=5))


def test_case_changes_sql_cannot_follow_hand_the_catalog_over(catalog: str) -> None:
    # 'İ' lower-cases to two characters in Python: the query aborts, the python engine runs
    ruleset = rules.parse("down: (tag | downcase) == 'i̇stanbul'")
    with pytest.raises(Fallback, match="cannot read this catalog exactly"):
        duckdb_engine.route(ruleset, catalog)
    plain = write(Path(catalog).with_name("plain.jsonl"),
                  [{"tag": tag} for tag in ("LOSSLESS", "Flac", "", "ÉTÉ")] + [{}])
    assert json.dumps(duckdb_engine.route(ruleset, plain)) == json.dumps(
        python_engine.route(ruleset, plain))
    upper = rules.parse("up: (tag | upcase) == 'ÉTÉ'\nsz: (tag | downcase | size) == 0")
    report = duckdb_engine.route(upper, plain)
    assert json.dumps(report) == json.dumps(python_engine.route(upper, plain))
    assert report["rules"]["up"]["records"] == 1 and report["rules"]["sz"]["records"] == 2


@pytest.mark.parametrize(("rule", "columns", "reason"), [
    ("(tag | rstrip) == 'a'", {"tag": "VARCHAR"}, "the filter 'rstrip' has no SQL form"),
    ("(tag | default: (1, 2)) == 'a'", {"tag": "VARCHAR"}, "the filter 'default' on"),
    ("(score | plus: 1) > 1", {"score": "DOUBLE"}, "the filter 'plus' on float, int, nil"),
    ("(tag | append: other) == 'a'", {"tag": "VARCHAR", "other": "VARCHAR"},
     "the filter 'append' on nil, str"),
    ("(tag | downcase: 1) == 'a'", {"tag": "VARCHAR"}, "the filter 'downcase' has no SQL"),
    ("(j | size) > 1", {"j": "JSON"}, "the filter 'size' on bool, float, int, nil, str"),
])
def test_filters_sql_cannot_follow_fall_back(rule: str, columns: dict[str, str],
                                             reason: str) -> None:
    with pytest.raises(SqlUnsupported, match=reason):
        rule_sql(grammar.parse(rule), columns)


def test_a_host_s_own_filter_or_function_is_never_lowered(catalog: str) -> None:
    def plus(value: Any, other: Any) -> Any:
        return 0

    mine = rules.parse("a: (id | plus: 1) == 0\nb: abs(id) == 0", filters={"plus": plus},
                       functions={"abs": lambda value: 0})
    with pytest.raises(Fallback, match="'plus' has no SQL form"):
        duckdb_engine.route(mine, catalog)
    notices: list[str] = []
    report = rules.route(mine, catalog, engine="duckdb", notice=notices.append)
    assert report["rules"]["a"]["records"] == report["records"]  # the host's plus: 0
    assert notices and "'plus' has no SQL form" in notices[0]


ARITHMETIC = st.sampled_from(["plus", "minus", "times", "divided_by", "modulo"])
OPERAND = st.one_of(st.integers(-300, 300), st.sampled_from(["id", "size"]),
                    st.just(2**80))


@st.composite
def filter_rules(draw: st.DrawFn) -> str:
    lines = []
    for n in range(draw(st.integers(1, 4))):
        steps = " | ".join(f"{draw(ARITHMETIC)}: {draw(OPERAND)}"
                           for _ in range(draw(st.integers(1, 3))))
        tail = draw(st.sampled_from(["", " | abs"]))
        lines.append(f"r{n}: (id | {steps}{tail}) {draw(st.sampled_from(['<', '==', '>']))} "
                     f"{draw(st.integers(-50, 50))}")
    return "\n".join(lines) + "\n"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=filter_rules())
def test_random_arithmetic_filter_rules_agree(catalog: str, text: str) -> None:
    ruleset = rules.parse(text)
    try:
        duckdb = duckdb_engine.route(ruleset, catalog, sample=3)
    except Fallback as reason:  # only where SQL's integers run out
        assert "cannot read this catalog exactly" in str(reason), (text, reason)
        return
    assert json.dumps(duckdb) == json.dumps(python_engine.route(ruleset, catalog, sample=3))
