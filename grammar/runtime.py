"""Runtime: the semantics that compiled expressions call (truthiness, equality, arithmetic, paths).

Every helper is a pure function of its arguments; limits arrive as arguments.
Errors are raised without a position: the compiled function adds it.
"""

from __future__ import annotations

import json
import math
import operator
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from typing import Any, Final

from ladle.grammar import limits
from ladle.grammar.errors import EvaluationError
from ladle.grammar.nodes import BLANK, EMPTY

INTEGER_LIMIT: Final = limits.INTEGER_LIMIT
DEFAULT_MAX_LENGTH: Final = limits.DEFAULT_MAX_LENGTH

# Text range bounds longer than this are certainly beyond the integer limit.
MAX_BOUND_DIGITS = 100

_SEQUENCES = (list, tuple, range)


def liquid_value(value: Any) -> Any:
    """The plain value of a drop that defines ``__liquid__``; anything else unchanged."""
    method = getattr(type(value), "__liquid__", None)
    return method(value) if method is not None else value


class _Missing:
    """What a path helper returns for "nothing there" when strict mode asks it to tell
    that apart from nil (never a value of the language)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<missing>"


MISSING: Final = _Missing()


def present(value: Any) -> bool:
    """For ``??``: neither nil nor a value that stands for nil (``__liquid__`` of None, as
    an undefined value of a template has)."""
    return value is not None and liquid_value(value) is not None


def type_name(value: Any) -> str:
    """The user-facing name of a value's type, for messages."""
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    if isinstance(value, range):
        return "range"
    if isinstance(value, (list, tuple)):
        return "list"
    if isinstance(value, Mapping):
        return "map"
    if value is EMPTY or value is BLANK:
        return repr(value)
    return "object"


def truthy(value: Any) -> bool:
    """Liquid truthiness: only false and nil (and undefined) are false."""
    if value is None or value is False:
        return False
    if value is True or type(value) in (int, str, float, list, dict, tuple):
        return True
    plain = liquid_value(value)
    return plain is not None and plain is not False  # identity: 0 == False in Python


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def size(value: Any) -> int:
    """The length of a string, list, map or range (``len()`` overflows on huge ranges)."""
    if isinstance(value, range):
        return max(0, (value.stop - value.start + value.step - 1) // value.step)
    return len(value)


def _is_empty(value: Any) -> bool:
    if isinstance(value, (str, list, tuple, range, Mapping)):
        return size(value) == 0
    return value is EMPTY


def _is_blank(value: Any) -> bool:
    if value is None or value is False or value is BLANK:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    return _is_empty(value)


def equals(left: Any, right: Any) -> bool:
    """Liquid equality: ``1 == 1.0``, ``empty``/``blank``, lists and maps element-wise."""
    kind = type(left)
    if kind is type(right) and (kind is str or kind is int):
        return bool(left == right)  # the common case first: Python's equality is Liquid's
    if kind is dict and type(right) is dict:  # two maps (no drops): as the last case below
        return left.keys() == right.keys() and all(equals(left[k], right[k]) for k in left)
    left = liquid_value(left)
    right = liquid_value(right)
    if left is EMPTY or left is BLANK:
        if right is EMPTY or right is BLANK:
            return left is right  # the markers equal only themselves
        left, right = right, left
    if right is EMPTY:
        return _is_empty(left)
    if right is BLANK:
        return _is_blank(left)
    if isinstance(left, bool) or isinstance(right, bool):
        return left is right
    if is_number(left) and is_number(right):
        return bool(left == right)
    if isinstance(left, range) and isinstance(right, range):
        return left == right  # compares start, stop and step, without iterating
    if isinstance(left, _SEQUENCES) and isinstance(right, _SEQUENCES):
        return size(left) == size(right) and all(map(equals, left, right))
    if isinstance(left, Mapping) and isinstance(right, Mapping):
        return left.keys() == right.keys() and all(equals(left[k], right[k]) for k in left)
    if isinstance(left, str) and isinstance(right, str):
        return str.__eq__(left, right)
    return left is right


def not_equals(left: Any, right: Any) -> bool:
    return not equals(left, right)


def _ordered(op: str, left: Any, right: Any) -> tuple[Any, Any]:
    left = liquid_value(left)
    right = liquid_value(right)
    if (is_number(left) and is_number(right)) or (
        isinstance(left, str) and isinstance(right, str)
    ):
        return left, right
    raise EvaluationError(f"cannot compare {type_name(left)} {op} {type_name(right)}")


def less(left: Any, right: Any) -> bool:
    a, b = _ordered("<", left, right)
    return bool(a < b)


def less_equal(left: Any, right: Any) -> bool:
    a, b = _ordered("<=", left, right)
    return bool(a <= b)


def greater(left: Any, right: Any) -> bool:
    a, b = _ordered(">", left, right)
    return bool(a > b)


def greater_equal(left: Any, right: Any) -> bool:
    a, b = _ordered(">=", left, right)
    return bool(a >= b)


def contains(container: Any, item: Any) -> bool:
    """``container contains item``: substring, list membership or map key."""
    container = liquid_value(container)
    item = liquid_value(item)
    if type(item) is not str and isinstance(item, str):
        item = str.__str__(item)  # plain text (a template's literal is Markup): the same here
    if container is None:
        return False
    if isinstance(container, str):
        if isinstance(item, str):
            return item in container
        if is_number(item):
            return str(item) in container
        return False
    if isinstance(container, range):
        if isinstance(item, float) and item.is_integer():
            item = int(item)  # a float would make Python search the range one by one
        return type(item) is int and item in container
    if isinstance(container, (list, tuple)):
        return any(equals(element, item) for element in container)
    if isinstance(container, Mapping):
        try:
            return item in container
        except TypeError:  # an unhashable item is never a key
            return False
    raise EvaluationError(f"cannot look inside {type_name(container)} with 'contains'")


# -- arithmetic -------------------------------------------------------------------


def check_number(value: Any) -> Any:
    """Keep integers within ±2**256 and floats finite."""
    if type(value) is int:
        if -INTEGER_LIMIT <= value <= INTEGER_LIMIT:
            return value
        raise EvaluationError("integer result is too large (the limit is 2**256)")
    if isinstance(value, float) and not math.isfinite(value):
        raise EvaluationError("number result is too large")
    return value


def check_length(value: Any, max_length: int, what: str = "result") -> Any:
    """Reject strings, lists and ranges longer than ``max_length``."""
    if isinstance(value, (str, list, tuple, range)) and size(value) > max_length:
        kind = "string" if isinstance(value, str) else "list"
        raise EvaluationError(f"{kind} {what} is too long (the limit is {max_length:,})")
    return value


def _arithmetic_operands(op: str, left: Any, right: Any) -> tuple[Any, Any]:
    a = 0 if left is None else liquid_value(left)
    b = 0 if right is None else liquid_value(right)
    if a is None:
        a = 0
    if b is None:
        b = 0
    if is_number(a) and is_number(b):
        return a, b
    raise EvaluationError(
        f"cannot apply '{op}' to {type_name(left)} and {type_name(right)}"
    )


def add(left: Any, right: Any, max_length: int = DEFAULT_MAX_LENGTH) -> Any:
    """``+``: numbers (nil counts as 0), or two strings, or two lists."""
    a = liquid_value(left)
    b = liquid_value(right)
    if isinstance(a, str) and isinstance(b, str):
        if len(a) + len(b) > max_length:
            check_length(a + b[: max_length + 1], max_length)
        return a + b
    if isinstance(a, _SEQUENCES) and isinstance(b, _SEQUENCES):
        if size(a) + size(b) > max_length:
            raise EvaluationError(f"list result is too long (the limit is {max_length:,})")
        return [*a, *b]
    x, y = _arithmetic_operands("+", left, right)
    return check_number(x + y)


def subtract(left: Any, right: Any) -> Any:
    x, y = _arithmetic_operands("-", left, right)
    return check_number(x - y)


def multiply(left: Any, right: Any) -> Any:
    x, y = _arithmetic_operands("*", left, right)
    return check_number(x * y)


def divide(left: Any, right: Any) -> Any:
    """``/``: floor division on two integers, true division with a float."""
    kind = type(right)
    if kind is float and right and (type(left) is float or type(left) is int):
        return check_number(left / right)  # the common price / 100.0, without the checks
    x, y = _arithmetic_operands("/", left, right)
    if y == 0:
        raise EvaluationError("division by zero")
    if type(x) is int and type(y) is int:
        return check_number(x // y)
    return check_number(x / y)


def modulo(left: Any, right: Any) -> Any:
    """``%``: the result takes the sign of the divisor, as in Python and Ruby."""
    x, y = _arithmetic_operands("%", left, right)
    if y == 0:
        raise EvaluationError("modulo by zero")
    return check_number(x % y)


def negate(value: Any) -> Any:
    x = 0 if value is None else liquid_value(value)
    if x is None:
        x = 0
    if not is_number(x):
        raise EvaluationError(f"cannot negate {type_name(value)}")
    return check_number(-x)


def to_integer(value: Any, what: str) -> int:
    """An integer bound for a range: int, float (truncated) or nil (0)."""
    value = liquid_value(value)
    if value is None:
        return 0
    if isinstance(value, bool) or not is_number(value):
        raise EvaluationError(f"{what} must be a number, not {type_name(value)}")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise EvaluationError(f"{what} must be a finite number")
        value = int(value)
    result: int = check_number(value)
    return result


def make_range(start: Any, stop: Any) -> range:
    """``(start..stop)``: both ends included, evaluated lazily."""
    return range(to_integer(start, "a range start"), to_integer(stop, "a range end") + 1)


# -- Liquid's rules, for template hosts (compile(..., liquid=True)) ------------------------
#
# Standard Liquid templates must keep their meaning where Liquid and the language's own
# rules differ. These helpers replace the defaults only when a host asks for them.


def _liquid_order(op: str, left: Any, right: Any) -> bool:
    """``left op right`` by the rules of Liquid's reference implementations: strings with
    strings and numbers with numbers (a boolean counts as a number for ``<`` and ``>``, and
    makes ``<=`` and ``>=`` false); with nil the answer is false; otherwise ``<=`` and
    ``>=`` mean Liquid equality and ``<`` and ``>`` are an error."""
    a = liquid_value(left)
    b = liquid_value(right)
    inclusive = op in ("<=", ">=")
    if isinstance(a, str) and isinstance(b, str):
        return bool(_COMPARE[op](a, b))
    if inclusive and (isinstance(a, bool) or isinstance(b, bool)):
        return False
    if isinstance(a, _NUMBERS) and isinstance(b, _NUMBERS):
        return bool(_COMPARE[op](a, b))
    if a is None or b is None:
        return False
    if inclusive:
        return equals(a, b)
    raise EvaluationError(f"cannot compare {type_name(a)} {op} {type_name(b)}")


_NUMBERS = (int, float, Decimal)
_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


def liquid_equals(left: Any, right: Any) -> bool:
    """Equality where a range is never ``empty`` or ``blank`` (Liquid's ranges have no
    emptiness); otherwise ``equals``."""
    markers = left is EMPTY or left is BLANK or right is EMPTY or right is BLANK
    if markers and (isinstance(left, range) or isinstance(right, range)):
        return False
    return equals(left, right)


def liquid_not_equals(left: Any, right: Any) -> bool:
    return not liquid_equals(left, right)


def liquid_less(left: Any, right: Any) -> bool:
    return _liquid_order("<", left, right)


def liquid_less_equal(left: Any, right: Any) -> bool:
    return _liquid_order("<=", left, right)


def liquid_greater(left: Any, right: Any) -> bool:
    return _liquid_order(">", left, right)


def liquid_greater_equal(left: Any, right: Any) -> bool:
    return _liquid_order(">=", left, right)


def is_in(item: Any, container: Any) -> bool:
    """``item in container``: ``container contains item``."""
    return contains(container, item)


def liquid_contains(container: Any, item: Any) -> bool:
    """``contains`` where nil, false and undefined neither contain nor are contained, as
    in Liquid."""
    value = liquid_value(item)
    if value is None or value is False or not truthy(container):
        return False
    return contains(container, item)


def _liquid_integer(value: Any, what: str) -> int:
    """A range bound as Liquid reads it: text holding an integer is that integer, and
    anything that is not a number (other text, nil, a list) is 0."""
    value = liquid_value(value)
    if isinstance(value, str):
        text = value.strip()
        if len(text) > MAX_BOUND_DIGITS:
            if text.lstrip("+-").isdigit():  # an integer past the limit; other text is 0
                raise EvaluationError(f"{what} is too large (the limit is 2**256)")
            return 0
        try:
            value = int(text)
        except ValueError:
            return 0
    if isinstance(value, bool):
        return int(value)
    if not is_number(value):
        return 0
    return to_integer(value, what)


def liquid_range(start: Any, stop: Any) -> range:
    """``(start..stop)`` with Liquid's reading of the bounds; an empty range is ``0..-1``,
    as python-liquid makes it."""
    first = _liquid_integer(start, "a range start")
    last = _liquid_integer(stop, "a range end")
    return range(first, last + 1) if first <= last else range(0)


# -- paths ------------------------------------------------------------------------


def _property(obj: Any, name: str, missing: Any = None, liquid: bool = False) -> Any:
    """The Liquid properties ``size``, ``first`` and ``last`` (``missing`` when they do not
    apply). With ``liquid``, the ``first`` of a map is its first ``[key, value]`` pair."""
    if name == "size":
        if isinstance(obj, (str, list, tuple, range, Mapping)):
            return size(obj)
        return missing
    if name in ("first", "last") and isinstance(obj, _SEQUENCES):
        if size(obj) == 0:
            return missing
        return obj[0] if name == "first" else obj[-1]
    if liquid and name == "first" and isinstance(obj, Mapping):
        for key, value in obj.items():
            return [key, value]
    return missing


def member(obj: Any, name: str, missing: Any = None, liquid: bool = False) -> Any:
    """``obj.name``: a key of a mapping or drop, else a Liquid property. Never an attribute.

    ``missing`` is the value when there is nothing there (nil unless the host says otherwise).
    """
    if isinstance(obj, Mapping):
        try:
            return obj[name]
        except KeyError:
            return _property(obj, name, missing, liquid)
    if isinstance(obj, (str, list, tuple, range)) or obj is None:
        return _property(obj, name, missing, liquid)
    if hasattr(type(obj), "__getitem__"):  # a drop's mapping-like access
        try:
            return obj[name]
        except (KeyError, IndexError, TypeError):
            return missing
    return missing


def liquid_member(obj: Any, name: str, missing: Any = None) -> Any:
    """``member`` under Liquid's rules (``first`` of a map)."""
    return member(obj, name, missing, True)


def index(obj: Any, key: Any, missing: Any = None, liquid: bool = False) -> Any:
    """``obj[key]``: an integer indexes a sequence (negative from the end), text reads a key."""
    key = liquid_value(key)
    if isinstance(key, str):
        return member(obj, key, missing, liquid)
    if isinstance(key, bool) or not isinstance(key, int):
        if isinstance(key, float) and key.is_integer():
            key = int(key)
        else:
            return missing
    if isinstance(obj, _SEQUENCES):
        try:
            return obj[key]
        except IndexError:
            return missing
    if isinstance(obj, Mapping):
        return obj.get(key, missing)
    return missing


def liquid_index(obj: Any, key: Any, missing: Any = None) -> Any:
    """``index`` under Liquid's rules (``first`` of a map)."""
    return index(obj, key, missing, True)


def lookup(data: Mapping[str, Any], key: Any, strict: bool = False, missing: Any = None) -> Any:
    """``[key]`` at the root: the variable named by the value of ``key``."""
    key = liquid_value(key)
    if not isinstance(key, str):
        if strict:
            raise EvaluationError(f"a variable name must be a string, not {type_name(key)}")
        return missing
    try:
        return data[key]
    except KeyError:
        if strict:
            raise EvaluationError(undefined_message(data, key)) from None
        return missing


def undefined_message(data: Mapping[str, Any], name: str) -> str:
    """'undefined variable …', with a hint when a dashed name is really a subtraction."""
    message = f"undefined variable {name!r}"
    if "-" in name:
        parts = name.split("-")
        if all(p in data or p.isdigit() for p in parts if p):
            message += f" (did you mean {' - '.join(parts)!r}?)"
    return message


# Lists inside lists deeper than this are refused when printed (a list holding itself).
MAX_TEXT_DEPTH = 1000


def text(value: Any, max_length: int = DEFAULT_MAX_LENGTH,
         piece: Callable[[str], str] | None = None) -> str:
    """Liquid's string form of ``value``: nil is '', booleans are 'true'/'false', a range
    is 'start..end', lists are flattened and joined, dicts are JSON. ``piece`` (escaping)
    is applied to each string in it. A result longer than ``max_length`` is refused
    before it is built.

    >>> text([1, [None, True, "a"], (1, 2), range(3, 6)])
    '1truea123..5'
    """
    pieces: list[str] = []
    total = 0
    pending: list[Iterator[Any]] = [iter((value,))]
    while pending:
        item = next(pending[-1], _DONE)
        if item is _DONE:
            pending.pop()
            continue
        item = liquid_value(item)
        if isinstance(item, (list, tuple)):
            if len(pending) > MAX_TEXT_DEPTH:
                raise EvaluationError("data is nested too deeply to print")
            pending.append(iter(item))
            continue
        part = _leaf_text(item)
        if piece is not None:
            part = piece(part)
        total += len(part)
        if total > max_length:
            raise EvaluationError(f"string result is too long (the limit is {max_length:,})")
        pieces.append(part)
    return pieces[0] if len(pieces) == 1 else "".join(pieces)


_DONE = object()


def _leaf_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is None or value is EMPTY or value is BLANK:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, range):
        return f"{value.start}..{value.stop - 1}" if value.step == 1 else \
            f"{value.start}..{value.stop - value.step}"
    if isinstance(value, dict):  # a drop that is a mapping prints as its own str()
        try:
            return json.dumps(value, sort_keys=True, default=str)
        except RecursionError:
            raise EvaluationError("data is nested too deeply to print") from None
        except (TypeError, ValueError) as error:  # keys of mixed types, a cycle
            raise EvaluationError(f"cannot print this map: {error}") from None
    return str(value)


def to_output(value: Any, max_length: int = DEFAULT_MAX_LENGTH) -> Any:
    """The result as plain JSON-like data: ranges and tuples become lists."""
    try:
        return _plain(value, max_length)
    except RecursionError:
        raise EvaluationError("data is nested too deeply to print") from None


def _plain(value: Any, max_length: int) -> Any:
    value = liquid_value(value)
    if value is EMPTY or value is BLANK:
        return ""
    if isinstance(value, range):
        if size(value) > max_length:
            raise EvaluationError(f"list result is too long (the limit is {max_length:,})")
        return list(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v, max_length) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _plain(v, max_length) for k, v in value.items()}
    return value
