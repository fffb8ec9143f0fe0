"""The binary operators, each declared once.

The lexer's pattern, the parser's precedence levels, the compiler's helpers and fast
paths, the SQL lowering and the rule checks are all read from ``BINARY``. To add an
operator, add a row and its runtime function (docs/extending.md has a worked example);
the SQL engine hands rules using it to the python engine until ``sql`` names a lowering.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from ladle.grammar import runtime

# Precedence levels, loosest first.
COALESCE_LEVEL, OR_LEVEL, AND_LEVEL, COMPARISON_LEVEL, SUM_LEVEL, PRODUCT_LEVEL = range(6)


@dataclass(frozen=True)
class Operator:
    """One binary operator.

    ``function(left, right)`` is its meaning (``None`` for ``??``/``||``/``&&``, which
    decide on their operands lazily); ``liquid`` its meaning in templates where Liquid's
    differs. ``result`` is what it yields: ``"bool"``, ``"number"`` or ``"any"``.
    ``python`` is the Python operator that computes it when both operands are ints
    (comparisons: also two strings), ``python_by_constant`` the one that does when
    the right operand is a non-zero int constant. ``sql`` names its lowering in
    ``rules.sql`` (``"equality"``, ``"order"``, ``"arithmetic"``, ``"contains"``,
    ``"coalesce"``); ``None`` makes the duckdb engine hand the rule to the python engine.
    """

    symbol: str
    level: int
    function: Callable[..., Any] | None
    result: str = "any"
    word: bool = False  # written as a word (``contains``), lexed as a keyword
    liquid: Callable[..., Any] | None = None
    python: type[ast.operator] | type[ast.cmpop] | None = None
    python_by_constant: type[ast.operator] | None = None
    sql: str | None = None
    takes_max_length: bool = False  # ``function(left, right, max_length)``


BINARY: tuple[Operator, ...] = (
    # ``a ?? b``: a, unless a is nil or undefined (false is kept); loosest of all.
    Operator("??", COALESCE_LEVEL, None, sql="coalesce"),
    Operator("||", OR_LEVEL, None),
    Operator("&&", AND_LEVEL, None),
    Operator("==", COMPARISON_LEVEL, runtime.equals, "bool", liquid=runtime.liquid_equals,
             sql="equality"),
    Operator("!=", COMPARISON_LEVEL, runtime.not_equals, "bool",
             liquid=runtime.liquid_not_equals, sql="equality"),
    Operator("<", COMPARISON_LEVEL, runtime.less, "bool", liquid=runtime.liquid_less,
             python=ast.Lt, sql="order"),
    Operator("<=", COMPARISON_LEVEL, runtime.less_equal, "bool",
             liquid=runtime.liquid_less_equal, python=ast.LtE, sql="order"),
    Operator(">", COMPARISON_LEVEL, runtime.greater, "bool", liquid=runtime.liquid_greater,
             python=ast.Gt, sql="order"),
    Operator(">=", COMPARISON_LEVEL, runtime.greater_equal, "bool",
             liquid=runtime.liquid_greater_equal, python=ast.GtE, sql="order"),
    Operator("contains", COMPARISON_LEVEL, runtime.contains, "bool", word=True,
             liquid=runtime.liquid_contains, sql="contains"),
    Operator("in", COMPARISON_LEVEL, runtime.is_in, "bool", word=True, sql="contains"),
    Operator("+", SUM_LEVEL, runtime.add, python=ast.Add, sql="arithmetic",
             takes_max_length=True),
    Operator("-", SUM_LEVEL, runtime.subtract, "number", python=ast.Sub, sql="arithmetic"),
    Operator("*", PRODUCT_LEVEL, runtime.multiply, "number", python=ast.Mult,
             sql="arithmetic"),
    Operator("/", PRODUCT_LEVEL, runtime.divide, "number", python_by_constant=ast.FloorDiv,
             sql="arithmetic"),
    Operator("%", PRODUCT_LEVEL, runtime.modulo, "number", python_by_constant=ast.Mod,
             sql="arithmetic"),
)
# Other spellings: ``<>`` is ``!=``; ``and``/``or`` are the word forms of ``&&``/``||``
# (looser than every symbol, see the parser).
ALIASES: Mapping[str, str] = MappingProxyType({"<>": "!="})

OPERATORS: Mapping[str, Operator] = MappingProxyType({op.symbol: op for op in BINARY})
LEVELS: tuple[frozenset[str], ...] = tuple(
    frozenset({op.symbol for op in BINARY if op.level == level}
              | {alias for alias, op in ALIASES.items() if OPERATORS[op].level == level})
    for level in range(PRODUCT_LEVEL + 1))
COMPARISONS: frozenset[str] = LEVELS[COMPARISON_LEVEL]
WORDS: frozenset[str] = frozenset(op.symbol for op in BINARY if op.word)
BOOLEAN: frozenset[str] = frozenset(op.symbol for op in BINARY if op.result == "bool")


def by_sql(lowering: str) -> frozenset[str]:
    """The operators whose SQL lowering is ``lowering``."""
    return frozenset(op.symbol for op in BINARY if op.sql == lowering)


def symbol_pattern() -> str:
    """A regular expression alternation of every operator written with symbols, longest
    first (so that ``<=`` is one token, not ``<`` and ``=``)."""
    symbols = [s for s in (*OPERATORS, *ALIASES) if not OPERATORS.get(s, BINARY[0]).word]
    return "|".join(re.escape(s) for s in sorted(symbols, key=len, reverse=True))
