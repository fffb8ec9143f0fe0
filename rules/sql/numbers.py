"""Exact integer and float arithmetic and comparison in SQL, as Python computes them.

- ``%`` takes the sign of the divisor: for a constant ``n``,
  ``(((a % n) + n) % n)``; otherwise ``CASE WHEN r <> 0 AND ((r < 0) <> (b < 0)) THEN
  r + b ELSE r END`` with ``r = a % NULLIF(b, 0)``. On a BIGINT or UBIGINT column it is
  computed in 64 bits (exact there, and many times faster than HUGEINT); a HUGEINT
  column takes that path for values in [0, 2**64). ``/`` on integers floors with the same
  sign correction. A zero divisor is an ``err``; ``NULLIF`` keeps DuckDB from raising.
- integers meet floats exactly, as in Python: an integer becomes a float through its
  decimal text (DuckDB's HUGEINT to DOUBLE cast does not round correctly), and an integer
  is compared with a float's floor or ceiling (``i < f`` is ``i < CAST(ceil(f) AS
  HUGEINT)``), never by converting the integer. Float results must be finite.
"""

from __future__ import annotations

import math

from ladle.rules.sql.algebra import FALSE, TRUE, safe
from ladle.rules.sql.dialect import Dialect
from ladle.rules.sql.literals import LARGEST, MAX_DOUBLE, MINUS_TWO_127, TWO_127
from ladle.rules.sql.values import Value


def native_modulo(d: Dialect, left: Value, n: int | None, exact: str) -> str | None:
    """``left % n`` computed in the 64-bit type of an integer column (nil counting as 0),
    where that is exact, as HUGEINT; None where it is not. ``exact`` is the HUGEINT form,
    for the values of a HUGEINT column beyond 64 bits."""
    if left.native is None or n is None or set(left.slots) != {"int"}:
        return None
    column, kind = left.native
    if kind == "huge":
        if not d.unsigned or not 0 < n < 2**64:
            return None
        narrow = f"(CAST({column} AS UBIGINT) % CAST({n} AS UBIGINT))"
        return (f"(CASE WHEN {column} BETWEEN {d.int_literal(0)} AND "
                f"{d.int_literal(2**64 - 1)} THEN CAST({narrow} AS HUGEINT) ELSE {exact} END)")
    unsigned = kind == "unsigned"
    if unsigned and not d.unsigned:
        return None
    if unsigned and 0 < n < 2**64:
        # x >= 0 and n > 0: the remainder already has Python's sign
        value = f"COALESCE(CAST({column} AS UBIGINT), CAST(0 AS UBIGINT))"
        return f"CAST(({value} % CAST({n} AS UBIGINT)) AS HUGEINT)"
    if not unsigned and 0 < abs(n) < 2**62:
        # |x % n| < |n|, so x % n + n stays within BIGINT
        value = f"COALESCE(CAST({column} AS BIGINT), CAST(0 AS BIGINT))"
        m = f"CAST({n} AS BIGINT)"
        return d.as_int(f"((({value} % {m}) + {m}) % {m})")
    return None


def integer_operation(d: Dialect, op: str, a: str, b: str, divisor: str,
                      constant: int | None) -> str:
    if op in "+-*":
        return f"({a} {op} {b})"
    by = b if constant is not None else divisor
    if op == "%":
        # x % ±1 is 0 (NULL when x is), and DuckDB overflows on HUGEINT_MIN % -1.
        if constant in (1, -1):
            return f"({a} % {d.int_literal(1)})"
        if constant is not None and abs(constant) < 2**126:
            return f"((({a} % {by}) + {by}) % {by})"
        r = f"({a} % {by})"
        result = (f"(CASE WHEN {r} <> 0 AND (({r} < 0) <> ({by} < 0)) THEN {r} + {by} "
                  f"ELSE {r} END)")
        if constant is None:
            result = (f"(CASE WHEN {by} = -1 THEN ({a} % {d.int_literal(1)}) "
                      f"ELSE {result} END)")
        return result
    if constant == 1:
        return a
    if constant == -1:
        return f"(-({a}))"
    signs = f"(({a} < 0) <> ({by} < 0))" if constant is None else \
        f"({a} < 0)" if constant > 0 else f"({a} > 0)"
    quotient = d.truncated_division(a, by)
    return f"({quotient} - (CASE WHEN ({a} % {by}) <> 0 AND {signs} THEN 1 ELSE 0 END))"


def float_operation(d: Dialect, op: str, a: str, b: str, positive: bool | None = None) -> str:
    """``a op b`` on DOUBLEs as Python computes it; ``positive`` is the sign of a constant
    ``b`` (None when it is not constant)."""
    if op in "+-*/":
        return f"({a} {op} {b})"
    # Python's float %: m = fmod(a, b); m + b when m is nonzero with the other sign than
    # b; a zero takes b's sign.
    m = f"({a} % {b})"
    if positive:
        return f"(CASE WHEN {m} < 0 THEN {m} + {b} ELSE {m} + {d.float_literal(0.0)} END)"
    if positive is False:
        return (f"(CASE WHEN {m} > 0 THEN {m} + {b} WHEN {m} = 0 THEN {d.float_literal(-0.0)} "
                f"ELSE {m} END)")
    return (f"(CASE WHEN {m} <> 0 THEN (CASE WHEN ({b} < 0) <> ({m} < 0) THEN {m} + {b} "
            f"ELSE {m} END) WHEN {b} < 0 THEN {d.float_literal(-0.0)} "
            f"ELSE {d.float_literal(0.0)} END)")


def infinite(value: str) -> str:
    """TRUE when a DOUBLE is infinite or NaN (ladle's results must be finite); FALSE for
    NULL. DuckDB orders NaN above every number, so abs(NaN) > max is TRUE as well."""
    return safe(f"(abs({value}) > {MAX_DOUBLE})")


def sql_op(op: str) -> str:
    return {"==": "=", "!=": "<>"}.get(op, op)


def int_vs_int_const(d: Dialect, op: str, a: str, n: int) -> str:
    """``a op n`` for an exact integer ``a`` and any Python integer ``n``."""
    if d.int_min <= n <= d.int_max:
        return f"({a} {sql_op(op)} {d.int_literal(n)})"
    above = n > d.int_max  # then every a is below n
    result = {"<": above, "<=": above, ">": not above, ">=": not above, "==": False,
              "!=": True}[op]
    return TRUE if result else FALSE


def int_vs_float_const(d: Dialect, op: str, a: str, x: float) -> str:
    """``a op x`` for a HUGEINT ``a`` and a Python float ``x``, exactly."""
    if math.isinf(x):
        result = {"<": x > 0, "<=": x > 0, ">": x < 0, ">=": x < 0, "==": False,
                  "!=": True}[op]
        return TRUE if result else FALSE
    if op in ("==", "!="):
        if not x.is_integer():
            return FALSE if op == "==" else TRUE
        return int_vs_int_const(d, op, a, int(x))
    # For an integer a: a < x iff a < ceil(x), a <= x iff a <= floor(x), and so on.
    bound = math.ceil(x) if op in ("<", ">=") else math.floor(x)
    return int_vs_int_const(d, op, a, bound)


def float_vs_int_const(d: Dialect, op: str, f: str, n: int) -> str:
    """``f op n`` for a DOUBLE ``f`` and a Python integer ``n``, exactly."""
    try:
        near = float(n)
    except OverflowError:
        near = math.inf if n > 0 else -math.inf
    if not math.isinf(near) and int(near) == n:
        return f"({f} {sql_op(op)} {d.float_literal(near)})"
    if op == "==":
        return FALSE
    if op == "!=":
        return TRUE
    if math.isinf(near):  # beyond every finite double
        low, high = (LARGEST, math.inf) if n > 0 else (-math.inf, -LARGEST)
    elif int(near) > n:
        high, low = near, math.nextafter(near, -math.inf)
    else:
        low, high = near, math.nextafter(near, math.inf)
    # No double lies strictly between low and high, and n does.
    if op in ("<", "<="):
        return f"({f} <= {d.float_literal(low)})"
    return f"({f} >= {d.float_literal(high)})"


def int_vs_float(d: Dialect, op: str, a: str, f: str) -> str:
    """``a op f`` for a HUGEINT ``a`` and a DOUBLE ``f``, exactly (never via a cast of
    ``a`` to DOUBLE, which rounds). ``f`` is finite or infinite, never NaN."""
    inside = f"(abs({f}) < {TWO_127})"
    # -2**127 is a HUGEINT, not a DECIMAL(38,0)
    lowest = (f"{a} = {d.int_literal(-(2**127))}" if d.int_min == -(2**127) else "FALSE")
    if op in ("==", "!="):
        equal = (f"(CASE WHEN {inside} AND {d.integral(f)} "
                 f"THEN {a} = {d.float_to_int(f)} "
                 f"WHEN {f} = {MINUS_TWO_127} THEN {lowest} "
                 "ELSE FALSE END)")
        return equal if op == "==" else f"(NOT {equal})"
    if op in ("<", ">="):
        # a < f iff a < ceil(f)
        below = (f"(CASE WHEN {f} >= {TWO_127} THEN TRUE WHEN {f} <= {MINUS_TWO_127} "
                 f"THEN FALSE ELSE {a} < {d.float_to_int(f'ceil({f})')} END)")
        return below if op == "<" else f"(NOT {below})"
    # a <= f iff a <= floor(f)
    at_most = (f"(CASE WHEN {f} >= {TWO_127} THEN TRUE WHEN {f} < {MINUS_TWO_127} "
               f"THEN FALSE WHEN {f} = {MINUS_TWO_127} THEN {lowest} "
               f"ELSE {a} <= {d.float_to_int(f'floor({f})')} END)")
    return at_most if op == "<=" else f"(NOT {at_most})"
