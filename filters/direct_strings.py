"""Direct versions of python-liquid's filters that cut and join strings (``append``,
``replace``, ``remove``, ``split``, ``slice``, ``truncate``…; see ``filters.direct``).

Where python-liquid's result is ``Markup`` it comes from Python's ``+`` or ``Markup``'s
own methods: a plain string joined to ``Markup`` is escaped, ``Markup``'s ``replace``
escapes a plain replacement, its ``split`` gives ``Markup`` pieces. The same text is
built here with ``str``'s methods and wrapped once with the cheap constructor."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from ladle.filters.calls import TEXT, Call, Filter, escape_text, markup, text_result

__all__ = ["make_append", "make_prepend", "make_remove", "make_remove_first",
           "make_remove_last", "make_replace", "make_replace_first", "make_replace_last",
           "make_slice", "make_split", "make_truncate", "make_truncatewords"]

# python-liquid's bounds on whole-number arguments (``truncatewords``, ``slice``).
_MAX_WORDS = (1 << 31) - 1
_SLICE_BOUND = 1 << 63


def _plus(left: str, right: str) -> str:
    """``left + right`` as Python gives it for ``str`` and ``Markup``: ``Markup`` if either
    is, with the plain one escaped (``Markup``'s ``+`` and reflected ``+``)."""
    kind, other = type(left), type(right)
    if kind is other:
        return markup(Markup, str.__add__(left, right)) if kind is Markup else left + right
    if kind is Markup:
        return markup(Markup, str.__add__(left, escape_text(right)))
    return markup(Markup, str.__add__(escape_text(left), right))


def _concatenation(name: str, call: Call, ahead: bool) -> Filter:
    """``append`` (``ahead=False``) or ``prepend``: two strings whose total length is
    within ``limit``; the guarded filter refuses longer ones with its usual error."""
    fallback, settle, free, limit = call.fallback, call.settle, call.free, call.limit

    def concatenate(value: Any, other: Any) -> Any:
        kind, other_kind = type(value), type(other)
        if kind in TEXT and other_kind in TEXT and len(value) + len(other) <= limit:
            left, right = (other, value) if ahead else (value, other)
            if kind is not other_kind:
                result = _plus(left, right)
            elif kind is str:
                result = left + right
            else:  # two ``Markup``: nothing to escape
                result = markup(Markup, str.__add__(left, right))
            return result if len(result) <= free else settle(value, result)
        return fallback(value, other)

    concatenate.__name__ = name
    return concatenate


def make_append(call: Call) -> Filter:
    """``append``; ``Markup`` joined to plain text escapes it, as ``Markup``'s ``+`` does.

    >>> append = make_append(Call(fallback=print, escaped=True, limit=100))
    >>> append(Markup("<b>"), "&"), append("a", "b")
    (Markup('<b>&amp;'), 'ab')
    """
    return _concatenation("append", call, ahead=False)


def make_prepend(call: Call) -> Filter:
    return _concatenation("prepend", call, ahead=True)


def _replacement(name: str, call: Call, count: int) -> Filter:
    """``replace`` (``count`` -1: every one) or ``replace_first`` (1), of strings whose
    result is within ``limit`` as the guarded filter measures it (else its error)."""
    fallback, finish, limit = call.fallback, text_result(call), call.limit

    def replace(value: Any, old: Any, new: Any = "") -> Any:
        kind = type(value)
        if kind in TEXT and type(old) in TEXT and type(new) in TEXT:
            times = ((str.count(value, old) if old else len(value) + 1) if count < 0
                     else 1 if old in value else 0)
            if len(value) + times * (len(new) - len(old)) <= limit:
                if kind is str:
                    return finish(value, str.replace(value, old, new, count))
                if type(new) is str:  # ``Markup``'s replace escapes the replacement
                    new = escape_text(new)
                return finish(value, markup(Markup, str.replace(value, old, new, count)))
        return fallback(value, old, new)

    replace.__name__ = name
    return replace


def make_replace(call: Call) -> Filter:
    return _replacement("replace", call, -1)


def make_replace_first(call: Call) -> Filter:
    return _replacement("replace_first", call, 1)


def make_replace_last(call: Call) -> Filter:
    fallback, finish, limit = call.fallback, text_result(call), call.limit

    def replace_last(value: Any, old: Any, new: Any) -> Any:
        kind = type(value)
        if (kind in TEXT and type(old) in TEXT and type(new) in TEXT
                and len(value) + (1 if old in value else 0) * (len(new) - len(old)) <= limit):
            if not old:  # python-liquid adds it at the end
                return finish(value, _plus(value, new))
            before, _, after = str.rpartition(value, old)
            if not before:  # not found, or found at the start: python-liquid keeps it
                return finish(value, value)
            if kind is Markup:
                before, after = markup(Markup, before), markup(Markup, after)
            return finish(value, _plus(_plus(before, new), after))
        return fallback(value, old, new)

    return replace_last


def _removal(name: str, call: Call, count: int) -> Filter:
    """``remove`` (``count`` -1: every one) or ``remove_first`` (1)."""
    fallback, finish = call.fallback, text_result(call)

    def remove(value: Any, old: Any) -> Any:
        kind = type(value)
        if kind in TEXT and type(old) in TEXT:
            result = str.replace(value, old, "", count)
            return finish(value, markup(Markup, result) if kind is Markup else result)
        return fallback(value, old)

    remove.__name__ = name
    return remove


def make_remove(call: Call) -> Filter:
    return _removal("remove", call, -1)


def make_remove_first(call: Call) -> Filter:
    return _removal("remove_first", call, 1)


def make_remove_last(call: Call) -> Filter:
    fallback, finish = call.fallback, text_result(call)

    def remove_last(value: Any, old: Any) -> Any:
        kind = type(value)
        if kind in TEXT and type(old) in TEXT:
            before, _, after = str.rpartition(value, old) if old else ("", "", value)
            if not before:  # not found, or found at the start: python-liquid keeps it
                return finish(value, value)
            result = before + after
            return finish(value, markup(Markup, result) if kind is Markup else result)
        return fallback(value, old)

    return remove_last


def make_split(call: Call) -> Filter:
    fallback, settle, free, limit = call.fallback, call.settle, call.free, call.limit

    def split(value: Any, separator: Any) -> Any:
        kind = type(value)
        if kind in TEXT and type(separator) in TEXT:
            result: list[str]
            if not separator:
                result = list(value)  # (the characters of a ``Markup`` are plain)
            elif not value or value == separator:
                result = []
            else:
                result = str.split(value, None if separator == " " else separator)
                if kind is Markup:  # as ``Markup``'s split gives them
                    result = [markup(Markup, piece) for piece in result]
            if len(value) + len(result) <= free and len(result) <= limit:
                return result  # small with its string: nothing to spend or check
            return settle(value, result)
        return fallback(value, separator)

    return split


def make_truncate(call: Call) -> Filter:
    fallback, finish = call.fallback, text_result(call)

    def truncate(value: Any, count: Any = 50, end: Any = "...") -> Any:
        if type(value) in TEXT and type(count) is int and type(end) in TEXT:
            if len(value) < count:
                return finish(value, value)
            end = str(end)
            return finish(value, f"{value[:count - len(end)]}{end}")
        return fallback(value, count, end)

    return truncate


def make_truncatewords(call: Call) -> Filter:
    fallback, finish = call.fallback, text_result(call)

    def truncatewords(value: Any, count: Any = 15, end: Any = "...") -> Any:
        if type(value) in TEXT and type(count) is int and type(end) in TEXT:
            count = max(count, 1)  # as python-liquid: at least one word
            if count >= _MAX_WORDS:
                return finish(value, value)
            # no more than the words it keeps, and the rest in one piece: if that
            # piece is there, there are more words than it keeps
            words = str.split(value, None, count)  # (plain pieces: joined as plain)
            if len(words) < count:
                return finish(value, " ".join(words))
            return finish(value, " ".join(words[:count]) + str(end))
        return fallback(value, count, end)

    return truncatewords


def make_slice(call: Call) -> Filter:
    fallback, settle, free, limit = call.fallback, call.settle, call.free, call.limit
    finish = text_result(call)

    def slice_(value: Any, start: Any, length: Any = 1) -> Any:
        kind = type(value)
        if ((kind is str or kind is list) and type(start) is int and type(length) is int
                and -_SLICE_BOUND <= start < _SLICE_BOUND
                and -_SLICE_BOUND <= length < _SLICE_BOUND):
            end: int | None = start + length
            if start < 0 <= start + length:
                end = None
            result = value[start:end]
            if kind is list:  # small with its list: nothing to spend or check
                result = list(result)
                if len(value) + len(result) <= free and len(result) <= limit:
                    return result
                return settle(value, result)
            return finish(value, result)
        return fallback(value, start, length)

    return slice_
