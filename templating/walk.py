"""The nodes inside a template's nodes, and how much work rendering them once takes."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import cast

from liquid.ast import BlockNode, ConditionalBlockNode, Node
from liquid.builtin.content import ContentNode
from liquid.builtin.output import OutputNode
from liquid.builtin.tags.assign_tag import AssignNode
from liquid.builtin.tags.case_tag import CaseNode, MultiExpressionBlockNode
from liquid.builtin.tags.if_tag import IfNode
from liquid.builtin.tags.include_tag import IncludeNode
from liquid.builtin.tags.render_tag import RenderNode
from liquid.builtin.tags.unless_tag import UnlessNode

from ladle.templating.tags.echo_tag import TextEchoNode
from ladle.templating.tags.output_tag import TextOutputNode


def walk_nodes(nodes: Iterable[Node]) -> Iterator[Node]:
    """Every node of ``nodes`` and of the blocks inside them, parents first."""
    pending = [iter(nodes)]
    while pending:
        node = next(pending[-1], None)
        if node is None:
            pending.pop()
            continue
        yield node
        children = child_nodes(node)
        if children:
            pending.append(iter(children))


def child_nodes(node: Node) -> list[Node]:
    """The nodes directly inside ``node``: its blocks, or a block's nodes."""
    kind = type(node)
    if kind in _NO_BLOCKS:  # the commonest: answered before the (slow) abstract-class tests
        return []
    if kind is BlockNode:
        return list(cast(BlockNode, node).nodes)
    if isinstance(node, BlockNode):
        return list(node.nodes)
    if isinstance(node, IfNode | UnlessNode):
        blocks: list[Node] = [node.consequence, *node.alternatives]
        return blocks + ([node.default] if node.default else [])
    if isinstance(node, ConditionalBlockNode | MultiExpressionBlockNode):
        return [node.block]
    if isinstance(node, CaseNode):
        return list(node.blocks)
    # `for`, `tablerow`, `capture` and other block tags: their block and `else` block.
    found: list[Node] = []
    for name in ("block", "default"):
        child = getattr(node, name, None)
        if isinstance(child, Node):
            found.append(child)
    return found


# Nodes that hold no block (plain text, output, assignment, a partial by name).
_NO_BLOCKS = frozenset({ContentNode, TextOutputNode, TextEchoNode, OutputNode, AssignNode,
                        RenderNode, IncludeNode})


# Units for a filter or function call in an expression: calls cost several times what
# an operator or a variable does.
CALL_COST = 8


def work(nodes: Iterable[Node]) -> int:
    """Work units to render ``nodes`` once (``templating.budget``): one per node and per
    part of each of its expressions, ``CALL_COST`` per filter or function call. A loop
    knows the work of its body once parsed (``WeightedLoop.body_work``): a loop in a loop
    is not counted again node by node."""
    total = 0
    pending = list(nodes)
    while pending:
        node = pending.pop()
        total += 1
        for expression in node.expressions():
            shape = getattr(expression, "shape", None)  # ladle's expressions have one
            if shape is not None:
                total += shape.nodes + (CALL_COST - 1) * shape.calls
        children = child_nodes(node)
        if not children:
            continue
        known = getattr(getattr(node, "expression", None), "body_work", None)
        if known is not None:
            block = node.block  # type: ignore[attr-defined]
            total += 1 + known  # the block (a node with no expressions) and its nodes
            children = [child for child in children if child is not block]
        pending.extend(children)
    return total
