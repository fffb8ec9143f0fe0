"""The duckdb engine's checks on a line's text (``rules.duckdb_lenient``) against the
python reader, on generated JSON-ish lines: every lenient construct, odd spacing, keys
written with escapes or given twice, values of every type and integers at every bound.

A field that ``json_transform`` reads typed is exact unless ``wrong_type_sql`` finds the
line: on every line DuckDB reads that is not lenient, the typed value is the python
reader's value, of the kind, or the line is found. Found lines are read as JSON (slower,
still exact), so ordinary lines must not be found.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ladle.rules.catalog import jsonl_line
from ladle.rules.duckdb_lenient import TYPED_KINDS, lenient_sql, wrong_type_sql
from ladle.rules.sql import quote_identifier, quote_string

FIELDS = ["id", "tag", "public", "size", "a/b"]
KINDS = sorted(TYPED_KINDS)
RANGES = {"UBIGINT": (0, 2**64 - 1), "BIGINT": (-(2**63), 2**63 - 1),
          "HUGEINT": (-(2**127), 2**127 - 1)}
BOUNDS = [0, 1, 2**63 - 1, 2**63, 2**64 - 1, 2**64, 2**127 - 1, 2**127, 10**19, 10**20,
          9 * 10**18, 18446744073709551610, 9223372036854775799]
SPACE = st.sampled_from(["", "", " ", "  ", "\t", "\r", " \t "])


def integer_text(value: int, negative: bool) -> str:
    return f"-{value}" if negative else str(value)


NEAR_BOUNDS = st.builds(lambda bound, step: max(bound + step, 0), st.sampled_from(BOUNDS),
                        st.integers(-2, 2))


@st.composite
def digit_edits(draw: st.DrawFn) -> int:
    """A bound with one of its digits changed: every way to compare with it."""
    digits = list(str(draw(st.sampled_from(BOUNDS))))
    at = draw(st.integers(0, len(digits) - 1))
    digits[at] = str(draw(st.integers(1 if at == 0 else 0, 9)))
    return int("".join(digits))


INTEGERS = st.builds(integer_text, NEAR_BOUNDS | digit_edits() | st.integers(0, 2**130),
                     st.booleans())
FLOATS = st.sampled_from(["1.5", "-0.0", "0.0", "1e5", "1E5", "2.5e+3", "1e-5", "-1.0e2",
                          "12.0", "1e400", "1E100", "1e99", "3e0"])
LENIENT = st.sampled_from(["NaN", "nan", "-Infinity", "Infinity", "inf", "-inf", "+inf",
                           "INF", "nAn"])
TEXT = st.lists(st.sampled_from(['a', 'é', '"', '\\', '/', 'n', ':', ',', ' ', '😀', 'id',
                                  '"id"', 'tag', '1', 'true', '\x01']), max_size=6).map("".join)


@st.composite
def string_text(draw: st.DrawFn, text: st.SearchStrategy[str] = TEXT) -> str:
    """A JSON string, sometimes with '/' escaped or everything past ASCII escaped."""
    written = json.dumps(draw(text), ensure_ascii=draw(st.booleans()))
    return written.replace("/", "\\/") if draw(st.booleans()) else written


KEYS = st.sampled_from([*FIELDS, *FIELDS, "other", "x"]).flatmap(
    lambda name: st.sampled_from([json.dumps(name)] * 6 + [
        json.dumps(name).replace("/", "\\/"),
        json.dumps(name).replace(name[:1], f"\\u{ord(name[0]):04x}", 1)]))
SCALARS = st.one_of(*[INTEGERS] * 4, FLOATS, st.sampled_from(["true", "false", "null"]),
                    string_text(), string_text(st.sampled_from(FIELDS)), LENIENT)


@st.composite
def object_text(draw: st.DrawFn, depth: int = 0) -> str:
    members = []
    for _ in range(draw(st.integers(0, 5))):
        value = (draw(SCALARS) if depth >= 2 or draw(st.integers(0, 4))
                 else draw(object_text(depth + 1)) if draw(st.booleans())
                 else f"[{draw(SPACE)}{draw(SCALARS)}{draw(SPACE)}]")
        members.append(f"{draw(SPACE)}{draw(KEYS)}{draw(SPACE)}:{draw(SPACE)}{value}"
                       f"{draw(SPACE)}")
    comma = "," if members and not draw(st.integers(0, 9)) else ""  # a trailing comma
    return "{" + ",".join(members) + comma + "}"


@st.composite
def record_text(draw: st.DrawFn) -> str:
    """A record as writers write it: each field once, spelled plainly, any value."""
    names = draw(st.lists(st.sampled_from([*FIELDS, "other"]), unique=True))
    values = st.one_of(INTEGERS, FLOATS, st.sampled_from(["true", "false", "null"]),
                       string_text(), string_text(st.sampled_from(FIELDS)))
    return "{" + ",".join(f"{draw(SPACE)}{json.dumps(name)}{draw(SPACE)}:{draw(SPACE)}"
                          f"{draw(values)}{draw(SPACE)}" for name in names) + "}"


def kind_of(value: Any, kind: str) -> bool:
    """Whether the python reader's ``value`` is one ``kind`` holds."""
    if kind == "VARCHAR":
        return type(value) is str
    if kind == "BOOLEAN":
        return type(value) is bool
    low, high = RANGES[kind]
    return type(value) is int and low <= value <= high


def read(path: Path, typed: dict[str, str]) -> list[tuple[Any, ...]]:
    """Per line: DuckDB's text, lenient_sql with and without ``typed``, then per field and
    kind wrong_type_sql and the field as json_transform reads it with that kind."""
    columns = [lenient_sql(FIELDS), lenient_sql(FIELDS, typed)]
    for kind in KINDS:
        structure = quote_string(json.dumps(dict.fromkeys(FIELDS, kind)))
        for name in FIELDS:
            columns.append(wrong_type_sql(name, kind))
            columns.append(f"json_transform(raw, {structure}).{quote_identifier(name)}")
    with duckdb.connect() as con:
        return con.sql(f"SELECT raw, {', '.join(columns)} FROM (SELECT json AS raw FROM "
                       f"read_json_objects({quote_string(str(path))}, format = "
                       f"'newline_delimited', ignore_errors = true))").fetchall()


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(lines=st.lists(object_text() | record_text(), min_size=1, max_size=30),
       typed=st.dictionaries(st.sampled_from(FIELDS), st.sampled_from(KINDS)))
def test_typed_fields_are_exact_unless_their_line_is_found(
        tmp_path: Path, lines: list[str], typed: dict[str, str]) -> None:
    path = tmp_path / "lines.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows = read(path, typed)
    assert len(rows) == len(lines)
    for line, (raw, lenient, found, *per_kind) in zip(lines, rows, strict=True):
        if raw is None:
            continue
        record = jsonl_line(line.encode())
        wrong = {}
        for at, kind in enumerate(KINDS):
            for index, name in enumerate(FIELDS):
                flag, value = per_kind[2 * (at * len(FIELDS) + index):][:2]
                wrong[name, kind] = flag
                if lenient or flag:
                    continue
                # not lenient: the python reader reads the line as a record
                assert isinstance(record, dict), line
                python = record.get(name)
                assert (value is None if python is None
                        else kind_of(python, kind) and value == python), (line, name, kind)
        # the typed search is the lenient one and the typed fields' own, no more
        assert found == (lenient or any(wrong[item] for item in typed.items())), line


def test_ordinary_lines_are_not_found(tmp_path: Path) -> None:
    """Lines as writers write them, spaced or not, with nested objects and lists, are
    neither lenient nor of another type."""
    lines = [
        '{"id":-1,"tag":"lossy","public":false,"size":1000,"a/b":"x"}',
        '{"id": 18446744073709551615, "tag": "ids", "public": true, "size": 0}',
        '{"id": -9223372036854775808, "tag": "éa\\"b\\\\", "public": null, "size": null}',
        '{ "id" : 0 , "tag" : "" , "public" : true , "size" : 9223372036854775807 }',
        '{"meta": {"x": [1, 2.5, "size"]}, "id": 7, "a\\/b": "y"}',
        '{"tag": "Nancy of info 1e9", "id": 1, "path": "a/b.flac"}',
    ]
    typed = {"id": "HUGEINT", "tag": "VARCHAR", "public": "BOOLEAN", "size": "UBIGINT",
             "a/b": "VARCHAR"}
    path = tmp_path / "ordinary.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with duckdb.connect() as con:
        found = con.sql(f"SELECT {lenient_sql(FIELDS, typed)} FROM (SELECT json AS raw "
                        f"FROM read_json_objects({quote_string(str(path))}, "
                        f"format = 'newline_delimited'))").fetchall()
    assert found == [(False,)] * len(lines)


def test_integers_at_every_bound_are_found_exactly(tmp_path: Path) -> None:
    """Every integer near a bound of a kind, and every bound with one digit changed: one
    that the kind does not hold is found, one within 64 bits that it holds is not (beyond
    64 bits, HUGEINT lines are found: older DuckDB read those integers as floats)."""
    numbers = set()
    for bound in (2**63 - 1, 2**63, 2**64 - 1, 2**127 - 1, 2**127):
        digits = str(bound)
        numbers |= {bound + step for step in range(-3, 4)}
        numbers |= {int(digits[:at] + str(digit) + digits[at + 1:])
                    for at in range(len(digits)) for digit in range(1 if at == 0 else 0, 10)}
        numbers |= {int(digits[:-1]), int(digits + "0")}
    values = sorted({*numbers, *(-number for number in numbers)})
    path = tmp_path / "bounds.jsonl"
    path.write_text("".join(f'{{"id": {value}}}\n' for value in values), encoding="utf-8")
    checks = ", ".join(wrong_type_sql("id", kind) for kind in RANGES)
    with duckdb.connect() as con:
        rows = con.sql(f"SELECT {checks} FROM (SELECT json AS raw FROM read_json_objects("
                       f"{quote_string(str(path))}, format = 'newline_delimited'))").fetchall()
    assert len(rows) == len(values)
    for value, found in zip(values, rows, strict=True):
        for (kind, (low, high)), flag in zip(RANGES.items(), found, strict=True):
            if not low <= value <= high:
                assert flag, (value, kind)
            elif -(2**63) <= value < 2**64:
                assert not flag, (value, kind)
