"""``{% translate %}`` (python-liquid's ``extra`` tag) whose message text holds ladle's
output statements: ``{{ you }}`` is the placeholder ``%(you)s``, as in python-liquid."""

from __future__ import annotations

from liquid.ast import BlockNode
from liquid.builtin.content import ContentNode
from liquid.exceptions import TranslationSyntaxError
from liquid.extra.tags.translate_tag import MessageBlock
from liquid.extra.tags.translate_tag import TranslateTag as LiquidTranslateTag

from ladle.grammar import nodes
from ladle.templating.expression import TemplateExpression
from ladle.templating.tags.output_tag import TextOutputNode


class TranslateTag(LiquidTranslateTag):
    """python-liquid's ``translate`` tag, reading ladle's output statements."""

    def validate_message_block(self, block: BlockNode | None) -> MessageBlock | None:
        if not block:
            return None
        text: list[str] = []
        variables: list[str] = []
        for node in block.nodes:
            if isinstance(node, ContentNode):
                text.append(node.text.replace("%", "%%"))
            elif isinstance(node, TextOutputNode) and \
                    isinstance(node.expression, TemplateExpression):
                tree = node.expression.tree
                if not isinstance(tree, nodes.Name):  # no paths, filters or operators
                    raise TranslationSyntaxError(
                        f"expected a translation variable, found '{node.expression}'",
                        token=node.token)
                text.append(f"%({tree.name})s")
                variables.append(tree.name)
            else:
                raise TranslationSyntaxError("unexpected tag in translation text",
                                             token=node.token)
        message = "".join(text)
        if self.trim_messages:
            message = self.re_whitespace.sub(" ", message.strip())
        return MessageBlock(block, message, variables)
