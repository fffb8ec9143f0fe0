"""The spark engine: a catalog routed by Spark SQL compiled from the rules (``rules.sql``
with the ``SPARK`` dialect), read by Spark's own readers.

``route`` and ``diff`` give the python engine's reports (``rules.python_engine``), to the
byte, or raise ``Fallback`` when this catalog or these rules need the python engine;
Spark itself failing (no Java, no master, a failed job) is ``SparkFailure``.

- Parquet: a file, a glob (``path/*.parquet``) or a folder (Hive partitions included)
  is read with ``spark.read.parquet``. Integer columns are used as they are, whole
  decimals (DECIMAL(p, 0), how Spark reads unsigned 64-bit columns) as DECIMAL(38,0),
  FLOAT and DOUBLE as DOUBLE (a NaN fails the query), strings and booleans as they are;
  a rule reading a column of another type falls back, and so does a catalog with a
  column whose Python value the sample records could not show as the python reader does
  (timestamps, lists, maps).
- JSON Lines: a local file, a glob (``path/*.jsonl``) or a folder (Hive partitions
  included), read with ``spark.read.text`` (lines end at "\\n" only).
  A line is a record when a strict pattern of a flat JSON object matches it (no
  nesting, numbers of at most 100 digits and 2 exponent digits, no lone surrogate
  escapes, keys without ``\\u`` escapes) and it is valid UTF-8: those lines the python
  reader reads alike. Each field a rule uses is taken from its text and typed by what a
  sample of the first records holds; a value of another type, or the field given twice,
  fails the query (``Fallback``). Every other line that is not blank is read again by
  the python reader, which must refuse it too (at most ``MAX_OTHER`` lines); a record
  there (a nested one, say) falls back. Compressed files, a byte order mark and a file
  whose name Spark would read as a glob fall back. A partition column (``part=1/``) is a
  field of every record of its folder, typed as Spark infers it, after the line's own
  fields; a line that holds a field of that name too fails the query.
- CSV and stdin fall back.

A catalog of several files (a folder, a glob, a URL) is read as the python reader reads
the files one after the other, in the order of their paths (a file's last line ends
there); the samples of errors name their file (``"file"``) and their line or row in it.
The other engines read one file: ``rules.route`` and ``rules.diff`` make the spark
engine's fallback on such a catalog a ``CatalogFileError`` saying why.

Samples are found by Spark in file order and read again by the python reader (their
line numbers by one pass over the file up to the last one), so their records and
messages are the python engine's own.
"""

from __future__ import annotations

import contextlib
import decimal
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from itertools import chain, groupby, islice
from typing import Any
from urllib.parse import unquote, urlparse

from ladle.rules.catalog import (
    GZIP_MAGIC,
    CatalogError,
    catalog_format,
    catalog_size,
    jsonl_line,
    records,
)
from ladle.rules.python_engine import diff_report, route_report
from ladle.rules.ruleset import RuleSet
from ladle.rules.spark_session import SparkFailure, one_line, session
from ladle.rules.sql import SPARK
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

__all__ = ["MAX_OTHER", "SAMPLE_RECORDS", "Fallback", "SparkFailure", "diff", "route",
           "several_files"]

SAMPLE_RECORDS = 2_000
"""Records read by the python reader to choose the type of each JSON field."""

MAX_OTHER = 10_000
"""More lines than this that are not flat JSON objects, and the python engine reads."""

Progress = Callable[[int, int], object]

# Spark's errors that mean "SQL cannot compute this exactly" (the query was right to
# fail, the python engine answers) rather than "Spark could not run".
_INEXACT = ("USER_RAISED_EXCEPTION", "ladle: ", "ARITHMETIC_OVERFLOW", "SQLSTATE: 22",
            "NUMERIC_VALUE_OUT_OF_RANGE", "CAST_OVERFLOW", "DECIMAL_PRECISION",
            "DIVIDE_BY_ZERO", "CAST_INVALID_INPUT")
_COMPRESSED = (".gz", ".bz2", ".deflate", ".lz4", ".snappy", ".zst", ".zstd", ".xz", ".br")
_OWN = "_ladle_"
_OK, _OTHER, _BYTES, _FAILED = f"{_OWN}ok", f"{_OWN}other", f"{_OWN}bytes", f"{_OWN}failed"
_BLOCK, _NUMBER, _FILE, _ROW = (f"{_OWN}block", f"{_OWN}number", f"{_OWN}file",
                                f"{_OWN}row")
_TEXT = f"{_OWN}text"


# -- JSON Lines: the lines Spark reads as records ------------------------------------------

_WS = "[ \\t\\r]*"
_KEY = '"(?:[^"\\\\\\x00-\\x1f]|\\\\["\\\\bfnrt])*+"'
_STRING = ('"(?:[^"\\\\\\x00-\\x1f]|\\\\["\\\\/bfnrt]'
           "|\\\\u(?![dD][89a-fA-F])[0-9a-fA-F]{4}"
           "|\\\\u[dD][89abAB][0-9a-fA-F]{2}\\\\u[dD][c-fC-F][0-9a-fA-F]{2})*+\"")
_NUMBER_TEXT = ("-?(?:0|[1-9][0-9]{0,99})(?:\\.[0-9]{1,100})?"
                "(?:[eE](?:-[0-9]{3}|[-+]?[0-9]{1,2}))?")
_VALUE = f"(?:{_STRING}|{_NUMBER_TEXT}|true|false|null)"
_MEMBER = f"{_KEY}{_WS}:{_WS}{_VALUE}"
PLAIN = f"\\A{_WS}\\{{{_WS}(?:{_MEMBER}(?:{_WS},{_WS}{_MEMBER})*+)?{_WS}\\}}{_WS}\\z"
"""A line that is one flat JSON object, which the python reader reads as Spark does."""
_BLANK = "\\A[ \\t\\r\\x0b\\x0c]*\\z"  # bytes.strip() empties it: the python reader skips it


def _regex_literal(text: str) -> str:
    return "".join(ch if ch.isalnum() and ch.isascii() else f"\\x{{{ord(ch):x}}}"
                   for ch in text)


def _key_pattern(name: str) -> str:
    """The field as a key of a flat object: after "{" or ",", as JSON writes it."""
    return f"[{{,]{_WS}{_regex_literal(json.dumps(name, ensure_ascii=False))}{_WS}:{_WS}"


def _fail(message: str) -> str:
    return SPARK.fail(f"ladle: {message}")


def _json_kinds(rows: Iterable[dict[str, Any]], fields: Sequence[str]) -> dict[str, str]:
    """The SQL type of each field from the values the sample shows; one type per field."""
    seen: dict[str, set[str]] = {name: set() for name in fields}
    for record in rows:
        for name in fields:
            value = record.get(name)
            if value is None:
                continue
            kind = ("BOOLEAN" if isinstance(value, bool) else "HUGEINT" if isinstance(value, int)
                    else "DOUBLE" if isinstance(value, float) else "VARCHAR"
                    if isinstance(value, str) else "other")
            seen[name].add(kind)
    columns = {}
    for name, kinds in seen.items():
        if len(kinds) > 1 or "other" in kinds:
            raise Fallback(f"the field {name!r} holds values of several types or lists "
                           "and objects, which the spark engine does not read")
        columns[name] = kinds.pop() if kinds else "VARCHAR"
    return columns


def _raw(name: str) -> tuple[str, str]:
    """(the text of the field's number, or the first character of its other value, ''
    when absent; TRUE when the line gives the field twice)."""
    key = _key_pattern(name)
    raw = f"regexp_extract(value, {SPARK.string(key + '([-0-9][-+.eE0-9]*|.)')}, 1)"
    return raw, f"(regexp_count(value, {SPARK.string(key)}) > 1)"


def _json_field(name: str, kind: str) -> str:
    """The field ``name`` of a flat JSON line (``value``) as ``kind``; a value of another
    type, or the field given twice, fails the query."""
    raw, twice = _raw(name)
    other = _fail(f"a value of another type in field {name!r}")
    if kind == "BOOLEAN":
        accepted, converted = f"{raw} IN ('t', 'f')", f"({raw} = 't')"
    elif kind == "HUGEINT":
        accepted, converted = f"({raw} RLIKE '^-?[0-9]+$')", SPARK.as_int(raw)
    elif kind == "DOUBLE":
        accepted = f"({raw} RLIKE '^-?[0-9].*[.eE]')"
        converted = (f"(CASE WHEN abs(CAST({raw} AS DOUBLE)) <= "
                     f"CAST('1.7976931348623157e+308' AS DOUBLE) THEN CAST({raw} AS DOUBLE) "
                     f"ELSE {_fail('a number beyond a double')} END)")
    else:  # VARCHAR
        accepted, converted = f"({raw} = '\"')", f"{_TEXT}[{SPARK.string(name)}]"
    return (f"CASE WHEN NOT {_OK} THEN NULL "
            f"WHEN {twice} THEN {_fail(f'the field {name!r} is given twice in a line')} "
            f"WHEN {raw} IN ('', 'n') THEN NULL WHEN {accepted} THEN {converted} "
            f"ELSE {other} END")


def _json_size() -> str:
    """What a line's ``size`` adds to the bytes: an integer, else 0."""
    raw, twice = _raw("size")
    return (f"CASE WHEN NOT {_OK} THEN NULL "
            f"WHEN {twice} THEN {_fail('the field size is given twice in a line')} "
            f"WHEN {raw} RLIKE '^-?[0-9]+$' THEN {SPARK.as_int(raw)} END")


# -- Parquet ----------------------------------------------------------------------------------

_SAMPLED_TYPES = ("boolean", "tinyint", "smallint", "int", "bigint", "float", "double",
                  "string", "binary", "date")


def _parquet_kind(spark_type: str) -> str | None:
    """The compiler's column type for a Spark column type (None: not read exactly)."""
    if spark_type in ("tinyint", "smallint", "int"):
        return "INTEGER"
    if spark_type == "bigint":
        return "BIGINT"
    if re.fullmatch(r"decimal\(\d+,0\)", spark_type):
        return "HUGEINT"
    if spark_type in ("float", "double"):
        return "DOUBLE"
    if spark_type == "string":
        return "VARCHAR"
    if spark_type == "boolean":
        return "BOOLEAN"
    return None


def _parquet_value(name: str, kind: str) -> str:
    column = SPARK.identifier(name)
    if kind == "HUGEINT":
        return SPARK.as_int(column)
    if kind == "DOUBLE":
        # SQL orders NaN above every number and makes it equal to itself; Python does not
        return (f"CASE WHEN isnan(CAST({column} AS DOUBLE)) THEN {_fail('a NaN')} "
                f"ELSE CAST({column} AS DOUBLE) END")
    return column


def _python_value(value: Any) -> Any:
    """A Spark value as the python reader gives the Parquet value."""
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() and \
            value.as_tuple().exponent == 0 else float(value)
    if isinstance(value, bytearray | bytes):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, date):
        return value.isoformat()
    return value


# -- the source ---------------------------------------------------------------------------------


class _Source:
    """One catalog as a Spark DataFrame with the columns ``_OK`` (a record), ``_OTHER`` (a
    line to be read again by the python reader), the fields the rules use, ``_BYTES``,
    and the order of the catalog (``_FILE`` then ``_BLOCK``, ``_NUMBER`` or ``_ROW``)."""

    def __init__(self, spark: Any, path: str, format: str, fields: Sequence[str]) -> None:
        self.path = path
        self.format = format
        self.many = several_files(path)
        self.partitions: list[str] = []
        for name in (*fields, "size"):
            if name.casefold().startswith(_OWN):
                raise Fallback(f"the field {name!r} is named like the engine's own columns")
        if format == "parquet":
            self._parquet(spark, fields)
        else:
            self._jsonl(spark, fields)

    def _jsonl(self, spark: Any, fields: Sequence[str]) -> None:
        with _reading():
            lines = spark.read.option("lineSep", "\n").option("wholetext", "false").text(
                _spark_path(self.path))
            files = sorted(lines.inputFiles())
            types = {field.name: field.dataType.simpleString() for field in lines.schema
                     if field.name != "value"}
        local = [_local_file(uri) for uri in files]
        for file in local:
            _check_file(file)
        self.partitions = list(types)
        found = chain.from_iterable(records(file, "jsonl") for file in local)
        sample = (record for _, record in islice(found, SAMPLE_RECORDS)
                  if isinstance(record, dict))
        self.columns = _json_kinds(sample, [name for name in fields if name not in types])
        for name in fields:
            if name in types:
                self.columns[name] = _typed_column(name, types[name])
        partitions = [SPARK.identifier(name) for name in types]
        lines = lines.selectExpr("value", *partitions, f"_metadata.file_path AS {_FILE}",
                                 f"_metadata.file_block_start AS {_BLOCK}",
                                 f"monotonically_increasing_id() AS {_NUMBER}")
        lines = lines.where(f"NOT (value RLIKE {SPARK.string(_BLANK)})")
        plain = f"(is_valid_utf8(value) AND value RLIKE {SPARK.string(PLAIN)})"
        order = [_FILE, _BLOCK, _NUMBER]
        parts = ["value", *partitions, *order, f"{plain} AS {_OK}"]
        if "VARCHAR" in self.columns.values():
            parts.append(f"CASE WHEN {plain} THEN from_json(value, 'map<string,string>') "
                         f"END AS {_TEXT}")
        step = lines.selectExpr(*parts)
        typed = [f"({_json_field(name, kind)}) AS {SPARK.identifier(name)}"
                 for name, kind in self.columns.items() if name not in types]
        typed += [f"({_parquet_value(name, self.columns[name])}) AS {SPARK.identifier(name)}"
                  for name in types if name in self.columns]
        kept = [SPARK.identifier(name) for name in types if name not in self.columns]
        bytes_of = _bytes_of(types) if "size" in types else f"({_json_size()})"
        clash = " OR ".join(f"regexp_count(value, {SPARK.string(_key_pattern(name))}) > 0"
                            for name in types)
        if clash:  # evaluated on every line: the sum of the bytes reads it
            bytes_of = (f"CASE WHEN {_OK} AND ({clash}) THEN "
                        f"{_fail('a line holds a field named as a partition folder')} "
                        f"ELSE {bytes_of} END")
        self.frame = step.selectExpr(
            "value", *order, _OK, f"NOT {_OK} AS {_OTHER}", *kept, *typed,
            f"{bytes_of} AS {_BYTES}")
        self.order = order

    def _parquet(self, spark: Any, fields: Sequence[str]) -> None:
        with _reading():
            frame = spark.read.parquet(_spark_path(self.path))
            types = {field.name: field.dataType.simpleString() for field in frame.schema}
        self.names = list(types)
        if any(name.casefold().startswith(_OWN) for name in types):
            raise Fallback("a column is named like the engine's own columns")
        for name, kind in types.items():
            if kind not in _SAMPLED_TYPES and not kind.startswith("decimal("):
                raise Fallback(f"column {name!r} is {kind}, which the spark engine does not "
                               "show as the python reader does")
        self.columns = {name: _typed_column(name, types[name]) for name in fields
                        if name in types}  # a field that is no column is nil everywhere
        frame = frame.selectExpr("*", f"_metadata.file_path AS {_FILE}",
                                 f"_metadata.row_index AS {_ROW}")
        typed = [f"({_parquet_value(name, kind)}) AS {SPARK.identifier(name)}"
                 for name, kind in self.columns.items()]
        kept = [SPARK.identifier(name) for name in types if name not in self.columns]
        self.frame = frame.selectExpr(
            *kept, *typed, _FILE, _ROW, f"TRUE AS {_OK}", f"FALSE AS {_OTHER}",
            f"{_bytes_of(types)} AS {_BYTES}")
        self.order = [_FILE, _ROW]

    def file(self, uri: str) -> str:
        """A file of the catalog as the samples name it: its path as the user would write
        it (under the folder or the glob's folder they gave), or the URI."""
        if "://" in self.path:
            return uri
        local = _local_file(uri)
        root = self.path
        while any(char in root for char in _GLOB):
            root = os.path.dirname(root)
        inside = os.path.relpath(local, os.path.abspath(root or os.curdir))
        return local if inside.startswith(os.pardir) else os.path.join(root, inside)


def _typed_column(name: str, spark_type: str) -> str:
    kind = _parquet_kind(spark_type)
    if kind is None:
        raise Fallback(f"column {name!r} is {spark_type}, which SQL rules do not read")
    return kind


def _bytes_of(types: dict[str, str]) -> str:
    """What a record's ``size`` column adds to the bytes: an integer, else nothing."""
    size = types.get("size")
    counted = size is not None and _parquet_kind(size) in ("INTEGER", "BIGINT", "HUGEINT")
    return SPARK.as_int(SPARK.identifier("size")) if counted else "NULL"


@contextlib.contextmanager
def _reading() -> Iterator[None]:
    """Spark listing and reading a catalog's schema: its errors as ``SparkFailure`` (Spark is
    down) or ``Fallback``."""
    try:
        yield
    except Exception as error:
        if _is_spark_down(error):
            raise SparkFailure(f"Spark failed: {one_line(error)}") from None
        raise Fallback(f"Spark cannot read this catalog: {one_line(error)}") from None


_GLOB = "*?[]{}"


def several_files(path: str) -> bool:
    """Whether the catalog may be several files (a folder, a glob or a URL), which only the
    spark engine reads."""
    return "://" in path or os.path.isdir(path) or (
        any(char in path for char in _GLOB) and not os.path.isfile(path))


def _local_file(uri: str) -> str:
    """The local path of a file Spark lists (a ``file:`` URI)."""
    parsed = urlparse(uri)
    if parsed.scheme not in ("", "file"):
        raise Fallback("the spark engine reads local JSON Lines files (line numbers)")
    return unquote(parsed.path)


def _spark_path(path: str) -> str:
    return path if "://" in path else os.path.abspath(path)


def _is_spark_down(error: BaseException) -> bool:
    text = str(error)
    return any(mark in text for mark in (
        "SparkContext was shut down", "Connection refused", "UNAVAILABLE",
        "Cannot call methods on a stopped SparkContext", "Py4JNetworkError",
        "Answer from Java side is empty"))


def _format(path: str, format: str | None) -> str:
    """The catalog's format: ``format``, else a folder's by the first file Spark would read
    in it, Parquet by default (a folder or URL), else by the extension."""
    if format is None and "://" in path:
        return "parquet"
    if format is None and os.path.isdir(path):
        for _, folders, names in os.walk(path):
            folders[:] = sorted(name for name in folders if not name.startswith(("_", ".")))
            for name in sorted(names):
                if not name.startswith(("_", ".")):
                    kind = catalog_format(name)
                    return kind if kind == "csv" or name.lower().endswith(
                        (".jsonl", ".ndjson", ".json")) else "parquet"
        return "parquet"
    return catalog_format(path, format)


def _check_path(path: str, kind: str) -> None:
    if path == "-":
        raise Fallback("Spark does not read stdin")
    if kind == "csv":
        raise Fallback("CSV values are typed one by one by the python reader")
    if kind == "parquet":
        return
    if "://" in path:
        raise Fallback("the spark engine reads local JSON Lines files (line numbers)")
    if os.path.isfile(path) and (any(char in path for char in _GLOB + "\\")
                                 or ":" in os.path.basename(path)):
        raise Fallback("Spark would read the catalog's path as a pattern")
    if not several_files(path):
        catalog_size(path)  # a missing file: the python reader's error


def _check_file(path: str) -> None:
    """A JSON Lines file Spark reads as the python reader does, or ``Fallback``."""
    if path.lower().endswith(_COMPRESSED):
        raise Fallback("Spark decompresses a file by its name (the python reader by its bytes)")
    with open(path, "rb") as start:
        head = start.read(3)
    if head == b"\xef\xbb\xbf":
        raise Fallback("the catalog starts with a byte order mark")
    if head[:2] == GZIP_MAGIC:
        raise Fallback("the catalog is gzip-compressed (the python reader reads it)")


def _collect(frame: Any) -> list[Any]:
    """``frame.collect()``, with Spark's errors as ``Fallback`` (the SQL could not follow
    exactly) or ``SparkFailure`` (Spark could not run)."""
    try:
        return list(frame.collect())
    except Exception as error:
        text = str(error)
        if any(mark in text for mark in _INEXACT):
            found = re.search(r"ladle: [^'\"\n]*", text)
            why = found.group(0)[len("ladle: "):] if found else one_line(error)
            raise Fallback(f"Spark SQL cannot evaluate this catalog exactly: {why}") from None
        raise SparkFailure(f"Spark failed: {one_line(error)}") from None


_ENGINE = "Spark"


def _flag(kind: str, index: int) -> str:
    """The column of one rule's claim (kind ``c``) or error (``e``), with its side prefix."""
    return f"{_OWN}{kind}{index}"


class _Run:
    """One run: the flags of every rule per record, grouped, and the samples."""

    def __init__(self, path: str, format: str | None, rulesets: Sequence[RuleSet],
                 prefixes: Sequence[str], master: str | None, remote: str | None) -> None:
        kind = _format(path, format)
        _check_path(path, kind)
        spark = session(master, remote)
        self.source = _Source(spark, path, kind, fields(rulesets))
        claims: list[str] = []
        errors: list[str] = []
        for ruleset, prefix in zip(rulesets, prefixes, strict=True):
            claims += claim_columns(ruleset, self.source.columns, prefix, _flag, SPARK)
            errors += [_flag(prefix + "e", i) for i in range(len(ruleset.rules))]
        failed = " OR ".join(errors) if errors else "FALSE"
        base = self.source.frame
        self.frame = base.selectExpr("*", *claims).selectExpr("*", f"({failed}) AS {_FAILED}")

    def groups(self, flags: Sequence[str]) -> list[Any]:
        from pyspark.sql import functions

        grouped = self.frame.groupBy(_OK, _OTHER, *flags, _FAILED).agg(
            functions.expr("count(*)"), functions.expr(f"sum({_BYTES})"))
        return _collect(grouped)

    def first(self, condition: str, count: int) -> list[Any]:
        """The first ``count`` rows where ``condition`` holds, in the catalog's order."""
        if count <= 0:
            return []
        chosen = self.frame.where(condition).orderBy(*self.source.order).limit(count)
        if self.source.format == "jsonl":
            partitions = [SPARK.identifier(name) for name in self.source.partitions]
            return _collect(chosen.selectExpr(f"CAST(value AS BINARY) AS {_TEXT}", _FILE,
                                              *partitions))
        return _collect(chosen)

    def others(self, count: int) -> list[bytes]:
        """The lines Spark does not read as records (to be refused by the python reader)."""
        if count > MAX_OTHER:
            raise Fallback(f"more than {MAX_OTHER:,} lines that are not flat JSON objects")
        rows = self.first(_OTHER, count)
        return [bytes(row[0]) for row in rows]

    def records(self, rows: Sequence[Any]) -> list[tuple[int, Any]]:
        """(line or row number in its file, record or CatalogError) of sampled rows, as the
        python reader reads them."""
        if self.source.format == "parquet":
            names = self.source.names
            return [(row[_ROW] + 1, {name: _python_value(row[name]) for name in names
                                     if row[name] is not None}) for row in rows]
        found: list[tuple[int, Any]] = []
        for file, rows_in in groupby(rows, key=lambda row: row[_FILE]):  # in file order
            found += _line_numbers(_local_file(file), [bytes(row[0]) for row in rows_in])
        for (_, record), row in zip(found, rows, strict=True):
            if isinstance(record, dict):  # a partition's fields come after the line's
                record.update((name, _python_value(row[name])) for name in
                              self.source.partitions if row[name] is not None)
        return found

    def named(self, rows: Sequence[Any], sample: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The error sample of ``rows``, each entry naming its file first in a catalog of
        several files."""
        if not self.source.many:
            return sample
        return [{"file": self.source.file(row[_FILE]), **entry}
                for row, entry in zip(rows, sample, strict=True)]


def _line_numbers(path: str, texts: Sequence[bytes]) -> list[tuple[int, Any]]:
    """Each line (in file order) with its line number and the python reader's record:
    a line equal to a wanted one is that one, as equal lines give equal outcomes."""
    found: list[tuple[int, Any]] = []
    with open(path, "rb") as lines:
        for number, text in enumerate(lines, start=1):
            if len(found) == len(texts):
                break
            bare = text[:-1] if text.endswith(b"\n") else text
            if bare == texts[len(found)]:
                read = jsonl_line(text)
                if isinstance(read, CatalogError):
                    read = CatalogError(number, read.message)
                found.append((number, read))
    if len(found) != len(texts):
        raise Fallback("Spark and the python reader read the lines differently")
    return found


def _check_others(run: _Run, count: int) -> None:
    for text in run.others(count):
        if not isinstance(jsonl_line(text), CatalogError):
            raise Fallback("a line holds JSON that is not a flat object (or that only the "
                           "python reader reads), which the spark engine does not type")


def route(ruleset: RuleSet, path: str | os.PathLike[str], *, format: str | None = None,
          progress: Progress | None = None, sample: int = 5, master: str | None = None,
          remote: str | None = None) -> dict[str, Any]:
    """The ``route --format json`` report, computed by Spark; raises ``Fallback`` or
    ``SparkFailure``."""
    names = list(ruleset.names)
    count = len(names)
    run = _Run(os.fspath(path), format, [ruleset], [""], master, remote)
    flags = [_flag("c", i) for i in range(count)]
    tally = route_tally(names, run.groups(flags))
    _check_others(run, tally.others)
    nothing = " AND ".join(f"NOT {flag}" for flag in flags) or "TRUE"
    unclaimed_rows = run.first(f"{_OK} AND {nothing}", min(sample, tally.unclaimed))
    error_rows = run.first(f"NOT {_OK} OR {_FAILED}", min(sample, tally.errors))
    unclaimed_sample = records_only(_ENGINE, (r for _, r in run.records(unclaimed_rows)))
    error_sample = run.named(error_rows, route_errors(ruleset, _ENGINE,
                                                      run.records(error_rows)))
    return route_report(names, tally.total, tally.groups, tally.unreadable, tally.errors,
                        unclaimed_sample, error_sample)


def diff(old: RuleSet, new: RuleSet, path: str | os.PathLike[str], *,
         format: str | None = None, progress: Progress | None = None, sample: int = 5,
         master: str | None = None, remote: str | None = None) -> dict[str, Any]:
    """The ``diff --format json`` report, computed by Spark; raises ``Fallback`` or
    ``SparkFailure``."""
    old_names, new_names = list(old.names), list(new.names)
    run = _Run(os.fspath(path), format, [old, new], ["o", "n"], master, remote)
    old_flags = [_flag("oc", i) for i in range(len(old_names))]
    new_flags = [_flag("nc", i) for i in range(len(new_names))]
    tally = diff_tally(old_names, new_names, run.groups([*old_flags, *new_flags]))
    _check_others(run, tally.others)
    any_old = " OR ".join(old_flags) or "FALSE"
    no_new = " AND ".join(f"NOT {flag}" for flag in new_flags) or "TRUE"
    orphan_rows = run.first(f"{_OK} AND ({any_old}) AND {no_new}",
                            min(sample, tally.orphaned))
    error_rows = run.first(f"NOT {_OK} OR {_FAILED}", min(sample, tally.errors))
    orphan_sample = records_only(_ENGINE, (r for _, r in run.records(orphan_rows)))
    error_sample = run.named(error_rows, diff_errors(old, new, _ENGINE,
                                                     run.records(error_rows)))
    return diff_report(old_names, new_names, tally.total, tally.groups, orphan_sample,
                       tally.errors, error_sample)
