"""AST: small frozen dataclasses, each with its source span, and a printer back to text."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Final


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


@dataclass(frozen=True, slots=True)
class Node:
    """Base of every AST node. ``span`` (start, end offsets) is ignored by ``==``."""

    span: Span = field(default=(0, 0), compare=False, kw_only=True, repr=False)


@dataclass(frozen=True, slots=True)
class Literal(Node):
    """``42`` ``1.5`` ``'text'`` ``true`` ``nil`` ``empty`` ``blank``.

    ``kind`` keeps ``1``, ``1.0`` and ``true`` apart, which Python's ``==`` does not.
    """

    kind: str  # "int" "float" "string" "bool" "nil" "empty" "blank"
    value: object


@dataclass(frozen=True, slots=True)
class Name(Node):
    """A top-level variable."""

    name: str


@dataclass(frozen=True, slots=True)
class Member(Node):
    """``target.name``."""

    target: Node
    name: str


@dataclass(frozen=True, slots=True)
class Index(Node):
    """``target[key]``."""

    target: Node
    key: Node


@dataclass(frozen=True, slots=True)
class RootIndex(Node):
    """``[key]`` at the root: the variable whose name is the value of ``key``."""

    key: Node


@dataclass(frozen=True, slots=True)
class Call(Node):
    """``name(args)``: a registered function."""

    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Unary(Node):
    """``-x`` ``!x`` ``not x``."""

    op: str
    operand: Node


@dataclass(frozen=True, slots=True)
class Binary(Node):
    """Arithmetic, comparison, ``contains`` and ``in``. ``at`` is the operator's offset."""

    op: str
    left: Node
    right: Node
    at: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Logical(Node):
    """``&&`` ``||`` ``and`` ``or``: short-circuit, the deciding operand is the result."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Conditional(Node):
    """``test ? then : otherwise``."""

    test: Node
    then: Node
    otherwise: Node


@dataclass(frozen=True, slots=True)
class RangeLiteral(Node):
    """``(start..stop)``, both ends included."""

    start: Node
    stop: Node


@dataclass(frozen=True, slots=True)
class ListLiteral(Node):
    """``(a, b)`` and ``(a,)``."""

    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Filter(Node):
    """``| name: arg, key: arg`` in a pipeline."""

    name: str
    args: tuple[Node, ...]
    kwargs: tuple[tuple[str, Node], ...]


@dataclass(frozen=True, slots=True)
class Pipeline(Node):
    """``value | filter | filter``."""

    value: Node
    filters: tuple[Filter, ...]


_LEAVES = frozenset({Literal, Name})


def children(node: Node) -> tuple[Node, ...]:
    """The direct sub-expressions of ``node``, in source order."""
    if type(node) in _LEAVES:  # most nodes: answered before the patterns are tried
        return ()
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
