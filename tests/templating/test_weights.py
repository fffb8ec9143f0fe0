"""A loop's weight (the work of one pass through its body, ``templating.walk.work``) is
counted node by node once: a loop in a loop reuses the work its body was found to take
when it was parsed. These check the reused count against a count made afresh."""

from __future__ import annotations

from typing import Any

import pytest

from ladle import templating
from ladle.templating.budget import INTERPRETED
from ladle.templating.tags import for_tag, macro_tag
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


def _afresh(nodes: list[Any]) -> int:
    """``work(nodes)`` with no loop's body work known: every node counted one by one."""
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(WeightedLoop, "body_work", property(lambda loop: None))
        return work(nodes)


def test_loops_in_loops_weigh_what_their_nodes_do() -> None:
    for compiled in (True, False):
        template = templating.Environment(compiled=compiled).from_string(SOURCE)
        loops = _loops(template)
        assert len(loops) == 4
        assert work(template.nodes) == _afresh(template.nodes)
        for node, loop in loops:
            block = node.block.nodes
            assert loop.body_work == _afresh(block)
            assert loop.weight == loop.body_work * (1 if compiled else INTERPRETED)


def test_weights_are_counted_when_first_needed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Not while parsing: interpreted, when a loop or a macro first renders."""
    counted: list[int] = []

    def counting(nodes: Any) -> int:
        counted.append(1)
        return work(nodes)

    monkeypatch.setattr(for_tag, "work", counting)
    monkeypatch.setattr(macro_tag, "work", counting)
    env = templating.Environment(compiled=False)
    template = env.from_string(SOURCE + "{% macro 'm' %}{{ 1 }}{% endmacro %}{% call 'm' %}")
    assert counted == []
    assert template.render(xs=[]) == "empty01"
    assert len(counted) == 5  # the four loops' bodies (the outer one's holds the others), m's
    assert template.render(xs=[]) == "empty01"
    assert len(counted) == 5  # each counted once


def test_compiling_counts_no_weight(monkeypatch: pytest.MonkeyPatch) -> None:
    """A compiled loop's weight is counted when it first renders, not while compiling."""
    counted: list[int] = []

    def counting(nodes: Any) -> int:
        counted.append(1)
        return work(nodes)

    monkeypatch.setattr(for_tag, "work", counting)
    template = templating.Environment().from_string(
        "{% for x in xs %}{% for y in xs %}{{ x }}{{ y }}{% endfor %}{% endfor %}")
    assert template.compiled is not None  # type: ignore[attr-defined]
    assert counted == []
    assert template.render(xs=[1, 2]) == "11122122"
    assert len(counted) == 2  # each loop's body, once
