"""rules/sql/: rules compiled to DuckDB SQL agree with the python engine, record by record.

Each rule of a corpus runs through ``grammar.compile(rule).evaluate(record)`` (truthy: the
rule claims the record; ``EvaluationError``: an error) and through DuckDB over the same
records read by ``read_json`` with explicit column types, and the two must agree exactly.
The SQL may instead make the query fail, but only on a record it cannot represent (an
integer beyond 128 bits, a nested JSON value, a case mapping DuckDB does not reproduce):
``legitimate_failure`` checks that, independently of the compiler.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ladle import grammar
from ladle.grammar.nodes import (
    Binary,
    Call,
    Literal,
    Name,
    Node,
    RangeLiteral,
    RootIndex,
    unparse,
    walk,
)
from ladle.rules.duckdb_engine import infer_columns
from ladle.rules.sql import (
    ABORT_MESSAGE,
    SqlUnsupported,
    error_sql,
    quote_identifier,
    quote_string,
    rule_sql,
    to_sql,
)

HUGE = 2**127

TYPED = {
    "id": "HUGEINT", "tag": "VARCHAR", "public": "BOOLEAN", "size": "BIGINT",
    "score": "DOUBLE", "path": "VARCHAR", "k": "BIGINT", "n": "BIGINT", "u": "UBIGINT",
}
JSON_COLUMNS = dict.fromkeys(TYPED, "JSON")

# Records as JSON text (so that 1e400 and big integers are written exactly as given).
CLEAN_RECORDS = [
    '{"id": 8214420917724407091, "tag": "lossless", "public": false, "size": 48213120, '
    '"path": "a/b.flac", "score": 0.5, "k": 3, "n": 1024}',
    '{"id": 5, "tag": "lossless", "u": 18446744073709551615}',
    '{"id": -7, "tag": "lossless", "public": true, "u": 0}',
    '{"id": 0, "tag": "lossy", "public": null, "size": null, "u": null}',
    '{"id": 9223372036854775808, "tag": "lossless", "k": -3, "u": 9223372036854775808}',
    '{"id": 18446744073709551615, "tag": "LOSSLESS", "k": 0, "n": 0, "u": 1023}',
    '{"id": -9223372036854775808, "tag": "lossIess", "n": -5}',
    '{"id": 1234, "tag": "lossless "}',
    '{"tag": "lossless"}',
    "{}",
    '{"id": 47, "tag": "l\\u043essless", "public": true, "score": -0.0}',
    '{"id": 97, "tag": "flac", "score": 1e16, "size": 0}',
    '{"id": 100, "tag": "", "score": -2.5, "k": -1}',
    '{"id": 12345, "tag": "\\u00df stra\\u00dfe", "score": 0.1, '
    '"path": "\\u0130stanbul/\\u0391\\u03a3.txt"}',
    '{"id": 1, "tag": "12", "score": 12.0, "path": "  \\t "}',
    '{"id": 4611686018427387904, "tag": "a\'b\\"c\\\\d", "score": 1e308, '
    '"size": 9223372036854775807}',
    '{"id": 7, "score": 7.0, "k": 2, "n": 7}',
    '{"id": 99, "tag": "lossless", "public": false, "score": 1e-7, "size": -1}',
    '{"id": -1, "tag": "lossless", "score": 1e400}',
    '{"id": 170141183460469231731687303715884105727, "tag": "max"}',
    '{"id": -170141183460469231731687303715884105728, "tag": "min", "k": -1}',
    '{"id": 9007199254740993, "score": 9007199254740992.0}',
    '{"id": 9007199254740992, "score": 9007199254740992.0, "n": 3}',
    '{"id": 3, "tag": "\\u0391\\u03a3", "path": "\\u01f0"}',
    '{"id": 10, "score": 2.5, "k": 4, "size": 3, "n": 1}',
    '{"id": 18446744073709551615, "score": 1.8446744073709552e19}',
    '{"id": 2, "tag": "\\ud83d\\ude00 emoji", "path": "x/y.wav", "public": true}',
    '{"id": -100, "score": -1e-300, "k": 7, "n": 16, "tag": "flac"}',
]

WILD_RECORDS = [
    '{"id": "8214420917724407091", "tag": "lossless"}',
    '{"id": "12", "tag": 5}',
    '{"id": 12.0, "tag": true, "public": "true"}',
    '{"id": 1.5, "tag": 1.5, "public": 1}',
    '{"id": true, "tag": null, "public": 0, "size": "100"}',
    '{"id": -0.0, "k": -0.0, "size": 1.5e3}',
    '{"id": 1e400, "k": 0.0, "n": 1024.0}',
    '{"id": 1267650600228229401496703205376, "k": "0", "n": true}',
    '{"id": 1606938044258990275541962092341162602522202993782792835301376}',
    '{"id": [1, 2], "tag": "lossless"}',
    '{"id": {"a": 1}, "tag": "flac"}',
    '{"id": 5, "tag": ["lossless"]}',
    '{"id": 5, "tag": "lossless", "public": [], "score": "0.5"}',
    '{"id": 6, "tag": "", "public": false, "score": false, "k": false}',
    '{"id": 7, "tag": "7", "score": 7, "k": 2.0, "n": 3.5}',
    '{"id": 2.5e-5, "path": 7, "size": -2}',
    '{"id": 0, "path": null, "score": 1e20, "n": -16}',
]

RULES = [
    # the rule file of rules.md
    "tag == 'lossless' && (id % 100) >= 0 && (id % 100) <= 47",
    "tag == 'lossless' && (id % 100) >= 48 && (id % 100) <= 96",
    "tag == 'lossless' && (id % 100) >= 97 && (id % 100) <= 99",
    "public == true",
    # slot
    "slot(id, 1024) in (0..490)",
    "slot(id, 1024) in (491..1023)",
    "slot(tag, 16) == 3",
    "slot(path, 7) < 3",
    "slot(id, n) == 0",
    "slot(id, k) >= 0",
    "slot(score, 4) == 1",
    "slot(public, 2) == 0",
    "slot(id, 18446744073709551616) >= 0",
    "slot(id, 18446744073709551615) < 9223372036854775808",
    "slot(id, 1) == 0",
    "slot(id, 0) == 0",
    "slot(id, -1) == 0",
    "slot(id, 1.5) == 0",
    "slot(id, true) == 0",
    "slot('abc', 1024) == 944",
    "slot(12345, 1024) == 108",
    "slot(12345, n) == 108",
    "slot(id, 1024) == slot(id * 1, 1024)",
    "slot(tag, 1024) in (0..511) || slot(id, 1024) in (512..1023)",
    "slot(id, 100) == id % 100",
    "slot(nil, 4) == 0",
    # equality
    "id == 5",
    "id == 5.0",
    "id == '5'",
    "tag == 12",
    "tag == '12'",
    "score == 12",
    "score == id",
    "id != score",
    "id == nil",
    "id != nil",
    "tag == nil",
    "nil == nil",
    "public == false",
    "public != true",
    "public == 1",
    "id == true",
    "tag == empty",
    "tag == blank",
    "path == blank",
    "id == empty",
    "public == blank",
    "size == blank",
    "size != empty",
    "id == 18446744073709551615",
    "id == 170141183460469231731687303715884105728",
    "id == -9223372036854775808",
    "score == 9007199254740993",
    "score == 18446744073709551615",
    "score == 1e16",
    "score == -0.0",
    "score == 0",
    "id == 2.5",
    "id <> 7",
    "(1, 2) == (1, 2.0)",
    "tag == ('a',)",
    "k == -1",
    "id == -7",
    "tag == 'lossIess'",
    "tag == 'l\\u043essless'",
    "tag == \"a'b\\\"c\\\\d\"",
    "tag == '\U0001f600 emoji'",
    "public == public",
    "id == k",
    "tag == path",
    # ordering
    "id < 100",
    "id <= 47",
    "id > 2.5",
    "id >= 2.5",
    "id < score",
    "score <= id",
    "score > id",
    "id >= score",
    "tag < 'm'",
    "tag >= 'lossless'",
    "tag > 12",
    "size > 1000",
    "id < nil",
    "public < true",
    "score < 1e16",
    "k <= 0",
    "tag < path",
    "id > 9223372036854775807",
    "id < -9223372036854775808",
    "id < 170141183460469231731687303715884105728",
    "id > -170141183460469231731687303715884105729",
    "score < 170141183460469231731687303715884105728",
    "score < 9007199254740993",
    "score > 9007199254740993",
    "score >= 9007199254740992",
    "id <= 9007199254740992.0",
    "id > 1.8446744073709552e19",
    "id < 1.8446744073709552e19",
    "score > 1e308",
    "id < 0.5",
    "id >= -0.5",
    # ?? (nil-coalescing): only nil falls back, false and 0 are kept
    "(public ?? true) == true",
    "(size ?? -1) < 0",
    "(tag ?? path ?? 'none') == 'none'",
    "(score ?? k ?? 0) > 0.5",
    "(missing ?? id) == 5",
    "(id ?? 1 / 0) > 0",
    "k ?? public",
    "((k ?? size) + 1) % 2 == 0",
    "(tag ?? public) == false",
    # contains and in
    "tag contains 'loss'",
    "tag contains ''",
    "path contains '/'",
    "tag contains 1",
    "tag contains 2.5",
    "path contains id",
    "tag contains score",
    "tag contains nil",
    "tag contains true",
    "tag in ('lossless', 'flac')",
    "tag in ('lossless',)",
    "id in (5, 7, 97)",
    "id in (5.0, 7)",
    "score in (0.5, 12)",
    "id in (0..100)",
    "id in (-10..10)",
    "score in (0..20)",
    "k in (size..id)",
    "id in (k..n)",
    "id in (0..score)",
    "id contains 5",
    "public contains true",
    "nil contains 'x'",
    "size contains 1",
    "(1..10) contains k",
    "('a', 'b') contains tag",
    "'lossless flac' contains tag",
    "tag in 'lossless flac'",
    "id in (nil..10)",
    "id in (1.5..10)",
    "id in (tag..10)",
    "5 in (id..n)",
    "tag in (id, 'lossless')",
    "id in (18446744073709551615, -7)",
    "empty in (tag, 1)",
    "tag in (empty, blank)",
    "id in (0..170141183460469231731687303715884105728)",
    # arithmetic
    "id % 100 == 93",
    "(id % 100) < 50",
    "id % -100 > -50",
    "id % k == 0",
    "id % n >= 0",
    "id % score > 1",
    "score % 1 == 0.5",
    "score % -2 < 0",
    "score % 2 == 0",
    "id / 3 == 2",
    "id / -3 < 0",
    "id / k > 0",
    "id / 0",
    "id / score > 1",
    "score / 2 > 1",
    "id * 2 > 100",
    "id * score > 0",
    "id + 1 > 0",
    "id - 1 < 0",
    "size + 1 == 1",
    "nil + 1 == 1",
    "id + nil == id",
    "tag + 's' == 'losslesss'",
    "tag + path",
    "tag + 1",
    "id + tag",
    "score * 10 > 1e300",
    "score + score > 0",
    "-id < 0",
    "-score <= 0",
    "-tag",
    "-public",
    "-size == 0",
    "-(-7) % 100 == 7",
    "id % 1 == 0",
    "id % -1 == 0",
    "id / 1 == id",
    "id / -1 == -id",
    "(id + 0.5) % 1 == 0.5",
    "size % 0 == 0",
    "id % 0.0",
    "k / 2 == -1",
    "id * 1.5 == 1.5 * id",
    "1 / 3 == 0",
    "-7 % 100 == 93",
    "-7 / 2 == -4",
    "score / 0.0",
    "id / n",
    "id % (k - k)",
    "(id * id) % 1000 == 1",
    "score - id < 0",
    "id * 0.0 == 0",
    "(id + 0.0) == id",
    "(id * 1.0) % 7 == id % 7",
    # modulo computed in 64 bits where that is exact (BIGINT, UBIGINT, HUGEINT columns)
    "size % 7 == 3",
    "size % -7 == -3",
    "k % 3 == 2",
    "k % -3 == -1",
    "n % 4611686018427387903 >= 0",
    "n % 4611686018427387904 >= 0",
    "u % 100 == 15",
    "u % 1024 < 490",
    "u % -7 == -3",
    "u % 18446744073709551615 == 0",
    "u % 18446744073709551616 > 5",
    "u / 2 > 5",
    "u + 1 > 0",
    "slot(u, 1024) in (0..490)",
    "id % 18446744073709551615 > 0",
    "id % 18446744073709551616 > 0",
    "(u % 100) + (id % 100) + (size % 100) > 100",
    "id / 2.0 == id / 2",
    "1e308 * 10",
    # logic
    "tag && id",
    "id && tag",
    "size || 'default'",
    "(size || 5) > 3",
    "(tag || 5) == 5",
    "(nil || tag) == tag",
    "public && size",
    "(public && size) == nil",
    "public || tag == 'lossless'",
    "public and tag == 'lossless' or size > 0",
    "not public and id > 5",
    "tag == 'lossless' and id % 2 == 0",
    "size or k",
    "(public || public) == false",
    "(k && score) == score",
    "false && (id / 0)",
    "true || (id / 0)",
    "size && (id / size) > 1",
    "k != nil && (100 / k) > 10",
    "k == nil || (100 / k) > 10",
    "!public",
    "not public",
    "!id",
    "not tag == 'x'",
    "!!size",
    "!(id % 2 == 0)",
    "(public ? 1 : 2) == 1",
    "public ? id % 2 == 0 : tag == 'lossless'",
    "size ? size > 100 : nil",
    "(tag ? tag : 'none') == 'none'",
    "tag == 'x' ? 1 / 0 : true",
    "(score ? score : id) > 0",
    "(id ? tag : score) == tag",
    "public ? (k ? 100 / k : 0) > 1 : false",
    "(id > 5 && tag) == 'lossless'",
    "(id > 5 || tag) == 'lossless'",
    "(public && k) + 1 > 0",
    # functions, members, indexes
    "len(tag) > 3",
    "len(tag) == 0",
    "len(path) == 2",
    "len(id)",
    "len(nil) == 0",
    "len(('a', 'b')) == 2",
    "len((1..k)) == k",
    "abs(id) > 5",
    "abs(score) == 2.5",
    "abs(k) == 1",
    "abs(tag)",
    "abs(nil) == 0",
    "abs(id) == id",
    "min(id, 100) == id",
    "max(id, score) > 0",
    "min(id, score) == id",
    "min(tag, 'm') == tag",
    "max(tag, path) == path",
    "min(id, tag)",
    "min(5, 5.0) == 5",
    "min((1..k)) == 1",
    "max((k..5)) == 5",
    "min(id) == id",
    "min(nil)",
    "max(('b', tag)) == tag",
    "max(id, score, k) >= k",
    "min(score, id) / 2 == 0",
    "lower(tag) == 'lossless'",
    "upper(tag) == 'LOSSLESS'",
    "lower(path) contains 'i'",
    "upper(path) == 'X'",
    "upper(tag) contains 'SS'",
    "lower(id)",
    "startswith(path, 'a/')",
    "endswith(path, '.flac')",
    "startswith(tag, '')",
    "startswith(id, '1')",
    "endswith(tag, nil)",
    "startswith(tag, tag)",
    "tag.size > 3",
    "id.size == nil",
    "path['size'] == len(path)",
    "tag[0] == nil",
    "tag[path] == nil",
    "tag[tag] == nil",
    '["tag"] == \'lossless\'',
    "['id'] % 100 == 5",
    "[1] == nil",
    "(1, 2, 3)[1] == 2",
    "(1, tag)[1] == tag",
    "(1, tag).last == tag",
    "(tag, 1).first == tag",
    "(1..5).size == 5",
    "('a', 'b').size == 2",
    "(tag, id)[-2] == tag",
    "(tag, id)[5] == nil",
    "(tag, id)['size'] == 2",
]


# -- evaluation on both sides ---------------------------------------------------------


@functools.cache
def _compiled(rule: str) -> grammar.Expression:
    return grammar.compile(rule)


def python_outcome(rule: str, record: Mapping[str, Any]) -> str:
    """'claim', 'none' or 'error', as the python engine decides."""
    try:
        value = _compiled(rule).evaluate(record)
    except grammar.EvaluationError:
        return "error"
    return "claim" if grammar.truthy(value) else "none"


def _outcome(claim: Any, error: Any) -> str:
    assert isinstance(claim, bool) and isinstance(error, bool), (claim, error)
    assert not (claim and error)
    return "error" if error else "claim" if claim else "none"


def _subvalues(tree: Node, record: Mapping[str, Any]) -> Iterator[tuple[Node, Any]]:
    """Every sub-expression with its value on ``record`` (those that raise are skipped)."""
    for node in walk(tree):
        try:
            yield node, grammar.evaluate(unparse(node), dict(record))
        except grammar.ExpressionError:
            continue


def _unsafe_case(text: str, function: str) -> bool:
    method = str.lower if function == "lower" else str.upper
    return any(len(method(ch)) != 1 or (function == "lower" and ch == "\u03a3") for ch in text)


def legitimate_failure(tree: Node, record: Mapping[str, Any]) -> bool:
    """Whether the SQL may fail on this record: some part of the rule reads or makes a
    value the SQL cannot represent. Checked from the rule and the record alone."""
    for node, value in _subvalues(tree, record):
        if isinstance(value, (list, dict)) and isinstance(node, (Name, RootIndex)):
            return True
        if type(value) is int and not -HUGE <= value < HUGE:
            return True
        if isinstance(node, Call) and node.name in ("lower", "upper"):
            argument = grammar.evaluate(unparse(node.args[0]), dict(record))
            if isinstance(argument, str) and _unsafe_case(argument, node.name):
                return True
        if isinstance(node, RangeLiteral):
            for bound in (node.start, node.stop):
                try:
                    number = grammar.evaluate(unparse(bound), dict(record))
                except grammar.ExpressionError:
                    continue
                if isinstance(number, float) and math.isfinite(number) and \
                        abs(number) >= HUGE:
                    return True
    return False


class Catalog:
    """Records written as JSON Lines and read by DuckDB with explicit column types."""

    def __init__(self, connection: duckdb.DuckDBPyConnection, path: Path,
                 lines: Sequence[str], columns: Mapping[str, str]) -> None:
        self.connection = connection
        self.columns = dict(columns)
        self.records = [json.loads(line) for line in lines]
        with path.open("w", encoding="utf-8") as out:
            for number, line in enumerate(lines):
                body = line.strip()[1:].strip()
                joined = f'{{"_line": {number}' + ("}" if body == "}" else ", " + body)
                out.write(joined + "\n")
        types = ", ".join(f"{quote_string(name)}: {quote_string(kind)}"
                          for name, kind in {"_line": "BIGINT", **self.columns}.items())
        self.table = "catalog_" + path.stem.replace("-", "_")
        connection.execute(
            f"CREATE OR REPLACE TABLE {self.table} AS SELECT * FROM read_json("
            f"{quote_string(str(path))}, format = 'newline_delimited', "
            f"columns = {{{types}}})")

    def _rows(self, select: str, where: str = "TRUE") -> list[tuple[Any, ...]]:
        query = f"SELECT _line, {select} FROM {self.table} WHERE {where} ORDER BY _line"
        return self.connection.sql(query).fetchall()

    def outcomes(self, tree: Node) -> list[str]:
        """Per record 'claim', 'none', 'error', or 'failed' where the query failed."""
        sql = rule_sql(tree, self.columns)
        try:
            rows = self._rows(f"{sql.claim}, {sql.error}")
        except duckdb.Error as error:
            self._check_failure(error)
        else:
            return [_outcome(claim, error) for _, claim, error in rows]
        # The records the SQL gives up on, then the others; record by record if need be.
        results = ["failed"] * len(self.records)
        try:
            aborted = {line for line, flag in self._rows(f"COALESCE({sql.abort}, FALSE)")
                       if flag}
            kept = self._rows(f"{sql.claim}, {sql.error}",
                              f"NOT COALESCE({sql.abort}, FALSE)")
        except duckdb.Error:
            aborted, kept = set(), []
            for number in range(len(self.records)):
                try:
                    kept += self._rows(f"{sql.claim}, {sql.error}", f"_line = {number}")
                except duckdb.Error as error:
                    self._check_failure(error)
        for line, claim, raised in kept:
            assert line not in aborted
            results[line] = _outcome(claim, raised)
        return results

    @staticmethod
    def _check_failure(error: duckdb.Error) -> None:
        text = str(error)
        assert ABORT_MESSAGE in text or "Overflow" in text, text

    def compare(self, rule: str, outcomes: list[str] | None = None) -> tuple[int, int]:
        """Assert agreement on every record; return (records agreed, records failed)."""
        tree = grammar.parse(rule)
        got = self.outcomes(tree) if outcomes is None else outcomes
        agreed = failed = 0
        for record, outcome in zip(self.records, got, strict=True):
            if outcome == "failed":
                assert legitimate_failure(tree, record), (rule, record)
                failed += 1
                continue
            expected = python_outcome(rule, record)
            assert outcome == expected, (rule, record, outcome, expected,
                                         to_sql(tree, self.columns))
            agreed += 1
        return agreed, failed

    def compare_all(self, rules: Sequence[str], batch: int = 25) -> int:
        """``compare`` every rule, many in one query; return the records failed.

        Each rule gives three columns: its ``abort`` condition, and its claim and error
        where that is FALSE (the outer CASE keeps DuckDB from reaching ``error()``)."""
        failed = 0
        for first in range(0, len(rules), batch):
            chunk = rules[first:first + batch]
            parts = []
            for rule in chunk:
                sql = rule_sql(grammar.parse(rule), self.columns)
                stop = f"COALESCE({sql.abort}, FALSE)"
                parts += [stop, f"(CASE WHEN {stop} THEN NULL ELSE {sql.claim} END)",
                          f"(CASE WHEN {stop} THEN NULL ELSE {sql.error} END)"]
            try:
                rows = self._rows(", ".join(parts))
            except duckdb.Error as error:  # an integer beyond 128 bits somewhere: bisect
                self._check_failure(error)
                if len(chunk) == 1:
                    failed += self.compare(chunk[0])[1]
                else:
                    half = len(chunk) // 2
                    failed += self.compare_all(chunk[:half], half)
                    failed += self.compare_all(chunk[half:], half)
                continue
            for index, rule in enumerate(chunk):
                got = ["failed" if row[1 + 3 * index] else
                       _outcome(row[2 + 3 * index], row[3 + 3 * index]) for row in rows]
                failed += self.compare(rule, got)[1]
        return failed


@pytest.fixture(scope="module")
def connection() -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect()
    yield con
    con.close()


@pytest.fixture(scope="module")
def catalogs(connection: duckdb.DuckDBPyConnection,
             tmp_path_factory: pytest.TempPathFactory) -> dict[str, Catalog]:
    folder = tmp_path_factory.mktemp("catalogs")
    return {
        # every clean record read by typed columns, and every record (the clean ones
        # too) read by JSON columns
        "typed": Catalog(connection, folder / "typed.jsonl", CLEAN_RECORDS, TYPED),
        "wild": Catalog(connection, folder / "wild.jsonl", CLEAN_RECORDS + WILD_RECORDS,
                        JSON_COLUMNS),
    }


# -- the differential test --------------------------------------------------------------


def test_corpus_is_valid() -> None:
    assert len(RULES) == len(set(RULES))
    for rule in RULES:
        grammar.compile(rule)
    for line in CLEAN_RECORDS + WILD_RECORDS:
        assert isinstance(json.loads(line), dict)
    assert infer_columns(json.loads(line) for line in CLEAN_RECORDS) == TYPED


# Corpus rules refused with SqlUnsupported: a three-way max over JSON columns, whose
# every value may be an int or a float, grows beyond MAX_SQL_LENGTH.
EXPECTED_UNSUPPORTED = {"typed": set(), "wild": {"max(id, score, k) >= k"}}


@pytest.mark.parametrize("catalog", ["typed", "wild"])
def test_every_rule_agrees_with_python(catalogs: dict[str, Catalog], catalog: str) -> None:
    chosen = catalogs[catalog]
    outcomes: dict[str, int] = {}
    unsupported = set()
    supported = []
    for rule in RULES:
        try:
            to_sql(grammar.parse(rule), chosen.columns)
        except SqlUnsupported:
            unsupported.add(rule)
            continue
        supported.append(rule)
        for record in chosen.records:
            kind = python_outcome(rule, record)
            outcomes[kind] = outcomes.get(kind, 0) + 1
    assert unsupported == EXPECTED_UNSUPPORTED[catalog]
    failed = chosen.compare_all(supported)
    # The corpus exercises all three outcomes, and the SQL rarely has to give up.
    assert min(outcomes.values()) > 500, outcomes
    # (the wild records include five whose id or tag SQL cannot hold: lists, objects,
    # integers beyond 2**127)
    budget = 0.06 if catalog == "wild" else 0.01
    assert failed < budget * len(RULES) * len(chosen.records), failed


def test_failures_are_only_the_unrepresentable(catalogs: dict[str, Catalog]) -> None:
    typed = catalogs["typed"]
    # Integers beyond 128 bits: ladle computes them, SQL stops the query.
    assert typed.compare("id * id > 0")[1] > 0
    assert typed.compare("(id + 1) % 7 >= 0")[1] == 1  # only 2**127 - 1
    assert typed.compare("id + 1 > 0")[1] == 0  # DuckDB reads it as id > -1: no overflow
    # Nested values and too large integers in a JSON column.
    assert catalogs["wild"].compare("id == 5")[1] == 3
    assert catalogs["wild"].compare("tag == 'lossless'")[1] == 1
    # Case mappings DuckDB does not reproduce (ß, İ, ΑΣ): only those records.
    assert typed.compare("upper(tag) == 'X'")[1] == 1  # ß
    assert typed.compare("lower(path) == 'x'")[1] == 1  # İ, Σ
    assert typed.compare("upper(path) == 'X'")[1] == 1  # ǰ


# -- the two traps of rules.md, and slot vectors ----------------------------------------------


def _scalar(connection: duckdb.DuckDBPyConnection, rule: str,
            columns: Mapping[str, str], row: str) -> Any:
    tree = grammar.parse(rule)
    sql = rule_sql(tree, columns)
    return connection.sql(f"SELECT {sql.claim}, {sql.error} FROM ({row})").fetchall()[0]


@pytest.mark.parametrize("column", ["HUGEINT", "BIGINT", "INTEGER", "JSON"])
def test_modulo_takes_the_sign_of_the_divisor(connection: duckdb.DuckDBPyConnection,
                                              column: str) -> None:
    row = f"SELECT CAST(-7 AS {column}) AS id, CAST(-100 AS {column}) AS k"
    for rule in ("id % 100 == 93", "id % -100 == -7", "id % k == -7", "-id % k == -93",
                 "id / 100 == -1", "id / k == 0", "7 % -100 == -93", "-7 % 100 == 93"):
        assert _scalar(connection, rule, {"id": column, "k": column}, row) == (True, False)
    assert connection.sql("SELECT -7 % 100").fetchall() == [(-7,)]  # SQL's own answer


@pytest.mark.parametrize("key", [0, 1, 12345, -1, -7, 2**63 - 1, 2**63, 2**64 - 1, -(2**63),
                                 2**127 - 1, -(2**127), "abc", "", "lossless", "ß", "\U0001f600"])
@pytest.mark.parametrize("count", [1, 7, 1024, 2**32 + 15, 2**64 - 59, 2**64 + 1])
def test_slot_matches_python(connection: duckdb.DuckDBPyConnection, key: int | str,
                             count: int) -> None:
    expected = grammar.slot(key, count)
    if isinstance(key, str):
        types = ["VARCHAR", "JSON"]
    else:
        types = ["HUGEINT"] + (["UBIGINT"] if 0 <= key < 2**64 else []) + \
            (["BIGINT"] if -(2**63) <= key < 2**63 else [])
    for column in types:
        literal = quote_string(json.dumps(key) if column == "JSON" else str(key))
        row = f"SELECT CAST({literal} AS {column}) AS key, CAST({count} AS HUGEINT) AS n"
        for rule in (f"slot(key, {count}) == {expected}", f"slot(key, n) == {expected}",
                     f"slot(key, {count}) != {expected}"):
            claim, error = _scalar(connection, rule, {"key": column, "n": "HUGEINT"}, row)
            assert (claim, error) == ("!=" not in rule, False), (rule, column)


def test_slot_vectors() -> None:
    assert grammar.slot(12345, 1024) == 108
    assert grammar.slot("abc", 1024) == 944


def test_duckdb_casts_hugeint_to_plain_digits(connection: duckdb.DuckDBPyConnection) -> None:
    for value in (2**64 - 1, -(2**63), 2**127 - 1, -(2**127), 0, -1):
        rows = connection.sql(f"SELECT CAST(CAST({value} AS HUGEINT) AS VARCHAR)").fetchall()
        assert rows == [(str(value),)]


# -- the API ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("rule", "where"), [
    ("tag | rstrip", 6),
    ("round(score) == 1", 0),
    ("str(id) == '5'", 0),
    ("frob(id)", 0),
    ("[tag] == 1", 0),
    ("(public ? (1, 2) : 3) == 3", 1),
    ("id + 170141183460469231731687303715884105728 > 0 && 1", 0),
    ("(k..n) == (1..2)", 0),
    ("x == 1", 0),
    ("(public ? 100000000000000000000000000000000000000000 : 1) == 1", 1),
    ("max(id, 100000000000000000000000000000000000000000) > 0", 0),
])
def test_unsupported_constructs(rule: str, where: int) -> None:
    columns = {**TYPED, "x": "DATE"}
    with pytest.raises(SqlUnsupported) as caught:
        to_sql(grammar.parse(rule), columns, source=rule)
    assert isinstance(caught.value, grammar.ExpressionError)
    assert caught.value.position == where, caught.value.message
    assert "python engine" in caught.value.message


def test_lone_surrogates_are_unsupported() -> None:
    # built by hand: the expression reader may refuse the escape that writes one
    rule = "tag == 'x'"
    tree = Binary("==", Name("tag", span=(0, 3)), Literal("string", "\ud800", span=(7, 10)),
                  span=(0, 10))
    with pytest.raises(SqlUnsupported) as caught:
        to_sql(tree, TYPED, source=rule)
    assert caught.value.position == 7, caught.value.message
    assert "python engine" in caught.value.message


def test_missing_names_are_nil_and_error_sql_is_boolean() -> None:
    tree = grammar.parse("size > 5")
    assert to_sql(tree, {}) == "FALSE"
    assert error_sql(tree, {}) == "TRUE"
    assert error_sql(grammar.parse("id % 100 > 5"), {"id": "HUGEINT"}) == "FALSE"


def test_text_never_escapes_its_quotes(connection: duckdb.DuckDBPyConnection) -> None:
    evil = "x' OR TRUE OR 'y"
    rule = f'tag == "{evil}"'
    row = "SELECT 'lossless' AS tag"
    assert _scalar(connection, rule, {"tag": "VARCHAR"}, row) == (False, False)
    name = 'odd" OR TRUE OR "name'
    columns = {name: "VARCHAR"}
    row = f"SELECT 'v' AS {quote_identifier(name)}"
    assert _scalar(connection, f'["{name.replace(chr(34), chr(92) + chr(34))}"] == "v"',
                   columns, row) == (True, False)
    assert quote_identifier('a"b') == '"a""b"'
    assert quote_string("it's") == "'it''s'"


def test_field_names_differing_only_in_case_are_refused() -> None:
    with pytest.raises(SqlUnsupported):
        to_sql(grammar.parse("id == 1"), {"id": "BIGINT", "ID": "BIGINT"})


def test_infer_columns() -> None:
    records: list[dict[str, Any]] = [
        {"a": 1, "b": "x", "c": 2**64, "d": 1.5, "e": True, "f": 1, "g": None},
        {"a": None, "f": "1", "h": [1]},
    ]
    assert infer_columns(records) == {"a": "UBIGINT", "b": "VARCHAR", "c": "HUGEINT",
                                      "d": "DOUBLE", "e": "BOOLEAN", "f": "JSON",
                                      "g": "JSON", "h": "JSON"}
    mixed = [{"a": -1, "b": 2**63, "c": 2**64}, {"a": 2**63 - 1, "b": -1, "c": 1}]
    assert infer_columns(mixed) == {"a": "BIGINT", "b": "HUGEINT", "c": "HUGEINT"}


def test_case_mappings_agree_outside_the_unsafe_characters(
    connection: duckdb.DuckDBPyConnection, tmp_path: Path,
) -> None:
    """Every character DuckDB's lower()/upper() maps as Python does, except the ones
    rules/sql/ makes the query fail on."""
    path = tmp_path / "chars.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for code in range(1, 0x110000):
            if not 0xD800 <= code <= 0xDFFF:
                out.write(json.dumps({"c": chr(code)}) + "\n")
    rows = connection.sql(
        f"SELECT c, lower(c), upper(c) FROM read_json({quote_string(str(path))}, "
        "format = 'newline_delimited', columns = {'c': 'VARCHAR'})").fetchall()
    for char, low, up in rows:
        if not _unsafe_case(char, "lower"):
            assert low == char.lower(), hex(ord(char))
        if not _unsafe_case(char, "upper"):
            assert up == char.upper(), hex(ord(char))


# -- random rules over random records --------------------------------------------------------

NAMES = ["id", "tag", "public", "size", "score", "k", "missing"]

_ints = st.one_of(st.integers(-12, 12), st.sampled_from([100, -100, 1024, 2**63, 2**64 - 1,
                                                          -(2**63), 2**127 - 1]))
_floats = st.sampled_from([0.0, -0.0, 0.5, -2.5, 1.0, 12.0, 1e16, 1e308, 2.0**53, 1e-7])
_texts = st.sampled_from(["", "lossless", "lossIess", "l\u043essless", "12", "a b", " ", "ß",
                          "ΑΣ", "5", "-7", "lossless flac"])
_values = st.one_of(st.none(), st.booleans(), _ints, _floats, _texts)


def _literal(value: Any) -> str:
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value) if value >= 0 else f"(-{-value!r})"
    if isinstance(value, int):
        return str(value) if value >= 0 else f"(-{-value})"
    return json.dumps(value)


_atoms = st.one_of(st.sampled_from(NAMES), _values.map(_literal),
                   st.sampled_from(["empty", "blank"]))


def _extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    binary = st.sampled_from(["+", "-", "*", "/", "%", "==", "!=", "<", "<=", ">", ">=",
                              "contains", "&&", "||", "and", "or", "??"])
    return st.one_of(
        st.tuples(inner, binary, inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(st.sampled_from(["-", "!", "not "]), inner).map(lambda t: f"({t[0]}{t[1]})"),
        st.tuples(inner, inner, inner).map(lambda t: f"({t[0]} ? {t[1]} : {t[2]})"),
        st.tuples(inner, st.lists(inner, min_size=1, max_size=3)).map(
            lambda t: f"({t[0]} in ({', '.join(t[1])},))"),
        st.tuples(inner, inner, inner).map(lambda t: f"({t[0]} in ({t[1]}..{t[2]}))"),
        st.tuples(st.sampled_from(["slot", "min", "max", "startswith", "endswith"]),
                  inner, inner).map(lambda t: f"{t[0]}({t[1]}, {t[2]})"),
        st.tuples(st.sampled_from(["len", "abs", "lower", "upper", "min"]), inner).map(
            lambda t: f"{t[0]}({t[1]})"),
        inner.map(lambda s: f"{s}.size"),
    )


_rules = st.recursive(_atoms, _extend, max_leaves=6)
_records = st.lists(
    st.dictionaries(st.sampled_from(NAMES[:-1]), _values, max_size=6), min_size=1, max_size=6)


def _jsonl(record: Mapping[str, Any]) -> str:
    return json.dumps(record, allow_nan=False)


class _Counter:
    supported = 0
    unsupported = 0


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rule=_rules, records=_records, as_json=st.booleans())
def test_random_rules_agree(rule: str, records: list[dict[str, Any]], as_json: bool,
                            tmp_path_factory: pytest.TempPathFactory) -> None:
    try:
        tree = grammar.parse(rule)
        grammar.compile(rule)
    except grammar.ExpressionSyntaxError:
        return  # e.g. a range with a list in it: not a rule at all
    columns = infer_columns(records)
    for name in NAMES[:-1]:
        columns.setdefault(name, "JSON")
    if as_json:
        columns = dict.fromkeys(columns, "JSON")
    try:
        to_sql(tree, columns)
    except SqlUnsupported:
        _Counter.unsupported += 1
        return
    _Counter.supported += 1
    connection = duckdb.connect()
    try:
        folder = tmp_path_factory.mktemp("random")
        catalog = Catalog(connection, folder / "records.jsonl",
                          [_jsonl(r) for r in records], columns)
        catalog.compare(rule)
    finally:
        connection.close()


def test_random_rules_were_mostly_supported() -> None:
    """Runs after the property (file order): most generated rules compiled to SQL."""
    total = _Counter.supported + _Counter.unsupported
    if total:
        assert _Counter.supported >= 0.8 * total, (_Counter.supported, total)


def test_float_literals_are_exact() -> None:
    # 0.1 as a SQL literal would be DECIMAL; the text Python reads is cast to DOUBLE.
    assert "CAST('0.1' AS DOUBLE)" in to_sql(grammar.parse("score == 0.1"), {"score": "DOUBLE"})
