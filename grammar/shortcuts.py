"""The parser's shortcuts for the commonest expressions in templates, read from the text by
regular expressions, without lexing (most of a short expression's cost to parse):

* ``path``: a plain path (``user.name``);
* ``simple``: one or two operands joined by a binary operator, through filters with plain
  arguments (``title | truncate: 20, '…'``, ``item.minutes > 10``,
  ``cents / 100.0 | money: currency``). An operand is a path, a literal word, a string
  without escapes or a number, after at most one ``!`` or ``-``.

Each gives exactly the tree (spans too) ``Parser`` gives, or None, when the parser reads
the text otherwise or would raise an error: then the parser reads it (tests/grammar/
test_parse_shortcuts.py compares the two on generated text). Their patterns take each
token whole, as the lexer does (atomic groups and possessive repeats: no backtracking
into a name, a number or space), and no name starting with white space, which the lexer
reads as space (``\u00a0`` may be in a name).
"""

from __future__ import annotations

import math
import re

from ladle.grammar.lexer import KEYWORDS, NAME_PATTERN
from ladle.grammar.nodes import (
    LITERAL_WORDS,
    Binary,
    Filter,
    Literal,
    Logical,
    Member,
    Name,
    Node,
    Pipeline,
    Unary,
)
from ladle.grammar.operators import ALIASES, AND_LEVEL, LEVELS, symbol_pattern

_PATH = re.compile(rf"\s*+(?>({NAME_PATTERN}))((?:\.(?!\s)(?>{NAME_PATTERN}))*+)\s*+")
_MEMBER = re.compile(rf"\.(?!\s)(?>({NAME_PATTERN}))")
# Digits of an integer that is surely within the language's limit.
_SMALL_INT = 18


def _operand(tag: str = "") -> str:
    """The pattern of one operand, with groups named after ``tag`` (none without one): the
    prefix, and the path's head and dotted members, or the string, or the number (FLOAT
    before INT, as the lexer tries them)."""
    pattern = (r"(?:(?P<prefix>[!-])\s*+)?"
               rf"(?:(?P<head>(?>{NAME_PATTERN}))(?P<members>(?:\.(?!\s)(?>{NAME_PATTERN}))*+)"
               r"|(?P<string>\"[^\"\\]*+\"|'[^'\\]*+')"
               r"|(?P<number>(?>[0-9]+\.[0-9]+(?:[eE][+-]?[0-9]+)?|[0-9]+[eE][+-]?[0-9]+"
               r"|[0-9]+)))")
    return pattern.replace("(?P<", f"(?P<{tag}") if tag else re.sub(r"\(\?P<\w+>", "(?:",
                                                                       pattern)


# An operator: a symbol, or a name that must be a word operator (checked after).
_OPERATOR = rf"(?:{symbol_pattern()}|(?>{NAME_PATTERN}))"
_ARGUMENTS = rf"{_operand()}(?:\s*+,\s*+{_operand()})*+"
_FILTER = rf"\s*+\|\s*+(?P<filter>(?>{NAME_PATTERN}))(?:\s*+:\s*+(?P<arguments>{_ARGUMENTS}))?"
_SIMPLE = re.compile(
    rf"\s*+{_operand('a')}(?:\s*+(?P<operator>{_OPERATOR})\s*+{_operand('b')})?"
    rf"(?P<filters>(?:{_FILTER})*+)\s*+", re.DOTALL)
_FILTERS = re.compile(_FILTER, re.DOTALL)
_ARGUMENT = re.compile(rf"(?:\s*+,)?\s*+{_operand('x')}", re.DOTALL)

# Each binary operator's level; ``and``/``or`` are looser than all (the ``words`` rule).
_LEVEL_OF = {op: level for level, ops in enumerate(LEVELS) for op in ops}
_WORDS = frozenset({"and", "or"})


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


def simple(source: str, max_depth: int) -> Node | None:
    """``source`` as ``operand [operator operand] ("|" name [":" operand ("," operand)*])*``
    (see the module's docstring), within the depth limit."""
    match = _SIMPLE.fullmatch(source)
    if match is None:
        return None
    read = _read_operand(source, match, "a", max_depth)
    if read is None:
        return None
    node, depth = read
    start = node.span[0]
    word = match.group("operator")
    if word is not None:
        right = _read_operand(source, match, "b", max_depth)
        if right is None:
            return None
        kind = ALIASES.get(word, word)
        level = _LEVEL_OF.get(kind)
        end = right[0].span[1]
        if word in _WORDS:
            node = Logical(word, node, right[0], span=(start, end))
        elif level is None:
            return None  # a name that is no operator
        elif level <= AND_LEVEL:
            node = Logical(word, node, right[0], span=(start, end))
        else:
            node = Binary(kind, node, right[0], at=match.start("operator"), span=(start, end))
        depth = max(depth, 1 + right[1])  # the operator is a level, its right side in it
    begin, finish = match.span("filters")
    if begin == finish:
        return node if depth <= max_depth else None
    filters: list[Filter] = []
    for item in _FILTERS.finditer(source, begin, finish):
        name = item.group("filter")
        if name in KEYWORDS:
            return None
        level = len(filters) + 1  # each filter is a level, its arguments inside it
        if level > max_depth:
            return None  # the parser says where the nesting goes too deep
        args: list[Node] = []
        if item.group("arguments") is not None:
            for argument in _ARGUMENT.finditer(source, *item.span("arguments")):
                read = _read_operand(source, argument, "x", max_depth)
                if read is None:
                    return None
                args.append(read[0])
                depth = max(depth, level + read[1])
        filters.append(Filter(name, tuple(args), (), span=(item.start("filter"), item.end())))
    if depth > max_depth:
        return None
    return Pipeline(node, tuple(filters), span=(start, finish))


def _read_operand(source: str, match: re.Match[str], tag: str, max_depth: int
                  ) -> tuple[Node, int] | None:
    """The operand of ``match``'s groups named after ``tag``, and its depth (a level for
    each ``.`` and for the prefix); None if the parser reads it otherwise."""
    node: Node
    depth = 0
    head = match.group(tag + "head")
    if head is not None:
        start, end = match.span(tag + "head")
        if head not in KEYWORDS:
            node = Name(head, span=(start, end))
        elif head in LITERAL_WORDS:
            kind, value = LITERAL_WORDS[head]
            node = Literal(kind, value, span=(start, end))
        else:
            return None
        begin, finish = match.span(tag + "members")
        if begin != finish:
            members = _MEMBER.findall(source, begin, finish)
            depth = len(members)
            if depth > max_depth:
                return None
            for member in members:
                end += 1 + len(member)
                node = Member(node, member, span=(start, end))
    else:
        text = match.group(tag + "string")
        if text is not None:
            node = Literal("string", text[1:-1], span=match.span(tag + "string"))
        else:
            text = match.group(tag + "number")
            span = match.span(tag + "number")
            if "." in text or "e" in text or "E" in text:
                number = float(text)
                if not math.isfinite(number):
                    return None  # the parser says it is too large
                node = Literal("float", number, span=span)
            elif len(text) <= _SMALL_INT:
                node = Literal("int", int(text), span=span)
            else:
                return None  # the parser checks its size
    prefix = match.group(tag + "prefix")
    if prefix is not None:
        node = Unary(prefix, node, span=(match.start(tag + "prefix"), node.span[1]))
        depth += 1
    return node, depth
