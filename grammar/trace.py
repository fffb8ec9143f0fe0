"""Tracing: evaluate a parsed expression node by node, keeping each node's value or error.

The compiled function (``compiler.py``) is what hosts run; this is the slow, explaining
twin that ``--explain`` uses. It computes with the same runtime helpers, read from the
operator table (a new row of ``operators.BINARY`` is traced with no change here), so its
values equal the compiled ones (a property test checks it on random expressions). A node
it does not know is evaluated by the compiler, as a whole.

``explain.py`` draws a ``Trace`` under its source text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ladle.grammar import runtime
from ladle.grammar.compiler import NO_DATA, Compiler
from ladle.grammar.errors import EvaluationError, ExpressionError
from ladle.grammar.fallbacks import guarded_positions, undefined_name, undefined_path
from ladle.grammar.functions import Function
from ladle.grammar.names import check_names, function_table
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
    children,
    unparse,
)
from ladle.grammar.operators import OPERATORS
from ladle.grammar.parser import DEFAULT_MAX_DEPTH, parse, with_stack

__all__ = ["Step", "Trace", "Tracer", "trace"]

_AND = frozenset({"&&", "and"})
_OR = frozenset({"||", "or"})


@dataclass(frozen=True, slots=True)
class Step:
    """One node's outcome: its value, or the error it raised (``evaluated`` is False for
    a node that short-circuiting skipped). ``steps`` are its sub-expressions' outcomes,
    in source order."""

    node: Node
    evaluated: bool
    value: Any = None
    error: ExpressionError | None = None
    steps: tuple[Step, ...] = ()


@dataclass(frozen=True, slots=True)
class Trace:
    """The outcome of every node of ``source``'s tree for one mapping of data."""

    source: str
    root: Step

    @property
    def value(self) -> Any:
        """The expression's value (None when it failed)."""
        return self.root.value

    @property
    def error(self) -> ExpressionError | None:
        return self.root.error

    @property
    def truthy(self) -> bool:
        """Whether the value is true, as a condition or rule reads it (an error is not)."""
        return self.root.error is None and runtime.truthy(self.root.value)


class _Failed(Exception):
    """A sub-expression failed: its parent fails with the same error."""

    def __init__(self, error: ExpressionError) -> None:
        super().__init__(error.message)
        self.error = error


class Tracer:
    """Traces expressions under the options ``grammar.compile`` takes (same meanings);
    immutable, so one tracer serves any number of threads."""

    __slots__ = ("_apply", "filters", "functions", "liquid", "max_length", "strict",
                 "strings", "undefined")
    filters: Mapping[str, Callable[..., Any]] | None
    functions: Mapping[str, Function]
    strict: bool
    max_length: int
    undefined: Callable[[str], Any] | None
    liquid: bool
    strings: Callable[[str], str] | None
    _apply: Callable[..., Any]

    def __init__(
        self,
        *,
        filters: Mapping[str, Callable[..., Any]] | None = None,
        functions: Mapping[str, Any] | None = None,
        strict: bool = False,
        max_length: int = runtime.DEFAULT_MAX_LENGTH,
        undefined: Callable[[str], Any] | None = None,
        liquid: bool = False,
        strings: Callable[[str], str] | None = None,
    ) -> None:
        table: Mapping[str, Function] = function_table(functions)
        for name, value in (("filters", filters), ("functions", table), ("strict", strict),
                            ("max_length", max_length), ("undefined", undefined),
                            ("liquid", liquid), ("strings", strings)):
            object.__setattr__(self, name, value)
        # Filters and functions are called as the compiled code calls them.
        object.__setattr__(self, "_apply", self._compiler().apply)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Tracer is immutable")

    def _compiler(self) -> Compiler:
        return Compiler(functions=self.functions, filters=self.filters, strict=self.strict,
                        max_length=self.max_length, undefined=self.undefined,
                        liquid=self.liquid, strings=self.strings)

    def trace(self, source: str, tree: Node, data: Mapping[str, Any] = NO_DATA,
              *, max_depth: int = DEFAULT_MAX_DEPTH) -> Trace:
        """Evaluate ``tree`` (parsed from ``source``) over ``data``, keeping every step."""
        # Strict mode lets what is missing be nil where a fallback guards it, as compiled.
        lenient = frozenset(id(n) for n in _guarded_nodes(tree)) if self.strict else frozenset()
        root = with_stack(lambda: self._step(tree, source, _Scope(data, lenient)),
                          levels=max_depth, source=source)
        return Trace(source, root)

    # -- one node ---------------------------------------------------------------------

    def _step(self, node: Node, source: str, data: _Scope) -> Step:
        done: list[Step] = []
        try:
            value = self._evaluate(node, source, data, done)
        except _Failed as failed:
            error = failed.error
        except ExpressionError as raised:
            error = self._positioned(raised, node, source)
        except RecursionError:
            error = EvaluationError("data is nested too deeply", source, _position(node))
        except MemoryError:
            error = EvaluationError("out of memory", source, _position(node))
        except Exception as raised:  # as the compiled code reports a foreign error
            error = EvaluationError(f"evaluation failed: {raised}", source, _position(node))
        else:
            return Step(node, True, value, steps=_complete(node, done))
        return Step(node, True, error=error, steps=_complete(node, done))

    @staticmethod
    def _positioned(error: ExpressionError, node: Node, source: str) -> ExpressionError:
        if error.position is not None or not isinstance(error, EvaluationError):
            return error
        located = EvaluationError(error.message, source, _position(node))
        located.__cause__ = error.__cause__
        return located

    def _all(self, nodes: tuple[Node, ...], source: str, data: _Scope,
             done: list[Step]) -> list[Any]:
        """The values of ``nodes``, evaluated in order, their steps added to ``done``; the
        first failure fails the parent (the later ones are not evaluated, as in the
        compiled code)."""
        values: list[Any] = []
        for child in nodes:
            values.append(self._one(child, source, data, done))
        return values

    def _one(self, node: Node, source: str, data: _Scope,
             done: list[Step]) -> Any:
        step = self._step(node, source, data)
        done.append(step)
        if step.error is not None:
            raise _Failed(step.error)
        return step.value

    def _missing(self, node: Node, name: str | None = None) -> tuple[Any, ...]:
        """The extra helper argument for a missing name or path (see the compiler's)."""
        if self.undefined is None:
            return ()
        return (self.undefined(unparse(node) if name is None else name),)

    def _evaluate(self, node: Node, source: str, data: _Scope,
                  done: list[Step]) -> Any:
        """The value of ``node``, the steps of its sub-expressions added to ``done``;
        raises on failure."""
        liquid = self.liquid
        match node:
            case Literal(kind="string", value=str() as text) if self.strings is not None:
                return self.strings(text)
            case Literal(value=value):
                return tuple(value) if isinstance(value, list) else value
            case Name(name=name):
                return self._name(node, name, data)
            case Member(target=target, name=name):
                obj = self._one(target, source, data, done)
                helper = runtime.liquid_member if liquid else runtime.member
                return self._path(node, source, helper, obj, name, data)
            case Index(target=target, key=key):
                obj, k = self._all((target, key), source, data, done)
                index = runtime.liquid_index if liquid else runtime.index
                return self._path(node, source, index, obj, k, data)
            case RootIndex(key=key):
                k = self._one(key, source, data, done)
                if isinstance(key, Literal) and isinstance(k, str):
                    return self._name(node, str.__str__(k), data)
                return runtime.lookup(data.values, k, self._strict(node, data),
                                      *self._missing(node))
            case Call(name=name, args=args):
                values = self._all(args, source, data, done)
                function = self.functions[name]
                if function.direct:
                    return function.call(*values)
                return self._apply(function.call, f"{name}()", tuple(values), {})
            case Unary(op=op, operand=operand):
                value = self._one(operand, source, data, done)
                return runtime.negate(value) if op == "-" else not runtime.truthy(value)
            case Binary(op=op, left=left, right=right) if self._knows(op):
                a, b = self._all((left, right), source, data, done)
                return self._binary(op, a, b)
            case Logical(op=op, left=left, right=right) if op in _AND or op in _OR:
                first = self._one(left, source, data, done)
                if runtime.truthy(first) != (op in _AND):
                    return first  # decided by the left operand
                return self._one(right, source, data, done)
            case Logical(op="??", left=left, right=right):
                first = self._one(left, source, data, done)
                return first if runtime.present(first) else self._one(right, source, data, done)
            case Conditional(test=test, then=then, otherwise=otherwise):
                chosen = then if runtime.truthy(self._one(test, source, data, done)) \
                    else otherwise
                return self._one(chosen, source, data, done)
            case RangeLiteral(start=start, stop=stop):
                a, b = self._all((start, stop), source, data, done)
                return (runtime.liquid_range if liquid else runtime.make_range)(a, b)
            case ListLiteral(items=items):
                return tuple(self._all(items, source, data, done))
            case Pipeline(value=first, filters=filters):
                value = self._one(first, source, data, done)
                for filter_node in filters:
                    step = self._filter(filter_node, value, source, data)
                    done.append(step)
                    if step.error is not None:
                        raise _Failed(step.error)
                    value = step.value
                return value
        # A node this tracer does not know: evaluated whole by the compiler.
        return self._compiler().build([(source, node)], single=True)(data.values)

    @staticmethod
    def _knows(op: str) -> bool:
        row = OPERATORS.get(op)
        return row is not None and row.function is not None

    def _binary(self, op: str, left: Any, right: Any) -> Any:
        """``left op right`` by the operator's row: its function, or its Liquid one."""
        if op == "in" and self.liquid:  # the compiler reads 'x in y' as 'y contains x'
            return runtime.liquid_contains(right, left)
        row = OPERATORS[op]
        function = row.liquid if self.liquid and row.liquid is not None else row.function
        assert function is not None
        if row.takes_max_length:
            return function(left, right, self.max_length)
        return function(left, right)

    def _strict(self, node: Node, data: _Scope) -> bool:
        return self.strict and id(node) not in data.lenient

    def _name(self, node: Node, name: str, data: _Scope) -> Any:
        try:
            return data.values[name]
        except KeyError:
            if self._strict(node, data):
                raise EvaluationError(undefined_name(data.values, name)) from None
            missing = self._missing(node, name)
            return missing[0] if missing else None

    def _path(self, node: Node, source: str, helper: Callable[..., Any], obj: Any, key: Any,
              data: _Scope) -> Any:
        """``helper(obj, key)``: a member or an index; in strict mode, unless a fallback
        guards it, finding nothing is an error naming the path as written."""
        if not self._strict(node, data):
            return helper(obj, key, *self._missing(node))
        found = helper(obj, key, runtime.MISSING)
        if found is runtime.MISSING:
            start, end = node.span
            path = source[start:end] if end > start else unparse(node)
            raise EvaluationError(undefined_path(path, obj, key))
        return found

    def _filter(self, node: Filter, value: Any, source: str,
                data: _Scope) -> Step:
        """A filter's step: its value is the pipeline's value after it."""
        assert self.filters is not None
        function = self.filters[node.name]
        done: list[Step] = []
        try:
            values = self._all(node.args + tuple(v for _, v in node.kwargs), source, data,
                               done)
            keywords = dict(zip((k for k, _ in node.kwargs), values[len(node.args):],
                                strict=True))
            result = self._apply(function, f"filter {node.name!r}",
                                 (value, *values[:len(node.args)]), keywords)
        except _Failed as failed:
            return Step(node, True, error=failed.error, steps=_complete(node, done))
        except ExpressionError as error:
            return Step(node, True, error=self._positioned(error, node, source),
                        steps=_complete(node, done))
        return Step(node, True, result, steps=_complete(node, done))


@dataclass(frozen=True, slots=True)
class _Scope:
    """The data an expression reads, and the nodes (by identity) a fallback guards."""

    values: Mapping[str, Any]
    lenient: frozenset[int]


def _guarded_nodes(tree: Node) -> list[Node]:
    """Every node whose value flows unchanged into a fallback (``fallbacks``' rule)."""
    found: list[Node] = []
    pending: list[tuple[Node, bool]] = [(tree, False)]
    while pending:
        node, guarded = pending.pop()
        if guarded:
            found.append(node)
        pending.extend(guarded_positions(node, guarded))
    return found


def _complete(node: Node, done: list[Step]) -> tuple[Step, ...]:
    """The steps of ``node``'s sub-expressions in source order, those not evaluated too."""
    pending = list(done)
    steps = []
    for child in children(node):
        for index, step in enumerate(pending):
            if step.node is child:
                steps.append(pending.pop(index))
                break
        else:
            steps.append(Step(child, False))
    return tuple(steps)


def _position(node: Node) -> int:
    """Where the compiled code reports an error of ``node``: a binary operator's symbol,
    else the node's start."""
    return node.at if isinstance(node, Binary) else node.span[0]


def trace(source: str, data: Mapping[str, Any] | None = None, *,
          names: Any = None, max_depth: int = DEFAULT_MAX_DEPTH, **options: Any) -> Trace:
    """Parse ``source`` (checking it as ``grammar.compile`` does) and trace it over ``data``;
    ``options`` are ``compile``'s. Raises ``ExpressionSyntaxError`` for text that does not
    compile.

    >>> trace("a && b > 2", {"a": 1, "b": 3}).root.steps[1].value
    True
    """
    tracer = Tracer(**options)
    tree = parse(source, max_depth=max_depth, liquid=tracer.liquid)
    check_names(tree, source, names=None if names is None else frozenset(names),
                functions=tracer.functions, filters=tracer.filters)
    return tracer.trace(source, tree, NO_DATA if data is None else data, max_depth=max_depth)
