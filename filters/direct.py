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

The direct versions live by job: ``filters.direct_numbers``, ``filters.direct_text``
(whole strings remade), ``filters.direct_strings`` (strings cut and joined),
``filters.direct_lists``, and here those of ``default``, ``size`` and ``date``; ``_MAKERS``
below is the one table of them, and ``skipped`` names the standard filters left out.

``direct(original, fallback, escaped, limit, count)`` gives the direct version of the
standard filter ``original`` (None when there is none, or ``original`` is not
python-liquid's own): ``fallback`` is what the template would call otherwise (the
environment bound, the length guard of ``filters.limits`` and the host's checks around
it), called for every value off the fast path, so that its checks and errors stay the
ones users see. ``checked_call`` calls any other filter with the same checks.
"""

from __future__ import annotations

import datetime as dt
import inspect
import sys
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from liquid.builtin.filters import array, extra, misc, string
from liquid.builtin.filters import math as liquid_math
from markupsafe import Markup

from ladle.filters import direct_lists as lists
from ladle.filters import direct_numbers as numbers
from ladle.filters import direct_strings as strings
from ladle.filters import direct_text as text
from ladle.filters._common import LIMIT as DECIMAL_LIMIT
from ladle.filters.calls import SEQUENCES, TEXT, Call, Filter, as_is, markup
from ladle.filters.data import json
from ladle.filters.dates import plan
from ladle.filters.numbers import filesize, money, quick_money
from ladle.filters.text import pluralize, slugify
from ladle.filters.time import mmss

__all__ = ["Call", "arithmetic", "checked_call", "direct", "skipped"]


def _make_default(call: Call) -> Filter:
    fallback, settle, free = call.fallback, call.settle, call.free

    def default(value: Any, other: Any = "") -> Any:
        kind = type(value)
        if type(other) not in SEQUENCES:
            if kind is str or kind is Markup:
                result = value if value else other
            elif kind is float:
                return value
            elif kind is int or value is None:
                result = other if value is None else value
            else:
                return fallback(value, other)
            if type(result) in TEXT and len(result) <= free:
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


def _make_date(call: Call) -> Filter:
    fallback, settle, free, escaped = call.fallback, call.settle, call.free, call.escaped
    known = call.known.get(0)
    planned = plan(known) if isinstance(known, str) else None

    def date(value: Any, form: Any) -> Any:
        kind = type(value)
        if (kind is dt.datetime or kind is dt.date) and type(form) in TEXT:
            moment = value if kind is dt.datetime else dt.datetime.combine(value, dt.time.min)
            text = None if planned is None or form != known else planned(moment)
            if text is None:
                try:
                    text = moment.strftime(form)
                except ValueError:
                    return fallback(value, form)
            if escaped and type(form) is Markup:
                text = markup(Markup, text)
            return text if len(text) <= free else settle(value, text)
        return fallback(value, form)

    return date


# python-liquid's standard filter: (its direct version's maker, how many arguments after
# the input it takes, at least and at most).
_MAKERS: dict[Filter, tuple[Callable[[Call], Filter], int, int]] = {
    liquid_math.plus: (numbers.make_plus, 1, 1),
    liquid_math.minus: (numbers.make_minus, 1, 1),
    liquid_math.times: (numbers.make_times, 1, 1),
    liquid_math.divided_by: (numbers.make_divided_by, 1, 1),
    liquid_math.modulo: (numbers.make_modulo, 1, 1),
    liquid_math.round_: (numbers.make_round, 0, 1),
    liquid_math.abs_: (numbers.make_abs, 0, 0),
    liquid_math.ceil: (numbers.make_ceil, 0, 0),
    liquid_math.floor: (numbers.make_floor, 0, 0),
    liquid_math.at_most: (numbers.make_at_most, 1, 1),
    liquid_math.at_least: (numbers.make_at_least, 1, 1),
    misc.default: (_make_default, 0, 1),
    misc.size: (_make_size, 0, 0),
    misc.date: (_make_date, 1, 1),
    string.upcase: (text.make_upcase, 0, 0),
    string.downcase: (text.make_downcase, 0, 0),
    string.capitalize: (text.make_capitalize, 0, 0),
    string.strip: (text.make_strip, 0, 0),
    string.lstrip: (text.make_lstrip, 0, 0),
    string.rstrip: (text.make_rstrip, 0, 0),
    string.squish: (text.make_squish, 0, 0),
    string.escape: (text.make_escape, 0, 0),
    string.escape_once: (text.make_escape_once, 0, 0),
    string.newline_to_br: (text.make_newline_to_br, 0, 0),
    string.strip_newlines: (text.make_strip_newlines, 0, 0),
    string.strip_html: (text.make_strip_html, 0, 0),
    string.url_encode: (text.make_url_encode, 0, 0),
    string.url_decode: (text.make_url_decode, 0, 0),
    string.base64_encode: (text.make_base64_encode, 0, 0),
    string.base64_decode: (text.make_base64_decode, 0, 0),
    string.base64_url_safe_encode: (text.make_base64_url_safe_encode, 0, 0),
    string.base64_url_safe_decode: (text.make_base64_url_safe_decode, 0, 0),
    extra.safe: (text.make_safe, 0, 0),
    extra.escapejs: (text.make_escapejs, 0, 0),
    string.append: (strings.make_append, 1, 1),
    string.prepend: (strings.make_prepend, 1, 1),
    string.replace: (strings.make_replace, 1, 2),
    string.replace_first: (strings.make_replace_first, 1, 2),
    string.replace_last: (strings.make_replace_last, 2, 2),
    string.remove: (strings.make_remove, 1, 1),
    string.remove_first: (strings.make_remove_first, 1, 1),
    string.remove_last: (strings.make_remove_last, 1, 1),
    string.split: (strings.make_split, 1, 1),
    string.slice_: (strings.make_slice, 1, 2),
    string.truncate: (strings.make_truncate, 0, 2),
    string.truncatewords: (strings.make_truncatewords, 0, 2),
    array.join: (lists.make_join, 0, 1),
    array.first: (lists.make_first, 0, 0),
    array.last: (lists.make_last, 0, 0),
    array.map_: (lists.make_map, 1, 1),
    array.where: (lists.make_where, 1, 2),
    array.reject: (lists.make_reject, 1, 2),
    array.find: (lists.make_find, 1, 2),
    array.find_index: (lists.make_find_index, 1, 2),
    array.has: (lists.make_has, 1, 2),
    array.sort: (lists.make_sort, 0, 1),
    array.sort_natural: (lists.make_sort_natural, 0, 1),
    array.uniq: (lists.make_uniq, 0, 1),
    array.compact: (lists.make_compact, 0, 1),
    array.concat: (lists.make_concat, 1, 1),
    array.reverse: (lists.make_reverse, 0, 0),
    array.sum_: (lists.make_sum, 0, 1),
}

# python-liquid's standard filters left to ``checked_call``, and why (none now: a filter
# python-liquid adds would be named here once measured).
_SKIPPED: dict[Filter, str] = {}


def skipped() -> Mapping[Filter, str]:
    """python-liquid's standard filters with no direct version: why, by filter."""
    return MappingProxyType(_SKIPPED)


def checked_call(function: Filter, call: Call) -> Filter:
    """``function``, called as a direct filter is: any tuple or range argument handed to
    ``call.fallback`` (the host's checked call), the result to ``call.settle`` unless it is
    short text from an input that is no list."""
    fallback, settle, free = call.fallback, call.settle, call.free

    def checked(value: Any, *args: Any) -> Any:
        if type(value) in SEQUENCES:
            return fallback(value, *args)
        for argument in args:
            if type(argument) in SEQUENCES:
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
                and type(singular) in TEXT and (plural is None or type(plural) in TEXT)):
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
           settle: Callable[[Any, Any], Any] = as_is, free: int = sys.maxsize,
           known: Mapping[int, Any] | None = None) -> Filter | None:
    """What a template calls for the filter ``original`` given ``count`` positional
    arguments after its input, if not ``fallback``: the direct version of one of
    python-liquid's standard filters (``escaped``: the template escapes; strings of at most
    ``limit`` characters), or one of ladle's own unwrapped; None if neither. ``settle``,
    ``free`` and ``known`` (constant arguments by position): see ``Call``.

    >>> capitalize = direct(string.capitalize, print, False, 100, 0)
    >>> capitalize is not None and capitalize("ladle")
    'Ladle'
    """
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
