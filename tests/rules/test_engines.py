"""The two engines against each other: ``rules.duckdb_engine`` gives the python engine's
``route`` and ``diff`` reports exactly (the same JSON text: counts, bytes, samples, error
messages and line numbers), or raises ``Fallback`` — and then only where this file
expects it (``Catalog.falls_back``, ``ALWAYS_FALL_BACK``), so that the test cannot pass
by falling back, and ``rules.route``/``rules.diff`` give the python answer with a notice.

Every rule set of ``ROUTED`` is routed, and every pair of ``DIFF_PAIRS`` diffed, over
every catalog of ``CATALOG_NAMES``: JSON Lines and Parquet written from the same records,
with missing fields, nulls, negative ids, ids of 2**63 and beyond, look-alike tags, lines
that are not records, types that change after the engine's 2,000-record sample, and the
JSON that DuckDB reads more leniently than the python reader (on those, whose outcome does
not depend on the rules, two rule sets and one diff). A hypothesis test does the same on
random small catalogs. Then ``rules.engine.choose``, and the ``--engine``, ``--output``
and ``check --catalog`` options of the command line.

DuckDB's cost is mostly per query (a rule set over JSON-typed fields compiles to 100 kB
of SQL), so catalogs are few and small, and merged where their cases do not interfere.
"""

from __future__ import annotations

import csv
import functools
import gzip
import io
import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import cycle
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ladle import cli, rules
from ladle.rules import duckdb_engine, duckdb_lenient, engine, python_engine
from ladle.rules.catalog import CatalogFileError, records
from ladle.rules.duckdb_engine import SAMPLE_RECORDS, Fallback, infer_columns
from ladle.rules.sql import quote_identifier, quote_string

# -- the rule corpus -------------------------------------------------------------------------

PLACEMENT = """\
morbo:    tag == 'lossless' && (id % 100) >=  0 && (id % 100) <= 47
linda:    tag == 'lossless' && (id % 100) >= 48 && (id % 100) <= 96
calculon: tag == 'lossless' && (id % 100) >= 97 && (id % 100) <= 99
devil:    public == true
santa:    public == true
"""

PLACEMENT_NEW = """\
morbo:    tag == 'lossless' && (id % 100) >=  0 && (id % 100) <= 31
linda:    tag == 'lossless' && (id % 100) >= 32 && (id % 100) <= 63
newbox:   tag == 'lossless' && (id % 100) >= 64 && (id % 100) <= 99
devil:    public == true && tag == 'lossless'
"""

# Every operator of the language, each rule on its own line (a rule may fail on some
# records: the python engine counts that as an error, and so must DuckDB).
OPERATORS = """\
add:        id + 1 > 100
sub:        id - 1 < 0
mul:        size * 2 > 1000
div:        id / -7 < -1
fdiv:       score / 2 > 1
mod:        id % 100 == 93
modneg:     id % -100 > -50
modfloat:   score % 1 == 0.5
neg:        -id > 0 || -score > 1
eq:         tag == 'lossless'
ne:         tag != 'lossless'
ltgt:       id <> 5
lt:         id < 100
le:         size <= 1000
gt:         score > 0.5
strorder:   tag >= 'lossless'
concat:     tag + 's' == 'losslesss'
ge:         id >= 9223372036854775808
huge:       id > 18446744073709551615
and:        public && size
or:         public || tag == 'flac'
not:        !public
notword:    not public and id > 5
andor:      public and tag == 'lossless' or size > 100
deciding:   (size || 5) > 3
ternary:    public ? id % 2 == 0 : tag == 'lossless'
ternary2:   (score ? 1 : 2) == 1
inrange:    id in (0..47)
negrange:   id in (-100..-1)
bounds:     id in (k..100)
inlist:     tag in ('lossless', 'flac', 'lossIess')
innumbers:  id in (5, 97, 18446744073709551615, -7)
contains:   path contains '/'
listhas:    ('a', 'lossless') contains tag
rangehas:   (1..10) contains k
instring:   tag in 'lossless flac'
isnil:      public == nil
isnull:     size == null
notnil:     size != nil
empty:      tag == empty
blank:      tag == blank
notblank:   path != blank
isfalse:    public == false
intfloat:   id == 5.0
floatint:   score == 2
exactfloat: score == 9007199254740993 || id == 9007199254740992.0
below64:    score == -9223372036854775809 || size < -9223372036854775808
min:        min(id, 100) < 50
max:        max(score, 1) > 1
abs:        abs(id) % 100 < 50
len:        len(tag) > 4
sizeprop:   tag.size == 8
first:      ('lossless', 'flac').first == tag || ('a', 'b').last == tag
index:      ('x', tag)[-1] == 'flac'
starts:     startswith(path, 'a/')
ends:       endswith(path, '.flac')
rootindex:  ["tag"] == 'lossless'
lowerpath:  lower(path) contains 'a/'
upperpath:  upper(path) == 'A/1.FLAC'
"""

SLOTS = """\
s0:   slot(id, 1024) in (0..340)
s1:   slot(id, 1024) in (341..681)
s2:   slot(id, 1024) in (682..1023)
tags: slot(tag, 16) < 8
path: slot(path, 7) == 3
mod:  slot(id, 100) == id % 100
"""

# Rules that raise on some records: the run goes on, and both engines report the same
# first failing rule and message, with its line.
ERRORS = """\
modstr:  id % 100 == 5
divzero: size / (k - k) > 1
modzero: id % 0 == 0
order:   tag > 3
concat:  tag + 1 == 2
absstr:  abs(tag) > 0
slotkey: slot(score, 4) == 1
fine:    public == true
"""

# Field names that need quoting, fields named like the engine's own columns, and
# members of a nested object (which SQL does not read: a catalog whose records hold one
# falls back).
NAMES = """\
space:   ["a b"] == 1
quote:   ["it's"] == 'x'
dot:     ["a.b"] > 0
unicode: ["tåg"] == 'lossless'
dash:    a-b == 2
own:     ok == 1 || n == 2
own2:    broken == true || c0 > 1 || ["_bytes"] == 3
kind:    meta.kind == 'x'
count:   meta.size == 2
"""

# lower() of 'ß' is one character and its upper() two: SQL cannot follow, the engine
# falls back on a catalog holding one.
CASE_TAG = """\
lower: lower(tag) == 'lossless'
upper: upper(tag) contains 'SS'
"""

# SQL cannot express this: the engine falls back on every catalog (every construct it
# refuses: test_unsupported_rules_fall_back).
UNSUPPORTED = """\
fine:   tag == 'lossless'
round:  round(score) == 2
"""

RULE_SETS: dict[str, rules.RuleSet] = {name: rules.parse(text) for name, text in {
    "placement": PLACEMENT, "placement_new": PLACEMENT_NEW, "operators": OPERATORS,
    "slots": SLOTS, "errors": ERRORS, "names": NAMES, "case_tag": CASE_TAG,
    "unsupported": UNSUPPORTED}.items()}

DIFF_PAIRS = [("placement", "placement_new"), ("errors", "slots"), ("placement", "unsupported")]

ROUTED = [name for name in RULE_SETS if name != "placement_new"]  # that one only in diffs
ALWAYS_FALL_BACK = {"unsupported"}


def reading(*fields: str) -> frozenset[str]:
    """The rule sets that read any of these fields."""
    return frozenset(name for name, ruleset in RULE_SETS.items()
                     if any(set(fields) & rule.expression.variables for rule in ruleset.rules))


ALL = frozenset(RULE_SETS)

# -- the catalogs ---------------------------------------------------------------------------

LOOK_ALIKES = [
    "lossless", "lossIess", "l\u043essless", "LOSSLESS", "lossless ", "Lossless",
    "stra\u00dfe", "caf\u00e9", "cafe\u0301", "", "   ", "flac", "lossy", "\U0001f600",
]

EDGE_RECORDS: list[dict[str, Any]] = [
    {"id": 5, "tag": "lossless", "public": True, "size": 100, "path": "a/1.flac", "score": 0.5,
     "k": 3},
    {"id": 48, "tag": "lossless", "size": 200, "path": "a/2.flac"},
    {"id": 99, "tag": "lossless", "public": False, "size": 300, "score": 2.5},
    {"id": -7, "tag": "lossless", "public": False, "size": 400, "k": -3},
    {"id": -100, "tag": "flac", "size": -5, "k": 0},
    {"id": -(2**63), "tag": "lossless", "score": -0.0},
    {"id": 2**63 - 1, "tag": "lossless", "public": True},
    {"id": 2**63, "tag": "lossless", "path": "\u00fc/\u65e5\u672c.flac"},
    {"id": 2**63 + 97, "tag": "lossless", "size": 2**62},
    {"id": 2**64 - 1, "tag": "lossless", "public": True, "size": 500},
    {"id": 2**100 + 7, "tag": "lossless", "public": True},
    {"id": 0, "tag": "lossIess", "public": True},
    {"id": 47, "tag": "l\u043essless", "public": True},
    {"id": 96, "tag": "LOSSLESS"},
    {"id": 97, "tag": "lossless "},
    {"id": 12, "tag": "stra\u00dfe", "path": "b/strasse.flac"},
    {"id": 13, "tag": "caf\u00e9"},
    {"id": 14, "tag": "cafe\u0301"},
    {"id": 15, "tag": ""},
    {"id": 16, "tag": "   "},
    {"id": 17, "tag": "\U0001f600", "path": "a/\U0001f600.flac"},
    {"id": None, "tag": "lossy", "size": 60},
    {"id": 3, "tag": None, "public": None, "size": None, "score": None, "path": None},
    {},
    {"tag": "lossless"},
    {"id": 1234567890123, "tag": "flac", "score": 1e16, "path": "a/b/c.flac"},
    {"id": 100, "score": 0.1, "k": 0},
    {"id": 200, "score": 5e-324, "k": 10},
    {"id": 9007199254740993, "score": 9007199254740992.0},
    {"id": 9007199254740992, "score": 9007199254740993.0},
    {"id": 21, "a b": 1, "it's": "x", "a.b": 2, "t\u00e5g": "lossless", "a-b": 2},
    {"id": 22, "a b": 2, "it's": "y", "a.b": -1, "t\u00e5g": "lossIess", "a-b": 3},
    {"id": 23, "ok": 1, "n": 2, "broken": True, "c0": 5, "_bytes": 3, "size": 7},
    {"id": 24, "ok": 0, "n": 7, "broken": False, "c0": 0, "_bytes": 1},
]

PARQUET_TYPES = {"id": "DECIMAL(38,0)", "tag": "VARCHAR", "public": "BOOLEAN", "size": "BIGINT",
                 "path": "VARCHAR", "score": "DOUBLE", "k": "BIGINT", "a b": "BIGINT",
                 "it's": "VARCHAR", "a.b": "BIGINT", "t\u00e5g": "VARCHAR", "a-b": "BIGINT",
                 "ok": "BIGINT", "n": "BIGINT", "broken": "BOOLEAN", "c0": "BIGINT",
                 "_bytes": "BIGINT"}


def random_id(rng: random.Random) -> int:
    roll = rng.random()
    if roll < 0.15:
        return rng.randrange(-(2**63), 0)
    if roll < 0.3:
        return rng.randrange(2**63, 2**64)
    if roll < 0.5:
        return rng.randrange(-300, 300)
    return rng.randrange(0, 2**63)


def generated_records(count: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    made = []
    for number in range(count):
        record: dict[str, Any] = {"id": random_id(rng),
                                  "tag": rng.choice(LOOK_ALIKES[:5] + ["lossless"] * 5
                                                    + ["flac", "lossy"])}
        if rng.random() < 0.7:
            record["public"] = rng.random() < 0.4
        if rng.random() < 0.8:
            record["size"] = rng.randrange(0, 10**9)
        if rng.random() < 0.5:
            record["score"] = round(rng.uniform(-5, 5), 3)
        if rng.random() < 0.6:
            record["path"] = f"{rng.choice('ab')}/{number}.{rng.choice(['flac', 'mp3'])}"
        if rng.random() < 0.3:
            record["k"] = rng.randrange(-3, 12)
        if rng.random() < 0.1:
            record[rng.choice(["size", "public", "score"])] = None  # an explicit null
        made.append(record)
    return made


BASE_RECORDS = EDGE_RECORDS + generated_records(400, seed=5)

# Lines the python reader does not take as records (or skips), put between the records.
JUNK_LINES = [
    "", "   ", "\t", "not json", "{", '{"id": 5', "{'id': 5}", '{"id": 5} trailing',
    '{"id": 5}{"id": 6}', "[1, 2]", "42", "null", '"text"', "true", "[]",
    '   {"id": 7, "tag": "lossless"}', '{"id": 05}', '{"tag": "a\tb"}', '{"id": 1 /* c */}',
    "{}", '{"id": 5, "tag": "lossless"}   ',
]


# Every ASCII control character, placed before, after and inside a record's line.
CONTROLS = [chr(code) for code in range(0x20)] + ["\x7f"]
# Before or after a line's JSON, a vertical tab or a form feed is white space to DuckDB,
# but not to JSON (nor to the python reader): the engine falls back on such a line.
TRIMMED = frozenset({"\x0b", "\x0c"})
TRIMMED_PLACES = frozenset({"before", "after", "around"})


def control_lines(char: str) -> dict[str, str]:
    record = '{"id": 7, "tag": "lossless", "size": 5}'
    return {
        "before": char + record,
        "after": record + char,
        "around": f"{char} {record}\t{char}",
        "between": '{"id": 7,' + char + '"tag": "lossless", "size": 5}',
        "in a value": '{"id": 7, "tag": "loss' + char + 'less", "size": 5}',
        "in a key": '{"id": 7, "t' + char + 'ag": "lossless", "size": 5}',
        "in a number": '{"id": 7' + char + '1, "size": 5}',
        "alone": char,
        "with spaces": f" {char}\t",
    }


def json_line(record: dict[str, Any]) -> str:
    # the standard library writes integers of any size; ensure_ascii=False keeps the
    # look-alikes as UTF-8 (an escaped "\\u" line would make the engine fall back)
    return json.dumps(record, ensure_ascii=False)


def jsonl(lines: list[str], newline: str = "\n", final: bool = True) -> bytes:
    return (newline.join(lines) + (newline if final and lines else "")).encode("utf-8")


def with_junk(rows: list[dict[str, Any]]) -> list[str]:
    lines = [json_line(row) for row in rows]
    for index, junk in enumerate(JUNK_LINES):
        lines.insert(3 + index * 7, junk)
    return lines


def sql_value(value: Any, sql_type: str) -> str:
    if value is None:
        return f"CAST(NULL AS {sql_type})"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return f"CAST({quote_string(repr(value))} AS {sql_type})"
    return f"CAST({quote_string(str(value))} AS {sql_type})"


def write_parquet(path: Path, rows: list[dict[str, Any]], types: dict[str, str]) -> None:
    values = ",\n".join("(" + ", ".join(sql_value(row.get(name), kind)
                                         for name, kind in types.items()) + ")"
                        for row in rows)
    names = ", ".join(quote_identifier(name) for name in types)
    with duckdb.connect() as con:
        con.execute(f"COPY (SELECT * FROM (VALUES {values}) AS t({names})) TO "
                    f"{quote_string(str(path))} (FORMAT parquet)")


def write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    columns = list(PARQUET_TYPES)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(name) is None else
                         str(row[name]).lower() if isinstance(row[name], bool) else row[name]
                         for name in columns])
    path.write_text(buffer.getvalue(), encoding="utf-8")


def present(record: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in record.items() if value is not None}


def mixed_records() -> list[dict[str, Any]]:
    """Fields holding several JSON types within the engine's sample."""
    ids: list[Any] = [12, "12", "x", 12.0, True, None, -7, "8214420917724407091", 2**64 - 1,
                      2.5, "", 1e16]
    tags: list[Any] = ["lossless", 5, True, None, "lossIess", 2.5, "flac"]
    sizes: list[Any] = [100, 1.5, "100", True, None, -3, 2**63, 0]
    publics: list[Any] = [True, 1, "true", None, False, 0]
    made = []
    for number in range(300):
        record = {"id": ids[number % len(ids)], "tag": tags[number % len(tags)],
                  "public": publics[number % len(publics)], "size": sizes[number % len(sizes)],
                  "path": f"a/{number}.flac", "score": [0.5, 2, "2", None][number % 4]}
        made.append({name: value for name, value in record.items()
                     if value is not None or number % 2})  # missing, or an explicit null
    return made


def other_types(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The usual fields with other column types: string ids, integer tags, 0/1 for public,
    float sizes, integer scores."""
    def convert(value: Any, to: Callable[[Any], Any]) -> Any:
        return None if value is None else to(value)

    return [{"id": convert(row.get("id"), str), "tag": convert(row.get("tag"), len),
             "public": convert(row.get("public"), int), "size": row.get("size"),
             "score": convert(row.get("score"), lambda score: int(score * 10))}
            for row in rows]


def late_records() -> list[dict[str, Any]]:
    """Clean types for the engine's sample of 2,000 records, then other types."""
    rng = random.Random(11)
    made: list[dict[str, Any]] = [
        {"id": rng.randrange(0, 2**63), "tag": rng.choice(["lossless", "flac"]),
         "public": rng.random() < 0.5, "size": rng.randrange(10**6), "score": 0.5 + number,
         "path": f"a/{number}.flac", "k": number % 7}
        for number in range(2500)]
    made[2100]["id"] = -7                # UBIGINT sampled: a negative id
    made[2200]["size"] = 1.5             # a float size counts no bytes
    made[2300]["size"] = 2**64 - 1
    made[2400]["id"] = "2400"            # a string id
    made[2450]["score"] = -(2**63) - 1   # DOUBLE sampled: an integer DuckDB reads as one
    made[2460]["size"] = -(2**63) - 1    # counted by both
    made[2470]["size"] = -(2**64)
    return made


@dataclass(frozen=True)
class Catalog:
    name: str
    path: Path
    falls_back: frozenset[str]  # the rule sets the duckdb engine must refuse on it
    # the outcome does not depend on the rules (the engine refuses the catalog whatever
    # they read: a line DuckDB reads more leniently than the python reader, a path it
    # would glob; or the catalog holds no record): two rule sets and one diff are enough
    light: bool = False


def expected_fallback(catalog: Catalog, *names: str) -> bool:
    return any(name in ALWAYS_FALL_BACK or name in catalog.falls_back for name in names)


def make_catalogs(folder: Path) -> dict[str, Catalog]:
    made: dict[str, Catalog] = {}

    def add(name: str, data: bytes | None, falls_back: frozenset[str] = frozenset(),
            light: bool = False) -> Path:
        path = folder / name
        if data is not None:
            path.write_bytes(data)
        made[name] = Catalog(name, path, falls_back, light)
        return path

    sharp_s = frozenset({"case_tag"})  # 'ß' in a tag: lower()/upper() cannot follow
    add("base.jsonl", jsonl(with_junk(BASE_RECORDS)), sharp_s)
    parquet = add("base.parquet", None, sharp_s)
    write_parquet(parquet, BASE_RECORDS, PARQUET_TYPES)
    # the test's own check: Parquet holds the very records of the JSON Lines
    assert [record for _, record in records(parquet)] == [present(r) for r in BASE_RECORDS]
    int64 = [r for r in BASE_RECORDS if -(2**63) <= (r.get("id") or 0) < 2**63]
    write_parquet(add("int64.parquet", None, sharp_s), int64,
                  {**PARQUET_TYPES, "id": "BIGINT"})
    unsigned = [r for r in BASE_RECORDS if 0 <= (r.get("id") or 0) < 2**64
                and (r.get("size") or 0) >= 0]
    write_parquet(add("unsigned.parquet", None, sharp_s), unsigned,
                  {**PARQUET_TYPES, "id": "UBIGINT", "size": "UBIGINT", "k": "INTEGER"})
    floats = [{"id": n, "tag": "lossless", "score": score} for n, score in
              enumerate([0.5, float("nan"), float("inf"), float("-inf"), -0.0, 1e300, 2.0])]
    # SQL orders NaN above every number and equals it to itself: the engine refuses a
    # NaN in a column the SQL reads (operators compares score)
    write_parquet(add("floats.parquet", None, frozenset({"operators"})), floats,
                  {"id": "INTEGER", "tag": "VARCHAR", "score": "DOUBLE"})
    odd = [{"id": n, "tag": "lossless", "score": n / 4, "size": n} for n in range(-3, 5)]
    write_parquet(add("odd_types.parquet", None, reading("id", "score")), odd,
                  {"id": "DECIMAL(10,2)", "tag": "VARCHAR", "score": "FLOAT",
                   "size": "INTEGER"})
    write_csv(add("base.csv", None, ALL), BASE_RECORDS)
    write_parquet(add("strings.parquet", None), other_types(BASE_RECORDS[:120]),
                  {"id": "VARCHAR", "tag": "BIGINT", "public": "INTEGER", "size": "DOUBLE",
                   "score": "BIGINT"})

    add("mixed.jsonl", jsonl([json_line(r) for r in mixed_records()]))
    add("late.jsonl", jsonl([json_line(r) for r in late_records()]))
    huge = [{"id": value, "tag": "lossless", "public": True, "path": "a/1.flac"}
            for value in (2**64, 2**64 + 97, 2**100, 2**127 - 1, -(2**127), -(2**64) - 7, 5)]
    # abs(id) and -id of -2**127 overflow HUGEINT: the documented limit of rules.sql
    add("huge.jsonl", jsonl([json_line(r) for r in huge]), frozenset({"operators"}))
    # values SQL cannot hold: integers beyond 128 bits, lists and objects
    beyond = [{"id": value, "tag": "lossless", "public": True}
              for value in (5, 2**127, -(2**127) - 1, 2**200, [1, 2])]
    beyond += [{"id": 5, "tag": "lossless", "meta": {"kind": "x", "size": 2}},
               {"id": 6, "meta": {"kind": "y"}}]
    add("unrepresentable.jsonl", jsonl([json_line(r) for r in beyond]), reading("id", "meta"))

    # JSON the python reader refuses or reads differently from DuckDB: always python
    good = [json_line(r) for r in BASE_RECORDS[:6]]
    for name, line in {
        "nan.jsonl": '{"id": 5, "tag": "lossless", "score": NaN}',
        "infinity.jsonl": '{"id": 5, "score": -Infinity, "size": Infinity}',
        "lenient_numbers.jsonl": '{"id": 5, "zz": nan, "yy": -inf}',
        "overflow.jsonl": '{"id": 5, "zz": 1e400}',
        "long_number.jsonl": '{"id": 5, "zz": 1' + "0" * 400 + ".5}",
        "deep.jsonl": '{"id": 5, "zz": ' + "[" * 1024 + "]" * 1024 + "}",
        "trailing_comma.jsonl": '{"id": 5, "tag": "lossless",}',
        "trailing_comma_list.jsonl": '{"id": 5, "zz": [1, 2, ]}',
        "key_escape.jsonl": '{"id": 5, "t\\u0061g": "lossless"}',
    }.items():
        add(name, jsonl([*good[:3], line, *good[3:]]), ALL, light=True)
    # escapes in values: DuckDB decodes them as Python does
    for name, line in {
        "surrogate_pair.jsonl": '{"id": 5, "tag": "\\ud83d\\ude00"}',
        "unicode_escape.jsonl": '{"id": 5, "tag": "stra\\u00dfe", "path": "\\u00e9\\"/"}',
    }.items():
        add(name, jsonl([*good[:3], line, *good[3:]]), sharp_s, light=True)
    add("duplicate_keys.jsonl",
        jsonl([*good, '{"id": 5, "tag": "lossless", "id": 6, "tag": "flac", "size": 1}']),
        reading("id", "tag"))
    add("bom.jsonl", b"\xef\xbb\xbf" + jsonl(good), ALL, light=True)
    add("bom_inside.jsonl", jsonl(good[:2]) + b"\xef\xbb\xbf" + jsonl(good[2:]), ALL,
        light=True)  # not JSON to the python reader past the first line
    (folder / "glob1.jsonl").write_bytes(jsonl(good[:2]))  # what DuckDB would read
    add("glob[1].jsonl", jsonl(good), ALL, light=True)
    add("compressed.jsonl.gz", gzip.compress(jsonl(good)), ALL, light=True)

    # JSON both read alike (CRLF line ends, no final newline)
    odd = [
        '{"id": 5, "tag": "\\ud83d"}',  # a lone surrogate: not JSON to either
        '{"id": 5, "zz": 1, "zz": 2}',  # a duplicate key the rules do not read
        '{"id": 5, "tag": "a\\"b\\\\c\\/d\\n\\t", "path": "a\\/b"}',  # escapes, not \\u
        '{"id": 1, "score": 1e-320}', '{"id": 2, "score": -1e-300}', '{"id": 3, "score": 1e99}',
        '{"ID": 5, "Tag": "lossless", "PUBLIC": true}', '{"id": 5, "tag": "lossless", "Id": 6}',
    ]
    add("odd_lines.jsonl", jsonl(with_junk(BASE_RECORDS[:6]) + odd, newline="\r\n",
                                 final=False) + b'\r\n{"id": 5, "tag": "a\xffb"}')
    add("empty.jsonl", b"", light=True)

    # integers beyond 64 bits in sampled fields: the python reader keeps them exact and
    # counts such sizes; floats as large are not integers
    wide = [{"id": n, "tag": "lossless", "size": size, "score": score}
            for n, (size, score) in enumerate([
                (-(2**63) - 1, 0.5), (-(2**64), -(2**63) - 1), (-(2**100), 2.5),
                (2**64, 1e19), (2**100, -1e19), (-1e19, -9.3e18), (1.5, 3), (7, None),
                (-(2**63), 2**64 + 1)])]
    add("beyond_64_bits.jsonl", jsonl([json_line(r) for r in wide]))
    # the control characters: lines both engines read alike in one catalog, and one
    # catalog for each line the engine must refuse
    controls = []
    for char in CONTROLS:
        for place, line in control_lines(char).items():
            if char in TRIMMED and place in TRIMMED_PLACES:
                add(f"control_{ord(char):02x}_{place}.jsonl",
                    jsonl([*good[:3], line, *good[3:]]), ALL, light=True)
            else:
                controls.append(line)
    add("controls.jsonl", jsonl([line for pair in zip(controls, cycle(good))
                                 for line in pair]))
    return made


@pytest.fixture(scope="module")
def catalogs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Catalog]:
    return make_catalogs(tmp_path_factory.mktemp("catalogs"))


CATALOG_NAMES = [
    "base.jsonl", "base.parquet", "int64.parquet", "unsigned.parquet", "floats.parquet",
    "odd_types.parquet", "base.csv", "mixed.jsonl", "late.jsonl", "huge.jsonl",
    "unrepresentable.jsonl", "nan.jsonl", "infinity.jsonl",
    "lenient_numbers.jsonl", "overflow.jsonl", "long_number.jsonl", "trailing_comma.jsonl",
    "trailing_comma_list.jsonl", "surrogate_pair.jsonl", "unicode_escape.jsonl",
    "key_escape.jsonl", "duplicate_keys.jsonl", "bom.jsonl", "bom_inside.jsonl", "glob[1].jsonl",
    "compressed.jsonl.gz", "odd_lines.jsonl", "empty.jsonl", "strings.parquet", "deep.jsonl",
    "beyond_64_bits.jsonl", "controls.jsonl",
    *(f"control_{ord(char):02x}_{place}.jsonl" for char in sorted(TRIMMED)
      for place in sorted(TRIMMED_PLACES)),
]

# -- the comparison ---------------------------------------------------------------------------


def as_text(report: dict[str, Any]) -> str:
    """The report as the command line prints it: equal texts are byte-identical reports
    (and a NaN in a sample equals itself)."""
    return json.dumps(report, ensure_ascii=False)


@dataclass(frozen=True)
class Run:
    """One comparison: ``route`` of one rule set, or ``diff`` of two, over one catalog."""

    what: str
    expected: bool  # a fallback
    rules: int  # rules evaluated per record
    duckdb: Callable[[], dict[str, Any]]
    python: Callable[[], dict[str, Any]]
    engine: Callable[..., dict[str, Any]]  # rules.route or rules.diff, given notice=


def runs(catalog: Catalog) -> Iterator[Run]:
    path = str(catalog.path)
    routed, pairs = (["placement", "names"], DIFF_PAIRS[:1]) if catalog.light else (
        ROUTED, DIFF_PAIRS)
    for name in routed:
        ruleset = RULE_SETS[name]
        yield Run(f"route {name} over {catalog.name}", expected_fallback(catalog, name),
                  len(ruleset.names),
                  functools.partial(duckdb_engine.route, ruleset, path, sample=5),
                  functools.partial(python_engine.route, ruleset, path, sample=5),
                  functools.partial(rules.route, ruleset, path, engine="duckdb", sample=5))
    for old, new in pairs:
        before, after = RULE_SETS[old], RULE_SETS[new]
        yield Run(f"diff {old} -> {new} over {catalog.name}",
                  expected_fallback(catalog, old, new), len(before.names) + len(after.names),
                  functools.partial(duckdb_engine.diff, before, after, path, sample=5),
                  functools.partial(python_engine.diff, before, after, path, sample=5),
                  functools.partial(rules.diff, before, after, path, engine="duckdb",
                                    sample=5))


@dataclass
class Outcome:
    failures: list[str] = field(default_factory=list)
    agreed: int = 0  # reports
    evaluations: int = 0  # records x rules in the reports agreed
    fell_back: int = 0


def compare(catalog: Catalog) -> Outcome:
    """Every run over one catalog. The first fallback of each kind (route, diff) also
    goes through ``rules.route``/``rules.diff``, which must give the python answer and
    tell why."""
    outcome = Outcome()
    failures = outcome.failures
    told: set[str] = set()
    for run in runs(catalog):
        report = run.python()
        wanted = as_text(report)
        try:
            got = as_text(run.duckdb())
        except Fallback as reason:
            if not run.expected:
                failures.append(f"{run.what}: unexpected fallback: {reason}")
                continue
            outcome.fell_back += 1
            kind = run.what.split()[0]
            if kind not in told:
                told.add(kind)
                notices: list[str] = []
                if as_text(run.engine(notice=notices.append)) != wanted:
                    failures.append(f"{run.what}: rules.{kind} is not the python answer")
                if len(notices) != 1 or not notices[0].startswith("using the python engine: "):
                    failures.append(f"{run.what}: notices {notices}")
            continue
        if got != wanted:
            failures.append(f"{run.what}: the engines disagree\n  python {wanted}\n"
                            f"  duckdb {got}")
        elif run.expected:
            failures.append(f"{run.what}: agreed where a fallback was expected (if the "
                            f"engine now reads this exactly, update the catalog's falls_back)")
        else:
            outcome.agreed += 1
            outcome.evaluations += report["records"] * run.rules
    return outcome


@pytest.fixture(scope="module")
def compared(catalogs: dict[str, Catalog]) -> Callable[[str], Outcome]:
    """``compare`` for a catalog, run once per catalog however many tests ask."""
    return functools.cache(lambda name: compare(catalogs[name]))


def test_corpus_and_catalogs_are_what_they_claim(catalogs: dict[str, Catalog]) -> None:
    assert sorted(catalogs) == sorted(CATALOG_NAMES)
    for name, catalog in catalogs.items():
        assert catalog.falls_back <= ALL, name
    # the catalogs the engine refuses whatever the rules; on every other one, some agree
    assert {name for name, c in catalogs.items() if c.falls_back == ALL} == {
        "base.csv", "bom.jsonl", "nan.jsonl", "infinity.jsonl", "lenient_numbers.jsonl",
        "overflow.jsonl", "long_number.jsonl", "trailing_comma.jsonl",
        "trailing_comma_list.jsonl", "key_escape.jsonl",
        "deep.jsonl", "bom_inside.jsonl", "glob[1].jsonl", "compressed.jsonl.gz",
        *(f"control_{code}_{place}.jsonl" for code in ("0b", "0c")
          for place in ("before", "after", "around"))}
    # every control character, in every place, in the catalog the engines read alike
    controls = catalogs["controls.jsonl"].path.read_bytes()
    assert all(char.encode() in controls for char in CONTROLS)
    # the engine's sample types id and size as integers; later records hold other types
    late = [record for _, record in records(catalogs["late.jsonl"].path)]
    sampled = infer_columns(late[:SAMPLE_RECORDS])
    assert (sampled["id"], sampled["size"]) == ("UBIGINT", "UBIGINT")
    assert infer_columns(late)["id"] == infer_columns(late)["size"] == "JSON"
    assert late[2400]["id"] == "2400"
    base = [record for _, record in records(catalogs["base.jsonl"].path)]
    assert sum(not isinstance(record, dict) for record in base) >= 15  # junk lines


@pytest.mark.parametrize("catalog_name", CATALOG_NAMES)
def test_route_and_diff_agree(compared: Callable[[str], Outcome], catalog_name: str) -> None:
    failures = compared(catalog_name).failures
    assert not failures, "\n".join(failures)


def test_many_comparisons_agreed(compared: Callable[[str], Outcome]) -> None:
    """The differential test cannot pass by falling back."""
    outcomes = [compared(name) for name in CATALOG_NAMES]
    assert not any(outcome.failures for outcome in outcomes)
    agreed = sum(outcome.agreed for outcome in outcomes)
    evaluations = sum(outcome.evaluations for outcome in outcomes)
    fell_back = sum(outcome.fell_back for outcome in outcomes)
    assert agreed >= 75 and evaluations >= 100_000 and fell_back >= 90, (
        agreed, evaluations, fell_back)


# -- constructs SQL cannot express ----------------------------------------------------------


@pytest.mark.parametrize("rule", [
    "round(score) == 2", "floor(score) == 2", "ceil(score) == 3", "int(tag) == 5",
    "float(id) > 1", "str(id) == '5'", "[tag] == 1", "(public ? (1, 2) : (3, 4)) contains 1",
    "id + 170141183460469231731687303715884105728 > 0", "tag == '\\ud800'",
    "id == 1 || ID == 2",
])
def test_unsupported_rules_fall_back(catalogs: dict[str, Catalog], rule: str) -> None:
    try:
        ruleset = rules.parse(f"fine: tag == 'lossless'\nodd: {rule}\n")
    except rules.RuleError as error:  # the expression reader may refuse a lone surrogate
        assert "\\ud800" in rule and "surrogate" in error.message
        return
    path = str(catalogs["base.jsonl"].path)
    with pytest.raises(Fallback, match=r"^rule '(odd|morbo)': "):
        duckdb_engine.route(ruleset, path)
    with pytest.raises(Fallback, match=r"^rule '(odd|morbo)': "):
        duckdb_engine.diff(RULE_SETS["placement"], ruleset, path)
    notices: list[str] = []
    assert as_text(rules.route(ruleset, path, engine="duckdb", notice=notices.append)) == (
        as_text(python_engine.route(ruleset, path)))
    assert len(notices) == 1 and notices[0].startswith("using the python engine: rule ")


def test_lines_with_trimmed_controls_are_found_across_blocks(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The search for vertical tabs and form feeds next to a line's JSON reads the file by
    blocks, and searches it by windows: a line may span several, and its ends fall
    anywhere in them."""
    lines = [json_line(record) for record in BASE_RECORDS[:8]]
    places: list[tuple[str, int | None]] = [("", None)]
    for char in sorted(TRIMMED):
        for place, line in control_lines(char).items():
            places.append((line, 5 if place in TRIMMED_PLACES else None))
    places.append(("  \x0b \x0c\t ", None))  # blank to both
    places.append(('{"id": 5}\r\x0c\r', 5))
    path = tmp_path / "controls.jsonl"
    for line, found in places:
        for final in (True, False):
            path.write_bytes(jsonl([*lines[:4], line, *lines[4:]], final=final))
            last = jsonl([*lines, line], final=final)
            for size in (1, 2, 3, 7, 64, 1 << 22):
                monkeypatch.setattr(duckdb_lenient, "_CHUNK_BYTES", size)
                monkeypatch.setattr(duckdb_lenient, "_WINDOW_BYTES", size)
                assert duckdb_lenient.trimmed_control(str(path)) == found, (line, size)
                (tmp_path / "last.jsonl").write_bytes(last)  # the line last, maybe unended
                assert duckdb_lenient.trimmed_control(str(tmp_path / "last.jsonl")) == (
                    None if found is None else 9), (line, size)


def test_a_catalog_that_cannot_be_mapped_falls_back() -> None:
    """The search for vertical tabs and form feeds maps the file; a device cannot be."""
    ruleset = RULE_SETS["placement"]
    with pytest.raises(Fallback, match="cannot be mapped into memory"):
        duckdb_engine.route(ruleset, "/dev/null", format="jsonl")
    assert as_text(rules.route(ruleset, "/dev/null", engine="duckdb", format="jsonl")) == (
        as_text(python_engine.route(ruleset, "/dev/null", format="jsonl")))


def test_fields_named_like_the_engines_columns_fall_back(tmp_path: Path) -> None:
    path = tmp_path / "own.jsonl"
    path.write_bytes(jsonl([json_line({"id": n, "_ladle_ok": n, "_LADLE_N": n})
                            for n in range(5)]))
    for rule in ('["_ladle_ok"] == 1', '["_LADLE_N"] == 2'):
        ruleset = rules.parse(f"own: {rule}\n")
        with pytest.raises(Fallback, match="named like the engine's own columns"):
            duckdb_engine.route(ruleset, str(path))
        assert as_text(rules.route(ruleset, str(path), engine="duckdb")) == as_text(
            python_engine.route(ruleset, str(path)))


def test_rules_making_too_much_sql_fall_back(tmp_path: Path) -> None:
    """Planning a query costs DuckDB time and memory by its length: a large rule set
    over fields of mixed types goes to the python engine instead."""
    path = tmp_path / "mixed.jsonl"
    values: list[Any] = [1, "x", 2.5, True, None, -3]
    path.write_bytes(jsonl([json_line({f"f{k}": values[(n + k) % 6] for k in range(8)})
                            for n in range(30)]))
    many = rules.parse("".join(f"r{n}: f{n % 8} + {n} > f{(n + 1) % 8} % 7\n"
                               for n in range(200)))
    with pytest.raises(Fallback, match="characters of SQL, more than DuckDB plans"):
        duckdb_engine.route(many, str(path))
    with pytest.raises(Fallback, match="characters of SQL"):
        duckdb_engine.diff(RULE_SETS["placement"], many, str(path))
    assert as_text(rules.route(many, str(path), engine="duckdb")) == as_text(
        python_engine.route(many, str(path)))


def test_typed_fields_are_read_from_their_json_text_exactly(tmp_path: Path) -> None:
    """Fields the sample shows with one type are read from their JSON text with string
    tests and casts: strings with quotes, backslashes and nothing in them, numbers
    spelled with exponents or a minus zero, and, past the sample, a value of another
    type in each (which the engine then reads as JSON), all as the python reader reads
    them."""
    tags = ["", '"', '\\', 'a"b', '"lossless"', "lossless", "é", " lossless", "1", "true"]
    lines = [json_line({"id": n - 5, "tag": tags[n % len(tags)], "public": n % 3 == 0,
                        "score": n / 4 + 0.5, "size": n}) for n in range(SAMPLE_RECORDS + 20)]
    lines += ['{"id": -0, "tag": "lossless", "public": false, "score": 1E5, "size": 0}',
              '{"id": 47, "tag": "x", "public": true, "score": -0.0, "size": 1e2}']
    typed, mixed = tmp_path / "typed.jsonl", tmp_path / "mixed.jsonl"
    typed.write_bytes(jsonl(lines))
    mixed.write_bytes(jsonl([
        *lines, '{"id": 2.0, "tag": 5, "public": "true", "score": 7, "size": "5"}',
        '{"id": "12", "tag": null, "public": 1, "score": "2.5", "size": true}']))
    ruleset = rules.parse("""\
lossless: tag == 'lossless' || tag == '"lossless"' || tag == 'a"b' || tag == '\\\\'
empty:    tag == '' || tag == '"' || tag == '1'
ids:      (id % 100) <= 47 && public == true
score:    score >= 2.5 || score == 0
sized:    size > 10
""")
    changed = rules.parse("lossless: tag == 'lossless'\nsized: size >= 10\n")
    for path in (str(typed), str(mixed)):
        assert as_text(duckdb_engine.route(ruleset, path)) == as_text(
            python_engine.route(ruleset, path))
        assert as_text(duckdb_engine.diff(ruleset, changed, path)) == as_text(
            python_engine.diff(ruleset, changed, path))


def test_a_catalog_duckdb_cannot_open_is_the_python_readers_error(tmp_path: Path) -> None:
    path = tmp_path / "not.parquet"
    path.write_bytes(jsonl(['{"id": 1}']))
    ruleset = RULE_SETS["placement"]
    with pytest.raises(Fallback, match="DuckDB cannot read this catalog"):
        duckdb_engine.route(ruleset, str(path))
    with pytest.raises(CatalogFileError) as python:
        python_engine.route(ruleset, str(path))
    with pytest.raises(CatalogFileError) as through:
        rules.route(ruleset, str(path), engine="duckdb")
    assert str(through.value) == str(python.value)


# -- random catalogs ---------------------------------------------------------------------------

PROPERTY_RULES = rules.parse("""\
morbo: tag == 'lossless' && (id % 100) <= 47
linda: tag == 'lossless' && (id % 100) >= 48
slot:  slot(id, 1024) in (0..511)
pub:   public == true || size > 1000 || score >= 2
tags:  tag in ('lossIess', 'l\u043essless', 'caf\u00e9') || len(tag) == 0
""")
PROPERTY_NEW = rules.parse("""\
morbo: tag == 'lossless' && (id % 100) <= 31
slot:  slot(id, 1024) in (0..600)
""")
EDGE_IDS = [0, 1, -1, 5, 47, 48, 96, 97, 99, 100, -7, -100, 2**63 - 1, 2**63, -(2**63),
            -(2**63) - 1, 2**64 - 1, 2**64, 2**127 - 1, -(2**127), 2**127, -(2**127) - 1]
TAG_ALPHABET = "losIeSL\u00df\u043e\u00e9\u0301 \U0001f600'\"\\/"
NUMBERS = st.floats(-1e6, 1e6, allow_nan=False) | st.sampled_from([-0.0, 1e16, 2.5, 0.1])
# Per field, the values of one JSON type each (the engine then reads a typed column), or
# all of them mixed (it reads JSON).
FIELDS: dict[str, list[st.SearchStrategy[Any]]] = {
    "id": [st.sampled_from(EDGE_IDS) | st.integers(-(2**66), 2**66),
           st.sampled_from(["12", "x", "", "-7"]), st.sampled_from([12.0, 2.5, -0.0])],
    "tag": [st.sampled_from(LOOK_ALIKES) | st.text(TAG_ALPHABET, max_size=6),
            st.integers(-3, 3)],
    "public": [st.booleans(), st.sampled_from([0, 1, "true"])],
    "size": [st.integers(-10, 10**13) | st.sampled_from([2**63, 2**64 - 1, -(2**63), 2**64,
                                                         -(2**63) - 1, -(2**70)]),
             NUMBERS],
    "score": [NUMBERS, st.integers(-5, 5)],
    "path": [st.sampled_from(["a/1.flac", "b/2.mp3", "", "a\\/b"])],
}


@st.composite
def catalog_lines(draw: st.DrawFn) -> list[str]:
    values = {}
    for name, kinds in FIELDS.items():
        choice = draw(st.integers(0, len(kinds)))
        values[name] = st.none() | (kinds[choice] if choice < len(kinds) else st.one_of(kinds))
    records = st.fixed_dictionaries({}, optional=values).map(json_line)
    return draw(st.lists(records | records | records | st.sampled_from(JUNK_LINES),
                         max_size=25))


def may_fall_back(lines: list[str]) -> bool:
    """The documented cases: an integer beyond HUGEINT, or a line holding a field the
    rules read twice."""
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if not isinstance(record, dict):
            continue
        for value in record.values():
            if type(value) is int and not -(2**127) <= value < 2**127:
                return True
        if any(line.count(json.dumps(name)) > 1 for name in FIELDS):
            return True
    return False


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(lines=catalog_lines(), also_diff=st.integers(0, 2))
def test_random_catalogs_agree(tmp_path: Path, lines: list[str], also_diff: int) -> None:
    path = tmp_path / "random.jsonl"
    path.write_bytes(jsonl(lines))
    checks = [(functools.partial(duckdb_engine.route, PROPERTY_RULES, str(path)),
               functools.partial(python_engine.route, PROPERTY_RULES, str(path)))]
    if not also_diff:  # a third of the time: the run time is DuckDB's, per query
        checks.append(
            (functools.partial(duckdb_engine.diff, PROPERTY_RULES, PROPERTY_NEW, str(path)),
             functools.partial(python_engine.diff, PROPERTY_RULES, PROPERTY_NEW, str(path))))
    for run_duckdb, run_python in checks:
        try:
            got = run_duckdb()
        except Fallback as reason:
            assert may_fall_back(lines), f"unexpected fallback: {reason}"
            continue
        assert as_text(got) == as_text(run_python())


# -- choosing the engine -----------------------------------------------------------------------


def test_choose(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    small, big, below = tmp_path / "small.jsonl", tmp_path / "big.jsonl", tmp_path / "b.jsonl"
    small.write_text('{"id": 1}\n')
    for path, size in ((big, engine.AUTO_BYTES), (below, engine.AUTO_BYTES - 1)):
        with path.open("wb") as sparse:
            sparse.truncate(size)
    assert engine.choose("auto", str(small)) == "python"
    assert engine.choose("auto", str(below)) == "python"
    assert engine.choose("auto", str(big)) == engine.choose("auto", big) == "duckdb"
    assert engine.choose("python", str(big)) == "python"
    assert engine.choose("duckdb", str(small)) == "duckdb"
    for name in engine.ENGINES:
        assert engine.choose(name, "-") == "python"  # stdin
        assert engine.choose(name, str(big), output=True) == "python"
        assert engine.choose(name, [(1, {"id": 1})]) == "python"  # an iterable of items
    with pytest.raises(ValueError, match="engine must be one of auto, python, duckdb, spark, not"):
        engine.choose("sql", str(small))
    real_find_spec = engine.importlib.util.find_spec
    monkeypatch.setattr(engine.importlib.util, "find_spec",
                        lambda name, *args: None if name == "duckdb" else real_find_spec(name))
    assert engine.choose("duckdb", str(big)) == engine.choose("auto", str(big)) == "python"
    notices: list[str] = []
    rules.route(RULE_SETS["placement"], str(small), engine="duckdb", notice=notices.append)
    assert notices == ["using the python engine: DuckDB is not installed "
                       "(pip install 'ladle[scale]')"]


def test_engine_notices(catalogs: dict[str, Catalog], monkeypatch: pytest.MonkeyPatch) -> None:
    ruleset, path = RULE_SETS["placement"], str(catalogs["base.jsonl"].path)
    wanted = as_text(python_engine.route(ruleset, path))
    notices: list[str] = []
    for name in ("python", "auto", "duckdb"):  # base.jsonl is small: auto is python
        assert as_text(rules.route(ruleset, path, engine=name, notice=notices.append)) == wanted
    assert notices == []
    rows: list[tuple[int, Any, list[str]]] = []
    assert as_text(rules.route(ruleset, path, engine="duckdb", notice=notices.append,
                               output=lambda *row: rows.append(row))) == wanted
    assert notices == ["using the python engine: it writes --output"]
    assert len(rows) == sum(1 for _ in records(path))
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(Path(path).read_bytes())))
    assert as_text(rules.route(ruleset, "-", engine="duckdb", notice=notices.append)) == wanted
    assert notices[-1] == "using the python engine: DuckDB does not read stdin"


# -- the command line --------------------------------------------------------------------------


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    made = {"placement": tmp_path / "placement.rules", "new": tmp_path / "new.rules",
            "catalog": tmp_path / "catalog.jsonl", "csv": tmp_path / "catalog.csv"}
    made["placement"].write_text(PLACEMENT, encoding="utf-8")
    made["new"].write_text(PLACEMENT_NEW, encoding="utf-8")
    # without the field "tåg", as close to "tg" as "tag" is (test_cli_check_with_catalog)
    plain = [record for record in BASE_RECORDS[:80] if "t\u00e5g" not in record]
    made["catalog"].write_bytes(jsonl(with_junk(plain)))
    write_csv(made["csv"], BASE_RECORDS[:80])
    return made


def test_cli_route_engines_agree(files: dict[str, Path],
                                 capsys: pytest.CaptureFixture[str]) -> None:
    rules_file, catalog = str(files["placement"]), str(files["catalog"])
    for output in ("json", "text"):
        python = run(capsys, "rules", "route", rules_file, catalog, "--format", output,
                     "--engine", "python")
        assert python[0] == 0 and python[2] == ""
        assert run(capsys, "rules", "route", rules_file, catalog, "--format", output,
                   "--engine", "duckdb") == python
    report = json.loads(python_engine_json(files))
    assert report["errors"]["records"] >= 15 and report["records"] > 80


def python_engine_json(files: dict[str, Path]) -> str:
    return as_text(python_engine.route(rules.parse(files["placement"]), str(files["catalog"])))


def test_cli_fallback_notice(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    rules_file, csv_catalog = str(files["placement"]), str(files["csv"])
    code, out, err = run(capsys, "rules", "route", rules_file, csv_catalog, "--format", "json",
                         "--engine", "duckdb")
    assert code == 0
    assert err == ("ladle: using the python engine: CSV values are typed one by one by the "
                   "python reader\n")
    assert (code, out, "") == run(capsys, "rules", "route", rules_file, csv_catalog,
                                  "--format", "json", "--engine", "python")
    code, out, err = run(capsys, "rules", "diff", rules_file, str(files["new"]), csv_catalog,
                         "--format", "json", "--engine", "duckdb")
    assert (code, err.startswith("ladle: using the python engine: ")) == (0, True)


def test_cli_diff_engines_agree(files: dict[str, Path],
                                capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["rules", "diff", str(files["placement"]), str(files["new"]), str(files["catalog"])]
    for output in ("json", "text"):
        python = run(capsys, *argv, "--format", output, "--engine", "python")
        assert python[0] == 0 and python[2] == ""
        assert run(capsys, *argv, "--format", output, "--engine", "duckdb") == python
    report = json.loads(python[1] if output == "json" else run(
        capsys, *argv, "--format", "json")[1])
    assert report["changed"] > 0 and report["rules"]["newbox"]["gained"] > 0


def test_cli_output_parquet(files: dict[str, Path], tmp_path: Path,
                            capsys: pytest.CaptureFixture[str]) -> None:
    rules_file, catalog = str(files["placement"]), str(files["catalog"])
    out_jsonl, out_parquet = tmp_path / "where.jsonl", tmp_path / "where.parquet"
    assert run(capsys, "rules", "route", rules_file, catalog, "-o", str(out_jsonl))[0] == 0
    code, _, err = run(capsys, "rules", "route", rules_file, catalog, "-o", str(out_parquet),
                       "--engine", "duckdb")
    assert code == 0
    assert err == "ladle: using the python engine: it writes --output\n"
    expected = [json.loads(line) for line in out_jsonl.read_text().splitlines()]
    with duckdb.connect() as con:
        described = con.sql(f"DESCRIBE SELECT * FROM read_parquet("
                            f"{quote_string(str(out_parquet))})").fetchall()
        rows = con.sql(f"SELECT line, id, rules FROM read_parquet("
                       f"{quote_string(str(out_parquet))}) ORDER BY line").fetchall()
    assert [row[0] for row in described] == ["line", "id", "rules"]
    got = [{"line": line, "id": None if id_text is None else json.loads(id_text),
            "rules": names} for line, id_text, names in rows]
    assert got == expected
    assert any(row["id"] == 2**64 - 1 for row in got)  # exact beyond 63 bits
    # a run that fails leaves nothing behind
    before = sorted(tmp_path.iterdir())
    failed = tmp_path / "failed.parquet"
    code, _, err = run(capsys, "rules", "route", rules_file, str(tmp_path / "none.jsonl"),
                       "-o", str(failed))
    assert code == 2 and err.startswith(str(tmp_path / "none.jsonl"))
    assert sorted(tmp_path.iterdir()) == before


def test_cli_check_with_catalog(files: dict[str, Path], tmp_path: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    catalog = str(files["catalog"])
    typo = tmp_path / "typo.rules"
    typo.write_text("ok: tag == 'lossless'\nbad: tg == 'lossless'\n", encoding="utf-8")
    code, out, err = run(capsys, "rules", "check", str(typo), "--catalog", catalog)
    assert (code, err) == (1, "")  # findings go to standard output
    assert out.splitlines() == [f"{typo}:2:6: error: unknown variable 'tg' (did you mean 'tag'?)",
                                "  bad: tg == 'lossless'", "       ^", "1 problem found"]
    assert run(capsys, "rules", "check", str(files["placement"]), "--catalog", catalog) == (
        0, "", "")
    # public holds strings in this catalog: --vars says what the rules mean it to be
    strings = tmp_path / "strings.jsonl"
    strings.write_bytes(jsonl([json_line({"id": n, "tag": "lossless", "public": "yes"})
                               for n in range(5)]))
    code, out, _ = run(capsys, "rules", "check", str(files["placement"]), "--catalog",
                       str(strings))
    assert code == 1 and "public is string: 'public == true' is always false" in out
    assert run(capsys, "rules", "check", str(files["placement"]), "--catalog", str(strings),
               "--vars", "public:bool") == (0, "", "")
    code, _, err = run(capsys, "rules", "check", str(typo), "--catalog", str(strings),
                       "--vars", "tg:string")
    assert (code, err) == (0, "")


def test_duckdb_engine_reports_progress_by_bytes(tmp_path: Path) -> None:
    """The duckdb engine knows the bytes read, not the records: it reports (0, bytes),
    ending with the whole file, so a progress bar fills."""
    path = tmp_path / "catalog.jsonl"
    path.write_text("".join(json.dumps({"id": n, "tag": "lossless"}) + "\n"
                            for n in range(5_000)), encoding="utf-8")
    ruleset = rules.parse("morbo: tag == 'lossless' && (id % 100) <= 47")
    calls: list[tuple[int, int]] = []
    report = duckdb_engine.route(ruleset, path, progress=lambda *args: calls.append(args))
    assert report == python_engine.route(ruleset, path)
    assert calls and calls[-1] == (0, path.stat().st_size)
    assert all(records == 0 and 0 <= done <= path.stat().st_size for records, done in calls)
