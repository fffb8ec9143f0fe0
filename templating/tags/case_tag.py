"""``{% case expr %}{% when a, b %}``: the subject and the ``when`` values are expressions."""

from __future__ import annotations

from collections.abc import Iterable

from liquid.ast import BlockNode, Node
from liquid.builtin.tags.case_tag import CaseNode, MultiExpressionBlockNode
from liquid.context import RenderContext
from liquid.expression import Expression
from liquid.stream import TokenStream
from liquid.tag import Tag
from liquid.token import TOKEN_EOF, TOKEN_TAG, Token

from ladle.grammar.runtime import liquid_equals
from ladle.templating.expression import compile_expression
from ladle.templating.tags.parsing import (
    block_parser,
    expression_token,
    split_top_level,
    syntax_error,
)

# `when a, b` and `when a or b` both list alternatives, as in Liquid.
_WHEN_SEPARATORS = frozenset({",", "or"})
# Liquid's list of alternatives ends at a top-level `and`; what follows is ignored.
_WHEN_END = "and"


class AnyOf(Expression):
    """For each ``when`` value, whether it equals the subject (Liquid equality)."""

    __slots__ = ("choices", "subject")

    def __init__(self, token: Token, subject: Expression, choices: list[Expression]) -> None:
        super().__init__(token)
        self.subject = subject
        self.choices = choices

    def __str__(self) -> str:
        return ", ".join(str(choice) for choice in self.choices)

    def evaluate(self, context: RenderContext) -> list[bool]:
        subject = self.subject.evaluate(context)
        return [liquid_equals(subject, choice.evaluate(context)) for choice in self.choices]

    def children(self) -> Iterable[Expression]:
        return [self.subject, *self.choices]


class CaseTag(Tag):
    """Every ``when`` that matches renders, then ``else`` if none did, as in Liquid."""

    name = "case"
    end = "endcase"
    node_class = CaseNode

    def parse(self, stream: TokenStream) -> Node:
        token = stream.eat(TOKEN_TAG)
        subject = compile_expression(self.env, expression_token(stream, token))
        stops = frozenset((self.end, "when", "else", TOKEN_EOF))
        while stream.current.kind not in (TOKEN_TAG, TOKEN_EOF):
            next(stream)  # text between `case` and the first `when` is dropped
        parse_block = block_parser(self.env).parse_block
        blocks: list[MultiExpressionBlockNode | BlockNode] = []
        while not stream.current.is_tag(self.end):
            if stream.current.is_tag("else"):
                next(stream)
                blocks.append(parse_block(stream, stops))
            elif stream.current.is_tag("when"):
                when = next(stream)
                values = expression_token(stream, when)
                choices = [compile_expression(self.env, values, values.value[a:b], a)
                           for a, b in split_top_level(values, _WHEN_SEPARATORS, _WHEN_END)]
                blocks.append(MultiExpressionBlockNode(
                    when, parse_block(stream, stops), AnyOf(when, subject, choices)))  # type: ignore[arg-type]
            elif stream.current.kind == TOKEN_EOF:  # placed at the `case` by the environment
                stream.expect(TOKEN_TAG, value=self.end)
            else:
                raise syntax_error(f"unexpected {stream.current.value!r} in 'case'",
                                   stream.current, 0)
        stream.expect(TOKEN_TAG, value=self.end)
        return self.node_class(token, subject, blocks)
