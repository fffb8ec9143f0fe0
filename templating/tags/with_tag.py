"""``{% with key: expr, ... %}...{% endwith %}``: names whose values are expressions, for the
block inside only.

The node is python-liquid's own ``WithNode`` (from ``liquid.extra``).
"""

from __future__ import annotations

from liquid.ast import Node
from liquid.extra import WithTag as LiquidWithTag
from liquid.stream import TokenStream
from liquid.tag import Tag
from liquid.token import TOKEN_EOF, TOKEN_TAG

from ladle.templating.tags.arguments import keyword_arguments, parts
from ladle.templating.tags.parsing import block_parser, expression_token

# python-liquid's node (its module is private to python-liquid; its tag names it).
WithNode = LiquidWithTag.node_class


class WithTag(Tag):
    """Gives its block names of its own."""

    name = "with"
    end = "endwith"
    node_class = WithNode

    def parse(self, stream: TokenStream) -> Node:
        token = stream.eat(TOKEN_TAG)
        args = keyword_arguments(parts(self.env, expression_token(stream, token)))
        block = block_parser(self.env).parse_block(stream, (self.end, TOKEN_EOF))
        stream.expect(TOKEN_TAG, value=self.end)
        return self.node_class(token, args=args, block=block)
