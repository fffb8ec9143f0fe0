"""The parser's shortcuts for the commonest expressions in templates: a plain path
(``user.name``), read without lexing, and a path or literal through filters with plain
arguments (``title | truncate: 20, '…'``), read from the tokens in one loop instead of the
descent through every level of precedence.

Each gives exactly the tree (spans too) ``Parser`` gives, or None, when the parser reads
the text otherwise or would raise an error: then the parser reads it (tests/grammar/
test_parse_shortcuts.py compares the two on generated text).
"""

from __future__ import annotations

import re

from ladle.grammar.lexer import KEYWORDS, NAME_PATTERN, Token
from ladle.grammar.nodes import Filter, Literal, Member, Name, Node, Pipeline

# Each name taken whole, as the lexer takes it (atomic groups: no backtracking into a
# name), and none starting with white space, which the lexer reads as space (``\u00a0``
# may be in a name).
_PATH = re.compile(rf"\s*+(?>({NAME_PATTERN}))((?:\.(?!\s)(?>{NAME_PATTERN}))*+)\s*+")
_MEMBER = re.compile(rf"\.(?!\s)(?>({NAME_PATTERN}))")
# Digits of an integer that is surely within the language's limit.
_SMALL_INT = 18


def path(source: str, max_depth: int) -> Node | None:
    """``source`` as a plain path: a name that is no keyword, then ``.name``s within the
    depth limit (each ``.`` is a level)."""
    match = _PATH.fullmatch(source)
    if match is None or match.group(1) in KEYWORDS:
        return None
    start, end = match.span(1)
    node: Node = Name(match.group(1), span=(start, end))
    if match.start(2) == match.end(2):
        return node
    members = _MEMBER.findall(source, match.start(2), match.end(2))
    if len(members) > max_depth:
        return None  # the parser says where the nesting goes too deep
    for name in members:
        end += 1 + len(name)
        node = Member(node, name, span=(start, end))
    return node


def filtered(tokens: list[Token], max_depth: int) -> Node | None:
    """The tokens of ``value | name: arg, arg | name …`` (at least one filter), where the
    value and each argument is a path, a string without escapes or a small integer."""
    operand = _operand(tokens, 0)
    if operand is None or tokens[operand[1]].kind != "|":
        return None
    value, index, depth = operand
    filters: list[Filter] = []
    while tokens[index].kind == "|":
        name = tokens[index + 1]
        if name.kind != "NAME":
            return None
        index += 2
        args: list[Node] = []
        level = len(filters) + 1  # each filter is a level, its arguments inside it
        depth = max(depth, level)
        if tokens[index].kind == ":":
            while True:
                operand = _operand(tokens, index + 1)
                if operand is None:
                    return None
                argument, index, dots = operand
                args.append(argument)
                depth = max(depth, level + dots)
                if tokens[index].kind != ",":
                    break
        if tokens[index].kind not in ("|", "EOF"):
            return None
        filters.append(Filter(name.text, tuple(args), (),
                              span=(name.start, tokens[index - 1].end)))
    if tokens[index].kind != "EOF" or depth > max_depth:
        return None
    return Pipeline(value, tuple(filters), span=(tokens[0].start, tokens[index - 1].end))


def _operand(tokens: list[Token], index: int) -> tuple[Node, int, int] | None:
    """The plain operand at ``index``: (its node, the index after it, its dots), if what
    follows it ends it (``|``, ``,`` or the end)."""
    token = tokens[index]
    kind = token.kind
    dots = 0
    node: Node
    if kind == "NAME":
        node = Name(token.text, span=(token.start, token.end))
        index += 1
        while tokens[index].kind == ".":
            member = tokens[index + 1]
            if member.kind != "NAME" and not member.text[:1].isalpha():
                return None
            node = Member(node, member.text, span=(token.start, member.end))
            index += 2
            dots += 1
    elif kind == "STRING" and "\\" not in token.text:
        node = Literal("string", token.text[1:-1], span=(token.start, token.end))
        index += 1
    elif kind == "INT" and len(token.text) <= _SMALL_INT:
        node = Literal("int", int(token.text), span=(token.start, token.end))
        index += 1
    else:
        return None
    if tokens[index].kind not in ("|", ",", "EOF"):
        return None
    return node, index, dots
