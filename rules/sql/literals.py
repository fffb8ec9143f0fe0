"""Python values written as SQL text: quoted identifiers and strings, HUGEINT and DOUBLE
literals, and the bounds of both types that exact arithmetic checks against.

String literals double their quotes and identifiers their double quotes; nothing from
a rule or a field name reaches the SQL otherwise.
"""

from __future__ import annotations

from typing import Final

from ladle.rules.sql.dialect import DUCKDB

INT_MIN: Final = -(2**127)
INT_MAX: Final = 2**127 - 1
TWO_127: Final = "CAST('1.7014118346046923e+38' AS DOUBLE)"  # 2**127, exact
MINUS_TWO_127: Final = "CAST('-1.7014118346046923e+38' AS DOUBLE)"
TWO_256: Final = "CAST('1.157920892373162e+77' AS DOUBLE)"  # 2**256, exact
MAX_DOUBLE: Final = "CAST('1.7976931348623157e+308' AS DOUBLE)"
LARGEST: Final = 1.7976931348623157e308


def quote_identifier(name: str) -> str:
    """A column name as a DuckDB identifier: ``"name"``, with ``"`` doubled."""
    return DUCKDB.identifier(name)


def quote_string(text: str) -> str:
    """A string as a DuckDB literal: ``'text'``, with ``'`` doubled (nothing else is
    special)."""
    return DUCKDB.string(text)


def int_literal(value: int) -> str:
    return f"CAST({value} AS HUGEINT)"


def float_literal(value: float) -> str:
    return f"CAST('{value!r}' AS DOUBLE)"
