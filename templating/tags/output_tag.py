"""``{{ expr }}``: output with the full expression language."""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

from liquid.builtin.expressions import Nil
from liquid.builtin.output import OutputNode
from liquid.expression import Expression
from liquid.stream import TokenStream
from liquid.tag import Tag
from liquid.token import TOKEN_EXPRESSION, TOKEN_OUTPUT

from templating.expression import compile_expression
from templating.text import output_text

if TYPE_CHECKING:
    from liquid.context import RenderContext


class TextOutputNode(OutputNode):
    """An output statement that prints its value as Liquid does (``templating.text``)."""

    __slots__ = ()

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        value = self.expression.evaluate(context)
        return buffer.write(output_text(value, context.autoescape,
                                        context.env.output_stream_limit))

    async def render_to_output_async(self, context: RenderContext, buffer: TextIO) -> int:
        value = await self.expression.evaluate_async(context)
        return buffer.write(output_text(value, context.autoescape,
                                        context.env.output_stream_limit))


class OutputTag(Tag):
    """The pseudo-tag python-liquid dispatches output statements to."""

    name = TOKEN_OUTPUT
    block = False
    node_class = TextOutputNode

    def parse(self, stream: TokenStream) -> OutputNode:
        token = stream.eat(TOKEN_OUTPUT)
        expr_token = stream.expect(TOKEN_EXPRESSION)
        expression: Expression
        if expr_token.value.strip():
            expression = compile_expression(self.env, expr_token)
        else:
            expression = Nil(expr_token)  # `{{ }}` renders nothing, as in Liquid
        return self.node_class(token, expression)
