"""Strict mode's two rules: what is missing raises, naming the path and the closest key
that exists, unless its value flows unchanged into a fallback (``??``, ``||``, ``or``,
``| default``), which supplies a value for it.

A path is "guarded" when a fallback receives its value as it is: the left side of
``??``/``||``/``or``, the value of a pipeline whose first filter is ``default``, and,
from a guarded place, both sides of ``&&``/``and`` and both branches of a conditional
(each of them may be the value handed on). The compiler and ``ladle check --data`` apply
the same rule (``guarded_paths``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from itertools import islice
from typing import Any

from ladle.grammar.names import did_you_mean
from ladle.grammar.nodes import (
    Conditional,
    Index,
    Logical,
    Member,
    Name,
    Node,
    Pipeline,
    RootIndex,
    children,
)
from ladle.grammar.runtime import size, type_name, undefined_message

FALLBACK_OPERATORS = frozenset({"??", "||", "or"})
FALLBACK_FILTERS = frozenset({"default"})
PATHS = (Name, Member, Index, RootIndex)
# Keys a did-you-mean looks at: a hint must not cost more than a small map's worth.
_HINT_KEYS = 1000


def falls_back(node: Pipeline) -> bool:
    """Whether a pipeline's value is guarded: its first filter supplies a fallback."""
    return node.filters[0].name in FALLBACK_FILTERS


def guarded_positions(node: Node, guarded: bool) -> list[tuple[Node, bool]]:
    """The children of ``node``, each with whether its value flows unchanged into a
    fallback, given whether ``node``'s own value does."""
    match node:
        case Logical(op=op, left=left, right=right):
            return [(left, guarded or op in FALLBACK_OPERATORS), (right, guarded)]
        case Conditional(test=test, then=then, otherwise=otherwise):
            return [(test, False), (then, guarded), (otherwise, guarded)]
        case Pipeline(value=value, filters=filters):
            return [(value, falls_back(node)), *((f, False) for f in filters)]
        case Member(target=target):
            return [(target, guarded)]
        case Index(target=target, key=key):
            return [(target, guarded), (key, False)]
    return [(child, False) for child in children(node)]


def guarded_paths(tree: Node) -> list[Node]:
    """The roots (``Name`` or ``RootIndex``) of the paths whose values flow unchanged into
    a fallback: a missing one is not an error in strict mode."""
    found: list[Node] = []
    pending: list[tuple[Node, bool]] = [(tree, False)]
    while pending:
        node, guarded = pending.pop()
        if guarded and isinstance(node, Name | RootIndex):
            found.append(node)
        pending.extend(guarded_positions(node, guarded))
    return found


def names_of(container: Any) -> Iterable[str]:
    """The string keys of a mapping, as candidates for a did-you-mean (a few only)."""
    if not isinstance(container, Mapping):
        return ()
    try:
        keys = list(islice(iter(container), _HINT_KEYS))
    except Exception:  # a drop's own iteration failed: no hint, the error stands
        return ()
    return [key for key in keys if isinstance(key, str)]


def undefined_name(data: Mapping[str, Any], name: str) -> str:
    """'undefined variable …', with the closest variable that exists."""
    message = undefined_message(data, name)
    if message.endswith(")"):  # a subtraction hint already
        return message
    return message + did_you_mean(name, names_of(data))


def undefined_path(path: str, container: Any, key: Any) -> str:
    """'user.nmae is undefined; did you mean 'name'?': a path whose last step found
    nothing in ``container``."""
    message = f"{path} is undefined"
    if isinstance(key, str):
        hint = did_you_mean(key, names_of(container))
        if hint:
            return f"{message}; {hint.strip()[1:-1]}"
    if container is None:
        return f"{message} (its parent is nil)"
    if isinstance(container, list | tuple | range):
        count = size(container)
        return f"{message} (the list holds {count} item{'' if count == 1 else 's'})"
    if not isinstance(container, Mapping):
        kind = type_name(container)
        return f"{message} ({'an' if kind[0] in 'aeiou' else 'a'} {kind} has no {key!r})"
    return message
