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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from types import MappingProxyType
from typing import Any

from ladle.grammar import runtime
from ladle.grammar.errors import EvaluationError, ExpressionError, located_at
from ladle.grammar.fallbacks import (
    FALLBACK_OPERATORS,
    falls_back,
    undefined_name,
    undefined_path,
)
from ladle.grammar.fastpaths import Operand, fast_binary
from ladle.grammar.functions import Function
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
)
from ladle.grammar.operators import BINARY, OPERATORS
from ladle.grammar.pyast import (
    all_of,
    invoke,
    load,
    place,
    python_constant,
    return_last,
    store,
    thread_tests,
    type_is,
)
from ladle.grammar.scopes import NO_GUARDS, Guards, Scope, known_in

NO_DATA: Mapping[str, Any] = MappingProxyType({})
_PLAIN_TYPES = frozenset({int, float, str, list, dict, tuple, bool, type(None)})
_AND = frozenset({"&&", "and"})
_OR = frozenset({"||", "or"})
_COALESCE = frozenset({"??"})
_FAMILY = {op: family for family in (_AND, _OR, _COALESCE) for op in family}
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
# Operations (generated lines) per function of a large ``compile_set``.
_CHUNK_LINES = 1024


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
            "_absent": self._absent,
            "_MISSING": runtime.MISSING,
            "_present": runtime.present,
            "_apply": self.apply,
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
        # Per sub-expression: the guards under which it was computed, and its operand (in
        # strict mode, one computed where a fallback guards it is kept apart, as ``(node,)``).
        self.available: dict[Node | tuple[Node], dict[Guards, Operand]] = {}
        self.scope = Scope([], NO_GUARDS)

    # -- small emitters -------------------------------------------------------------

    def temp(self) -> str:
        self.counter += 1
        return f"_t{self.counter}"

    def constant(self, value: Any) -> Operand:
        if isinstance(value, list):
            value = tuple(value)
        if python_constant(value):
            # Tuples and frozensets of constants are valid constants; typeshed is narrower.
            expr: ast.expr = ast.Constant(value=value)
        else:
            key = f"_k{len(self.namespace)}"
            self.namespace[key] = value
            expr = load(key)
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
        return load(key)

    def at(self, position: int) -> None:
        """Start a new generated line whose errors point at ``position`` in the source."""
        self.line += 1
        self.positions[self.line] = (self.source, position)

    def emit(self, statement: ast.stmt) -> None:
        place(statement, self.line)
        self.scope.body.append(statement)

    def assign(self, target: str, value: ast.expr) -> None:
        self.emit(ast.Assign(targets=[store(target)], value=value))

    def result(self, value: ast.expr, *, is_bool: bool = False) -> Operand:
        target = self.temp()
        self.assign(target, value)
        return Operand(load(target), is_bool=is_bool)

    def branch(self, test: ast.expr, guard: tuple[Node, bool | str],
               otherwise: list[ast.stmt] | None = None) -> Scope:
        """Emit ``if test:`` (else ``otherwise``); the body's scope, where ``guard`` holds."""
        body: list[ast.stmt] = []
        self.emit(ast.If(test=test, body=body, orelse=otherwise or []))
        return Scope(body, self.scope.guards | {guard}, self.scope)

    def truth_test(self, operand: Operand) -> ast.expr:
        if operand.is_bool:
            return operand.expr
        value = operand.expr
        return all_of(
            ast.Compare(left=value, ops=[ast.IsNot()], comparators=[ast.Constant(None)]),
            ast.Compare(left=value, ops=[ast.IsNot()], comparators=[ast.Constant(False)]),
            ast.BoolOp(
                op=ast.Or(),
                values=[
                    ast.Compare(left=invoke("type", value), ops=[ast.In()],
                                comparators=[load("_PLAIN")]),
                    invoke("_truthy", value),
                ],
            ),
        )

    # -- runtime hooks ----------------------------------------------------------------

    @staticmethod
    def _undefined(data: Mapping[str, Any], name: str) -> None:
        raise EvaluationError(undefined_name(data, name))

    @staticmethod
    def _absent(container: Any, key: Any, path: str) -> None:
        raise EvaluationError(undefined_path(path, container, key))

    def apply(
        self,
        function: Callable[..., Any],
        what: str,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> Any:
        """Call a filter or function under the length limit; its own errors name it. A host
        overrides it to wrap every call (templates meter them against the work budget)."""
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

    def value(self, node: Node, guarded: bool = False) -> Operand:
        """Compile ``node`` into the current scope; reuse an earlier computation if one holds.

        ``guarded``: its value flows unchanged into a fallback (``grammar.fallbacks``), so
        that strict mode lets what is missing on its paths be nil (or undefined)."""
        lenient = guarded and self.strict
        key: Node | tuple[Node] = (node,) if lenient else node
        scope = self.scope
        known = self.available.get(key)
        if known is not None:
            found = known_in(known, scope)
            if found is not None:
                # remembered here too, so that a lookup from a nested scope finds it at once
                known.setdefault(scope.guards, found)
                return found
        operand = self._compile(node, lenient)
        if not operand.constant:
            self.available.setdefault(key, {}).setdefault(scope.guards, operand)
        return operand

    def _compile(self, node: Node, lenient: bool = False) -> Operand:
        """``node``'s code; ``lenient``: in strict mode, guarded by a fallback."""
        strict = self.strict and not lenient
        match node:
            case Literal(kind="string", value=str() as text) if self.strings is not None:
                return self.constant(self.strings(text))
            case Literal(value=value):
                return self.constant(value)
            case Name(name=name):
                return self.compile_name(node, name, strict)
            case Member(target=target, name=name):
                return self.compile_member(node, target, name, lenient)
            case Index(target=target, key=key):
                obj, k = self.value(target, lenient), self.value(key)
                if strict:
                    return self.strict_lookup(node, "_index", obj, k)
                return self.call_helper(node.span[0], "_index", obj, k, *self.missing(node))
            case RootIndex(key=key):
                k = self.value(key)
                if k.constant and isinstance(k.value, str):
                    # str.__str__: a host's string type (Markup) cannot be an ast.Constant
                    return self.compile_name(node, str.__str__(k.value), strict)
                self.at(node.span[0])
                return self.result(invoke("_lookup", load("data"), k.expr,
                                         ast.Constant(strict),
                                         *(m.expr for m in self.missing(node))))
            case Call():
                return self.compile_call(node)
            case Unary(op=op, operand=operand):
                return self.compile_unary(node, op, operand)
            case Binary():
                return self.compile_binary(node)
            case Logical():
                return self.compile_logical(node, lenient)
            case Conditional(test=test, then=then, otherwise=otherwise):
                return self.compile_conditional(test, then, otherwise, lenient)
            case RangeLiteral(start=start, stop=stop):
                a, b = self.value(start), self.value(stop)
                return self.call_helper(node.span[0], "_range", a, b)
            case ListLiteral(items=items):
                values = [self.value(item) for item in items]
                if all(v.constant for v in values):
                    return self.constant(tuple(v.value for v in values))
                return self.result(ast.Tuple(elts=[v.expr for v in values], ctx=ast.Load()))
            case Pipeline(value=value, filters=filters):
                current = self.value(value, falls_back(node))
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
        return self.result(invoke(name, *(a.expr for a in args)), is_bool=is_bool)

    def missing(self, node: Node, name: str | None = None) -> tuple[Operand, ...]:
        """The extra helper argument for what a missing name or path at ``node`` reads as:
        none when that is nil, else the host's undefined value for it (made once, here)."""
        if self.undefined is None:
            return ()
        value = self.undefined(unparse(node) if name is None else name)
        # Bound, never inspected: a host's undefined value may raise when touched.
        return (Operand(self.bind(value, "u"), constant=True, value=value),)

    def compile_name(self, node: Node, name: str, strict: bool) -> Operand:
        self.at(node.span[0])
        target = self.temp()
        subscript = ast.Subscript(value=load("data"), slice=ast.Constant(name), ctx=ast.Load())
        if strict:
            missing: ast.stmt = ast.Expr(invoke("_undefined", load("data"), ast.Constant(name)))
        else:
            value = [m.expr for m in self.missing(node, name)] or [ast.Constant(None)]
            missing = ast.Assign(targets=[store(target)], value=value[0])
        self.emit(
            ast.Try(
                body=[ast.Assign(targets=[store(target)], value=subscript)],
                handlers=[ast.ExceptHandler(type=load("KeyError"), name=None, body=[missing])],
                orelse=[],
                finalbody=[],
            )
        )
        return Operand(load(target))

    def compile_member(self, node: Node, target_node: Node, name: str,
                       lenient: bool) -> Operand:
        obj = self.value(target_node, lenient)
        strict = self.strict and not lenient
        if strict:
            if obj.constant:  # no `obj[name]` of a constant: Python's compiler warns
                return self.strict_lookup(node, "_member", obj, self.constant(name))
            extra: tuple[Operand, ...] = (Operand(load("_MISSING")),)
        else:
            extra = self.missing(node)
        if obj.constant:
            return self.call_helper(node.span[0], "_member", obj, self.constant(name), *extra)
        self.at(node.span[0])
        target = self.temp()
        slow = ast.Assign(targets=[store(target)],
                          value=invoke("_member", obj.expr, ast.Constant(name),
                                      *(m.expr for m in extra)))
        fast = ast.Try(
            body=[ast.Assign(targets=[store(target)], value=ast.Subscript(
                value=obj.expr, slice=ast.Constant(name), ctx=ast.Load()))],
            handlers=[ast.ExceptHandler(type=load("KeyError"), name=None, body=[slow])],
            orelse=[],
            finalbody=[],
        )
        self.emit(ast.If(test=type_is(obj.expr, "dict"), body=[fast], orelse=[slow]))
        if strict:
            self.check_present(node, load(target), obj, ast.Constant(name))
        return Operand(load(target))

    def strict_lookup(self, node: Node, helper: str, obj: Operand, key: Operand) -> Operand:
        """``helper(obj, key)`` where finding nothing is an error naming the path."""
        self.at(node.span[0])
        found = self.result(invoke(helper, obj.expr, key.expr, load("_MISSING")))
        self.check_present(node, found.expr, obj, key.expr)
        return found

    def check_present(self, node: Node, value: ast.expr, obj: Operand, key: ast.expr) -> None:
        """``if value is _MISSING: _absent(obj, key, path)``."""
        missing = ast.Compare(left=value, ops=[ast.Is()], comparators=[load("_MISSING")])
        start, end = node.span
        path = self.source[start:end] if end > start else unparse(node)  # as written
        fail = invoke("_absent", obj.expr, key, ast.Constant(path))
        self.emit(ast.If(test=missing, body=[ast.Expr(fail)], orelse=[]))

    def compile_call(self, node: Call) -> Operand:
        function = self.functions[node.name]
        args = [self.value(a) for a in node.args]
        what = f"{node.name}()"
        if function.pure and all(a.constant for a in args):
            values = tuple(a.value for a in args)
            folded = self.fold(lambda: function.call(*values) if function.direct else
                               self.apply(function.call, what, values, {}))
            if folded is not None:
                return folded
        self.at(node.span[0])
        return self.result(self.call_function(function, what, [a.expr for a in args]))

    def call_function(self, function: Function, what: str, args: list[ast.expr]) -> ast.expr:
        """A call of ``function``: direct, or through ``apply``'s checks."""
        callee = self.bind(function.call, "f")
        if function.direct:
            return ast.Call(func=callee, args=args, keywords=[])
        return invoke("_apply", callee, ast.Constant(what), ast.Tuple(elts=args, ctx=ast.Load()),
                      ast.Dict(keys=[], values=[]))

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
        slow: ast.expr = invoke(helper_name, left.expr, right.expr,
                               *(ast.Constant(value) for value in extra))
        # Arithmetic gives a number or raises; '+' may also join strings or lists.
        is_number = row.result == "number" or (op == "+" and (left.is_number or right.is_number))
        is_bool = row.result == "bool"
        fast = fast_binary(op, left, right, slow)
        if fast is None:
            return self.result(slow, is_bool=is_bool) if not is_number else \
                replace(self.result(slow), is_number=True)
        guard, expr, checked, slow = fast
        if guard is None:  # numbers compared (never an error) go where read: an ``if`` test
            return Operand(expr, is_bool=True) if isinstance(expr, ast.Compare) \
                else self.result(expr, is_bool=is_bool)
        target = self.temp()
        fast_body: list[ast.stmt] = [ast.Assign(targets=[store(target)], value=expr)]
        if checked:
            limit = ast.Constant(runtime.INTEGER_LIMIT)
            in_bounds = ast.Compare(left=ast.UnaryOp(op=ast.USub(), operand=limit),
                                    ops=[ast.LtE(), ast.LtE()],
                                    comparators=[load(target), limit])
            fast_body.append(ast.If(test=ast.UnaryOp(op=ast.Not(), operand=in_bounds),
                                    body=[ast.Expr(invoke("_check", load(target)))], orelse=[]))
        self.emit(ast.If(test=guard, body=fast_body,
                         orelse=[ast.Assign(targets=[store(target)], value=slow)]))
        return Operand(load(target), is_bool=is_bool, is_number=is_number)

    def compile_contains(self, node: Binary, container: Operand, item: Operand) -> Operand:
        if container.constant and not item.constant:
            values = container.value
            fast: ast.expr | None = None
            if isinstance(values, tuple) and values and all(isinstance(v, str) for v in values):
                # plain text of each (a template's literals are Markup): equal, same hash
                plain = frozenset(str.__str__(v) for v in values)
                fast = ast.IfExp(
                    test=type_is(item.expr, "str"),
                    body=ast.Compare(left=item.expr, ops=[ast.In()],
                                     comparators=[ast.Constant(plain)]),  # type: ignore[arg-type]
                    orelse=invoke("_contains", container.expr, item.expr),
                )
            elif isinstance(values, range) and values.step == 1:
                fast = ast.IfExp(
                    test=type_is(item.expr, "int"),
                    body=ast.Compare(left=ast.Constant(values.start), ops=[ast.LtE(), ast.Lt()],
                                     comparators=[item.expr, ast.Constant(values.stop)]),
                    orelse=invoke("_contains", container.expr, item.expr),
                )
            if fast is not None:
                self.at(node.at)
                return self.result(fast, is_bool=True)
        return self.call_helper(node.at, "_contains", container, item, is_bool=True)

    def compile_logical(self, node: Logical, lenient: bool) -> Operand:
        """A flattened chain of ``&&``/``and`` (or ``||``/``or``, or ``??``) in nested ``if``
        blocks; the operands before the last of ``||``/``or``/``??`` are guarded (their
        fallback is the rest of the chain), and every operand is where the chain is."""
        family = _FAMILY[node.op]
        operands: list[Node] = []
        pending: list[Node] = [node]
        while pending:
            current = pending.pop()
            if isinstance(current, Logical) and current.op in family:
                pending.extend((current.right, current.left))
            else:
                operands.append(current)
        guarded = lenient or node.op in FALLBACK_OPERATORS
        target = self.temp()
        outer = self.scope
        all_bool = True
        for position, operand_node in enumerate(operands):
            last = position == len(operands) - 1
            operand = self.value(operand_node, lenient if last else guarded)
            if operand.constant:
                if not self.decides(family, operand.value) and not last:
                    continue  # does not decide: the chain goes on
                if self.scope is outer:
                    return operand  # decided before anything was evaluated
                self.assign(target, operand.expr)
                all_bool = all_bool and operand.is_bool
                break
            all_bool = all_bool and operand.is_bool
            if last or (family is _COALESCE and operand.is_bool):
                self.assign(target, operand.expr)
                break  # (a boolean is never nil: it decides ``??``)
            # its value where the chain stops here (a boolean stops && false, || true)
            stop = ast.Constant(family is _OR) if operand.is_bool else operand.expr
            self.scope = self.branch(*self.goes_on(family, operand, operand_node),
                                     [ast.Assign(targets=[store(target)], value=stop)])
        self.scope = outer
        return Operand(load(target), is_bool=all_bool)

    @staticmethod
    def decides(family: frozenset[str], value: Any) -> bool:
        """Whether a chain of ``family`` stops at an operand whose value is ``value``."""
        if family is _COALESCE:
            return runtime.present(value)
        return runtime.truthy(value) != (family is _AND)

    def goes_on(self, family: frozenset[str], operand: Operand,
                operand_node: Node) -> tuple[ast.expr, tuple[Node, bool | str]]:
        """The test under which a chain goes on past ``operand``, and what it says."""
        if family is _COALESCE:
            value = operand.expr
            # nil, or a value whose ``__liquid__`` is nil (an undefined one)
            nil: ast.expr = ast.BoolOp(op=ast.Or(), values=[
                ast.Compare(left=value, ops=[ast.Is()], comparators=[ast.Constant(None)]),
                all_of(ast.Compare(left=invoke("type", value), ops=[ast.NotIn()],
                                   comparators=[load("_PLAIN")]),
                       ast.UnaryOp(op=ast.Not(), operand=invoke("_present", value)))])
            return nil, (operand_node, "nil")
        test = self.truth_test(operand)
        if family is not _AND:
            test = ast.UnaryOp(op=ast.Not(), operand=test)
        return test, (operand_node, family is _AND)

    def compile_conditional(self, test_node: Node, then: Node, otherwise: Node,
                            lenient: bool) -> Operand:
        test = self.value(test_node)
        if test.constant:
            return self.value(then if runtime.truthy(test.value) else otherwise, lenient)
        target = self.temp()
        outer = self.scope
        body: list[ast.stmt] = []
        orelse: list[ast.stmt] = []
        self.emit(ast.If(test=self.truth_test(test), body=body, orelse=orelse))
        results = []
        for block, polarity, branch in ((body, True, then), (orelse, False, otherwise)):
            self.scope = Scope(block, outer.guards | {(test_node, polarity)}, outer)
            result = self.value(branch, lenient)
            results.append(result)
            self.assign(target, result.expr)
        self.scope = outer
        return Operand(load(target), is_bool=all(r.is_bool for r in results))

    def compile_filter(self, node: Filter, value: Operand) -> Operand:
        assert self.filters is not None
        function = self.filters[node.name]
        args = [self.value(a) for a in node.args]
        kwargs = [(key, self.value(v)) for key, v in node.kwargs]
        self.at(node.span[0])
        call = invoke(
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
        self.namespace["_fail"] = self.fail
        # A fresh start: ``with_stack`` builds again after a RecursionError.
        self.available = {}
        self.scope = Scope([], NO_GUARDS)
        chunks: list[str] = []
        results: list[Operand] = []
        start = self.line
        for index, (source, root) in enumerate(roots):
            self.source = source
            result = self.value(root)
            if truthy and not result.is_bool:
                target = self.temp()  # the truth test reads its operand three times
                self.assign(target, result.expr)
                result = Operand(self.truth_test(Operand(load(target))), is_bool=True)
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
        whole = ast.Tuple(elts=[ast.Starred(value=invoke(chunk, load("data")), ctx=ast.Load())
                                for chunk in chunks], ctx=ast.Load())
        # (their errors are ExpressionErrors already, positioned)
        combined = self._guarded([ast.Return(whole)], passed="_ExpressionError")
        return self._define("evaluate", [combined])

    def _function(self, results: list[Operand], *, single: bool, name: str) -> Callable[..., Any]:
        """Define the function ``name`` from the statements emitted so far, returning
        ``results`` (one value, or a tuple), and start afresh; errors go through _fail."""
        self.line += 1
        body = self.scope.body
        return_last(body, results[0].expr if single else
                    ast.Tuple(elts=[r.expr for r in results], ctx=ast.Load()), self.line)
        if single:
            thread_tests(body)
        # Let go of the table of computed parts: it refers to this function's variables.
        self.available = {}
        self.scope = Scope([], NO_GUARDS)
        return self._define(name, [self._guarded(body)])

    def _guarded(self, body: list[ast.stmt], passed: str | None = None) -> ast.Try:
        """``try: body`` where every error (but those of the class named ``passed``)
        becomes an ExpressionError through ``_fail``, on the current line, as are the
        statements of ``body`` not placed yet."""
        handlers = [] if passed is None else [ast.ExceptHandler(
            type=load(passed), name=None, body=[ast.Raise(exc=None, cause=None)])]
        handlers.append(ast.ExceptHandler(
            type=load("Exception"),
            name="_e",
            body=[ast.Raise(exc=invoke("_fail", load("_e")), cause=None)],
        ))
        guard = ast.Try(body=[], handlers=handlers, orelse=[], finalbody=[])
        place(guard, self.line)
        for statement in body:
            place(statement, self.line)  # (a no-op for statements already placed)
        guard.body = body
        return guard

    def _define(self, name: str, body: list[ast.stmt]) -> Callable[..., Any]:
        """Define ``def name(data=_NO_DATA): body`` (``body`` placed) in the namespace."""
        function = ast.FunctionDef(
            name=name,
            args=ast.arguments(
                posonlyargs=[], args=[ast.arg(arg="data")], vararg=None, kwonlyargs=[],
                kw_defaults=[], kwarg=None, defaults=[load("_NO_DATA")],
            ),
            body=[],
            decorator_list=[],
            returns=None,
        )
        place(function, self.line)
        function.body = body
        code = compile(ast.Module(body=[function], type_ignores=[]), "<expression>", "exec")
        exec(code, self.namespace)
        defined: Callable[..., Any] = self.namespace[name]
        return defined

    def fail(self, error: Exception) -> ExpressionError:
        """The error to raise for ``error``, positioned at the part of the source that failed
        (a host overrides it to name the errors of calls it makes directly)."""
        return located_at(error, self.positions)
