"""Files of per-record assignments (``ladle rules route --output``): JSON Lines or Parquet.

Each record gives ``{"line": 12, "id": 8214420917724407091, "rules": ["morbo", "devil"]}``;
``id`` is the record's ``id`` field as it is (``null`` when it has none). In Parquet the
columns are ``line`` (UBIGINT), ``id`` (JSON text, since ids may mix numbers and strings)
and ``rules`` (a list of strings).
"""

from __future__ import annotations

import json
import os
from typing import Any

__all__ = ["FORMATS", "assignment", "output_format", "to_parquet"]

FORMATS = ("jsonl", "parquet")


def output_format(path: str | os.PathLike[str]) -> str:
    """``parquet`` for a ``.parquet`` or ``.pq`` path, else ``jsonl``."""
    return "parquet" if os.fspath(path).lower().endswith((".parquet", ".pq")) else "jsonl"


def assignment(line: int, record_id: Any, names: list[str]) -> str:
    """One JSON Lines line of the assignment file, with its newline."""
    return json.dumps({"line": line, "id": record_id, "rules": names},
                      ensure_ascii=False) + "\n"


def to_parquet(jsonl: str | os.PathLike[str], parquet: str | os.PathLike[str]) -> None:
    """Convert an assignment file written as JSON Lines into Parquet (needs DuckDB)."""
    import duckdb

    with duckdb.connect() as con:
        con.execute(
            "COPY (SELECT line, id, rules FROM read_json(?, format = 'newline_delimited', "
            "columns = {'line': 'UBIGINT', 'id': 'JSON', 'rules': 'VARCHAR[]'})) "
            "TO ? (FORMAT parquet)", [os.fspath(jsonl), os.fspath(parquet)])
