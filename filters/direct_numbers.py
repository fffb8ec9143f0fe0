"""Direct versions of python-liquid's number filters (see ``filters.direct``): on ints and
floats, exactly what python-liquid's give, anything else handed to the filter they replace."""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from ladle.filters.calls import NUMBERS, Call, Filter, whole_result
from ladle.grammar.runtime import INTEGER_LIMIT

__all__ = ["make_abs", "make_at_least", "make_at_most", "make_ceil", "make_divided_by",
           "make_floor", "make_minus", "make_modulo", "make_plus", "make_round",
           "make_times"]


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
        if kind in NUMBERS and other in NUMBERS:
            return float(operator(Decimal(str(left)), Decimal(str(right))))
        return fallback(left, right)

    apply.__name__ = name
    return apply


def make_plus(call: Call) -> Filter:
    return _arithmetic("plus", call, lambda a, b: a + b)


def make_minus(call: Call) -> Filter:
    return _arithmetic("minus", call, lambda a, b: a - b)


def make_times(call: Call) -> Filter:
    return _arithmetic("times", call, lambda a, b: a * b)


def make_divided_by(call: Call) -> Filter:
    fallback, whole = call.fallback, whole_result(call)

    def divided_by(left: Any, right: Any) -> Any:
        kind, other = type(left), type(right)
        if kind in NUMBERS and other in NUMBERS and right:
            return whole(left, left // right) if kind is int and other is int else left / right
        return fallback(left, right)

    return divided_by


def make_modulo(call: Call) -> Filter:
    fallback, whole = call.fallback, whole_result(call)

    def modulo(left: Any, right: Any) -> Any:
        if type(left) is int and type(right) is int and right:
            return whole(left, left % right)
        return fallback(left, right)

    return modulo


def make_round(call: Call) -> Filter:
    fallback, whole = call.fallback, whole_result(call)

    def round_(number: Any, digits: Any = None) -> Any:
        if type(number) in NUMBERS:
            if digits is None:
                return whole(number, round(number))
            if type(digits) is int:
                if digits < 0:
                    return 0
                result = round(number) if digits == 0 else round(number, digits)
                return whole(number, result) if type(result) is int else result
        return fallback(number) if digits is None else fallback(number, digits)

    return round_


def _one_number(name: str, call: Call, function: Callable[[Any], Any]) -> Filter:
    """``abs``, ``ceil``, ``floor``: ``function`` of an int or a finite float."""
    fallback, whole = call.fallback, whole_result(call)

    def apply(number: Any) -> Any:
        kind = type(number)
        if kind is int or (kind is float and math.isfinite(number)):
            result = function(number)
            return whole(number, result) if type(result) is int else result
        return fallback(number)

    apply.__name__ = name
    return apply


def make_abs(call: Call) -> Filter:
    """``abs``; a value that is no number goes to ``call.fallback``.

    >>> absolute = make_abs(Call(fallback=lambda value: "python-liquid's", escaped=False,
    ...                          limit=100))
    >>> absolute(-3), absolute(-2.5), absolute("-3")
    (3, 2.5, "python-liquid's")
    """
    return _one_number("abs", call, abs)


def make_ceil(call: Call) -> Filter:
    return _one_number("ceil", call, math.ceil)


def make_floor(call: Call) -> Filter:
    return _one_number("floor", call, math.floor)


def _bound(name: str, call: Call, choose: Callable[[Any, Any], Any]) -> Filter:
    """``at_most`` (``min``) or ``at_least`` (``max``) of two numbers."""
    fallback, whole = call.fallback, whole_result(call)

    def apply(number: Any, other: Any) -> Any:
        if type(number) in NUMBERS and type(other) in NUMBERS:
            result = choose(number, other)
            return whole(number, result) if type(result) is int else result
        return fallback(number, other)

    apply.__name__ = name
    return apply


def make_at_most(call: Call) -> Filter:
    return _bound("at_most", call, min)


def make_at_least(call: Call) -> Filter:
    return _bound("at_least", call, max)
