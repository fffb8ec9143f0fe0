"""Catalog readers: file records streamed one at a time, in constant memory.

``records(path)`` yields ``(number, record)`` pairs. ``record`` is a ``dict`` or,
for a line that cannot be a record, a ``CatalogError`` item: the run goes on and
the caller decides what to report. Problems with the file as a whole (missing,
unreadable, Parquet on stdin, duplicate CSV columns) raise ``CatalogFileError``
instead, and nothing is yielded after it.

Formats, chosen from the extension unless ``format`` is given (``-`` is stdin,
JSON Lines unless ``format="csv"``):

- JSON Lines (``.jsonl``, ``.ndjson``, ``.json`` and anything else): one JSON
  object per line, parsed with orjson. ``number`` is the 1-based line number;
  blank lines are skipped but counted. Integers are exact at any size (orjson
  turns those beyond 64 bits into floats, so such lines are parsed again by the
  standard library). ``null`` is a missing field, as in the other formats and
  in DuckDB (records with a null are the only ones copied).
- CSV (``.csv``) with a header line. ``number`` is the line the row starts on
  (the header is line 1). Each value is typed on its own, by this rule:
  ``[-+]?[0-9]+`` is an exact ``int`` (any size, negative too, leading zeros
  allowed); a decimal or exponent number (``1.5``, ``.5``, ``5.``, ``1e9``) that
  is finite is a ``float``; ``true`` / ``false`` in any case are bools; an empty
  value is a missing field; everything else, including ``nan``, ``inf``,
  ``null`` and values with surrounding spaces, is the string as written. A row
  with more values than the header has is a ``CatalogError``; a shorter row
  lacks the last fields. Bytes that are not UTF-8 make their row a
  ``CatalogError``.
- Parquet (``.parquet``, ``.pq``), read by DuckDB in batches. ``number`` is the
  1-based row. NULL is a missing field; integers of every width (HUGEINT,
  UBIGINT...) are exact ``int``; DECIMAL is ``int`` at scale 0, else ``float``;
  dates, times, UUIDs and intervals are their ISO / canonical strings; BLOB is
  decoded as UTF-8 with replacement characters. Parquet cannot come from stdin.
"""

from __future__ import annotations

import csv
import gzip
import json
import math
import os
import re
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import orjson

__all__ = [
    "FORMATS",
    "NEEDS_DUCKDB",
    "CatalogError",
    "CatalogFileError",
    "Item",
    "Reader",
    "catalog_format",
    "catalog_size",
    "csv_value",
    "jsonl_line",
    "records",
]

FORMATS = ("jsonl", "csv", "parquet")
_ALIASES = {"jsonl": "jsonl", "json": "jsonl", "ndjson": "jsonl", "csv": "csv",
            "parquet": "parquet", "pq": "parquet"}
NEEDS_DUCKDB = "{what} needs DuckDB: pip install 'ladle[scale]'"
_BATCH_ROWS = 8192
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class CatalogError:
    """A line or row that is not a usable record (yielded in place of the record)."""

    line: int
    message: str


class CatalogFileError(Exception):
    """The catalog as a whole cannot be read (raised; the run stops)."""

    def __init__(self, message: str, file: str) -> None:
        super().__init__(f"{file}: {message}")
        self.message = message
        self.file = file


Item = tuple[int, "dict[str, Any] | CatalogError"]


def catalog_format(path: str | os.PathLike[str], format: str | None = None) -> str:
    """``jsonl``, ``csv`` or ``parquet``: ``format`` if given, else from the extension."""
    name = os.fspath(path)
    if format is not None:
        found = _ALIASES.get(format.lower())
        if found is None:
            raise CatalogFileError(f"unknown catalog format {format!r} "
                                   f"(expected one of {', '.join(FORMATS)})", name)
        return found
    if name == "-":
        return "jsonl"
    suffix = Path(name).suffix.lower().lstrip(".")
    return _ALIASES.get(suffix, "jsonl")


def catalog_size(path: str | os.PathLike[str]) -> int:
    """The catalog's size in bytes (0 for stdin), for choosing an engine."""
    name = os.fspath(path)
    if name == "-":
        return 0
    try:
        return os.stat(name).st_size
    except OSError as error:
        raise CatalogFileError(error.strerror or str(error), name) from None


def records(path: str | os.PathLike[str], format: str | None = None) -> Iterator[Item]:
    """``(line or row number, record or CatalogError)`` for every record of the catalog."""
    return Reader(path, format).items()


# -- reader with a position, used by route() for progress ------------------------------


class Reader:
    """One pass over a catalog; ``position()`` is how many bytes of it were read."""

    def __init__(self, path: str | os.PathLike[str], format: str | None) -> None:
        self.name = os.fspath(path)
        self.format = catalog_format(self.name, format)
        self.stdin = self.name == "-"
        if self.stdin and self.format == "parquet":
            raise CatalogFileError("Parquet cannot be read from stdin; give the file's path",
                                   self.name)
        if not self.stdin:
            size = catalog_size(self.name)  # raises for a missing file
            if os.path.isdir(self.name):
                raise CatalogFileError("is a directory", self.name)
            self.size = size
        else:
            self.size = 0
        self._stream: IO[bytes] | None = None
        self._end = 0
        self._rows = 0
        self._total_rows = 0

    def position(self) -> int:
        if self.format == "parquet":
            if not self._total_rows:
                return 0
            return self.size * self._rows // self._total_rows
        stream = self._stream
        if stream is None:
            return self._end
        try:
            return stream.tell()
        except (OSError, ValueError):
            return 0

    def items(self) -> Iterator[Item]:
        if self.format == "parquet":
            return self._parquet()
        return self._text()

    def _text(self) -> Iterator[Item]:
        if self.stdin:
            if sys.stdin is None:
                raise CatalogFileError("standard input is closed", self.name)
            stream: Any = getattr(sys.stdin, "buffer", sys.stdin)
            yield from self._lines(_maybe_gzip(stream, self.name))
            return
        try:
            file = open(self.name, "rb")  # noqa: SIM115 (closed in the finally below)
        except OSError as error:
            raise CatalogFileError(error.strerror or str(error), self.name) from None
        self._stream = file
        try:
            yield from self._lines(_maybe_gzip(file, self.name))
        finally:
            self._stream = None
            self._end = self.size
            file.close()

    def _lines(self, stream: Iterable[bytes] | Iterable[str]) -> Iterator[Item]:
        if self.format == "csv":
            return _csv(stream, self.name)
        return _jsonl(stream)

    def _parquet(self) -> Iterator[Item]:
        try:
            import duckdb
        except ModuleNotFoundError:
            raise CatalogFileError(NEEDS_DUCKDB.format(what="reading Parquet"),
                                   self.name) from None

        connection = duckdb.connect()
        try:
            try:
                counted = connection.execute("SELECT count(*) FROM read_parquet(?)",
                                             [self.name]).fetchone()
                self._total_rows = int(counted[0]) if counted else 0
                result = connection.execute("SELECT * FROM read_parquet(?)", [self.name])
            except duckdb.Error as error:
                raise CatalogFileError(str(error).splitlines()[0], self.name) from None
            description = result.description or []
            names = [column[0] for column in description]
            if len(set(names)) != len(names):
                raise CatalogFileError("duplicate column names", self.name)
            converters = [_converter(str(column[1])) for column in description]
            plain = all(convert is None for convert in converters)
            number = 0
            while True:
                try:
                    rows = result.fetchmany(_BATCH_ROWS)
                except duckdb.Error as error:
                    raise CatalogFileError(str(error).splitlines()[0], self.name) from None
                if not rows:
                    break
                for row in rows:
                    number += 1
                    if plain:
                        record = {name: value for name, value in zip(names, row, strict=True)
                                  if value is not None}
                    else:
                        record = {name: value if convert is None else convert(value)
                                  for name, value, convert in zip(names, row, converters,
                                                                  strict=True)
                                  if value is not None}
                    yield number, record
                self._rows = number
        finally:
            connection.close()


# -- JSON Lines ---------------------------------------------------------------------------


def _exact(line: bytes | str) -> dict[str, Any] | None:
    """The line parsed again by the standard library, whose integers are exact."""
    try:
        value = json.loads(line.lstrip("\ufeff") if isinstance(line, str)
                           else line.removeprefix(_BOM))
    except (ValueError, RecursionError):
        return None
    return value if type(value) is dict else None


def _json_kind(value: object) -> str:
    if isinstance(value, list):
        return "list"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if value is None:
        return "null"
    return "number"


def _cleaned(record: dict[str, Any], line: bytes | str) -> dict[str, Any]:
    """``record`` without its nulls, and exact if orjson turned an integer into a float."""
    # orjson reads integers beyond 64 bits as (inexact) floats: such a line is read
    # again by the standard library, which keeps them exact.
    if any(type(value) is float and not -9.2e18 < value < 1.8e19 for value in record.values()):
        record = _exact(line) or record
    if any(value is None for value in record.values()):
        record = {name: value for name, value in record.items() if value is not None}
    return record


def _without_bom(line: bytes | str) -> Any:
    """The first line parsed without its byte order mark (None if that does not help)."""
    bare = line.removeprefix("\ufeff") if isinstance(line, str) else line.removeprefix(_BOM)
    if len(bare) == len(line):
        return None
    try:
        return orjson.loads(bare)
    except orjson.JSONDecodeError:
        return None


def _json_message(line: bytes | str, error: orjson.JSONDecodeError) -> str:
    if isinstance(line, bytes):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as bad:
            return f"not UTF-8 (byte {bad.start + 1} of the line)"
    return f"not JSON: {error.msg} (column {error.colno})"


def _jsonl(stream: Iterable[bytes] | Iterable[str]) -> Iterator[Item]:
    loads = orjson.loads
    decode_error = orjson.JSONDecodeError
    number = 0
    for line in stream:
        number += 1
        try:
            record = loads(line)
        except decode_error as error:
            if not line.strip():
                continue  # a blank line
            record = _without_bom(line) if number == 1 else None
            if record is None:
                yield number, CatalogError(number, _json_message(line, error))
                continue
        if type(record) is dict:
            for value in record.values():
                if value is None or type(value) is float:
                    record = _cleaned(record, line)
                    break
            yield number, record
        else:
            yield number, CatalogError(number, f"not a JSON object (a {_json_kind(record)})")


def jsonl_line(line: bytes) -> dict[str, Any] | CatalogError | None:
    """One JSON Lines line (not the first: no byte order mark) as ``records`` reads it;
    None for a blank line. The error's line number is 1."""
    for _, record in _jsonl((line,)):
        return record
    return None


# -- CSV ----------------------------------------------------------------------------------

_INTEGER = re.compile(r"[-+]?[0-9]+")
_FLOAT = re.compile(r"[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+(?=[eE]))(?:[eE][-+]?[0-9]+)?")
_BOOLS = {"true": True, "false": False}
_NUMBER_START = frozenset("0123456789-+.")


def csv_value(text: str) -> Any:
    """A CSV value typed by the module's rule (``""`` gives ``None``: a missing field)."""
    if text.isdigit() and text.isascii():  # the common case first: 0-9 only
        return _integer(text)
    if not text:
        return None
    first = text[0]
    if first in _NUMBER_START:
        if _INTEGER.fullmatch(text):
            return _integer(text)
        if _FLOAT.fullmatch(text):
            number = float(text)
            return number if math.isfinite(number) else text
        return text
    if len(text) in (4, 5):
        found = _BOOLS.get(text.lower())
        if found is not None:
            return found
    return text


def _integer(text: str) -> int | str:
    try:
        return int(text)
    except ValueError:  # more digits than Python converts (4300): keep the text
        return text


def _decoded(stream: Iterable[bytes] | Iterable[str], bad: list[int]) -> Iterator[str]:
    """Text lines; the numbers of lines that are not UTF-8 go to ``bad``."""
    number = 0
    for line in stream:
        number += 1
        if isinstance(line, str):
            yield line.removeprefix("\ufeff") if number == 1 else line
            continue
        if number == 1 and line.startswith(_BOM):
            line = line[len(_BOM):]
        try:
            yield line.decode("utf-8")
        except UnicodeDecodeError:
            bad.append(number)
            yield line.decode("utf-8", "replace")


GZIP_MAGIC = b"\x1f\x8b"


def is_gzip(path: str | os.PathLike[str]) -> bool:
    """Whether the file is gzip-compressed (whatever its name says)."""
    try:
        with open(path, "rb") as file:
            return file.read(2) == GZIP_MAGIC
    except OSError:
        return False


def _maybe_gzip(stream: Any, name: str) -> Any:
    """``stream``, decompressed when it starts as a gzip file does (by its bytes: a
    compressed catalog need not be named ``.gz``)."""
    peek = getattr(stream, "peek", None)
    if peek is None:
        return stream
    try:
        start = peek(2)[:2]
    except (OSError, ValueError):
        return stream
    if start != GZIP_MAGIC:
        return stream
    return _Gunzipped(gzip.GzipFile(fileobj=stream, mode="rb"), name)


class _Gunzipped:
    """The lines of a gzip stream; a damaged one is a ``CatalogFileError``, not zlib's."""

    def __init__(self, file: gzip.GzipFile, name: str) -> None:
        self.file = file
        self.name = name

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self.file
        except (OSError, EOFError, zlib.error) as error:
            raise CatalogFileError(f"damaged gzip data: {error}", self.name) from None


def _csv(stream: Iterable[bytes] | Iterable[str], name: str) -> Iterator[Item]:
    bad: list[int] = []
    # strict: a quote never closed is an error at the end of the data, not a value that
    # silently holds the rest of the file.
    reader = csv.reader(_decoded(stream, bad), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise CatalogFileError(f"line 1: bad CSV header: {error}", name) from None
    if header is None:
        return
    if bad:
        raise CatalogFileError("line 1: the CSV header is not UTF-8", name)
    if len(header) == 1 and (";" in header[0] or "\t" in header[0]):
        separator = "semicolons" if ";" in header[0] else "tabs"
        raise CatalogFileError(f"line 1: the CSV header is one column holding {separator}; "
                               "ladle reads values separated by commas", name)
    seen: set[str] = set()
    for column in header:
        if column in seen:
            raise CatalogFileError(f"line 1: the CSV header has {column!r} twice", name)
        seen.add(column)
    width = len(header)
    typed = csv_value
    done = reader.line_num
    while True:
        start = done + 1
        try:
            row = next(reader, None)
        except csv.Error as error:
            if reader.line_num < start:
                raise CatalogFileError(f"line {start}: {error}", name) from None
            done = reader.line_num
            bad.clear()
            yield start, CatalogError(start, f"bad CSV: {error}")
            continue
        if row is None:
            return
        done = reader.line_num
        if bad:  # the reader reads no line ahead: these lines are this row's
            bad.clear()
            yield start, CatalogError(start, "not UTF-8")
            continue
        if not row:
            continue
        if len(row) != width:
            yield start, CatalogError(start, f"{len(row)} values but the header has {width}")
            continue
        yield start, {column: typed(text) for column, text in zip(header, row, strict=False)
                      if text}


# -- Parquet ------------------------------------------------------------------------------


def _decimal(scale: int) -> Callable[[Any], Any]:
    if scale == 0:
        return lambda value: int(value) if isinstance(value, Decimal) else value
    return lambda value: float(value) if isinstance(value, Decimal) else value


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _blob(value: Any) -> Any:
    return bytes(value).decode("utf-8", "replace") if isinstance(value, bytes | bytearray
                                                                 | memoryview) else value


_DECIMAL_TYPE = re.compile(r"DECIMAL\((\d+),\s*(\d+)\)")


def _converter(type_name: str) -> Callable[[Any], Any] | None:
    """How to turn a DuckDB column's Python values into record values (None: as they are)."""
    upper = type_name.upper()
    match = _DECIMAL_TYPE.fullmatch(upper)
    if match:
        return _decimal(int(match.group(2)))
    if upper in ("DATE", "TIME", "TIMESTAMP", "DATETIME", "TIMESTAMP_S", "TIMESTAMP_MS",
                 "TIMESTAMP_NS", "TIMESTAMP WITH TIME ZONE", "TIME WITH TIME ZONE",
                 "TIMESTAMPTZ", "TIMETZ"):
        return _iso
    if upper in ("UUID", "INTERVAL"):
        return str
    if upper in ("BLOB", "BYTEA", "VARBINARY"):
        return _blob
    return None
