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

``to_sql`` and ``error_sql`` return one of them each.

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

How it is built
---------------

Each ladle value is compiled to one SQL expression per type it may have at run time,
with a condition for "its evaluation raised" and one for "SQL cannot follow"
(``values`` says how). ``compiler.Compiler`` walks the tree once: lookups, logic and
comparisons in ``compiler``, arithmetic, ranges and functions in ``arithmetic``, what
both ask of a value in ``operands``. The conditions it writes go through ``algebra``,
which folds TRUE and FALSE away; ``numbers`` holds the exact integer and float forms
(``%`` with the divisor's sign, integers meeting floats), ``literals`` the quoting, and
``patterns`` the characters Python's ``strip``, ``lower`` and ``upper`` treat otherwise
than DuckDB's. A ``Shared`` given to ``rule_sql`` for every rule of one query writes the
arithmetic and calls they repeat (``id % 100`` in three rules) once, as columns of an
inner SELECT (``shared``).

Errors: ``claim`` is ``COALESCE(truthy, FALSE) AND NOT error`` with ``error`` the
``err`` condition; where ``abort`` can hold, both are wrapped in
``CASE WHEN abort THEN error(...) ELSE ... END``.

Otherwise the SQL is CASE, COALESCE, NULLIF, CAST, POSITION, BETWEEN and the standard
operators; the parts that differ between DuckDB and Spark SQL (the exact integer type,
quoting, integer division, ``md5`` to a 64-bit number, regular expressions,
``starts_with``, JSON columns, the failing function, and what Spark cannot do exactly)
come from a ``dialect.Dialect``: ``rule_sql(..., dialect=SPARK)``. String literals and
identifiers are quoted by it; nothing from a rule or a field name reaches the SQL
otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from ladle.grammar.nodes import Node
from ladle.grammar.runtime import DEFAULT_MAX_LENGTH
from ladle.rules.sql.algebra import FALSE, ite, safe, sql_and, sql_not
from ladle.rules.sql.compiler import MAX_SQL_LENGTH, Compiler
from ladle.rules.sql.dialect import DIALECTS, DUCKDB, SPARK, Dialect
from ladle.rules.sql.errors import SqlUnsupported
from ladle.rules.sql.literals import quote_identifier, quote_string
from ladle.rules.sql.shared import Shared
from ladle.rules.sql.values import COLUMN_TYPES

__all__ = [
    "ABORT_MESSAGE",
    "COLUMN_TYPES",
    "DIALECTS",
    "DUCKDB",
    "MAX_SQL_LENGTH",
    "SPARK",
    "Dialect",
    "RuleSql",
    "Shared",
    "SqlUnsupported",
    "error_sql",
    "quote_identifier",
    "quote_string",
    "rule_sql",
    "to_sql",
]

ABORT_MESSAGE: Final = (
    "ladle: a record holds a value that the SQL form of a rule cannot evaluate exactly; "
    "route this catalog with the python engine"
)


@dataclass(frozen=True)
class RuleSql:
    """The SQL of one rule: ``claim`` and ``error`` are boolean SQL expressions, never
    NULL; ``abort`` is the condition under which both make the query fail."""

    claim: str
    error: str
    abort: str


def rule_sql(
    tree: Node,
    columns: Mapping[str, str],
    *,
    source: str = "",
    max_length: int = DEFAULT_MAX_LENGTH,
    own_names: Iterable[str] = (),
    dialect: Dialect = DUCKDB,
    shared: Shared | None = None,
) -> RuleSql:
    """The claim and error expressions of the rule ``tree`` over ``columns``.

    ``source`` (the rule's text) positions ``SqlUnsupported`` errors; ``max_length`` is
    the python engine's string length limit; ``own_names`` are the filters and functions
    the host defined itself, which SQL cannot compute (even under a standard name);
    ``dialect`` the SQL engine written for (``DUCKDB`` or ``SPARK``); ``shared``, built for
    all the rules of the query, makes the values they repeat columns of its ``wrap``.
    """
    compiler = Compiler(columns, source, max_length, dialect)
    compiler.own_names = frozenset(own_names)
    compiler.shared = shared
    value = compiler.value(tree)
    truthy = compiler.truthy(value)
    err, abort = value.err, value.abort
    fail = dialect.fail(ABORT_MESSAGE)
    # Not CASE WHEN err THEN FALSE ELSE truthy END: DuckDB runs that about half as fast.
    # Both sides are never NULL; the truthy side may now be computed where the python
    # engine had already raised, which can at worst overflow (fail the query), never
    # change an answer.
    error = safe(err)
    claim = sql_and(safe(truthy), sql_not(error))
    if abort != FALSE:
        claim = ite(abort, fail, claim)
        error = ite(abort, fail, error)
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

