"""Number filters: prices and file sizes, computed in decimal so no float rounding shows."""

from __future__ import annotations

import re
from decimal import Decimal
from types import MappingProxyType

from ladle.filters._common import (
    MAX_DIGITS,
    decimal_context,
    describe,
    error,
    filter_function,
    plain,
    to_decimal,
)

__all__ = ["filesize", "money", "quick_money"]

MAX_DECIMALS = 20
_DIGITS = re.compile(r"[0-9]+")


def _decimals(places: object) -> int:
    """The ``decimals`` argument of ``money``: a whole number from 0 to 20; nil means 2."""
    value = plain(places)
    if value is None:
        return 2
    if isinstance(value, str) and _DIGITS.fullmatch(value.strip()):
        value = int(value.strip()) if len(value.strip()) <= 3 else MAX_DECIMALS + 1
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_DECIMALS:
        raise error(
            f"expected a number of decimals from 0 to {MAX_DECIMALS}, found {describe(places)}"
        )
    return value


_PLAIN_AMOUNTS = frozenset({int, float})
_FAST_BOUND = 10**(MAX_DIGITS - 1)  # well inside what ``to_decimal`` accepts
_STEPS = tuple(Decimal(1).scaleb(-places) for places in range(MAX_DECIMALS + 1))


# The Decimal path's ``abs`` rounds to the thread's context (28 digits by default): the
# quick one stays below that.
_EXACT_ABS = 10**28
# Floats below these have a last bit (ulp) under a quarter of a unit of the last decimal.
_NEAR = tuple(10.0 ** (15 - places) for places in range(MAX_DECIMALS + 1))
_FORMATS = tuple(f",.{places}f" for places in range(MAX_DECIMALS + 1))


def quick_money(amount: object, symbol: str, decimals: object) -> str | None:
    """``money`` of an int, or of a float whose shortest form has no exponent (well within
    the bounds), to a whole number of decimals from 0 to 20, rounded
    half away from zero on the digits of that form (as ``Decimal(repr(amount))`` reads
    them), without a decimal context; None for a float written with an exponent or a
    result of more than 28 digits, or any other call.

    >>> quick_money(-1234.565, "$", 2), quick_money(12, "€", 0), quick_money(1e-7, "$", 2)
    ('-$1,234.57', '€12', None)
    """
    if not (type(decimals) is int and 0 <= decimals <= MAX_DECIMALS
            and type(amount) in _PLAIN_AMOUNTS and -_FAST_BOUND < amount < _FAST_BOUND):
        return None
    if (type(amount) is float and -_NEAR[decimals] < amount < _NEAR[decimals]
            and round(amount, decimals) == amount):
        # A float this small is within an eighth of a unit of the last decimal of the one
        # number of that many decimals it stands for: Python's formatting gives it.
        return f"{'-' if amount < 0 else ''}{symbol}{format(abs(amount), _FORMATS[decimals])}"
    text = repr(amount)
    if "e" in text:
        return None
    negative = text[0] == "-"
    whole, _, fraction = text.lstrip("-").partition(".")
    if len(fraction) <= decimals:
        units = int(whole + fraction) * 10 ** (decimals - len(fraction))
    else:  # the first digit dropped decides: 5 or more rounds the magnitude up
        units = int(whole + fraction[:decimals]) + (fraction[decimals] >= "5")
    if units >= _EXACT_ABS:
        return None
    if decimals:
        integral, cents = divmod(units, 10 ** decimals)
        body = f"{integral:,}.{cents:0{decimals}d}"
    else:
        body = f"{units:,}"
    return f"{'-' if negative and units else ''}{symbol}{body}"


@filter_function
def money(amount: object, symbol: object = "$", decimals: object = 2) -> str:
    """An amount with a currency symbol, thousands separators and fixed decimals.

    Rounds half away from zero on the exact decimal value (2.675 is 2.68, never 2.67 as
    float formatting gives). A negative amount puts the sign before the symbol. Numeric
    strings are read as numbers; nil and undefined are 0, as in python-liquid's math
    filters. A nil or undefined ``symbol`` or ``decimals`` takes the default.

    >>> money(1234.5), money(1234.5, "€"), money(1234.5, "£", 0), money(2.675), money(-5)
    ('$1,234.50', '€1,234.50', '£1,235', '$2.68', '-$5.00')
    >>> money("abc")
    Traceback (most recent call last):
    liquid.exceptions.FilterArgumentError: expected an amount of money, found 'abc'
    """
    if type(symbol) is str:  # the common call, without the checks below (the same result)
        quick = quick_money(amount, symbol, decimals)
        if quick is not None:
            return quick
    if (type(decimals) is int and 0 <= decimals <= MAX_DECIMALS and type(symbol) is str
            and type(amount) in _PLAIN_AMOUNTS and -_FAST_BOUND < amount < _FAST_BOUND):
        exact = Decimal(amount) if type(amount) is int else Decimal(repr(amount))
        rounded = exact.quantize(_STEPS[decimals], context=decimal_context())
        return f"{'-' if rounded < 0 else ''}{symbol}{abs(rounded):,f}"
    number = to_decimal(amount, "an amount of money")
    sign = plain(symbol)
    if sign is None:
        sign = "$"
    if not isinstance(sign, str):
        raise error(f"expected a currency symbol as a string, found {describe(symbol)}")
    places = _decimals(decimals)
    rounded = (number or Decimal(0)).quantize(Decimal(1).scaleb(-places), context=decimal_context())
    minus = "-" if rounded < 0 else ""  # -0.001 rounds to zero: no sign on "$0.00"
    return f"{minus}{sign}{abs(rounded):,f}"


_UNITS = MappingProxyType(
    {
        "decimal": (1000, ("B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB")),
        "binary": (1024, ("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB")),
    }
)


@filter_function
def filesize(size: object, units: object = "decimal") -> str:
    """A number of bytes as a human size: decimal units (kB = 1000) or ``'binary'`` (KiB = 1024).

    Bytes are whole; larger units have one decimal, rounded half away from zero, and a
    value that rounds up to the next unit is shown in it (999,999 bytes is ``1.0 MB``).
    nil and undefined are 0 bytes. A negative number or anything that is not a number
    raises ``FilterArgumentError``.

    >>> filesize(999), filesize(1000), filesize(48213120), filesize(48213120, "binary")
    ('999 B', '1.0 kB', '48.2 MB', '46.0 MiB')
    """
    number = to_decimal(size, "a number of bytes")
    if number is None:
        number = Decimal(0)
    if number < 0:
        raise error(f"expected a non-negative number of bytes, found {describe(size)}")
    system = plain(units)
    if system is None:
        system = "decimal"
    if not isinstance(system, str) or system not in _UNITS:
        raise error(f"expected units 'decimal' or 'binary', found {describe(units)}")
    base, names = _UNITS[system]
    context = decimal_context()
    exponent = 0
    while True:
        scaled = context.divide(number, Decimal(base) ** exponent)
        places = Decimal(1) if exponent == 0 else Decimal("0.1")
        shown = scaled.quantize(places, context=context)
        if shown < base or exponent == len(names) - 1:
            return f"{shown:f} {names[exponent]}"
        exponent += 1
