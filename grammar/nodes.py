"""AST: small immutable nodes, each with its source span, and a printer back to text.

The node classes are written out rather than made with ``dataclasses``: creating fifteen
frozen slotted dataclasses took most of ``import ladle.grammar`` (and so of every ``ladle``
command's start). They behave as those did: positional fields then a keyword-only
``span``, ``==`` and ``hash`` over the fields but ``span`` (and ``Binary.at``), a repr
without them, ``__match_args__`` for patterns, pickling, and no assignment.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import FrozenInstanceError
from operator import attrgetter
from typing import Any, ClassVar, Final, TypeVar


class _Marker:
    """The special literals ``empty`` and ``blank``: compared, never computed with."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name

    def __str__(self) -> str:
        return ""  # rendered, ``empty`` and ``blank`` are empty text, as in Liquid

    def __reduce__(self) -> str:
        return self.name.upper()


EMPTY: Final = _Marker("empty")
BLANK: Final = _Marker("blank")

Span = tuple[int, int]
_set = object.__setattr__


def _rebuild(kind: type[Node], values: tuple[Any, ...], span: Span) -> Node:
    return kind(*values, span=span)


class Node:
    """Base of every AST node. ``span`` (start, end offsets) is ignored by ``==``.

    A subclass lists its fields, in order, in ``__match_args__`` (its ``__init__`` takes
    them positionally); ``_compared`` names those that ``==``, ``hash`` and the repr use
    (by default all of them).
    """

    __slots__ = ("span",)
    __match_args__: ClassVar[tuple[str, ...]] = ()
    _compared: ClassVar[tuple[str, ...]] = ()
    span: Span

    def __init__(self, *, span: Span = (0, 0)) -> None:
        _set(self, "span", span)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        compared = cls.__dict__.get("_compared", cls.__match_args__)
        cls._compared = compared
        if not compared:
            return
        key = attrgetter(*compared)

        # Made per class, as dataclasses does: a method shared by every node class reads
        # its key through an attribute lookup that Python cannot specialise (2x slower).
        def __eq__(self: Node, other: object) -> Any:
            if type(other) is not type(self):
                return NotImplemented
            return key(self) == key(other)

        def __hash__(self: Node) -> int:
            return hash(key(self))

        cls.__eq__ = __eq__  # type: ignore[method-assign]
        cls.__hash__ = __hash__  # type: ignore[method-assign]

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return True  # no fields: alike

    def __hash__(self) -> int:
        return hash(type(self))

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._compared)
        return f"{type(self).__qualname__}({shown})"

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __reduce__(self) -> tuple[Any, ...]:
        values = tuple(getattr(self, name) for name in self.__match_args__)
        return (_rebuild, (type(self), values, self.span))


def fields(node: Node) -> tuple[str, ...]:
    """The names of ``node``'s fields, in order (``span`` aside)."""
    return node.__match_args__


def replace(node: Node, **changes: Any) -> Node:
    """A copy of ``node`` with some fields changed; the span is kept."""
    values = tuple(changes.pop(name, getattr(node, name)) for name in node.__match_args__)
    if changes:
        raise TypeError(f"{type(node).__name__} has no field {next(iter(changes))!r}")
    return type(node)(*values, span=node.span)


class Literal(Node):
    """``42`` ``1.5`` ``'text'`` ``true`` ``nil`` ``empty`` ``blank``.

    ``kind`` keeps ``1``, ``1.0`` and ``true`` apart, which Python's ``==`` does not.
    """

    __slots__ = ("kind", "value")
    __match_args__ = ("kind", "value")
    kind: str  # "int" "float" "string" "bool" "nil" "empty" "blank"
    value: object

    def __init__(self, kind: str, value: object, *, span: Span = (0, 0)) -> None:
        _set(self, "kind", kind)
        _set(self, "value", value)
        _set(self, "span", span)


# The literal words: each one's ``Literal`` kind and value.
LITERAL_WORDS: Final[dict[str, tuple[str, object]]] = {
    "true": ("bool", True),
    "false": ("bool", False),
    "nil": ("nil", None),
    "null": ("nil", None),
    "empty": ("empty", EMPTY),
    "blank": ("blank", BLANK),
}


class Name(Node):
    """A top-level variable."""

    __slots__ = ("name",)
    __match_args__ = ("name",)
    name: str

    def __init__(self, name: str, *, span: Span = (0, 0)) -> None:
        _set(self, "name", name)
        _set(self, "span", span)


class Member(Node):
    """``target.name``."""

    __slots__ = ("name", "target")
    __match_args__ = ("target", "name")
    target: Node
    name: str

    def __init__(self, target: Node, name: str, *, span: Span = (0, 0)) -> None:
        _set(self, "target", target)
        _set(self, "name", name)
        _set(self, "span", span)


class Index(Node):
    """``target[key]``."""

    __slots__ = ("key", "target")
    __match_args__ = ("target", "key")
    target: Node
    key: Node

    def __init__(self, target: Node, key: Node, *, span: Span = (0, 0)) -> None:
        _set(self, "target", target)
        _set(self, "key", key)
        _set(self, "span", span)


class RootIndex(Node):
    """``[key]`` at the root: the variable whose name is the value of ``key``."""

    __slots__ = ("key",)
    __match_args__ = ("key",)
    key: Node

    def __init__(self, key: Node, *, span: Span = (0, 0)) -> None:
        _set(self, "key", key)
        _set(self, "span", span)


class Call(Node):
    """``name(args)``: a registered function."""

    __slots__ = ("args", "name")
    __match_args__ = ("name", "args")
    name: str
    args: tuple[Node, ...]

    def __init__(self, name: str, args: tuple[Node, ...], *, span: Span = (0, 0)) -> None:
        _set(self, "name", name)
        _set(self, "args", args)
        _set(self, "span", span)


class Unary(Node):
    """``-x`` ``!x`` ``not x``."""

    __slots__ = ("op", "operand")
    __match_args__ = ("op", "operand")
    op: str
    operand: Node

    def __init__(self, op: str, operand: Node, *, span: Span = (0, 0)) -> None:
        _set(self, "op", op)
        _set(self, "operand", operand)
        _set(self, "span", span)


class Binary(Node):
    """Arithmetic, comparison, ``contains`` and ``in``. ``at`` is the operator's offset."""

    __slots__ = ("at", "left", "op", "right")
    __match_args__ = ("op", "left", "right", "at")
    _compared = ("op", "left", "right")
    op: str
    left: Node
    right: Node
    at: int

    def __init__(self, op: str, left: Node, right: Node, at: int = 0, *,
                 span: Span = (0, 0)) -> None:
        _set(self, "op", op)
        _set(self, "left", left)
        _set(self, "right", right)
        _set(self, "at", at)
        _set(self, "span", span)


class Logical(Node):
    """``&&`` ``||`` ``and`` ``or``: short-circuit, the deciding operand is the result."""

    __slots__ = ("left", "op", "right")
    __match_args__ = ("op", "left", "right")
    op: str
    left: Node
    right: Node

    def __init__(self, op: str, left: Node, right: Node, *, span: Span = (0, 0)) -> None:
        _set(self, "op", op)
        _set(self, "left", left)
        _set(self, "right", right)
        _set(self, "span", span)


class Conditional(Node):
    """``test ? then : otherwise``."""

    __slots__ = ("otherwise", "test", "then")
    __match_args__ = ("test", "then", "otherwise")
    test: Node
    then: Node
    otherwise: Node

    def __init__(self, test: Node, then: Node, otherwise: Node, *,
                 span: Span = (0, 0)) -> None:
        _set(self, "test", test)
        _set(self, "then", then)
        _set(self, "otherwise", otherwise)
        _set(self, "span", span)


class RangeLiteral(Node):
    """``(start..stop)``, both ends included."""

    __slots__ = ("start", "stop")
    __match_args__ = ("start", "stop")
    start: Node
    stop: Node

    def __init__(self, start: Node, stop: Node, *, span: Span = (0, 0)) -> None:
        _set(self, "start", start)
        _set(self, "stop", stop)
        _set(self, "span", span)


class ListLiteral(Node):
    """``(a, b)`` and ``(a,)``."""

    __slots__ = ("items",)
    __match_args__ = ("items",)
    items: tuple[Node, ...]

    def __init__(self, items: tuple[Node, ...], *, span: Span = (0, 0)) -> None:
        _set(self, "items", items)
        _set(self, "span", span)


class Filter(Node):
    """``| name: arg, key: arg`` in a pipeline."""

    __slots__ = ("args", "kwargs", "name")
    __match_args__ = ("name", "args", "kwargs")
    name: str
    args: tuple[Node, ...]
    kwargs: tuple[tuple[str, Node], ...]

    def __init__(self, name: str, args: tuple[Node, ...],
                 kwargs: tuple[tuple[str, Node], ...], *, span: Span = (0, 0)) -> None:
        _set(self, "name", name)
        _set(self, "args", args)
        _set(self, "kwargs", kwargs)
        _set(self, "span", span)


class Pipeline(Node):
    """``value | filter | filter``."""

    __slots__ = ("filters", "value")
    __match_args__ = ("value", "filters")
    value: Node
    filters: tuple[Filter, ...]

    def __init__(self, value: Node, filters: tuple[Filter, ...], *,
                 span: Span = (0, 0)) -> None:
        _set(self, "value", value)
        _set(self, "filters", filters)
        _set(self, "span", span)


_LEAVES = frozenset({Literal, Name})
N = TypeVar("N", bound=Node)


def builder(kind: type[N]) -> Callable[..., N]:
    """``kind``'s nodes made quicker, for the parser: ``build(*fields, span)``, the fields
    in order, gives what ``kind(*fields, span=span)`` does in half the time (calling a
    class and its ``__init__`` costs more than setting the slots straight)."""
    new = object.__new__
    put_span = Node.__dict__["span"].__set__
    setters = [getattr(kind, name).__set__ for name in kind.__match_args__]
    # One function for each number of fields, so that no loop runs per node.
    if len(setters) == 1:
        (put_a,) = setters

        def build_1(a: Any, span: Span) -> N:
            node = new(kind)
            put_a(node, a)
            put_span(node, span)
            return node

        return build_1
    if len(setters) == 2:
        put_a, put_b = setters

        def build_2(a: Any, b: Any, span: Span) -> N:
            node = new(kind)
            put_a(node, a)
            put_b(node, b)
            put_span(node, span)
            return node

        return build_2
    if len(setters) == 3:
        put_a, put_b, put_c = setters

        def build_3(a: Any, b: Any, c: Any, span: Span) -> N:
            node = new(kind)
            put_a(node, a)
            put_b(node, b)
            put_c(node, c)
            put_span(node, span)
            return node

        return build_3
    put_a, put_b, put_c, put_d = setters  # the most any node has

    def build_4(a: Any, b: Any, c: Any, d: Any, span: Span) -> N:
        node = new(kind)
        put_a(node, a)
        put_b(node, b)
        put_c(node, c)
        put_d(node, d)
        put_span(node, span)
        return node

    return build_4


def children(node: Node) -> tuple[Node, ...]:
    """The direct sub-expressions of ``node``, in source order."""
    kind = type(node)
    if kind in _LEAVES:  # most nodes: answered before anything else is tried
        return ()
    direct = _CHILDREN.get(kind)
    if direct is not None:  # the commonest, by their exact class (several times quicker)
        return direct(node)
    return _children(node)


def _children(node: Node) -> tuple[Node, ...]:
    match node:
        case Member(target=t):
            return (t,)
        case Index(target=t, key=k):
            return (t, k)
        case RootIndex(key=k):
            return (k,)
        case Call(args=args) | ListLiteral(items=args):
            return args
        case Unary(operand=o):
            return (o,)
        case Binary(left=a, right=b) | Logical(left=a, right=b) | RangeLiteral(start=a, stop=b):
            return (a, b)
        case Conditional(test=a, then=b, otherwise=c):
            return (a, b, c)
        case Filter(args=args, kwargs=kwargs):
            return args + tuple(value for _, value in kwargs)
        case Pipeline(value=v, filters=fs):
            return (v, *fs)
    return ()


_CHILDREN: Final[dict[type[Node], Callable[[Any], tuple[Node, ...]]]] = {
    Member: lambda node: (node.target,),
    Pipeline: lambda node: (node.value, *node.filters),
    Filter: lambda node: node.args + tuple(value for _, value in node.kwargs),
    Binary: lambda node: (node.left, node.right),
    Logical: lambda node: (node.left, node.right),
}


def walk(node: Node) -> list[Node]:
    """Every node of the tree, parents before children."""
    out: list[Node] = []
    stack = [node]
    while stack:
        current = stack.pop()
        out.append(current)
        stack.extend(reversed(children(current)))
    return out


_PRINT_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _quote(text: str) -> str:
    parts = []
    for ch in text:
        if ch in _PRINT_ESCAPES:
            parts.append(_PRINT_ESCAPES[ch])
        elif ord(ch) < 0x20 or 0xD800 <= ord(ch) <= 0xDFFF:
            parts.append(f"\\u{ord(ch):04x}")
        else:
            parts.append(ch)
    return '"' + "".join(parts) + '"'


def unparse(node: Node) -> str:
    """Expression text that parses back to an equal tree (fully parenthesised)."""
    match node:
        case Literal(kind="string", value=str() as text):
            return _quote(text)
        case Literal(kind="float", value=float() as number):
            assert math.isfinite(number)
            return repr(number)
        case Literal(kind="bool", value=flag):
            return "true" if flag else "false"
        case Literal(kind="nil"):
            return "nil"
        case Literal(kind=kind, value=value):
            return kind if kind in ("empty", "blank") else str(value)
        case Name(name=name):
            return name
        case Member(target=t, name=name):
            return f"{unparse(t)}.{name}"
        case Index(target=t, key=k):
            return f"{unparse(t)}[{unparse(k)}]"
        case RootIndex(key=k):
            return f"[{unparse(k)}]"
        case Call(name=name, args=args):
            return f"{name}({', '.join(unparse(a) for a in args)})"
        case Unary(op=op, operand=o):
            return f"({op} {unparse(o)})" if op == "not" else f"({op}{unparse(o)})"
        case Binary(op=op, left=a, right=b) | Logical(op=op, left=a, right=b):
            return f"({unparse(a)} {op} {unparse(b)})"
        case Conditional(test=a, then=b, otherwise=c):
            return f"({unparse(a)} ? {unparse(b)} : {unparse(c)})"
        case RangeLiteral(start=a, stop=b):
            return f"({unparse(a)}..{unparse(b)})"
        case ListLiteral(items=items):
            inner = ", ".join(unparse(i) for i in items)
            return f"({inner},)" if len(items) == 1 else f"({inner})"
        case Filter(name=name, args=args, kwargs=kwargs):
            parts = [unparse(a) for a in args] + [f"{k}: {unparse(v)}" for k, v in kwargs]
            return f"| {name}: {', '.join(parts)}" if parts else f"| {name}"
        case Pipeline(value=v, filters=fs):
            return f"({unparse(v)} {' '.join(unparse(f) for f in fs)})"
    raise TypeError(f"not an expression node: {node!r}")
