"""Size checks made before a filter builds its result.

A filter whose result can be much longer than its input (``replace`` with a long
replacement, ``join`` with a long separator, ``append`` of two long strings) would
allocate that result before any length check could look at it: a 150-byte template could
ask for gigabytes. ``guarded`` wraps such filters so that they compute the length of
their result first, cheaply, and refuse one over the limit with the same error as any
other over-long value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from ladle.grammar.errors import EvaluationError
from ladle.grammar.runtime import size

Filter = Callable[..., Any]
# Characters at least, in the text of a value that is not a string (a number, nil, true).
_SHORT = 1


def _text_length(value: Any) -> int:
    """A lower bound on the length of ``value`` as a filter turns it into text."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, (list, tuple, range, dict)):
        return 2 * size(value)  # at least an item and a separator each
    return _SHORT


def _refuse(name: str, length: int, limit: int) -> None:
    if length > limit:
        raise EvaluationError(f"filter {name!r}: string result is too long "
                              f"(the limit is {limit:,})")


def _replace_length(value: Any, old: Any, new: Any = "", *_: Any, first: bool = False) -> int:
    if not (isinstance(value, str) and isinstance(old, str)):
        return 0
    count = (1 if old in value else 0) if first else (
        value.count(old) if old else len(value) + 1)
    return len(value) + count * (_text_length(new) - len(old))


def _join_length(items: Any, separator: Any = " ", *_: Any, **__: Any) -> int:
    if isinstance(items, str) or not isinstance(items, (list, tuple, range)):
        return _text_length(items)
    count = size(items)
    gaps = max(0, count - 1) * _text_length(separator)
    if isinstance(items, range):
        return gaps + count
    return gaps + sum(_text_length(_range_text(item)) for item in items)


def _range_text(item: Any) -> Any:
    """A range as Liquid prints it (``1..3``), not as Python does (``range(1, 4)``)."""
    return f"{item.start}..{item.stop - 1}" if isinstance(item, range) else item


def _join_items(items: Any, *args: Any, **kwargs: Any) -> tuple[tuple[Any, ...], dict[str, Any]]:
    # A list or tuple literal of ladle's may hold a range: python-liquid's ``join`` would
    # print it with str().
    if isinstance(items, (list, tuple)) and any(isinstance(item, range) for item in items):
        items = [_range_text(item) for item in items]
    return (items, *args), kwargs


def _pair_length(value: Any, other: Any = "", *_: Any, **__: Any) -> int:
    return _text_length(value) + _text_length(other)


# Filter name: the length of its result (or a lower bound on it) from its arguments.
_RESULT_LENGTH: Mapping[str, Callable[..., int]] = {
    "replace": _replace_length,
    "replace_first": partial(_replace_length, first=True),
    "replace_last": partial(_replace_length, first=True),
    "join": _join_length,
    "append": _pair_length,
    "prepend": _pair_length,
    "concat": lambda a, b=(), *_, **__: size(a) + size(b)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)) else 0,
}


# Filter name: its arguments in the form the filter prints right.
_ARGUMENTS: Mapping[str, Callable[..., tuple[tuple[Any, ...], dict[str, Any]]]] = {
    "join": _join_items,
}


class GuardedFilter:
    """A filter that measures its result first (a class, not a closure, so that templates
    and environments holding it can be pickled). It carries the filter's own attributes
    (``with_environment`` and the like), which python-liquid reads."""

    def __init__(self, name: str, function: Filter, limit: int) -> None:
        self.__dict__.update({key: value for key, value in getattr(function, "__dict__", {}).items()
                              if not key.startswith("__")})  # not `__wrapped__`
        self.name = name
        self.function = function
        self.limit = limit

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        prepare = _ARGUMENTS.get(self.name)
        if prepare is not None and args:
            args, kwargs = prepare(*args, **kwargs)
        try:
            length = _RESULT_LENGTH[self.name](*args, **kwargs)
        except TypeError:
            length = 0  # arguments the filter itself will reject
        _refuse(self.name, length, self.limit)
        return self.function(*args, **kwargs)


def guarded(table: Mapping[str, Filter], limit: int) -> dict[str, Filter]:
    """The filters of ``table``, those that can outgrow their input checked against
    ``limit`` characters before they build their result.

    >>> replace = guarded({"replace": str.replace}, 10)["replace"]
    >>> replace("abc", "b", "xy")
    'axyc'
    >>> replace("abc", "b", "x" * 20)
    Traceback (most recent call last):
    ladle.grammar.errors.EvaluationError: filter 'replace': string result is too long ...
    """
    result = dict(table)
    for name in _RESULT_LENGTH:
        function = table.get(name)
        if function is not None:
            result[name] = GuardedFilter(name, function, limit)
    return result
