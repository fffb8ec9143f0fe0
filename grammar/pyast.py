"""Building Python syntax trees: the small constructors the expression compiler uses, and
how nodes get the line that positions their errors: ``place`` puts every node of a statement
on a line; ``place_statement`` only the statements and what they hold directly, for trees
whose other expression nodes are made on line 1 (the classes below)."""

from __future__ import annotations

import ast
from collections import Counter
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


class _NoLine:
    """A node on line 1, where the template compiler reports nothing: placing such nodes
    one by one was most of the cost of placing a template's statements, and only where
    an instruction may fail does its line matter; there the compiler places it. (Not
    line -1, "none": CPython 3.13 fails to compile some trees with such lines.)"""

    lineno: int = 1
    col_offset: int = 0
    end_lineno: int | None = 1
    end_col_offset: int | None = 0


# The expression nodes the template compiler makes, on line 1.
class Attribute(_NoLine, ast.Attribute): ...
class Await(_NoLine, ast.Await): ...
class BinOp(_NoLine, ast.BinOp): ...
class BoolOp(_NoLine, ast.BoolOp): ...
class Call(_NoLine, ast.Call): ...
class Compare(_NoLine, ast.Compare): ...
class Constant(_NoLine, ast.Constant): ...
class Dict(_NoLine, ast.Dict): ...
class FormattedValue(_NoLine, ast.FormattedValue): ...
class IfExp(_NoLine, ast.IfExp): ...
class JoinedStr(_NoLine, ast.JoinedStr): ...
class List(_NoLine, ast.List): ...
class Name(_NoLine, ast.Name): ...
class NamedExpr(_NoLine, ast.NamedExpr): ...
class Subscript(_NoLine, ast.Subscript): ...
class Tuple(_NoLine, ast.Tuple): ...
class UnaryOp(_NoLine, ast.UnaryOp): ...


# Fields of AST nodes that never hold a node (names, operators, flags).
_LEAF_FIELDS = frozenset({"ctx", "op", "ops", "id", "name", "attr", "arg", "module", "kind",
                          "level", "is_async", "conversion", "simple", "type_comment",
                          "type_ignores"})


def _node_fields(kind: type[ast.AST]) -> tuple[str, ...]:
    if issubclass(kind, ast.Constant):
        return ()  # its value is data, even when it is a tuple
    return tuple(name for name in kind._fields if name not in _LEAF_FIELDS)


# The node-holding fields of every kind of Python AST node, computed once.
_NODE_FIELDS: Mapping[type[ast.AST], tuple[str, ...]] = MappingProxyType({
    kind: _node_fields(kind) for kind in [*vars(ast).values(), *globals().values()]
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


_STATEMENT = (ast.stmt, ast.excepthandler)


def place_statement(statement: ast.AST, line: int) -> None:
    """Put ``statement``, the statements in it and the expressions these hold directly
    (and the call such an ``await`` awaits, and what such a call calls) on ``line``, where
    no line is set yet. Deeper nodes made
    on line 1 stay there: the template compiler places a deeper node that may fail
    itself."""
    location = {"lineno": line, "end_lineno": line, "col_offset": 0, "end_col_offset": 0}
    pending: list[Any] = [statement]
    table = _NODE_FIELDS
    while pending:
        node = pending.pop()
        fields = node.__dict__
        if "lineno" in fields:
            continue
        fields.update(location)
        for name in table[type(node)]:
            value = fields.get(name)
            if type(value) is list:
                for item in value:
                    if isinstance(item, _STATEMENT):
                        pending.append(item)
                    elif "lineno" not in item.__dict__:
                        item.__dict__.update(location)
            elif value is not None and "lineno" not in value.__dict__:
                value.__dict__.update(location)
                if type(value) is Await and "lineno" not in value.value.__dict__:
                    value = value.value  # the call awaited
                    value.__dict__.update(location)
                if type(value) is Call and "lineno" not in value.func.__dict__:
                    # CPython 3.12+ puts a method call on its method's line
                    value.func.__dict__.update(location)


def return_last(body: list[ast.stmt], value: ast.expr, line: int) -> None:
    """End ``body`` with ``return value``. Where ``value`` is the variable that the last
    statement sets (or each branch of a last ``if``/``else``), that statement returns what
    it would set instead: no store, load and jump to a shared ``return``."""
    last = body[-1] if body else None
    variable = value.id if isinstance(value, ast.Name) else None
    if isinstance(last, ast.Assign) and variable is not None and len(last.targets) == 1 \
            and isinstance(last.targets[0], ast.Name) and last.targets[0].id == variable:
        body[-1] = ast.copy_location(ast.Return(value=last.value), last)
        return
    if isinstance(last, ast.If) and variable is not None and last.orelse:
        return_last(last.body, value, line)
        return_last(last.orelse, value, line)
        return
    statement = ast.Return(value=value)
    place(statement, line)
    body.append(statement)


def thread_tests(body: list[ast.stmt]) -> None:
    """Where ``if q: t = True`` / ``else: t = r`` sets a variable that only the next
    statement's ``if t:`` reads, that ``if`` tests ``q or r`` instead: a store, a load and
    a jump fewer on every path, and ``q`` is tested where Python tests quickest. ``body``
    is a whole function's (every read of ``t`` is in it)."""
    candidates: list[tuple[list[ast.stmt], int, str]] = []
    _find_tests(body, candidates)
    if not candidates:
        return
    reads = Counter(node.id for statement in body for node in ast.walk(statement)
                    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load))
    for statements, index, name in reversed(candidates):  # later ones first: indices hold
        if reads[name] == 1:
            setter, reader = statements[index], statements[index + 1]
            assert isinstance(setter, ast.If) and isinstance(reader, ast.If)
            otherwise = setter.orelse[0]
            assert isinstance(otherwise, ast.Assign)
            reader.test = ast.copy_location(
                ast.BoolOp(op=ast.Or(), values=[setter.test, otherwise.value]), setter.test)
            del statements[index]


def _sets_true_or(statement: ast.stmt) -> str | None:
    """``t`` for ``if q: t = True`` / ``else: t = r``."""
    if not (isinstance(statement, ast.If) and len(statement.body) == 1
            and len(statement.orelse) == 1):
        return None
    then, otherwise = statement.body[0], statement.orelse[0]
    if not (isinstance(then, ast.Assign) and isinstance(otherwise, ast.Assign)
            and isinstance(then.value, ast.Constant) and then.value.value is True):
        return None
    names = {target.id for target in [*then.targets, *otherwise.targets]
             if isinstance(target, ast.Name)}
    return names.pop() if len(names) == 1 and len(then.targets) == len(
        otherwise.targets) == 1 else None


def _find_tests(statements: list[ast.stmt],
                found: list[tuple[list[ast.stmt], int, str]]) -> None:
    for index, statement in enumerate(statements):
        name = _sets_true_or(statement)
        following = statements[index + 1] if index + 1 < len(statements) else None
        if name is not None and isinstance(following, ast.If) \
                and isinstance(following.test, ast.Name) and following.test.id == name:
            found.append((statements, index, name))
        for field in ("body", "orelse", "finalbody"):
            inner = getattr(statement, field, None)
            if isinstance(inner, list):
                _find_tests(inner, found)
        for handler in getattr(statement, "handlers", ()):
            _find_tests(handler.body, found)
