"""Compiler: AST to a Python function, built from ``ast`` nodes.

User text enters the generated tree only as ``ast.Constant`` values. Constant
sub-expressions are folded, and a sub-expression that occurs twice is computed
once wherever the first computation is known to have run (it ran under a subset
of the current path conditions). That is looked up in bounded time (the enclosing
conditions, then a few other computations), so a rule set of any size compiles in
time linear in its size; a large set becomes several functions, which share parts
within themselves only.
"""

from __future__ import annotations

import ast
import difflib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any

from ladle.grammar import runtime
from ladle.grammar.errors import EvaluationError, ExpressionError, ExpressionSyntaxError
from ladle.grammar.functions import BUILTINS, Function
from ladle.grammar.nodes import (
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
    unparse,
    walk,
)
from ladle.grammar.operators import BINARY, OPERATORS

NO_DATA: Mapping[str, Any] = MappingProxyType({})
_PLAIN_TYPES = frozenset({int, float, str, list, dict, tuple, bool, type(None)})
_CONSTANT_TYPES = frozenset({int, float, str, bool, type(None), tuple, frozenset})
_AND = frozenset({"&&", "and"})
_OR = frozenset({"||", "or"})
# Pure binary helpers (grammar/operators.py), also used to fold constants; ``contains``
# and ``in`` compile through ``_contains``.
_BINARY_HELPERS: dict[str, Callable[..., Any]] = {
    op.symbol: op.function for op in BINARY if op.function is not None and not op.word}
_HELPER_NAMES = {symbol: f"_op{i}" for i, symbol in enumerate(_BINARY_HELPERS)}
# With ``liquid=True``: Liquid's rules where they differ from the language's defaults.
_LIQUID_HELPERS: dict[str, Callable[..., Any]] = {
    **{_HELPER_NAMES[op.symbol]: op.liquid for op in BINARY
       if op.liquid is not None and op.symbol in _HELPER_NAMES},
    "_contains": runtime.liquid_contains,
    "_range": runtime.liquid_range,
    "_member": runtime.liquid_member,
    "_index": runtime.liquid_index,
}
# Python's own operators, where they compute the same on ints (comparisons: on strings
# too), or on ints by a non-zero constant.
_PY_COMPARE = {op.symbol: op.python() for op in BINARY
               if op.python is not None and issubclass(op.python, ast.cmpop)}
_PY_ARITH = {op.symbol: op.python() for op in BINARY
             if op.python is not None and issubclass(op.python, ast.operator)}
_PY_BY_CONSTANT = {op.symbol: op.python_by_constant() for op in BINARY
                   if op.python_by_constant is not None}


@dataclass(frozen=True)
class Operand:
    """A compiled value: a local name or a constant, and whether it is surely a bool."""

    expr: ast.expr
    constant: bool = False
    value: Any = None
    is_bool: bool = False
    is_number: bool = False  # surely an int or float (never a bool)


def _python_constant(value: Any) -> bool:
    """Whether ``value`` can stand in an ``ast.Constant``: exact types only (markupsafe's
    ``Markup`` is a str subclass and is not), and tuples of such values all the way down."""
    if type(value) is tuple:
        return all(_python_constant(item) for item in value)
    return type(value) in _CONSTANT_TYPES


def _name(identifier: str) -> ast.Name:
    return ast.Name(id=identifier, ctx=ast.Load())


def _store(identifier: str) -> ast.Name:
    return ast.Name(id=identifier, ctx=ast.Store())


def _call(func: str, *args: ast.expr) -> ast.Call:
    return ast.Call(func=_name(func), args=list(args), keywords=[])


def _type_is(value: ast.expr, type_name: str) -> ast.expr:
    return ast.Compare(left=_call("type", value), ops=[ast.Is()], comparators=[_name(type_name)])


def _all(*tests: ast.expr) -> ast.expr:
    return tests[0] if len(tests) == 1 else ast.BoolOp(op=ast.And(), values=list(tests))


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """' (did you mean 'x'?)' for the closest known name, or ''."""
    matches = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
    return f" (did you mean {matches[0]!r}?)" if matches else ""


Guards = frozenset[tuple[Node, bool]]
# How many enclosing scopes a lookup climbs, and how many other places where a
# sub-expression was computed it then checks: bounded, so that a rule set of any size
# compiles in time linear in its size (a miss only costs a recomputation).
_CLIMB = 16
_SCAN = 8
_NO_GUARDS: Guards = frozenset()
# Operations (generated lines) per function of a large ``compile_set``.
_CHUNK_LINES = 1024


class _Scope:
    """Where code is being emitted: the statement list, the conditions that hold there,
    and the enclosing scope (whose computations have run whenever this scope runs)."""

    __slots__ = ("body", "guards", "parent")

    def __init__(self, body: list[ast.stmt], guards: Guards,
                 parent: _Scope | None = None) -> None:
        self.body = body
        self.guards = guards
        self.parent = parent


# Fields of AST nodes that never hold a node (names, operators, flags).
_LEAF_FIELDS = frozenset({"ctx", "op", "ops", "id", "name", "attr", "arg", "module", "kind",
                          "level", "is_async", "conversion", "simple", "type_comment",
                          "type_ignores"})


def _node_fields(kind: type[ast.AST]) -> tuple[str, ...]:
    if kind is ast.Constant:
        return ()  # its value is data, even when it is a tuple
    return tuple(name for name in kind._fields if name not in _LEAF_FIELDS)


_NODE_FIELDS: dict[type[ast.AST], tuple[str, ...]] = {}


def _place(statement: ast.AST, line: int) -> None:
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
        kind = type(node)
        names = table.get(kind)
        if names is None:
            names = table[kind] = _node_fields(kind)
        for name in names:
            value = fields.get(name)
            if type(value) is list:
                pending.extend(value)
            elif value is not None:
                pending.append(value)


class Compiler:
    """Compiles one or more ASTs into one Python function of ``data``."""

    def __init__(
        self,
        *,
        functions: Mapping[str, Function],
        filters: Mapping[str, Callable[..., Any]] | None,
        strict: bool,
        max_length: int,
        undefined: Callable[[str], Any] | None = None,
        liquid: bool = False,
        strings: Callable[[str], str] | None = None,
    ) -> None:
        self.source = ""
        self.strings = strings
        self.undefined = undefined
        self.functions = functions
        self.filters = filters
        self.strict = strict
        self.max_length = max_length
        self.namespace: dict[str, Any] = {
            "type": type,
            "int": int,
            "str": str,
            "float": float,
            "bool": bool,
            "dict": dict,
            "KeyError": KeyError,
            "Exception": Exception,
            "_PLAIN": _PLAIN_TYPES,
            "_truthy": runtime.truthy,
            "_member": runtime.member,
            "_index": runtime.index,
            "_lookup": runtime.lookup,
            "_range": runtime.make_range,
            "_contains": runtime.contains,
            "_negate": runtime.negate,
            "_check": runtime.check_number,
            "_undefined": self._undefined,
            "_apply": self._apply,
            "_NO_DATA": NO_DATA,
            "_ExpressionError": ExpressionError,
        }
        for op, helper in _BINARY_HELPERS.items():
            self.namespace[_HELPER_NAMES[op]] = helper
        if liquid:
            self.namespace.update(_LIQUID_HELPERS)
        self.counter = 0
        self.positions: dict[int, tuple[str, int]] = {}
        self.line = 1
        # Per sub-expression: the guards under which it was computed, and its operand.
        self.available: dict[Node, dict[Guards, Operand]] = {}
        self.scope = _Scope([], _NO_GUARDS)

    # -- small emitters -------------------------------------------------------------

    def temp(self) -> str:
        self.counter += 1
        return f"_t{self.counter}"

    def constant(self, value: Any) -> Operand:
        if isinstance(value, list):
            value = tuple(value)
        if _python_constant(value):
            # Tuples and frozensets of constants are valid constants; typeshed is narrower.
            expr: ast.expr = ast.Constant(value=value)
        else:
            key = f"_k{len(self.namespace)}"
            self.namespace[key] = value
            expr = _name(key)
        return Operand(expr, constant=True, value=value, is_bool=isinstance(value, bool),
                       is_number=type(value) in (int, float))

    def fold(self, compute: Callable[[], Any]) -> Operand | None:
        """The constant that ``compute`` gives, or None if it fails: the failure is left to
        evaluation time, where the code may never run (``false && 1 / 0``)."""
        try:
            return self.constant(compute())
        except Exception:
            return None

    def bind(self, value: Any, prefix: str) -> ast.Name:
        key = f"_{prefix}{len(self.namespace)}"
        self.namespace[key] = value
        return _name(key)

    def at(self, position: int) -> None:
        """Start a new generated line whose errors point at ``position`` in the source."""
        self.line += 1
        self.positions[self.line] = (self.source, position)

    def emit(self, statement: ast.stmt) -> None:
        _place(statement, self.line)
        self.scope.body.append(statement)

    def assign(self, target: str, value: ast.expr) -> None:
        self.emit(ast.Assign(targets=[_store(target)], value=value))

    def result(self, value: ast.expr, *, is_bool: bool = False) -> Operand:
        target = self.temp()
        self.assign(target, value)
        return Operand(_name(target), is_bool=is_bool)

    def branch(self, test: ast.expr, guard: tuple[Node, bool]) -> _Scope:
        """Emit ``if test:`` and return the scope of its body, where ``guard`` holds."""
        body: list[ast.stmt] = []
        self.emit(ast.If(test=test, body=body, orelse=[]))
        return _Scope(body, self.scope.guards | {guard}, self.scope)

    def truth_test(self, operand: Operand) -> ast.expr:
        if operand.is_bool:
            return operand.expr
        value = operand.expr
        return _all(
            ast.Compare(left=value, ops=[ast.IsNot()], comparators=[ast.Constant(None)]),
            ast.Compare(left=value, ops=[ast.IsNot()], comparators=[ast.Constant(False)]),
            ast.BoolOp(
                op=ast.Or(),
                values=[
                    ast.Compare(left=_call("type", value), ops=[ast.In()],
                                comparators=[_name("_PLAIN")]),
                    _call("_truthy", value),
                ],
            ),
        )

    # -- runtime hooks ----------------------------------------------------------------

    @staticmethod
    def _undefined(data: Mapping[str, Any], name: str) -> None:
        raise EvaluationError(runtime.undefined_message(data, name))

    def _apply(
        self,
        function: Callable[..., Any],
        what: str,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> Any:
        """Call a filter or function under the length limit; its own errors name it."""
        pending = [*args, *kwargs.values()]
        while pending:
            item = pending.pop()
            if isinstance(item, range):  # lazy, so possibly astronomically long
                runtime.check_length(item, self.max_length, f"argument of {what}")
            elif type(item) is tuple:  # a list literal, which may hold ranges
                pending.extend(item)
        try:
            result = function(*args, **kwargs)
        except ExpressionError:
            raise
        except Exception as error:
            raise EvaluationError(f"{what}: {error}") from error
        return runtime.check_length(result, self.max_length)

    # -- nodes ------------------------------------------------------------------------

    def value(self, node: Node) -> Operand:
        """Compile ``node`` into the current scope; reuse an earlier computation if one holds."""
        scope = self.scope
        known = self.available.get(node)
        if known is not None:
            found = self._known(known, scope)
            if found is not None:
                # remembered here too, so that a lookup from a nested scope finds it at once
                known.setdefault(scope.guards, found)
                return found
        operand = self._compile(node)
        if not operand.constant:
            self.available.setdefault(node, {}).setdefault(scope.guards, operand)
        return operand

    @staticmethod
    def _known(known: dict[Guards, Operand], scope: _Scope) -> Operand | None:
        """An operand of ``known`` computed under guards that hold in ``scope``: one
        computed under the guards of this scope or an enclosing one (the common case,
        found by lookup), else one of the latest others whose guards are a subset."""
        current: _Scope | None = scope
        for _ in range(_CLIMB):
            if current is None:
                break
            found = known.get(current.guards)
            if found is not None:
                return found
            current = current.parent
        if current is not None:  # climbed no further: what was computed outside any branch
            found = known.get(_NO_GUARDS)
            if found is not None:
                return found
        guards = scope.guards
        for count, (other, operand) in enumerate(reversed(known.items())):
            if count == _SCAN:
                break
            if other <= guards:
                return operand
        return None

    def _compile(self, node: Node) -> Operand:
        match node:
            case Literal(kind="string", value=str() as text) if self.strings is not None:
                return self.constant(self.strings(text))
            case Literal(value=value):
                return self.constant(value)
            case Name(name=name):
                return self.compile_name(node, name)
            case Member(target=target, name=name):
                return self.compile_member(node, target, name)
            case Index(target=target, key=key):
                obj, k = self.value(target), self.value(key)
                return self.call_helper(node.span[0], "_index", obj, k, *self.missing(node))
            case RootIndex(key=key):
                k = self.value(key)
                if k.constant and isinstance(k.value, str):
                    # str.__str__: a host's string type (Markup) cannot be an ast.Constant
                    return self.compile_name(node, str.__str__(k.value))
                self.at(node.span[0])
                return self.result(_call("_lookup", _name("data"), k.expr,
                                         ast.Constant(self.strict),
                                         *(m.expr for m in self.missing(node))))
            case Call():
                return self.compile_call(node)
            case Unary(op=op, operand=operand):
                return self.compile_unary(node, op, operand)
            case Binary():
                return self.compile_binary(node)
            case Logical():
                return self.compile_logical(node)
            case Conditional(test=test, then=then, otherwise=otherwise):
                return self.compile_conditional(test, then, otherwise)
            case RangeLiteral(start=start, stop=stop):
                a, b = self.value(start), self.value(stop)
                return self.call_helper(node.span[0], "_range", a, b)
            case ListLiteral(items=items):
                values = [self.value(item) for item in items]
                if all(v.constant for v in values):
                    return self.constant(tuple(v.value for v in values))
                return self.result(ast.Tuple(elts=[v.expr for v in values], ctx=ast.Load()))
            case Pipeline(value=value, filters=filters):
                current = self.value(value)
                for filter_node in filters:
                    current = self.compile_filter(filter_node, current)
                return current
        raise TypeError(f"cannot compile {node!r}")

    def call_helper(
        self, position: int, name: str, *args: Operand, is_bool: bool = False,
    ) -> Operand:
        """Call the pure runtime helper ``name``, folding it when every argument is constant."""
        helper = self.namespace[name]
        if all(a.constant for a in args):
            folded = self.fold(lambda: helper(*(a.value for a in args)))
            if folded is not None:
                return folded
        self.at(position)
        return self.result(_call(name, *(a.expr for a in args)), is_bool=is_bool)

    def missing(self, node: Node, name: str | None = None) -> tuple[Operand, ...]:
        """The extra helper argument for what a missing name or path at ``node`` reads as:
        none when that is nil, else the host's undefined value for it (made once, here)."""
        if self.undefined is None:
            return ()
        value = self.undefined(unparse(node) if name is None else name)
        # Bound, never inspected: a host's undefined value may raise when touched.
        return (Operand(self.bind(value, "u"), constant=True, value=value),)

    def compile_name(self, node: Node, name: str) -> Operand:
        self.at(node.span[0])
        target = self.temp()
        subscript = ast.Subscript(value=_name("data"), slice=ast.Constant(name), ctx=ast.Load())
        if self.strict:
            missing: ast.stmt = ast.Expr(_call("_undefined", _name("data"), ast.Constant(name)))
        else:
            value = [m.expr for m in self.missing(node, name)] or [ast.Constant(None)]
            missing = ast.Assign(targets=[_store(target)], value=value[0])
        self.emit(
            ast.Try(
                body=[ast.Assign(targets=[_store(target)], value=subscript)],
                handlers=[ast.ExceptHandler(type=_name("KeyError"), name=None, body=[missing])],
                orelse=[],
                finalbody=[],
            )
        )
        return Operand(_name(target))

    def compile_member(self, node: Node, target_node: Node, name: str) -> Operand:
        obj = self.value(target_node)
        extra = self.missing(node)
        if obj.constant:
            return self.call_helper(node.span[0], "_member", obj, self.constant(name), *extra)
        self.at(node.span[0])
        target = self.temp()
        slow = ast.Assign(targets=[_store(target)],
                          value=_call("_member", obj.expr, ast.Constant(name),
                                      *(m.expr for m in extra)))
        fast = ast.Try(
            body=[ast.Assign(targets=[_store(target)], value=ast.Subscript(
                value=obj.expr, slice=ast.Constant(name), ctx=ast.Load()))],
            handlers=[ast.ExceptHandler(type=_name("KeyError"), name=None, body=[slow])],
            orelse=[],
            finalbody=[],
        )
        self.emit(ast.If(test=_type_is(obj.expr, "dict"), body=[fast], orelse=[slow]))
        return Operand(_name(target))

    def compile_call(self, node: Call) -> Operand:
        function = self.functions[node.name]
        args = [self.value(a) for a in node.args]
        what = f"{node.name}()"
        if function.pure and all(a.constant for a in args):
            values = tuple(a.value for a in args)
            folded = self.fold(lambda: function.call(*values) if function.direct else
                               self._apply(function.call, what, values, {}))
            if folded is not None:
                return folded
        self.at(node.span[0])
        callee = self.bind(function.call, "f")
        if function.direct:
            return self.result(ast.Call(func=callee, args=[a.expr for a in args], keywords=[]))
        return self.result(_call("_apply", callee, ast.Constant(what),
                                 ast.Tuple(elts=[a.expr for a in args], ctx=ast.Load()),
                                 ast.Dict(keys=[], values=[])))

    def compile_unary(self, node: Node, op: str, operand_node: Node) -> Operand:
        operand = self.value(operand_node)
        if op == "-":
            return self.call_helper(node.span[0], "_negate", operand)
        if operand.constant:
            return self.constant(not runtime.truthy(operand.value))
        return self.result(ast.UnaryOp(op=ast.Not(), operand=self.truth_test(operand)),
                           is_bool=True)

    def compile_binary(self, node: Binary) -> Operand:
        op = node.op
        left = self.value(node.left)
        right = self.value(node.right)
        if op == "in":
            left, right, op = right, left, "contains"
        if op == "contains":
            return self.compile_contains(node, left, right)
        row = OPERATORS[op]
        helper_name = _HELPER_NAMES[op]
        helper = self.namespace[helper_name]
        extra = (self.max_length,) if row.takes_max_length else ()
        if left.constant and right.constant:
            folded = self.fold(lambda: helper(left.value, right.value, *extra))
            if folded is not None:
                return folded
        self.at(node.at)
        slow: ast.expr = _call(helper_name, left.expr, right.expr,
                               *(ast.Constant(value) for value in extra))
        # Arithmetic gives a number or raises; '+' may also join strings or lists.
        is_number = row.result == "number" or (
            op == "+" and (left.is_number or right.is_number))
        is_bool = row.result == "bool"
        fast = self.fast_binary(op, left, right, slow)
        if fast is None:
            return self.result(slow, is_bool=is_bool) if not is_number else \
                replace(self.result(slow), is_number=True)
        guard, expr, checked = fast
        if guard is None:
            return self.result(expr, is_bool=is_bool)
        target = self.temp()
        fast_body: list[ast.stmt] = [ast.Assign(targets=[_store(target)], value=expr)]
        if checked:
            limit = ast.Constant(runtime.INTEGER_LIMIT)
            in_bounds = ast.Compare(left=ast.UnaryOp(op=ast.USub(), operand=limit),
                                    ops=[ast.LtE(), ast.LtE()],
                                    comparators=[_name(target), limit])
            fast_body.append(ast.If(test=ast.UnaryOp(op=ast.Not(), operand=in_bounds),
                                    body=[ast.Expr(_call("_check", _name(target)))], orelse=[]))
        self.emit(ast.If(test=guard, body=fast_body,
                         orelse=[ast.Assign(targets=[_store(target)], value=slow)]))
        return Operand(_name(target), is_bool=is_bool, is_number=is_number)

    def fast_binary(
        self, op: str, left: Operand, right: Operand, slow: ast.expr
    ) -> tuple[ast.expr | None, ast.expr, bool] | None:
        """(type guard, plain Python expression, needs an integer bound check), or None.

        A guard of None means the expression is right for every value (it may fall
        back to ``slow`` itself).
        """
        variables = [o for o in (left, right) if not o.constant]
        constants = [o for o in (left, right) if o.constant]
        if not variables:
            return None
        const: Any = constants[0].value if constants else None
        numbers = all(v.is_number for v in variables)
        if op in ("==", "!="):
            if not constants or type(const) not in (str, int, float, bool):
                return None
            variable = variables[0].expr
            negate = op == "!="
            if numbers and type(const) in (int, float):
                py_op: ast.cmpop = ast.NotEq() if negate else ast.Eq()
                plain = ast.Compare(left=variable, ops=[py_op], comparators=[ast.Constant(const)])
                return None, plain, False
            if type(const) in (str, bool):
                # Equal by Python means equal by Liquid for these constants; only values
                # that are not plain data (drops) need the full rule when Python says no.
                quick: ast.expr = (
                    ast.Compare(left=variable, ops=[ast.Is()], comparators=[ast.Constant(const)])
                    if type(const) is bool else
                    ast.Compare(left=variable, ops=[ast.Eq()], comparators=[ast.Constant(const)])
                )
                unusual = ast.Compare(left=_call("type", variable), ops=[ast.NotIn()],
                                      comparators=[_name("_PLAIN")])
                equal = ast.BoolOp(op=ast.Or(), values=[
                    quick, ast.BoolOp(op=ast.And(), values=[unusual, _call("_op0", variable,
                                                                           ast.Constant(const))])])
                return None, ast.UnaryOp(op=ast.Not(), operand=equal) if negate else equal, False
            guard = _type_is(variable, type(const).__name__)
            py_op = ast.NotEq() if negate else ast.Eq()
            return guard, ast.Compare(left=left.expr, ops=[py_op],
                                      comparators=[right.expr]), False
        if op in _PY_COMPARE:
            if constants and type(const) not in (int, float, str):
                return None
            comparison = ast.Compare(left=left.expr, ops=[_PY_COMPARE[op]],
                                     comparators=[right.expr])
            if numbers and not isinstance(const, str):
                return None, comparison, False
            kind = "str" if isinstance(const, str) else "int"
            guard = _all(*(_type_is(v.expr, kind) for v in variables))
            return guard, comparison, False
        if constants and (type(const) is not int):
            return None
        guard = _all(*(_type_is(v.expr, "int") for v in variables))
        if op in _PY_ARITH:
            return guard, ast.BinOp(left=left.expr, op=_PY_ARITH[op], right=right.expr), True
        if op in _PY_BY_CONSTANT and right.constant and const != 0:
            # ``x % c`` stays within ``c``: no bound check when ``c`` is within the limit.
            bounded = isinstance(_PY_BY_CONSTANT[op], ast.Mod) and (
                -runtime.INTEGER_LIMIT <= const <= runtime.INTEGER_LIMIT)
            return guard, ast.BinOp(left=left.expr, op=_PY_BY_CONSTANT[op],
                                    right=right.expr), not bounded
        return None

    def compile_contains(self, node: Binary, container: Operand, item: Operand) -> Operand:
        if container.constant and not item.constant:
            values = container.value
            fast: ast.expr | None = None
            if isinstance(values, tuple) and values and all(type(v) is str for v in values):
                fast = ast.IfExp(
                    test=_type_is(item.expr, "str"),
                    body=ast.Compare(left=item.expr, ops=[ast.In()],
                                     comparators=[ast.Constant(frozenset(values))]),  # type: ignore[arg-type]
                    orelse=_call("_contains", container.expr, item.expr),
                )
            elif isinstance(values, range) and values.step == 1:
                fast = ast.IfExp(
                    test=_type_is(item.expr, "int"),
                    body=ast.Compare(left=ast.Constant(values.start), ops=[ast.LtE(), ast.Lt()],
                                     comparators=[item.expr, ast.Constant(values.stop)]),
                    orelse=_call("_contains", container.expr, item.expr),
                )
            if fast is not None:
                self.at(node.at)
                return self.result(fast, is_bool=True)
        return self.call_helper(node.at, "_contains", container, item,
                                is_bool=True)

    def compile_logical(self, node: Logical) -> Operand:
        """A flattened chain of ``&&``/``and`` (or ``||``/``or``) in nested ``if`` blocks."""
        is_and = node.op in _AND
        family = _AND if is_and else _OR
        operands: list[Node] = []
        pending: list[Node] = [node]
        while pending:
            current = pending.pop()
            if isinstance(current, Logical) and current.op in family:
                pending.extend((current.right, current.left))
            else:
                operands.append(current)
        target = self.temp()
        outer = self.scope
        all_bool = True
        for position, operand_node in enumerate(operands):
            operand = self.value(operand_node)
            last = position == len(operands) - 1
            if operand.constant:
                if runtime.truthy(operand.value) == is_and and not last:
                    continue  # does not decide: the chain goes on
                if self.scope is outer:
                    return operand  # decided before anything was evaluated
                self.assign(target, operand.expr)
                all_bool = all_bool and operand.is_bool
                break
            all_bool = all_bool and operand.is_bool
            self.assign(target, operand.expr)
            if last:
                break
            test = self.truth_test(operand)
            if not is_and:
                test = ast.UnaryOp(op=ast.Not(), operand=test)
            self.scope = self.branch(test, (operand_node, is_and))
        self.scope = outer
        return Operand(_name(target), is_bool=all_bool)

    def compile_conditional(self, test_node: Node, then: Node, otherwise: Node) -> Operand:
        test = self.value(test_node)
        if test.constant:
            return self.value(then if runtime.truthy(test.value) else otherwise)
        target = self.temp()
        outer = self.scope
        body: list[ast.stmt] = []
        orelse: list[ast.stmt] = []
        self.emit(ast.If(test=self.truth_test(test), body=body, orelse=orelse))
        results = []
        for block, polarity, branch in ((body, True, then), (orelse, False, otherwise)):
            self.scope = _Scope(block, outer.guards | {(test_node, polarity)}, outer)
            result = self.value(branch)
            results.append(result)
            self.assign(target, result.expr)
        self.scope = outer
        return Operand(_name(target), is_bool=all(r.is_bool for r in results))

    def compile_filter(self, node: Filter, value: Operand) -> Operand:
        assert self.filters is not None
        function = self.filters[node.name]
        args = [self.value(a) for a in node.args]
        kwargs = [(key, self.value(v)) for key, v in node.kwargs]
        self.at(node.span[0])
        call = _call(
            "_apply",
            self.bind(function, "g"),
            ast.Constant(f"filter {node.name!r}"),
            ast.Tuple(elts=[value.expr, *(a.expr for a in args)], ctx=ast.Load()),
            ast.Dict(keys=[ast.Constant(k) for k, _ in kwargs], values=[v.expr for _, v in kwargs]),
        )
        return self.result(call)

    # -- the function -------------------------------------------------------------------

    def build(self, roots: Sequence[tuple[str, Node]], *, single: bool,
              truthy: bool = False) -> Callable[..., Any]:
        """Compile (source, tree) pairs into ``f(data)``: one value, or a tuple of values
        (with ``truthy``, of their truthiness: True or False).

        A large set is compiled into several functions of about ``_CHUNK_LINES``
        operations each, which share their common parts within, not across: one huge
        function would make Python's compiler hold the syntax tree of the whole set."""
        self.namespace["_fail"] = self._fail
        # A fresh start: ``with_stack`` builds again after a RecursionError.
        self.available = {}
        self.scope = _Scope([], _NO_GUARDS)
        chunks: list[str] = []
        results: list[Operand] = []
        start = self.line
        for index, (source, root) in enumerate(roots):
            self.source = source
            result = self.value(root)
            if truthy and not result.is_bool:
                target = self.temp()  # the truth test reads its operand three times
                self.assign(target, result.expr)
                result = Operand(self.truth_test(Operand(_name(target))), is_bool=True)
            results.append(result)
            if not single and self.line - start >= _CHUNK_LINES and index < len(roots) - 1:
                chunks.append(f"_c{len(chunks)}")
                self._function(results, single=False, name=chunks[-1])
                results = []
                start = self.line
        if not chunks:
            return self._function(results, single=single, name="evaluate")
        chunks.append(f"_c{len(chunks)}")
        self._function(results, single=False, name=chunks[-1])
        # evaluate(data) = (*_c0(data), *_c1(data), ...)
        self.line += 1
        whole = ast.Tuple(elts=[ast.Starred(value=_call(chunk, _name("data")), ctx=ast.Load())
                                for chunk in chunks], ctx=ast.Load())
        # (their errors are ExpressionErrors already, positioned)
        combined = self._guarded([ast.Return(whole)], passed="_ExpressionError")
        return self._define("evaluate", [combined])

    def _function(self, results: list[Operand], *, single: bool,
                  name: str) -> Callable[..., Any]:
        """Define the function ``name`` from the statements emitted so far, returning
        ``results`` (one value, or a tuple), and start afresh; errors go through _fail."""
        returned: ast.expr
        if single:
            returned = results[0].expr
        else:
            returned = ast.Tuple(elts=[r.expr for r in results], ctx=ast.Load())
        self.line += 1
        self.emit(ast.Return(value=returned))
        body = self.scope.body
        # Let go of the table of computed parts: it refers to this function's variables.
        self.available = {}
        self.scope = _Scope([], _NO_GUARDS)
        return self._define(name, [self._guarded(body)])

    def _guarded(self, body: list[ast.stmt], passed: str | None = None) -> ast.Try:
        """``try: body`` where every error (but those of the class named ``passed``)
        becomes an ExpressionError through ``_fail``, on the current line, as are the
        statements of ``body`` not placed yet."""
        handlers = [] if passed is None else [ast.ExceptHandler(
            type=_name(passed), name=None, body=[ast.Raise(exc=None, cause=None)])]
        handlers.append(ast.ExceptHandler(
            type=_name("Exception"),
            name="_e",
            body=[ast.Raise(exc=_call("_fail", _name("_e")), cause=None)],
        ))
        guard = ast.Try(body=[], handlers=handlers, orelse=[], finalbody=[])
        _place(guard, self.line)
        for statement in body:
            _place(statement, self.line)  # (a no-op for statements already placed)
        guard.body = body
        return guard

    def _define(self, name: str, body: list[ast.stmt]) -> Callable[..., Any]:
        """Define ``def name(data=_NO_DATA): body`` (``body`` placed) in the namespace."""
        function = ast.FunctionDef(
            name=name,
            args=ast.arguments(
                posonlyargs=[], args=[ast.arg(arg="data")], vararg=None, kwonlyargs=[],
                kw_defaults=[], kwarg=None, defaults=[_name("_NO_DATA")],
            ),
            body=[],
            decorator_list=[],
            returns=None,
        )
        _place(function, self.line)
        function.body = body
        code = compile(ast.Module(body=[function], type_ignores=[]), "<expression>", "exec")
        exec(code, self.namespace)
        defined: Callable[..., Any] = self.namespace[name]
        return defined

    def _fail(self, error: Exception) -> ExpressionError:
        """The error to raise for ``error``, positioned at the part of the source that failed."""
        traceback = error.__traceback__
        line = traceback.tb_lineno if traceback is not None else 0
        source, position = self.positions.get(line, ("", None))
        if isinstance(error, ExpressionError):
            if error.position is not None or not isinstance(error, EvaluationError):
                return error
            located = EvaluationError(error.message, source, position)
        elif isinstance(error, RecursionError):
            located = EvaluationError("data is nested too deeply", source, position)
        elif isinstance(error, MemoryError):
            located = EvaluationError("out of memory", source, position)
        else:
            located = EvaluationError(f"evaluation failed: {error}", source, position)
        located.__cause__ = error
        return located


def check_names(
    tree: Node,
    source: str,
    *,
    names: Iterable[str] | None,
    functions: Mapping[str, Function],
    filters: Mapping[str, Callable[..., Any]] | None,
) -> None:
    """Raise ``ExpressionSyntaxError`` for an unknown variable, function or filter."""
    allowed = None if names is None else frozenset(names)
    if allowed is not None:  # else there is nothing to check the names read against
        for name, node in _read_names(tree):
            if name not in allowed:
                hint = did_you_mean(name, allowed)
                parts = name.split("-")
                if "-" in name and all(p in allowed or p.isdigit() for p in parts if p):
                    hint = f" (did you mean {' - '.join(parts)!r}?)"
                raise ExpressionSyntaxError(f"unknown variable {name!r}{hint}", source,
                                            node.span[0])
    for node in walk(tree):
        if allowed is not None and isinstance(node, RootIndex) and not (
            isinstance(node.key, Literal) and isinstance(node.key.value, str)
        ):
            raise ExpressionSyntaxError(
                "a variable looked up by a computed name cannot be checked: "
                "write the name itself", source, node.span[0])
        if isinstance(node, Call):
            function = functions.get(node.name)
            if function is None:
                hint = did_you_mean(node.name, functions)
                raise ExpressionSyntaxError(f"unknown function {node.name!r}{hint}", source,
                                            node.span[0])
            count = len(node.args)
            if count < function.min_args or (
                function.max_args is not None and count > function.max_args
            ):
                if function.max_args is None:
                    wanted = f"at least {function.min_args}"
                elif function.min_args == function.max_args:
                    wanted = str(function.min_args)
                else:
                    wanted = f"{function.min_args} to {function.max_args}"
                noun = "argument" if wanted in ("1", "at least 1") else "arguments"
                raise ExpressionSyntaxError(
                    f"{node.name}() takes {wanted} {noun}, not {count}", source, node.span[0]
                )
        if isinstance(node, Filter) and (filters is None or node.name not in filters):
            hint = did_you_mean(node.name, filters or {})
            raise ExpressionSyntaxError(f"unknown filter {node.name!r}{hint}", source,
                                        node.span[0])


def function_table(functions: Mapping[str, Any] | None) -> Mapping[str, Function]:
    """The built-ins plus a host's own functions (plain callables take any arguments)."""
    if not functions:
        return BUILTINS
    table = dict(BUILTINS)
    for name, function in functions.items():
        table[name] = function if isinstance(function, Function) else Function(
            function, 0, None, pure=False)
    return table


def _read_names(tree: Node) -> list[tuple[str, Node]]:
    """Each top-level variable the tree reads by name: ``x`` and ``["x"]``."""
    found: list[tuple[str, Node]] = []
    for node in walk(tree):
        if isinstance(node, Name):
            found.append((node.name, node))
        elif isinstance(node, RootIndex) and isinstance(node.key, Literal) and \
                isinstance(node.key.value, str):
            found.append((node.key.value, node))
    return found


def top_level_names(tree: Node) -> frozenset[str]:
    return frozenset(name for name, _ in _read_names(tree))

