"""``{% call 'name' expr, key: expr ... %}``: every argument is an expression.

The node is python-liquid's ``CallNode`` (from ``liquid.extra``), which binds the
arguments to the macro's parameters and renders its block; a call spends the macro's
work from the render's budget first, as a partial does.
"""

from __future__ import annotations

from typing import TextIO

from liquid.builtin.expressions import KeywordArgument, PositionalArgument
from liquid.context import RenderContext
from liquid.extra.tags.macro_tag import CallNode
from liquid.stream import TokenStream
from liquid.tag import Tag
from liquid.token import TOKEN_TAG

from ladle.templating.budget import spend
from ladle.templating.tags.arguments import keyword_argument, name, parts
from ladle.templating.tags.macro_tag import WeightedMacro
from ladle.templating.tags.parsing import expression_token


class WeightedCallNode(CallNode):
    """python-liquid's ``call``, spending the macro's work before rendering it."""

    __slots__ = ()

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        self.spend(context)
        return super().render_to_output(context, buffer)

    async def render_to_output_async(self, context: RenderContext, buffer: TextIO) -> int:
        self.spend(context)
        return await super().render_to_output_async(context, buffer)

    def spend(self, context: RenderContext) -> None:
        macro = context.tag_namespace["macros"].get(self.name)
        if isinstance(macro, WeightedMacro):
            spend(macro.weight)


class CallTag(Tag):
    """Renders a macro defined by ``macro``."""

    name = "call"
    block = False
    node_class = WeightedCallNode

    def parse(self, stream: TokenStream) -> CallNode:
        token = stream.eat(TOKEN_TAG)
        first, *rest = parts(self.env, expression_token(stream, token, consume=False))
        macro = name(first, self.name)
        args: list[PositionalArgument] = []
        kwargs: list[KeywordArgument] = []
        for index, part in enumerate((first, *rest)):
            if index == 0 and part.done:
                continue  # a comma right after the name
            if part.current.kind == "NAME" and part.parser.peek().kind == ":":
                kwargs.append(keyword_argument(part))
            else:
                args.append(PositionalArgument(part.expression("','" if index else "the name")))
            part.finish("an argument")
        return self.node_class(token, macro, args, kwargs)
