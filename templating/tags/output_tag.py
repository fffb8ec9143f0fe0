"""``{{ expr }}``: output with the full expression language."""

from __future__ import annotations

from liquid.builtin.expressions import Nil
from liquid.builtin.output import OutputNode
from liquid.expression import Expression
from liquid.stream import TokenStream
from liquid.tag import Tag
from liquid.token import TOKEN_EXPRESSION, TOKEN_OUTPUT

from templating.expression import compile_expression


class OutputTag(Tag):
    """The pseudo-tag python-liquid dispatches output statements to."""

    name = TOKEN_OUTPUT
    block = False
    node_class = OutputNode

    def parse(self, stream: TokenStream) -> OutputNode:
        token = stream.eat(TOKEN_OUTPUT)
        expr_token = stream.expect(TOKEN_EXPRESSION)
        expression: Expression
        if expr_token.value.strip():
            expression = compile_expression(self.env, expr_token)
        else:
            expression = Nil(expr_token)  # `{{ }}` renders nothing, as in Liquid
        return self.node_class(token, expression)
