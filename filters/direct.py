"""Direct versions of python-liquid's standard filters, for templates compiled to Python.

python-liquid's filters go through layers on every call: a decorator that coerces the
input and turns ``TypeError`` into ``FilterArgumentError``, the environment passed as a
keyword, ``Markup`` checks. Here each filter has a fast path for the values templates
give it most (strings, whole numbers and floats, lists of strings or of plain dicts,
datetimes) that computes exactly what python-liquid's would, and hands anything else to
the filter it replaces, so uncommon input keeps python-liquid's results and errors.
Whether the template escapes its output is fixed when the filter is made, not read per
call, and so is the reading of a constant ``date`` format (``filters.dates``).
``tests/filters/test_direct.py`` compares each with python-liquid's on random arguments.

A compiled template calls a direct filter straight from its code, with no wrapper
around it: what a wrapper would check is checked on the fast path itself. No argument
on a fast path is a tuple or a range (which the host scans for over-long ranges first),
and a result is handed to the host's ``settle`` (its size checks and work budget) unless
it is text of at most ``free`` characters made from an input that is no list.

``direct(original, fallback, escaped, limit, count)`` gives the direct version of the
standard filter ``original`` (None when there is none, or ``original`` is not
python-liquid's own): ``fallback`` is what the template would call otherwise (the
environment bound, the length guard of ``filters.limits`` and the host's checks around
it), called for every value off the fast path, so that its checks and errors stay the
ones users see. ``checked_call`` calls any other filter with the same checks.
"""

from __future__ import annotations

import datetime as dt
import html
import inspect
import re
import sys
import urllib.parse
from collections.abc import Callable, Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Any, NamedTuple

from liquid.builtin.filters import array, misc, string
from liquid.builtin.filters import math as liquid_math
from liquid.undefined import Undefined
from liquid.utils.html import strip_tags
from markupsafe import Markup
from markupsafe import escape as markup_escape

from ladle.filters._common import LIMIT as DECIMAL_LIMIT
from ladle.filters.data import json
from ladle.filters.dates import plan
from ladle.filters.numbers import filesize, money, quick_money
from ladle.filters.text import pluralize, slugify
from ladle.filters.time import mmss
from ladle.grammar.runtime import INTEGER_LIMIT

__all__ = ["Call", "arithmetic", "checked_call", "direct", "strip_html_text"]

Filter = Callable[..., Any]
_TEXT = frozenset({str, Markup})
_NUMBERS = frozenset({int, float})
_DICTS = frozenset({dict})
# Arguments the host scans for over-long ranges before any filter sees them.
_SEQUENCES = frozenset({tuple, range})
# python-liquid's bounds on whole-number arguments (``truncatewords``, ``slice``).
_MAX_WORDS = (1 << 31) - 1
_SLICE_BOUND = 1 << 63
_MAX_CHARACTER = chr(0x10FFFF)  # python-liquid's ``sort`` puts items without the key last
# ``Markup(text)`` for a plain ``str``, without ``Markup.__new__``'s checks.
_markup = str.__new__


def _as_is(first: Any, result: Any) -> Any:
    return result


class Call(NamedTuple):
    """What a direct filter is made for (see the module's text)."""

    fallback: Filter
    escaped: bool
    limit: int
    settle: Callable[[Any, Any], Any] = _as_is
    free: int = sys.maxsize
    known: Mapping[int, Any] = MappingProxyType({})  # constant arguments by position


def _whole_result(call: Call) -> Callable[[Any, int], Any]:
    """``result`` when within ``INTEGER_LIMIT``, else the host's checks of it."""
    settle = call.settle

    def whole(first: Any, result: int) -> Any:
        return result if -INTEGER_LIMIT <= result <= INTEGER_LIMIT else settle(first, result)

    return whole


def _arithmetic(name: str, call: Call, operator: Callable[[Any, Any], Any]) -> Filter:
    """``plus``, ``minus``, ``times``: exact on ints, through decimal text on floats."""
    fallback, settle = call.fallback, call.settle

    def apply(left: Any, right: Any) -> Any:
        kind, other = type(left), type(right)
        if kind is int and other is int:
            result = operator(left, right)
            if -INTEGER_LIMIT <= result <= INTEGER_LIMIT:
                return result
            return settle(left, result)
        if kind in _NUMBERS and other in _NUMBERS:
            return float(operator(Decimal(str(left)), Decimal(str(right))))
        return fallback(left, right)

    apply.__name__ = name
    return apply


def _make_plus(call: Call) -> Filter:
    return _arithmetic("plus", call, lambda a, b: a + b)


def _make_minus(call: Call) -> Filter:
    return _arithmetic("minus", call, lambda a, b: a - b)


def _make_times(call: Call) -> Filter:
    return _arithmetic("times", call, lambda a, b: a * b)


def _make_divided_by(call: Call) -> Filter:
    fallback, whole = call.fallback, _whole_result(call)

    def divided_by(left: Any, right: Any) -> Any:
        kind, other = type(left), type(right)
        if kind in _NUMBERS and other in _NUMBERS and right:
            return whole(left, left // right) if kind is int and other is int else left / right
        return fallback(left, right)

    return divided_by


def _make_modulo(call: Call) -> Filter:
    fallback, whole = call.fallback, _whole_result(call)

    def modulo(left: Any, right: Any) -> Any:
        if type(left) is int and type(right) is int and right:
            return whole(left, left % right)
        return fallback(left, right)

    return modulo


def _make_round(call: Call) -> Filter:
    fallback, whole = call.fallback, _whole_result(call)

    def round_(number: Any, digits: Any = None) -> Any:
        if type(number) in _NUMBERS:
            if digits is None:
                return whole(number, round(number))
            if type(digits) is int:
                if digits < 0:
                    return 0
                result = round(number) if digits == 0 else round(number, digits)
                return whole(number, result) if type(result) is int else result
        return fallback(number) if digits is None else fallback(number, digits)

    return round_


def _make_default(call: Call) -> Filter:
    fallback, settle, free = call.fallback, call.settle, call.free

    def default(value: Any, other: Any = "") -> Any:
        kind = type(value)
        if type(other) not in _SEQUENCES:
            if kind is str or kind is Markup:
                result = value if value else other
            elif kind is float:
                return value
            elif kind is int or value is None:
                result = other if value is None else value
            else:
                return fallback(value, other)
            if type(result) in _TEXT and len(result) <= free:
                return result
            return settle(value, result)
        return fallback(value, other)

    return default


def _make_size(call: Call) -> Filter:
    fallback, settle = call.fallback, call.settle

    def size(value: Any) -> Any:
        kind = type(value)
        if kind in _SIZED:
            return len(value)
        if kind is list:
            return settle(value, len(value))
        return fallback(value)

    return size


_SIZED = frozenset({str, Markup, dict})


def _text_filter(function: Callable[[Any], Any], call: Call,
                 kinds: frozenset[type] = _TEXT) -> Filter:
    """A filter of one string (``upcase``…): ``function`` on a value of one of ``kinds``."""
    fallback, settle, free = call.fallback, call.settle, call.free

    def text_filter(value: Any) -> Any:
        if type(value) in kinds:
            result = function(value)
            return result if len(result) <= free else settle(value, result)
        return fallback(value)

    return text_filter


def _make_upcase(call: Call) -> Filter:
    return _text_filter(lambda value: value.upper(), call)


def _make_downcase(call: Call) -> Filter:
    return _text_filter(lambda value: value.lower(), call)


def _make_escape(call: Call) -> Filter:
    return _text_filter(markup_escape if call.escaped else html.escape, call, frozenset({str}))


_URL_SAFE = re.compile(r"[A-Za-z0-9_.~-]*")
# What quote_plus makes of each ASCII character: itself if safe, "+" for a space, else
# its "%XX" escape (its UTF-8 byte is the character's code).
_URL_ASCII = {code: ("+" if code == 32 else chr(code) if _URL_SAFE.fullmatch(chr(code))
                     else f"%{code:02X}") for code in range(128)}


def _make_url_encode(call: Call) -> Filter:
    quote, safe = urllib.parse.quote_plus, _URL_SAFE.fullmatch
    escaped, fallback, settle, free = call.escaped, call.fallback, call.settle, call.free

    def url_encode(value: Any) -> Any:
        if type(value) is str:
            # quote_plus gives text of only these characters back as it is
            result = (value if safe(value) else value.translate(_URL_ASCII)
                      if value.isascii() else quote(value))
            if escaped:
                result = _markup(Markup, result)
            return result if len(result) <= free else settle(value, result)
        return fallback(value)

    return url_encode


def _concatenation(name: str, call: Call, ahead: bool) -> Filter:
    """``append`` (``ahead=False``) or ``prepend``: two strings whose total length is
    within ``limit``; the guarded filter refuses longer ones with its usual error."""
    fallback, settle, free, limit = call.fallback, call.settle, call.free, call.limit

    def concatenate(value: Any, other: Any) -> Any:
        kind, other_kind = type(value), type(other)
        if kind in _TEXT and other_kind in _TEXT and len(value) + len(other) <= limit:
            if ahead:
                value, other, kind, other_kind = other, value, other_kind, kind
            if kind is Markup and other_kind is str:  # as Markup's + does it, quicker
                result = _markup(Markup, str.__add__(value, markup_escape(other)))
            else:
                result = value + other
            return result if len(result) <= free else settle(other if ahead else value,
                                                             result)
        return fallback(value, other)

    concatenate.__name__ = name
    return concatenate


def _make_append(call: Call) -> Filter:
    return _concatenation("append", call, ahead=False)


def _make_prepend(call: Call) -> Filter:
    return _concatenation("prepend", call, ahead=True)


def _make_truncate(call: Call) -> Filter:
    fallback, settle, free = call.fallback, call.settle, call.free

    def truncate(value: Any, count: Any = 50, end: Any = "...") -> Any:
        if type(value) in _TEXT and type(count) is int and type(end) in _TEXT:
            if len(value) < count:
                result = value
            else:
                end = str(end)
                result = f"{value[:count - len(end)]}{end}"
            return result if len(result) <= free else settle(value, result)
        return fallback(value, count, end)

    return truncate


def _make_truncatewords(call: Call) -> Filter:
    fallback, settle, free = call.fallback, call.settle, call.free

    def truncatewords(value: Any, count: Any = 15, end: Any = "...") -> Any:
        if type(value) in _TEXT and type(count) is int and type(end) in _TEXT:
            count = max(count, 1)  # as python-liquid: at least one word
            if count >= _MAX_WORDS:
                result = value
            else:
                # no more than the words it keeps, and the rest in one piece: if that
                # piece is there, there are more words than it keeps
                words = value.split(None, count)
                if len(words) < count:
                    result = " ".join(words)
                else:
                    result = " ".join(words[:count]) + str(end)
            return result if len(result) <= free else settle(value, result)
        return fallback(value, count, end)

    return truncatewords


def _make_slice(call: Call) -> Filter:
    fallback, settle, free, limit = call.fallback, call.settle, call.free, call.limit

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
            return result if len(result) <= free else settle(value, result)
        return fallback(value, start, length)

    return slice_


def _make_join(call: Call) -> Filter:
    space = Markup(" ") if call.escaped else " "
    fallback, settle, free, limit = call.fallback, call.settle, call.free, call.limit

    def join(items: Any, separator: Any = " ") -> Any:
        kind = type(separator)
        if (type(items) is list and kind in _TEXT and set(map(type, items)) <= _TEXT
                and sum(map(len, items)) + len(separator) * (len(items) - 1) <= limit):
            if separator == " ":
                separator, kind = space, type(space)
            if kind is Markup:  # as Markup's join does it, quicker
                result = _markup(Markup, str.join(separator, map(markup_escape, items)))
            else:
                result = separator.join(items)
            return result if len(items) + len(result) <= free else settle(items, result)
        return fallback(items, separator)

    return join


def _make_first(call: Call) -> Filter:
    fallback, settle = call.fallback, call.settle

    def first(items: Any) -> Any:
        if type(items) is list:
            return settle(items, items[0] if items else None)
        return fallback(items)

    return first


def _make_last(call: Call) -> Filter:
    fallback, settle = call.fallback, call.settle

    def last(items: Any) -> Any:
        if type(items) is list:
            return settle(items, items[-1] if items else None)
        return fallback(items)

    return last


def _dicts(items: Any, key: Any) -> bool:
    """Whether ``items`` is a list of plain dicts and ``key`` a string: the fast path of
    ``map``, ``where`` and ``sort``."""
    return type(items) is list and type(key) in _TEXT and set(map(type, items)) <= _DICTS


def _make_map(call: Call) -> Filter:
    fallback, settle = call.fallback, call.settle

    def map_(items: Any, key: Any) -> Any:
        if _dicts(items, key):
            try:
                return settle(items, [item[key] for item in items])
            except KeyError:
                pass  # python-liquid's own null for a missing key
        return fallback(items, key)

    return map_


def _make_where(call: Call) -> Filter:
    fallback, settle = call.fallback, call.settle

    def where(items: Any, key: Any, value: Any = None) -> Any:
        if (_dicts(items, key) and not isinstance(value, Undefined)
                and type(value) not in _SEQUENCES):
            if value is None:
                found = [item for item in items if item.get(key) not in (False, None)]
            else:
                found = [item for item in items if item.get(key) == value]
            return settle(items, found)
        return fallback(items, key, value)

    return where


def _make_sort(call: Call) -> Filter:
    fallback, settle = call.fallback, call.settle

    def sort(items: Any, key: Any = None) -> Any:
        try:
            if key is None and type(items) is list and set(map(type, items)) in _SORTABLE:
                return settle(items, sorted(items))
            if key and _dicts(items, key):
                text = str(key)
                return settle(items, sorted(items,
                                            key=lambda item: item.get(text, _MAX_CHARACTER)))
        except TypeError:
            pass  # python-liquid reports items that do not compare
        return fallback(items) if key is None else fallback(items, key)

    return sort


_SORTABLE = frozenset({frozenset({str}), frozenset({int}), frozenset({float}),
                       frozenset({int, float})})


def _make_date(call: Call) -> Filter:
    fallback, settle, free, escaped = call.fallback, call.settle, call.free, call.escaped
    known = call.known.get(0)
    planned = plan(known) if isinstance(known, str) else None

    def date(value: Any, form: Any) -> Any:
        kind = type(value)
        if (kind is dt.datetime or kind is dt.date) and type(form) in _TEXT:
            moment = value if kind is dt.datetime else dt.datetime.combine(value, dt.time.min)
            text = None if planned is None or form != known else planned(moment)
            if text is None:
                try:
                    text = moment.strftime(form)
                except ValueError:
                    return fallback(value, form)
            if escaped and type(form) is Markup:
                text = _markup(Markup, text)
            return text if len(text) <= free else settle(value, text)
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


def _make_strip_html(call: Call) -> Filter:
    fallback, settle, free, escaped = call.fallback, call.settle, call.free, call.escaped

    def strip_html(value: Any) -> Any:
        kind = type(value)
        if kind is str or kind is Markup:
            text = strip_html_text(value)
            if kind is Markup and escaped:
                text = _markup(Markup, text)
            return text if len(text) <= free else settle(value, text)
        return fallback(value)

    return strip_html


# python-liquid's standard filter: (its direct version's maker, how many arguments after
# the input it takes, at least and at most).
_MAKERS: dict[Filter, tuple[Callable[[Call], Filter], int, int]] = {
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



def checked_call(function: Filter, call: Call) -> Filter:
    """``function``, called as a direct filter is: any tuple or range argument handed to
    ``call.fallback`` (the host's checked call), the result to ``call.settle`` unless it is
    short text from an input that is no list."""
    fallback, settle, free = call.fallback, call.settle, call.free

    def checked(value: Any, *args: Any) -> Any:
        if type(value) in _SEQUENCES:
            return fallback(value, *args)
        for argument in args:
            if type(argument) in _SEQUENCES:
                return fallback(value, *args)
        result = function(value, *args)
        kind = type(result)
        if (kind is str or kind is Markup) and len(result) <= free and type(value) is not list:
            return result
        return settle(value, result)

    return checked


def _make_pluralize(inner: Filter, call: Call) -> Filter:
    """ladle's ``pluralize`` on a whole-number count and words as strings; ``inner`` is
    its function without the wrapper, for anything else."""
    slow = checked_call(inner, call)
    free, settle = call.free, call.settle

    def pluralize_(count: Any, singular: Any, plural: Any = None) -> Any:
        if (type(count) is int and -DECIMAL_LIMIT < count < DECIMAL_LIMIT
                and type(singular) in _TEXT and (plural is None or type(plural) in _TEXT)):
            word = singular if count == 1 else singular + "s" if plural is None else plural
            result = f"{count} {word}"
            return result if len(result) <= free else settle(count, result)
        return slow(count, singular) if plural is None else slow(count, singular, plural)

    return pluralize_


def _make_money(inner: Filter, call: Call) -> Filter:
    """ladle's ``money`` on a plain number and a symbol as a string: its quick path
    called at once; ``inner`` (its function without the wrapper) through
    ``checked_call`` otherwise."""
    slow = checked_call(inner, call)
    free, settle = call.free, call.settle

    def money_(amount: Any, *args: Any) -> Any:
        # (``direct`` makes it only for one or two arguments after the amount)
        symbol = args[0]
        if type(symbol) is str:
            result = quick_money(amount, symbol, 2 if len(args) == 1 else args[1])
            if result is not None:
                return result if len(result) <= free else settle(amount, result)
        return slow(amount, *args)

    return money_


def _own(function: Filter) -> tuple[Filter, int, int]:
    """One of ladle's own filters without ``filter_function``'s wrapper, which only turns a
    call that does not fit its signature into an error: with its arguments counted."""
    inner: Filter = function.__wrapped__  # type: ignore[attr-defined]
    parameters = list(inspect.signature(inner).parameters.values())[1:]
    least = sum(1 for p in parameters if p.default is inspect.Parameter.empty)
    return inner, least, len(parameters)


_OWN = {function: _own(function) for function in (filesize, json, mmss, money, pluralize,
                                                  slugify)}


# python-liquid's arithmetic filters: the Python operator each is on two ints (``//`` and
# ``%`` by a non-zero int).
_ARITHMETIC = {liquid_math.plus: "+", liquid_math.minus: "-", liquid_math.times: "*",
               liquid_math.divided_by: "//", liquid_math.modulo: "%"}


def arithmetic(original: Filter) -> str | None:
    """The Python operator that computes the filter ``original`` on two ints (``+``,
    ``-``, ``*``, ``//``, ``%``: the last two by a non-zero int), as its direct version
    does; None if it is no arithmetic filter. A result beyond ``INTEGER_LIMIT`` is the
    direct version's to refuse."""
    return _ARITHMETIC.get(original)


def direct(original: Filter, fallback: Filter, escaped: bool, limit: int, count: int, *,
           settle: Callable[[Any, Any], Any] = _as_is, free: int = sys.maxsize,
           known: Mapping[int, Any] | None = None) -> Filter | None:
    """What a template calls for the filter ``original`` given ``count`` positional
    arguments after its input, if not ``fallback``: the direct version of one of
    python-liquid's standard filters (``escaped``: the template escapes; strings of at most
    ``limit`` characters), or one of ladle's own unwrapped; None if neither. ``settle``,
    ``free`` and ``known`` (constant arguments by position): see ``Call``."""
    call = Call(fallback, escaped, limit, settle, free, known or MappingProxyType({}))
    found = _MAKERS.get(original)
    if found is not None:
        make, least, most = found
        return make(call) if least <= count <= most else None
    own = _OWN.get(original)
    if own is None or not own[1] <= count <= own[2]:
        return None
    if original is pluralize:
        return _make_pluralize(own[0], call)
    if original is money and count:
        return _make_money(own[0], call)
    return checked_call(own[0], call)
