"""Expressions in templates: ``grammar`` parsed and checked at parse time, compiled to Python on
first use (most of a template's cost to compile), evaluated over the render context's scope."""

from __future__ import annotations

import ast
from collections import ChainMap
from collections.abc import Callable, Iterable, Mapping
from contextvars import ContextVar
from decimal import Decimal
from functools import partial
from types import FunctionType
from typing import TYPE_CHECKING, Any, NamedTuple

from liquid.builtin.expressions import Nil
from liquid.builtin.expressions.filtered import Filter as LiquidFilter
from liquid.builtin.expressions.filtered import FilteredExpression
from liquid.builtin.expressions.logical import is_truthy
from liquid.builtin.expressions.path import Path
from liquid.exceptions import ResourceLimitError
from liquid.expression import Expression
from liquid.token import Token
from liquid.undefined import Undefined
from markupsafe import Markup

from ladle import grammar
from ladle.filters.direct import Call, arithmetic, checked_call, direct
from ladle.filters.limits import GuardedFilter
from ladle.grammar import nodes, runtime
from ladle.grammar.compiler import Compiler
from ladle.grammar.fastpaths import Operand
from ladle.grammar.functions import BUILTINS, Function
from ladle.grammar.names import check_names, refused_arguments
from ladle.grammar.parser import DEFAULT_MAX_DEPTH, with_stack
from ladle.grammar.parser import parse as parse_expression
from ladle.grammar.pyast import all_of, place, type_is
from ladle.grammar.runtime import check_length, check_number, liquid_value
from ladle.grammar.trace import Tracer
from ladle.templating.budget import FREE_SIZE, SIZE_UNIT, size_of, spend, spend_sizes
from ladle.templating.errors import at, from_expression
from ladle.templating.escaping import FilterEnvironment, escaping

if TYPE_CHECKING:
    from liquid import Environment
    from liquid.context import RenderContext


class TemplateExpression(Expression):
    """An expression of a template; with ``condition=True`` it yields Liquid truthiness.

    Parsed (and its names checked) when the template is parsed; compiled when first
    evaluated, through the environment's cache of compiled expressions.
    """

    __slots__ = ("_compiled", "_shape", "condition", "env", "escaped", "needs_context", "source",
                 "tree")

    def __init__(self, token: Token, tree: nodes.Node, env: Environment, escaped: bool, *,
                 condition: bool = False, needs_context: bool):
        super().__init__(token)
        self.source = token.value
        self.tree = tree
        self.env = env
        self.escaped = escaped
        self.condition = condition
        self.needs_context = needs_context  # calls a filter that reads the render context
        self._compiled: grammar.Expression | None = None
        self._shape: Shape | None = None

    def __str__(self) -> str:
        # python-liquid names loops by this text (``forloop.name``, ``offset: continue``).
        return self.source.strip()

    def __getstate__(self) -> dict[str, object]:
        # The compiled function is made again when first used after unpickling.
        state = {name: getattr(self, name) for name in _PICKLED}
        state["token"] = self.token
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        for name, value in state.items():
            object.__setattr__(self, name, value)
        self._compiled = None
        self._shape = None

    @property
    def compiled(self) -> grammar.Expression:
        """The compiled expression (made once; two threads may both make it, harmlessly)."""
        compiled = self._compiled
        if compiled is None:
            compiled = self._compiled = _compile(self.env, self.token, self.escaped, self.tree)
        return compiled

    @property
    def shape(self) -> Shape:
        """What its tree holds (made once, when first asked: loops nested in loops ask again
        about the same expressions; two threads may both make it, harmlessly)."""
        shape = self._shape
        if shape is None:
            shape = self._shape = shape_of(self.tree)
        return shape

    def evaluate(self, context: RenderContext) -> object:
        try:
            if self.needs_context:
                value = in_context(context, self.compiled.evaluate, context.scope)
            else:
                value = self.compiled.evaluate(context.scope)
        except grammar.ExpressionError as error:
            raise from_expression(error, self.token) from error
        if not self.condition:
            return value
        return truth(value)

    async def evaluate_async(self, context: RenderContext) -> object:
        """``evaluate``, with the drops on its paths that load asynchronously
        (``__getitem_async__``) awaited first, as python-liquid's ``render_async`` does."""
        data = await awaited(context.scope, self.paths())
        try:
            value = evaluate_with(self.compiled.evaluate, data,
                                  context if self.needs_context else None)
        except grammar.ExpressionError as error:
            raise from_expression(error, self.token) from error
        return truth(value) if self.condition else value

    def paths(self) -> tuple[tuple[str | int, ...], ...]:
        """The paths of plain names it reads: ``user.name`` is ("user", "name")."""
        return tuple(tuple(s for s in segments if isinstance(s, str | int))
                     for _, segments in variable_paths(self.tree))

    def children(self) -> Iterable[Expression]:
        """The variable paths read, as python-liquid ``Path``s, and each filter applied, as a
        ``FilteredExpression``, for its static analysis (``analyze``, ``filter_names``)."""
        found: list[Expression] = [Path(at(self.token, start), segments)
                                   for start, segments in variable_paths(self.tree)]
        for node in nodes.walk(self.tree):
            if isinstance(node, nodes.Filter):
                token = at(self.token, node.span[0])
                found.append(FilteredExpression(token, Nil(token),
                                                [LiquidFilter(token, node.name, [])]))
        return found


class Shape(NamedTuple):
    """What an expression's tree holds: how many nodes, how many of them are calls
    (filters and functions), and whether it may read ``forloop``."""

    nodes: int
    calls: int
    reads_forloop: bool


def shape_of(tree: nodes.Node) -> Shape:
    count = calls = 0
    forloop = False
    for item in nodes.walk(tree):
        count += 1
        if isinstance(item, nodes.Filter | nodes.Call):
            calls += 1
        elif isinstance(item, nodes.Name):
            forloop = forloop or item.name == "forloop"
        elif isinstance(item, nodes.RootIndex):  # a computed name may be anything
            forloop = forloop or not isinstance(item.key, nodes.Literal) or \
                item.key.value == "forloop"
    return Shape(count, calls, forloop)


_PICKLED = ("condition", "env", "escaped", "needs_context", "source", "tree")
# The render context of the expression being evaluated, for ``with_context`` filters.
_RENDER_CONTEXT: ContextVar[RenderContext | None] = ContextVar("ladle_render_context",
                                                               default=None)


def evaluate_with(function: Callable[[Any], Any], data: Any,
                  context: RenderContext | None) -> Any:
    """``function(data)``, in ``context`` when its filters need one."""
    return function(data) if context is None else in_context(context, function, data)


async def awaited(data: Mapping[str, Any], paths: Iterable[tuple[str | int, ...]]
                  ) -> Mapping[str, Any]:
    """``data``, where a path goes through a drop that loads asynchronously, with what
    ``__getitem_async__`` gave along that path (each step awaited once)."""
    overlay: dict[str, Any] = {}
    for root, *rest in paths:
        if not isinstance(root, str) or not rest:
            continue
        try:
            value = overlay[root] if root in overlay else data[root]
        except KeyError:
            continue
        if not hasattr(value, "__getitem_async__") and not isinstance(value, _Awaited):
            continue
        overlay[root] = await _await_path(value, rest)
    return ChainMap(overlay, data) if overlay else data  # type: ignore[arg-type]  # read only


async def _await_path(value: Any, rest: list[str | int]) -> Any:
    if not rest:
        return value
    proxy = value if isinstance(value, _Awaited) else _Awaited(value)
    key = rest[0]
    if key not in proxy.loaded:
        if not hasattr(proxy.target, "__getitem_async__"):
            return proxy
        try:
            proxy.loaded[key] = await proxy.target.__getitem_async__(key)
        except (KeyError, IndexError, TypeError):
            return proxy  # missing: the plain lookup says so as it always does
    proxy.loaded[key] = await _await_path(proxy.loaded[key], rest[1:])
    return proxy


class _Awaited:
    """A drop seen through what was awaited of it: those keys give the awaited values,
    any other key the drop's own ``__getitem__``."""

    __slots__ = ("loaded", "target")

    def __init__(self, target: Any) -> None:
        self.target = target
        self.loaded: dict[str | int, Any] = {}

    def __getitem__(self, key: Any) -> Any:
        try:
            return self.loaded[key]
        except (KeyError, TypeError):
            return self.target[key]

    def __liquid__(self) -> Any:
        return liquid_value(self.target)

    def __str__(self) -> str:
        return str(self.target)


def in_context(context: RenderContext, function: Callable[[Any], Any], data: Any) -> Any:
    """``function(data)`` with ``context`` as the render context its filters see."""
    token = _RENDER_CONTEXT.set(context)
    try:
        return function(data)
    finally:
        _RENDER_CONTEXT.reset(token)


def truth(value: object) -> bool:
    """Liquid truthiness of a condition's value."""
    if isinstance(value, Undefined):
        # python-liquid's own test, so that a strict undefined type raises here as it
        # does in python-liquid (the default one is simply false).
        return is_truthy(value)
    return grammar.truthy(value)


def variable_paths(tree: nodes.Node) -> list[tuple[int, list[str | int | Path]]]:
    """(offset, segments) of each path read from the data: ``user.name`` is ["user", "name"]."""
    found: list[tuple[int, list[str | int | Path]]] = []

    def visit(node: nodes.Node) -> None:
        chain: list[str | int | Path] = []
        root = node
        while isinstance(root, nodes.Member):
            chain.append(root.name)
            root = root.target
        if isinstance(root, nodes.Name):
            found.append((root.span[0], [root.name, *reversed(chain)]))
            return
        for child in nodes.children(root):
            visit(child)

    visit(tree)
    return found


def functions_of(env: Environment) -> Mapping[str, Function]:
    """The functions the environment's expressions may call (python-liquid's own
    environment: the built-ins)."""
    return getattr(env, "functions", BUILTINS)


def compile_expression(env: Environment, token: Token, text: str | None = None,
                       offset: int = 0, *, condition: bool = False) -> TemplateExpression:
    """Parse ``text`` (default: the token's text), which starts ``offset`` characters into
    ``token``; a syntax error is raised as a positioned ``TemplateSyntaxError``."""
    source = token.value if text is None else text
    located = token if text is None and not offset else Token(
        token.kind, source, token.start_index + offset, token.source)
    parse_at = getattr(env, "parse_at", None)  # ladle's environment caches parsed trees
    filters = env.filters
    applied: list[nodes.Filter] = []
    try:
        tree = parse_expression(source, liquid=True) if parse_at is None else parse_at(source)
        if "|" in source or "(" in source:  # only calls and filters have names to check
            applied = check_names(tree, source, names=None, functions=functions_of(env),
                                  filters=filters)
    except grammar.ExpressionError as error:
        raise from_expression(error, located) from None
    needs_context = False  # whether it calls a filter that reads the render context
    for applied_filter in applied:
        if getattr(filters[applied_filter.name], "with_context", False):
            needs_context = True
            break
    return TemplateExpression(located, tree, env, escaping(env), condition=condition,
                              needs_context=needs_context)


def _compile(env: Environment, located: Token, escaped: bool,
             tree: nodes.Node) -> grammar.Expression:
    compile_at = getattr(env, "compile_at", None)
    if compile_at is not None:  # ladle's environment caches compiled expressions
        return compile_at(located.value, located.start_index, located.source, escaped)  # type: ignore[no-any-return]
    return compile_uncached(env, located, escaped, tree)


class _Compiler(Compiler):
    """grammar's compiler, with costs cut for templates: statements are placed as they
    are emitted (grammar walks each one), and a filter given positional arguments alone is
    called straight from the generated code, in its direct version (``filters.direct``)
    if it has one, else through ``checked_call``: the wrappers resolved here, once, and
    the checks ``apply`` makes made on the fast path itself. An error a filter raises is
    named after it by ``fail``, as ``apply`` names it. Filters and the operators whose
    cost grows with their operands spend from the render's work budget."""

    def __init__(self, *args: Any, originals: Mapping[str, Any] | None = None,
                 escaped: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.originals = originals or {}
        self.escaped = escaped
        self.calls: dict[int, str] = {}  # generated line of a direct filter call -> its name
        for key, helper in list(self.namespace.items()):
            if isinstance(helper, FunctionType) and helper in _SIZED_HELPERS:
                self.namespace[key] = _metered(helper)
            elif isinstance(helper, FunctionType) and helper in _LIQUID_EQUALITY:
                self.namespace[key] = _quick_equality(helper, _LIQUID_EQUALITY[helper])

    def compile_filter(self, node: nodes.Filter, value: Operand) -> Operand:
        plain = self.filters
        if node.kwargs or plain is None:
            return super().compile_filter(node, value)
        args = [self.value(a) for a in node.args]
        what = f"filter {node.name!r}"
        bound = plain[node.name]
        problem = refused_arguments(bound, node)
        if problem is not None:  # said in the language's words when the filter runs
            self.at(node.span[0])
            refuse = partial(_refuse, f"filter {node.name!r} {problem}")
            return self.result(ast.Call(func=self.bind(refuse, "g"),
                                        args=[value.expr, *(a.expr for a in args)],
                                        keywords=[]))
        checked = partial(self.apply_plainly, bound, what)
        original = self.originals.get(node.name)
        if isinstance(original, GuardedFilter):
            original = original.function
        known = {index: a.value for index, a in enumerate(args) if a.constant}
        quick = None if original is None else direct(
            original, checked, self.escaped, self.max_length, len(args), settle=self.settle,
            free=FREE_SIZE, known=known)
        if quick is None:
            quick = self.checked(bound, what)
        symbol = arithmetic(original) if original is not None and len(args) == 1 else None
        if symbol is not None:
            inlined = self.inline_arithmetic(symbol, value, args[0], quick, node, what)
            if inlined is not None:
                return inlined
        self.at(node.span[0])
        self.calls[self.line] = what
        return self.result(ast.Call(func=self.bind(quick, "g"),
                                    args=[value.expr, *(a.expr for a in args)], keywords=[]))

    def call_function(self, function: Function, what: str, args: list[ast.expr]) -> ast.expr:
        """A function that may make or walk long values, called as a filter without a direct
        version is (``checked_call``), not through ``apply``."""
        if function.direct or not args:
            return super().call_function(function, what, args)
        self.calls[self.line] = what
        return ast.Call(func=self.bind(self.checked(function.call, what), "f"), args=args,
                        keywords=[])

    def checked(self, function: Callable[..., Any], what: str) -> Callable[..., Any]:
        """``function`` called straight, with ``apply``'s checks on the fast path itself."""
        return checked_call(function, Call(partial(self.apply_plainly, function, what),
                                           self.escaped, self.max_length, self.settle,
                                           FREE_SIZE))

    def inline_arithmetic(self, symbol: str, value: Operand, argument: Operand,
                          quick: Callable[[Any, Any], Any], node: nodes.Filter, what: str
                          ) -> Operand | None:
        """An arithmetic filter as Python's operator where both operands are ints (a
        constant operand must be one), the direct filter ``quick`` for any other values
        and for a result out of bounds, which it refuses; folded for two constants. None
        where it does not apply: ``//`` and ``%`` need a non-zero constant divisor."""
        operands = (value, argument)
        if any(o.constant and type(o.value) is not int for o in operands) or (
                symbol in ("//", "%") and not (argument.constant and argument.value)):
            return None
        if value.constant and argument.constant:
            return self.fold(lambda: quick(value.value, argument.value))
        target = self.temp()
        call = ast.Call(func=self.bind(quick, "g"), args=[value.expr, argument.expr],
                        keywords=[])
        computed = ast.BinOp(left=value.expr, op=_OPERATORS[symbol](), right=argument.expr)
        limit = runtime.INTEGER_LIMIT
        bounds = ast.Compare(left=ast.Constant(-limit), ops=[ast.LtE(), ast.LtE()],
                             comparators=[ast.Name(target, ast.Load()), ast.Constant(limit)])
        fast: list[ast.stmt] = [ast.Assign(targets=[ast.Name(target, ast.Store())],
                                           value=computed)]
        if not (symbol == "%" and -limit <= argument.value <= limit):  # within the divisor
            fast.append(ast.If(test=ast.UnaryOp(op=ast.Not(), operand=bounds), body=[
                ast.Assign(targets=[ast.Name(target, ast.Store())], value=call)], orelse=[]))
        variables = {ast.dump(o.expr): o.expr for o in operands if not o.constant}
        guard = all_of(*(type_is(expr, "int") for expr in variables.values()))
        self.at(node.span[0])
        self.calls[self.line] = what
        self.emit(ast.If(test=guard, body=fast, orelse=[
            ast.Assign(targets=[ast.Name(target, ast.Store())], value=call)]))
        return Operand(ast.Name(target, ast.Load()))

    def fail(self, error: Exception) -> grammar.ExpressionError:
        traceback = error.__traceback__
        what = self.calls.get(traceback.tb_lineno if traceback is not None else 0)
        # a limit (the work budget, spent after a filter's call) keeps its kind
        if what is not None and not isinstance(error, grammar.ExpressionError | ResourceLimitError):
            named = grammar.EvaluationError(f"{what}: {error}").with_traceback(traceback)
            named.__cause__ = error
            error = named
        return super().fail(error)

    def emit(self, statement: ast.stmt) -> None:
        place(statement, self.line)
        self.scope.body.append(statement)

    def apply(self, function: Callable[..., Any], what: str, args: tuple[Any, ...],
               kwargs: dict[str, Any]) -> Any:
        if kwargs:
            return self._checked_apply(function, what, args, kwargs)
        for item in args:
            if type(item) in _SEQUENCES:
                return self._checked_apply(function, what, args, kwargs)
        try:
            result = function(*args)
        except grammar.ExpressionError:
            raise
        except Exception as error:
            raise grammar.EvaluationError(f"{what}: {error}") from error
        return self.settle(args[0], result)

    def settle(self, first: Any, result: Any) -> Any:
        """The checks of a filter's ``result`` (``first``: its input): its size spent from
        the work budget and checked, unless it is small."""
        first_kind = type(first)
        if first_kind is list:  # its work grows with the list, whatever it gives
            spend_sizes(first, result)
            return check_number(result) if type(result) is int else check_length(
                result, self.max_length)
        kind = type(result)
        if kind is int:
            return check_number(result)
        if kind in _UNSIZED:
            return result
        if kind is str or kind is Markup:
            length = len(result)
            if length <= FREE_SIZE:
                return result  # small, from plain arguments: nothing to spend or check
            # ``spend_sizes`` and ``check_length`` inline (a string grown in a loop comes
            # here on every step): the text alone is past the free size
            spend((length + (len(first) if first_kind is str or first_kind is Markup
                             else size_of(first))) // SIZE_UNIT)
            return result if length <= self.max_length else check_length(result,
                                                                         self.max_length)
        spend_sizes(first, result)
        return check_length(result, self.max_length)

    def apply_plainly(self, function: Callable[..., Any], what: str, *args: Any) -> Any:
        """``apply`` with positional arguments only."""
        return self.apply(function, what, args, {})

    def _checked_apply(self, function: Callable[..., Any], what: str, args: tuple[Any, ...],
                       kwargs: dict[str, Any]) -> Any:
        """grammar's ``apply``, which scans the arguments for ranges, with the budget."""
        result = super().apply(function, what, args, kwargs)
        spend_sizes(args[0], result)
        return check_number(result) if type(result) is int else result


def _metered(helper: Callable[..., Any]) -> Callable[..., Any]:
    """``helper``, spending from the render's work budget for large operands."""

    def call(left: Any, right: Any, *rest: Any) -> Any:
        spend_sizes(left, right)
        return helper(left, right, *rest)

    return call


def _refuse(message: str, *args: Any) -> Any:
    raise grammar.EvaluationError(message)


def _quick_equality(helper: Callable[[Any, Any], bool], negated: bool
                    ) -> Callable[[Any, Any], bool]:
    """Liquid's ``==`` (or ``!=``, ``negated``) by ``helper``, with Python's own equality
    first for two strings (``Markup`` either side too) or two ints, and a length for a
    string, list or dict against ``empty``: what ``helper`` gives for them."""

    def equality(left: Any, right: Any) -> bool:
        kind = type(left)
        if kind is type(right) and kind in _PLAIN_EQUALITY:
            return left != right if negated else left == right  # type: ignore[no-any-return]
        if kind in _TEXT and type(right) in _TEXT:  # text against a literal (Markup)
            return str.__ne__(left, right) if negated else str.__eq__(left, right)
        if right is nodes.EMPTY and kind in _SIZED_VALUES:
            return bool(left) if negated else not left
        return helper(left, right)

    return equality


_OPERATORS: dict[str, type[ast.operator]] = {"+": ast.Add, "-": ast.Sub, "*": ast.Mult,
                                              "//": ast.FloorDiv, "%": ast.Mod}
_LIQUID_EQUALITY = {runtime.liquid_equals: False, runtime.liquid_not_equals: True}
_PLAIN_EQUALITY = frozenset({str, Markup, int})
_TEXT = frozenset({str, Markup})
_SIZED_VALUES = frozenset({str, Markup, list, dict})
# Operators whose work grows with the length of their operands.
_SIZED_HELPERS = frozenset({runtime.add, runtime.equals, runtime.not_equals,
                            runtime.contains, runtime.liquid_contains, runtime.less,
                            runtime.less_equal, runtime.greater, runtime.greater_equal,
                            runtime.liquid_less, runtime.liquid_less_equal,
                            runtime.liquid_greater, runtime.liquid_greater_equal})


# Arguments that may hold a lazy range, which the compiler's ``apply`` checks (a list
# comes from the data or a filter: its items are not ranges ladle made).
_SEQUENCES = frozenset({range, tuple})
# Results that cannot be too long (``check_length`` measures strings, lists and ranges).
_UNSIZED = frozenset({int, float, bool, type(None), Decimal})


def compile_uncached(env: Environment, located: Token, escaped: bool,
                     tree: nodes.Node | None = None) -> grammar.Expression:
    """Compile the expression text of ``located`` (whose tree may be given) for ``env``."""
    source = located.value
    options = _options(env, located, escaped)
    if tree is None:
        tree = parse_expression(source, liquid=True)
        check_names(tree, source, names=None, functions=options["functions"],
                    filters=options["filters"])
    compiler = _Compiler(**options, originals=env.filters, escaped=escaped)
    function = with_stack(lambda: compiler.build([(source, tree)], single=True),
                          levels=DEFAULT_MAX_DEPTH, source=source)
    return grammar.Expression(source, tree, function)


def tracer(env: Environment, located: Token, escaped: bool) -> Tracer:
    """A tracer that evaluates ``located``'s expression as ``compile_uncached`` compiles
    it (for ``--explain-if``)."""
    return Tracer(**_options(env, located, escaped))


def _options(env: Environment, located: Token, escaped: bool) -> dict[str, Any]:
    """The options expressions of ``env`` compile with. Standard Liquid keeps its meaning:
    a missing variable reads as the environment's undefined object (as in python-liquid),
    and Liquid's rules apply where the language's defaults differ (see
    ``grammar.compile``)."""
    undefined = env.undefined

    def missing(name: str) -> object:
        return undefined(name, token=located)

    return {"functions": functions_of(env), "filters": _filters(env),
            "strict": getattr(env, "strict", False),
            "max_length": getattr(env, "max_length", grammar.DEFAULT_MAX_LENGTH),
            "undefined": missing, "liquid": True, "strings": Markup if escaped else None}


def _filters(env: Environment) -> dict[str, Any]:
    """The environment's filters as plain callables (python-liquid passes some extras)."""
    bound: dict[str, Any] = {}
    environment = FilterEnvironment(env)
    for name, function in env.filters.items():
        if getattr(function, "with_context", False):
            bound[name] = _with_render_context(function)
        elif getattr(function, "with_environment", False):
            bound[name] = partial(function, environment=environment)
        else:
            bound[name] = function
    return bound


def _with_render_context(function: Any) -> Any:
    """A ``with_context`` filter, given the render context of the expression that calls it
    (python-liquid passes it as ``context=``)."""

    def call(*args: Any, **kwargs: Any) -> Any:
        context = _RENDER_CONTEXT.get()
        if context is None:
            raise grammar.EvaluationError("this filter needs a template's render context")
        return function(*args, context=context, **kwargs)

    return call
