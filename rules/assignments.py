"""Files of per-record assignments (``ladle rules route --output``): JSON Lines, CSV or
Parquet.

Each record gives ``{"line": 12, "id": 8214420917724407091, "rules": ["morbo", "devil"]}``;
``id`` is the record's ``id`` field as it is (``null`` when it has none). In CSV the
columns are ``line``, ``id`` (its JSON text) and ``rules`` (the names separated by
spaces). In Parquet the columns are ``line`` (UBIGINT), ``id`` (JSON text, since ids may
mix numbers and strings) and ``rules`` (a list of strings).
"""

from __future__ import annotations

import csv
import errno
import json
import os
import re
from collections.abc import Callable
from typing import Any, TextIO

__all__ = ["FORMATS", "assignment", "assignment_writer", "output_format", "to_parquet"]

FORMATS = ("jsonl", "csv", "parquet")
_SUFFIXES = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv",
             ".parquet": "parquet", ".pq": "parquet"}


def output_format(path: str | os.PathLike[str]) -> str | None:
    """The format a file name asks for (standard output, ``-``, is JSON Lines); None
    when the name does not say.

    >>> output_format("where.parquet"), output_format("-"), output_format("where.txt")
    ('parquet', 'jsonl', None)
    """
    name = os.fspath(path)
    if name == "-":
        return "jsonl"
    return _SUFFIXES.get(os.path.splitext(name)[1].lower())


def assignment_writer(stream: TextIO, format: str) -> Callable[[int, Any, list[str]], None]:
    """A function that writes one record's assignment to ``stream`` as JSON Lines or CSV."""
    if format == "csv":
        rows = csv.writer(stream, lineterminator="\n")
        rows.writerow(["line", "id", "rules"])

        def write_row(line: int, record_id: Any, names: list[str]) -> None:
            rows.writerow([line, json.dumps(record_id, ensure_ascii=False), " ".join(names)])

        return write_row

    def write_line(line: int, record_id: Any, names: list[str]) -> None:
        stream.write(assignment(line, record_id, names))

    return write_line


def assignment(line: int, record_id: Any, names: list[str]) -> str:
    """One JSON Lines line of the assignment file, with its newline."""
    return json.dumps({"line": line, "id": record_id, "rules": names},
                      ensure_ascii=False) + "\n"


def to_parquet(jsonl: str | os.PathLike[str], parquet: str | os.PathLike[str]) -> None:
    """Convert an assignment file written as JSON Lines into Parquet (needs DuckDB). A
    file DuckDB cannot write (a full disk) raises ``OSError`` with the system's reason."""
    import duckdb

    with duckdb.connect() as con:
        try:
            con.execute(
                "COPY (SELECT line, id, rules FROM read_json(?, format = 'newline_delimited', "
                "columns = {'line': 'UBIGINT', 'id': 'JSON', 'rules': 'VARCHAR[]'})) "
                "TO ? (FORMAT parquet)", [os.fspath(jsonl), os.fspath(parquet)])
        except duckdb.IOException as error:
            raise _os_error(str(error), parquet) from None


def _os_error(message: str, path: str | os.PathLike[str]) -> OSError:
    """DuckDB's I/O error as Python's: its errno, when it names one, gives the reason.

    >>> _os_error('IO Error: Could not write file "x": No space left on device", '
    ...           '"errno":"28"}', "x").strerror
    'No space left on device'
    """
    found = re.search(r'"errno":\s*"(\d+)"', message)
    if found is None:
        return OSError(errno.EIO, message, os.fspath(path))
    number = int(found.group(1))
    return OSError(number, os.strerror(number), os.fspath(path))
