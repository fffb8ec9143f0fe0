"""``{% tablerow x in expr cols: e limit: e offset: e %}``: read as ladle's ``for`` reads its
loop, so the iterable and every parameter are expressions.

The node is python-liquid's own ``TablerowNode`` (compiled by ``templating.loop_compiler``);
its loop spends its length times the work of its block from the render's budget, as
``for`` does.
"""

from __future__ import annotations

from collections.abc import Iterable

from liquid.ast import Node
from liquid.builtin.tags.for_tag import BreakNode, ContinueNode
from liquid.builtin.tags.tablerow_tag import TablerowNode
from liquid.stream import TokenStream
from liquid.tag import Tag
from liquid.token import TOKEN_TAG

from ladle.templating.tags.for_tag import WeightedLoop, loop_expression
from ladle.templating.tags.parsing import block_parser, expression_token
from ladle.templating.walk import walk_nodes


def interrupts(nodes: Iterable[Node]) -> bool:
    """Whether a ``break`` or ``continue`` is among ``nodes`` (a compiled ``tablerow``
    has none: python-liquid closes the cell after one, unlike a Python ``break``)."""
    return any(type(node) in (BreakNode, ContinueNode) for node in walk_nodes(nodes))


class Tablerow(TablerowNode):
    """python-liquid's node, where a ``cols:`` that is no number (nil, a list) means 0 as
    text that is no number does, instead of a Python ``TypeError``."""

    def _int_or_zero(self, arg: object) -> int:
        try:
            return super()._int_or_zero(arg)
        except TypeError:
            return 0


class TablerowLoop(WeightedLoop):
    """A ``tablerow`` loop's expression: compiled in a compiled template unless its body
    has a ``break`` or ``continue``."""

    __slots__ = ()

    def runs_compiled(self) -> bool:
        return self.compiled and self.body is not None and not interrupts(self.body)


class TablerowTag(Tag):
    """Rows and cells of an HTML table, one cell per item."""

    name = "tablerow"
    end = "endtablerow"
    node_class = Tablerow
    ends = frozenset((end,))

    def parse(self, stream: TokenStream) -> Tablerow:
        token = stream.eat(TOKEN_TAG)
        expression = loop_expression(self.env, expression_token(stream, token), self.name,
                                     TablerowLoop)
        block = block_parser(self.env).parse_block(stream, self.ends)
        stream.expect(TOKEN_TAG, value=self.end)
        expression.body = block.nodes
        return self.node_class(token, expression=expression, block=block)
