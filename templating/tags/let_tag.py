"""``{% let name = expr %}``: new in ladle, with ``assign``'s scope, so counters work:
``{% let shown = shown + 1 %}`` needs no initialisation (nil counts as 0)."""

from __future__ import annotations

from liquid.builtin.tags.assign_tag import AssignNode

from ladle.templating.tags.assign_tag import AssignTag


class LetNode(AssignNode):
    def __str__(self) -> str:
        return f"{{% let {self.name} = {self.expression} %}}"


class LetTag(AssignTag):
    name = "let"
    node_class = LetNode
