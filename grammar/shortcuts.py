"""The parser's shortcuts for the commonest expressions in templates, read from the text by
regular expressions, without lexing (most of a short expression's cost to parse):

* ``path``: a plain path (``user.name``);
* ``simple``: one or two operands joined by a binary operator, through filters with plain
  arguments (``title | truncate: 20, '…'``, ``item.minutes > 10``,
  ``cents / 100.0 | money: currency``). An operand is a path, a literal word, a string
  without escapes or a number, after at most one ``!`` or ``-``.

Each gives exactly the tree (spans too) ``Parser`` gives, or None, when the parser reads
the text otherwise or would raise an error: then the parser reads it (tests/grammar/
test_parse_shortcuts.py and test_quick_parsing.py compare the two on generated text).
Their patterns take each token whole, as the lexer does (atomic groups and possessive
repeats: no backtracking into a name, a number or space), and no name starting with
white space, which the lexer reads as space (a no-break space may be in a name).
"""

from __future__ import annotations

import functools
import math
import re
from typing import NamedTuple

from ladle.grammar.lexer import BMP_NAME_PATTERN as NAME_PATTERN
from ladle.grammar.lexer import KEYWORDS, beyond_bmp
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
    builder,
)
from ladle.grammar.operators import ALIASES, AND_LEVEL, LEVELS, symbol_pattern

_PATH = re.compile(rf"\s*+(?>({NAME_PATTERN}))((?:\.(?!\s)(?>{NAME_PATTERN}))*+)\s*+")
_MEMBER = re.compile(rf"\.(?!\s)(?>({NAME_PATTERN}))")
# Digits of an integer that is surely within the language's limit.
_SMALL_INT = 18


def _operand(tag: str = "") -> str:
    """The pattern of one operand: its prefix, then a path's head and dotted members, or a
    string, or a number (FLOAT before INT, as the lexer tries them). With a ``tag``, the
    five are groups (named after it, in that order: ``_read_operand`` reads them so)."""

    def group(name: str) -> str:
        return f"(?P<{tag}{name}>" if tag else "(?:"

    return (rf"(?:{group('prefix')}[!-])\s*+)?"
            rf"(?:{group('head')}(?>{NAME_PATTERN}))"
            rf"{group('members')}(?:\.(?!\s)(?>{NAME_PATTERN}))*+)"
            rf"|{group('string')}\"[^\"\\]*+\"|'[^'\\]*+')"
            rf"|{group('number')}(?>[0-9]+\.[0-9]+(?:[eE][+-]?[0-9]+)?|[0-9]+[eE][+-]?[0-9]+"
            r"|[0-9]+)))")


# An operator: a symbol, or a name that must be a word operator (checked after).
_OPERATOR = rf"(?:{symbol_pattern()}|(?>{NAME_PATTERN}))"
# The value of a pipeline: an operand, perhaps an operator and an operand.
_HEAD = re.compile(rf"\s*+{_operand('a')}(?:\s*+(?P<operator>{_OPERATOR})\s*+{_operand('b')})?")
_SPACE = re.compile(r"\s*+")
# Where each one's groups begin (their spans are read by index: ``Match.regs``).
_A, _OPERATOR_GROUP, _B = (_HEAD.groupindex[name] for name in ("aprefix", "operator",
                                                                 "bprefix"))


class _Filters(NamedTuple):
    """The patterns of filters: one filter, its first argument and the span of the others
    (``one``), and one more argument (``more``); where their groups begin."""

    one: re.Pattern[str]
    more: re.Pattern[str]
    name: int
    first: int
    others: int
    other: int


@functools.cache
def _filters() -> _Filters:
    """Compiled when a text with filters first comes, not on import: a program that
    evaluates a few rules never needs them (a tenth of its start)."""
    one = re.compile(rf"\s*+\|\s*+(?P<filter>(?>{NAME_PATTERN}))"
                     rf"(?:\s*+:\s*+{_operand('x')}(?P<more>(?:\s*+,\s*+{_operand()})*+))?")
    more = re.compile(rf"\s*+,\s*+{_operand('x')}")
    name, first, others = (one.groupindex[group] for group in ("filter", "xprefix", "more"))
    return _Filters(one, more, name, first, others, more.groupindex["xprefix"])

# The nodes, made quicker (``nodes.builder``).
_name, _member, _literal, _unary = builder(Name), builder(Member), builder(Literal), builder(Unary)
_binary, _logical = builder(Binary), builder(Logical)
_filter, _pipeline = builder(Filter), builder(Pipeline)

# Each binary operator's level; ``and``/``or`` are looser than all (the ``words`` rule).
_LEVEL_OF = {op: level for level, ops in enumerate(LEVELS) for op in ops}
_WORDS = frozenset({"and", "or"})


def path(source: str, max_depth: int) -> Node | None:
    """``source`` as a plain path: a name that is no keyword, then ``.name``s within the
    depth limit (each ``.`` is a level)."""
    match = None if beyond_bmp(source) else _PATH.fullmatch(source)
    if match is None:
        return None
    _, head, members = match.regs
    start, end = head
    text = source[start:end]
    if text in KEYWORDS:
        return None
    node: Node = _name(text, head)
    if members[0] == members[1]:
        return node
    names = _MEMBER.findall(source, *members)
    if len(names) > max_depth:
        return None  # the parser says where the nesting goes too deep
    for name in names:
        end += 1 + len(name)
        node = _member(node, name, (start, end))
    return node


def simple(source: str, max_depth: int) -> Node | None:
    """``source`` as ``operand [operator operand] ("|" name [":" operand ("," operand)*])*``
    (see the module's docstring), within the depth limit."""
    match = None if beyond_bmp(source) else _HEAD.match(source)
    if match is None:
        return None
    regs = match.regs
    read = _read_operand(source, regs, _A, max_depth)
    if read is None:
        return None
    node, depth = read
    start = node.span[0]
    at, after = regs[_OPERATOR_GROUP]
    if at >= 0:
        right = _read_operand(source, regs, _B, max_depth)
        if right is None:
            return None
        word = source[at:after]
        kind = ALIASES.get(word, word)
        level = _LEVEL_OF.get(kind)
        end = right[0].span[1]
        if word in _WORDS or (level is not None and level <= AND_LEVEL):
            node = _logical(word, node, right[0], (start, end))
        elif level is None:
            return None  # a name that is no operator
        else:
            node = _binary(kind, node, right[0], at, (start, end))
        depth = max(depth, 1 + right[1])  # the operator is a level, its right side in it
    position = match.end()
    filters: list[Filter] = []
    patterns = _filters() if source.find("|", position) >= 0 else None
    while patterns is not None and (item := patterns.one.match(source, position)) is not None:
        spans = item.regs
        name_start, name_end = spans[patterns.name]
        name = source[name_start:name_end]
        if name in KEYWORDS:
            return None
        level = len(filters) + 1  # each filter is a level, its arguments inside it
        if level > max_depth:
            return None  # the parser says where the nesting goes too deep
        args: list[Node] = []
        more_start, more_end = spans[patterns.others]
        if more_start >= 0:  # arguments given
            arguments = [(spans, patterns.first)]
            if more_start != more_end:
                arguments += [(more.regs, patterns.other)
                              for more in patterns.more.finditer(source, more_start, more_end)]
            for groups, first in arguments:
                read = _read_operand(source, groups, first, max_depth)
                if read is None:
                    return None
                args.append(read[0])
                depth = max(depth, level + read[1])
        position = item.end()
        filters.append(_filter(name, tuple(args), (), (name_start, position)))
    if _SPACE.match(source, position).end() != len(source):  # type: ignore[union-attr]
        return None  # more than this shortcut reads
    if depth > max_depth:
        return None
    if not filters:
        return node
    return _pipeline(node, tuple(filters), (start, position))


def _read_operand(source: str, regs: tuple[tuple[int, int], ...], first: int,
                  max_depth: int) -> tuple[Node, int] | None:
    """The operand whose five groups (``_operand``) begin at group ``first``, and its depth
    (a level for each ``.`` and for the prefix); None if the parser reads it otherwise."""
    prefix, head, members, string, number = regs[first:first + 5]
    node: Node
    depth = 0
    if head[0] >= 0:
        start, end = head
        text = source[start:end]
        if text not in KEYWORDS:
            node = _name(text, head)
        elif text in LITERAL_WORDS:
            kind, value = LITERAL_WORDS[text]
            node = _literal(kind, value, head)
        else:
            return None
        if members[0] != members[1]:
            names = _MEMBER.findall(source, *members)
            depth = len(names)
            if depth > max_depth:
                return None
            for name in names:
                end += 1 + len(name)
                node = _member(node, name, (start, end))
    elif string[0] >= 0:
        node = _literal("string", source[string[0] + 1:string[1] - 1], string)
    else:
        text = source[number[0]:number[1]]
        if "." in text or "e" in text or "E" in text:
            value = float(text)
            if not math.isfinite(value):
                return None  # the parser says it is too large
            node = _literal("float", value, number)
        elif len(text) <= _SMALL_INT:
            node = _literal("int", int(text), number)
        else:
            return None  # the parser checks its size
    if prefix[0] >= 0:
        node = _unary(source[prefix[0]], node, (prefix[0], node.span[1]))
        depth += 1
    return node, depth
