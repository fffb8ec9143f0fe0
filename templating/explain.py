"""Which operand decided an ``{% if %}``: the conditions of a template line, traced as a
real render evaluates them.

``ladle render --explain-if LINE`` prints these. The template is rendered once, through
its nodes (not its compiled function), with each ``if``/``elsif``/``unless`` condition of
the line wrapped so that every time the render evaluates it, it is also traced over the
scope it sees there (loop variables, ``assign`` and ``let`` included). A condition in a
loop is traced once per pass, up to ``MAX_TRACES`` in all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from liquid.ast import ConditionalBlockNode
from liquid.builtin.tags.if_tag import IfNode
from liquid.builtin.tags.unless_tag import UnlessNode
from liquid.context import RenderContext
from liquid.expression import Expression

from ladle.grammar.errors import line_and_column
from ladle.grammar.trace import Trace, Tracer
from ladle.templating.environment import Environment, Template
from ladle.templating.expression import TemplateExpression, in_context, tracer
from ladle.templating.walk import walk_nodes

__all__ = ["MAX_TRACES", "Condition", "Explained", "explain_if"]

MAX_TRACES = 100


@dataclass(frozen=True)
class Condition:
    """One evaluation of an ``if``/``elsif``/``unless`` condition: its tag, where its
    expression starts (1-based line and column) and its trace."""

    tag: str
    line: int
    column: int
    trace: Trace


@dataclass(frozen=True)
class Explained:
    """The traced evaluations (at most ``MAX_TRACES``), how many evaluations there were,
    and how many conditions the line has."""

    traces: list[Condition]
    evaluations: int
    conditions: int


class _Tracing(Expression):
    """A condition that traces itself each time it is evaluated, then evaluates as before."""

    __slots__ = ("column", "count", "expression", "found", "line", "tag", "tracer")

    def __init__(self, expression: TemplateExpression, tag: str, found: list[Condition],
                 count: list[int]) -> None:
        super().__init__(expression.token)
        self.expression = expression
        self.tag = tag
        self.found = found
        self.count = count
        self.tracer: Tracer = tracer(expression.env, expression.token, expression.escaped)
        token = expression.token
        self.line, self.column = line_and_column(token.source, token.start_index)

    def _trace(self, context: RenderContext) -> None:
        self.count[0] += 1
        if len(self.found) >= MAX_TRACES:
            return
        expression = self.expression
        trace: Trace = in_context(context, lambda scope: self.tracer.trace(
            expression.source, expression.tree, scope), context.scope)
        self.found.append(Condition(self.tag, self.line, self.column, trace))

    def evaluate(self, context: RenderContext) -> object:
        self._trace(context)
        return self.expression.evaluate(context)

    async def evaluate_async(self, context: RenderContext) -> object:
        self._trace(context)
        return await self.expression.evaluate_async(context)

    def children(self) -> list[Expression]:
        return list(self.expression.children())


def explain_if(env: Environment, source: str, line: int, data: Mapping[str, Any], *,
               name: str = "", path: str | Path | None = None) -> Explained:
    """Render ``source`` with ``data`` in ``env`` and trace every evaluation of the
    conditions whose expression covers ``line`` (1-based). Template errors are raised as
    ``render`` raises them."""
    template = env.from_string(source, name=name, path=path)
    assert isinstance(template, Template)
    template.compiled = None  # through the nodes, which call the conditions (this copy only)
    found: list[Condition] = []
    count = [0]
    conditions = 0
    for node in walk_nodes(template.nodes):
        if isinstance(node, IfNode | UnlessNode):
            tag, slot, expression = ("if" if isinstance(node, IfNode) else "unless",
                                     "condition", node.condition)
        elif isinstance(node, ConditionalBlockNode):
            tag, slot, expression = "elsif", "expression", node.expression
        else:
            continue
        if not isinstance(expression, TemplateExpression):
            continue  # a tag from elsewhere, without ladle's expressions
        token = expression.token
        first = line_and_column(token.source, token.start_index)[0]
        if first <= line <= first + token.value.count("\n"):
            setattr(node, slot, _Tracing(expression, tag, found, count))
            conditions += 1
    if conditions:
        template.render(**data)
    return Explained(found, count[0], conditions)
