"""Compiling loops for ``templating.compiler``: the items of a plain loop (no ``limit``,
``offset`` or ``reversed``), made by ``runtime.loop_items`` from its iterable as the
compiled code evaluates it, and ``tablerow`` (without ``break`` or ``continue`` in its
block), which becomes a Python loop writing the rows and cells ``TablerowNode`` writes.
The pieces both append are counted against the output budget as every piece is.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from liquid.token import Token

from ladle.grammar import pyast as py
from ladle.templating import runtime
from ladle.templating.expression import TemplateExpression
from ladle.templating.tag_compiler import attr, call
from ladle.templating.tags.for_tag import WeightedLoop
from ladle.templating.tags.tablerow_tag import Tablerow, interrupts

if TYPE_CHECKING:
    from ladle.templating.compiler import TemplateCompiler

# What the code compiled here and by ``tag_compiler`` calls, by the names it uses.
LOOP_NAMES: Mapping[str, object] = MappingProxyType({
    "_items": runtime.loop_items,
    "_enter": runtime.enter_loop,
    "_table_row": runtime.table_row,
    "_NO_COLUMNS": runtime.NO_COLUMNS,
    "_disabled": runtime.check_disabled,
    "_cycle_fixed": runtime.cycle_fixed,
    "_new_str": str.__new__,
})


def append_piece(compiler: TemplateCompiler, value: ast.expr, token: Token,
                 body: list[ast.stmt]) -> None:
    """``_w(_p := value); _n += len(_p)``: ``_n`` counts the characters appended since
    the last check (``limit_check``). Outside loops, where nothing checks before the
    render ends, only ``_w(value)``: such code appends a bounded amount. (Not in a
    template with a capture, whose limit is quicker to work out from an exact ``_n``.)"""
    load, store = compiler.load, compiler.store
    compiler.appends += 1
    if not compiler.loops and not compiler.count_everywhere:
        compiler.uncounted += 1
        body.append(compiler.at(ast.Expr(call(load("_w"), value)), token))
        return
    if isinstance(value, ast.Constant):
        body.append(compiler.at(ast.Expr(call(load("_w"), value)), token))
        size: ast.expr = py.Constant(len(str(value.value)))
    else:
        body.append(compiler.at(ast.Expr(call(load("_w"), py.NamedExpr(
            store("_p"), value))), token))
        size = call(load("_len"), load("_p"))
    compiler.counting = True
    body.append(compiler.at(ast.AugAssign(store("_n"), ast.Add(), size), token))


def limit_check(compiler: TemplateCompiler, token: Token) -> ast.stmt:
    """``if _n > _lim: _lim = _room(_b, _o); _n = 0``: the output is checked against its
    limit once ``_n`` passes what was left. Made at the start of each pass of a loop that
    appends (and at the end of a capture): without loops a function appends a bounded
    amount, checked when the render ends (one check a loop pass, not one a piece, keeps
    the generated code small)."""
    load, assign = compiler.load, compiler.set
    compiler.counting = True
    return compiler.at(ast.If(
        py.Compare(load("_n"), [ast.Gt()], [load("_lim")]),
        [assign("_lim", call(load("_room"), load("_b"), load("_o"))),
         assign("_n", py.Constant(0))], []), token)


def plain_items(compiler: TemplateCompiler, loop: Any) -> ast.expr | None:
    """``_items(_ctx, iterable, name, loop)`` for a loop without ``limit``, ``offset``
    or ``reversed`` whose iterable is ladle's (None for any other)."""
    load = compiler.load
    iterable = loop.iterable
    if type(loop) is not WeightedLoop or loop.limit is not None or \
            loop.offset is not None or loop.reversed or \
            not isinstance(iterable, TemplateExpression) or iterable.condition:
        return None
    compiler.uses_context = True
    key = py.Constant(f"{loop.identifier}-{iterable}")  # as `LoopExpression` names it
    return call(load("_items"), load("_ctx"), compiler.evaluation(iterable), key,
                compiler.bind(loop, "_x"))


def tablerow_compiles(node: Any) -> bool:
    return type(node) is Tablerow and not interrupts(node.block.nodes)


def _cell_end(record: ast.expr) -> ast.expr:
    """``'</td>'``, closing the row too after its last cell (but the table's last):
    ``'</td></tr>\\n<tr class="row{record.row + 1}">' if record.col_last and not
    record.last else '</td>'``."""
    next_row = py.JoinedStr([py.Constant('</td></tr>\n<tr class="row'), py.FormattedValue(
        py.BinOp(attr(record, "row"), ast.Add(), py.Constant(1)), -1, None),
        py.Constant('">')])
    ends_row = py.BoolOp(ast.And(), [attr(record, "col_last"),
                                      py.UnaryOp(ast.Not(), attr(record, "last"))])
    return py.IfExp(ends_row, next_row, py.Constant("</td>"))


def compile_tablerow(compiler: TemplateCompiler, node: Tablerow, body: list[ast.stmt], *,
                     discard: bool) -> None:
    load, store, assign = compiler.load, compiler.store, compiler.set
    compiler.uses_context = True
    loop = node.expression
    name = loop.identifier
    token = node.token
    body.append(compiler.at(ast.Expr(call(load("_disabled"), compiler.bind(node, "_n"),
                                          load("_ctx"))), token))
    it, length, record, namespace, item, stop = (compiler.temp() for _ in range(6))
    body.append(compiler.at(ast.Assign([py.Tuple([store(it), store(length)], ast.Store())],
                                       compiler.loop_iterable(loop)), loop.token))
    # The block first: whether it renders a node by its own method decides the rest.
    before = compiler.bound
    compiler.loops.extend((name, "tablerowloop"))
    inner, catches = compiler.loop_block(node.block.nodes, discard or compiler.blank(node.block))
    del compiler.loops[-2:]
    compiler.bound = frozenset() if catches else before  # (a node in it may change the scope)
    cols = loop.cols
    columns = load("_NO_COLUMNS") if cols is None else compiler.tag_value(cols, token)
    started: list[ast.stmt] = [compiler.at(assign(record, call(
        load("_table_row"), load("_ctx"), py.Constant(name), load(it), load(length),
        columns)), token)]
    started.append(compiler.at(assign(namespace, py.Dict([py.Constant("tablerowloop")],
                                                         [load(record)])), token))

    def write(value: ast.expr, into: list[ast.stmt]) -> None:
        if not discard:  # in a blank block: rendered for its effects alone
            append_piece(compiler, value, token, into)

    write(py.Constant('<tr class="row1">\n'), started)
    started.append(compiler.at(ast.Expr(call(load("_enter"), load("_ctx"), load(length),
                                             load(record), load(namespace))), token))
    started.append(compiler.at(ast.Assign([py.Subscript(load("_v"), py.Constant(
        "tablerowloop"), ast.Store())], load(record)), token))
    each: list[ast.stmt] = [compiler.at(ast.Assign([
        py.Subscript(load(namespace), py.Constant(name), ast.Store()),
        py.Subscript(load("_v"), py.Constant(name), ast.Store())], load(item)), token)]
    if not discard:
        each.append(limit_check(compiler, token))
    if getattr(compiler.env, "time_limit", None) is not None:
        each.append(compiler.at(ast.Expr(call(load("_tick"))), token))
    write(py.JoinedStr([py.Constant('<td class="col'), py.FormattedValue(
        attr(load(record), "col"), -1, None), py.Constant('">')]), each)
    if catches:  # python-liquid's: the cell is closed after a `break` or `continue` too
        each.append(compiler.at(assign(stop, py.Constant(False)), token))
        each.append(compiler.at(ast.Try(inner or [ast.Pass()], [
            ast.ExceptHandler(load("_Break"), None, [assign(stop, py.Constant(True))]),
            ast.ExceptHandler(load("_Continue"), None, [ast.Pass()])], [], []), token))
    else:
        each.extend(inner)
    write(_cell_end(load(record)), each)
    if catches:
        each.append(compiler.at(ast.If(load(stop), [ast.Break()], []), token))
    cleanup: list[ast.stmt] = [ast.Expr(call(load("_leave"), load("_ctx"), load("_v"),
                                             py.Constant(name), py.Constant("tablerowloop")))]
    started.append(compiler.at(ast.Try(
        [ast.For(store(item), load(record), each, [])], [], [], cleanup), token))
    write(py.Constant("</tr>\n"), started)
    body.append(compiler.at(ast.If(load(length), started, []), token))
