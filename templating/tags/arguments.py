"""Reading the arguments of ``render``, ``include``, ``cycle``, ``with``, ``macro`` and ``call``.

A tag's argument text is split at its top-level commas (a comma outside brackets always
starts the tag's next argument: a filter given several arguments goes in parentheses),
and each part is read left to right: names, ``name:`` keys and values, where a value is
one of ladle's expressions and ends where a complete expression cannot go on
(``{% render 'row' with item as row %}``, ``{% cycle 'group': 'a' %}``). Lexing and
parsing take time linear in the text: the tag is lexed once, and each expression is parsed
where it is met (and once more, from its own text, as every template expression is).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from liquid.builtin.expressions import Identifier, KeywordArgument, Nil, StringLiteral
from liquid.builtin.expressions.primitive import (
    FalseLiteral,
    FloatLiteral,
    IntegerLiteral,
    TrueLiteral,
)
from liquid.expression import Expression
from liquid.token import Token

from ladle.grammar import nodes
from ladle.grammar.errors import ExpressionError
from ladle.grammar.lexer import Token as Lexeme
from ladle.grammar.lexer import unescape
from ladle.grammar.parser import Parser, with_stack
from ladle.templating.errors import TemplateSyntaxError, at, from_expression
from ladle.templating.expression import TemplateExpression, compile_expression
from ladle.templating.tags.parsing import lexemes

if TYPE_CHECKING:
    from liquid import Environment

_OPENING = frozenset({"(", "["})
# A lone `=`: not part of `==`, `!=`, `<=` or `>=`.
_ASSIGNMENT = re.compile(r"(?<![=!<>])=(?!=)")
_CLOSING = frozenset({")", "]"})
# Lexemes that are a whole expression on their own.
_SINGLE = frozenset({"NAME", "STRING", "INT", "FLOAT", "true", "false", "nil", "null", "empty",
                     "blank"})


def _found(lexeme: Lexeme) -> str:
    return "the end of the tag" if lexeme.kind == "EOF" else repr(lexeme.text)


class Part:
    """One comma-separated part of a tag's arguments, read from left to right."""

    def __init__(self, env: Environment, token: Token, lexemes: list[Lexeme], end: int) -> None:
        self.env = env
        self.token = token
        # A parser over the part's lexemes (offsets into the tag's whole text), ending
        # where the part ends.
        self.parser = Parser("", liquid=True)
        self.parser.source = token.value
        self.parser.tokens = [*lexemes, Lexeme("EOF", "", end, end)]

    @property
    def current(self) -> Lexeme:
        return self.parser.current

    @property
    def done(self) -> bool:
        return self.parser.current.kind == "EOF"

    def offset(self, lexeme: Lexeme | None = None) -> int:
        """Where ``lexeme`` (the current one by default) starts in the tag's text."""
        return (self.parser.current if lexeme is None else lexeme).start

    def error(self, message: str, lexeme: Lexeme | None = None) -> TemplateSyntaxError:
        return TemplateSyntaxError(message, token=at(self.token, self.offset(lexeme)))

    def word(self, *words: str) -> Lexeme | None:
        """The next lexeme if it is a name (one of ``words``, when given): consumed."""
        current = self.parser.current
        if current.kind == "NAME" and (not words or current.text in words):
            return self.parser.advance()
        return None

    def key(self) -> Lexeme | None:
        """The name of a ``name: value`` argument, when one comes next: it and its colon
        are consumed."""
        if self.parser.current.kind == "NAME" and self.parser.peek().kind == ":":
            name = self.parser.advance()
            self.parser.advance()
            return name
        return None

    def expression(self, after: str) -> Expression:
        """The expression that starts here, up to where a complete expression ends;
        ``after`` names what comes before it, for the error when there is none."""
        parser = self.parser
        first = parser.index
        if parser.current.kind in ("EOF", ":", ","):
            raise self.error(f"expected an expression after {after}, "
                             f"found {_found(parser.current)}")

        def parse() -> int:
            parser.index, parser.depth = first, 0  # afresh, if run again with more stack
            parser.pipeline()
            return parser.tokens[parser.index - 1].end

        source = parser.source
        try:
            if parser.peek().kind == "EOF" and parser.current.kind in _SINGLE:
                end = parser.advance().end  # one literal or name: nothing to parse twice
            else:
                end = with_stack(parse, levels=parser.max_depth, source=source)
        except ExpressionError as error:
            raise from_expression(error, self.token) from None
        begin = parser.tokens[first].start
        return constant(compile_expression(self.env, self.token, source[begin:end], begin))

    def finish(self, what: str) -> None:
        """Nothing may follow in this part but the end of the tag or a comma."""
        if not self.done:
            raise self.error(f"unexpected {self.current.text!r} after {what}: "
                             "expected ',' or the end of the tag")


def parts(env: Environment, token: Token) -> list[Part]:
    """The comma-separated parts of ``token``'s text. The first may be empty (a comma
    right after the tag's name) and one empty part at the end is dropped (a trailing
    comma); an empty part between two commas is an error."""
    found: list[Part] = []
    depth = 0
    start = 0
    # With python-liquid's `keyword_assignment`, `n=1` is `n: 1`. Only the lexemes are
    # read from the changed text (a string's text is read from the tag's own).
    items = lexemes(token, _ASSIGNMENT.sub(":", token.value) if env.keyword_assignment
                    else None)
    for index, lexeme in enumerate(items):
        kind = lexeme.kind
        if kind == "EOF" or (kind == "," and depth == 0):
            found.append(Part(env, token, items[start:index], lexeme.start))
            start = index + 1
        elif kind in _OPENING:
            depth += 1
        elif kind in _CLOSING:
            depth -= 1
    if len(found) > 1 and found[-1].done:
        found.pop()
    for part in found[1:]:
        if part.done:
            raise part.error("expected an argument between two commas")
    return found


def keyword_arguments(found: list[Part]) -> list[KeywordArgument]:
    """``name: value`` arguments, one a part; the first part may be read through already
    (what the tag took from it before its arguments, or nothing before a comma)."""
    args: list[KeywordArgument] = []
    for index, part in enumerate(found):
        if index == 0 and part.done:
            continue
        args.append(keyword_argument(part))
        part.finish(f"the value of {args[-1].name!r}")
    return args


def keyword_argument(part: Part) -> KeywordArgument:
    """The ``name: value`` argument that comes next in ``part``."""
    key = part.key()
    if key is None:
        hint = ""
        if part.current.kind != "NAME":
            hint = (" (a comma outside brackets starts the tag's next argument: put a "
                    "filter that takes several arguments in parentheses)")
        raise part.error(f"expected 'name: value', found {_found(part.current)}{hint}")
    value = part.expression(f"'{key.text}:'")
    return KeywordArgument(at(part.token, part.offset(key)), key.text, value)


def constant(value: TemplateExpression) -> Expression:
    """A literal as python-liquid's own literal expression, which evaluates to what ladle's
    would without being compiled first (a tag may hold thousands of values); a string
    literal also becomes what python-liquid's static analysis and ``ladle check`` take for
    a partial named literally. Anything else as it is."""
    tree = value.tree
    if not isinstance(tree, nodes.Literal):
        return value
    token = value.token
    literal = tree.value
    if tree.kind == "string" and isinstance(literal, str):
        return StringLiteral(token, literal)
    if tree.kind == "int" and isinstance(literal, int):
        return IntegerLiteral(token, literal)
    if tree.kind == "float" and isinstance(literal, float):
        return FloatLiteral(token, literal)
    if tree.kind == "bool":
        return TrueLiteral(token) if literal else FalseLiteral(token)
    if tree.kind == "nil":
        return Nil(token)
    return value


def name(part: Part, tag: str) -> Identifier:
    """A macro's name: a quoted string or one word (python-liquid's ``parse_name``)."""
    current = part.current
    if current.kind == "STRING":
        literal = string(part)
        return Identifier(literal.value, token=literal.token)
    if current.kind == "NAME" and part.parser.peek().kind not in (".", "["):
        part.parser.advance()
        return Identifier(current.text, token=at(part.token, part.offset(current)))
    raise part.error(f"expected a name after {tag!r}, found {_found(current)}")


def string(part: Part) -> StringLiteral:
    """The quoted string that comes next (the current lexeme is one): consumed."""
    current = part.parser.advance()
    source = part.parser.source
    text = unescape(source[current.start:current.end], source, current.start)
    return StringLiteral(at(part.token, part.offset(current)), text)


def binding(part: Part) -> tuple[Expression | None, bool, Identifier | None]:
    """``with expr [as name]`` or ``for expr [as name]`` after a partial's name, if it is
    there: (the expression, whether it is ``for``, the name it is bound to)."""
    if part.parser.peek().kind == ":":  # `with: 1` is an argument named `with`
        return None, False, None
    word = part.word("with", "for")
    if word is None:
        return None, False, None
    value = part.expression(repr(word.text))
    alias: Identifier | None = None
    if part.word("as") is not None:
        current = part.current
        if current.kind != "NAME":
            raise part.error(f"expected a name after 'as', found {_found(current)}")
        part.parser.advance()
        alias = Identifier(current.text, token=at(part.token, part.offset(current)))
    return value, word.text == "for", alias
