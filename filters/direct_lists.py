"""Direct versions of python-liquid's array filters (see ``filters.direct``): on lists of
strings, numbers and plain dicts (nested lists flattened first, as python-liquid does),
exactly what python-liquid's give; anything else handed to the filter they replace. A
result from a list always goes to the host's checks (``settle``)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from liquid.undefined import Undefined
from markupsafe import Markup

from ladle.filters.calls import (
    DICTS,
    NUMBERS,
    SEQUENCES,
    TEXT,
    Call,
    Filter,
    escape_text,
    markup,
    needs_escape,
    sequence,
)

__all__ = ["make_compact", "make_concat", "make_find", "make_find_index", "make_first",
           "make_has", "make_join", "make_last", "make_map", "make_reject", "make_reverse",
           "make_sort", "make_sort_natural", "make_sum", "make_uniq", "make_where"]

_MAX_CHARACTER = chr(0x10FFFF)  # python-liquid's ``sort`` puts items without the key last
_SORTABLE = frozenset({frozenset({str}), frozenset({int}), frozenset({float}),
                       frozenset({int, float})})
# Items whose hash agrees with ``==`` (``uniq`` finds repeats by hashing, as ``==`` would).
_HASHABLE = frozenset({str, Markup, int, float, bool, type(None)})
# Values whose text ``sort_natural`` compares (python-liquid's ``str(value).lower()``).
_PRINTABLE = _HASHABLE
_MISSING = object()


def _dicts(items: Any, key: Any) -> bool:
    """Whether ``items`` is a list of plain dicts and ``key`` a string: the fast path of
    the filters that read a key of each item."""
    return type(items) is list and type(key) in TEXT and set(map(type, items)) <= DICTS


def make_join(call: Call) -> Filter:
    """``join``; with a ``Markup`` separator each plain item is escaped.

    >>> join = make_join(Call(fallback=print, escaped=True, limit=100))
    >>> join(["a<b", "c"], Markup(", ")), join(["a", "b"])
    (Markup('a&lt;b, c'), Markup('a b'))
    """
    space = Markup(" ") if call.escaped else " "
    fallback, settle, free, limit = call.fallback, call.settle, call.free, call.limit
    known = call.known.get(0)
    # a constant separator is read for escapes once
    known_plain = known if type(known) is Markup and not needs_escape(known) else None

    def join(items: Any, separator: Any = " ") -> Any:
        kind = type(separator)
        if type(items) is not list or kind not in TEXT:
            return fallback(items, separator)
        # one pass (quicker than sets for the short lists joined most): every item text,
        # whether all are plain, and the length of the result
        plain, total = True, len(separator) * (len(items) - 1)
        for item in items:
            item_kind = type(item)
            if item_kind is Markup:
                plain = False
            elif item_kind is not str:
                return fallback(items, separator)
            total += len(item)
        if total > limit:
            return fallback(items, separator)  # the guarded filter's error
        if separator == " ":
            separator, kind = space, type(space)
        if kind is not Markup:
            result = separator.join(items)
        elif plain and (separator is known_plain or not needs_escape(separator)):
            # escaping the joined text escapes each item, and leaves the separator
            result = escape_text(str.join(separator, items))
        else:  # as Markup's join does it, quicker
            result = markup(Markup, str.join(separator, [
                item if type(item) is Markup else escape_text(item) for item in items]))
        return result if len(items) + len(result) <= free else settle(items, result)

    return join


def make_first(call: Call) -> Filter:
    fallback, settle = call.fallback, call.settle

    def first(items: Any) -> Any:
        if type(items) is list:
            return settle(items, items[0] if items else None)
        return fallback(items)

    return first


def make_last(call: Call) -> Filter:
    fallback, settle = call.fallback, call.settle

    def last(items: Any) -> Any:
        if type(items) is list:
            return settle(items, items[-1] if items else None)
        return fallback(items)

    return last


def make_map(call: Call) -> Filter:
    fallback, settle = call.fallback, call.settle

    def map_(items: Any, key: Any) -> Any:
        if _dicts(items, key):
            try:
                return settle(items, [item[key] for item in items])
            except KeyError:
                pass  # python-liquid's own null for a missing key
        return fallback(items, key)

    return map_


def _compared(items: Any, key: Any, value: Any) -> bool:
    """Whether the filters that compare a key of each item (``where``…) take these
    arguments on their fast path."""
    return (_dicts(items, key) and not isinstance(value, Undefined)
            and type(value) not in SEQUENCES)


def _matching(key: Any, value: Any, negated: bool = False
              ) -> Callable[[dict[Any, Any]], bool]:
    """python-liquid's test of an item: its ``key`` equals ``value``, or is neither nil nor
    false when ``value`` is nil; ``negated``: its test of ``reject``."""
    if value is None:
        if negated:
            return lambda item: item.get(key) in (False, None)
        return lambda item: item.get(key) not in (False, None)
    if negated:
        return lambda item: bool(item.get(key) != value)
    return lambda item: bool(item.get(key) == value)


def make_where(call: Call) -> Filter:
    fallback, settle = call.fallback, call.settle

    def where(items: Any, key: Any, value: Any = None) -> Any:
        if _compared(items, key, value):  # (the test inline: ``where`` is the common one)
            if value is None:
                found = [item for item in items if item.get(key) not in (False, None)]
            else:
                found = [item for item in items if item.get(key) == value]
            return settle(items, found)
        return fallback(items, key, value)

    return where


def _comparing(name: str, call: Call, negated: bool,
               pick: Callable[[list[Any], Callable[[Any], bool]], Any]) -> Filter:
    """``reject``, ``find``, ``find_index`` or ``has``: ``pick`` of the items and
    python-liquid's test of each."""
    fallback, settle = call.fallback, call.settle

    def apply(items: Any, key: Any, value: Any = None) -> Any:
        if _compared(items, key, value):
            return settle(items, pick(items, _matching(key, value, negated)))
        return fallback(items, key, value)

    apply.__name__ = name
    return apply


def make_reject(call: Call) -> Filter:
    return _comparing("reject", call, True,
                      lambda items, keeps: [item for item in items if keeps(item)])


def make_find(call: Call) -> Filter:
    return _comparing("find", call, False, lambda items, matches: next(
        (item for item in items if matches(item)), None))


def make_find_index(call: Call) -> Filter:
    return _comparing("find_index", call, False, lambda items, matches: next(
        (index for index, item in enumerate(items) if matches(item)), None))


def make_has(call: Call) -> Filter:
    # (as python-liquid: true if a matching item is itself truthy)
    return _comparing("has", call, False, lambda items, matches: any(
        item for item in items if matches(item)))


def make_sort(call: Call) -> Filter:
    fallback, settle = call.fallback, call.settle

    def sort(items: Any, key: Any = None) -> Any:
        try:
            flat = sequence(items) if key is None else None
            if flat is not None and set(map(type, flat)) in _SORTABLE:
                return settle(items, sorted(flat))
            if key and _dicts(items, key):
                text = str(key)
                return settle(items, sorted(items,
                                            key=lambda item: item.get(text, _MAX_CHARACTER)))
        except TypeError:
            pass  # python-liquid reports items that do not compare
        return fallback(items) if key is None else fallback(items, key)

    return sort


def make_sort_natural(call: Call) -> Filter:
    fallback, settle = call.fallback, call.settle

    def sort_natural(items: Any, key: Any = None) -> Any:
        if key is None or (type(key) in TEXT and not key):
            flat = sequence(items)
            if flat is not None and set(map(type, flat)) <= TEXT:
                return settle(items, sorted(flat, key=str.lower))
        elif _dicts(items, key):
            text = str(key)
            values = [item.get(text, _MAX_CHARACTER) for item in items]
            if set(map(type, values)) <= _PRINTABLE:
                lowered = [str(value).lower() for value in values]
                order = sorted(range(len(items)), key=lowered.__getitem__)  # stable
                return settle(items, [items[index] for index in order])
        return fallback(items) if key is None else fallback(items, key)

    return sort_natural


def make_uniq(call: Call) -> Filter:
    fallback, settle = call.fallback, call.settle

    def uniq(items: Any, key: Any = None) -> Any:
        if key is None:
            flat = sequence(items)
            if flat is not None and set(map(type, flat)) <= _HASHABLE:
                return settle(items, list(dict.fromkeys(flat)))  # the first of each
        elif _dicts(items, key):
            values = [item.get(key, _MISSING) for item in items]
            if set(map(type, values)) <= _HASHABLE | {object}:
                firsts: dict[Any, Any] = {}
                for value, item in zip(values, items, strict=True):
                    firsts.setdefault(value, item)
                return settle(items, list(firsts.values()))
        return fallback(items) if key is None else fallback(items, key)

    return uniq


def make_compact(call: Call) -> Filter:
    fallback, settle = call.fallback, call.settle

    def compact(items: Any, key: Any = None) -> Any:
        if key is None:
            flat = sequence(items)
            if flat is not None:
                return settle(items, [item for item in flat if item is not None])
        elif _dicts(items, key):
            try:
                return settle(items, [item for item in items if item[key] is not None])
            except KeyError:
                pass  # python-liquid's error
        return fallback(items) if key is None else fallback(items, key)

    return compact


def make_concat(call: Call) -> Filter:
    fallback, settle, limit = call.fallback, call.settle, call.limit

    def concat(items: Any, other: Any) -> Any:
        # (python-liquid flattens the first list, not the second)
        flat = sequence(items)
        if flat is not None and type(other) is list and len(items) + len(other) <= limit:
            return settle(items, flat + other)
        return fallback(items, other)

    return concat


def make_reverse(call: Call) -> Filter:
    fallback, settle = call.fallback, call.settle

    def reverse(items: Any) -> Any:
        flat = sequence(items)
        if flat is not None:
            return settle(items, flat[::-1])
        return fallback(items)

    return reverse


def _total(values: list[Any]) -> Any:
    """python-liquid's sum of ints and floats (each float through its decimal text), or
    None for other values."""
    kinds = set(map(type, values))
    if kinds <= {int}:
        return sum(values)
    if kinds <= NUMBERS:
        return float(sum(Decimal(str(value)) if type(value) is float else value
                         for value in values))
    return None


def make_sum(call: Call) -> Filter:
    fallback, settle = call.fallback, call.settle

    def sum_(items: Any, key: Any = None) -> Any:
        total = None
        if key is None:
            flat = sequence(items)
            if flat is not None:
                total = _total(flat)
        elif _dicts(items, key):
            total = _total([item.get(key, 0) for item in items])
        if total is not None:
            return settle(items, total)
        return fallback(items) if key is None else fallback(items, key)

    return sum_
