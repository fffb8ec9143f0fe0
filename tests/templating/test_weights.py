"""A loop's weight (the work of one pass through its body, ``templating.walk.work``) is
counted node by node once: a loop in a loop reuses the work its body was found to take
when it was parsed. These check the reused count against a count made afresh."""

from __future__ import annotations

from typing import Any

from ladle import templating
from ladle.templating.budget import INTERPRETED
from ladle.templating.tags.for_tag import WeightedLoop
from ladle.templating.walk import walk_nodes, work

SOURCE = """{% for a in xs %}{{ a.name | upcase }}{% for b in a.items %}
{% if b.ok %}{{ b.price | times: 2 | round }}{% else %}-{% endif %}
{% tablerow c in b.cells cols: 2 %}{{ c | default: "x" }}{% endtablerow %}
{% for d in b.tags limit: 2 %}{{ d }}{% else %}none{% endfor %}{% endfor %}
{% else %}empty{% endfor %}{% assign n = xs | size %}{{ n }}"""


def _loops(template: Any) -> list[tuple[Any, WeightedLoop]]:
    found = []
    for node in walk_nodes(template.nodes):
        loop = getattr(node, "expression", None)
        if isinstance(loop, WeightedLoop):
            found.append((node, loop))
    return found


def _afresh(nodes: list[Any], loops: list[tuple[Any, WeightedLoop]]) -> int:
    """``work(nodes)`` with no loop's body work known: every node counted one by one."""
    known = [loop.body_work for _, loop in loops]
    for _, loop in loops:
        loop.body_work = None
    try:
        return work(nodes)
    finally:
        for (_, loop), body in zip(loops, known, strict=True):
            loop.body_work = body


def test_loops_in_loops_weigh_what_their_nodes_do() -> None:
    for compiled in (True, False):
        template = templating.Environment(compiled=compiled).from_string(SOURCE)
        loops = _loops(template)
        assert len(loops) == 4
        assert work(template.nodes) == _afresh(template.nodes, loops)
        for node, loop in loops:
            block = node.block.nodes
            assert loop.body_work == _afresh(block, loops)
            assert loop.weight == loop.body_work * (1 if compiled else INTERPRETED)
