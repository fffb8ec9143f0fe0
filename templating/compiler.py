"""Template compiler: a parsed template (python-liquid's nodes holding ladle's expressions) to
one Python function, built from ``ast`` nodes.

User text enters the generated tree only as ``ast.Constant`` strings; every other value
(expressions, nodes, tokens) is bound in the function's namespace under a generated name.
What the compiler knows becomes plain Python: text and ``{{ }}`` output go into a list
(escaping inlined, neighbouring pieces joined into one f-string), ``if``/``unless``/
``case`` become ``if`` statements, ``for`` a Python loop (``forloop`` is made only when the
body can read it), ``assign``/``let`` a Python local (read directly where the name surely
holds it) and a plain dict entry, ``render`` and ``include`` (of a quoted name) a call
that renders a compiled partial straight into the same list, ``cycle`` and ``capture``
as ``templating.tag_compiler`` says and ``tablerow`` as ``templating.loop_compiler``
does. Every other node (a user's own tag…) is rendered by its own ``render`` method.

Expressions stay ``grammar``'s compiled functions, each compiled on its first call (they
are most of the cost of compiling), and read variables from a ``Frame``: a plain dict
caching the render context's scope, which the compiled code keeps in step with what it
assigns and loops over, and clears after any node that may change the scope. What the
generated code calls at render time is in ``templating.runtime``; the function is built
and run by ``templating.compiled``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from liquid.ast import BlockNode, ConditionalBlockNode, IllegalNode, Node
from liquid.builtin.content import ContentNode
from liquid.builtin.expressions import Nil, StringLiteral
from liquid.builtin.expressions.loop import LoopExpression
from liquid.builtin.tags.assign_tag import AssignNode
from liquid.builtin.tags.capture_tag import CaptureNode
from liquid.builtin.tags.case_tag import CaseNode, MultiExpressionBlockNode
from liquid.builtin.tags.comment_tag import CommentNode
from liquid.builtin.tags.cycle_tag import CycleNode
from liquid.builtin.tags.doc_tag import DocNode
from liquid.builtin.tags.for_tag import BreakNode, ContinueNode, ForNode
from liquid.builtin.tags.if_tag import IfNode
from liquid.builtin.tags.include_tag import IncludeNode
from liquid.builtin.tags.inline_comment_tag import InlineCommentNode
from liquid.builtin.tags.render_tag import RenderNode
from liquid.builtin.tags.unless_tag import UnlessNode
from liquid.exceptions import BreakLoop, ContinueLoop
from liquid.mode import Mode
from liquid.token import Token
from markupsafe import Markup

from ladle.grammar import nodes as g
from ladle.grammar import pyast as py
from ladle.grammar.pyast import place as _locate
from ladle.grammar.pyast import place_statement
from ladle.grammar.runtime import liquid_equals
from ladle.templating import loop_compiler, runtime
from ladle.templating.expression import (
    TemplateExpression,
    awaited,
    evaluate_with,
    in_context,
    truth,
)
from ladle.templating.internals import escape_text
from ladle.templating.tag_compiler import CONSTANTS as _CONSTANTS
from ladle.templating.tag_compiler import (
    LOADS,
    STORES,
    case_compiles,
    compile_capture,
    compile_case,
    cycle_compiles,
    cycle_piece,
    placed,
)
from ladle.templating.tag_compiler import attr as _attr
from ladle.templating.tag_compiler import call as _call
from ladle.templating.tags.case_tag import AnyOf
from ladle.templating.tags.echo_tag import TextEchoNode as EchoNode
from ladle.templating.tags.let_tag import LetNode
from ladle.templating.tags.output_tag import TextOutputNode as OutputNode
from ladle.templating.tags.tablerow_tag import Tablerow
from ladle.templating.walk import child_nodes, walk_nodes

if TYPE_CHECKING:
    from liquid.template import BoundTemplate

# Nodes rendered by their own method that cannot change the variables the compiled code
# reads (``render`` works on a copy of the context); any other such node can.
_KEEPS_SCOPE = (RenderNode, CommentNode, DocNode, InlineCommentNode, IllegalNode)
# Nodes compiled to Python (when their expressions are ladle's).
_COMPILED = frozenset({ContentNode, OutputNode, EchoNode, AssignNode, LetNode, IfNode,
                       UnlessNode, CaseNode, ForNode, BreakNode, ContinueNode,
                       ConditionalBlockNode, MultiExpressionBlockNode, BlockNode,
                       CycleNode, CaptureNode, Tablerow})
# Kinds of node that never change the scope once compiled: those compiled to Python and
# those that keep it. A loop's block holding any other is compiled as if the scope changed.
_SCOPE_KEPT = _COMPILED | frozenset(_KEEPS_SCOPE)
# Expression outputs in one piece: a piece is checked once made, so this bounds how far
# past the limit one piece can go (each value is at most ``max_length`` characters).
_OUTPUTS_PER_PIECE = 8


# -- building the tree ---------------------------------------------------------------------


_LOAD = ast.Load()
_STORE = ast.Store()
_Expr = TypeVar("_Expr", bound=ast.expr)


# (Nodes are made with positional arguments, in the order of their ``_fields``: faster.)


# Constants the code tests against everywhere, one node each (``tag_compiler.placed``).
_NONE = placed(py.Constant(None))
# The parameters of every compiled function, one placed node (compiling only reads it).
_PARAMETERS = placed(ast.arguments([], [placed(ast.arg(name)) for name in (
    "_ctx", "_o", "_b", "_ls", "_partial", "_block", "_known")], None, [], [], None, []))


def _expressions(node: Node) -> list[Any]:
    found: list[Any] = []
    pending: list[Any] = list(node.expressions()) if type(node) in _COMPILED else []
    while pending:
        expression = pending.pop()
        found.append(expression)
        if isinstance(expression, LoopExpression | AnyOf):
            pending.extend(expression.children())
    return found


class TemplateCompiler:
    """Compiles one template's nodes into
    ``render(ctx, out, budget, names, partial, block, known)``."""

    def __init__(self, template: BoundTemplate, *, escape_output: bool, is_async: bool) -> None:
        self.env = template.env
        self.escape_output = escape_output
        self.is_async = is_async
        self.strict = self.env.mode == Mode.STRICT
        self.suppress = bool(self.env.suppress_blank_control_flow_blocks)
        escaped, plain = runtime.text_helpers(self.env.output_stream_limit)
        self.namespace: dict[str, Any] = {
            "_Frame": runtime.Frame,
            "_escape": escape_text,
            "_text": escaped,
            "_plain": plain,
            "_Markup": Markup,
            "_len": len,
            "_int": int,
            "_truth": truth,
            "_test": runtime.test,
            "_equals": liquid_equals,
            "_startfor": runtime.start_forloop,
            "_start": runtime.start_loop,
            "_room": runtime.room,
            "_in_context": in_context,
            "_evaluate_with": evaluate_with,
            "_awaited": awaited,
            "_tick": runtime.tick,
            "_leave": runtime.leave_loop,
            "_fallback": runtime.fallback_async if is_async else runtime.fallback,
            "_discard": runtime.discard_async if is_async else runtime.discard,
            "_render": runtime.render_tag,
            "_partialof": runtime.partial_template,
            "_cycle": runtime.cycle_text,
            "_includeof": runtime.include_template,
            "_include": runtime.include_tag,
            "_captured": runtime.captured_budget,
            "_Break": BreakLoop,
            "_Continue": ContinueLoop,
            **loop_compiler.LOOP_NAMES,
        }
        self.line = 1
        # generated line -> (token of the top-level node, token of what runs on the line)
        self.lines: tuple[dict[int, Token], dict[int, Token]] = ({}, {})
        self.top: Token | None = None
        self.counter = 0
        self.appends = 0  # pieces appended by the code so far (a loop checks if it appends)
        self.counting = False  # whether the code counts what it appends (``_n``, ``_lim``)
        self.loops: list[str] = []  # names bound by the compiled loops around the code
        self.assigned: set[str] = set()
        self.expression_keys: dict[int, str] = {}
        self.fallbacks = 0  # nodes rendered by their own method that may change the scope
        self.forloop_reads = 0  # python-liquid expressions that may read `forloop`
        # `id` of a node -> whether it or a node in it reads it
        self.forloop_nodes: dict[int, bool] = {}
        self.uncounted = 0  # nodes that append output `_n` does not count (partials…)
        # Calls that may be passed `_n` if nothing is `uncounted` (a capture's `_captured`).
        self.counted: list[tuple[ast.Call, ast.expr]] = []
        self.count_everywhere = True  # whether pieces outside loops are counted too
        # Whether the code uses more of the render context than its scope and local names.
        self.uses_context = False
        # Assigned names held in Python locals, and those that surely hold the name's value
        # here: assigned on every path to here since the function started or since the
        # last node that may have changed the scope.
        self.locals: dict[str, str] = {}
        self.bound: frozenset[str] = frozenset()
        # One placed node per name read or assigned (``tag_compiler.placed``): a name's
        # line is never reported, and ``place`` skips placed nodes.
        self.loads = dict(LOADS)
        self.stores = dict(STORES)

    # -- small helpers ---------------------------------------------------------------

    def temp(self, prefix: str = "_t") -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def load(self, name: str) -> ast.Name:
        node = self.loads.get(name)
        if node is None:
            node = self.loads[name] = placed(py.Name(name, _LOAD))
        return node

    def store(self, name: str) -> ast.Name:
        node = self.stores.get(name)
        if node is None:
            node = self.stores[name] = placed(py.Name(name, _STORE))
        return node

    def set(self, target: str, value: ast.expr) -> ast.Assign:
        """``target = value``."""
        return ast.Assign([self.store(target)], value)

    def bind(self, value: object, prefix: str) -> ast.Name:
        key = self.temp(prefix)
        self.namespace[key] = value
        return self.load(key)

    def new_line(self, token: Token) -> int:
        """A new line of the generated code, whose errors are reported at ``token`` (in
        the top-level node ``top``)."""
        self.line += 1
        assert self.top is not None
        tops, tokens = self.lines  # two maps: no tuple per line for the GC to look over
        tops[self.line] = self.top
        tokens[self.line] = token
        return self.line

    def at(self, statement: ast.stmt, token: Token) -> ast.stmt:
        """``statement`` on a new line, whose errors are reported at ``token``: it and
        what it holds directly (``place_statement``)."""
        place_statement(statement, self.new_line(token))
        return statement

    def located(self, value: _Expr, token: Token) -> _Expr:
        """``value``, which may fail where it lies deep in a statement, on a line of its
        own whose errors are reported at ``token``."""
        _locate(value, self.new_line(token))
        return value

    def evaluation(self, expression: TemplateExpression) -> ast.expr:
        """The call that evaluates ``expression``, on a line of its own (its errors are
        reported at the expression wherever the call ends up); a name assigned here
        before is its Python local."""
        tree = expression.tree
        if type(tree) is g.Name and tree.name in self.bound and tree.name not in self.loops:
            return self.load(self.locals[tree.name])
        key = self.expression_keys.get(id(expression))
        if key is None:
            key = self.temp("_e")
            self.namespace[key] = runtime.Lazy(key, expression)
            self.expression_keys[id(expression)] = key
        call: ast.expr = _call(self.load(key), self.load("_v"))
        context: ast.expr = _NONE
        if expression.needs_context:  # its filters read the render context
            self.uses_context = True
            context = self.load("_ctx")
            call = _call(self.load("_in_context"), context, self.load(key), self.load("_v"))
        if self.is_async and any(len(path) > 1 for path in expression.paths()):
            # Drops on its paths may load asynchronously: awaited first.
            call = _call(self.load("_evaluate_with"), self.load(key),
                         py.Await(_call(self.load("_awaited"), self.load("_v"),
                                         self.bind(expression.paths(), "_q"))), context)
        return self.located(call, expression.token)

    def output_text(self, expression: TemplateExpression) -> ast.expr:
        """The value of ``expression`` as a piece of an f-string: ``_text(value)``
        (``_plain(value)`` without escaping). One call, not the type tests inline: a smaller
        function compiles quicker, and the helper tests the kinds as quickly as the inline
        code did."""
        return self.applied("_text" if self.escape_output else "_plain", expression)

    def applied(self, helper: str, expression: TemplateExpression,
                *first: ast.expr) -> ast.expr:
        """``helper(*first, value)`` of ``expression``'s value, on a line of its own whose
        errors are reported at the expression (the helper may fail on the value)."""
        call = _call(self.load(helper), *first, self.evaluation(expression))
        return self.located(call, expression.token)

    def evaluate(self, expression: TemplateExpression, body: list[ast.stmt]) -> ast.Name:
        """Emit the evaluation of ``expression`` into a temporary and return its name."""
        target = self.temp()
        body.append(self.at(self.set(target, self.evaluation(expression)), expression.token))
        return self.load(target)

    def condition(self, expression: TemplateExpression) -> ast.expr:
        """A Python test for a condition: ``_test(value)``, Liquid's truth of its value."""
        return self.applied("_test", expression)

    # -- blocks ----------------------------------------------------------------------

    def block(self, nodes: Iterable[Node], body: list[ast.stmt], *, discard: bool,
              top_level: bool = False) -> None:
        """Compile ``nodes`` into ``body``. Text and output accumulate as pieces of one
        f-string, appended before anything that writes output of its own or loops."""
        pieces: list[ast.expr] = []
        flush_token: list[Token] = []

        def flush() -> None:
            if not pieces:
                return
            token = flush_token[0]
            if len(pieces) == 1 and not isinstance(pieces[0], ast.FormattedValue):
                value: ast.expr = pieces[0]
            else:  # an f-string even for one value: it formats the `int`s output_text passes
                value = py.JoinedStr(list(pieces))
            # `_w(_p := value); _n += len(_p)`, and a check once `_n` passes `_lim`.
            loop_compiler.append_piece(self, value, token, body)
            pieces.clear()
            flush_token.clear()

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
                    pieces[-1] = py.Constant(last.value + text)
                else:
                    flush_token[:1] = flush_token[:1] or [node.token]
                    pieces.append(py.Constant(text))
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
                text_value = self.output_text(expression)
                flush_token[:1] = flush_token[:1] or [node.token]
                pieces.append(py.FormattedValue(text_value, -1, None))
                outputs = sum(isinstance(piece, ast.FormattedValue) for piece in pieces)
                if not self.strict or outputs >= _OUTPUTS_PER_PIECE:
                    flush()
                continue
            if kind is CycleNode and not discard and cycle_compiles(node):
                if not self.strict:
                    flush()
                flush_token[:1] = flush_token[:1] or [node.token]
                pieces.append(py.FormattedValue(cycle_piece(self, node), -1, None))  # type: ignore[arg-type]
                if not self.strict:
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
        load = self.load
        kind = type(node)
        if kind in (IfNode, UnlessNode) and self.conditions_compile(node):
            self.compile_if(node, body, discard=discard)
        elif kind is CaseNode and case_compiles(self, node):
            compile_case(self, node, body, discard=discard)  # type: ignore[arg-type]
        elif kind is ForNode and self.loop_compiles(node):
            self.compile_for(node, body, discard=discard)  # type: ignore[arg-type]
        elif kind is CaptureNode:
            compile_capture(self, node, body)  # type: ignore[arg-type]
        elif kind is Tablerow and not self.is_async and loop_compiler.tablerow_compiles(node):
            loop_compiler.compile_tablerow(self, node, body, discard=discard)  # type: ignore[arg-type]
        elif kind is IncludeNode and not discard and not self.is_async and \
                self.include_compiles(node):
            self.compile_include(node, body)  # type: ignore[arg-type]
        elif kind is RenderNode and not discard and \
                isinstance(node.name, StringLiteral):  # type: ignore[attr-defined]
            self.compile_render(node, body)  # type: ignore[arg-type]
        elif kind is BreakNode or kind is ContinueNode:
            if self.loops:
                body.append(self.at(ast.Break() if kind is BreakNode else ast.Continue(),
                                    node.token))
            else:
                error = "_Break" if kind is BreakNode else "_Continue"
                word = "break" if kind is BreakNode else "continue"
                body.append(self.at(ast.Raise(_call(load(error), py.Constant(word)), None),
                                    node.token))
        else:
            self.fallback(node, body, discard=discard)

    def fallback(self, node: Node, body: list[ast.stmt], *, discard: bool) -> None:
        load = self.load
        self.uses_context = True
        self.uncounted += not discard
        if not isinstance(node, _KEEPS_SCOPE):
            self.fallbacks += 1
        bound = self.bind(node, "_n")
        if discard:
            call: ast.expr = _call(load("_discard"), bound, load("_ctx"))
        else:
            call = _call(load("_fallback"), bound, load("_ctx"), load("_o"), load("_b"))
        if self.is_async:
            call = py.Await(call)
        if isinstance(node, _KEEPS_SCOPE):
            body.append(self.at(ast.Expr(call), node.token))
            return
        self.changing_scope(call, node.token, body)

    def changing_scope(self, call: ast.expr, token: Token, body: list[ast.stmt]) -> None:
        """``call``, which may change the scope (or raise ``break`` or ``continue``)."""
        self.bound = frozenset()
        # It may have assigned anything, even when it stops with an error or a `break`:
        # read variables afresh from the scope after it, whatever happens.
        afresh: list[ast.stmt] = [ast.Expr(_call(_attr(self.load("_v"), "clear"))),
                                  ast.Expr(_call(_attr(self.load("_ls"), "forget")))]
        body.append(self.at(ast.Try([ast.Expr(call)], [], [], afresh), token))

    def compile_include(self, node: IncludeNode, body: list[ast.stmt]) -> None:
        load, assign = self.load, self.set
        self.uses_context = True
        self.uncounted += 1
        self.fallbacks += 1  # the partial may assign, `break` or `continue`
        template = self.temp()
        body.append(self.at(assign(template, _call(load("_includeof"), self.bind(node, "_n"),
                                                   load("_ctx"))), node.token))
        call = _call(load("_include"), load(template), self.arguments(node), load("_ctx"),
                     load("_o"), load("_b"))
        self.changing_scope(call, node.token, body)

    @staticmethod
    def include_compiles(node: Any) -> bool:
        return isinstance(node.name, StringLiteral) and node.var is None and node.alias is None

    def arguments(self, node: RenderNode | IncludeNode) -> ast.Dict:
        """A partial's ``key: value`` arguments, as a dict the compiled code makes."""
        keys: list[ast.expr | None] = [py.Constant(argument.name) for argument in node.args]
        return py.Dict(keys, [self.tag_value(argument.value, node.token)
                              for argument in node.args])

    def tag_value(self, value: Any, token: Token) -> ast.expr:
        """The value of a tag's expression ``value`` (errors at ``token``), in the
        compiled code."""
        if isinstance(value, TemplateExpression) and not self.is_async:
            self.forloop_reads += value.shape.reads_forloop
            return self.evaluation(value)
        if not isinstance(value, _CONSTANTS):
            self.forloop_reads += 1  # evaluated by itself, in the context: may read it
        return self.located(_call(_attr(self.bind(value, "_x"), "evaluate"),
                                  self.load("_ctx")), token)

    def compile_render(self, node: RenderNode, body: list[ast.stmt]) -> None:
        arguments = self.arguments(node)
        if self.is_async:  # loaders may be asynchronous: the node's own way, awaited
            self.fallback(node, body, discard=False)
            return
        self.uses_context = True
        self.uncounted += 1
        # The partial is loaded before the arguments are evaluated, and they before the
        # variable of `with` or `for`, as python-liquid does.
        template = self.temp()
        load = self.load
        body.append(self.at(self.set(template, _call(load("_partialof"), self.bind(node, "_n"),
                                                     load("_ctx"))), node.token))
        call = _call(load("_render"), load(template), arguments, load("_ctx"), load("_o"),
                     load("_b"), load("_ls"))
        if node.var is not None:
            call.args += [self.bind(node, "_n"), self.tag_value(node.var, node.token)]
        body.append(self.at(ast.Expr(call), node.token))

    def assign(self, node: Node, body: list[ast.stmt]) -> None:
        value = self.evaluation(node.expression)  # type: ignore[attr-defined]
        self.assign_value(str(node.name), value, node.token, body)  # type: ignore[attr-defined]

    def assign_value(self, name: str, value: ast.expr, token: Token,
                     body: list[ast.stmt]) -> None:
        """``context.assign(name, value)``, where the compiled code reads it directly:
        ``_a = _ls.assign(_ctx, _v, name, value)`` (``LocalsBudget.assign``)."""
        local = self.locals.get(name)
        if local is None:
            local = self.locals[name] = self.temp("_a")
        self.bound |= {name}
        # A loop's own variable hides the assigned one: the frame keeps the loop's.
        frame = _NONE if name in self.loops else self.load("_v")
        call = _call(_attr(self.load("_ls"), "assign"), self.load("_ctx"), frame,
                     py.Constant(name), value)
        body.append(self.at(ast.Assign([self.store(local)], call), token))
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
            test = self.condition(expression)
            if negate:
                test = py.UnaryOp(ast.Not(), test)
            then: list[ast.stmt] = []
            self.block(block.nodes, then, discard=discard or self.blank(block))
            after.append(self.bound)
            orelse: list[ast.stmt] = []
            current.append(self.at(ast.If(test, then or [ast.Pass()], orelse),
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

    # -- for -------------------------------------------------------------------------

    def reads_forloop(self, nodes: Iterable[Node]) -> bool:
        """Whether an expression of ``nodes`` or of the nodes in them may read ``forloop``
        (known per node, for it and the nodes in it, once found: nested loops ask again
        about the same nodes)."""
        return any(self.node_reads_forloop(node) for node in nodes)

    def node_reads_forloop(self, node: Node) -> bool:
        known = self.forloop_nodes.get(id(node))
        if known is None:
            known = self.forloop_nodes[id(node)] = any(
                isinstance(e, TemplateExpression) and e.shape.reads_forloop
                for e in _expressions(node)) or self.reads_forloop(child_nodes(node))
        return known

    def loop_iterable(self, loop: LoopExpression) -> ast.expr:
        """``loop.evaluate(ctx)``; awaited in async code (drops may load asynchronously)."""
        if self.is_async:
            return py.Await(_call(_attr(self.bind(loop, "_x"), "evaluate_async"),
                                   self.load("_ctx")))
        plain = loop_compiler.plain_items(self, loop)
        return plain or _call(_attr(self.bind(loop, "_x"), "evaluate"), self.load("_ctx"))

    def compile_for(self, node: ForNode, body: list[ast.stmt], *, discard: bool) -> None:
        load, store, assign = self.load, self.store, self.set
        self.uses_context = True
        loop = node.expression
        name = loop.identifier
        token = node.token
        # The body first: whether it renders any node by its own method decides the rest.
        before = self.bound
        self.loops.append(name)
        self.loops.append("forloop")
        reads, appends = self.forloop_reads, self.appends
        inner, catches = self.loop_block(node.block.nodes, discard or self.blank(node.block))
        self.loops.pop()
        self.loops.pop()
        if catches:  # a node in it may have changed the scope
            before = frozenset()
        self.bound = before  # after any number of passes, as it was (the body only adds)
        needs_forloop = catches or self.forloop_reads > reads or self.reads_forloop(
            node.block.nodes)
        it, length, record, namespace, item = (self.temp() for _ in range(5))
        body.append(self.at(ast.Assign([py.Tuple([store(it), store(length)], ast.Store())],
                                       self.loop_iterable(loop)), loop.token))
        started: list[ast.stmt] = []
        if needs_forloop:
            started.append(self.at(ast.Assign([py.Tuple([store(record), store(namespace)],
                                                         ast.Store())], _call(
                load("_startfor"), load("_ctx"), load("_v"), py.Constant(name),
                py.Constant(f"{name}-{loop.iterable}"), load(it), load(length))), token))
        else:
            started.append(self.at(assign(namespace, _call(
                load("_start"), load("_ctx"), py.Constant(name), load(length))), token))
        each: list[ast.stmt] = [
            self.at(ast.Assign([
                py.Subscript(load(namespace), py.Constant(name), ast.Store()),
                py.Subscript(load("_v"), py.Constant(name), ast.Store())], load(item)), token),
        ]
        if getattr(self.env, "time_limit", None) is not None:
            each.append(self.at(ast.Expr(_call(load("_tick"))), token))
        if self.appends > appends:
            each.append(loop_compiler.limit_check(self, token))
        if catches:
            inner = [self.at(ast.Try(inner or [ast.Pass()], [
                ast.ExceptHandler(load("_Break"), None, [ast.Break()]),
                ast.ExceptHandler(load("_Continue"), None, [ast.Continue()])], [], []), token)]
        each.extend(inner)
        iterated = load(record) if needs_forloop else load(it)
        cleanup: list[ast.stmt] = [ast.Expr(_call(load("_leave"), load("_ctx"), load("_v"),
                                                  py.Constant(name), py.Constant("forloop")))]
        started.append(self.at(ast.Try([ast.For(store(item), iterated, each, [])], [], [],
                                       cleanup), token))
        otherwise: list[ast.stmt] = []
        if node.default is not None:
            self.block(node.default.nodes, otherwise,
                       discard=discard or self.blank(node.default))
            self.bound &= before
        body.append(self.at(ast.If(load(length), started, otherwise), token))

    def loop_block(self, nodes: list[Node], discard: bool) -> tuple[list[ast.stmt], bool]:
        """A loop's block, and whether a node in it is rendered by its own method (which
        may change the scope, or raise ``break`` or ``continue``). Such a node may have run
        on an earlier pass, so then nothing surely holds at the block's start: where one
        may be in it, the block is compiled so from the first (compiling it again once
        found doubled the cost of every loop around it)."""
        if self.bound and any(type(n) not in _SCOPE_KEPT for n in walk_nodes(nodes)):
            self.bound = frozenset()
        before, fallbacks = self.bound, self.fallbacks
        inner: list[ast.stmt] = []
        self.block(nodes, inner, discard=discard)
        catches = self.fallbacks > fallbacks
        if catches and before:  # a node of a kind compiled here, not compiled this time
            self.bound = frozenset()
            inner = []
            self.block(nodes, inner, discard=discard)
        return inner, catches

    # -- the function ----------------------------------------------------------------

    def function(self, nodes: list[Node]) -> ast.Module:
        load, assign = self.load, self.set
        body: list[ast.stmt] = []
        self.count_everywhere = any(type(node) is CaptureNode for node in walk_nodes(nodes))
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
        if not self.uncounted:  # `_n` counts every character appended since the last check
            for counted_call, count in self.counted:
                counted_call.args[-1] = count
        setup: list[ast.stmt] = [
            assign("_w", _attr(load("_o"), "append")),
            assign("_v", _call(load("_Frame"), _attr(load("_ctx"), "scope"), load("_known"))),
        ]
        room = _call(load("_room"), load("_b"), load("_o"))  # checks the output so far
        if self.counting:
            setup += [assign("_n", py.Constant(0)), assign("_lim", room)]
        else:
            setup.append(ast.Expr(room))
        kind = ast.AsyncFunctionDef if self.is_async else ast.FunctionDef
        function = kind("render", _PARAMETERS, setup + body, [], None)
        place_statement(function, 1)  # the setup on line 1, where nothing is reported
        return ast.Module([function], [])

    def guarded(self, body: list[ast.stmt]) -> ast.stmt:
        """``body`` with python-liquid's handling of errors at the top level of a template."""
        load = self.load
        handler = ast.If(_call(load("_top"), load("_x"), load("_partial"), load("_block")),
                         [ast.Return(None)], [])
        assert self.top is not None
        return self.at(ast.Try(body, [ast.ExceptHandler(load("Exception"), "_x", [handler])],
                               [], []), self.top)


