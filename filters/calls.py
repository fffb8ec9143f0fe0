"""What the direct filters (``filters.direct``) share: the call a direct filter is made
for, the kinds of value their fast paths take, and the cheap ``Markup`` constructor."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

from liquid.filter import flatten
from markupsafe import Markup
from markupsafe import escape as markup_escape

from ladle.grammar.runtime import INTEGER_LIMIT

__all__ = [
    "DICTS",
    "NUMBERS",
    "SEQUENCES",
    "TEXT",
    "Call",
    "Filter",
    "as_is",
    "escape_text",
    "markup",
    "needs_escape",
    "sequence",
    "text_result",
    "whole_result",
]

Filter = Callable[..., Any]
TEXT = frozenset({str, Markup})
NUMBERS = frozenset({int, float})
DICTS = frozenset({dict})
# Arguments the host scans for over-long ranges before any filter sees them.
SEQUENCES = frozenset({tuple, range})
# ``Markup(text)`` for a plain ``str`` (or a ``Markup``), without ``Markup.__new__``'s
# checks: what Markup's own methods give, for a fraction of the cost.
markup = str.__new__
# The characters markupsafe's ``escape`` changes.
_ESCAPED = re.compile(r"[&<>'\"]")
# Items python-liquid's array filters take as they are (they flatten lists and tuples).
_LEAVES = frozenset({str, Markup, int, float, bool, type(None), dict})


def as_is(first: Any, result: Any) -> Any:
    return result


class Call(NamedTuple):
    """What a direct filter is made for: ``fallback``, the host's checked call of the
    filter it replaces, for every value off its fast path; whether the template escapes
    (``escaped``); the longest string a filter may build (``limit``); the host's checks
    of a result (``settle``), skipped for text of at most ``free`` characters made from
    an input that is no list; the constant arguments by position (``known``)."""

    fallback: Filter
    escaped: bool
    limit: int
    settle: Callable[[Any, Any], Any] = as_is
    free: int = sys.maxsize
    known: Mapping[int, Any] = MappingProxyType({})


def whole_result(call: Call) -> Callable[[Any, int], Any]:
    """``result`` when within ``INTEGER_LIMIT``, else the host's checks of it."""
    settle = call.settle

    def whole(first: Any, result: int) -> Any:
        return result if -INTEGER_LIMIT <= result <= INTEGER_LIMIT else settle(first, result)

    return whole


def text_result(call: Call) -> Callable[[Any, Any], Any]:
    """``result`` (text made from ``first``, no list) when short, else the host's checks."""
    settle, free = call.settle, call.free

    def finish(first: Any, result: Any) -> Any:
        return result if len(result) <= free else settle(first, result)

    return finish


def sequence(items: Any) -> list[Any] | None:
    """``items`` as python-liquid's array filters take a list (nested lists and tuples
    flattened, by python-liquid's own ``flatten``); None when it is no list.

    >>> sequence(["a", 1, {"b": 2}]), sequence(["a", ["b", ("c",)]]), sequence(("a",))
    (['a', 1, {'b': 2}], ['a', 'b', 'c'], None)
    """
    if type(items) is not list:
        return None
    return items if _LEAVES.issuperset(map(type, items)) else flatten(items)


def escape_text(text: str) -> Markup:
    """markupsafe's ``escape`` of a plain ``str``; quicker when there is nothing to escape
    (``escape`` makes its ``Markup`` with the checking constructor).

    >>> escape_text("a & b"), escape_text("a, b")
    (Markup('a &amp; b'), Markup('a, b'))
    """
    return markup(Markup, text) if _ESCAPED.search(text) is None else markup_escape(text)


def needs_escape(text: str) -> bool:
    """Whether markupsafe's ``escape`` would change ``text``.

    >>> needs_escape(", "), needs_escape(" & ")
    (False, True)
    """
    return _ESCAPED.search(text) is not None
