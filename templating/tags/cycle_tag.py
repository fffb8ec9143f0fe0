"""``{% cycle [group:] expr, expr ... %}``: the group and every value are expressions.

The node is python-liquid's own ``CycleNode``: each render of the tag prints the next of
its values, counted per group (or per list of values, without a group).
"""

from __future__ import annotations

from liquid.builtin.tags.cycle_tag import CycleNode
from liquid.expression import Expression
from liquid.stream import TokenStream
from liquid.tag import Tag
from liquid.token import TOKEN_TAG

from ladle.templating.tags.arguments import parts
from ladle.templating.tags.parsing import expression_token, syntax_error


class CycleTag(Tag):
    """Prints its values in turn, one per render."""

    name = "cycle"
    block = False
    node_class = CycleNode

    def parse(self, stream: TokenStream) -> CycleNode:
        token = stream.eat(TOKEN_TAG)
        arguments = expression_token(stream, token, consume=False)
        first, *rest = parts(self.env, arguments)
        group: Expression | None = None
        values: list[Expression] = []
        if not first.done:
            value = first.expression(repr(self.name))
            if first.parser.accept(":"):
                group = value
            else:
                values.append(value)
                first.finish("a value")
        if group is not None and not first.done:
            values.append(first.expression("the group's ':'"))
            first.finish("a value")
        for part in rest:
            values.append(part.expression("','"))
            part.finish("a value")
        if not values:
            raise syntax_error("expected at least one value to cycle through", arguments, 0)
        return self.node_class(token, group, values)
