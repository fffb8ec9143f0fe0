"""``{{ expr }}``: output with the full expression language."""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

from liquid.builtin.expressions import Nil
from liquid.builtin.output import OutputNode
from liquid.expression import Expression
from liquid.stream import TokenStream
from liquid.tag import Tag
from liquid.token import TOKEN_EXPRESSION, TOKEN_OUTPUT

from ladle.grammar.errors import ExpressionError
from ladle.templating.errors import from_expression
from ladle.templating.expression import compile_expression
from ladle.templating.text import output_text

if TYPE_CHECKING:
    from liquid.context import RenderContext


class TextOutputNode(OutputNode):
    """An output statement that prints its value as Liquid does (``templating.text``)."""

    __slots__ = ()

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        return buffer.write(self._text(self.expression.evaluate(context), context))

    async def render_to_output_async(self, context: RenderContext, buffer: TextIO) -> int:
        return buffer.write(self._text(await self.expression.evaluate_async(context), context))

    def _text(self, value: object, context: RenderContext) -> str:
        try:
            return output_text(value, context.autoescape, context.env.output_stream_limit)
        except ExpressionError as error:
            raise from_expression(error, self.expression.token) from error


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
