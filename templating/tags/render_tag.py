"""``{% render 'name' [with|for expr [as name]], key: expr ... %}``: every argument is an
expression.

The node is python-liquid's own ``RenderNode``, holding ladle's expressions: it renders the
partial in its own isolated scope exactly as python-liquid does, and a compiled template
renders it straight into its output (``templating.compiler``).
"""

from __future__ import annotations

from liquid.builtin.expressions import Identifier, StringLiteral
from liquid.builtin.tags.render_tag import RenderNode
from liquid.stream import TokenStream
from liquid.tag import Tag
from liquid.token import TOKEN_TAG

from ladle.templating.errors import at
from ladle.templating.tags.arguments import Part, binding, keyword_arguments, parts, string
from ladle.templating.tags.parsing import expression_token


def partial_name(part: Part, tag: str) -> StringLiteral | Identifier:
    """A partial named by a quoted string, or a variable holding an inline snippet
    (python-liquid's ``snippet`` tag)."""
    current = part.current
    if current.kind == "NAME" and part.parser.peek().kind not in (".", "[", ":"):
        part.parser.advance()
        return Identifier(current.text, token=at(part.token, part.offset(current)))
    if current.kind != "STRING":
        raise part.error(f"expected the name of a partial, in quotes, after {tag!r}")
    return string(part)


class RenderTag(Tag):
    """Renders a partial in a scope of its own, holding only the arguments given."""

    name = "render"
    block = False
    node_class = RenderNode

    def parse(self, stream: TokenStream) -> RenderNode:
        token = stream.eat(TOKEN_TAG)
        found = parts(self.env, expression_token(stream, token, consume=False))
        name = partial_name(found[0], self.name)
        value, loop, alias = binding(found[0])
        return self.node_class(token, name, var=value, loop=loop, alias=alias,
                               args=keyword_arguments(found))
