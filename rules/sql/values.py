"""How a ladle value is represented in SQL: a compiled ``Value``, and the column types read.

SQL is typed and a ladle value is not, so each value is compiled to one SQL expression
per type it may have at run time: ``bool`` (BOOLEAN), ``int`` (HUGEINT, exact), ``float``
(DOUBLE) and ``str`` (VARCHAR). The one for the value's type is non-NULL and the others
are NULL; all are NULL when the value is nil. A typed column gives one of them (``tag``
VARCHAR is ``{"str": '"tag"'}``); a JSON column gives all four, read from its JSON text
as Python's json reads it. Every value also carries a condition that is TRUE when its
evaluation raised (``err``) and one that is TRUE when SQL cannot follow (``abort``),
both respecting short-circuits (``k != nil && 100 / k > 1`` never divides by nil).

nil is ``("x" IS NULL)``; truthy is "not nil and not false"; nil counts as 0 in
arithmetic: ``COALESCE(CAST("id" AS HUGEINT), 0)``. A comparison that involves a
possibly-NULL side is ``COALESCE(..., FALSE)``, so ``&&``/``||`` never meet NULL.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Final

from ladle.grammar import runtime
from ladle.rules.sql.algebra import FALSE, TRUE, sql_and, sql_not, sql_or

# The column types the compiler reads, by the type of value they hold.
BOOLEAN_TYPES = frozenset({"BOOLEAN", "BOOL", "LOGICAL"})
INTEGER_TYPES = frozenset({
    "TINYINT", "INT1", "SMALLINT", "INT2", "SHORT", "INTEGER", "INT4", "INT", "SIGNED",
    "BIGINT", "INT8", "LONG", "HUGEINT", "INT128", "UTINYINT", "USMALLINT", "UINTEGER",
    "UBIGINT",
})
FLOAT_TYPES = frozenset({"DOUBLE", "FLOAT8"})
STRING_TYPES = frozenset({"VARCHAR", "TEXT", "STRING", "CHAR", "BPCHAR"})
JSON_TYPES = frozenset({"JSON"})
COLUMN_TYPES: Final = (
    BOOLEAN_TYPES | INTEGER_TYPES | FLOAT_TYPES | STRING_TYPES | JSON_TYPES
)

# The slot kinds (merged and computed values keep their slots in this order).
ALL_KINDS = ("bool", "int", "float", "str")
NUMBERS = frozenset({"int", "float"})


class _NoConstant:
    def __repr__(self) -> str:
        return "<no constant>"


_NOCONST: Final = _NoConstant()


@dataclass(frozen=True)
class Seq:
    """A list literal (``items``) or a range (``bounds``: two int values, never nil)."""

    items: tuple[Value, ...] | None = None
    bounds: tuple[Value, Value] | None = None


@dataclass(frozen=True)
class Value:
    """A compiled value. ``slots`` maps each type it may have to an SQL expression that is
    non-NULL exactly when the value has that type; ``nil`` says whether it may be nil.
    ``err``/``abort``: SQL conditions, TRUE when evaluating it raised / SQL cannot follow.
    A list or range is a ``seq``; ``empty`` and ``blank`` are a ``marker``."""

    slots: Mapping[str, str] = field(default_factory=dict)
    nil: bool = False
    err: str = FALSE
    abort: str = FALSE
    const: Any = _NOCONST
    seq: Seq | None = None
    marker: Any = None
    truth: str | None = None  # its truthiness, when known more simply than from the slots
    # An integer column: (its SQL, "unsigned" "signed" or "huge"), for arithmetic in
    # 64 bits where that is exact, which DuckDB runs many times faster than HUGEINT's.
    native: tuple[str, str] | None = None
    nil_test: str | None = None  # TRUE when it is nil, when known more simply

    @property
    def is_const(self) -> bool:
        return self.const is not _NOCONST

    @property
    def scalar(self) -> bool:
        return self.seq is None and self.marker is None

    def kinds(self) -> tuple[str, ...]:
        """The types it may have, nil included."""
        if self.is_const:
            return (kind_of(self.const),)
        if not self.scalar:
            return ("other",)
        return tuple(self.slots) + (("nil",) if self.nil else ())


# The language's type names (``runtime.type_name``) of the kinds a slot holds.
_KINDS = {"nil": "nil", "bool": "bool", "int": "int", "float": "float", "string": "str"}


def kind_of(value: Any) -> str:
    """The slot kind of a constant: ``nil``, ``bool``, ``int``, ``float``, ``str`` or
    ``other``."""
    return _KINDS.get(runtime.type_name(value), "other")


NIL: Final = Value(nil=True, const=None)
ERROR: Final = Value(nil=True, err=TRUE)


def with_failures(value: Value, err: str, abort: str) -> Value:
    if err == value.err and abort == value.abort:
        return value
    return replace(value, err=err, abort=abort)


def chain(steps: Iterable[tuple[str, str]]) -> tuple[str, str]:
    """The (err, abort) of steps run in order, each only when none before failed.

    ``err`` does not exclude an earlier abort: wherever that abort is reached, the
    query fails whatever ``err`` says."""
    err, abort = FALSE, FALSE
    for step_err, step_abort in steps:
        err, abort = sql_or(err, step_err), sql_or(abort, sql_and(sql_not(err), step_abort))
    return err, abort


def failures(*values: Value) -> list[tuple[str, str]]:
    return [(v.err, v.abort) for v in values]
