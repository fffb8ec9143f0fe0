"""Python values written as SQL text: quoted identifiers and strings, HUGEINT and DOUBLE
literals, and the bounds of both types that exact arithmetic checks against.

String literals double their quotes and identifiers their double quotes; nothing from
a rule or a field name reaches the SQL otherwise.
"""

from __future__ import annotations

from typing import Final

from ladle.rules.sql.errors import SqlUnsupported

INT_MIN: Final = -(2**127)
INT_MAX: Final = 2**127 - 1
TWO_127: Final = "CAST('1.7014118346046923e+38' AS DOUBLE)"  # 2**127, exact
MINUS_TWO_127: Final = "CAST('-1.7014118346046923e+38' AS DOUBLE)"
TWO_256: Final = "CAST('1.157920892373162e+77' AS DOUBLE)"  # 2**256, exact
MAX_DOUBLE: Final = "CAST('1.7976931348623157e+308' AS DOUBLE)"
LARGEST: Final = 1.7976931348623157e308


def quote_identifier(name: str) -> str:
    """A column name as an SQL identifier: ``"name"``, with ``"`` doubled."""
    if "\x00" in name or _has_surrogate(name):
        raise SqlUnsupported(f"the field name {name!r} cannot be written in SQL")
    return '"' + name.replace('"', '""') + '"'


def quote_string(text: str) -> str:
    """A string as an SQL literal: ``'text'``, with ``'`` doubled (nothing else is special)."""
    if _has_surrogate(text):
        raise SqlUnsupported(f"the string {text!r} holds a lone surrogate, which SQL "
                             "strings cannot")
    return "'" + text.replace("'", "''") + "'"


def _has_surrogate(text: str) -> bool:
    return any(0xD800 <= ord(ch) <= 0xDFFF for ch in text)


def int_literal(value: int) -> str:
    return f"CAST({value} AS HUGEINT)"


def float_literal(value: float) -> str:
    return f"CAST('{value!r}' AS DOUBLE)"
