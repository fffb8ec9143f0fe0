"""``{% macro 'name' param, param: default ... %}...{% endmacro %}``: defaults are expressions.

The node is python-liquid's ``MacroNode`` (from ``liquid.extra``), which keeps the macro
for ``call`` to render; it also keeps the work one call of it takes (``call_tag``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TextIO

from liquid.builtin.expressions import Parameter
from liquid.context import RenderContext
from liquid.extra.tags.macro_tag import Macro, MacroNode
from liquid.stream import TokenStream
from liquid.tag import Tag
from liquid.token import TOKEN_TAG

from ladle.templating.budget import INTERPRETED, PARTIAL_COST
from ladle.templating.errors import at
from ladle.templating.tags.arguments import name, parts
from ladle.templating.tags.parsing import block_parser, expression_token
from ladle.templating.walk import work


@dataclass
class WeightedMacro(Macro):
    """A macro and the work units one call of it spends (``templating.budget``)."""

    weight: int = PARTIAL_COST


class WeightedMacroNode(MacroNode):
    """python-liquid's macro, which spends like a partial each time it is called."""

    __slots__ = ("_weight",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._weight: int | None = None

    @property
    def weight(self) -> int:
        """The work one call spends: a call renders the block interpreted, in a context of
        its own, like a partial (counted when first rendered; two threads may both count
        it, harmlessly)."""
        weight = self._weight
        if weight is None:
            weight = self._weight = PARTIAL_COST + work(self.block.nodes) * INTERPRETED
        return weight

    def render_to_output(self, context: RenderContext, _buffer: TextIO) -> int:
        context.tag_namespace["macros"][self.name] = WeightedMacro(
            args=self.args, block=self.block, weight=self.weight)
        return 0


class MacroTag(Tag):
    """Defines a macro: a block that ``call`` renders with arguments."""

    name = "macro"
    end = "endmacro"
    node_class = WeightedMacroNode

    def parse(self, stream: TokenStream) -> MacroNode:
        token = stream.eat(TOKEN_TAG)
        first, *rest = parts(self.env, expression_token(stream, token))
        macro = name(first, self.name)
        params: dict[str, Parameter] = {}
        for part in (first, *rest):
            while not part.done:  # python-liquid lets spaces separate parameters too
                word = part.word()
                if word is None:
                    raise part.error(f"expected a parameter name, found {part.current.text!r}")
                value = None
                if part.parser.accept(":"):
                    value = part.expression(f"'{word.text}:'")
                params[word.text] = Parameter(at(part.token, part.offset(word)), word.text,
                                              value)
        block = block_parser(self.env).parse_block(stream, (self.end,))
        stream.expect(TOKEN_TAG, value=self.end)
        return self.node_class(token, macro, params, block)
