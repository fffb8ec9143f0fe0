"""``{% echo expr %}``: output inside ``{% liquid %}`` blocks."""

from __future__ import annotations

from liquid.builtin.expressions import Nil
from liquid.builtin.tags.echo_tag import EchoNode
from liquid.expression import Expression
from liquid.stream import TokenStream
from liquid.tag import Tag
from liquid.token import TOKEN_EXPRESSION, TOKEN_TAG

from ladle.templating.expression import compile_expression
from ladle.templating.tags.output_tag import TextOutputNode


class TextEchoNode(TextOutputNode, EchoNode):
    """``{% echo %}``, printing its value as Liquid does (``templating.text``)."""

    __slots__ = ()


class EchoTag(Tag):
    """``{% echo %}`` with no expression renders nothing."""

    name = "echo"
    block = False
    node_class = TextEchoNode

    def parse(self, stream: TokenStream) -> EchoNode:
        token = stream.eat(TOKEN_TAG)
        expression: Expression
        if stream.current.kind == TOKEN_EXPRESSION:
            expression = compile_expression(self.env, stream.current)
        else:
            expression = Nil(token)
        return self.node_class(token, expression)
