"""A rule's AST compiled into one SQL expression with ladle's semantics, for the duckdb engine.

    >>> from ladle import grammar
    >>> from ladle.rules.sql import rule_sql
    >>> sql = rule_sql(grammar.parse("tag == 'lossless' && (id % 100) <= 47"),
    ...                {"tag": "VARCHAR", "id": "UBIGINT"})
    >>> sql.error
    'FALSE'

``rule_sql(tree, columns)`` gives the two boolean expressions a router needs, over a
table with one column per record field. ``columns`` maps each field to its SQL type as
DuckDB reads it (``read_json(..., columns={...})``); a name that is not a column is a
missing field, nil.

- ``claim``: TRUE exactly when ladle's evaluation of the rule is truthy, else FALSE;
  never NULL. A record on which the rule raises an ``EvaluationError`` is not claimed.
- ``error``: TRUE exactly when ladle's evaluation raises an ``EvaluationError`` (a type
  mismatch such as ``id % 100`` with a string ``id``, division by zero, ordering between
  different types, a string result over the length limit); never NULL.

``to_sql`` and ``error_sql`` return one of them each. ``infer_columns(records)`` picks
column types that read sampled records faithfully.

Exactness: agree, or make the query fail
----------------------------------------

The SQL gives ladle's answer for every record, or makes the whole query fail; it never
gives a different answer. A caller catches ``duckdb.Error`` and routes with the python
engine instead. The query fails on the few records whose values SQL cannot hold:

- an integer beyond HUGEINT's ±2**127 (ladle's integers go to ±2**256), through
  DuckDB's own overflow error: ``id * id`` on ids near 2**64, ``-id`` on -2**127;
- through ``error(ABORT_MESSAGE)`` (the only DuckDB function here without a standard
  equivalent; Spark calls it ``raise_error``): a JSON-typed field holding a list, an
  object or an integer beyond ±2**127; ``lower()``/``upper()`` of a string holding one of
  the characters whose Python case mapping is longer than one character or depends on
  context (``ß``, ``İ``, ``ǰ``, capital sigma ...); a float range bound of 2**127 or more.

DuckDB may compute the truthy side of a claim on a record where ladle has already raised
an error (see ``rule_sql``); that can only add such overflow failures, never change an
answer.

Constructs SQL cannot express raise ``SqlUnsupported`` at compile time (a
``grammar.ExpressionError`` with ``.message`` and ``.position``), so the caller can use
the python engine: filter pipelines; functions other than ``slot min max abs len lower
upper startswith endswith`` (``round``, ``str``, host functions ...); a variable looked
up by a computed name (``[tag]``); ranges with computed bounds outside ``contains``/
``in``/``len``/``min``/``max``; lists, ranges, ``empty`` or ``blank`` chosen at run time
(``x ? (1, 2) : y``); integer literals beyond ±2**127 used in arithmetic or chosen at
run time; strings with lone surrogates; columns of types outside ``COLUMN_TYPES``;
field names differing only in case (SQL identifiers do not tell them apart); and rules
whose SQL would exceed ``MAX_SQL_LENGTH`` (a many-argument ``min``/``max`` of mixed
types over JSON columns, for instance).

How ladle values are represented
--------------------------------

SQL is typed and a ladle value is not, so each value is compiled to one SQL expression
per type it may have at run time: ``bool`` (BOOLEAN), ``int`` (HUGEINT, exact), ``float``
(DOUBLE) and ``str`` (VARCHAR). The one for the value's type is non-NULL and the others
are NULL; all are NULL when the value is nil. A typed column gives one of them (``tag``
VARCHAR is ``{"str": '"tag"'}``); a JSON column gives all four, read from its JSON text
as Python's json reads it. Every value also carries a condition that is TRUE when its
evaluation raised (``err``) and one that is TRUE when SQL cannot follow (``abort``),
both respecting short-circuits (``k != nil && 100 / k > 1`` never divides by nil).

The shapes of the tricky parts:

- nil: ``("x" IS NULL)``; truthy is "not nil and not false"; nil counts as 0 in
  arithmetic: ``COALESCE(CAST("id" AS HUGEINT), 0)``. A comparison that involves a
  possibly-NULL side is ``COALESCE(..., FALSE)``, so ``&&``/``||`` never meet NULL.
- ``%`` takes the sign of the divisor: for a constant ``n``,
  ``(((a % n) + n) % n)``; otherwise ``CASE WHEN r <> 0 AND ((r < 0) <> (b < 0)) THEN
  r + b ELSE r END`` with ``r = a % NULLIF(b, 0)``. On a BIGINT or UBIGINT column it is
  computed in 64 bits (exact there, and many times faster than HUGEINT); a HUGEINT
  column takes that path for values in [0, 2**64). ``/`` on integers floors with the same
  sign correction. A zero divisor is an ``err``; ``NULLIF`` keeps DuckDB from raising.
- ``slot(key, n)``: ``CAST((CAST(('0x' || substr(md5(text), 1, 16)) AS UBIGINT) %
  CAST(n AS UBIGINT)) AS HUGEINT)``, ``text`` being the string key or
  ``CAST(key AS VARCHAR)`` (plain decimal digits, Python's ``str``) — the definition of
  ``grammar.slot``, digit for digit.
- errors: ``claim`` is ``COALESCE(truthy, FALSE) AND NOT error`` with ``error`` the
  ``err`` condition; where ``abort`` can hold, both are wrapped in
  ``CASE WHEN abort THEN error(...) ELSE ... END``.
- integers meet floats exactly, as in Python: an integer becomes a float through its
  decimal text (DuckDB's HUGEINT to DOUBLE cast does not round correctly), and an integer
  is compared with a float's floor or ceiling (``i < f`` is ``i < CAST(ceil(f) AS
  HUGEINT)``), never by converting the integer. Float results must be finite.

Otherwise the SQL is CASE, COALESCE, NULLIF, CAST, POSITION, BETWEEN and the standard
operators; the DuckDB-specific parts are ``//``, ``md5``, ``starts_with``, ``ends_with``,
``regexp_matches``, ``json_type``, ``json_extract_string``, ``TRY_CAST`` and ``error``.
String literals double their quotes and identifiers their double quotes; nothing from
a rule or a field name reaches the SQL otherwise.
"""

from __future__ import annotations

import functools
import hashlib
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, Final

from ladle.grammar import operators, runtime
from ladle.grammar.errors import EvaluationError, ExpressionError
from ladle.grammar.functions import BUILTINS
from ladle.grammar.nodes import (
    BLANK,
    EMPTY,
    Binary,
    Call,
    Conditional,
    ListLiteral,
    Literal,
    Logical,
    Member,
    Name,
    Node,
    Pipeline,
    RangeLiteral,
    RootIndex,
    Unary,
)
from ladle.grammar.nodes import Index as IndexNode
from ladle.grammar.runtime import DEFAULT_MAX_LENGTH

__all__ = [
    "ABORT_MESSAGE",
    "COLUMN_TYPES",
    "MAX_SQL_LENGTH",
    "RuleSql",
    "SqlUnsupported",
    "error_sql",
    "infer_columns",
    "quote_identifier",
    "quote_string",
    "rule_sql",
    "to_sql",
]

ABORT_MESSAGE: Final = (
    "ladle: a record holds a value that the SQL form of a rule cannot evaluate exactly; "
    "route this catalog with the python engine"
)
# The SQL text of one rule may not grow beyond this (merged branches repeat their parts).
MAX_SQL_LENGTH: Final = 200_000

_INT_MIN: Final = -(2**127)
_INT_MAX: Final = 2**127 - 1
_TWO_127: Final = "CAST('1.7014118346046923e+38' AS DOUBLE)"  # 2**127, exact
_MINUS_TWO_127: Final = "CAST('-1.7014118346046923e+38' AS DOUBLE)"
_TWO_256: Final = "CAST('1.157920892373162e+77' AS DOUBLE)"  # 2**256, exact
_MAX_DOUBLE: Final = "CAST('1.7976931348623157e+308' AS DOUBLE)"
_LARGEST: Final = 1.7976931348623157e308

_BOOLEAN_TYPES = frozenset({"BOOLEAN", "BOOL", "LOGICAL"})
_INTEGER_TYPES = frozenset({
    "TINYINT", "INT1", "SMALLINT", "INT2", "SHORT", "INTEGER", "INT4", "INT", "SIGNED",
    "BIGINT", "INT8", "LONG", "HUGEINT", "INT128", "UTINYINT", "USMALLINT", "UINTEGER",
    "UBIGINT",
})
_FLOAT_TYPES = frozenset({"DOUBLE", "FLOAT8"})
_STRING_TYPES = frozenset({"VARCHAR", "TEXT", "STRING", "CHAR", "BPCHAR"})
_JSON_TYPES = frozenset({"JSON"})
COLUMN_TYPES: Final = (
    _BOOLEAN_TYPES | _INTEGER_TYPES | _FLOAT_TYPES | _STRING_TYPES | _JSON_TYPES
)

TRUE: Final = "TRUE"
FALSE: Final = "FALSE"
NULL: Final = "NULL"

_ALL_KINDS = ("bool", "int", "float", "str")
_NUMBERS = frozenset({"int", "float"})


class SqlUnsupported(ExpressionError):
    """The rule uses something SQL cannot reproduce exactly: evaluate it with python.

    ``message`` says what, ``position`` is the offset of that part in the rule's source.
    """


@dataclass(frozen=True)
class RuleSql:
    """The SQL of one rule: ``claim`` and ``error`` are boolean SQL expressions, never
    NULL; ``abort`` is the condition under which both make the query fail."""

    claim: str
    error: str
    abort: str


# -- quoting ----------------------------------------------------------------------


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


def _int_literal(value: int) -> str:
    return f"CAST({value} AS HUGEINT)"


def _float_literal(value: float) -> str:
    return f"CAST('{value!r}' AS DOUBLE)"


# -- boolean SQL with constant folding ---------------------------------------------


def _and(*parts: str) -> str:
    items: list[str] = []
    for part in parts:
        if part == FALSE:
            return FALSE
        if part != TRUE and part not in items:
            items.append(part)
    if not items:
        return TRUE
    return items[0] if len(items) == 1 else "(" + " AND ".join(items) + ")"


def _or(*parts: str) -> str:
    items: list[str] = []
    for part in parts:
        if part == TRUE:
            return TRUE
        if part != FALSE and part not in items:
            items.append(part)
    if not items:
        return FALSE
    return items[0] if len(items) == 1 else "(" + " OR ".join(items) + ")"


def _not(part: str) -> str:
    if part == TRUE:
        return FALSE
    if part == FALSE:
        return TRUE
    if part.startswith("(NOT ") and _closes_at_end(part, 0):
        return part[5:-1]
    return f"(NOT {part})"


def _ite(test: str, then: str, otherwise: str) -> str:
    """``CASE WHEN test THEN then ELSE otherwise END``, simplified."""
    if test == TRUE or then == otherwise:
        return then
    if test == FALSE:
        return otherwise
    if otherwise == NULL:
        return f"(CASE WHEN {test} THEN {then} END)"
    return f"(CASE WHEN {test} THEN {then} ELSE {otherwise} END)"


def _ite_cond(test: str, then: str, otherwise: str) -> str:
    """A condition chosen by ``test`` (all three are non-NULL where it matters)."""
    if otherwise == FALSE:
        return _and(test, then)
    if then == TRUE:
        return _or(test, otherwise)
    return _ite(test, then, otherwise)


def _safe(condition: str) -> str:
    """``condition`` with NULL read as FALSE."""
    if condition in (TRUE, FALSE) or _is_safe(condition):
        return condition
    return f"COALESCE({condition}, FALSE)"


def _is_safe(condition: str) -> bool:
    """Whether ``condition`` is one ``COALESCE(..., FALSE)`` as a whole."""
    return (condition.startswith("COALESCE(") and condition.endswith(", FALSE)")
            and _closes_at_end(condition, len("COALESCE")))


def _closes_at_end(sql: str, opening: int) -> bool:
    """Whether the parenthesis at ``opening`` closes at the last character of ``sql``."""
    depth = 0
    quote = ""
    for position in range(opening, len(sql)):
        ch = sql[position]
        if quote:
            if ch == quote:
                quote = ""  # a doubled quote closes and reopens: the same for nesting
        elif ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return position == len(sql) - 1
    return False


# -- values -------------------------------------------------------------------------


class _NoConstant:
    def __repr__(self) -> str:
        return "<no constant>"


_NOCONST: Final = _NoConstant()


@dataclass(frozen=True)
class _Seq:
    """A list literal (``items``) or a range (``bounds``: two int values, never nil)."""

    items: tuple[_Val, ...] | None = None
    bounds: tuple[_Val, _Val] | None = None


@dataclass(frozen=True)
class _Val:
    """A compiled value. ``slots`` maps each type it may have to an SQL expression that is
    non-NULL exactly when the value has that type; ``nil`` says whether it may be nil.
    ``err``/``abort``: SQL conditions, TRUE when evaluating it raised / SQL cannot follow.
    A list or range is a ``seq``; ``empty`` and ``blank`` are a ``marker``."""

    slots: Mapping[str, str] = field(default_factory=dict)
    nil: bool = False
    err: str = FALSE
    abort: str = FALSE
    const: Any = _NOCONST
    seq: _Seq | None = None
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
            return (_kind_of(self.const),)
        if not self.scalar:
            return ("other",)
        return tuple(self.slots) + (("nil",) if self.nil else ())


def _kind_of(value: Any) -> str:
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "str"
    return "other"


_NIL: Final = _Val(nil=True, const=None)
_ERROR: Final = _Val(nil=True, err=TRUE)


def _with_failures(value: _Val, err: str, abort: str) -> _Val:
    if err == value.err and abort == value.abort:
        return value
    return replace(value, err=err, abort=abort)


def _chain(steps: Iterable[tuple[str, str]]) -> tuple[str, str]:
    """The (err, abort) of steps run in order, each only when none before failed.

    ``err`` does not exclude an earlier abort: wherever that abort is reached, the
    query fails whatever ``err`` says."""
    err, abort = FALSE, FALSE
    for step_err, step_abort in steps:
        err, abort = _or(err, step_err), _or(abort, _and(_not(err), step_abort))
    return err, abort


def _failures(*values: _Val) -> list[tuple[str, str]]:
    return [(v.err, v.abort) for v in values]


# -- the compiler -----------------------------------------------------------------


# Each operator's lowering, as grammar/operators.py names it; an operator without one
# is SqlUnsupported (the rule goes to the python engine).
_LOWERING: Mapping[str, str | None] = MappingProxyType(
    {op.symbol: op.sql for op in operators.BINARY})
_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
_PY_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "<": lambda a, b: bool(a < b),
    "<=": lambda a, b: bool(a <= b),
    ">": lambda a, b: bool(a > b),
    ">=": lambda a, b: bool(a >= b),
    "==": lambda a, b: bool(a == b),
    "!=": lambda a, b: bool(a != b),
}
_SUPPORTED_FUNCTIONS = frozenset(
    {"slot", "min", "max", "abs", "len", "lower", "upper", "startswith", "endswith"}
)


class _Compiler:
    def __init__(self, columns: Mapping[str, str], source: str, max_length: int) -> None:
        self.columns = dict(columns)
        self.source = source
        self.max_length = max_length
        self.folded: dict[str, int] = {}
        for name in self.columns:
            self.folded[name.casefold()] = self.folded.get(name.casefold(), 0) + 1

    def unsupported(self, message: str, node: Node) -> SqlUnsupported:
        return SqlUnsupported(f"{message}: use the python engine", self.source, node.span[0])

    # -- constants and slots ------------------------------------------------------

    def constant(self, value: Any, node: Node) -> _Val:
        if value is None:
            return _NIL
        if isinstance(value, bool):
            return _Val({"bool": TRUE if value else FALSE}, const=value)
        if isinstance(value, int):
            if _INT_MIN <= value <= _INT_MAX:
                return _Val({"int": _int_literal(value)}, const=value)
            return _Val({}, const=value)  # compared by sign; arithmetic is unsupported
        if isinstance(value, float):
            return _Val({"float": _float_literal(value)}, const=value)
        if isinstance(value, str):
            try:
                literal = quote_string(value)
            except SqlUnsupported as error:
                raise self.unsupported(error.message, node) from None
            return _Val({"str": literal}, const=value)
        if isinstance(value, (tuple, list)):
            if len(value) > 10_000:
                raise self.unsupported("a list this long is too large for SQL", node)
            items = tuple(self.constant(item, node) for item in value)
            return _Val(seq=_Seq(items=items), const=tuple(value))
        if isinstance(value, range):
            bounds = (self.constant(value.start, node), self.constant(value.stop - 1, node))
            return _Val(seq=_Seq(bounds=bounds), const=value)
        if value is EMPTY or value is BLANK:
            return _Val(marker=value, const=value)
        raise self.unsupported(f"the value {value!r} has no SQL form", node)

    def slot(self, value: _Val, kind: str, node: Node) -> str:
        """The SQL of ``value`` as ``kind`` (NULL when it cannot be that kind)."""
        if value.is_const and _kind_of(value.const) == kind == "int" and not (
            _INT_MIN <= value.const <= _INT_MAX
        ):
            raise self.unsupported("an integer beyond ±2**127 cannot be computed with in SQL",
                                   node)
        return value.slots.get(kind, NULL)

    # -- predicates on values -------------------------------------------------------

    @staticmethod
    def has(value: _Val, kind: str) -> str:
        """TRUE when ``value`` is of ``kind`` (one of the slot kinds, or "nil")."""
        if value.is_const:
            return TRUE if _kind_of(value.const) == kind else FALSE
        if not value.scalar:
            return FALSE
        if kind == "nil":
            if not value.nil:
                return FALSE
            if value.nil_test is not None:
                return value.nil_test
            return _and(*(f"({sql} IS NULL)" for sql in value.slots.values()))
        if kind not in value.slots:
            return FALSE
        if len(value.slots) == 1 and not value.nil:
            return TRUE
        return f"({value.slots[kind]} IS NOT NULL)"

    def outside(self, value: _Val, allowed: Iterable[str]) -> str:
        """TRUE when ``value``'s type is not among ``allowed`` (kinds, "nil")."""
        allowed = frozenset(allowed)
        return _or(*(TRUE if kind == "other" else self.has(value, kind)
                     for kind in value.kinds() if kind not in allowed))

    def truthy(self, value: _Val) -> str:
        if value.is_const:
            return TRUE if runtime.truthy(value.const) else FALSE
        if not value.scalar:
            return TRUE
        if value.truth is not None:
            return value.truth
        parts = [self.has(value, kind) for kind in value.slots if kind != "bool"]
        if "bool" in value.slots:
            flag = value.slots["bool"]
            parts.append(flag if self.has(value, "bool") == TRUE else _safe(flag))
        return _or(*parts)

    def certain(self, value: _Val, kind: str) -> bool:
        """Whether ``value`` surely is of ``kind`` (when it did not fail)."""
        return self.has(value, kind) == TRUE

    # -- nodes ------------------------------------------------------------------------

    def value(self, node: Node) -> _Val:
        result = self.compile(node)
        for text in (*result.slots.values(), result.err, result.abort):
            if len(text) > MAX_SQL_LENGTH:
                raise self.unsupported("the rule is too complex for SQL", node)
        return result

    def compile(self, node: Node) -> _Val:
        match node:
            case Literal(value=value):
                return self.constant(value, node)
            case Name(name=name):
                return self.column(name, node)
            case RootIndex(key=Literal(kind="string", value=str() as name)):
                return self.column(name, node)
            case RootIndex(key=Literal()):
                return _NIL
            case RootIndex():
                raise self.unsupported("a variable looked up by a computed name", node)
            case Member(target=target, name=name):
                return self.member(node, self.value(target), name)
            case IndexNode(target=target, key=key):
                return self.index(node, target, key)
            case Unary(op="-", operand=operand):
                return self.negate(node, self.value(operand))
            case Unary(operand=operand):
                inner = self.value(operand)
                if inner.is_const:
                    result = self.constant(not runtime.truthy(inner.const), node)
                    return self.after(result, inner)
                result = _Val({"bool": _not(self.truthy(inner))})
                return _with_failures(result, inner.err, inner.abort)
            case Binary(op=op, left=left, right=right):
                return self.binary(node, op, self.value(left), self.value(right))
            case Logical(op=op, left=left, right=right):
                return self.logical(node, op in ("&&", "and"), left, right)
            case Conditional(test=test, then=then, otherwise=otherwise):
                return self.conditional(node, test, then, otherwise)
            case RangeLiteral(start=start, stop=stop):
                return self.range(node, self.value(start), self.value(stop))
            case ListLiteral(items=items):
                values = tuple(self.value(item) for item in items)
                if all(v.is_const for v in values):
                    return self.after(self.constant(tuple(v.const for v in values), node),
                                      *values)
                err, abort = _chain(_failures(*values))
                return _Val(seq=_Seq(items=values), err=err, abort=abort)
            case Call():
                return self.call(node)
            case Pipeline():
                raise self.unsupported("filters ('|') have no SQL form", node)
        raise self.unsupported(f"{type(node).__name__} has no SQL form", node)

    def column(self, name: str, node: Node) -> _Val:
        sql_type = self.columns.get(name)
        if sql_type is None:
            return _NIL
        if self.folded.get(name.casefold(), 0) > 1:
            raise self.unsupported(f"the fields named {name!r} differ only in case, which "
                                   "SQL identifiers do not tell apart", node)
        kind = sql_type.strip().upper()
        try:
            column = quote_identifier(name)
        except SqlUnsupported as error:
            raise self.unsupported(error.message, node) from None
        if kind in _BOOLEAN_TYPES:
            return _Val({"bool": column}, nil=True)
        if kind in _INTEGER_TYPES:
            if kind in ("HUGEINT", "INT128"):
                return _Val({"int": column}, nil=True, native=(column, "huge"),
                            nil_test=f"({column} IS NULL)")
            return _Val({"int": f"CAST({column} AS HUGEINT)"}, nil=True,
                        native=(column, "unsigned" if kind.startswith("U") else "signed"),
                        nil_test=f"({column} IS NULL)")
        if kind in _FLOAT_TYPES:
            return _Val({"float": column}, nil=True)
        if kind in _STRING_TYPES:
            return _Val({"str": column}, nil=True)
        if kind in _JSON_TYPES:
            return self.json_column(column)
        raise self.unsupported(f"the field {name!r} has the SQL type {sql_type}, which the "
                               "SQL engine does not read exactly", node)

    @staticmethod
    def json_column(column: str) -> _Val:
        """A JSON column, read from its JSON text as Python's json reads it: a number is an
        integer when its text has no '.', 'e' or 'E'. Lists, objects and integers beyond
        HUGEINT abort."""
        text = f"CAST({column} AS VARCHAR)"
        kind = f"json_type({column})"
        fraction = f"regexp_matches({text}, '[.eE]')"
        slots = {
            "bool": f"(CASE {text} WHEN 'true' THEN TRUE WHEN 'false' THEN FALSE END)",
            # TRY_CAST would round '1.5': only texts without '.', 'e', 'E' and '"' are
            # integers (or null, true, false, lists and objects, which it makes NULL).
            "int": (f"TRY_CAST((CASE WHEN NOT regexp_matches({text}, '[.eE\"]') "
                    f"THEN {text} END) AS HUGEINT)"),
            "float": (f"(CASE WHEN {kind} = 'DOUBLE' AND {fraction} "
                      f"THEN CAST({text} AS DOUBLE) END)"),
            "str": f"(CASE WHEN {kind} = 'VARCHAR' THEN json_extract_string({column}, '$') END)",
        }
        abort = _safe(f"({kind} IN ('ARRAY', 'OBJECT') OR ({kind} IN ('BIGINT', 'UBIGINT', "
                      f"'DOUBLE') AND NOT {fraction} AND TRY_CAST({text} AS HUGEINT) IS NULL))")
        nil_test = f"(COALESCE({text}, 'null') = 'null')"
        truth = f"(COALESCE({text}, 'null') NOT IN ('null', 'false'))"
        return _Val(slots, nil=True, abort=abort, truth=truth, nil_test=nil_test)

    # -- logic ------------------------------------------------------------------------

    def merge(self, test: str, then: _Val, otherwise: _Val, node: Node) -> _Val:
        """The value ``then`` where ``test`` holds, else ``otherwise`` (failures not set)."""
        if test == TRUE:
            return replace(then, err=FALSE, abort=FALSE)
        if test == FALSE:
            return replace(otherwise, err=FALSE, abort=FALSE)
        if not then.scalar or not otherwise.scalar:
            raise self.unsupported("a list, range, empty or blank chosen at run time", node)
        # kinds(), not slots: an integer constant beyond ±2**127 has no slot (and refuses)
        kinds = [k for k in _ALL_KINDS if k in then.kinds() or k in otherwise.kinds()]
        slots = {k: _ite(test, self.slot(then, k, node), self.slot(otherwise, k, node))
                 for k in kinds}
        truth = _ite_cond(test, self.truthy(then), self.truthy(otherwise))
        return _Val(slots, nil=then.nil or otherwise.nil, truth=truth)

    def logical(self, node: Node, is_and: bool, left_node: Node, right_node: Node) -> _Val:
        left = self.value(left_node)
        test = self.truthy(left)
        if test == (FALSE if is_and else TRUE):
            return left  # decided: the right side is never evaluated
        right = self.value(right_node)
        if test == (TRUE if is_and else FALSE):
            err, abort = _chain(_failures(left, right))
            return _with_failures(right, err, abort)
        runs = test if is_and else _not(test)
        err, abort = _chain([(left.err, left.abort),
                             (_and(runs, right.err), _and(runs, right.abort))])
        if self.only_bool(left) and self.only_bool(right):
            combine = _and if is_and else _or
            result = _Val({"bool": combine(left.slots["bool"], right.slots["bool"])})
        elif is_and:
            # Where the left side is falsy it is the result: nil, or false.
            falsy = _Val({"bool": left.slots["bool"]} if "bool" in left.slots else {},
                         nil=left.nil, truth=FALSE)
            result = self.merge(test, right, falsy, node)
            result = replace(result, truth=_and(test, self.truthy(right)))
        else:
            result = self.merge(test, left, right, node)
            result = replace(result, nil=right.nil, truth=_or(test, self.truthy(right)))
        return _with_failures(result, err, abort)

    def only_bool(self, value: _Val) -> bool:
        return not value.is_const and value.scalar and self.certain(value, "bool")

    def conditional(self, node: Node, test_node: Node, then_node: Node,
                    otherwise_node: Node) -> _Val:
        test_value = self.value(test_node)
        test = self.truthy(test_value)
        if test in (TRUE, FALSE):
            branch = self.value(then_node if test == TRUE else otherwise_node)
            err, abort = _chain(_failures(test_value, branch))
            return _with_failures(branch, err, abort)
        then = self.value(then_node)
        otherwise = self.value(otherwise_node)
        result = self.merge(test, then, otherwise, node)
        err, abort = _chain([(test_value.err, test_value.abort),
                             (_ite_cond(test, then.err, otherwise.err),
                              _ite_cond(test, then.abort, otherwise.abort))])
        return _with_failures(result, err, abort)

    # -- binary operators -------------------------------------------------------------------

    def binary(self, node: Binary, op: str, left: _Val, right: _Val) -> _Val:
        if op == "in":
            container, item = right, left
        elif op == "contains":
            container, item = left, right
        else:
            container = item = _NIL
        if left.is_const and right.is_const:
            folded = self.fold(node, op, left.const, right.const)
            if folded is not None:
                return self.after(folded, left, right)
        steps = _failures(left, right)
        lowering = _LOWERING.get(op)
        if lowering == "contains":
            condition, err, abort = self.contains(node, container, item)
            result = _Val({"bool": condition})
        elif lowering == "equality":
            condition = self.equal(left, right, node)
            result = _Val({"bool": condition if op == "==" else _not(condition)})
            err = abort = FALSE
        elif lowering == "order":
            condition, err = self.order(op, left, right, node)
            result = _Val({"bool": condition})
            abort = FALSE
        elif lowering == "arithmetic":
            result, err, abort = self.arithmetic(node, op, left, right)
        else:
            raise self.unsupported(f"the operator {op!r} has no SQL form", node)
        err, abort = _chain([*steps, (err, abort)])
        return _with_failures(result, err, abort)

    def fold(self, node: Node, op: str, left: Any, right: Any) -> _Val | None:
        row = operators.OPERATORS[op]
        assert row.function is not None  # the logical operators never come here
        extra = (self.max_length,) if row.takes_max_length else ()
        function = row.function
        return self.fold_call(node, lambda a, b: function(a, b, *extra), left, right)

    @staticmethod
    def after(result: _Val, *operands: _Val) -> _Val:
        """``result`` computed from ``operands``: it fails where they do first.

        A constant may carry failures (``min((1..k))`` is 1 unless the range is empty),
        so folding keeps its operands' ``err`` and ``abort``."""
        err, abort = _chain([*_failures(*operands), (result.err, result.abort)])
        return _with_failures(result, err, abort)

    def fold_call(self, node: Node, function: Callable[..., Any], *args: Any) -> _Val | None:
        try:
            result = function(*args)
        except EvaluationError:
            return _ERROR
        except (ArithmeticError, ValueError, TypeError):
            return _ERROR  # wrapped into an EvaluationError by the python engine
        if isinstance(result, range) and result.step != 1:
            return None
        return self.constant(result, node)

    # -- equality ------------------------------------------------------------------------

    def equal(self, left: _Val, right: _Val, node: Node) -> str:
        """ladle's ``==`` as a condition (for values that did not fail)."""
        if left.is_const and right.is_const:
            return TRUE if runtime.equals(left.const, right.const) else FALSE
        if left.marker is not None or right.marker is not None:
            if left.marker is not None and right.marker is not None:
                return TRUE if left.marker is right.marker else FALSE
            marker, other = (left, right) if left.marker is not None else (right, left)
            return self.marker_equal(marker.marker, other, node)
        if left.seq is not None or right.seq is not None:
            if left.seq is None or right.seq is None:
                return FALSE  # a list never equals a scalar
            a, b = left.seq.items, right.seq.items
            if a is None or b is None:
                raise self.unsupported("comparing ranges with computed bounds", node)
            if len(a) != len(b):
                return FALSE
            return _and(*(self.equal(x, y, node) for x, y in zip(a, b, strict=True)))
        parts = [_and(self.has(left, "nil"), self.has(right, "nil"))]
        for a_kind in left.kinds():
            for b_kind in right.kinds():
                if a_kind == "nil" or b_kind == "nil":
                    continue
                if a_kind == b_kind or {a_kind, b_kind} == _NUMBERS:
                    parts.append(self.compare_kinds("==", left, a_kind, right, b_kind, node))
        return _or(*parts)

    def marker_equal(self, marker: Any, other: _Val, node: Node) -> str:
        if other.seq is not None:
            if other.seq.items is None:
                raise self.unsupported("comparing a range with computed bounds", node)
            return TRUE if not other.seq.items else FALSE
        text = self.slot(other, "str", node)
        empty = _and(self.has(other, "str"), _safe(f"(length({text}) = 0)"))
        if marker is EMPTY:
            return empty
        blank = _safe(f"regexp_matches({text}, {quote_string(_blank_pattern())})")
        false = _and(self.has(other, "bool"), _safe(f"(NOT {self.slot(other, 'bool', node)})"))
        return _or(self.has(other, "nil"), false, _and(self.has(other, "str"), blank))

    # -- ordering and numeric comparison --------------------------------------------------

    def order(self, op: str, left: _Val, right: _Val, node: Node) -> tuple[str, str]:
        """(condition, err) of ``left op right`` for < <= > >=."""
        numbers = _and(_not(self.outside(left, _NUMBERS)), _not(self.outside(right, _NUMBERS)))
        strings = _and(self.has(left, "str"), self.has(right, "str"))
        err = _not(_or(numbers, strings))
        parts = []
        for a_kind in left.kinds():
            for b_kind in right.kinds():
                if (a_kind in _NUMBERS and b_kind in _NUMBERS) or a_kind == b_kind == "str":
                    parts.append(self.compare_kinds(op, left, a_kind, right, b_kind, node))
        return _or(*parts), err

    def compare_kinds(self, op: str, left: _Val, a_kind: str, right: _Val, b_kind: str,
                      node: Node) -> str:
        """``left op right`` where left is of ``a_kind`` and right of ``b_kind`` (FALSE
        when they are not), for two numbers, two strings or two booleans."""
        guard = _and(self.has(left, a_kind), self.has(right, b_kind))
        if guard == FALSE:
            return FALSE
        if left.is_const and right.is_const:
            return TRUE if _PY_ORDER[op](left.const, right.const) else FALSE
        if left.is_const:
            return self.compare_kinds(_FLIP[op], right, b_kind, left, a_kind, node)
        a = self.slot(left, a_kind, node)
        # A plain comparison is NULL when either side is; the others need the guard.
        plain = True
        if a_kind == "int" and b_kind == "float":
            if right.is_const:
                condition = _int_vs_float_const(op, a, right.const)
            else:
                condition = _int_vs_float(op, a, self.slot(right, "float", node))
                plain = False
        elif a_kind == "float" and b_kind == "int":
            if right.is_const:
                condition = _float_vs_int_const(op, a, right.const)
            else:
                condition = _int_vs_float(_FLIP[op], self.slot(right, "int", node), a)
                plain = False
        elif a_kind == "int" and right.is_const:
            condition = _int_vs_int_const(op, a, right.const)
        else:
            condition = f"({a} {_sql_op(op)} {self.slot(right, b_kind, node)})"
        if guard == TRUE:
            return condition
        if plain and condition not in (TRUE, FALSE):
            return _safe(condition)
        return _safe(_and(guard, condition))

    # -- contains ------------------------------------------------------------------------

    def contains(self, node: Node, container: _Val, item: _Val) -> tuple[str, str, str]:
        """(condition, err, abort) of ``container contains item``."""
        if container.seq is not None and container.seq.items is not None:
            return self.in_list(container.seq.items, item, node), FALSE, FALSE
        if container.seq is not None and container.seq.bounds is not None:
            return self.in_range(container.seq.bounds, item, node), FALSE, FALSE
        if container.marker is not None:
            return FALSE, TRUE, FALSE
        err = _or(self.has(container, "int"), self.has(container, "float"),
                  self.has(container, "bool"))
        text = self.slot(container, "str", node)
        if text == NULL:
            return FALSE, err, FALSE
        parts = []
        for kind in item.kinds():
            if kind not in ("str", "int", "float"):
                continue  # nil, booleans, lists, empty and blank are in no string
            if item.is_const:
                needle = quote_string(item.const if kind == "str" else repr(item.const)
                                      if kind == "float" else str(item.const))
            else:
                needle = self.slot(item, kind, node)
                needle = needle if kind == "str" else f"CAST({needle} AS VARCHAR)"
            found = f"(POSITION({needle} IN {text}) > 0)"
            certain = self.certain(container, "str") and self.certain(item, kind)
            parts.append(found if certain else _safe(found))
        return _or(*parts), err, FALSE

    def in_list(self, items: tuple[_Val, ...], item: _Val, node: Node) -> str:
        for kind in ("str", "int"):
            if item.scalar and not item.is_const and set(item.slots) == {kind} and items and all(
                v.is_const and _kind_of(v.const) == kind for v in items
            ) and all(kind == "str" or _INT_MIN <= v.const <= _INT_MAX for v in items):
                listed = ", ".join(self.slot(v, kind, node) for v in items)
                found = f"({item.slots[kind]} IN ({listed}))"
                return found if not item.nil else _safe(found)
        return _or(*(self.equal(element, item, node) for element in items))

    def in_range(self, bounds: tuple[_Val, _Val], item: _Val, node: Node) -> str:
        start, stop = bounds
        parts = []
        for kind in item.kinds():
            if kind not in _NUMBERS:
                continue
            if kind == "int" and not item.is_const and all(
                b.is_const and _INT_MIN <= b.const <= _INT_MAX for b in bounds
            ):
                # one reference to the item (slot(id, 1024) in (0..490) hashes once)
                inside = (f"({item.slots['int']} BETWEEN {self.slot(start, 'int', node)} "
                          f"AND {self.slot(stop, 'int', node)})")
                parts.append(inside if self.certain(item, "int") else _safe(inside))
                continue
            low = self.compare_kinds(">=", item, kind, start, "int", node)
            high = self.compare_kinds("<=", item, kind, stop, "int", node)
            inside = _and(low, high)
            if kind == "float":
                if item.is_const:
                    integral = TRUE if item.const.is_integer() else FALSE
                else:
                    value = self.slot(item, "float", node)
                    integral = _safe(f"(floor({value}) = {value})")
                inside = _and(integral, inside)
            parts.append(inside)
        return _or(*parts)

    # -- arithmetic ----------------------------------------------------------------------

    def numeric(self, value: _Val, node: Node) -> tuple[str, str]:
        """(int SQL, float SQL) of ``value`` as an arithmetic operand: nil counts as 0."""
        if value.is_const:
            kind = _kind_of(value.const)
            if kind == "nil":
                return _int_literal(0), NULL
            if kind == "int":
                return self.slot(value, "int", node), NULL
            if kind == "float":
                return NULL, self.slot(value, "float", node)
            return NULL, NULL
        if not value.scalar:
            return NULL, NULL
        integer = value.slots.get("int", NULL)
        if value.nil:
            if set(value.slots) <= {"int"}:
                integer = _int_literal(0) if integer == NULL else f"COALESCE({integer}, 0)"
            else:
                integer = _ite(self.has(value, "nil"), _int_literal(0), integer)
        return integer, value.slots.get("float", NULL)

    def as_float(self, value: _Val, integer: str, floating: str, node: Node) -> str:
        """The operand as a DOUBLE, as Python converts an int (correctly rounded)."""
        if value.is_const and isinstance(value.const, int) and not isinstance(value.const,
                                                                               bool):
            try:
                converted = _float_literal(float(value.const))
            except OverflowError:
                raise self.unsupported("an integer too large for a float", node) from None
        elif integer == NULL:
            return floating
        else:
            converted = f"CAST(CAST({integer} AS VARCHAR) AS DOUBLE)"
        return converted if floating == NULL else f"COALESCE({floating}, {converted})"

    def arithmetic(self, node: Node, op: str, left: _Val, right: _Val) -> tuple[_Val, str, str]:
        numbers = _and(_not(self.outside(left, {"nil", "int", "float"})),
                       _not(self.outside(right, {"nil", "int", "float"})))
        slots: dict[str, str] = {}
        if op == "+" and (left.seq is not None or right.seq is not None):
            if left.seq is None or right.seq is None:
                return _ERROR, TRUE, FALSE
            if left.seq.items is None or right.seq.items is None:
                raise self.unsupported("joining ranges with computed bounds", node)
            items = left.seq.items + right.seq.items
            if len(items) > self.max_length:
                return _ERROR, TRUE, FALSE
            return _Val(seq=_Seq(items=items)), FALSE, FALSE
        strings = FALSE
        err_extra = FALSE
        if op == "+":
            strings = _and(self.has(left, "str"), self.has(right, "str"))
            if strings != FALSE:
                a, b = self.slot(left, "str", node), self.slot(right, "str", node)
                slots["str"] = f"({a} || {b})"
                err_extra = _safe(f"(length({a}) + length({b}) > {self.max_length})")
        err = _or(_not(_or(numbers, strings)), err_extra)
        if numbers == FALSE:
            return _Val(slots), err, FALSE
        ai, af = self.numeric(left, node)
        bi, bf = self.numeric(right, node)
        divisor: str = NULL
        constant_divisor: int | None = None
        if op in "/%":
            if right.is_const:
                if right.const in (0, None):
                    # always an error; and no SQL may divide by a literal zero (DuckDB
                    # raises on it, even where the error is decided first)
                    return _Val({}), TRUE, FALSE
                zero = FALSE
                if isinstance(right.const, int) and not isinstance(right.const, bool):
                    constant_divisor = right.const
                divisor = bi
            else:
                zero = _or(*(_safe(f"({sql} = 0)") if not self.certain(right, kind) else
                             f"({sql} = 0)"
                             for kind, sql in (("int", bi), ("float", bf)) if sql != NULL))
                if right.nil:
                    zero = _or(self.has(right, "nil"), zero)
                divisor = f"NULLIF({bi}, 0)" if bi != NULL else NULL
            err = _or(err, _and(numbers, zero))
        if ai != NULL and bi != NULL:
            exact = _integer_operation(op, ai, bi, divisor, constant_divisor)
            native = _native_modulo(left, constant_divisor, exact) if op == "%" else None
            slots["int"] = native or exact
        if af != NULL or bf != NULL:
            # The result is a float when either side is; where only one side can be, the
            # other is an int (or nil) there.
            fa = af if bf == NULL else self.as_float(left, ai, af, node)
            fb = bf if af == NULL else self.as_float(right, bi, bf, node)
            if fa != NULL and fb != NULL:
                any_float = _or(self.has(left, "float"), self.has(right, "float"))
                sign = None
                if right.is_const and isinstance(right.const, (int, float)):
                    sign = right.const > 0
                elif op in "/%":
                    fb = f"NULLIF({fb}, 0)"
                operation = _float_operation(op, fa, fb, sign)
                # Where only one side can be a float, the operation is NULL unless it is
                # one (the general % aside, which gives a signed zero for NULL).
                one_side = (bf == NULL and fa == af) or (af == NULL and fb == bf)
                if one_side and (op != "%" or sign is not None):
                    result = operation
                else:
                    result = _ite(any_float, operation, NULL)
                slots["float"] = result
                if op == "%":
                    # fmod is finite; only an infinite side makes NaN or infinity
                    inf = _infinite(fa)
                    if not right.is_const:
                        inf = _or(inf, _and(_infinite(fb), _safe(
                            f"({fa} <> 0 AND (({fa} < 0) <> ({fb} < 0)))")))
                    err = _or(err, _and(any_float, inf))
                else:
                    err = _or(err, _infinite(result))
        return _Val({k: slots[k] for k in _ALL_KINDS if k in slots}), err, FALSE

    def negate(self, node: Node, operand: _Val) -> _Val:
        if operand.is_const:
            folded = self.fold_call(node, runtime.negate, operand.const)
            if folded is not None:
                return self.after(folded, operand)
        integer, floating = self.numeric(operand, node)
        slots = {}
        if integer != NULL:
            slots["int"] = f"(-({integer}))"
        err = self.outside(operand, {"nil", "int", "float"})
        if floating != NULL:
            slots["float"] = f"(-({floating}))"
            err = _or(err, _infinite(floating))
        err, abort = _chain([(operand.err, operand.abort), (err, FALSE)])
        return _Val(slots, err=err, abort=abort)

    # -- ranges, members, indexes ------------------------------------------------------------

    def bound(self, value: _Val, node: Node) -> tuple[_Val, str, str]:
        """A range bound as ladle reads it: nil is 0, a float is truncated."""
        err = self.outside(value, {"nil", "int", "float"})
        integer, floating = self.numeric(value, node)
        abort = FALSE
        if floating != NULL:
            # int(f) must be within ±2**256 (ladle's integer limit; an infinite f fails too)
            allowed = f"(abs({floating}) <= {_TWO_256})"
            small = f"(abs({floating}) < {_TWO_127})"
            err = _or(err, _and(self.has(value, "float"), _safe(f"(NOT {allowed})")))
            abort = _and(self.has(value, "float"), _safe(f"({allowed} AND NOT {small})"))
            truncated = f"(CASE WHEN {small} THEN CAST(trunc({floating}) AS HUGEINT) END)"
            integer = truncated if integer == NULL else f"COALESCE({integer}, {truncated})"
        return _Val({"int": integer}), err, abort

    def range(self, node: Node, start: _Val, stop: _Val) -> _Val:
        if start.is_const and stop.is_const:
            folded = self.fold_call(node, runtime.make_range, start.const, stop.const)
            if folded is not None:
                return self.after(folded, start, stop)
        low, low_err, low_abort = (self.constant(runtime.to_integer(start.const, ""), node),
                                   FALSE, FALSE) if start.is_const and \
            _kind_of(start.const) in ("int", "nil") else self.bound(start, node)
        high, high_err, high_abort = (self.constant(runtime.to_integer(stop.const, ""), node),
                                      FALSE, FALSE) if stop.is_const and \
            _kind_of(stop.const) in ("int", "nil") else self.bound(stop, node)
        err, abort = _chain([*_failures(start, stop), (low_err, low_abort),
                             (high_err, high_abort)])
        return _Val(seq=_Seq(bounds=(low, high)), err=err, abort=abort)

    def property(self, node: Node, target: _Val, name: str) -> _Val:
        """``target.name`` for a value that did not fail (failures not set)."""
        if target.seq is not None:
            if target.is_const:
                folded = self.fold_call(node, runtime.member, target.const, name)
                return _NIL if folded is None else folded
            items = target.seq.items
            if items is None:
                raise self.unsupported("a property of a range with computed bounds", node)
            if name == "size":
                return self.constant(len(items), node)
            if name in ("first", "last") and items:
                return replace(items[0] if name == "first" else items[-1], err=FALSE,
                               abort=FALSE)
            return _NIL
        if name != "size" or target.marker is not None:
            return _NIL
        if target.is_const:
            return self.constant(len(target.const), node) if isinstance(target.const,
                                                                        str) else _NIL
        text = self.slot(target, "str", node)
        if text == NULL:
            return _NIL
        return _Val({"int": f"CAST(length({text}) AS HUGEINT)"},
                    nil=not self.certain(target, "str"))

    def member(self, node: Node, target: _Val, name: str) -> _Val:
        result = self.property(node, target, name)
        err, abort = _chain([*_failures(target), *_failures(result)])
        return _with_failures(result, err, abort)

    def index(self, node: Node, target_node: Node, key_node: Node) -> _Val:
        target = self.value(target_node)
        key = self.value(key_node)
        steps = _failures(target, key)
        if key.is_const:
            if isinstance(key.const, str):
                result = self.property(node, target, key.const)
            elif target.is_const:
                folded = self.fold_call(node, runtime.index, target.const, key.const)
                result = _NIL if folded is None else folded
            elif target.seq is not None and target.seq.items is not None:
                position = key.const
                if isinstance(position, float) and position.is_integer():
                    position = int(position)
                items = target.seq.items
                if type(position) is int and -len(items) <= position < len(items):
                    result = replace(items[position], err=FALSE, abort=FALSE)
                else:
                    result = _NIL
            elif target.seq is not None:
                raise self.unsupported("indexing a range with computed bounds", node)
            else:
                result = _NIL  # scalars have no integer positions
            err, abort = _chain([*steps, *_failures(result)])
            return _with_failures(result, err, abort)
        if target.marker is not None:
            return self.after(_NIL, target, key)  # empty and blank hold nothing
        if not target.scalar:
            raise self.unsupported("indexing a list or range by a computed key", node)
        # A scalar has no positions; a string key reads a property, and only ``size``
        # (of a string) is one.
        size = self.property(node, target, "size")
        key_text = self.slot(key, "str", node)
        if not size.slots or key_text == NULL:
            result = _NIL
        else:
            wanted = _safe(f"({key_text} = 'size')")
            result = _Val({"int": _ite(wanted, self.slot(size, "int", node), NULL)}, nil=True)
        err, abort = _chain(steps)
        return _with_failures(result, err, abort)

    # -- functions -----------------------------------------------------------------------

    def call(self, node: Call) -> _Val:
        name = node.name
        function = BUILTINS.get(name)
        if function is None or name not in _SUPPORTED_FUNCTIONS:
            raise self.unsupported(f"the function {name}() has no SQL form", node)
        count = len(node.args)
        if count < function.min_args or (function.max_args is not None and
                                         count > function.max_args):
            raise self.unsupported(f"{name}() with {count} arguments", node)
        args = [self.value(arg) for arg in node.args]
        if all(a.is_const for a in args):
            call = function.call if function.direct else self.checked(function.call)
            folded = self.fold_call(node, call, *(a.const for a in args))
            if folded is not None:
                return self.after(folded, *args)
        steps = _failures(*args)
        result: _Val
        if name == "slot":
            result, err, abort = self.slot_call(node, args[0], args[1])
        elif name in ("startswith", "endswith"):
            whole, part = args
            err = _or(self.outside(whole, {"str"}), self.outside(part, {"str"}))
            sql = "starts_with" if name == "startswith" else "ends_with"
            result = _Val({"bool": f"{sql}({self.slot(whole, 'str', node)}, "
                                   f"{self.slot(part, 'str', node)})"})
            abort = FALSE
        elif name in ("lower", "upper"):
            text = self.slot(args[0], "str", node)
            err = _or(self.outside(args[0], {"str"}),
                      _safe(f"(length({text}) > {self.max_length})"))
            pattern = quote_string(_case_unsafe_pattern(name))
            abort = _safe(f"regexp_matches({text}, {pattern})")
            result = _Val({"str": f"{name}({text})"} if text != NULL else {})
        elif name == "len":
            result, err = self.length(node, args[0])
            abort = FALSE
        elif name == "abs":
            integer, floating = self.numeric(args[0], node)
            slots = {}
            if integer != NULL:
                slots["int"] = f"abs({integer})"
            err, abort = self.outside(args[0], {"nil", "int", "float"}), FALSE
            if floating != NULL:
                slots["float"] = f"abs({floating})"
                err = _or(err, _infinite(floating))
            result = _Val(slots)
        else:
            result, err = self.extreme(node, name == "min", args)
            abort = FALSE
        err, abort = _chain([*steps, (err, abort)])
        return _with_failures(result, err, abort)

    def checked(self, function: Callable[..., Any]) -> Callable[..., Any]:
        """``function`` under the python engine's argument and result length checks."""

        def call(*args: Any) -> Any:
            pending = list(args)
            while pending:
                item = pending.pop()
                if isinstance(item, range):
                    runtime.check_length(item, self.max_length, "argument")
                elif type(item) is tuple:
                    pending.extend(item)
            return runtime.check_length(function(*args), self.max_length)

        return call

    def slot_call(self, node: Node, key: _Val, count: _Val) -> tuple[_Val, str, str]:
        err = _or(self.outside(key, {"int", "str"}), self.outside(count, {"int"}))
        if count.is_const:
            if not isinstance(count.const, int) or isinstance(count.const, bool) or \
                    count.const <= 0:
                return _ERROR, TRUE, FALSE
            modulus = count.const
        else:
            modulus = None
            not_positive = _safe(f"({self.slot(count, 'int', node)} <= 0)")
            err = _or(err, _and(self.has(count, "int"), not_positive))
        if key.is_const:
            text = _slot_text(key.const)
            if text is None:
                return _ERROR, TRUE, FALSE
            digest = hashlib.md5(text.encode("utf-8"), usedforsecurity=False).digest()
            hashed = _int_literal(int.from_bytes(digest[:8], "big"))
        else:
            texts = []
            if "str" in key.slots:
                texts.append(key.slots["str"])
            if "int" in key.slots:
                integer = key.native[0] if key.native is not None else key.slots["int"]
                texts.append(f"CAST({integer} AS VARCHAR)")
            if not texts:
                return _ERROR, TRUE, FALSE
            text_sql = texts[0] if len(texts) == 1 else f"COALESCE({', '.join(texts)})"
            hashed = f"CAST(('0x' || substr(md5({text_sql}), 1, 16)) AS UBIGINT)"
        if modulus is not None:
            # The hash is below 2**64: UBIGINT arithmetic is exact and much faster.
            value = f"CAST({hashed} AS HUGEINT)" if modulus >= 2**64 else \
                f"CAST(({hashed} % CAST({modulus} AS UBIGINT)) AS HUGEINT)"
        else:
            value = (f"(CAST({hashed} AS HUGEINT) % "
                     f"NULLIF({self.slot(count, 'int', node)}, 0))")
        return _Val({"int": value}), err, FALSE

    def length(self, node: Node, value: _Val) -> tuple[_Val, str]:
        if value.seq is not None:
            if value.seq.items is not None:
                return self.constant(len(value.seq.items), node), FALSE
            assert value.seq.bounds is not None
            low, high = (self.slot(b, "int", node) for b in value.seq.bounds)
            size = f"(CASE WHEN {high} < {low} THEN {_int_literal(0)} ELSE {high} - {low} + 1 END)"
            return _Val({"int": size}), FALSE
        text = self.slot(value, "str", node)
        result = _Val({"int": f"CAST(length({text}) AS HUGEINT)"} if text != NULL else {})
        return result, self.outside(value, {"str"})

    def extreme(self, node: Node, is_min: bool, args: list[_Val]) -> tuple[_Val, str]:
        if len(args) == 1 and args[0].seq is not None:
            seq = args[0].seq
            if seq.bounds is not None:
                low, high = seq.bounds
                low_sql, high_sql = self.slot(low, "int", node), self.slot(high, "int", node)
                # high - low + 1 > max_length, without overflowing HUGEINT
                too_long = (f"(CASE WHEN {high_sql} < 0 OR {low_sql} >= 0 "
                            f"THEN {high_sql} - {low_sql} >= {self.max_length} "
                            f"ELSE {high_sql} >= {low_sql} + {self.max_length} END)")
                err = _or(f"({high_sql} < {low_sql})", too_long)
                return replace(low if is_min else high, err=FALSE, abort=FALSE), err
            assert seq.items is not None
            values = list(seq.items)
            if not values:
                return _ERROR, TRUE
        else:
            values = args
        if any(not v.scalar for v in values):
            return _ERROR, TRUE  # lists, ranges, empty and blank are neither numbers nor text
        numbers = _and(*(_not(self.outside(v, _NUMBERS)) for v in values))
        strings = _and(*(_not(self.outside(v, {"str"})) for v in values))
        err = _not(_or(numbers, strings))
        current = replace(values[0], err=FALSE, abort=FALSE)
        for candidate in values[1:]:
            candidate = replace(candidate, err=FALSE, abort=FALSE)
            better, _ = self.order("<" if is_min else ">", candidate, current, node)
            current = self.merge(better, candidate, current, node)
            current = replace(current, nil=False)
        current = replace(current, nil=False) if not current.is_const else current
        if "str" in current.slots and not current.is_const:
            err = _or(err, _safe(f"(length({current.slots['str']}) > {self.max_length})"))
        return current, err


def _slot_text(key: Any) -> str | None:
    """The canonical text ``slot()`` hashes, or None when the key is not an int or string."""
    if isinstance(key, str):
        return key
    if isinstance(key, int) and not isinstance(key, bool):
        return str(key)
    return None


# -- integer and float operations ---------------------------------------------------------


def _native_modulo(left: _Val, n: int | None, exact: str) -> str | None:
    """``left % n`` computed in the 64-bit type of an integer column (nil counting as 0),
    where that is exact, as HUGEINT; None where it is not. ``exact`` is the HUGEINT form,
    for the values of a HUGEINT column beyond 64 bits."""
    if left.native is None or n is None or set(left.slots) != {"int"}:
        return None
    column, kind = left.native
    if kind == "huge":
        if not 0 < n < 2**64:
            return None
        narrow = f"(CAST({column} AS UBIGINT) % CAST({n} AS UBIGINT))"
        return (f"(CASE WHEN {column} BETWEEN {_int_literal(0)} AND {_int_literal(2**64 - 1)} "
                f"THEN CAST({narrow} AS HUGEINT) ELSE {exact} END)")
    unsigned = kind == "unsigned"
    if unsigned and 0 < n < 2**64:
        # x >= 0 and n > 0: the remainder already has Python's sign
        value = f"COALESCE(CAST({column} AS UBIGINT), CAST(0 AS UBIGINT))"
        return f"CAST(({value} % CAST({n} AS UBIGINT)) AS HUGEINT)"
    if not unsigned and 0 < abs(n) < 2**62:
        # |x % n| < |n|, so x % n + n stays within BIGINT
        value = f"COALESCE(CAST({column} AS BIGINT), CAST(0 AS BIGINT))"
        m = f"CAST({n} AS BIGINT)"
        return f"CAST(((({value} % {m}) + {m}) % {m}) AS HUGEINT)"
    return None


def _integer_operation(op: str, a: str, b: str, divisor: str, constant: int | None) -> str:
    if op in "+-*":
        return f"({a} {op} {b})"
    d = b if constant is not None else divisor
    if op == "%":
        # x % ±1 is 0 (NULL when x is), and DuckDB overflows on HUGEINT_MIN % -1.
        if constant in (1, -1):
            return f"({a} % {_int_literal(1)})"
        if constant is not None and abs(constant) < 2**126:
            return f"((({a} % {d}) + {d}) % {d})"
        r = f"({a} % {d})"
        result = f"(CASE WHEN {r} <> 0 AND (({r} < 0) <> ({d} < 0)) THEN {r} + {d} ELSE {r} END)"
        if constant is None:
            result = f"(CASE WHEN {d} = -1 THEN ({a} % {_int_literal(1)}) ELSE {result} END)"
        return result
    if constant == 1:
        return a
    if constant == -1:
        return f"(-({a}))"
    signs = f"(({a} < 0) <> ({d} < 0))" if constant is None else \
        f"({a} < 0)" if constant > 0 else f"({a} > 0)"
    return f"(({a} // {d}) - (CASE WHEN ({a} % {d}) <> 0 AND {signs} THEN 1 ELSE 0 END))"


def _float_operation(op: str, a: str, b: str, positive: bool | None = None) -> str:
    """``a op b`` on DOUBLEs as Python computes it; ``positive`` is the sign of a constant
    ``b`` (None when it is not constant)."""
    if op in "+-*/":
        return f"({a} {op} {b})"
    # Python's float %: m = fmod(a, b); m + b when m is nonzero with the other sign than
    # b; a zero takes b's sign.
    m = f"({a} % {b})"
    if positive:
        return f"(CASE WHEN {m} < 0 THEN {m} + {b} ELSE {m} + {_float_literal(0.0)} END)"
    if positive is False:
        return (f"(CASE WHEN {m} > 0 THEN {m} + {b} WHEN {m} = 0 THEN {_float_literal(-0.0)} "
                f"ELSE {m} END)")
    return (f"(CASE WHEN {m} <> 0 THEN (CASE WHEN ({b} < 0) <> ({m} < 0) THEN {m} + {b} "
            f"ELSE {m} END) WHEN {b} < 0 THEN {_float_literal(-0.0)} "
            f"ELSE {_float_literal(0.0)} END)")


def _infinite(value: str) -> str:
    """TRUE when a DOUBLE is infinite or NaN (ladle's results must be finite); FALSE for
    NULL. DuckDB orders NaN above every number, so abs(NaN) > max is TRUE as well."""
    return _safe(f"(abs({value}) > {_MAX_DOUBLE})")


def _sql_op(op: str) -> str:
    return {"==": "=", "!=": "<>"}.get(op, op)


def _int_vs_int_const(op: str, a: str, n: int) -> str:
    """``a op n`` for a HUGEINT ``a`` and any Python integer ``n``."""
    if _INT_MIN <= n <= _INT_MAX:
        return f"({a} {_sql_op(op)} {_int_literal(n)})"
    above = n > _INT_MAX  # then every a is below n
    result = {"<": above, "<=": above, ">": not above, ">=": not above, "==": False,
              "!=": True}[op]
    return TRUE if result else FALSE


def _int_vs_float_const(op: str, a: str, x: float) -> str:
    """``a op x`` for a HUGEINT ``a`` and a Python float ``x``, exactly."""
    if math.isinf(x):
        result = {"<": x > 0, "<=": x > 0, ">": x < 0, ">=": x < 0, "==": False,
                  "!=": True}[op]
        return TRUE if result else FALSE
    if op in ("==", "!="):
        if not x.is_integer():
            return FALSE if op == "==" else TRUE
        return _int_vs_int_const(op, a, int(x))
    # For an integer a: a < x iff a < ceil(x), a <= x iff a <= floor(x), and so on.
    bound = math.ceil(x) if op in ("<", ">=") else math.floor(x)
    return _int_vs_int_const(op, a, bound)


def _float_vs_int_const(op: str, f: str, n: int) -> str:
    """``f op n`` for a DOUBLE ``f`` and a Python integer ``n``, exactly."""
    try:
        near = float(n)
    except OverflowError:
        near = math.inf if n > 0 else -math.inf
    if not math.isinf(near) and int(near) == n:
        return f"({f} {_sql_op(op)} {_float_literal(near)})"
    if op == "==":
        return FALSE
    if op == "!=":
        return TRUE
    if math.isinf(near):  # beyond every finite double
        low, high = (_LARGEST, math.inf) if n > 0 else (-math.inf, -_LARGEST)
    elif int(near) > n:
        high, low = near, math.nextafter(near, -math.inf)
    else:
        low, high = near, math.nextafter(near, math.inf)
    # No double lies strictly between low and high, and n does.
    if op in ("<", "<="):
        return f"({f} <= {_float_literal(low)})"
    return f"({f} >= {_float_literal(high)})"


def _int_vs_float(op: str, a: str, f: str) -> str:
    """``a op f`` for a HUGEINT ``a`` and a DOUBLE ``f``, exactly (never via a cast of
    ``a`` to DOUBLE, which rounds). ``f`` is finite or infinite, never NaN."""
    inside = f"(abs({f}) < {_TWO_127})"
    if op in ("==", "!="):
        equal = (f"(CASE WHEN {inside} AND floor({f}) = {f} "
                 f"THEN {a} = CAST({f} AS HUGEINT) "
                 f"WHEN {f} = {_MINUS_TWO_127} THEN {a} = {_int_literal(_INT_MIN)} "
                 "ELSE FALSE END)")
        return equal if op == "==" else f"(NOT {equal})"
    if op in ("<", ">="):
        # a < f iff a < ceil(f)
        below = (f"(CASE WHEN {f} >= {_TWO_127} THEN TRUE WHEN {f} <= {_MINUS_TWO_127} "
                 f"THEN FALSE ELSE {a} < CAST(ceil({f}) AS HUGEINT) END)")
        return below if op == "<" else f"(NOT {below})"
    # a <= f iff a <= floor(f)
    at_most = (f"(CASE WHEN {f} >= {_TWO_127} THEN TRUE WHEN {f} < {_MINUS_TWO_127} "
               f"THEN FALSE WHEN {f} = {_MINUS_TWO_127} THEN {a} = {_int_literal(_INT_MIN)} "
               f"ELSE {a} <= CAST(floor({f}) AS HUGEINT) END)")
    return at_most if op == "<=" else f"(NOT {at_most})"


# -- character classes ------------------------------------------------------------------


def _char_class(codes: Iterable[int]) -> str:
    """An RE2 character class of the given code points, as ranges."""
    ranges: list[list[int]] = []
    for code in sorted(codes):
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    parts = [f"\\x{{{a:x}}}" if a == b else f"\\x{{{a:x}}}-\\x{{{b:x}}}" for a, b in ranges]
    return "[" + "".join(parts) + "]"


@functools.cache
def _blank_pattern() -> str:
    """Strings that Python's ``str.strip()`` empties."""
    spaces = [code for code in range(0x110000) if chr(code).isspace()]
    return "^" + _char_class(spaces) + "*$"


@functools.cache
def _case_unsafe_pattern(function: str) -> str:
    """Characters whose Python case mapping DuckDB's does not reproduce: those that map to
    more than one character, and, for lower(), the final-sigma rule's capital sigma."""
    method: Callable[[str], str] = str.lower if function == "lower" else str.upper
    codes = {code for code in range(0x110000)
             if not 0xD800 <= code <= 0xDFFF and len(method(chr(code))) != 1}
    if function == "lower":
        codes.add(0x3A3)
    return _char_class(codes)


# -- public API --------------------------------------------------------------------------


def rule_sql(
    tree: Node,
    columns: Mapping[str, str],
    *,
    source: str = "",
    max_length: int = DEFAULT_MAX_LENGTH,
) -> RuleSql:
    """The claim and error expressions of the rule ``tree`` over ``columns``.

    ``source`` (the rule's text) positions ``SqlUnsupported`` errors; ``max_length`` is
    the python engine's string length limit.
    """
    compiler = _Compiler(columns, source, max_length)
    value = compiler.value(tree)
    truthy = compiler.truthy(value)
    err, abort = value.err, value.abort
    fail = f"error({quote_string(ABORT_MESSAGE)})"
    # Not CASE WHEN err THEN FALSE ELSE truthy END: DuckDB runs that about half as fast.
    # Both sides are never NULL; the truthy side may now be computed where the python
    # engine had already raised, which can at worst overflow (fail the query), never
    # change an answer.
    error = _safe(err)
    claim = _and(_safe(truthy), _not(error))
    if abort != FALSE:
        claim = _ite(abort, fail, claim)
        error = _ite(abort, fail, error)
    return RuleSql(claim=claim, error=error, abort=abort)


def to_sql(
    tree: Node,
    columns: Mapping[str, str],
    *,
    source: str = "",
    max_length: int = DEFAULT_MAX_LENGTH,
) -> str:
    """A boolean SQL expression, TRUE exactly when the rule claims the record (its value is
    truthy and its evaluation did not raise); never NULL. Raises ``SqlUnsupported``."""
    return rule_sql(tree, columns, source=source, max_length=max_length).claim


def error_sql(
    tree: Node,
    columns: Mapping[str, str],
    *,
    source: str = "",
    max_length: int = DEFAULT_MAX_LENGTH,
) -> str:
    """A boolean SQL expression, TRUE exactly when evaluating the rule raises an
    ``EvaluationError`` for the record; never NULL. Raises ``SqlUnsupported``."""
    return rule_sql(tree, columns, source=source, max_length=max_length).error


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
        return "HUGEINT" if _INT_MIN <= value <= _INT_MAX else "JSON"
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
