"""The pieces of SQL that differ between the engines the lowering writes for: ``DUCKDB``
and ``SPARK``. The compiler writes one lowering and asks its ``Dialect`` for these.

- the exact integer type: DuckDB's HUGEINT (±2**127) or Spark's DECIMAL(38,0)
  (±(10**38 - 1)); integers beyond it are refused at compile time or fail the query;
- quoting: DuckDB doubles quotes; Spark quotes identifiers with backticks and escapes
  quotes and backslashes in strings with a backslash;
- the 64-bit hash of ``slot()`` (the first 16 hex digits of md5), truncating integer
  division, regular expressions (RE2 in DuckDB, Java's in Spark: both read ``\\x{...}``),
  ``startswith``/``endswith`` and the function that fails the query;
- what one of them cannot do exactly, which the compiler then refuses
  (``SqlUnsupported``) or makes fail the query: Spark has no JSON columns or unsigned
  64-bit integers, writes a DOUBLE as text otherwise than Python's ``repr``, converts a
  DOUBLE beyond 2**53 to DECIMAL through its shortest text (not its exact value), and
  knows case mappings of an older Unicode than Python's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from ladle.rules.sql.errors import SqlUnsupported

_EXACT_DOUBLE: Final = 2**53
_BEYOND_2_53: Final = ("ladle: a float beyond 2**53 met an integer, which Spark SQL does not "
                       "convert exactly; route this catalog with the python engine")


def _has_surrogate(text: str) -> bool:
    return any(0xD800 <= ord(ch) <= 0xDFFF for ch in text)


def _check_text(text: str) -> None:
    if _has_surrogate(text):
        raise SqlUnsupported(f"the string {text!r} holds a lone surrogate, which SQL "
                             "strings cannot")


def _double_quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _backticked(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _single_quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _backslashed(text: str) -> str:
    # Spark reads backslash escapes in string literals; control characters are written
    # as \\u escapes so that no raw one reaches the SQL text.
    out = []
    for ch in text:
        if ch in "'\\":
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ch == "\x7f":
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "'" + "".join(out) + "'"


@dataclass(frozen=True)
class Dialect:
    """One SQL engine's spelling of the pieces that differ (see the module's doc)."""

    name: str
    integer: str  # the exact integer type
    int_min: int
    int_max: int
    text: str  # the string type
    # 64-bit fast paths through unsigned integer types (DuckDB's UBIGINT)
    unsigned: bool
    json: bool  # JSON columns (json_type, json_extract_string)
    float_text: bool  # CAST(double AS text) is Python's repr
    exact_float_to_int: bool  # CAST(integral double AS integer) is exact at any size
    _identifier: Callable[[str], str]
    _string: Callable[[str], str]
    _fail: str  # the function that fails the query with a message
    _infinity: str  # how DOUBLE's infinity is written in text
    # ``str.format`` templates of the functions spelled differently
    _regex: str  # TRUE where {pattern} matches somewhere in {text}
    _regex_remove: str  # {text} with every match of {pattern} removed
    _starts_with: str  # the function names
    _ends_with: str
    _division: str  # {a} / {b} rounded toward zero, as the exact type ({integer})

    def identifier(self, name: str) -> str:
        """A column name as an SQL identifier."""
        if "\x00" in name or _has_surrogate(name):
            raise SqlUnsupported(f"the field name {name!r} cannot be written in SQL")
        return self._identifier(name)

    def string(self, text: str) -> str:
        """A string as an SQL literal."""
        _check_text(text)
        return self._string(text)

    def int_literal(self, value: int) -> str:
        return f"CAST({value} AS {self.integer})"

    def float_literal(self, value: float) -> str:
        text = repr(value)
        if text in ("inf", "-inf"):
            text = text.replace("inf", self._infinity)
        return f"CAST('{text}' AS DOUBLE)"

    def as_int(self, sql: str) -> str:
        return f"CAST({sql} AS {self.integer})"

    def as_text(self, sql: str) -> str:
        return f"CAST({sql} AS {self.text})"

    def fail(self, message: str) -> str:
        return f"{self._fail}({self.string(message)})"

    def regex(self, text: str, pattern: str) -> str:
        """TRUE where ``pattern`` (a literal) matches somewhere in ``text``."""
        return self._regex.format(text=text, pattern=pattern)

    def regex_remove(self, text: str, pattern: str) -> str:
        """``text`` with every match of ``pattern`` removed."""
        return self._regex_remove.format(text=text, pattern=pattern)

    def starts_with(self, whole: str, part: str) -> str:
        return f"{self._starts_with}({whole}, {part})"

    def ends_with(self, whole: str, part: str) -> str:
        return f"{self._ends_with}({whole}, {part})"

    def hash64(self, text: str) -> str:
        """The first 16 hex digits of ``md5(text)`` as an unsigned 64-bit number (UBIGINT in
        DuckDB, DECIMAL(20,0) in Spark, whose ``conv`` reads them as unsigned)."""
        if self.unsigned:
            return f"CAST(('0x' || substr(md5({text}), 1, 16)) AS UBIGINT)"
        return f"CAST(conv(substr(md5({text}), 1, 16), 16, 10) AS DECIMAL(20,0))"

    def hash_modulo(self, hashed: str, modulus: int) -> str:
        """``hashed % modulus`` (0 < modulus < 2**64) as the exact integer type."""
        if self.unsigned:
            return f"CAST(({hashed} % CAST({modulus} AS UBIGINT)) AS {self.integer})"
        return f"CAST(({hashed} % CAST({modulus} AS DECIMAL(20,0))) AS {self.integer})"

    def truncated_division(self, a: str, b: str) -> str:
        """``a / b`` rounded toward zero, for integers of the exact type."""
        return self._division.format(a=a, b=b, integer=self.integer)

    def float_to_int(self, value: str, fail_message: str = _BEYOND_2_53) -> str:
        """An integral DOUBLE within the exact type's range as that type. Spark converts
        through the DOUBLE's shortest text, exact only up to 2**53: beyond that the query
        fails."""
        if self.exact_float_to_int:
            return self.as_int(value)
        return (f"(CASE WHEN abs({value}) < {self.float_literal(float(_EXACT_DOUBLE))} "
                f"THEN CAST(CAST({value} AS BIGINT) AS {self.integer}) "
                f"ELSE {self.fail(fail_message)} END)")

    def truncated(self, value: str) -> str:
        """A DOUBLE below 2**127 in size, rounded toward zero, as the exact type."""
        if self.exact_float_to_int:
            return f"CAST(trunc({value}) AS {self.integer})"
        return self.float_to_int(value, _BEYOND_2_53)  # CAST(... AS BIGINT) truncates

    def integral(self, value: str) -> str:
        """TRUE where a finite DOUBLE is a whole number (NULL for NULL)."""
        if self.exact_float_to_int:
            return f"(floor({value}) = {value})"
        # Spark's floor() gives a BIGINT, which saturates: a DOUBLE of 2**52 or more is
        # whole anyway.
        return (f"(abs({value}) >= {self.float_literal(float(2**52))} "
                f"OR floor({value}) = {value})")


DUCKDB: Final = Dialect(
    name="duckdb", integer="HUGEINT", int_min=-(2**127), int_max=2**127 - 1, text="VARCHAR",
    unsigned=True, json=True, float_text=True, exact_float_to_int=True,
    _identifier=_double_quoted, _string=_single_quoted, _fail="error", _infinity="inf",
    _regex="regexp_matches({text}, {pattern})",
    _regex_remove="regexp_replace({text}, {pattern}, '', 'g')",
    _starts_with="starts_with", _ends_with="ends_with", _division="({a} // {b})")

SPARK: Final = Dialect(
    name="spark", integer="DECIMAL(38,0)", int_min=-(10**38 - 1), int_max=10**38 - 1,
    text="STRING", unsigned=False, json=False, float_text=False, exact_float_to_int=False,
    _identifier=_backticked, _string=_backslashed, _fail="raise_error", _infinity="Infinity",
    _regex="({text} RLIKE {pattern})", _regex_remove="regexp_replace({text}, {pattern}, '')",
    _starts_with="startswith", _ends_with="endswith",
    # DIV gives a BIGINT; a quotient beyond it fails the query (ANSI mode)
    _division="CAST(({a} DIV {b}) AS {integer})")

DIALECTS: Final = {"duckdb": DUCKDB, "spark": SPARK}
