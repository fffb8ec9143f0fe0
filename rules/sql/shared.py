"""Common subexpressions of a rule set's SQL, each computed once per record.

Rules repeat computations: ``(id % 100) >= 48 && (id % 100) <= 96`` in one rule, the same
``slot(id, 3)`` in several. Neither DuckDB nor Spark shares them across the CASE
expressions of a projection, and exact arithmetic is dear (``id % 100`` over a 128-bit
integer is a CASE of three casts). ``Shared(trees, dialect)`` finds the arithmetic and
function calls that occur more than once in the trees; the compiler given it
(``rule_sql(..., shared=...)``) writes each such value's SQL once, as a column of an
inner SELECT (``wrap``), and the rules read that column.

Only values whose SQL cannot fail the query are moved (no call of the dialect's failing
function in them): a moved value is computed for every record, also where a CASE would
have skipped it. Their SQL is the same text, so the answer is the same.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import replace

from ladle.grammar import operators
from ladle.grammar.nodes import Binary, Call, Node, Unary
from ladle.rules.sql.dialect import Dialect
from ladle.rules.sql.values import Value

__all__ = ["Shared"]

_ARITHMETIC = frozenset(op.symbol for op in operators.BINARY if op.sql == "arithmetic")
# Shorter SQL (a column, a cast of one) costs less to compute again than to carry.
_SHORTEST = 40


def _computed(node: Node) -> bool:
    """Whether ``node`` computes a value worth sharing (arithmetic, a function call)."""
    match node:
        case Binary(op=op):
            return op in _ARITHMETIC
        case Call():
            return True
        case Unary(op="-"):
            return True
    return False


def _children(node: Node) -> Iterator[Node]:
    for name in type(node).__match_args__:
        child = getattr(node, name, None)
        if isinstance(child, Node):
            yield child
        elif isinstance(child, tuple):
            yield from (item for item in child if isinstance(item, Node))


class Shared:
    """The shared values of one query: built for its rule trees, filled by the compiler
    as it writes them, then ``wrap`` puts their columns under the query's source. One
    per query, used by one thread."""

    def __init__(self, trees: Iterable[Node], dialect: Dialect, prefix: str) -> None:
        counts: Counter[Node] = Counter()
        pending = list(trees)
        while pending:
            node = pending.pop()
            if _computed(node):
                counts[node] += 1
            pending.extend(_children(node))
        self._repeated = frozenset(node for node, count in counts.items() if count > 1)
        self._dialect = dialect
        self._prefix = prefix
        self._names: dict[str, str] = {}  # SQL text -> its column
        self._layers: list[list[str]] = []  # per layer, "text AS column"
        self._depth: dict[str, int] = {}  # column -> its layer

    def value(self, node: Node, value: Value) -> Value:
        """``value`` (the compiled ``node``) reading shared columns where it repeats."""
        if (not _computed(node) or value.is_const or not value.scalar or not value.slots
                or node not in self._repeated):
            return value
        fail = self._dialect.fail("")
        fail = fail[:fail.index("(") + 1]
        if any(len(text) < _SHORTEST or fail in text for text in value.slots.values()):
            return value
        slots = {kind: self._column(text) for kind, text in value.slots.items()}
        # truth and nil_test are shortcuts from the slots' own SQL: the slots now do
        return replace(value, slots=slots, truth=None, nil_test=None)

    def _column(self, text: str) -> str:
        known = self._names.get(text)
        if known is not None:
            return known
        name = self._dialect.identifier(f"{self._prefix}{len(self._names)}")
        # after the columns it reads (a literal spelling a name only puts it later)
        depth = 1 + max((self._depth[other] for other in self._depth if other in text),
                        default=-1)
        if depth == len(self._layers):
            self._layers.append([])
        self._layers[depth].append(f"{text} AS {name}")
        self._names[text] = name
        self._depth[name] = depth
        return name

    def wrap(self, source: str) -> str:
        """``source`` (a parenthesized query) with the shared columns beside its own."""
        for depth, layer in enumerate(self._layers):
            alias = self._dialect.identifier(f"{self._prefix}t{depth}")
            source = f"(SELECT *, {', '.join(layer)} FROM {source} AS {alias})"
        return source
