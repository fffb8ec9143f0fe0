"""``{% unless %}``: the negation of ``if``, with the same expressions and leniency."""

from __future__ import annotations

from typing import Any

from liquid.builtin.tags.unless_tag import UnlessNode

from ladle.templating.tags.if_tag import IfTag


class UnlessTag(IfTag):
    name = "unless"
    end = "endunless"
    node_class: Any = UnlessNode
