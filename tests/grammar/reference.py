"""A plain tree-walking evaluator of the expression language, for differential tests.

It is written from the semantics in ``design/expressions.md`` and deliberately shares
no code with ``grammar/compiler.py`` or ``grammar/runtime.py``: only the AST classes
(and their ``empty``/``blank`` markers) and, for function calls, the callables of
``grammar.functions.BUILTINS``. Where the design is silent (``"a1" contains 1``,
``xs[1.0]``, ``nil + nil``), it follows what the implementation documents, so that a
difference between the two is a bug, not a matter of taste.

Length limits follow the design's rule that a string or list result longer than the limit
is an error: for ``+``, for function and filter results, and for a lazy range that a
function or filter must walk (``min``, ``max``, ``str``, filters), which is as long as
the list it stands for.

Two exceptions say why there is no value:

* ``Failure`` - the design says evaluation raises ``EvaluationError`` here;
* ``TooExpensive`` - the reference declines because the implementation would iterate
  over a huge range (these inputs are skipped by the differential tests and
  covered by explicit robustness tests instead).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from ladle.grammar.functions import BUILTINS
from ladle.grammar.nodes import (
    BLANK,
    EMPTY,
    Binary,
    Call,
    Conditional,
    Filter,
    Index,
    ListLiteral,
    Literal,
    Logical,
    Member,
    Name,
    Node,
    Pipeline,
    RangeLiteral,
    RootIndex,
    Unary,
    children,
)

INTEGER_LIMIT = 2**256
MAX_LENGTH = 1_000_000
# Above this many elements the reference refuses to let the implementation iterate a range.
WORK_LIMIT = 100_000

_MARKERS = (EMPTY, BLANK)


class Failure(Exception):
    """The design says this evaluation is an ``EvaluationError``."""


class TooExpensive(Exception):
    """The implementation would iterate over a huge range: skip this input."""


# -- values -----------------------------------------------------------------------------


def plain(value: Any) -> Any:
    """A drop's ``__liquid__`` value; anything else as it is."""
    method = getattr(type(value), "__liquid__", None)
    return method(value) if method is not None else value


def is_number(value: Any) -> bool:
    return type(value) in (int, float) or (
        isinstance(value, (int, float)) and not isinstance(value, bool)
    )


def is_marker(value: Any) -> bool:
    return any(value is marker for marker in _MARKERS)


def is_sequence(value: Any) -> bool:
    return isinstance(value, (list, tuple, range))


def length(value: Any) -> int:
    """Length of a string, sequence or map, computed without ``len()`` for ranges."""
    if isinstance(value, range):
        return max(0, value.stop - value.start)  # every range here has step 1
    return len(value)


def truthy(value: Any) -> bool:
    """Only false and nil (undefined reads as nil) are false; ``0``, ``""``, ``[]`` are true."""
    value = plain(value)
    return not (value is None or value is False)


def _check_integer(value: Any) -> Any:
    if type(value) is int and not -INTEGER_LIMIT <= value <= INTEGER_LIMIT:
        raise Failure("integer result beyond 2**256")
    if isinstance(value, float) and not math.isfinite(value):
        raise Failure("number result is not finite")
    return value


def _check_length(value: Any, max_length: int) -> Any:
    if isinstance(value, (str, list, tuple, range)) and length(value) > max_length:
        raise Failure("result is too long")
    return value


# -- equality and ordering -----------------------------------------------------------------


def _is_empty(value: Any) -> bool:
    return isinstance(value, (str, list, tuple, range, Mapping)) and length(value) == 0


def _is_blank(value: Any) -> bool:
    if value is None or value is False:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    return _is_empty(value)


def equal(left: Any, right: Any) -> bool:
    """Liquid equality: ``1 == 1.0``, booleans only equal booleans, ``empty``/``blank``,
    sequences (lists, tuples, ranges alike) and maps element-wise. Symmetric."""
    a, b = plain(left), plain(right)
    if is_marker(a) or is_marker(b):
        if is_marker(a) and is_marker(b):
            return a is b
        marker, other = (a, b) if is_marker(a) else (b, a)
        return _is_empty(other) if marker is EMPTY else _is_blank(other)
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if a is None or b is None:
        return a is None and b is None
    if is_number(a) and is_number(b):
        return bool(a == b)
    if isinstance(a, str) and isinstance(b, str):
        return str.__eq__(a, b)
    if is_sequence(a) and is_sequence(b):
        if length(a) != length(b):
            return False
        if isinstance(a, range) and isinstance(b, range):
            return length(a) == 0 or a.start == b.start
        if length(a) > WORK_LIMIT:
            raise TooExpensive("element-wise comparison of huge sequences")
        return all(equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return set(a) == set(b) and all(equal(a[k], b[k]) for k in a)
    return False


def _ordered(left: Any, right: Any) -> tuple[Any, Any]:
    a, b = plain(left), plain(right)
    if (is_number(a) and is_number(b)) or (isinstance(a, str) and isinstance(b, str)):
        return a, b
    raise Failure("ordering needs two numbers or two strings")


def contains(container: Any, item: Any) -> bool:
    """Substring for strings, membership (Liquid equality) for sequences, key for maps."""
    c, i = plain(container), plain(item)
    if c is None:
        return False
    if isinstance(c, str):
        if isinstance(i, str):
            return i in c
        if is_number(i):
            try:
                return str(i) in c
            except ValueError as error:  # an integer too long to print
                raise Failure(str(error)) from None
        return False
    if isinstance(c, range):
        if not is_number(i):
            return False
        if isinstance(i, int):
            return c.start <= i < c.stop
        if length(c) > WORK_LIMIT:
            raise TooExpensive("a float looked up in a huge range")
        return i.is_integer() and c.start <= int(i) < c.stop
    if isinstance(c, (list, tuple)):
        return any(equal(element, i) for element in c)
    if isinstance(c, Mapping):
        try:
            return i in c
        except TypeError:
            return False
    raise Failure("contains needs a string, list or map")


# -- arithmetic ------------------------------------------------------------------------------


def arithmetic(op: str, left: Any, right: Any, max_length: int = MAX_LENGTH) -> Any:
    """``+ - * / %``: numbers (nil counts as 0); ``+`` also joins strings and sequences."""
    a, b = plain(left), plain(right)
    if op == "+":
        if isinstance(a, str) and isinstance(b, str):
            if len(a) + len(b) > max_length:
                raise Failure("string result is too long")
            return a + b
        if is_sequence(a) and is_sequence(b):
            if length(a) + length(b) > max_length:
                raise Failure("list result is too long")
            return [*a, *b]
    a = 0 if a is None else a
    b = 0 if b is None else b
    if not (is_number(a) and is_number(b)):
        raise Failure(f"cannot apply {op!r}")
    try:
        if op == "+":
            result = a + b
        elif op == "-":
            result = a - b
        elif op == "*":
            result = a * b
        elif op == "/":
            if b == 0:
                raise Failure("division by zero")
            result = a // b if type(a) is int and type(b) is int else a / b
        elif op == "%":
            if b == 0:
                raise Failure("modulo by zero")
            result = a % b
        else:
            raise AssertionError(op)
    except OverflowError as error:  # an integer too large for a float
        raise Failure(str(error)) from None
    return _check_integer(result)


def negate(value: Any) -> Any:
    a = plain(value)
    a = 0 if a is None else a
    if not is_number(a):
        raise Failure("cannot negate")
    return _check_integer(-a)


def binary(op: str, left: Any, right: Any, max_length: int = MAX_LENGTH) -> Any:
    """Every ``Binary`` operator on two values."""
    if op == "==":
        return equal(left, right)
    if op in ("!=", "<>"):
        return not equal(left, right)
    if op in ("<", "<=", ">", ">="):
        a, b = _ordered(left, right)
        return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]
    if op == "contains":
        return contains(left, right)
    if op == "in":
        return contains(right, left)
    return arithmetic(op, left, right, max_length)


def unary(op: str, value: Any) -> Any:
    if op == "-":
        return negate(value)
    return not truthy(value)  # "!" and "not"


def range_bound(value: Any) -> int:
    v = plain(value)
    if v is None:
        return 0
    if not is_number(v):
        raise Failure("a range bound must be a number")
    if isinstance(v, float):
        if not math.isfinite(v):
            raise Failure("a range bound must be finite")
        v = int(v)
    return int(_check_integer(v))


def make_range(start: Any, stop: Any) -> range:
    """``(a..b)``, both ends included."""
    first = range_bound(start)
    last = range_bound(stop)
    return range(first, last + 1)


# -- paths -------------------------------------------------------------------------------


class _Absent:
    """Nothing there (nil, unless strict mode makes it an error)."""


ABSENT: Any = _Absent()


def _property(obj: Any, name: str) -> Any:
    if name == "size":
        if isinstance(obj, (str, list, tuple, range, Mapping)):
            return length(obj)
        return ABSENT
    if name in ("first", "last") and is_sequence(obj) and length(obj) > 0:
        return obj[0] if name == "first" else obj[-1]
    return ABSENT


def found(value: Any) -> Any:
    return None if value is ABSENT else value


def member(obj: Any, name: str) -> Any:
    """``obj.name``: a key of a map, else ``size``/``first``/``last``; never an attribute.
    ``ABSENT`` when there is nothing there."""
    if isinstance(obj, Mapping):
        return obj[name] if name in obj else _property(obj, name)
    if isinstance(obj, (str, list, tuple, range)):
        return _property(obj, name)
    return ABSENT


def index(obj: Any, key: Any) -> Any:
    """``obj[key]``: text reads like ``.name``; an integer indexes a sequence (negative from
    the end) or reads a map; anything else is nothing (``ABSENT``)."""
    k = plain(key)
    if isinstance(k, str):
        return member(obj, k)
    if isinstance(k, bool):
        return ABSENT
    if isinstance(k, float):
        if not k.is_integer():
            return ABSENT
        k = int(k)
    if not isinstance(k, int):
        return ABSENT
    if is_sequence(obj):
        n = length(obj)
        return obj[k] if -n <= k < n else ABSENT
    if isinstance(obj, Mapping):
        return obj.get(k, ABSENT)
    return ABSENT


# -- functions and filters -------------------------------------------------------------------


def _huge(value: Any) -> bool:
    """Would turning ``value`` into a list or text touch too many elements?"""
    if isinstance(value, range):
        return length(value) > WORK_LIMIT
    if isinstance(value, (list, tuple)):
        return any(_huge(v) for v in value)
    return False


# Functions that walk their arguments: a range given to them is a list as long as the range.
_WALKING = frozenset({"min", "max", "str"})


def call(name: str, args: list[Any], max_length: int = MAX_LENGTH) -> Any:
    """A built-in function; any exception it raises is an evaluation error, and so is a
    string or list result (or a range it must walk) longer than ``max_length``."""
    function = BUILTINS[name]
    if name in _WALKING:
        for arg in args:
            if isinstance(arg, range) and length(arg) > max_length:
                raise Failure(f"{name}() of a range longer than the limit")
        if any(_huge(a) for a in args):
            raise TooExpensive(f"{name}() of a huge range")
    try:
        result = function.call(*args)
    except Exception as error:
        raise Failure(f"{name}(): {error}") from None
    return _check_length(result, max_length)


def apply_filter(
    function: Callable[..., Any], value: Any, args: list[Any], kwargs: dict[str, Any],
    max_length: int = MAX_LENGTH,
) -> Any:
    for item in (value, *args, *kwargs.values()):
        # A lazy range handed to a filter is a list as long as the range.
        if isinstance(item, range) and length(item) > max_length:
            raise Failure("list is too long for a filter")
    try:
        result = function(value, *args, **kwargs)
    except Exception as error:
        raise Failure(f"filter: {error}") from None
    return _check_length(result, max_length)


# -- the evaluator ---------------------------------------------------------------------------


class Reference:
    """Evaluates an AST against ``data``: ``Reference(data).evaluate(tree)``.

    With ``strict``, whatever is missing on a path (a name, a key, an index) is a failure,
    unless the path's value goes unchanged to a fallback: the left of ``??``, ``||`` and
    ``or``, the value piped into ``default``, and from such a place both sides of ``&&``
    and ``and`` and both branches of a conditional (``guarded``).
    """

    def __init__(
        self,
        data: Mapping[str, Any],
        *,
        strict: bool = False,
        max_length: int = MAX_LENGTH,
        filters: Mapping[str, Callable[..., Any]] | None = None,
    ) -> None:
        self.data = data
        self.strict = strict
        self.max_length = max_length
        self.filters = filters or {}

    def lookup(self, name: str, guarded: bool = False) -> Any:
        if name in self.data:
            return self.data[name]
        if self.strict and not guarded:
            raise Failure(f"undefined variable {name!r}")
        return None

    def there(self, value: Any, guarded: bool) -> Any:
        if value is ABSENT and self.strict and not guarded:
            raise Failure("undefined path")
        return found(value)

    def evaluate(self, node: Node, guarded: bool = False) -> Any:
        ev = self.evaluate
        match node:
            case Literal(value=value):
                return value
            case Name(name=name):
                return self.lookup(name, guarded)
            case Member(target=target, name=name):
                return self.there(member(ev(target, guarded), name), guarded)
            case Index(target=target, key=key):
                obj = ev(target, guarded)
                return self.there(index(obj, ev(key)), guarded)
            case RootIndex(key=key):
                k = plain(ev(key))
                if isinstance(k, str):
                    return self.lookup(k, guarded)
                if self.strict and not guarded:
                    raise Failure("a variable name must be a string")
                return None
            case Call(name=name, args=args):
                return call(name, [ev(a) for a in args], self.max_length)
            case Unary(op=op, operand=operand):
                return unary(op, ev(operand))
            case Binary(op=op, left=left, right=right):
                a = ev(left)
                return binary(op, a, ev(right), self.max_length)
            case Logical(op="??", left=left, right=right):
                a = ev(left, True)
                return ev(right, guarded) if a is None or plain(a) is None else a
            case Logical(op=op, left=left, right=right):
                if op in ("&&", "and"):
                    a = ev(left, guarded)
                    return ev(right, guarded) if truthy(a) else a
                a = ev(left, True)
                return a if truthy(a) else ev(right, guarded)
            case Conditional(test=test, then=then, otherwise=otherwise):
                return ev(then, guarded) if truthy(ev(test)) else ev(otherwise, guarded)
            case RangeLiteral(start=start, stop=stop):
                a = ev(start)
                return make_range(a, ev(stop))
            case ListLiteral(items=items):
                return [ev(i) for i in items]
            case Pipeline(value=value, filters=filters):
                current = ev(value, filters[0].name == "default")
                for f in filters:
                    current = self.apply(f, current)
                return current
        raise TypeError(f"not an expression node: {node!r}")

    def apply(self, node: Filter, value: Any) -> Any:
        args = [self.evaluate(a) for a in node.args]
        kwargs = {k: self.evaluate(v) for k, v in node.kwargs}
        return apply_filter(self.filters[node.name], value, args, kwargs, self.max_length)


def evaluate(node: Node, data: Mapping[str, Any], **options: Any) -> Any:
    return Reference(data, **options).evaluate(node)


# -- what a constant-folding compiler may compute before any data is seen ---------------------


class _Unknown:
    def __repr__(self) -> str:
        return "<unknown>"


UNKNOWN: Any = _Unknown()


def fold_check(node: Node, *, max_length: int = MAX_LENGTH) -> Any:
    """Compute every value a compiler could fold from literals alone, raising
    ``TooExpensive`` if any of them would iterate a huge range.

    Conservative: every sub-expression is visited, even behind a constant that short-
    circuits, and a data-dependent value is ``UNKNOWN``. Returns the value or ``UNKNOWN``.
    """
    kids = [fold_check(k, max_length=max_length) for k in children(node)]
    try:
        match node:
            case Literal(value=value):
                return value
            case Name() | Pipeline() | Filter():
                return UNKNOWN
            case Logical(op=op):
                left, right = kids
                if left is UNKNOWN:
                    return UNKNOWN
                if op == "??":
                    decides = left is not None and plain(left) is not None
                else:
                    decides = truthy(left) != (op in ("&&", "and"))
                return left if decides else right
            case Conditional():
                test, then, otherwise = kids
                if test is UNKNOWN:
                    return UNKNOWN
                return then if truthy(test) else otherwise
            case RootIndex():
                key = plain(kids[0])
                return UNKNOWN if key is UNKNOWN or isinstance(key, str) else None
        if any(k is UNKNOWN for k in kids):
            return UNKNOWN
        match node:
            case Member(name=name):
                return found(member(kids[0], name))
            case Index():
                return found(index(kids[0], kids[1]))
            case Call(name=name):
                return call(name, kids, max_length)
            case Unary(op=op):
                return unary(op, kids[0])
            case Binary(op=op):
                return binary(op, kids[0], kids[1], max_length)
            case RangeLiteral():
                return make_range(kids[0], kids[1])
            case ListLiteral():
                return list(kids)
    except Failure:
        return UNKNOWN
    raise TypeError(f"not an expression node: {node!r}")


# -- comparing results -----------------------------------------------------------------------


def same(a: Any, b: Any) -> bool:
    """Strict equality of results: ``1``, ``1.0`` and ``true`` differ, ``0.0`` and ``-0.0``
    differ, and lists, tuples and ranges are all just sequences."""
    if is_sequence(a) and is_sequence(b):
        if isinstance(a, range) and isinstance(b, range):
            return length(a) == length(b) and (length(a) == 0 or a.start == b.start)
        if length(a) != length(b) or length(a) > WORK_LIMIT:
            return length(a) == length(b) and a == b
        return all(same(x, y) for x, y in zip(a, b, strict=True))
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
    if isinstance(a, Mapping):
        return set(a) == set(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (int, str, bool, type(None))):
        return bool(a == b)
    if hasattr(type(a), "__liquid__"):
        return same(plain(a), plain(b))
    return a is b
