"""``{% assign name = expr %}``: the full expression language on the right."""

from __future__ import annotations

import re

from liquid.builtin.expressions import Identifier
from liquid.builtin.tags.assign_tag import AssignNode
from liquid.stream import TokenStream
from liquid.tag import Tag
from liquid.token import TOKEN_TAG

from ladle.grammar.lexer import NAME_PATTERN
from ladle.templating.errors import at
from ladle.templating.expression import compile_expression
from ladle.templating.tags.parsing import expression_token, syntax_error

# Liquid also accepts names of digits (`{% assign 123 = x %}`); only `["123"]` reads them.
_TARGET = re.compile(rf"\s*(?P<name>{NAME_PATTERN}|[0-9][A-Za-z0-9_\-]*)\s*=(?!=)")


class AssignTag(Tag):
    """Assigns to the template's namespace (visible after loops, isolated in ``render``)."""

    name = "assign"
    block = False
    node_class = AssignNode

    def parse(self, stream: TokenStream) -> AssignNode:
        token = stream.eat(TOKEN_TAG)
        expr_token = expression_token(stream, token, consume=False)
        match = _TARGET.match(expr_token.value)
        if match is None or match.group("name").endswith("?"):
            raise syntax_error(f"expected 'name = expression' after {self.name!r}",
                               expr_token, 0)
        name = Identifier(match.group("name"), token=at(expr_token, match.start("name")))
        value = compile_expression(self.env, expr_token, expr_token.value[match.end():],
                                   match.end())
        return self.node_class(token, name=name, expression=value)
