"""The python engine: catalog readers (JSONL, CSV, Parquet, stdin) and route / diff reports.

The expected reports are worked out by hand from the five rules of
``design/rules.md`` (``id % 100`` is Python's modulo: ``-7 % 100 == 93``).
"""

from __future__ import annotations

import csv
import io
import json
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import duckdb
import orjson
import pytest

from ladle import rules
from ladle.rules.catalog import (
    CatalogError,
    CatalogFileError,
    catalog_format,
    catalog_size,
    csv_value,
    records,
)
from ladle.rules.python_engine import PROGRESS_EVERY, diff, route, short_of

FIVE = """\
# lossless audio is split between the three transcoders; web machines take public files
morbo:    tag == 'lossless' && (id % 100) >=  0 && (id % 100) <= 47
linda:    tag == 'lossless' && (id % 100) >= 48 && (id % 100) <= 96
calculon: tag == 'lossless' && (id % 100) >= 97 && (id % 100) <= 99
devil:    public == true
santa:    public == true
"""

# calculon and santa go, newbox comes, morbo/linda re-split, devil only takes lossless
NEW = """\
morbo:    tag == 'lossless' && (id % 100) >=  0 && (id % 100) <= 31
linda:    tag == 'lossless' && (id % 100) >= 32 && (id % 100) <= 63
newbox:   tag == 'lossless' && (id % 100) >= 64 && (id % 100) <= 99
devil:    public == true && tag == 'lossless'
"""

COLUMNS = ("id", "tag", "public", "size", "path")
SQL_TYPES = {"id": "DECIMAL(38,0)", "tag": "VARCHAR", "public": "BOOLEAN", "size": "BIGINT",
             "path": "VARCHAR"}

# None is a JSON null / an empty CSV value / a Parquet NULL: a missing field everywhere.
RECORDS: list[dict[str, Any]] = [
    # morbo devil santa
    {"id": 5, "tag": "lossless", "public": True, "size": 100, "path": "a/1.flac"},
    {"id": 48, "tag": "lossless", "size": 200, "path": "a/2.flac"},  # linda
    {"id": 99, "tag": "lossless", "public": False, "size": 300},  # calculon
    {"id": -7, "tag": "lossless", "public": False, "size": 400},  # -7 % 100 == 93: linda
    {"id": 2**64 - 1, "tag": "lossless", "public": True, "size": 500},  # 15: morbo devil santa
    {"id": 2**63, "tag": "lossless", "path": "ü/日本.flac"},  # 8: morbo, no size
    {"id": 3, "tag": "lossy", "public": False, "size": 50},  # nobody
    {"id": None, "tag": "lossy", "size": 60},  # nobody
    {"id": 2**70 + 3, "tag": "lossless", "public": True, "size": 10},  # 27: morbo devil santa
    {"id": 1, "tag": "lossy", "public": True},  # devil santa
    {"id": 297, "tag": "lossless", "public": None, "size": 7},  # 97: calculon
]


def present(record: dict[str, Any]) -> dict[str, Any]:
    """The record as every reader gives it: without its missing (None) fields."""
    return {name: value for name, value in record.items() if value is not None}


EXPECTED_ROUTE = {
    "records": 11,
    "bytes": 1627,
    "rules": {
        "morbo": {"records": 4, "bytes": 610},
        "linda": {"records": 2, "bytes": 600},
        "calculon": {"records": 2, "bytes": 307},
        "devil": {"records": 4, "bytes": 610},
        "santa": {"records": 4, "bytes": 610},
    },
    "copies": {"0": 2, "1": 5, "2": 1, "3": 3, "4": 0, "5": 0},
    "unclaimed": {"records": 2, "sample": [present(RECORDS[6]), present(RECORDS[7])]},
    "errors": {"records": 0, "sample": []},
}

EXPECTED_DIFF = {
    "records": 11,
    "changed": 7,
    "rules": {
        "morbo": {"gained": 0, "lost": 0},
        "linda": {"gained": 0, "lost": 1},
        "calculon": {"gained": 0, "lost": 2},
        "devil": {"gained": 0, "lost": 1},
        "santa": {"gained": 0, "lost": 4},
        "newbox": {"gained": 3, "lost": 0},
    },
    "orphaned": {"records": 1, "sample": [present(RECORDS[9])]},
    "errors": {"records": 0, "sample": []},
}


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    # the standard library writes integers beyond 64 bits (orjson refuses them)
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows),
                    encoding="utf-8")
    return path


def csv_text(rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        values = [row.get(column) for column in COLUMNS]
        writer.writerow(["" if value is None else str(value).lower() if isinstance(value, bool)
                         else value for value in values])
    return buffer.getvalue()


def write_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text(csv_text(rows), encoding="utf-8")
    return path


def sql_literal(value: Any, sql_type: str) -> str:
    if value is None:
        return f"CAST(NULL AS {sql_type})"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"CAST('{value}' AS {sql_type})"
    return "'" + str(value).replace("'", "''") + "'"


def write_parquet(path: Path, rows: list[dict[str, Any]]) -> Path:
    values = ",\n".join(
        "(" + ", ".join(sql_literal(row.get(column), SQL_TYPES[column]) for column in COLUMNS)
        + ")" for row in rows)
    select = f"SELECT * FROM (VALUES {values}) AS t({', '.join(COLUMNS)})"
    connection = duckdb.connect()
    try:
        connection.execute(f"COPY ({select}) TO '{path}' (FORMAT PARQUET)")
    finally:
        connection.close()
    return path


WRITERS = {"jsonl": write_jsonl, "csv": write_csv, "parquet": write_parquet}


@pytest.fixture(scope="module")
def five() -> rules.RuleSet:
    return rules.parse(FIVE)


@pytest.fixture(scope="module")
def new() -> rules.RuleSet:
    return rules.parse(NEW)


# -- route and diff on the hand-checked catalog ------------------------------------------


@pytest.mark.parametrize("kind", ["jsonl", "csv", "parquet"])
def test_route_report_is_exact(tmp_path: Path, five: rules.RuleSet, kind: str) -> None:
    catalog = WRITERS[kind](tmp_path / f"catalog.{kind}", RECORDS)
    report = route(five, catalog)
    assert report == EXPECTED_ROUTE
    assert list(report) == ["records", "bytes", "rules", "copies", "unclaimed", "errors"]
    assert list(report["rules"]) == five.names
    assert list(report["copies"]) == ["0", "1", "2", "3", "4", "5"]
    orjson.dumps(report)  # one JSON document, as printed by --format json


@pytest.mark.parametrize("kind", ["jsonl", "csv", "parquet"])
def test_diff_report_is_exact(tmp_path: Path, five: rules.RuleSet, new: rules.RuleSet,
                              kind: str) -> None:
    catalog = WRITERS[kind](tmp_path / f"catalog.{kind}", RECORDS)
    report = diff(five, new, catalog)
    assert report == EXPECTED_DIFF
    assert list(report) == ["records", "changed", "rules", "orphaned", "errors"]
    assert list(report["rules"]) == [*five.names, "newbox"]


def test_three_formats_give_identical_reports(tmp_path: Path, five: rules.RuleSet,
                                              new: rules.RuleSet) -> None:
    paths = {kind: write(tmp_path / f"catalog.{kind}", RECORDS) for kind, write in WRITERS.items()}
    read = {kind: list(records(path)) for kind, path in paths.items()}
    assert [record for _, record in read["jsonl"]] == [present(row) for row in RECORDS]
    assert [record for _, record in read["csv"]] == [present(row) for row in RECORDS]
    assert [record for _, record in read["parquet"]] == [present(row) for row in RECORDS]
    assert [line for line, _ in read["csv"]] == list(range(2, 13))  # the header is line 1
    assert [line for line, _ in read["parquet"]] == list(range(1, 12))
    reports = [route(five, path, sample=20) for path in paths.values()]
    assert reports[0] == reports[1] == reports[2]
    changes = [diff(five, new, path, sample=20) for path in paths.values()]
    assert changes[0] == changes[1] == changes[2]


def test_same_report_from_an_iterable_of_items(five: rules.RuleSet) -> None:
    items = [(number, present(row)) for number, row in enumerate(RECORDS, 1)]
    assert route(five, items) == EXPECTED_ROUTE
    assert diff(five, rules.parse(NEW), items) == EXPECTED_DIFF


# -- errors --------------------------------------------------------------------------------

BAD_LINES = (
    '{"id": 5, "tag": "lossless", "size": 10}\n'  # 1: morbo
    'this is not json\n'  # 2: unreadable
    '\n'  # 3: blank, skipped
    '[1, 2]\n'  # 4: not an object
    '{"id": "abc", "tag": "lossless", "public": true, "size": 20}\n'  # 5: % fails; devil santa
    '{"id": 12, "tag": "lossless", "size": 1.5}\n'  # 6: morbo, a float size counts 0
    '{"id": 13, "tag": "lossless", "size": true}\n'  # 7: morbo, a bool size counts 0
    '{"id": "x", "tag": "lossy"}\n'  # 8: && stops before %: no error, nobody claims
)

STRING_ID = "cannot apply '%' to string and int"

EXPECTED_ERRORS_SAMPLE = [
    {"line": 2, "rule": None, "message": "not JSON: invalid literal, expected 'true' (column 1)"},
    {"line": 4, "rule": None, "message": "not a JSON object (a list)"},
    {"line": 5, "rule": "morbo", "message": STRING_ID},
]

EXPECTED_ERRORS = {
    "records": 7,
    "bytes": 30,
    "rules": {
        "morbo": {"records": 3, "bytes": 10},
        "linda": {"records": 0, "bytes": 0},
        "calculon": {"records": 0, "bytes": 0},
        "devil": {"records": 1, "bytes": 20},
        "santa": {"records": 1, "bytes": 20},
    },
    "copies": {"0": 3, "1": 3, "2": 1, "3": 0, "4": 0, "5": 0},
    "unclaimed": {"records": 3, "sample": [{"id": "x", "tag": "lossy"}]},
    "errors": {"records": 3, "sample": EXPECTED_ERRORS_SAMPLE},
}


def test_errors_are_counted_once_per_record_and_the_run_goes_on(
        tmp_path: Path, five: rules.RuleSet) -> None:
    catalog = tmp_path / "bad.jsonl"
    catalog.write_text(BAD_LINES, encoding="utf-8")
    report = route(five, catalog)
    assert report == EXPECTED_ERRORS
    # the invariants the module documents
    assert sum(report["copies"].values()) == report["records"]
    assert report["unclaimed"]["records"] == report["copies"]["0"]
    limited = route(five, catalog, sample=1)
    assert limited["errors"] == {"records": 3, "sample": [EXPECTED_ERRORS_SAMPLE[0]]}
    assert route(five, catalog, sample=0)["unclaimed"] == {"records": 3, "sample": []}


def test_string_id_in_csv_is_an_error_too(tmp_path: Path, five: rules.RuleSet) -> None:
    catalog = tmp_path / "c.csv"
    catalog.write_text("id,tag,public,size\nabc,lossless,true,20\n5,lossless,,10\n",
                       encoding="utf-8")
    report = route(five, catalog)
    assert report["errors"] == {"records": 1, "sample": [
        {"line": 2, "rule": "morbo", "message": STRING_ID}]}
    assert report["rules"]["devil"] == {"records": 1, "bytes": 20}
    assert report["rules"]["morbo"] == {"records": 1, "bytes": 10}


def test_diff_with_errors_and_unreadable_lines(tmp_path: Path, five: rules.RuleSet) -> None:
    catalog = tmp_path / "bad.jsonl"
    catalog.write_text(BAD_LINES, encoding="utf-8")
    only_public = rules.parse("devil: public == true\nsanta: public == true")
    report = diff(five, only_public, catalog)
    assert report == {
        "records": 7,
        "changed": 3,  # lines 1, 6, 7 lose morbo and every copy
        "rules": {"morbo": {"gained": 0, "lost": 3}, "linda": {"gained": 0, "lost": 0},
                  "calculon": {"gained": 0, "lost": 0}, "devil": {"gained": 0, "lost": 0},
                  "santa": {"gained": 0, "lost": 0}},
        "orphaned": {"records": 3, "sample": [
            {"id": 5, "tag": "lossless", "size": 10},
            {"id": 12, "tag": "lossless", "size": 1.5},
            {"id": 13, "tag": "lossless", "size": True},
        ]},
        # as in route: each record once, the first failing rule of the old set first
        "errors": {"records": 3, "sample": [
            {**error, "rules": None if error["rule"] is None else "old"}
            for error in EXPECTED_ERRORS_SAMPLE]},
    }
    assert diff(five, five, catalog)["changed"] == 0
    # a rule of the new set alone fails: named with its set
    failing = rules.parse("odd: id % 2 == 1")
    report = diff(only_public, failing, catalog, sample=1)
    assert report["errors"] == {"records": 4, "sample": [  # lines 2, 4, 5 and 8
        {"line": 2, "rules": None, "rule": None,
         "message": "not JSON: invalid literal, expected 'true' (column 1)"}]}
    late = diff(only_public, failing, catalog, sample=3)["errors"]["sample"][2]
    assert late == {"line": 5, "rules": "new", "rule": "odd", "message": STRING_ID}


# -- progress, output, require_copies ---------------------------------------------------------


def test_progress_output_and_short_of(tmp_path: Path, five: rules.RuleSet) -> None:
    catalog = write_jsonl(tmp_path / "c.jsonl", RECORDS)
    seen: list[tuple[int, Any, list[str]]] = []
    report = route(five, catalog, output=lambda line, id, names: seen.append((line, id,
                                                                              list(names))),
                   require_copies=2)
    assert report == EXPECTED_ROUTE
    assert seen[:3] == [(1, 5, ["morbo", "devil", "santa"]), (2, 48, ["linda"]),
                        (3, 99, ["calculon"])]
    assert seen[7] == (8, None, [])
    assert seen[8] == (9, 2**70 + 3, ["morbo", "devil", "santa"])
    assert len(seen) == 11
    assert short_of(report, 1) == 2
    assert short_of(report, 2) == 7
    assert short_of(report, 0) == 0
    with pytest.raises(ValueError):
        route(five, catalog, require_copies=-1)
    with pytest.raises(ValueError):
        route(five, catalog, sample=-1)


def test_output_sees_unreadable_lines(tmp_path: Path, five: rules.RuleSet) -> None:
    catalog = tmp_path / "bad.jsonl"
    catalog.write_text(BAD_LINES, encoding="utf-8")
    seen: list[tuple[int, Any, list[str]]] = []
    route(five, catalog, output=lambda line, id, names: seen.append((line, id, list(names))))
    assert seen == [(1, 5, ["morbo"]), (2, None, []), (4, None, []),
                    (5, "abc", ["devil", "santa"]), (6, 12, ["morbo"]), (7, 13, ["morbo"]),
                    (8, "x", [])]


@pytest.mark.parametrize("kind", ["jsonl", "csv", "parquet"])
def test_progress_is_called_every_10000_records(tmp_path: Path, five: rules.RuleSet,
                                                kind: str) -> None:
    rows = [{"id": n, "tag": "lossless", "public": n % 2 == 0, "size": n} for n in range(25_000)]
    catalog = WRITERS[kind](tmp_path / f"big.{kind}", rows)
    calls: list[tuple[int, int]] = []
    report = route(five, catalog, progress=lambda done, read: calls.append((done, read)))
    assert report["records"] == 25_000
    assert [done for done, _ in calls] == [PROGRESS_EVERY, 2 * PROGRESS_EVERY, 25_000]
    positions = [read for _, read in calls]
    assert positions == sorted(positions)
    assert 0 < positions[0] < catalog_size(catalog)
    assert positions[-1] == catalog_size(catalog)
    calls.clear()
    diff(five, five, catalog, progress=lambda done, read: calls.append((done, read)))
    assert [done for done, _ in calls] == [PROGRESS_EVERY, 2 * PROGRESS_EVERY, 25_000]


# -- stdin --------------------------------------------------------------------------------


def test_stdin_text_and_bytes(tmp_path: Path, five: rules.RuleSet,
                              monkeypatch: pytest.MonkeyPatch) -> None:
    text = write_jsonl(tmp_path / "c.jsonl", RECORDS).read_text(encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))
    assert route(five, "-") == EXPECTED_ROUTE
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode("utf-8"))))
    assert route(five, "-") == EXPECTED_ROUTE
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))
    assert diff(five, rules.parse(NEW), "-") == EXPECTED_DIFF
    assert catalog_size("-") == 0


def test_stdin_csv_and_errors(five: rules.RuleSet, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(csv_text(RECORDS).encode())))
    assert route(five, "-", format="csv") == EXPECTED_ROUTE
    monkeypatch.setattr(sys, "stdin", io.StringIO(csv_text(RECORDS)))
    assert route(five, "-", format="csv") == EXPECTED_ROUTE
    monkeypatch.setattr(sys, "stdin", io.StringIO(BAD_LINES))
    assert route(five, "-") == EXPECTED_ERRORS
    with pytest.raises(CatalogFileError, match="Parquet cannot be read from stdin"):
        route(five, "-", format="parquet")


# -- readers --------------------------------------------------------------------------------


def test_formats_from_extensions(tmp_path: Path) -> None:
    assert [catalog_format(name) for name in
            ("a.jsonl", "a.NDJSON", "a.json", "a.csv", "a.parquet", "a.pq", "a.txt", "-")] == \
        ["jsonl", "jsonl", "jsonl", "csv", "parquet", "parquet", "jsonl", "jsonl"]
    assert catalog_format("a.txt", "CSV") == "csv"
    with pytest.raises(CatalogFileError, match="unknown catalog format"):
        catalog_format("a.csv", "xml")
    with pytest.raises(CatalogFileError, match=r"missing\.jsonl"):
        records(tmp_path / "missing.jsonl")
    with pytest.raises(CatalogFileError):
        catalog_size(tmp_path / "missing.jsonl")
    with pytest.raises(CatalogFileError, match="directory"):
        records(tmp_path)
    catalog = tmp_path / "a.data"
    catalog.write_text("id,tag\n5,lossless\n", encoding="utf-8")
    assert list(records(catalog, format="csv")) == [(2, {"id": 5, "tag": "lossless"})]
    assert catalog_size(catalog) == 18


def test_jsonl_reader_details(tmp_path: Path) -> None:
    catalog = tmp_path / "c.jsonl"
    catalog.write_bytes(
        b'\xef\xbb\xbf{"id": 1}\n'  # a byte order mark on line 1 is allowed
        b'{"id": 1180591620717411303427, "big": -9223372036854775809, "f": 2.5e20}\r\n'
        b'   \n'
        b'{"id": 2, "gone": null, "f": 0.5}\n'
        b'"a string"\n'
        b'{"a": 1e400}\n'
        b'{"bad": "\xff"}\n'
        b'{"id": 3}')  # no newline at the end
    assert list(records(catalog)) == [
        (1, {"id": 1}),
        (2, {"id": 2**70 + 3, "big": -(2**63) - 1, "f": 2.5e20}),
        (4, {"id": 2, "f": 0.5}),
        (5, CatalogError(5, "not a JSON object (a string)")),
        (6, CatalogError(6, "not JSON: number is infinity when parsed as double (column 7)")),
        (7, CatalogError(7, "not UTF-8 (byte 10 of the line)")),
        (8, {"id": 3}),
    ]
    assert records(tmp_path / "c.jsonl") is not records(tmp_path / "c.jsonl")
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    assert list(records(empty)) == []


@pytest.mark.parametrize(("text", "value"), [
    ("5", 5), ("-7", -7), ("+3", 3), ("007", 7), ("-0", 0),
    ("18446744073709551616", 2**64), ("-9223372036854775809", -(2**63) - 1),
    ("1180591620717411303427", 2**70 + 3),
    ("1.5", 1.5), ("-.5", -0.5), ("5.", 5.0), ("1e3", 1000.0), ("2.5E-3", 0.0025),
    ("true", True), ("false", False), ("TRUE", True), ("False", False),
    ("", None),
    ("1e999", "1e999"), ("nan", "nan"), ("inf", "inf"), ("null", "null"), (" 5", " 5"),
    ("5 ", "5 "), ("1_000", "1_000"), ("٣", "٣"), ("0x10", "0x10"), ("1.2.3", "1.2.3"),
    ("e5", "e5"), ("-", "-"), ("+", "+"), (".", "."), ("truee", "truee"), ("lossless", "lossless"),
    ("9" * 5000, "9" * 5000),
])
def test_csv_typing_rule(text: str, value: Any) -> None:
    result = csv_value(text)
    assert result == value
    assert type(result) is type(value)


def test_csv_reader_details(tmp_path: Path) -> None:
    catalog = tmp_path / "c.csv"
    catalog.write_bytes(
        b'\xef\xbb\xbfid,tag,path\n'
        b'1,lossless,"a\nb.flac"\n'  # a quoted newline: the row spans lines 2-3
        b'2,lossy\n'  # too few values: an error, not fields silently nil
        b'\n'  # blank: skipped
        b'3,lossy,x,extra\n'  # too many values
        b'4,\xff,y\n'  # not UTF-8
        b'5,"quoted, comma",""\n'
        b'-6,lossless,\xc3\xbc\n')
    assert list(records(catalog)) == [
        (2, {"id": 1, "tag": "lossless", "path": "a\nb.flac"}),
        (4, CatalogError(4, "2 values but the header has 3")),
        (6, CatalogError(6, "4 values but the header has 3")),
        (7, CatalogError(7, "not UTF-8")),
        (8, {"id": 5, "tag": "quoted, comma"}),
        (9, {"id": -6, "tag": "lossless", "path": "ü"}),
    ]
    duplicate = tmp_path / "d.csv"
    duplicate.write_text("id,id\n1,2\n", encoding="utf-8")
    with pytest.raises(CatalogFileError, match="'id' twice"):
        list(records(duplicate))
    empty = tmp_path / "e.csv"
    empty.write_text("", encoding="utf-8")
    assert list(records(empty)) == []
    unclosed = tmp_path / "u.csv"
    unclosed.write_text('id,tag\n1,"lossless\n2,lossy\n', encoding="utf-8")
    assert list(records(unclosed)) == [(2, CatalogError(2, "bad CSV: unexpected end of data"))]
    semicolons = tmp_path / "s.csv"
    semicolons.write_text("id;tag\n1;lossless\n", encoding="utf-8")
    with pytest.raises(CatalogFileError, match="one column holding semicolons"):
        list(records(semicolons))


def test_a_gzip_catalog_is_read_whatever_its_name(tmp_path: Path) -> None:
    import gzip

    lines = b'{"id": 1, "tag": "lossless"}\n{"id": 2}\n'
    for name in ("c.jsonl.gz", "c.jsonl"):
        path = tmp_path / name
        path.write_bytes(gzip.compress(lines))
        assert [record for _, record in records(path)] == [{"id": 1, "tag": "lossless"},
                                                          {"id": 2}]
    damaged = tmp_path / "d.jsonl"
    damaged.write_bytes(gzip.compress(lines)[:20])
    with pytest.raises(CatalogFileError, match="damaged gzip data"):
        list(records(damaged))


def test_parquet_types_and_nulls(tmp_path: Path) -> None:
    catalog = tmp_path / "t.parquet"
    connection = duckdb.connect()
    try:
        connection.execute(f"""COPY (SELECT * FROM (VALUES
            (18446744073709551615::UBIGINT, (-9223372036854775808)::BIGINT,
             1180591620717411303427::DECIMAL(38,0), 1.50::DECIMAL(10,2), 2.5::DOUBLE,
             DATE '2024-02-29', TIMESTAMP '2024-02-29 10:11:12', 'x', true),
            (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL))
            AS t(u, b, d0, d2, f, day, stamp, s, yes)) TO '{catalog}' (FORMAT PARQUET)""")
    finally:
        connection.close()
    assert list(records(catalog)) == [
        (1, {"u": 2**64 - 1, "b": -(2**63), "d0": 2**70 + 3, "d2": 1.5, "f": 2.5,
             "day": "2024-02-29", "stamp": "2024-02-29T10:11:12", "s": "x", "yes": True}),
        (2, {}),
    ]
    first = next(iter(records(catalog)))[1]
    assert isinstance(first, dict)
    assert type(first["d0"]) is int
    assert type(first["d2"]) is float
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"not parquet at all")
    with pytest.raises(CatalogFileError):
        list(records(broken))


def test_whole_decimals_route_alike_in_duckdb(tmp_path: Path) -> None:
    """Whole Parquet decimals of every width (64-bit and 128-bit stored) are integers to
    the duckdb engine, read through their text, as to the python engine."""
    from ladle.rules import duckdb_engine

    catalog = tmp_path / "d.parquet"
    with duckdb.connect() as connection:
        connection.execute(f"""COPY (SELECT id::DECIMAL(38,0) AS id, id2::DECIMAL(18,0) AS id2,
            size::DECIMAL(20,0) AS size FROM (VALUES
            (-(10::HUGEINT ** 37)::HUGEINT, -7, 1), (18446744073709551615, 999999999999999999,
             99999999999999999999), (-1, 0, NULL), (NULL, NULL, 5), (1180591620717411303427,
             -999999999999999999, 0)) AS t(id, id2, size)) TO '{catalog}' (FORMAT PARQUET)""")
    ruleset = rules.parse("a: (id % 100) > 50\nb: (id % 100) < 50 && id2 % 7 == 0\n"
                          "c: id2 % 7 == 0\nd: id > 10 && id2 < 0\n")
    report = duckdb_engine.route(ruleset, catalog)
    assert report == route(ruleset, catalog)
    assert report["bytes"] == 99999999999999999999 + 6
    assert all(report["rules"][name]["records"] for name in "abcd")


# -- streaming in constant memory, and speed ------------------------------------------------


def test_200000_records_stream_in_constant_memory(tmp_path: Path, five: rules.RuleSet,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    catalog = tmp_path / "big.jsonl"
    tags = ("lossless", "lossy", "video")
    with catalog.open("wb") as file:
        for n in range(200_000):
            identity = (n * 0x9E3779B97F4A7C15) % 2**64 - 2**62
            file.write(orjson.dumps({"id": identity, "tag": tags[n % 3], "public": n % 10 < 3,
                                     "size": n * 7, "path": f"music/{n}.flac"}) + b"\n")
    size = catalog_size(catalog)

    start = time.perf_counter()
    report = route(five, catalog)
    seconds = time.perf_counter() - start

    tracemalloc.start()
    try:
        again = route(five, catalog)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert again == report
    assert report["records"] == 200_000
    assert report["errors"]["records"] == 0
    assert sum(report["copies"].values()) == 200_000
    assert report["bytes"] == sum(n * 7 for n in range(200_000))
    assert peak < size / 20, f"peak {peak:,} bytes for a {size:,}-byte catalog"
    with capsys.disabled():
        print(f"\n[python engine] JSONL: {200_000 / seconds:,.0f} records/s, "
              f"{size / seconds / 1e6:.1f} MB/s; tracemalloc peak {peak:,} bytes "
              f"for a {size:,}-byte catalog")
