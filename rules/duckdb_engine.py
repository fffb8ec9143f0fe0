"""The duckdb engine: a catalog routed by SQL compiled from the rules, read by DuckDB.

``route`` and ``diff`` give the same reports as the python engine (``rules.python_engine``),
to the byte, or raise ``Fallback`` when this catalog or these rules need the python
engine; ``rules.engine`` then uses it. They never give a different answer:

- JSON Lines are read with ``read_json_objects``; each field a rule uses is given the
  SQL type that a sample of the first records shows (``infer_columns``; ``rules.sql``
  needs typed columns to be fast). Integers, strings and booleans are read with that
  type by ``json_transform``, their values' types checked on the line's text in the
  search for lenient JSON (``rules.duckdb_lenient``); floats are read as JSON and
  checked by string tests. A value of another type makes the query fail naming its
  field, and the query runs again with that field read as JSON (``rules.sql`` handles
  every type there, slower).
- Whatever DuckDB reads differently from the python engine makes the query fail
  (``Fallback``; ``rules.duckdb_lenient`` finds such lines): a field the rules read
  given twice in a line, ``NaN`` and infinities in any spelling, numbers that overflow
  a double, nesting deeper than orjson's 1,024 levels, trailing commas, escaped
  surrogates, integers beyond 128 bits; a path that DuckDB would read as a glob
  pattern falls back too, and so does a vertical tab or a form feed before or after a
  line's JSON (white space to DuckDB, not to JSON: the file is searched for them
  first). A line that is not JSON, or JSON but not an object, is counted under errors,
  as in the python engine. Integers beyond 64 bits are DOUBLE to DuckDB: they are read
  from their text, exactly, as the python reader reads them.
- Parquet is read with ``read_parquet``; its integer, float, string and boolean
  columns are used as they are, and whole decimals (DECIMAL(p, 0)) as integers. Rules
  that use a column of another type (dates, other decimals, lists) fall back, and so
  does a NaN in a float column (SQL orders NaN above every number and makes it equal
  to itself).
- CSV and stdin fall back: their values are typed one by one by ``rules.catalog``.
- Rules whose query would be longer than ``MAX_QUERY_SQL`` fall back: DuckDB's time and
  memory to plan a query grow with its length. The engine's own columns are named
  ``_ladle_...``; a field named so falls back.

Samples (the first records no rule claims, the first errors) are found by row number
in DuckDB and then read again by the python reader, so their records and messages
are the python engine's own.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import islice
from typing import Any

import duckdb

from ladle.rules.catalog import (
    GZIP_MAGIC,
    CatalogError,
    CatalogFileError,
    catalog_format,
    catalog_size,
    jsonl_line,
    records,
)
from ladle.rules.duckdb_lenient import (
    TYPED_KINDS,
    lenient_sql,
    trimmed_control,
    wrong_type_sql,
)
from ladle.rules.python_engine import diff_report, route_report
from ladle.rules.ruleset import RuleSet
from ladle.rules.sql import (
    ABORT_MESSAGE,
    DUCKDB,
    Shared,
    quote_identifier,
    quote_string,
)
from ladle.rules.sql.literals import INT_MAX, INT_MIN
from ladle.rules.sql_engine import (
    Fallback,
    claim_columns,
    diff_errors,
    diff_tally,
    fields,
    records_only,
    route_errors,
    route_tally,
)

__all__ = [
    "MAX_BROKEN", "MAX_QUERY_SQL", "SAMPLE_RECORDS", "Fallback", "diff", "infer_columns", "route",
]

SAMPLE_RECORDS = 2_000
"""Records read by the python reader to choose the type of each field."""

MAX_BROKEN = 10_000
"""More lines that are not JSON than this, and the python engine reads the catalog."""

MAX_QUERY_SQL = 600_000
"""A query longer than this, and the python engine reads the catalog: DuckDB takes about
a second and 500 MB per 1 MB of query to plan it (a few thousand simple rules over typed
fields, or a few hundred over fields of mixed types, whose SQL reads every type)."""

_RETRIES = 8
_WRONG_TYPE = "ladle: a value of another type in field "
_WRONG_TYPE_FOUND = re.compile(re.escape(_WRONG_TYPE) + r"<([0-9a-f]*)>")
_INTEGERS = ("UBIGINT", "BIGINT", "HUGEINT")
_PARQUET_INTEGERS = frozenset({
    "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
    "UINTEGER", "UBIGINT",
})
_PARQUET_TYPES = _PARQUET_INTEGERS | {"DOUBLE", "VARCHAR", "BOOLEAN"}
_WHOLE_DECIMAL = re.compile(r"DECIMAL\(\d+,\s*0\)")
Progress = Callable[[int, int], object]

# A JSON number the python reader takes from orjson as it is; it reads one outside this
# range again with the standard library, which keeps an integer exact (rules.catalog).
_ORJSON_FLOAT = ("{value} > CAST('-9.2e18' AS DOUBLE) AND {value} < CAST('1.8e19' AS DOUBLE)")


def _field_token(name: str) -> str:
    return name.encode("utf-8").hex()  # any field name, safely inside an SQL string


def _wrong_type(name: str) -> str:
    return f"error({quote_string(_WRONG_TYPE + '<' + _field_token(name) + '>')})"


def _fraction(text: str) -> str:
    """TRUE for the JSON text of a number that is not an integer to the python reader
    (NaN and the infinities, lenient lines, are not numbers to it)."""
    return f"(contains({text}, '.') OR contains({text}, 'e') OR contains({text}, 'E'))"


def _typed(name: str, kind: str) -> str:
    """The JSON field ``j.name`` as a value of ``kind``, failing on any other type.

    Read from the field's JSON text with plain string tests and TRY_CAST, which cost
    DuckDB half the time of the json_type tests and JSON casts they replace (2.2 s of
    operator time against 4.7 s for four fields of 1M records, EXPLAIN ANALYZE)."""
    value = f"j.{quote_identifier(name)}"
    if kind == "JSON":
        return value
    text = f"CAST({value} AS VARCHAR)"
    wrong = _wrong_type(name)
    if kind in _INTEGERS:
        # an integer is a text without '.', 'e' or 'E' that casts (a string, true, false,
        # a list or an object does not)
        converted = (f"CASE WHEN {_fraction(text)} THEN {wrong} "
                     f"ELSE COALESCE(TRY_CAST({text} AS {kind}), {wrong}) END")
    elif kind == "DOUBLE":
        # an integer beyond 64 bits is a DOUBLE to DuckDB but an int to the python engine
        # (no '.', 'e' or 'E'); the python reader reads every number outside this range
        # again, exactly
        number = f"TRY_CAST({text} AS DOUBLE)"
        converted = (f"CASE WHEN {_fraction(text)} AND {_ORJSON_FLOAT.format(value=number)} "
                     f"THEN {number} ELSE {wrong} END")
    elif kind == "VARCHAR":
        # without a backslash, the string holds no '"' either: its text less the quotes
        # (a slice by code points; trim() costs 0.1 s more per 1M values, CPU time)
        converted = (f"CASE WHEN NOT starts_with({text}, '\"') THEN {wrong} "
                     f"WHEN contains({text}, '\\') THEN json_extract_string({value}, '$') "
                     f"ELSE {text}[2:-2] END")
    else:  # BOOLEAN
        converted = f"CASE {text} WHEN 'true' THEN TRUE WHEN 'false' THEN FALSE ELSE {wrong} END"
    return f"CASE WHEN {value} IS NULL OR {text} = 'null' THEN NULL ELSE {converted} END"


def _size_bytes(value: str) -> str:
    """The bytes a JSON ``size`` value counts: an integer (of any size: beyond 64 bits,
    DuckDB's type for it is DOUBLE, and its text has no '.' or exponent), else nothing.
    An integer beyond HUGEINT fails the query."""
    text = f"CAST({value} AS VARCHAR)"
    return (f"CASE WHEN {value} IS NULL OR {_fraction(text)} THEN NULL "
            f"ELSE COALESCE(TRY_CAST({text} AS HUGEINT), CASE WHEN "
            f"regexp_full_match({text}, '-?[0-9]+') THEN {_wrong_type('size')} END) END")


def _json_kind(value: Any) -> str:
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "BOOLEAN"
    if isinstance(value, int):
        if 0 <= value < 2**64:
            return "UBIGINT"
        if -(2**63) <= value < 0:
            return "BIGINT"
        return "HUGEINT" if INT_MIN <= value <= INT_MAX else "JSON"
    if isinstance(value, float):
        return "DOUBLE"
    if isinstance(value, str):
        return "VARCHAR"
    return "JSON"


def infer_columns(records: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Column types that read every value of these records as the python engine sees it:
    a field whose values (other than null) all have one JSON type gets that SQL type
    (integers UBIGINT when none is negative, else BIGINT, or HUGEINT when they need it),
    any other field JSON.

    A typed column misreads values of another type (DuckDB reads the string "12" in a
    HUGEINT column as 12), so types inferred from a sample are only as good as the sample.
    """
    seen: dict[str, set[str]] = {}
    max_int: dict[str, int] = {}
    for record in records:
        for name, value in record.items():
            kinds = seen.setdefault(name, set())
            kind = _json_kind(value)
            if kind != "nil":
                kinds.add(kind)
            if kind == "UBIGINT":
                max_int[name] = max(max_int.get(name, 0), value)
    columns = {}
    for name, kinds in seen.items():
        integers = kinds & {"UBIGINT", "BIGINT", "HUGEINT"}
        if integers and integers == kinds:
            # UBIGINT for 0 <= x < 2**64, BIGINT for -2**63 <= x < 2**63, else HUGEINT
            if kinds == {"BIGINT", "UBIGINT"} and max_int.get(name, 0) < 2**63:
                kinds = {"BIGINT"}
            elif len(kinds) > 1:
                kinds = {"HUGEINT"}
        columns[name] = kinds.pop() if len(kinds) == 1 else "JSON"
    return columns


# The engine's own columns sit beside the fields, named by their names: theirs start
# with this, and a field whose name does (in any case) makes the engine fall back.
_OWN = "_ladle_"
_OK, _BROKEN, _BYTES, _ROW = (f"{_OWN}ok", f"{_OWN}broken", f"{_OWN}bytes", f"{_OWN}n")


def _flag(kind: str, index: int) -> str:
    """The column of rule ``index``'s claim (kind "c", "oc", "nc") or error ("e", ...)."""
    return f"{_OWN}{kind}{index}"


_ENGINE = "DuckDB"


class _Source:
    """How one catalog file is read: a FROM clause with the columns ``_OK`` (the line is
    a record), ``_BROKEN`` (DuckDB could not parse it), every field the rules use (typed
    as ``columns`` says), ``_BYTES`` (what the record's ``size`` adds to the bytes) and,
    where asked, ``_ROW`` (its row number)."""

    def __init__(self, path: str, format: str, fields: Sequence[str]) -> None:
        self.path = path
        self.format = format
        self.fields = list(fields)
        self.stored: dict[str, str] = {}  # Parquet: each column's type
        for name in (*self.fields, "size"):
            if name.casefold().startswith(_OWN):
                raise Fallback(f"the field {name!r} is named like the engine's own columns")
        if format == "parquet":
            self.columns, self.size = self._parquet_columns()
            return
        wanted = {*self.fields, "size"}
        sample = (record for _, record in islice(records(path, format), SAMPLE_RECORDS)
                  if isinstance(record, dict))
        inferred = infer_columns({name: value for name, value in record.items()
                                  if name in wanted} for record in sample)
        # a field the sample never has may hold anything: read it as JSON
        self.columns = {name: inferred.get(name, "JSON") for name in self.fields}
        self.size = inferred.get("size", "JSON")

    def _parquet_columns(self) -> tuple[dict[str, str], str | None]:
        try:
            with duckdb.connect() as con:
                described = con.sql(f"DESCRIBE SELECT * FROM read_parquet("
                                    f"{quote_string(self.path)})").fetchall()
        except duckdb.Error as error:  # not Parquet: the python reader says so its way
            raise Fallback(f"DuckDB cannot read this catalog: "
                           f"{str(error).splitlines()[0]}") from None
        types = {row[0]: str(row[1]) for row in described}
        self.stored = types
        if any(name.casefold() == "file_row_number" for name in types):
            raise Fallback("a column is named file_row_number, as DuckDB numbers rows")
        columns = {}
        for name in self.fields:
            kind = types.get(name)
            if kind is None:
                continue  # not a column: nil in every record
            if _WHOLE_DECIMAL.fullmatch(kind):
                kind = "HUGEINT"  # the python reader makes an int of it too
            if kind not in _PARQUET_TYPES:
                raise Fallback(f"column {name!r} is {kind}, which SQL rules do not read")
            columns[name] = kind
        size = types.get("size")
        # the python reader makes integers of these, and counts only integers
        counted = size is not None and (size in _PARQUET_INTEGERS
                                        or _WHOLE_DECIMAL.fullmatch(size))
        return columns, size if counted else None

    def widen(self, token: str) -> bool:
        """Read the field named by ``token`` (from a failed query) as JSON; False if it
        already is."""
        if token == _field_token("size") and self.size != "JSON":
            self.size = "JSON"
            return True
        for name in self.fields:
            if _field_token(name) == token and self.columns.get(name) != "JSON":
                self.columns[name] = "JSON"
                return True
        return False

    def select(self, numbered: bool = False) -> str:
        if self.format == "parquet":
            return self._parquet(numbered)
        return self._jsonl(numbered)

    def _parquet(self, numbered: bool) -> str:
        size = "NULL" if self.size is None else self._integer("size", "HUGEINT")
        parts = [f"TRUE AS {_OK}", f"FALSE AS {_BROKEN}",
                 *(f"{self._parquet_value(name, kind)} AS {quote_identifier(name)}"
                   for name, kind in self.columns.items()),
                 f"CAST({size} AS HUGEINT) AS {_BYTES}"]
        options = ""
        if numbered:
            parts.append(f"file_row_number + 1 AS {_ROW}")
            options = ", file_row_number = true"
        return (f"(SELECT {', '.join(parts)} FROM "
                f"read_parquet({quote_string(self.path)}{options}))")

    def _parquet_value(self, name: str, kind: str) -> str:
        """The Parquet column ``name`` as ``kind``. A NaN fails the query: SQL orders it
        above every number and makes it equal to itself, Python does neither."""
        value = self._integer(name, kind)
        if kind != "DOUBLE":
            return value
        fail = f"error({quote_string(ABORT_MESSAGE + ': NaN')})"
        return f"CASE WHEN isnan({value}) THEN {fail} ELSE {value} END"

    def _integer(self, name: str, kind: str) -> str:
        """The Parquet column ``name`` as ``kind``; a whole decimal through its text:
        DuckDB casts a DECIMAL to an integer type by a 128-bit division, three times
        slower (0.42 s against 0.13 s of CPU per 1M DECIMAL(38, 0) values)."""
        column = quote_identifier(name)
        if _WHOLE_DECIMAL.fullmatch(self.stored.get(name, "")):
            column = f"CAST({column} AS VARCHAR)"
        return f"CAST({column} AS {kind})"

    def _read_typed(self) -> dict[str, str]:
        """The fields ``json_transform`` reads with their type: those whose every use
        (as a column, as the bytes) has one kind of TYPED_KINDS. ``lenient_sql`` checks
        their values' types on the line's text, in the search it makes anyway: 0.04 s of
        CPU per 1M lines where the string tests and casts of ``_typed`` took 0.35 s (four
        fields, the benchmark's catalog)."""
        uses = {name: {kind} for name, kind in self.columns.items()}
        uses.setdefault("size", set()).add(self.size if self.size in _INTEGERS else "JSON")
        return {name: kind for name, kinds in uses.items() if len(kinds) == 1
                for kind in kinds if kind in TYPED_KINDS}

    def _jsonl(self, numbered: bool) -> str:
        wanted = list(dict.fromkeys([*self.fields, "size"]))
        typed = self._read_typed()
        structure = json.dumps({name: typed.get(name, "JSON") for name in wanted},
                               ensure_ascii=False)
        lenient = f"error({quote_string(ABORT_MESSAGE + ': lenient JSON')})"
        failed = lenient
        if typed:  # which of the two it was, asked of the few lines found
            which = " ".join(f"WHEN {wrong_type_sql(name, kind)} THEN {_wrong_type(name)}"
                             for name, kind in typed.items())
            failed = f"CASE WHEN {lenient_sql(wanted)} THEN {lenient} {which} ELSE {lenient} END"
        ok = (f"CASE WHEN raw IS NULL OR NOT starts_with(raw, '{{') THEN FALSE "
              f"WHEN {lenient_sql(wanted, typed)} THEN {failed} "
              f"ELSE TRUE END")
        number = f", row_number() OVER () AS {_ROW}" if numbered else ""
        # ignore_errors: a line that is not JSON is a row with a NULL ``raw``
        parsed = (f"SELECT {ok} AS {_OK}, raw IS NULL AS {_BROKEN}, "
                  f"json_transform(raw, {quote_string(structure)}) AS j{number} FROM "
                  f"(SELECT json AS raw FROM read_json_objects({quote_string(self.path)}, "
                  # compression: the python reader does not decompress a .gz either
                  f"format = 'newline_delimited', compression = 'none', "
                  f"ignore_errors = true))")
        size = f"j.{quote_identifier('size')}"
        if "size" in typed:
            bytes_of = size
        else:
            bytes_of = _typed("size", self.size) if self.size in _INTEGERS else _size_bytes(size)
        parts = [_OK, _BROKEN, *(f"{self._json_value(name, kind, typed)} AS "
                                 f"{quote_identifier(name)}"
                                 for name, kind in self.columns.items()),
                 f"CASE WHEN {_OK} THEN {bytes_of} END AS {_BYTES}"]
        if numbered:
            parts.append(_ROW)
        return f"(SELECT {', '.join(parts)} FROM ({parsed}))"

    @staticmethod
    def _json_value(name: str, kind: str, typed: Mapping[str, str]) -> str:
        """The field ``name`` of the transformed line ``j``, as ``kind``."""
        return f"j.{quote_identifier(name)}" if name in typed else _typed(name, kind)


def _claims(rulesets: Sequence[tuple[RuleSet, str]], source: _Source,
            numbered: bool = False) -> tuple[list[str], str]:
    """The claim and error columns of the rules (prefixed), and the FROM clause they
    read: the catalog, with the values the rules repeat computed once beside it."""
    shared = Shared([rule.tree for ruleset, _ in rulesets for rule in ruleset.rules],
                    DUCKDB, f"{_OWN}x")
    claims = [part for ruleset, prefix in rulesets
              for part in claim_columns(ruleset, source.columns, prefix, _flag,
                                        shared=shared)]
    return claims, shared.wrap(source.select(numbered))


@contextlib.contextmanager
def _watch(con: duckdb.DuckDBPyConnection, size: int,
           progress: Progress | None) -> Iterator[None]:
    """Report DuckDB's progress on the query running in ``con`` (bytes estimated)."""
    if progress is None:
        yield
        return
    done = threading.Event()

    def poll() -> None:
        while not done.wait(0.2):
            with contextlib.suppress(duckdb.Error):
                fraction = con.query_progress()
                if fraction >= 0:
                    progress(0, int(size * min(fraction, 100.0) / 100))

    watcher = threading.Thread(target=poll, daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()
        watcher.join()
    progress(0, size)


def _run(path: str, format: str | None, rulesets: Sequence[RuleSet],
         query: Callable[[_Source], str], progress: Progress | None,
         ) -> tuple[_Source, duckdb.DuckDBPyConnection, list[tuple[Any, ...]]]:
    """Run ``query`` over the catalog, widening fields that hold other types."""
    if os.fspath(path) == "-":
        raise Fallback("DuckDB does not read stdin")
    kind = catalog_format(path, format)
    if kind == "csv":
        raise Fallback("CSV values are typed one by one by the python reader")
    size = catalog_size(path)
    if os.path.isdir(path):
        raise CatalogFileError("is a directory", path)
    if kind == "jsonl":
        # (the python reader reads Parquet through DuckDB, globs included)
        if any(char in path for char in "*?["):
            raise Fallback("DuckDB would read the catalog's path as a glob pattern")
        try:
            with open(path, "rb") as start:
                head = start.read(3)
        except OSError as error:
            raise CatalogFileError(error.strerror or str(error), path) from None
        if head == b"\xef\xbb\xbf":
            raise Fallback("the catalog starts with a byte order mark")
        if head[:2] == GZIP_MAGIC:
            raise Fallback("the catalog is gzip-compressed (the python reader reads it)")
        try:
            line = trimmed_control(path)
        except OSError as error:  # not a regular file (a pipe, a device)
            raise Fallback(f"the catalog cannot be mapped into memory: "
                           f"{error.strerror or error}") from None
        if line is not None:
            raise Fallback(f"line {line:,} has a vertical tab or form feed next to its JSON, "
                           f"which DuckDB reads as white space")
    source = _Source(os.fspath(path), kind, fields(rulesets))
    con = duckdb.connect(config={"preserve_insertion_order": True})
    for _ in range(_RETRIES):
        text = query(source)
        if len(text) > MAX_QUERY_SQL:
            con.close()
            raise Fallback(f"the rules make {len(text):,} characters of SQL, more than "
                           f"DuckDB plans in reasonable time and memory "
                           f"({MAX_QUERY_SQL:,})")
        try:
            with _watch(con, size, progress):
                return source, con, con.sql(text).fetchall()
        except duckdb.Error as error:
            found = _WRONG_TYPE_FOUND.search(str(error))
            if found is None or not source.widen(found.group(1)):
                con.close()
                raise Fallback(f"DuckDB cannot read this catalog exactly: "
                               f"{str(error).splitlines()[0]}") from None
    con.close()
    raise Fallback("too many fields of mixed types")


def _numbers(con: duckdb.DuckDBPyConnection, source: _Source, condition: str,
             rulesets: Sequence[tuple[RuleSet, str]], count: int) -> list[int]:
    """Row numbers of the first ``count`` records where ``condition`` holds."""
    if count <= 0:
        return []
    claims, read = _claims(rulesets, source, True)
    # No ORDER BY: DuckDB keeps the file's order and stops at the LIMIT (an ORDER BY
    # would read the whole file again).
    query = (f"SELECT {_ROW} FROM (SELECT {', '.join(['*', *claims])} FROM {read}) "
             f"WHERE {condition} LIMIT {count}")
    try:
        rows = con.sql(query).fetchall()
    except duckdb.Error as error:
        raise Fallback(f"DuckDB cannot read this catalog exactly: "
                       f"{str(error).splitlines()[0]}") from None
    return sorted(row[0] for row in rows)


def _broken(con: duckdb.DuckDBPyConnection, source: _Source, count: int) -> list[int]:
    """Row numbers of the lines DuckDB could not parse (to be checked by ``_records_at``)."""
    if count > MAX_BROKEN:
        raise Fallback(f"more than {MAX_BROKEN:,} lines that are not JSON")
    return _numbers(con, source, _BROKEN, [], count)


def _records_at(source: _Source, numbers: Sequence[int], broken: Sequence[int] = (),
                total: int | None = None) -> dict[int, tuple[int, Any]]:
    """Row number -> (line, record or CatalogError) as the python reader reads it.

    For JSON Lines, also check that every row in ``broken`` (lines DuckDB could not
    parse) is one the python reader cannot read either, and, given ``total``, that it
    sees as many records: it skips as blank some lines DuckDB does not."""
    wanted = set(numbers) | set(broken)
    found: dict[int, tuple[int, Any]] = {}
    if source.format == "parquet":
        if not wanted:
            return found  # (not a read of every row to find none)
        for row, (line, record) in enumerate(records(source.path, "parquet"), start=1):
            if row in wanted:
                found[row] = (line, record)
                if len(found) == len(wanted):
                    break
        return found
    last = max(wanted, default=0)
    row = 0
    with open(source.path, "rb") as lines:
        for line_number, text in enumerate(lines, start=1):
            if not text.strip():
                continue
            row += 1
            if row in wanted:
                read = jsonl_line(text)
                if isinstance(read, CatalogError):
                    read = CatalogError(line_number, read.message)
                found[row] = (line_number, read)
            if row >= last and total is None:
                break
    if (total is not None and row != total) or len(found) != len(wanted):
        raise Fallback("DuckDB and the python reader count different lines")
    if any(not isinstance(found[row][1], CatalogError) for row in broken):
        raise Fallback("DuckDB could not parse a line the python reader reads")
    return found


def route(ruleset: RuleSet, path: str | os.PathLike[str], *, format: str | None = None,
          progress: Progress | None = None, sample: int = 5) -> dict[str, Any]:
    """The ``route --format json`` report, computed by DuckDB; raises ``Fallback``."""
    names = list(ruleset.names)
    count = len(names)

    def query(source: _Source) -> str:
        claims, read = _claims([(ruleset, "")], source)
        flags = ", ".join(_flag("c", i) for i in range(count))
        failed = " OR ".join(_flag("e", i) for i in range(count))
        return (f"SELECT {_OK}, {_BROKEN}, {flags}, ({failed}), count(*), sum({_BYTES}) "
                f"FROM (SELECT {_OK}, {_BROKEN}, {_BYTES}, {', '.join(claims)} "
                f"FROM {read}) GROUP BY ALL")

    source, con, rows = _run(os.fspath(path), format, [ruleset], query, progress)
    tally = route_tally(names, rows)
    with con:
        nothing = " AND ".join(f"NOT {_flag('c', i)}" for i in range(count))
        failed = " OR ".join(_flag("e", i) for i in range(count))
        unclaimed_at = _numbers(con, source, f"{_OK} AND {nothing}", [(ruleset, "")],
                                min(sample, tally.unclaimed))
        error_at = _numbers(con, source, f"NOT {_OK} OR {failed}", [(ruleset, "")],
                            min(sample, tally.errors))
        broken_at = _broken(con, source, tally.others)
    found = _records_at(source, [*unclaimed_at, *error_at], broken_at,
                        tally.total if tally.others else None)
    # The sampled records, read again by the python reader, must be what DuckDB read:
    # records where it saw records, failing where it saw failures.
    unclaimed_sample = records_only(_ENGINE, (found[n][1] for n in unclaimed_at))
    error_sample = route_errors(ruleset, _ENGINE, (found[n] for n in error_at))
    return route_report(names, tally.total, tally.groups, tally.unreadable, tally.errors,
                        unclaimed_sample, error_sample)


def diff(old: RuleSet, new: RuleSet, path: str | os.PathLike[str], *,
         format: str | None = None, progress: Progress | None = None,
         sample: int = 5) -> dict[str, Any]:
    """The ``diff --format json`` report, computed by DuckDB; raises ``Fallback``."""
    old_names, new_names = list(old.names), list(new.names)
    errors = [_flag("oe", i) for i in range(len(old_names))] + [
        _flag("ne", i) for i in range(len(new_names))]
    failed = " OR ".join(errors) if errors else "FALSE"

    both = [(old, "o"), (new, "n")]

    def query(source: _Source) -> str:
        flags = [_flag("oc", i) for i in range(len(old_names))] + [
            _flag("nc", i) for i in range(len(new_names))]
        claims, read = _claims(both, source)
        return (f"SELECT {_OK}, {_BROKEN}, {', '.join(flags)}, ({failed}), count(*) FROM "
                f"(SELECT {_OK}, {_BROKEN}, {', '.join(claims)} FROM {read}) GROUP BY ALL")

    source, con, rows = _run(os.fspath(path), format, [old, new], query, progress)
    tally = diff_tally(old_names, new_names, rows)
    with con:
        any_old = " OR ".join(_flag("oc", i) for i in range(len(old_names)))
        no_new = " AND ".join(f"NOT {_flag('nc', i)}" for i in range(len(new_names)))
        orphan_at = _numbers(con, source, f"{_OK} AND ({any_old}) AND {no_new}", both,
                             min(sample, tally.orphaned))
        error_at = _numbers(con, source, f"NOT {_OK} OR {failed}", both,
                            min(sample, tally.errors))
        broken_at = _broken(con, source, tally.others)
    found = _records_at(source, [*orphan_at, *error_at], broken_at,
                        tally.total if tally.others else None)
    orphan_sample = records_only(_ENGINE, (found[n][1] for n in orphan_at))  # as in route
    error_sample = diff_errors(old, new, _ENGINE, (found[n] for n in error_at))
    return diff_report(old_names, new_names, tally.total, tally.groups, orphan_sample,
                       tally.errors, error_sample)
