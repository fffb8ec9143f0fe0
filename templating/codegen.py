"""Template compiler: a parsed template (python-liquid's nodes holding ladle's expressions) to
one Python function, built from ``ast`` nodes.

User text enters the generated tree only as ``ast.Constant`` strings; every other value
(expressions, nodes, tokens) is bound in the function's namespace under a generated name.
What the compiler knows becomes plain Python: text and ``{{ }}`` output go into a list
(escaping inlined, neighbouring pieces joined into one f-string), ``if``/``unless``/
``case`` become ``if`` statements, ``for`` a Python loop (``forloop`` is made only when the
body can read it), ``assign``/``let`` a Python local (read directly where the name surely
holds it) and a plain dict entry, and ``render`` a call that renders a compiled partial
straight into the same list. Every other node (a user's own tag, ``include``,
``capture``…) is rendered by its own ``render`` method, called from the compiled code.

Expressions stay ``grammar``'s compiled functions, each compiled on its first call (they
are most of the cost of compiling), and read variables from a ``Frame``: a plain dict
caching the render context's scope, which the compiled code keeps in step with what it
assigns and loops over, and clears after any node that may change the scope.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Callable, Iterable, Mapping
from io import StringIO
from typing import TYPE_CHECKING, Any

from liquid.ast import BlockNode, ConditionalBlockNode, IllegalNode, Node
from liquid.builtin.content import ContentNode
from liquid.builtin.expressions import Literal, Nil, Path, StringLiteral
from liquid.builtin.expressions.loop import LoopExpression
from liquid.builtin.expressions.primitive import Blank, Empty
from liquid.builtin.tags.assign_tag import AssignNode
from liquid.builtin.tags.case_tag import CaseNode, MultiExpressionBlockNode
from liquid.builtin.tags.comment_tag import CommentNode
from liquid.builtin.tags.doc_tag import DocNode
from liquid.builtin.tags.for_tag import BreakNode, ContinueNode, ForLoop, ForNode
from liquid.builtin.tags.if_tag import IfNode
from liquid.builtin.tags.include_tag import TAG_INCLUDE
from liquid.builtin.tags.inline_comment_tag import InlineCommentNode
from liquid.builtin.tags.render_tag import RenderNode
from liquid.builtin.tags.unless_tag import UnlessNode
from liquid.context import RenderContext, builtin
from liquid.exceptions import (
    BreakLoop,
    ContextDepthError,
    ContinueLoop,
    LiquidError,
    LiquidInterrupt,
    LiquidSyntaxError,
    LocalNamespaceLimitError,
    OutputStreamLimitError,
    StopRender,
    TemplateNotFoundError,
)
from liquid.mode import Mode
from liquid.output import LimitedStringIO, NullIO
from liquid.token import Token
from liquid.utils import ReadOnlyChainMap
from markupsafe import Markup

from ladle.grammar import nodes as g
from ladle.grammar.errors import ExpressionError
from ladle.grammar.runtime import equals
from ladle.templating.budget import current as current_budget
from ladle.templating.budget import spend
from ladle.templating.errors import from_expression
from ladle.templating.escaping import escape_text, reset_escaping, set_escaping
from ladle.templating.expression import (
    TemplateExpression,
    awaited,
    evaluate_with,
    in_context,
    truth,
)
from ladle.templating.placing import place as _locate
from ladle.templating.tags.case_tag import AnyOf
from ladle.templating.tags.echo_tag import TextEchoNode as EchoNode
from ladle.templating.tags.let_tag import LetNode
from ladle.templating.tags.output_tag import TextOutputNode as OutputNode
from ladle.templating.text import output_text
from ladle.templating.walk import walk_nodes

if TYPE_CHECKING:
    from liquid.template import BoundTemplate

# Nodes rendered by their own method that cannot change the variables the compiled code
# reads (``render`` works on a copy of the context); any other such node can.
_KEEPS_SCOPE = (RenderNode, CommentNode, DocNode, InlineCommentNode, IllegalNode)


class Frame(dict[str, Any]):
    """Variables as the compiled code reads them: a cache of the render context's scope."""

    __slots__ = ("scope",)

    def __init__(self, scope: Any, known: Mapping[str, Any] | None = None) -> None:
        super().__init__(known or ())  # `known`: values the scope is known to give
        self.scope = scope

    def __missing__(self, key: str) -> Any:
        value = _find(self.scope._maps, key)  # KeyError when it is not defined anywhere
        self[key] = value
        return value

    def __contains__(self, key: object) -> bool:
        return dict.__contains__(self, key) or key in self.scope


_ABSENT = object()


class _Namespaces(ReadOnlyChainMap):
    """A chain of namespaces that is true without counting its keys (``RenderContext``
    tests ``globals or {}``, which would sum the sizes of every namespace behind it)."""

    def __bool__(self) -> bool:
        return True


def _find(maps: Iterable[Any], key: str) -> Any:
    """``ReadOnlyChainMap.__getitem__`` without an exception per map that lacks ``key``."""
    for mapping in maps:
        kind = type(mapping)
        if kind is dict:
            value = mapping.get(key, _ABSENT)
            if value is not _ABSENT:
                return value
        elif kind is ReadOnlyChainMap or kind is _Namespaces:
            try:
                return _find(mapping._maps, key)
            except KeyError:
                pass
        else:
            try:
                return mapping[key]
            except KeyError:
                pass
    raise KeyError(key)


class OutputBudget:
    """The output size limit, counted as pieces are produced: each function counts the
    characters it appends and asks ``room`` again once they pass what was left (a
    character is at most four bytes), so a page stops within a piece of the limit, as
    python-liquid's buffer stops within a write."""

    __slots__ = ("checked", "limit", "size")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.checked = 0
        self.size = 0

    def check(self, out: list[str]) -> int:
        """The size in UTF-8 bytes of ``out``; raises past the limit."""
        size = self.size
        for piece in out[self.checked:]:
            size += len(piece.encode("utf-8")) if not piece.isascii() else len(piece)
        self.checked = len(out)
        self.size = size
        if size > self.limit:
            raise OutputStreamLimitError("output stream limit reached", token=None)
        return size

    def room(self, out: list[str]) -> int:
        """Check ``out``; the characters that may be appended before the next check."""
        return max((self.limit - self.check(out)) // 4, _SMALL_PIECE)


# Characters a function may append between checks however close the limit is.
_SMALL_PIECE = 1024
# Expression outputs in one piece: a piece is checked once made, so this bounds how far
# past the limit one piece can go (each value is at most ``max_length`` characters).
_OUTPUTS_PER_PIECE = 8
_UNLIMITED = sys.maxsize


def _room(budget: OutputBudget | None, out: list[str]) -> int:
    return _UNLIMITED if budget is None else budget.room(out)


class LocalsBudget:
    """python-liquid's local namespace limit, counted as names are assigned, not re-summed."""

    __slots__ = ("limit", "sizes", "total")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.sizes: dict[str, int] | None = None  # None: recount from the context
        self.total = 0

    def forget(self) -> None:
        """Count afresh: something else changed the local names."""
        self.sizes = None

    def add(self, context: RenderContext, key: str, value: object) -> None:
        sizes = self.sizes
        if sizes is None:
            sizes = self.sizes = {k: sys.getsizeof(v, 1) for k, v in context.locals.items()}
            self.total = sum(sizes.values()) + context.local_namespace_size_carry
        else:
            size = sys.getsizeof(value, 1)
            self.total += size - sizes.get(key, 0)
            sizes[key] = size
        if self.total > self.limit:
            raise LocalNamespaceLimitError("local namespace limit reached", token=None)


class _NoLocalsLimit(LocalsBudget):
    """The local namespace is not limited (or nothing is assigned): nothing to count."""

    __slots__ = ()

    def __init__(self) -> None:
        super().__init__(0)

    def add(self, context: RenderContext, key: str, value: object) -> None:
        pass

    def forget(self) -> None:
        pass


_NO_LIMIT = _NoLocalsLimit()  # stateless: shared


class _PartialContext:
    """All that the compiled function of a partial without loops, partials or tags of other
    kinds reads of its render context (a ``RenderContext`` costs more to make than such a
    partial costs to render)."""

    __slots__ = ("local_namespace_size_carry", "locals", "scope")

    def __init__(self, scope: ReadOnlyChainMap, locals_: dict[str, object], carry: int) -> None:
        self.scope = scope
        self.locals = locals_
        self.local_namespace_size_carry = carry


class _Length:
    """Stands for a loop on the context's loop stack when no ``forloop`` is needed: the
    iteration limit multiplies the lengths of the enclosing loops."""

    __slots__ = ("length",)

    def __init__(self, length: int) -> None:
        self.length = length


def _enter_loop(context: RenderContext, length: int, record: object,
                namespace: dict[str, object]) -> None:
    """What ``RenderContext.loop`` checks and records when a loop starts."""
    context.raise_for_loop_limit(length)
    context.loops.append(record)  # type: ignore[arg-type]
    if context.scope.size() > context.env.context_depth_limit:
        context.loops.pop()
        raise ContextDepthError("maximum context depth reached, possible recursive include",
                                token=None)
    context.scope.push(namespace)


def _tick() -> None:
    current = current_budget()
    if current is not None:
        current.tick()


def _leave_loop(context: RenderContext) -> None:
    context.scope.pop()
    context.loops.pop()


def _fallback_buffer(out: list[str], budget: OutputBudget | None) -> StringIO:
    if budget is None:
        return StringIO()
    buffer = LimitedStringIO(budget.limit, newline="")
    buffer.size = budget.check(out)  # a partial rendered by the node carries it on
    return buffer


def _fallback(node: Node, context: RenderContext, out: list[str],
              budget: OutputBudget | None) -> None:
    buffer = _fallback_buffer(out, budget)
    try:
        node.render(context, buffer)
    finally:  # what it wrote before a break (or an error, in a tolerant mode) stays
        out.append(buffer.getvalue())


async def _fallback_async(node: Node, context: RenderContext, out: list[str],
                          budget: OutputBudget | None) -> None:
    buffer = _fallback_buffer(out, budget)
    try:
        await node.render_async(context, buffer)
    finally:
        out.append(buffer.getvalue())


# python-liquid expressions that read no variable.
_CONSTANTS = (Literal, Nil, Empty, Blank)
# Keys python-liquid reads specially when a map lacks them.
_PROPERTIES = frozenset({"size", "first", "last"})
# A render argument: its name, the root and rest of a path of plain names (or None), and
# its python-liquid expression.
_Argument = tuple[str, str | None, tuple[str, ...], Any]


def _render_tag(node: RenderNode, arguments: tuple[_Argument, ...],
                context: RenderContext, frame: Frame, out: list[str],
                budget: OutputBudget | None, names: LocalsBudget | None) -> None:
    """``{% render 'name', key: value %}`` as ``RenderNode`` renders it, writing straight
    into ``out`` when the partial is compiled too."""
    try:
        template = context.env.get_template(node.name.value, context=context,  # type: ignore[union-attr]
                                            tag=node.tag)
    except TemplateNotFoundError as error:
        error.token = node.name.token
        error.template_name = context.template.full_name()
        raise
    args: dict[str, object] = {}
    for name, root, rest, expression in arguments:
        if root is not None:  # a path of plain names: read from the frame while plain data
            try:
                value = frame[root]
            except KeyError:
                value = _ABSENT
            for segment in rest:
                if type(value) is not dict or segment in _PROPERTIES:
                    value = _ABSENT
                    break
                value = value.get(segment, _ABSENT)
        else:
            value = _ABSENT
        # Anything else, or missing (undefined, as python-liquid makes it): its own way.
        args[name] = expression.evaluate(context) if value is _ABSENT else value
    compiled = getattr(template, "compiled", None)
    if getattr(template, "fast_partial", False) and compiled.simple:  # type: ignore[union-attr]
        if context._copy_depth > context.env.context_depth_limit:  # as `context.copy` checks
            raise ContextDepthError("maximum context depth reached, possible recursive render",
                                    token=None)
        compiled.render_partial(context, names, args, out, budget)  # type: ignore[union-attr]
        return
    partial = _copy(context, ReadOnlyChainMap(args), template, names)
    render_into = getattr(template, "render_into", None)
    if render_into is None:
        buffer = _fallback_buffer(out, budget)
        try:
            template.render_with_context(partial, buffer, partial=True, block_scope=True)
        finally:
            out.append(buffer.getvalue())
    else:
        render_into(partial, out, budget, args)


def _copy(context: RenderContext, namespace: ReadOnlyChainMap, template: BoundTemplate,
          names: LocalsBudget | None) -> RenderContext:
    """``context.copy(namespace, disabled_tags=["include"], carry_loop_iterations=True,
    template=template)``, with the size of the local names as counted already."""
    kind = type(context)
    if kind.copy is not RenderContext.copy or kind.get_size_of_locals is not \
            RenderContext.get_size_of_locals:
        return context.copy(namespace, disabled_tags=[TAG_INCLUDE], carry_loop_iterations=True,
                            template=template)
    if context._copy_depth > context.env.context_depth_limit:
        raise ContextDepthError("maximum context depth reached, possible recursive render",
                                token=None)
    carry = context.loop_iteration_carry
    for loop in context.loops:
        carry *= loop.length
    if names is not None and names.sizes is not None:
        size = names.total
    else:
        size = context.get_size_of_locals()
    return kind(template, globals=_Namespaces(namespace, context.globals),
                disabled_tags=[TAG_INCLUDE], copy_depth=context._copy_depth + 1,
                parent_context=context, loop_iteration_carry=carry,
                local_namespace_size_carry=size)


async def _render_tag_async(node: RenderNode, arguments: tuple[_Argument, ...],
                            context: RenderContext, frame: Frame, out: list[str],
                            budget: OutputBudget | None, names: LocalsBudget | None) -> None:
    # Loaders may be asynchronous: python-liquid's own node does it all the async way.
    await _fallback_async(node, context, out, budget)


def _discard(node: Node, context: RenderContext) -> None:
    node.render(context, NullIO())


async def _discard_async(node: Node, context: RenderContext) -> None:
    await node.render_async(context, NullIO())


def _text_helpers(limit: int | None) -> tuple[Callable[[object], str], Callable[[object], str]]:
    """The helpers that make a value output text, escaped and not (``_text``, ``_plain``):
    whole numbers need no escaping, and ``Markup`` (the template's own string literals)
    is escaped already."""

    def escaped(value: object) -> str:
        kind = type(value)
        if kind is str:
            return escape_text(value)  # type: ignore[arg-type]
        if kind is int:
            return str(value)
        if kind is Markup:
            return value  # type: ignore[return-value]
        return output_text(value, True, limit)

    def plain(value: object) -> str:
        kind = type(value)
        if kind is str:
            return value  # type: ignore[return-value]
        if kind is int:
            return str(value)
        if kind is Markup:
            return value  # type: ignore[return-value]
        return output_text(value, False, limit)

    return escaped, plain


def _lazy(namespace: dict[str, Any], key: str,
          expression: TemplateExpression) -> Callable[..., Any]:
    """A stand-in that compiles ``expression`` on its first call and puts the compiled
    function in its place (the same function whichever thread gets there first)."""

    def first(data: Any) -> Any:
        function = expression.compiled.evaluate
        namespace[key] = function
        return function(data)

    return first


# -- building the tree ---------------------------------------------------------------------


_LOAD = ast.Load()
_STORE = ast.Store()


# (Nodes are made with positional arguments, in the order of their ``_fields``: faster.)


def _load(name: str) -> ast.Name:
    return ast.Name(name, _LOAD)


def _store(name: str) -> ast.Name:
    return ast.Name(name, _STORE)


def _call(func: ast.expr, *args: ast.expr) -> ast.Call:
    return ast.Call(func, list(args), [])


def _attr(value: ast.expr, name: str) -> ast.Attribute:
    return ast.Attribute(value, name, _LOAD)


def _assign(target: str, value: ast.expr) -> ast.Assign:
    return ast.Assign([ast.Name(target, _STORE)], value)


_IS = ast.Is()
_IS_NOT = ast.IsNot()
_OR = ast.Or()


def _is(value: ast.expr, constant: bool | None, *, negate: bool = False) -> ast.Compare:
    return ast.Compare(value, [_IS_NOT if negate else _IS], [ast.Constant(constant)])


def _expressions(node: Node) -> list[Any]:
    found: list[Any] = []
    pending: list[Any] = list(node.expressions()) if type(node) in _COMPILED else []
    while pending:
        expression = pending.pop()
        found.append(expression)
        if isinstance(expression, LoopExpression | AnyOf):
            pending.extend(expression.children())
    return found


def _reads_forloop(tree: g.Node) -> bool:
    for item in g.walk(tree):
        if isinstance(item, g.Name) and item.name == "forloop":
            return True
        if isinstance(item, g.RootIndex) and (
                not isinstance(item.key, g.Literal) or item.key.value == "forloop"):
            return True  # a computed name may be anything
    return False


class _Compiler:
    """Compiles one template's nodes into
    ``render(ctx, out, budget, names, partial, block, known)``."""

    def __init__(self, template: BoundTemplate, *, escape_output: bool, is_async: bool) -> None:
        self.env = template.env
        self.escape_output = escape_output
        self.is_async = is_async
        self.strict = self.env.mode == Mode.STRICT
        self.suppress = bool(self.env.suppress_blank_control_flow_blocks)
        escaped, plain = _text_helpers(self.env.output_stream_limit)
        self.namespace: dict[str, Any] = {
            "_Frame": Frame,
            "_escape": escape_text,
            "_text": escaped,
            "_plain": plain,
            "_Markup": Markup,
            "_len": len,
            "_int": int,
            "_truth": truth,
            "_equals": equals,
            "_ForLoop": ForLoop,
            "_Length": _Length,
            "_enter": _enter_loop,
            "_room": _room,
            "_in_context": in_context,
            "_evaluate_with": evaluate_with,
            "_awaited": awaited,
            "_tick": _tick,
            "_leave": _leave_loop,
            "_fallback": _fallback_async if is_async else _fallback,
            "_discard": _discard_async if is_async else _discard,
            "_render": _render_tag_async if is_async else _render_tag,
            "_Break": BreakLoop,
            "_Continue": ContinueLoop,
        }
        self.line = 1
        # generated line -> (token of the top-level node, token of what runs on the line)
        self.lines: dict[int, tuple[Token, Token]] = {}
        self.top: Token | None = None
        self.counter = 0
        self.loops: list[str] = []  # names bound by the compiled loops around the code
        self.assigned: set[str] = set()
        self.expression_keys: dict[int, str] = {}
        self.fallbacks = 0  # nodes rendered by their own method that may change the scope
        self.forloop_reads = 0  # python-liquid expressions that may read `forloop`
        # Whether the code uses more of the render context than its scope and local names.
        self.uses_context = False
        # Assigned names held in Python locals, and those that surely hold the name's value
        # here: assigned on every path to here since the function started or since the
        # last node that may have changed the scope.
        self.locals: dict[str, str] = {}
        self.bound: frozenset[str] = frozenset()

    # -- small helpers ---------------------------------------------------------------

    def temp(self, prefix: str = "_t") -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def bind(self, value: object, prefix: str) -> ast.Name:
        key = self.temp(prefix)
        self.namespace[key] = value
        return _load(key)

    def at(self, statement: ast.stmt, token: Token) -> ast.stmt:
        """``statement`` on a new line, whose errors are reported at ``token``."""
        self.line += 1
        _locate(statement, self.line)
        assert self.top is not None
        self.lines[self.line] = (self.top, token)
        return statement

    def evaluation(self, expression: TemplateExpression) -> ast.expr:
        """The call that evaluates ``expression``, on a line of its own (its errors are
        reported at the expression wherever the call ends up); a name assigned here
        before is its Python local."""
        tree = expression.tree
        if type(tree) is g.Name and tree.name in self.bound and tree.name not in self.loops:
            return _load(self.locals[tree.name])
        key = self.expression_keys.get(id(expression))
        if key is None:
            key = self.temp("_e")
            self.namespace[key] = _lazy(self.namespace, key, expression)
            self.expression_keys[id(expression)] = key
        call: ast.expr = _call(_load(key), _load("_v"))
        context: ast.expr = ast.Constant(None)
        if expression.needs_context:  # its filters read the render context
            self.uses_context = True
            context = _load("_ctx")
            call = _call(_load("_in_context"), context, _load(key), _load("_v"))
        if self.is_async and any(len(path) > 1 for path in expression.paths()):
            # Drops on its paths may load asynchronously: awaited first.
            call = _call(_load("_evaluate_with"), _load(key),
                         ast.Await(_call(_load("_awaited"), _load("_v"),
                                         self.bind(expression.paths(), "_q"))), context)
        self.line += 1
        _locate(call, self.line)
        assert self.top is not None
        self.lines[self.line] = (self.top, expression.token)
        return call

    def output_text(self, value: ast.expr, shared: dict[str, Any]) -> ast.expr:
        """A value as a piece of an f-string: ``_escape(_s) if (_k := type(_s := value)) is
        str else _s if _k is _int or _k is _Markup else _text(_s)``, where an ``int`` is
        formatted by the f-string as ``str`` makes it and ``Markup`` is escaped already (no
        escaping: ``_s if (_k := type(_s := value)) is str or _k is _int else _plain(_s)``).

        The parts that do not depend on ``value`` are built once per statement and shared
        through ``shared`` by its pieces (all of a statement's nodes are on its line, so
        the same node serves everywhere in it; ``compile`` copies what it reads)."""
        if "s" not in shared:
            name_k = ast.Name("_k", _LOAD)
            name_s = ast.Name("_s", _LOAD)
            shared["s"] = name_s
            shared["store_s"] = ast.Name("_s", _STORE)
            shared["store_k"] = ast.Name("_k", _STORE)
            shared["type"] = ast.Name("type", _LOAD)
            shared["str"] = ast.Name("str", _LOAD)
            is_int = ast.Compare(name_k, [_IS], [ast.Name("_int", _LOAD)])
            if not self.escape_output:
                shared["int"] = is_int
                shared["plain"] = ast.Call(ast.Name("_plain", _LOAD), [name_s], [])
            else:
                is_markup = ast.Compare(name_k, [_IS], [ast.Name("_Markup", _LOAD)])
                shared["as_is"] = ast.IfExp(
                    ast.BoolOp(_OR, [is_int, is_markup]), name_s,
                    ast.Call(ast.Name("_text", _LOAD), [name_s], []))
                shared["escape"] = ast.Call(ast.Name("_escape", _LOAD), [name_s], [])
        held = ast.NamedExpr(shared["store_s"], value)
        kind = ast.NamedExpr(shared["store_k"], ast.Call(shared["type"], [held], []))
        is_str = ast.Compare(kind, [_IS], [shared["str"]])
        if not self.escape_output:
            return ast.IfExp(ast.BoolOp(_OR, [is_str, shared["int"]]), shared["s"],
                             shared["plain"])
        return ast.IfExp(is_str, shared["escape"], shared["as_is"])

    def evaluate(self, expression: TemplateExpression, body: list[ast.stmt]) -> ast.Name:
        """Emit the evaluation of ``expression`` into a temporary and return its name."""
        target = self.temp()
        body.append(self.at(_assign(target, self.evaluation(expression)), expression.token))
        return _load(target)

    def condition(self, expression: TemplateExpression, body: list[ast.stmt]) -> ast.expr:
        """A Python test for a condition: ``True`` without a call."""
        value = self.evaluate(expression, body)
        # False and nil are false (as ``_truth`` says) without a call either.
        rest = ast.BoolOp(op=ast.And(), values=[_is(value, False, negate=True),
                                                _is(value, None, negate=True),
                                                _call(_load("_truth"), value)])
        return ast.BoolOp(op=_OR, values=[_is(value, True), rest])

    # -- blocks ----------------------------------------------------------------------

    def block(self, nodes: Iterable[Node], body: list[ast.stmt], *, discard: bool,
              top_level: bool = False) -> None:
        """Compile ``nodes`` into ``body``. Text and output accumulate as pieces of one
        f-string, appended before anything that writes output of its own or loops."""
        pieces: list[ast.expr] = []
        flush_token: list[Token] = []
        shared: dict[str, Any] = {}  # nodes the pieces of one statement share

        def flush() -> None:
            if not pieces:
                return
            token = flush_token[0]
            if len(pieces) == 1 and not isinstance(pieces[0], ast.FormattedValue):
                value: ast.expr = pieces[0]
            else:  # an f-string even for one value: it formats the `int`s output_text passes
                value = ast.JoinedStr(values=list(pieces))
            # `_w(_p := value); _n += len(_p)`, and a check once `_n` passes `_lim`.
            if isinstance(value, ast.Constant):
                body.append(self.at(ast.Expr(_call(_load("_w"), value)), token))
                size: ast.expr = ast.Constant(len(str(value.value)))
            else:
                body.append(self.at(ast.Expr(_call(_load("_w"), ast.NamedExpr(
                    _store("_p"), value))), token))
                size = _call(_load("_len"), _load("_p"))
            body.append(self.at(ast.AugAssign(_store("_n"), ast.Add(), size), token))
            body.append(self.at(ast.If(
                ast.Compare(_load("_n"), [ast.Gt()], [_load("_lim")]),
                [_assign("_lim", _call(_load("_room"), _load("_b"), _load("_o"))),
                 _assign("_n", ast.Constant(0))], []), token))
            pieces.clear()
            flush_token.clear()
            shared.clear()

        for node in nodes:
            if top_level:
                self.top = node.token  # python-liquid's errors name the top-level node
            kind = type(node)
            if kind is ContentNode:
                if discard or not node.text:  # type: ignore[attr-defined]
                    continue
                text: str = node.text  # type: ignore[attr-defined]
                last = pieces[-1] if pieces else None
                if isinstance(last, ast.Constant) and isinstance(last.value, str):
                    pieces[-1] = ast.Constant(last.value + text)
                else:
                    flush_token[:1] = flush_token[:1] or [node.token]
                    pieces.append(ast.Constant(text))
                continue
            if kind in (OutputNode, EchoNode) and isinstance(
                    node.expression, TemplateExpression | Nil):  # type: ignore[attr-defined]
                expression = node.expression  # type: ignore[attr-defined]
                if isinstance(expression, Nil) or discard:
                    if not isinstance(expression, Nil):
                        self.evaluate(expression, body)
                    continue
                if not self.strict:
                    flush()  # in a tolerant mode, each node's output stands on its own
                # Evaluated inside the f-string (pieces are evaluated in order); a string is
                # escaped right there, anything else made text by a helper.
                text_value = self.output_text(self.evaluation(expression), shared)
                flush_token[:1] = flush_token[:1] or [node.token]
                pieces.append(ast.FormattedValue(value=text_value, conversion=-1,
                                                 format_spec=None))
                outputs = sum(isinstance(piece, ast.FormattedValue) for piece in pieces)
                if not self.strict or outputs >= _OUTPUTS_PER_PIECE:
                    flush()
                continue
            if kind in (AssignNode, LetNode) and isinstance(
                    node.expression, TemplateExpression):  # type: ignore[attr-defined]
                flush()  # the output before it is evaluated before it
                self.assign(node, body)
                continue
            if kind in (CommentNode, DocNode, InlineCommentNode, IllegalNode):
                continue
            flush()
            self.statement(node, body, discard=discard)
        flush()

    def statement(self, node: Node, body: list[ast.stmt], *, discard: bool) -> None:
        kind = type(node)
        if kind in (IfNode, UnlessNode) and self.conditions_compile(node):
            self.compile_if(node, body, discard=discard)
        elif kind is CaseNode and self.case_compiles(node):
            self.compile_case(node, body, discard=discard)  # type: ignore[arg-type]
        elif kind is ForNode and self.loop_compiles(node):
            self.compile_for(node, body, discard=discard)  # type: ignore[arg-type]
        elif kind is RenderNode and not discard and self.render_compiles(node):
            self.compile_render(node, body)  # type: ignore[arg-type]
        elif kind is BreakNode or kind is ContinueNode:
            if self.loops:
                body.append(self.at(ast.Break() if kind is BreakNode else ast.Continue(),
                                    node.token))
            else:
                error = "_Break" if kind is BreakNode else "_Continue"
                word = "break" if kind is BreakNode else "continue"
                body.append(self.at(ast.Raise(exc=_call(_load(error), ast.Constant(word)),
                                              cause=None), node.token))
        else:
            self.fallback(node, body, discard=discard)

    def fallback(self, node: Node, body: list[ast.stmt], *, discard: bool) -> None:
        self.uses_context = True
        if not isinstance(node, _KEEPS_SCOPE):
            self.fallbacks += 1
        bound = self.bind(node, "_n")
        if discard:
            call: ast.expr = _call(_load("_discard"), bound, _load("_ctx"))
        else:
            call = _call(_load("_fallback"), bound, _load("_ctx"), _load("_o"), _load("_b"))
        if self.is_async:
            call = ast.Await(value=call)
        if isinstance(node, _KEEPS_SCOPE):
            body.append(self.at(ast.Expr(call), node.token))
            return
        self.bound = frozenset()
        # It may have assigned anything, even when it stops with an error or a `break`:
        # read variables afresh from the scope after it, whatever happens.
        afresh: list[ast.stmt] = [ast.Expr(_call(_attr(_load("_v"), "clear"))),
                                  ast.Expr(_call(_attr(_load("_ls"), "forget")))]
        body.append(self.at(ast.Try(body=[ast.Expr(call)], handlers=[], orelse=[],
                                    finalbody=afresh), node.token))

    @staticmethod
    def render_compiles(node: Any) -> bool:
        return isinstance(node.name, StringLiteral) and node.var is None and node.alias is None

    def compile_render(self, node: RenderNode, body: list[ast.stmt]) -> None:
        self.uses_context = True
        arguments: list[_Argument] = []
        for argument in node.args:
            path = argument.value
            segments: tuple[str, ...] = ()
            if type(path) is Path and all(type(s) is str for s in path.path):
                segments = tuple(path.path)  # type: ignore[arg-type]
            if segments[:1] == ("forloop",) or not (segments or isinstance(path, _CONSTANTS)):
                self.forloop_reads += 1  # python-liquid's own expression: may read it
            root = segments[0] if segments else None
            arguments.append((argument.name, root, segments[1:], path))
        call: ast.expr = _call(_load("_render"), self.bind(node, "_n"),
                               self.bind(tuple(arguments), "_k"), _load("_ctx"), _load("_v"),
                               _load("_o"), _load("_b"), _load("_ls"))
        if self.is_async:
            call = ast.Await(value=call)
        body.append(self.at(ast.Expr(call), node.token))

    def assign(self, node: Node, body: list[ast.stmt]) -> None:
        name = str(node.name)  # type: ignore[attr-defined]
        value = self.evaluate(node.expression, body)  # type: ignore[attr-defined]
        key = ast.Constant(name)
        local = self.locals.get(name)
        if local is None:
            local = self.locals[name] = self.temp("_a")
        targets: list[ast.expr] = [ast.Subscript(value=_load("_l"), slice=key, ctx=_STORE),
                                   _store(local)]
        self.bound |= {name}
        if name not in self.loops:  # a loop's own variable hides the assigned one
            targets.append(ast.Subscript(value=_load("_v"), slice=key, ctx=_STORE))
        body.append(self.at(ast.Assign(targets=targets, value=value), node.token))
        body.append(self.at(ast.Expr(_call(_attr(_load("_ls"), "add"), _load("_ctx"), key,
                                           value)), node.token))
        self.assigned.add(name)

    # -- if, unless, case ------------------------------------------------------------

    @staticmethod
    def conditions_compile(node: Any) -> bool:
        return isinstance(node.condition, TemplateExpression) and all(
            type(alt) is ConditionalBlockNode and isinstance(alt.expression, TemplateExpression)
            for alt in node.alternatives)

    def compile_if(self, node: Any, body: list[ast.stmt], *, discard: bool) -> None:
        branches: list[tuple[TemplateExpression, BlockNode, bool]] = [
            (node.condition, node.consequence, type(node) is UnlessNode)]
        branches += [(alt.expression, alt.block, False) for alt in node.alternatives]
        current = body
        before = self.bound
        after: list[frozenset[str]] = []
        for expression, block, negate in branches:
            self.bound = before  # each test runs where no branch before it did
            test = self.condition(expression, current)
            if negate:
                test = ast.UnaryOp(op=ast.Not(), operand=test)
            then: list[ast.stmt] = []
            self.block(block.nodes, then, discard=discard or self.blank(block))
            after.append(self.bound)
            orelse: list[ast.stmt] = []
            current.append(self.at(ast.If(test=test, body=then or [ast.Pass()], orelse=orelse),
                                   expression.token))
            current = orelse
        self.bound = before
        if node.default is not None:
            self.block(node.default.nodes, current,
                       discard=discard or self.blank(node.default))
        after.append(self.bound)  # the default's, or no branch at all
        self.bound = frozenset.intersection(*after)

    def blank(self, block: BlockNode) -> bool:
        return self.suppress and block.blank

    @staticmethod
    def loop_compiles(node: Any) -> bool:
        return isinstance(node.expression, LoopExpression) and isinstance(
            node.expression.iterable, TemplateExpression)

    def case_compiles(self, node: Any) -> bool:
        for block in node.blocks:
            if type(block) is MultiExpressionBlockNode:
                expression: Any = block.expression
                if not isinstance(expression, AnyOf) or not isinstance(
                        expression.subject, TemplateExpression) or not all(
                        isinstance(c, TemplateExpression) for c in expression.choices):
                    return False
                # A block that matches twice renders twice: in a Python loop of its own,
                # where `break` would mean something else.
                if self.loops and any(type(n) in (BreakNode, ContinueNode)
                                      for n in walk_nodes(block.block.nodes)):
                    return False
            elif type(block) is not BlockNode:
                return False
        return True

    def compile_case(self, node: CaseNode, body: list[ast.stmt], *, discard: bool) -> None:
        default = self.temp()
        body.append(self.at(_assign(default, ast.Constant(True)), node.token))
        current = self.bound  # what surely holds in the case's own code, block by block
        for block in node.blocks:
            self.bound = current
            if isinstance(block, MultiExpressionBlockNode):
                any_of: AnyOf = block.expression  # type: ignore[assignment]
                subject = self.evaluate(any_of.subject, body)  # type: ignore[arg-type]
                tests = [_call(_load("_equals"), subject,
                               self.evaluate(choice, body))  # type: ignore[arg-type]
                         for choice in any_of.choices]
                count = self.temp()
                matches = ast.List(elts=tests, ctx=ast.Load())  # type: ignore[arg-type]
                body.append(self.at(_assign(count, _call(_attr(matches, "count"),
                                                         ast.Constant(True))), block.token))
                inner: list[ast.stmt] = []
                self.block(block.block.nodes, inner,
                           discard=discard or self.blank(block.block))
                repeat = ast.For(target=_store(self.temp()),
                                 iter=_call(_load("range"), _load(count)),
                                 body=inner or [ast.Pass()], orelse=[])
                once = inner or [ast.Pass()]
                body.append(self.at(ast.If(
                    test=_load(count),
                    body=[_assign(default, ast.Constant(False)),
                          ast.If(test=ast.Compare(left=_load(count), ops=[ast.Eq()],
                                                  comparators=[ast.Constant(1)]),
                                 body=once, orelse=[repeat])],
                    orelse=[]), block.token))
            else:
                inner = []
                self.block(block.nodes, inner, discard=discard or self.blank(block))
                body.append(self.at(ast.If(test=_load(default), body=inner or [ast.Pass()],
                                           orelse=[]), block.token))
            current &= self.bound  # the block may or may not have run
        self.bound = current

    # -- for -------------------------------------------------------------------------

    def loop_iterable(self, loop: LoopExpression) -> ast.expr:
        """``loop.evaluate(ctx)``; awaited in async code (drops may load asynchronously)."""
        if self.is_async:
            return ast.Await(_call(_attr(self.bind(loop, "_x"), "evaluate_async"),
                                   _load("_ctx")))
        return _call(_attr(self.bind(loop, "_x"), "evaluate"), _load("_ctx"))

    def compile_for(self, node: ForNode, body: list[ast.stmt], *, discard: bool) -> None:
        self.uses_context = True
        loop = node.expression
        name = loop.identifier
        token = node.token
        # The body first: whether it renders any node by its own method decides the rest.
        before = self.bound
        inner: list[ast.stmt] = []
        self.loops.append(name)
        self.loops.append("forloop")
        fallbacks, reads = self.fallbacks, self.forloop_reads
        self.block(node.block.nodes, inner, discard=discard or self.blank(node.block))
        catches = self.fallbacks > fallbacks  # such a node may raise break or continue
        if catches and before:
            # It may change the scope, so on a second pass nothing surely holds at its start.
            self.bound = before = frozenset()
            inner = []
            self.block(node.block.nodes, inner, discard=discard or self.blank(node.block))
        self.loops.pop()
        self.loops.pop()
        self.bound = before  # after any number of passes, as it was (the body only adds)
        needs_forloop = catches or self.forloop_reads > reads or any(
            isinstance(e, TemplateExpression) and _reads_forloop(e.tree)
            for inner_node in walk_nodes(node.block.nodes) for e in _expressions(inner_node))
        it, length, record, namespace, item = (self.temp() for _ in range(5))
        body.append(self.at(ast.Assign(
            targets=[ast.Tuple(elts=[_store(it), _store(length)], ctx=ast.Store())],
            value=self.loop_iterable(loop)), loop.token))
        started: list[ast.stmt] = []
        if needs_forloop:
            made: ast.expr = _call(_load("_ForLoop"), ast.Constant(f"{name}-{loop.iterable}"),
                                   _load(it), _load(length),
                                   _call(_attr(_load("_ctx"), "parentloop")))
            keys = [ast.Constant("forloop"), ast.Constant(name)]
            values: list[ast.expr | None] = [_load(record), ast.Constant(None)]
        else:
            made = _call(_load("_Length"), _load(length))
            keys, values = [ast.Constant(name)], [ast.Constant(None)]
        started.append(self.at(_assign(record, made), token))
        started.append(self.at(_assign(namespace, ast.Dict(keys=keys, values=values)), token))  # type: ignore[arg-type]
        started.append(self.at(ast.Expr(_call(_load("_enter"), _load("_ctx"), _load(length),
                                              _load(record), _load(namespace))), token))
        if needs_forloop:
            started.append(self.at(ast.Assign(
                targets=[ast.Subscript(value=_load("_v"), slice=ast.Constant("forloop"),
                                       ctx=ast.Store())], value=_load(record)), token))
        each: list[ast.stmt] = [
            self.at(ast.Assign(targets=[
                ast.Subscript(value=_load(namespace), slice=ast.Constant(name), ctx=ast.Store()),
                ast.Subscript(value=_load("_v"), slice=ast.Constant(name), ctx=ast.Store())],
                value=_load(item)), token),
        ]
        if getattr(self.env, "time_limit", None) is not None:
            each.append(self.at(ast.Expr(_call(_load("_tick"))), token))
        if catches:
            inner = [self.at(ast.Try(
                body=inner or [ast.Pass()],
                handlers=[ast.ExceptHandler(type=_load("_Break"), name=None, body=[ast.Break()]),
                          ast.ExceptHandler(type=_load("_Continue"), name=None,
                                            body=[ast.Continue()])],
                orelse=[], finalbody=[]), token)]
        each.extend(inner)
        iterated = _load(record) if needs_forloop else _load(it)
        cleanup: list[ast.stmt] = [ast.Expr(_call(_load("_leave"), _load("_ctx")))]
        for key in (name, "forloop"):
            cleanup.append(ast.Expr(_call(_attr(_load("_v"), "pop"), ast.Constant(key),
                                          ast.Constant(None))))
        started.append(self.at(ast.Try(
            body=[ast.For(target=_store(item), iter=iterated, body=each, orelse=[])],
            handlers=[], orelse=[], finalbody=cleanup), token))
        otherwise: list[ast.stmt] = []
        if node.default is not None:
            self.block(node.default.nodes, otherwise,
                       discard=discard or self.blank(node.default))
            self.bound &= before
        body.append(self.at(ast.If(test=_load(length), body=started, orelse=otherwise),
                            token))

    # -- the function ----------------------------------------------------------------

    def function(self, nodes: list[Node]) -> ast.Module:
        body: list[ast.stmt] = []
        if not nodes:
            body.append(ast.Pass())
        if self.strict:
            self.block(nodes, body, discard=False, top_level=True)
        for node in nodes if not self.strict else ():
            self.top = node.token
            part: list[ast.stmt] = []
            self.block([node], part, discard=False)
            self.bound = frozenset()  # an error may have stopped it halfway
            if type(node) is not ContentNode:
                part = [self.guarded(part or [ast.Pass()])]
            body.extend(part)
        if self.strict and nodes:
            self.top = nodes[0].token
            body = [self.guarded(body or [ast.Pass()])]
        setup = [
            _assign("_w", _attr(_load("_o"), "append")),
            _assign("_v", _call(_load("_Frame"), _attr(_load("_ctx"), "scope"), _load("_known"))),
            _assign("_l", _attr(_load("_ctx"), "locals")),
            _assign("_n", ast.Constant(0)),
            _assign("_lim", _call(_load("_room"), _load("_b"), _load("_o"))),
        ]
        arguments = ast.arguments(
            posonlyargs=[], args=[ast.arg(arg=a) for a in
                                  ("_ctx", "_o", "_b", "_ls", "_partial", "_block", "_known")],
            vararg=None, kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[])
        kind = ast.AsyncFunctionDef if self.is_async else ast.FunctionDef
        function = kind(name="render", args=arguments, body=setup + body,
                        decorator_list=[], returns=None)
        _locate(function, 1)
        return ast.Module(body=[function], type_ignores=[])

    def guarded(self, body: list[ast.stmt]) -> ast.stmt:
        """``body`` with python-liquid's handling of errors at the top level of a template."""
        handler = ast.If(
            test=_call(_load("_top"), _load("_x"), _load("_partial"), _load("_block")),
            body=[ast.Return(value=None)], orelse=[])
        assert self.top is not None
        return self.at(ast.Try(body=body, handlers=[ast.ExceptHandler(
            type=_load("Exception"), name="_x", body=[handler])],
            orelse=[], finalbody=[]), self.top)


_COMPILED = frozenset({ContentNode, OutputNode, EchoNode, AssignNode, LetNode, IfNode,
                       UnlessNode, CaseNode, ForNode, BreakNode, ContinueNode,
                       ConditionalBlockNode, MultiExpressionBlockNode, BlockNode})


class CompiledTemplate:
    """A template's compiled render function (the async one is compiled when first needed)."""

    __slots__ = ("_async", "assigned", "env", "escape", "function", "lines", "nodes",
                 "simple", "template")

    def __init__(self, template: BoundTemplate, escape_output: bool) -> None:
        self.template = template
        self.env = template.env
        self.nodes = template.nodes
        self.escape = escape_output
        compiler = _Compiler(template, escape_output=escape_output, is_async=False)
        self.function, self.lines = self._build(compiler)
        self.assigned = frozenset(compiler.assigned)
        self.simple = not compiler.uses_context
        self._async: Any = None

    def _build(self, compiler: _Compiler) -> tuple[Any, dict[int, tuple[Token, Token]]]:
        module = compiler.function(self.nodes)
        compiler.namespace["_top"] = self._top
        filename = f"<template {self.template.name or 'string'}>"
        exec(compile(module, filename, "exec"), compiler.namespace)
        return compiler.namespace["render"], compiler.lines

    def usable(self, context: RenderContext, namespace: Mapping[str, object]) -> bool:
        """Whether the compiled function renders exactly as the nodes would here: the
        context escapes as compiled, and no namespace in front of the template's own
        variables hides a name it assigns."""
        if bool(context.autoescape) != self.escape:
            return False
        if not self.assigned:
            return True
        for key in self.assigned:
            if key in namespace:
                return False
        locals_ = context.locals
        for mapping in context.scope._maps:
            if mapping is locals_:
                return True
            for key in self.assigned:
                if key in mapping:
                    return False
        return True

    def _budgets(self, buffer: Any) -> tuple[OutputBudget | None, LocalsBudget]:
        budget = None
        if isinstance(buffer, LimitedStringIO):
            budget = OutputBudget(buffer.limit - buffer.size)
        return budget, self.names_budget()

    def render(self, context: RenderContext, buffer: Any, partial: bool,
               block_scope: bool) -> None:
        out: list[str] = []
        budget, names = self._budgets(buffer)
        try:
            self.function(context, out, budget, names, partial, block_scope, None)
        except LiquidInterrupt:
            buffer.write("".join(out))  # a break in an included template: keep its output
            raise
        buffer.write("".join(out))

    def render_into(self, context: RenderContext, out: list[str],
                    budget: OutputBudget | None, known: Mapping[str, Any]) -> None:
        """Render as a partial of the ``render`` tag, into the caller's list of pieces;
        ``known`` holds variables whose values the scope is known to give."""
        self.function(context, out, budget, self.names_budget(), True, True, known)

    def render_partial(self, parent: RenderContext, names: LocalsBudget,
                       args: dict[str, object], out: list[str],
                       budget: OutputBudget | None) -> None:
        """Render as the ``render`` tag renders a partial (``simple`` ones only): the scope
        of ``parent.copy(args)`` with ``render_with_context``'s namespace in front."""
        spend(self.template.weight)  # type: ignore[attr-defined]
        limit = self.env.local_namespace_limit
        carry = 0
        if limit and self.assigned:  # the size of the caller's names counts against ours
            carry = names.total if names.sizes is not None else parent.get_size_of_locals()
        locals_: dict[str, object] = {}
        scope = ReadOnlyChainMap({"partial": True}, locals_, args, parent.globals, builtin, {})
        # As `context.extend` checks a fresh context: its locals, globals, built-ins, counters.
        if self.env.context_depth_limit < 4:
            raise ContextDepthError("maximum context depth reached, possible recursive include",
                                    token=None)
        known = args if "partial" not in args else \
            {k: v for k, v in args.items() if k != "partial"}
        escaping = set_escaping(self.escape)
        try:
            self.function(_PartialContext(scope, locals_, carry), out, budget,
                          self.names_budget(), True, True, known)
        except LiquidError as error:
            if not error.template_name:
                error.template_name = self.template.path or self.template.name or None
            raise
        finally:
            reset_escaping(escaping)

    def names_budget(self) -> LocalsBudget:
        limit = self.env.local_namespace_limit
        return LocalsBudget(limit) if limit and self.assigned else _NO_LIMIT

    async def render_async(self, context: RenderContext, buffer: Any, partial: bool,
                           block_scope: bool) -> None:
        function = self._async
        if function is None:
            compiler = _Compiler(self.template, escape_output=self.escape, is_async=True)
            function, _ = self._build(compiler)
            self._async = function
        out: list[str] = []
        budget, names = self._budgets(buffer)
        try:
            await function(context, out, budget, names, partial, block_scope, None)
        except LiquidInterrupt:
            buffer.write("".join(out))
            raise
        buffer.write("".join(out))

    def _where(self, error: BaseException) -> tuple[Token, Token] | None:
        """The tokens of this template's generated line that raised ``error``."""
        traceback = error.__traceback__
        found = None
        codes = (self.function.__code__, getattr(self._async, "__code__", None))
        while traceback is not None:
            if traceback.tb_frame.f_code in codes:
                found = self.lines.get(traceback.tb_lineno, found)
            traceback = traceback.tb_next
        return found

    def _top(self, error: Exception, partial: bool, block_scope: bool) -> bool:
        """python-liquid's handling of an error at the top level of a template; True to stop."""
        if isinstance(error, StopRender):
            return True
        where = self._where(error)
        top = where[0] if where else None
        if isinstance(error, ExpressionError):
            assert where is not None
            converted = from_expression(error, where[1])
            converted.__cause__ = error
            self.env.error(converted, token=top)
            return False
        if isinstance(error, LiquidInterrupt):
            if not partial or block_scope:
                self.env.error(LiquidSyntaxError(f"unexpected '{error}'", token=top))
                return False
            raise error
        if isinstance(error, LiquidError):
            self.env.error(error, token=top)
            return False
        raise error
