"""Shared helpers: how ladle's filters read nil, numbers and drops, and how they report errors."""

from __future__ import annotations

import functools
import inspect
import re
import reprlib
from collections.abc import Callable
from decimal import MAX_EMAX, MIN_EMIN, ROUND_HALF_UP, Context, Decimal, InvalidOperation
from typing import ParamSpec, TypeVar

from liquid.exceptions import FilterArgumentError
from liquid.undefined import Undefined

P = ParamSpec("P")
R = TypeVar("R")

#: Numbers must be smaller than 10**MAX_DIGITS in magnitude. Far beyond any duration,
#: price or file size, and it keeps every result a short string.
MAX_DIGITS = 100
LIMIT = 10**MAX_DIGITS

# A plain decimal number: optional sign, digits with an optional fraction, optional exponent.
# ASCII digits only: "١٢" is not a number here, as it is not in Liquid.
_NUMBER_TEXT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def error(message: str) -> FilterArgumentError:
    """The error every ladle filter raises: python-liquid's own, so templates point at the filter.

    >>> error("expected a number, found 'x'").message
    "expected a number, found 'x'"
    """
    return FilterArgumentError(message, token=None)


def filter_function(function: Callable[P, R]) -> Callable[P, R]:
    """Report a call with the wrong arguments as ``FilterArgumentError``, as python-liquid does.

    Only a call that does not fit the signature is converted; any other ``TypeError``
    is left alone, so a bug is never disguised as a user error.

    >>> @filter_function
    ... def twice(value: str) -> str:
    ...     return value * 2
    >>> twice("ab", "extra")
    Traceback (most recent call last):
    liquid.exceptions.FilterArgumentError: twice() takes 1 positional argument but 2 were given
    """
    signature = inspect.signature(function)

    @functools.wraps(function)
    def call(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return function(*args, **kwargs)
        except TypeError as problem:
            try:
                signature.bind(*args, **kwargs)
            except TypeError:
                raise error(str(problem)) from problem
            raise

    return call


def plain(value: object) -> object:
    """The value a filter works on: nil for an undefined, a drop's ``__liquid__`` value.

    A strict undefined raises its own ``UndefinedError`` here, as it does in python-liquid's
    standard filters.

    >>> from liquid import Undefined
    >>> plain(Undefined("missing")) is None
    True
    """
    if isinstance(value, Undefined):
        value.poke()  # every attribute of a strict undefined raises UndefinedError
        return None
    method = getattr(type(value), "__liquid__", None)
    return method(value) if method is not None else value


def describe(value: object) -> str:
    """How an error message quotes a value: Liquid's spelling of literals, shortened.

    >>> describe(None), describe(True), describe("abc"), describe(-5), describe([1, 2])
    ('nil', 'true', "'abc'", '-5', '[1, 2] (list)')
    """
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        text = str.__str__(value)
        return repr(text if len(text) <= 40 else text[:40] + "…")
    if isinstance(value, int) and abs(value) >= LIMIT:
        return f"an integer of more than {MAX_DIGITS} digits"  # str() of a huge int is slow
    if isinstance(value, (int, float, Decimal)):
        return str(value)
    short = reprlib.Repr()  # made per call: only error messages come here
    short.maxstring = short.maxother = 40
    return f"{short.repr(value)} ({type(value).__name__})"


def to_decimal(value: object, expected: str) -> Decimal | None:
    """Read a number exactly: ``None`` for nil or undefined, else a finite ``Decimal``.

    Accepts ints, floats (by their shortest text, so 2.675 is exactly 2.675), decimals and
    numeric strings, as python-liquid's math filters do. Booleans, non-numeric strings,
    NaN, infinity, numbers of 10**100 or more and anything else raise ``FilterArgumentError``
    with ``expected`` in the message.

    >>> to_decimal(2.675, "a number"), to_decimal(" 12.5 ", "a number"), to_decimal(None, "")
    (Decimal('2.675'), Decimal('12.5'), None)
    >>> to_decimal("twelve", "a price")
    Traceback (most recent call last):
    liquid.exceptions.FilterArgumentError: expected a price, found 'twelve'
    """
    value = plain(value)
    if value is None:
        return None
    number: Decimal
    if isinstance(value, bool):
        raise error(f"expected {expected}, found {describe(value)}")
    if isinstance(value, int):
        if abs(value) >= LIMIT:
            raise _too_large(value, expected)
        return Decimal(value)
    if isinstance(value, float):
        number = Decimal(repr(value))
    elif isinstance(value, Decimal):
        number = value
    elif isinstance(value, str) and _NUMBER_TEXT.fullmatch(value.strip()):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:  # an exponent beyond what decimal can hold
            raise _too_large(value, expected) from None
    else:
        raise error(f"expected {expected}, found {describe(value)}")
    if not number.is_finite():
        raise error(f"expected {expected}, found {describe(value)}")
    if number and number.adjusted() >= MAX_DIGITS:
        raise _too_large(value, expected)
    return number


def _too_large(value: object, expected: str) -> FilterArgumentError:
    bounds = f"between -1e{MAX_DIGITS} and 1e{MAX_DIGITS}"
    return error(f"expected {expected} {bounds}, found {describe(value)}")


def decimal_context() -> Context:
    """A fresh context (never shared, so no flags leak between threads) with room for any
    number ``to_decimal`` accepts, rounding half away from zero.

    >>> Decimal("2.5").quantize(Decimal(1), context=decimal_context())
    Decimal('3')
    """
    return Context(prec=2 * MAX_DIGITS, rounding=ROUND_HALF_UP, Emax=MAX_EMAX, Emin=MIN_EMIN)
