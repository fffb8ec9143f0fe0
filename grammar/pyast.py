"""Building Python syntax trees: the small constructors the expression compiler uses, and
``place``, which gives the nodes of a statement their line (which positions errors)."""

from __future__ import annotations

import ast
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

# Values an ``ast.Constant`` may hold as they are (frozensets: ``in`` tests of constants).
CONSTANT_TYPES = frozenset({int, float, str, bool, type(None), tuple, frozenset})


def python_constant(value: Any) -> bool:
    """Whether ``value`` can stand in an ``ast.Constant``: exact types only (markupsafe's
    ``Markup`` is a str subclass and is not), and tuples of such values all the way down."""
    if type(value) is tuple:
        return all(python_constant(item) for item in value)
    return type(value) in CONSTANT_TYPES


# Contexts and operators hold no data: one instance serves every node (as ``ast.parse``
# shares them). Nodes are made with positional arguments, in ``_fields`` order: quicker.
_LOAD = ast.Load()
_STORE = ast.Store()
_IS = ast.Is()


def load(identifier: str) -> ast.Name:
    return ast.Name(identifier, _LOAD)


def store(identifier: str) -> ast.Name:
    return ast.Name(identifier, _STORE)


def invoke(func: str, *args: ast.expr) -> ast.Call:
    return ast.Call(load(func), list(args), [])


def type_is(value: ast.expr, type_name: str) -> ast.expr:
    return ast.Compare(invoke("type", value), [_IS], [load(type_name)])


def all_of(*tests: ast.expr) -> ast.expr:
    return tests[0] if len(tests) == 1 else ast.BoolOp(op=ast.And(), values=list(tests))


# Fields of AST nodes that never hold a node (names, operators, flags).
_LEAF_FIELDS = frozenset({"ctx", "op", "ops", "id", "name", "attr", "arg", "module", "kind",
                          "level", "is_async", "conversion", "simple", "type_comment",
                          "type_ignores"})


def _node_fields(kind: type[ast.AST]) -> tuple[str, ...]:
    if kind is ast.Constant:
        return ()  # its value is data, even when it is a tuple
    return tuple(name for name in kind._fields if name not in _LEAF_FIELDS)


# The node-holding fields of every kind of Python AST node, computed once.
_NODE_FIELDS: Mapping[type[ast.AST], tuple[str, ...]] = MappingProxyType({
    kind: _node_fields(kind) for kind in vars(ast).values()
    if isinstance(kind, type) and issubclass(kind, ast.AST)})


def place(statement: ast.AST, line: int) -> None:
    """Put every node of ``statement`` not placed yet on ``line`` (``ast.walk`` costs
    several times as much, and the compiler places every statement it emits). Nodes
    already placed (an operand's name, used again) keep their line: they cannot fail."""
    location = {"lineno": line, "end_lineno": line, "col_offset": 0, "end_col_offset": 0}
    pending: list[Any] = [statement]
    table = _NODE_FIELDS
    while pending:
        node = pending.pop()
        if node is None:
            continue
        fields = node.__dict__
        if "lineno" in fields:
            continue
        fields.update(location)  # harmless on nodes without a location (``arguments``)
        for name in table[type(node)]:
            value = fields.get(name)
            if type(value) is list:
                pending.extend(value)
            elif value is not None:
                pending.append(value)
