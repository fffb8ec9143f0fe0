"""Direct versions of python-liquid's standard filters, for templates compiled to Python.

python-liquid's filters go through layers on every call: a decorator that coerces the
input and turns ``TypeError`` into ``FilterArgumentError``, the environment passed as a
keyword, ``Markup`` checks. Here each filter has a fast path for the values templates
give it most (strings, whole numbers and floats, lists of strings or of plain dicts,
datetimes) that computes exactly what python-liquid's would, and hands anything else to
the filter it replaces, so uncommon input keeps python-liquid's results and errors.
Whether the template escapes its output is fixed when the filter is made, not read per
call. ``tests/filters/test_direct.py`` compares each with python-liquid's on random
arguments.

``direct(name, original, fallback, escaped, limit)`` gives the direct version of the
standard filter ``original`` (None when there is none, or ``original`` is not
python-liquid's own): ``fallback`` is what the template would call otherwise (the
environment bound, the length guard of ``filters.limits`` around it), called for every
value off the fast path and for results over ``limit`` characters, so that its checks
and errors stay the ones users see.
"""

from __future__ import annotations

import datetime as dt
import html
import inspect
import re
import urllib.parse
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from liquid.builtin.filters import array, misc, string
from liquid.builtin.filters import math as liquid_math
from liquid.undefined import Undefined
from liquid.utils.html import strip_tags
from markupsafe import Markup
from markupsafe import escape as markup_escape

from ladle.filters.data import json
from ladle.filters.numbers import filesize, money
from ladle.filters.text import pluralize, slugify
from ladle.filters.time import mmss
from ladle.grammar.runtime import INTEGER_LIMIT

__all__ = ["direct", "inline", "strip_html_text"]

Filter = Callable[..., Any]
_TEXT = frozenset({str, Markup})
_NUMBERS = frozenset({int, float})
_DICTS = frozenset({dict})
# python-liquid's bounds on whole-number arguments (``truncatewords``, ``slice``).
_MAX_WORDS = (1 << 31) - 1
_SLICE_BOUND = 1 << 63
_MAX_CHARACTER = chr(0x10FFFF)  # python-liquid's ``sort`` puts items without the key last


def _arithmetic(name: str, fallback: Filter, operator: Callable[[Any, Any], Any]) -> Filter:
    """``plus``, ``minus``, ``times``: exact on ints, through decimal text on floats."""

    def apply(left: Any, right: Any) -> Any:
        kind, other = type(left), type(right)
        if kind is int and other is int:
            return operator(left, right)
        if kind in _NUMBERS and other in _NUMBERS:
            return float(operator(Decimal(str(left)), Decimal(str(right))))
        return fallback(left, right)

    apply.__name__ = name
    return apply


def _make_plus(fallback: Filter, escaped: bool, limit: int) -> Filter:
    return _arithmetic("plus", fallback, lambda a, b: a + b)


def _make_minus(fallback: Filter, escaped: bool, limit: int) -> Filter:
    return _arithmetic("minus", fallback, lambda a, b: a - b)


def _make_times(fallback: Filter, escaped: bool, limit: int) -> Filter:
    return _arithmetic("times", fallback, lambda a, b: a * b)


def _make_divided_by(fallback: Filter, escaped: bool, limit: int) -> Filter:
    def divided_by(left: Any, right: Any) -> Any:
        kind, other = type(left), type(right)
        if kind in _NUMBERS and other in _NUMBERS and right:
            return left // right if kind is int and other is int else left / right
        return fallback(left, right)

    return divided_by


def _make_modulo(fallback: Filter, escaped: bool, limit: int) -> Filter:
    def modulo(left: Any, right: Any) -> Any:
        if type(left) is int and type(right) is int and right:
            return left % right
        return fallback(left, right)

    return modulo


def _make_round(fallback: Filter, escaped: bool, limit: int) -> Filter:
    def round_(number: Any, digits: Any = None) -> Any:
        if type(number) in _NUMBERS:
            if digits is None:
                return round(number)
            if type(digits) is int:
                return 0 if digits < 0 else round(number) if digits == 0 else round(number,
                                                                                    digits)
        return fallback(number) if digits is None else fallback(number, digits)

    return round_


def _make_default(fallback: Filter, escaped: bool, limit: int) -> Filter:
    def default(value: Any, other: Any = "") -> Any:
        kind = type(value)
        if kind is str or kind is Markup:
            return value if value else other
        if kind in _NUMBERS:
            return value
        if value is None:
            return other
        return fallback(value, other)

    return default


def _make_size(fallback: Filter, escaped: bool, limit: int) -> Filter:
    def size(value: Any) -> Any:
        if type(value) in _SIZED:
            return len(value)
        return fallback(value)

    return size


_SIZED = frozenset({str, Markup, list, tuple, dict})


def _make_upcase(fallback: Filter, escaped: bool, limit: int) -> Filter:
    def upcase(value: Any) -> Any:
        return value.upper() if type(value) in _TEXT else fallback(value)

    return upcase


def _make_downcase(fallback: Filter, escaped: bool, limit: int) -> Filter:
    def downcase(value: Any) -> Any:
        return value.lower() if type(value) in _TEXT else fallback(value)

    return downcase


def _make_escape(fallback: Filter, escaped: bool, limit: int) -> Filter:
    encode = markup_escape if escaped else html.escape

    def escape(value: Any) -> Any:
        return encode(value) if type(value) is str else fallback(value)

    return escape


def _make_url_encode(fallback: Filter, escaped: bool, limit: int) -> Filter:
    quote = urllib.parse.quote_plus

    def url_encode(value: Any) -> Any:
        if type(value) is str:
            return Markup(quote(value)) if escaped else quote(value)
        return fallback(value)

    return url_encode


def _concatenation(name: str, fallback: Filter, limit: int, ahead: bool) -> Filter:
    """``append`` (``ahead=False``) or ``prepend``: two strings whose total length is
    within ``limit``; the guarded filter refuses longer ones with its usual error."""

    def concatenate(value: Any, other: Any) -> Any:
        if type(value) in _TEXT and type(other) in _TEXT and len(value) + len(other) <= limit:
            return other + value if ahead else value + other
        return fallback(value, other)

    concatenate.__name__ = name
    return concatenate


def _make_append(fallback: Filter, escaped: bool, limit: int) -> Filter:
    return _concatenation("append", fallback, limit, ahead=False)


def _make_prepend(fallback: Filter, escaped: bool, limit: int) -> Filter:
    return _concatenation("prepend", fallback, limit, ahead=True)


def _make_truncate(fallback: Filter, escaped: bool, limit: int) -> Filter:
    def truncate(value: Any, count: Any = 50, end: Any = "...") -> Any:
        if type(value) in _TEXT and type(count) is int and type(end) in _TEXT:
            if len(value) < count:
                return value
            end = str(end)
            return f"{value[:count - len(end)]}{end}"
        return fallback(value, count, end)

    return truncate


def _make_truncatewords(fallback: Filter, escaped: bool, limit: int) -> Filter:
    def truncatewords(value: Any, count: Any = 15, end: Any = "...") -> Any:
        if type(value) in _TEXT and type(count) is int and type(end) in _TEXT:
            count = max(count, 1)  # as python-liquid: at least one word
            if count >= _MAX_WORDS:
                return value
            words = value.split()
            if len(words) < count:
                return " ".join(words)
            return " ".join(words[:count]) + str(end)
        return fallback(value, count, end)

    return truncatewords


def _make_slice(fallback: Filter, escaped: bool, limit: int) -> Filter:
    def slice_(value: Any, start: Any, length: Any = 1) -> Any:
        kind = type(value)
        if ((kind is str or kind is list) and type(start) is int and type(length) is int
                and -_SLICE_BOUND <= start < _SLICE_BOUND
                and -_SLICE_BOUND <= length < _SLICE_BOUND):
            end: int | None = start + length
            if start < 0 <= start + length:
                end = None
            return value[start:end] if kind is str else list(value[start:end])
        return fallback(value, start, length)

    return slice_


def _make_join(fallback: Filter, escaped: bool, limit: int) -> Filter:
    space = Markup(" ") if escaped else " "

    def join(items: Any, separator: Any = " ") -> Any:
        kind = type(items)
        if ((kind is list or kind is tuple) and type(separator) in _TEXT
                and set(map(type, items)) <= _TEXT
                and sum(map(len, items)) + len(separator) * (len(items) - 1) <= limit):
            if separator == " ":
                separator = space
            return separator.join(items)
        return fallback(items, separator)

    return join


def _make_first(fallback: Filter, escaped: bool, limit: int) -> Filter:
    def first(items: Any) -> Any:
        if type(items) is list:
            return items[0] if items else None
        return fallback(items)

    return first


def _make_last(fallback: Filter, escaped: bool, limit: int) -> Filter:
    def last(items: Any) -> Any:
        if type(items) is list:
            return items[-1] if items else None
        return fallback(items)

    return last


def _dicts(items: Any, key: Any) -> bool:
    """Whether ``items`` is a list of plain dicts and ``key`` a string: the fast path of
    ``map``, ``where`` and ``sort``."""
    return type(items) is list and type(key) in _TEXT and set(map(type, items)) <= _DICTS


def _make_map(fallback: Filter, escaped: bool, limit: int) -> Filter:
    def map_(items: Any, key: Any) -> Any:
        if _dicts(items, key):
            try:
                return [item[key] for item in items]
            except KeyError:
                pass  # python-liquid's own null for a missing key
        return fallback(items, key)

    return map_


def _make_where(fallback: Filter, escaped: bool, limit: int) -> Filter:
    def where(items: Any, key: Any, value: Any = None) -> Any:
        if _dicts(items, key) and not isinstance(value, Undefined):
            if value is None:
                return [item for item in items if item.get(key) not in (False, None)]
            return [item for item in items if item.get(key) == value]
        return fallback(items, key, value)

    return where


def _make_sort(fallback: Filter, escaped: bool, limit: int) -> Filter:
    def sort(items: Any, key: Any = None) -> Any:
        try:
            if key is None and type(items) is list and set(map(type, items)) in _SORTABLE:
                return sorted(items)
            if key and _dicts(items, key):
                text = str(key)
                return sorted(items, key=lambda item: item.get(text, _MAX_CHARACTER))
        except TypeError:
            pass  # python-liquid reports items that do not compare
        return fallback(items) if key is None else fallback(items, key)

    return sort


_SORTABLE = frozenset({frozenset({str}), frozenset({int}), frozenset({float}),
                       frozenset({int, float})})


def _make_date(fallback: Filter, escaped: bool, limit: int) -> Filter:
    def date(value: Any, form: Any) -> Any:
        kind = type(value)
        if (kind is dt.datetime or kind is dt.date) and type(form) in _TEXT:
            moment = value if kind is dt.datetime else dt.datetime.combine(value, dt.time.min)
            try:
                text = moment.strftime(form)
            except ValueError:
                return fallback(value, form)
            return Markup(text) if escaped and type(form) is Markup else text
        return fallback(value, form)

    return date


# Text whose tags the fast ``strip_html`` removes itself: no ``<script`` or ``<style``
# (whose content python-liquid drops), every ``&`` starting a reference that ends in ``;``
# (python-liquid's parser rewrites the others), and every ``<`` starting a plain tag
# (quoted attribute values without angle brackets).
_RAW_TEXT = re.compile(r"<\s*/?\s*(?:script|style)", re.IGNORECASE)
_LOOSE_AMPERSAND = re.compile(r"&(?!(?:[a-zA-Z][a-zA-Z0-9]*|#[0-9]+|#[xX][0-9a-fA-F]+);)")
_PLAIN_TAG = re.compile(
    r"<(?:[a-zA-Z][a-zA-Z0-9]*"
    r"(?:\s(?:[^<>\"'=]|=\s*\"[^\"<>]*\"|=\s*'[^'<>]*'|=[^<>\"'\s]+)*)?/?"
    r"|/[a-zA-Z][a-zA-Z0-9]*)>")


def strip_html_text(text: str) -> str:
    """``text`` without its HTML tags, exactly as python-liquid's ``strip_html`` gives it:
    by a regular expression where the text has only plain tags, references and text,
    else by python-liquid's own HTML parser (comments, scripts, a stray ``<`` or ``&``).

    >>> strip_html_text('<p class="lead">Fish &amp; <b>chips</b></p>')
    'Fish &amp; chips'
    >>> strip_html_text("<script>alert(1)</script>ok")
    'ok'
    """
    if "<" not in text or ">" not in text:
        return text
    if _RAW_TEXT.search(text) is None and _LOOSE_AMPERSAND.search(text) is None:
        stripped = _PLAIN_TAG.sub("", text)
        if "<" not in stripped:
            return stripped
    return strip_tags(text)


def _make_strip_html(fallback: Filter, escaped: bool, limit: int) -> Filter:
    def strip_html(value: Any) -> Any:
        kind = type(value)
        if kind is str:
            return strip_html_text(value)
        if kind is Markup:
            text = strip_html_text(value)
            return Markup(text) if escaped else text
        return fallback(value)

    return strip_html


# python-liquid's standard filter: (its direct version's maker, how many arguments after
# the input it takes, at least and at most).
_MAKERS: dict[Filter, tuple[Callable[[Filter, bool, int], Filter], int, int]] = {
    liquid_math.plus: (_make_plus, 1, 1),
    liquid_math.minus: (_make_minus, 1, 1),
    liquid_math.times: (_make_times, 1, 1),
    liquid_math.divided_by: (_make_divided_by, 1, 1),
    liquid_math.modulo: (_make_modulo, 1, 1),
    liquid_math.round_: (_make_round, 0, 1),
    misc.default: (_make_default, 0, 1),
    misc.size: (_make_size, 0, 0),
    misc.date: (_make_date, 1, 1),
    string.upcase: (_make_upcase, 0, 0),
    string.downcase: (_make_downcase, 0, 0),
    string.escape: (_make_escape, 0, 0),
    string.url_encode: (_make_url_encode, 0, 0),
    string.append: (_make_append, 1, 1),
    string.prepend: (_make_prepend, 1, 1),
    string.truncate: (_make_truncate, 0, 2),
    string.truncatewords: (_make_truncatewords, 0, 2),
    string.slice_: (_make_slice, 1, 2),
    string.strip_html: (_make_strip_html, 0, 0),
    array.join: (_make_join, 0, 1),
    array.first: (_make_first, 0, 0),
    array.last: (_make_last, 0, 0),
    array.map_: (_make_map, 1, 1),
    array.where: (_make_where, 1, 2),
    array.sort: (_make_sort, 0, 1),
}



def _own(function: Filter) -> tuple[Filter, int, int]:
    """One of ladle's own filters without ``filter_function``'s wrapper, which only turns a
    call that does not fit its signature into an error: with its arguments counted."""
    inner: Filter = function.__wrapped__  # type: ignore[attr-defined]
    parameters = list(inspect.signature(inner).parameters.values())[1:]
    least = sum(1 for p in parameters if p.default is inspect.Parameter.empty)
    return inner, least, len(parameters)


_OWN = {function: _own(function) for function in (filesize, json, mmss, money, pluralize,
                                                  slugify)}


def _whole(name: str, operator: Callable[[int, int], int], checked: Filter) -> Filter:
    """``name`` on two ints, called straight from the compiled template: the ints and a
    result within ``INTEGER_LIMIT`` here, anything else (other types, a zero divisor, a
    result too large) through ``checked``, the filter's call with its usual checks."""

    def whole(left: Any, right: Any) -> Any:
        if type(left) is int and type(right) is int and (right or name in _TOTAL):
            result = operator(left, right)
            if -INTEGER_LIMIT <= result <= INTEGER_LIMIT:
                return result
        return checked(left, right)

    whole.__name__ = name
    return whole


_TOTAL = frozenset({"plus", "minus", "times"})  # defined for a zero right operand
_WHOLE: dict[Filter, tuple[str, Callable[[int, int], int]]] = {
    liquid_math.plus: ("plus", lambda a, b: a + b),
    liquid_math.minus: ("minus", lambda a, b: a - b),
    liquid_math.times: ("times", lambda a, b: a * b),
    liquid_math.divided_by: ("divided_by", lambda a, b: a // b),
    liquid_math.modulo: ("modulo", lambda a, b: a % b),
}


def inline(original: Filter, checked: Filter, count: int) -> Filter | None:
    """For an arithmetic filter given one argument: what the compiled template calls
    itself, with no wrapper around it (see ``_whole``); None for any other filter."""
    found = _WHOLE.get(original)
    return None if found is None or count != 1 else _whole(*found, checked)


def direct(original: Filter, fallback: Filter, escaped: bool, limit: int,
           count: int) -> Filter | None:
    """What a template calls for the filter ``original`` given ``count`` positional
    arguments after its input, if not ``fallback``: the direct version of one of
    python-liquid's standard filters (``escaped``: the template escapes; strings of at most
    ``limit`` characters), or one of ladle's own unwrapped. None if neither."""
    found = _MAKERS.get(original)
    if found is not None:
        make, least, most = found
        return make(fallback, escaped, limit) if least <= count <= most else None
    own = _OWN.get(original)
    if own is not None and own[1] <= count <= own[2]:
        return own[0]
    return None
