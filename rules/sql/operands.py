"""The compiler's base: what every construct asks of a compiled ``Value`` (its SQL as one
type, whether it is of a type, its truthiness), constants, and folding over constants."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ladle.grammar import runtime
from ladle.grammar.errors import EvaluationError
from ladle.grammar.nodes import BLANK, EMPTY, Node
from ladle.rules.sql.algebra import FALSE, NULL, TRUE, safe, sql_and, sql_or
from ladle.rules.sql.dialect import DUCKDB, Dialect
from ladle.rules.sql.errors import SqlUnsupported
from ladle.rules.sql.shared import Shared
from ladle.rules.sql.values import (
    ERROR,
    NIL,
    Seq,
    Value,
    chain,
    failures,
    kind_of,
    with_failures,
)


class Operands:
    """One rule's compilation: its columns, its source (for error positions), the length
    limit; and what every construct asks of a compiled value."""

    # Filters and functions the host defined itself: never lowered, whatever their name.
    own_names: frozenset[str] = frozenset()
    shared: Shared | None = None  # values repeated across the query's rules

    def __init__(self, columns: Mapping[str, str], source: str, max_length: int,
                 dialect: Dialect = DUCKDB) -> None:
        self.dialect = dialect
        self.columns = dict(columns)
        self.source = source
        self.max_length = max_length
        self.folded: dict[str, int] = {}
        for name in self.columns:
            self.folded[name.casefold()] = self.folded.get(name.casefold(), 0) + 1

    def unsupported(self, message: str, node: Node) -> SqlUnsupported:
        return SqlUnsupported(f"{message}: use the python engine", self.source, node.span[0])

    # -- constants and slots ------------------------------------------------------

    def constant(self, value: Any, node: Node) -> Value:
        if value is None:
            return NIL
        if isinstance(value, bool):
            return Value({"bool": TRUE if value else FALSE}, const=value)
        if isinstance(value, int):
            if self.dialect.int_min <= value <= self.dialect.int_max:
                return Value({"int": self.dialect.int_literal(value)}, const=value)
            return Value({}, const=value)  # compared by sign; arithmetic is unsupported
        if isinstance(value, float):
            return Value({"float": self.dialect.float_literal(value)}, const=value)
        if isinstance(value, str):
            try:
                literal = self.dialect.string(value)
            except SqlUnsupported as error:
                raise self.unsupported(error.message, node) from None
            return Value({"str": literal}, const=value)
        if isinstance(value, (tuple, list)):
            if len(value) > 10_000:
                raise self.unsupported("a list this long is too large for SQL", node)
            items = tuple(self.constant(item, node) for item in value)
            return Value(seq=Seq(items=items), const=tuple(value))
        if isinstance(value, range):
            bounds = (self.constant(value.start, node), self.constant(value.stop - 1, node))
            return Value(seq=Seq(bounds=bounds), const=value)
        if value is EMPTY or value is BLANK:
            return Value(marker=value, const=value)
        raise self.unsupported(f"the value {value!r} has no SQL form", node)

    def slot(self, value: Value, kind: str, node: Node) -> str:
        """The SQL of ``value`` as ``kind`` (NULL when it cannot be that kind)."""
        if value.is_const and kind_of(value.const) == kind == "int" and not (
            self.dialect.int_min <= value.const <= self.dialect.int_max
        ):
            raise self.unsupported(f"an integer beyond {self.dialect.integer} cannot be "
                                   "computed with in SQL", node)
        return value.slots.get(kind, NULL)

    # -- predicates on values -------------------------------------------------------

    @staticmethod
    def has(value: Value, kind: str) -> str:
        """TRUE when ``value`` is of ``kind`` (one of the slot kinds, or "nil")."""
        if value.is_const:
            return TRUE if kind_of(value.const) == kind else FALSE
        if not value.scalar:
            return FALSE
        if kind == "nil":
            if not value.nil:
                return FALSE
            if value.nil_test is not None:
                return value.nil_test
            return sql_and(*(f"({sql} IS NULL)" for sql in value.slots.values()))
        if kind not in value.slots:
            return FALSE
        if len(value.slots) == 1 and not value.nil:
            return TRUE
        return f"({value.slots[kind]} IS NOT NULL)"

    def outside(self, value: Value, allowed: Iterable[str]) -> str:
        """TRUE when ``value``'s type is not among ``allowed`` (kinds, "nil")."""
        allowed = frozenset(allowed)
        return sql_or(*(TRUE if kind == "other" else self.has(value, kind)
                        for kind in value.kinds() if kind not in allowed))

    def truthy(self, value: Value) -> str:
        if value.is_const:
            return TRUE if runtime.truthy(value.const) else FALSE
        if not value.scalar:
            return TRUE
        if value.truth is not None:
            return value.truth
        parts = [self.has(value, kind) for kind in value.slots if kind != "bool"]
        if "bool" in value.slots:
            flag = value.slots["bool"]
            parts.append(flag if self.has(value, "bool") == TRUE else safe(flag))
        return sql_or(*parts)

    def certain(self, value: Value, kind: str) -> bool:
        """Whether ``value`` surely is of ``kind`` (when it did not fail)."""
        return self.has(value, kind) == TRUE

    # -- folding ---------------------------------------------------------------------

    @staticmethod
    def after(result: Value, *operands: Value) -> Value:
        """``result`` computed from ``operands``: it fails where they do first.

        A constant may carry failures (``min((1..k))`` is 1 unless the range is empty),
        so folding keeps its operands' ``err`` and ``abort``."""
        err, abort = chain([*failures(*operands), (result.err, result.abort)])
        return with_failures(result, err, abort)

    def fold_call(self, node: Node, function: Callable[..., Any], *args: Any) -> Value | None:
        try:
            result = function(*args)
        except EvaluationError:
            return ERROR
        except (ArithmeticError, ValueError, TypeError):
            return ERROR  # wrapped into an EvaluationError by the python engine
        if isinstance(result, range) and result.step != 1:
            return None
        return self.constant(result, node)
