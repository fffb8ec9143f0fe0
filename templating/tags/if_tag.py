"""``{% if %}{% elsif %}{% else %}{% endif %}`` with full expressions and Liquid truthiness."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from liquid.ast import BlockNode, ConditionalBlockNode, Node
from liquid.builtin.tags.if_tag import IfNode
from liquid.stream import TokenStream
from liquid.tag import Tag
from liquid.token import TOKEN_EOF, TOKEN_EXPRESSION, TOKEN_TAG

from ladle.templating.expression import compile_expression
from ladle.templating.tags.parsing import block_parser, expression_token

if TYPE_CHECKING:
    from liquid import Environment


class IfTag(Tag):
    """Like Liquid's own ``if``, lax about an expression after ``else`` and about extra
    ``else``/``elsif`` blocks (they are ignored), so standard templates keep working."""

    name = "if"
    end = "endif"
    node_class: Any = IfNode

    def __init__(self, env: Environment) -> None:
        super().__init__(env)
        # The tags its blocks end at (the first also at the end of the template).
        self.stops = frozenset((self.end, "elsif", "else"))
        self.first_stops = self.stops | {TOKEN_EOF}

    def parse(self, stream: TokenStream) -> Node:
        token = stream.eat(TOKEN_TAG)
        condition = compile_expression(self.env, expression_token(stream, token),
                                       condition=True)
        parse_block = block_parser(self.env).parse_block
        stops = self.stops
        consequence = parse_block(stream, self.first_stops)
        alternatives: list[ConditionalBlockNode] = []
        while stream.current.is_tag("elsif"):
            elsif = next(stream)
            expression = compile_expression(self.env, expression_token(stream, elsif),
                                            condition=True)
            block_token = stream.current
            alternatives.append(ConditionalBlockNode(
                block_token, expression=expression, block=parse_block(stream, stops)))
        default: BlockNode | None = None
        if stream.current.is_tag("else"):
            next(stream)
            if stream.current.kind == TOKEN_EXPRESSION:
                next(stream)  # Liquid ignores an expression after `else`
            default = parse_block(stream, stops)
        while stream.current.kind != TOKEN_EOF and not stream.current.is_tag(self.end):
            next(stream)  # Liquid ignores blocks after `else`
        stream.expect(TOKEN_TAG, value=self.end)
        return self.node_class(token, condition, consequence, alternatives, default)  # type: ignore[no-any-return]
