"""``{% for x in expr limit: n offset: m reversed %}``: bounds and parameters are expressions."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from liquid.ast import BlockNode, Node
from liquid.builtin.expressions import StringLiteral
from liquid.builtin.expressions.loop import LoopExpression
from liquid.builtin.tags.for_tag import ForNode
from liquid.expression import Expression
from liquid.stream import TokenStream
from liquid.tag import Tag
from liquid.token import TOKEN_TAG, Token

from ladle.grammar.lexer import NAME_PATTERN
from ladle.templating.budget import INTERPRETED, spend
from ladle.templating.errors import at
from ladle.templating.expression import compile_expression
from ladle.templating.tags.parsing import block_parser, expression_token, lexemes, syntax_error
from ladle.templating.walk import work

if TYPE_CHECKING:
    from liquid.context import RenderContext

_HEAD = re.compile(rf"\s*(?P<name>{NAME_PATTERN})\s+in\b")
_PARAMETERS = frozenset({"limit", "offset", "cols"})
_PARAMETER_WORDS = re.compile("limit|offset|cols|reversed")


def _before_comma(text: str, start: int, end: int) -> int:
    """The end of ``text[start:end]`` without its trailing spaces and one trailing comma:
    Liquid lets commas separate the loop's parameters (``(1..6), limit: 4, offset: 2``)."""
    part = text[start:end].rstrip()
    if part.endswith(","):
        part = part[:-1]
    return start + len(part)


def _cuts(token: Token, start: int) -> list[tuple[str, int, int]]:
    """Where the text from ``start`` is split: at top-level ``limit:``, ``offset:``,
    ``cols:`` and ``reversed``, as (parameter, start of its word, start of its value)."""
    cuts: list[tuple[str, int, int]] = []
    depth = 0
    items = lexemes(token)
    for index, lexeme in enumerate(items):
        if lexeme.start < start:
            continue
        if lexeme.kind in ("(", "["):
            depth += 1
        elif lexeme.kind in (")", "]"):
            depth -= 1
        elif depth == 0 and lexeme.kind == "NAME":
            following = items[index + 1]
            if lexeme.text in _PARAMETERS and following.kind == ":":
                cuts.append((lexeme.text, lexeme.start, following.end))
            elif lexeme.text == "reversed" and following.kind in ("EOF", "NAME", ","):
                cuts.append(("reversed", lexeme.start, lexeme.end))
    return cuts


class WeightedLoop(LoopExpression):
    """A loop's expression that spends the loop's work from the render's budget when it
    is evaluated: its length times ``weight``, the work of one pass through its body
    (``body_work``, times what interpreting costs more where it is not compiled).

    Both are counted when first asked, from ``body`` (a loop may never be compiled or
    rendered; two threads may both count them, harmlessly)."""

    __slots__ = ("_body_work", "_weight", "body", "compiled")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.body: list[Node] | None = None  # its body's nodes, once parsed
        self.compiled = False  # whether compiled code renders its body
        self._body_work: int | None = None
        self._weight: int | None = None

    @property
    def body_work(self) -> int | None:
        """The work of one pass through its body (``walk.work``); None until it is parsed."""
        if self._body_work is None and self.body is not None:
            self._body_work = work(self.body)
        return self._body_work

    @property
    def weight(self) -> int:
        weight = self._weight
        if weight is None:
            body_work = self.body_work
            if body_work is None:
                return 0
            weight = self._weight = body_work * (1 if self.runs_compiled() else INTERPRETED)
        return weight

    def runs_compiled(self) -> bool:
        """Whether its body is rendered by compiled code (interpreted nodes cost several
        times what compiled code does)."""
        return self.compiled

    def evaluate(self, context: RenderContext) -> tuple[Iterator[object], int]:
        it, length = super().evaluate(context)
        spend(length * self.weight)
        return it, length

    async def evaluate_async(self, context: RenderContext) -> tuple[Iterator[object], int]:
        it, length = await super().evaluate_async(context)
        spend(length * self.weight)
        return it, length


def loop_expression(env: object, token: Token, tag: str = "for",
                    kind: type[WeightedLoop] = WeightedLoop) -> WeightedLoop:
    """Parse ``name in iterable [limit: e] [offset: e | continue] [cols: e] [reversed]``,
    the parameters in any order, optionally separated by commas."""
    text = token.value
    head = _HEAD.match(text)
    if head is None:
        raise syntax_error(f"expected 'name in expression' after {tag!r}", token, 0)
    # Without the words, no parameter: the text is not lexed here (only as the iterable).
    cuts = _cuts(token, head.end()) if _PARAMETER_WORDS.search(text, head.end()) else []
    ends = [start for _, start, _ in cuts] + [len(text)]
    iterable_end = _before_comma(text, head.end(), ends[0])
    if not text[head.end():iterable_end].strip():
        raise syntax_error("expected an expression after 'in'", token, head.end())
    iterable = compile_expression(env, token, text[head.end():iterable_end], head.end())  # type: ignore[arg-type]
    values: dict[str, Expression] = {}
    is_reversed = False
    for (parameter, start, value_start), end in zip(cuts, ends[1:], strict=True):
        if parameter in values or (parameter == "reversed" and is_reversed):
            raise syntax_error(f"{parameter!r} is given twice", token, start)
        if parameter == "reversed":
            is_reversed = True
            continue
        value_text = text[value_start:_before_comma(text, value_start, end)]
        if parameter == "offset" and value_text.strip() == "continue":
            values[parameter] = StringLiteral(at(token, value_start), "continue")
        else:
            values[parameter] = compile_expression(env, token, value_text, value_start)  # type: ignore[arg-type]
    loop = kind(
        at(token, 0), head.group("name"), iterable, limit=values.get("limit"),
        offset=values.get("offset"), reversed_=is_reversed, cols=values.get("cols"))
    loop.compiled = bool(getattr(env, "compile_templates", False))
    return loop


class ForTag(Tag):
    name = "for"
    end = "endfor"
    node_class = ForNode
    # The tags its body, and its `else` block, end at.
    body_ends = frozenset((end, "else"))
    else_ends = frozenset((end,))

    def parse(self, stream: TokenStream) -> Node:
        token = stream.eat(TOKEN_TAG)
        expression = loop_expression(self.env, expression_token(stream, token))
        parse_block = block_parser(self.env).parse_block
        block = parse_block(stream, self.body_ends)
        default: BlockNode | None = None
        if stream.current.is_tag("else"):
            next(stream)
            default = parse_block(stream, self.else_ends)
        stream.expect(TOKEN_TAG, value=self.end)
        expression.body = block.nodes
        return self.node_class(token, expression=expression, block=block, default=default)
