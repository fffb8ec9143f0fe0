"""``{% include name [with|for expr [as name]], key: expr ... %}``: the name and every
argument are expressions.

The node is python-liquid's own ``IncludeNode``, holding ladle's expressions: the partial
shares the including template's scope, as in python-liquid.
"""

from __future__ import annotations

from liquid.builtin.tags.include_tag import IncludeNode
from liquid.stream import TokenStream
from liquid.tag import Tag
from liquid.token import TOKEN_TAG

from ladle.templating.tags.arguments import binding, keyword_arguments, parts
from ladle.templating.tags.parsing import expression_token


class IncludeTag(Tag):
    """Renders a partial in the including template's scope."""

    name = "include"
    block = False
    node_class = IncludeNode

    def parse(self, stream: TokenStream) -> IncludeNode:
        token = stream.eat(TOKEN_TAG)
        found = parts(self.env, expression_token(stream, token, consume=False))
        name = found[0].expression(repr(self.name))
        value, _, alias = binding(found[0])  # `for` binds as `with` does: Liquid's way
        return self.node_class(token, name, value, alias, keyword_arguments(found))
