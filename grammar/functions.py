"""Built-in functions: the table that ``name(args)`` calls reach, with their arities."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal
from types import MappingProxyType
from typing import Any

from ladle.grammar.errors import EvaluationError
from ladle.grammar.runtime import check_number, is_number, liquid_value, size, text, type_name

_INTEGER_TEXT = re.compile(r"([+-]?)([0-9]+)")
_PLAIN_NUMBERS = frozenset({int, float})


@dataclass(frozen=True)
class Function:
    """A callable with its arity. ``pure`` ones are folded when their arguments are constant;
    ``direct`` ones are called without the length checks, because they cannot make or walk
    a long string or list."""

    call: Callable[..., Any]
    min_args: int
    max_args: int | None
    pure: bool = True
    direct: bool = False


def _number(value: Any, fn: str) -> int | float:
    value = liquid_value(value)
    if value is None:
        return 0
    if not is_number(value):
        raise EvaluationError(f"{fn}() needs a number, not {type_name(value)}")
    number: int | float = value
    return number


def _text(value: Any, fn: str) -> str:
    value = liquid_value(value)
    if not isinstance(value, str):
        raise EvaluationError(f"{fn}() needs a string, not {type_name(value)}")
    return value


def slot_text(key: Any) -> str:
    """The canonical text of a slot key: an integer's decimal digits, or the string itself."""
    key = liquid_value(key)
    if isinstance(key, str):
        return key
    if isinstance(key, int) and not isinstance(key, bool):
        return str(key)
    raise EvaluationError(f"slot() needs an integer or string key, not {type_name(key)}")


def slot(key: Any, n: Any) -> int:
    """A stable partition of ``key`` into ``[0, n)``.

    The first 8 bytes of the MD5 digest of the key's canonical UTF-8 text, read
    as a big-endian unsigned integer, modulo ``n``. In SQL:
    ``CAST(('0x' || substr(md5(CAST(key AS VARCHAR)), 1, 16)) AS UBIGINT) % n``.

    >>> slot(12345, 1024), slot("abc", 1024)
    (108, 944)
    """
    n = liquid_value(n)
    if isinstance(n, bool) or not isinstance(n, int) or n <= 0:
        raise EvaluationError(f"slot() needs a positive integer count, not {n!r}")
    import hashlib  # here: loading OpenSSL is 2.5 ms of every start, and few use slot()

    digest = hashlib.md5(slot_text(key).encode("utf-8"), usedforsecurity=False).digest()
    return int.from_bytes(digest[:8], "big") % n


def _extreme(pick: Callable[..., Any], fn: str) -> Callable[..., Any]:
    def choose(*args: Any) -> Any:
        if len(args) == 2 and type(args[0]) in _PLAIN_NUMBERS and type(args[1]) in _PLAIN_NUMBERS:
            return pick(args)  # the common case: what the checks below would give
        values = [liquid_value(a) for a in args]
        if len(values) == 1 and isinstance(values[0], range) and size(values[0]) > 0:
            whole = values[0]
            return pick(whole[0], whole[-1])  # a range is ordered: no need to walk it
        if len(values) == 1 and isinstance(values[0], (list, tuple, range)):
            values = [liquid_value(v) for v in values[0]]
        if not values:
            raise EvaluationError(f"{fn}() of an empty list")
        if all(is_number(v) for v in values) or all(isinstance(v, str) for v in values):
            return pick(values)
        kinds = ", ".join(sorted({type_name(v) for v in values}))
        raise EvaluationError(f"{fn}() needs all numbers or all strings, not {kinds}")

    return choose


def _round(value: Any, digits: Any = 0) -> int | float:
    """Round half away from zero: ``round(2.5)`` is 3, ``round(1.005, 2)`` is 1.01."""
    number = _number(value, "round")
    places = liquid_value(digits)
    if isinstance(places, bool) or not isinstance(places, int) or not -300 <= places <= 300:
        raise EvaluationError("round() needs a whole number of digits between -300 and 300")
    if isinstance(number, int) and places >= 0:
        return number
    if isinstance(number, float) and abs(number) >= 2**53:
        number = int(number)  # already whole: no digits to round
        if places >= 0:
            return check_number(number)  # type: ignore[no-any-return]
    # Enough precision for any integer up to 2**256 with 300 places either side.
    context = Context(prec=700, rounding=ROUND_HALF_UP)
    rounded = Decimal(repr(number) if isinstance(number, float) else number).quantize(
        Decimal(1).scaleb(-places), context=context
    )
    if places <= 0:
        result: int | float = check_number(int(rounded))
        return result
    return float(rounded)


def _floor(value: Any) -> int:
    result: int = check_number(math.floor(_number(value, "floor")))
    return result


def _ceil(value: Any) -> int:
    result: int = check_number(math.ceil(_number(value, "ceil")))
    return result


def _int(value: Any) -> int:
    value = liquid_value(value)
    if isinstance(value, str):
        match = _INTEGER_TEXT.fullmatch(value.strip())
        if match is None or len(match.group(2).lstrip("0")) > 80:
            shown = value if len(value) <= 40 else value[:40] + "…"
            raise EvaluationError(f"int() cannot read {shown!r} as an integer")
        result: int = check_number(int(match.group(1) + (match.group(2).lstrip("0") or "0")))
        return result
    return check_number(int(_number(value, "int")))  # type: ignore[no-any-return]


def _float(value: Any) -> float:
    value = liquid_value(value)
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            shown = value if len(value) <= 40 else value[:40] + "…"
            raise EvaluationError(f"float() cannot read {shown!r} as a number") from None
        result: float = check_number(number)
        return result
    return float(_number(value, "float"))


def to_text(value: Any) -> str:
    """Liquid's string form (``runtime.text``), for ``str(x)``."""
    return text(value)


def _len(value: Any) -> int:
    value = liquid_value(value)
    if isinstance(value, (str, list, tuple, range, Mapping)):
        return size(value)
    raise EvaluationError(f"len() needs a string, list or map, not {type_name(value)}")


BUILTINS: Mapping[str, Function] = MappingProxyType({
    "slot": Function(slot, 2, 2, direct=True),
    "min": Function(_extreme(min, "min"), 1, None),
    "max": Function(_extreme(max, "max"), 1, None),
    "abs": Function(lambda x: check_number(abs(_number(x, "abs"))), 1, 1, direct=True),
    "round": Function(_round, 1, 2, direct=True),
    "floor": Function(_floor, 1, 1, direct=True),
    "ceil": Function(_ceil, 1, 1, direct=True),
    "int": Function(_int, 1, 1, direct=True),
    "float": Function(_float, 1, 1, direct=True),
    "str": Function(to_text, 1, 1),
    "len": Function(_len, 1, 1, direct=True),
    "lower": Function(lambda s: (s if type(s) is str else _text(s, "lower")).lower(), 1, 1),
    "upper": Function(lambda s: (s if type(s) is str else _text(s, "upper")).upper(), 1, 1),
    "startswith": Function(
        lambda s, p: _text(s, "startswith").startswith(_text(p, "startswith")), 2, 2, direct=True
    ),
    "endswith": Function(
        lambda s, p: _text(s, "endswith").endswith(_text(p, "endswith")), 2, 2, direct=True
    ),
})
