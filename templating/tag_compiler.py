"""Compiling ``case``, ``cycle`` and ``capture`` for ``templating.compiler`` (which would
otherwise render the last two by their own method, at the cost of a buffer and of reading
every variable afresh after them), and the small builders of ``ast`` nodes both use.

``case`` becomes ``if`` statements, a ``when`` against a string or whole-number literal
testing Python's ``==`` first; ``cycle`` a piece of the output, made by
``runtime.cycle_text`` from its values as the compiled code evaluates them (literal
values without a group: their texts and counter's key made here once); ``capture``
renders its block into a list of its own (the compiled code's output names point to it
meanwhile) and assigns the joined text as ``assign`` does.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeVar

from liquid.ast import BlockNode
from liquid.builtin.expressions import Literal, Nil
from liquid.builtin.expressions.primitive import Blank, Empty
from liquid.builtin.tags.capture_tag import CaptureNode
from liquid.builtin.tags.case_tag import CaseNode, MultiExpressionBlockNode
from liquid.builtin.tags.cycle_tag import CycleNode
from liquid.builtin.tags.for_tag import BreakNode, ContinueNode
from liquid.stringify import to_liquid_string

from ladle.grammar import nodes as g
from ladle.grammar import pyast as py
from ladle.templating.expression import TemplateExpression
from ladle.templating.tags.case_tag import AnyOf
from ladle.templating.walk import walk_nodes

if TYPE_CHECKING:
    from ladle.templating.compiler import TemplateCompiler

LOAD = ast.Load()
STORE = ast.Store()
_Node = TypeVar("_Node", bound=ast.AST)
# The function's first line, where nothing is reported.
_FIRST_LINE = {"lineno": 1, "end_lineno": 1, "col_offset": 0, "end_col_offset": 0}


def placed(node: _Node) -> _Node:
    """``node`` on the function's first line, set on the node itself: placing leaves it
    there, so one node can serve every use of it, in every template. For nodes that
    cannot fail (reading or assigning a name, a constant); never changed after."""
    node.__dict__.update(_FIRST_LINE)
    return node


# The names the generated code uses all over (its arguments, locals and helpers), one
# placed node each, which every compiler starts from (``TemplateCompiler.load``): making
# and placing a node per use was a sixth of compiling.
LOADS: Mapping[str, ast.Name] = MappingProxyType({name: placed(py.Name(name, LOAD)) for name in (
    "_ctx", "_o", "_b", "_v", "_w", "_n", "_lim", "_p", "_s", "_k", "_ls", "_room",
    "_len", "_truth", "_escape", "_text", "_plain", "_int", "_Markup", "type", "str",
    "_enter", "_leave", "_start", "_startfor", "_block", "_partial", "_known", "_tick",
    "_in_context", "_render", "_partialof", "_include", "_includeof", "_cycle", "_top",
    "_fallback", "_discard", "_equals", "_Break", "_Continue")})
STORES: Mapping[str, ast.Name] = MappingProxyType({
    name: placed(py.Name(name, STORE)) for name in ("_n", "_lim", "_p", "_s", "_k")})


def call(func: ast.expr, *args: ast.expr) -> ast.Call:
    return py.Call(func, list(args), [])


def attr(value: ast.expr, name: str) -> ast.Attribute:
    return py.Attribute(value, name, LOAD)


# python-liquid expressions that read no variable.
CONSTANTS = (Literal, Nil, Empty, Blank)


def _plain(expression: Any) -> bool:
    """Whether the compiled code can evaluate ``expression``: ladle's (not a condition),
    or a python-liquid constant."""
    return isinstance(expression, CONSTANTS) or (
        isinstance(expression, TemplateExpression) and not expression.condition)


def _value(compiler: TemplateCompiler, expression: Any) -> ast.expr:
    load = compiler.load
    if isinstance(expression, TemplateExpression):
        return compiler.evaluation(expression)
    return call(attr(compiler.bind(expression, "_x"), "evaluate"), load("_ctx"))


def cycle_compiles(node: Any) -> bool:
    return type(node) is CycleNode and (node.group is None or _plain(node.group)) and all(
        _plain(value) for value in node.args)


class _Escaping:
    """What python-liquid's literals read of a render context (to evaluate them once)."""

    __slots__ = ("autoescape",)

    def __init__(self, autoescape: bool) -> None:
        self.autoescape = autoescape


def cycle_piece(compiler: TemplateCompiler, node: CycleNode) -> ast.expr:
    """The output text of ``node``: ``_cycle(node, _ctx, group, [values])``; for literal
    values without a group, ``_cycle_fixed(node, _ctx, key, texts)``, its counter's key
    and the texts of its values made here, as ``CycleNode`` makes them."""
    load = compiler.load
    compiler.uses_context = True  # the cycles' counters are the render context's
    if node.group is None and all(isinstance(value, Literal | Nil) for value in node.args):
        escape = compiler.escape_output  # the context's, where the function is used
        known = [value.evaluate(_Escaping(escape)) for value in node.args]  # type: ignore[arg-type]
        key = ("", tuple(known)) if node.group_by_args else str(known)
        texts = tuple(to_liquid_string(value, autoescape=escape) for value in known)
        return compiler.located(call(load("_cycle_fixed"), compiler.bind(node, "_n"),
                                     load("_ctx"), compiler.bind(key, "_c"),
                                     compiler.bind(texts, "_c")), node.token)
    group = py.Constant(None) if node.group is None else _value(compiler, node.group)
    values = py.List([_value(compiler, value) for value in node.args], LOAD)
    return compiler.located(call(load("_cycle"), compiler.bind(node, "_n"), load("_ctx"),
                                 group, values), node.token)


def equality(compiler: TemplateCompiler, subject: ast.Name, choice: Any) -> ast.expr:
    """``_equals(subject, choice)`` (Liquid equality) for a ``when``; against a string or
    whole-number literal, Python's ``==`` first where the subject is of the literal's own
    type, for which Liquid's equality is Python's."""
    load = compiler.load
    slow = compiler.applied("_equals", choice, subject)
    tree = choice.tree
    value = tree.value if type(tree) is g.Literal and tree.kind in ("string", "int") else None
    if type(value) is str or type(value) is int:
        kind = "str" if type(value) is str else "_int"
        return py.IfExp(py.Compare(call(load("type"), subject), [ast.Is()], [load(kind)]),
                         py.Compare(subject, [ast.Eq()], [py.Constant(value)]), slow)
    return slow


def case_compiles(compiler: TemplateCompiler, node: Any) -> bool:
    for block in node.blocks:
        if type(block) is MultiExpressionBlockNode:
            expression: Any = block.expression
            if not isinstance(expression, AnyOf) or not isinstance(
                    expression.subject, TemplateExpression) or not all(
                    isinstance(c, TemplateExpression) for c in expression.choices):
                return False
            # A block that matches twice renders twice: in a Python loop of its own,
            # where `break` would mean something else.
            if compiler.loops and any(type(n) in (BreakNode, ContinueNode)
                                  for n in walk_nodes(block.block.nodes)):
                return False
        elif type(block) is not BlockNode:
            return False
    return True

def compile_case(compiler: TemplateCompiler, node: CaseNode, body: list[ast.stmt], *,
                 discard: bool) -> None:
    load, store, assign = compiler.load, compiler.store, compiler.set
    default = compiler.temp()
    body.append(compiler.at(assign(default, py.Constant(True)), node.token))
    current = compiler.bound  # what surely holds in the case's own code, block by block
    for block in node.blocks:
        compiler.bound = current
        if isinstance(block, MultiExpressionBlockNode):
            any_of: AnyOf = block.expression  # type: ignore[assignment]
            subject = compiler.evaluate(any_of.subject, body)  # type: ignore[arg-type]
            tests = [equality(compiler, subject, choice) for choice in any_of.choices]
            inner: list[ast.stmt] = []
            compiler.block(block.block.nodes, inner,
                           discard=discard or compiler.blank(block.block))
            once = inner or [ast.Pass()]
            if len(tests) == 1:
                matched = [assign(default, py.Constant(False)), *once]
                body.append(compiler.at(ast.If(tests[0], matched, []), block.token))
                current &= compiler.bound
                continue
            count = compiler.temp()
            matches = py.List(tests, ast.Load())
            body.append(compiler.at(assign(count, call(attr(matches, "count"),
                                                       py.Constant(True))), block.token))
            repeat = ast.For(store(compiler.temp()), call(load("range"), load(count)), once,
                             [])
            once_only = py.Compare(load(count), [ast.Eq()], [py.Constant(1)])
            body.append(compiler.at(ast.If(load(count), [
                assign(default, py.Constant(False)), ast.If(once_only, once, [repeat])], []),
                block.token))
        else:
            inner = []
            compiler.block(block.nodes, inner, discard=discard or compiler.blank(block))
            body.append(compiler.at(ast.If(load(default), inner or [ast.Pass()], []), block.token))
        current &= compiler.bound  # the block may or may not have run
    compiler.bound = current


# What a capture saves of the code around it, and points elsewhere while it renders: the
# list of pieces, its `append`, the output budget and the count since the last check.
_OUTPUT_NAMES = ("_o", "_w", "_b", "_n", "_lim")


def compile_capture(compiler: TemplateCompiler, node: CaptureNode,
                    body: list[ast.stmt]) -> None:
    load, store, assign = compiler.load, compiler.store, compiler.set
    token = node.token
    compiler.counting = True
    saved, text = compiler.temp(), compiler.temp()
    names = py.Tuple([load(n) for n in _OUTPUT_NAMES], LOAD)
    limit = compiler.env.output_stream_limit
    body.append(compiler.at(assign(saved, names), token))
    body.append(compiler.at(assign("_o", py.List([], LOAD)), token))
    body.append(compiler.at(assign("_w", attr(load("_o"), "append")), token))
    # As python-liquid's `context.get_buffer`: the limit less what the output holds.
    start = call(load("_captured"), load("_b"), py.Subscript(load(saved), py.Constant(0), LOAD),
                 py.Constant(limit), py.Constant(None))
    # The output's count since its last check, where it counts every character.
    compiler.counted.append((start, py.Subscript(load(saved), py.Constant(3), LOAD)))
    body.append(compiler.at(ast.Assign([py.Tuple([store("_b"), store("_lim")], STORE)], start),
                            token))
    body.append(compiler.at(assign("_n", py.Constant(0)), token))
    inner: list[ast.stmt] = []
    uncounted = compiler.uncounted
    compiler.block(node.block.nodes, inner, discard=compiler.blank(node.block))
    # Its text is checked against the limit before it is kept, as its buffer would be;
    # where `_n` counts every character since the last check, only if that many could
    # pass the limit (a character is at most four bytes).
    check: list[ast.stmt] = [ast.Expr(call(load("_room"), load("_b"), load("_o")))]
    if limit is None:
        check = []
    elif compiler.uncounted == uncounted:
        check = [ast.If(py.Compare(
            py.BinOp(load("_n"), ast.Mult(), py.Constant(4)), [ast.Gt()],
            [py.BinOp(attr(load("_b"), "limit"), ast.Sub(), attr(load("_b"), "size"))]),
            check, [])]
    restore = ast.Assign([py.Tuple([store(n) for n in _OUTPUT_NAMES], STORE)], load(saved))
    body.append(compiler.at(ast.Try(
        [*inner, *check, assign(text, call(attr(py.Constant(""), "join"), load("_o")))],
        [], [], [restore]), token))
    if compiler.escape_output:  # `usable` renders it only where the context escapes so
        # `Markup(text)` for the joined `str`, without its check for `__html__`.
        body.append(compiler.at(assign(text, call(load("_new_str"), load("_Markup"),
                                                  load(text))), token))
    compiler.assign_value(str(node.name), load(text), token, body)
