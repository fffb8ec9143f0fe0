"""What the compiled function of a template calls while it renders: its ``Frame`` of
variables, the output and local-name budgets, loops, nodes rendered by their own method,
the ``render`` tag (compiled partials write straight into the caller's list of pieces),
and the helpers that make values output text.

``templating.compiler`` binds these in the namespace of every function it builds.
"""

from __future__ import annotations

import sys
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from io import StringIO
from itertools import chain, islice
from types import FunctionType
from typing import TYPE_CHECKING, Any, TypeVar

from liquid.ast import Node
from liquid.builtin.drops import IterableDrop
from liquid.builtin.tags.cycle_tag import CycleNode
from liquid.builtin.tags.for_tag import ForLoop
from liquid.builtin.tags.include_tag import TAG_INCLUDE, IncludeNode
from liquid.builtin.tags.render_tag import RenderNode
from liquid.builtin.tags.tablerow_tag import TableRow
from liquid.context import RenderContext, builtin
from liquid.exceptions import (
    ContextDepthError,
    LiquidValueError,
    LocalNamespaceLimitError,
    LoopIterationLimitError,
    OutputStreamLimitError,
    TemplateNotFoundError,
)
from liquid.limits import to_int
from liquid.output import LimitedStringIO, NullIO
from liquid.stringify import to_liquid_string
from liquid.undefined import is_undefined
from liquid.utils import ReadOnlyChainMap
from markupsafe import Markup

from ladle.templating.budget import current as current_budget
from ladle.templating.budget import spend
from ladle.templating.expression import TemplateExpression, truth
from ladle.templating.internals import copy_depth, escape_text, scope_maps
from ladle.templating.text import output_text

T = TypeVar("T")

if TYPE_CHECKING:
    from liquid.template import BoundTemplate

    from ladle.templating.tags.for_tag import WeightedLoop


class Frame(dict[str, Any]):
    """Variables as the compiled code reads them: a cache of the render context's scope."""

    __slots__ = ("scope",)

    def __init__(self, scope: Any, known: Mapping[str, Any] | None = None) -> None:
        super().__init__(known or ())  # `known`: values the scope is known to give
        self.scope = scope

    def __missing__(self, key: str) -> Any:
        value = _find(scope_maps(self.scope), key)  # KeyError when it is not defined anywhere
        self[key] = value
        return value

    def __contains__(self, key: object) -> bool:
        return dict.__contains__(self, key) or key in self.scope

    def __iter__(self) -> Iterator[str]:
        # Every name in scope, not only those read so far (strict mode's did-you-mean).
        return chain(dict.__iter__(self), self.scope)


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
                return _find(scope_maps(mapping), key)
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

    __slots__ = ("chars", "checked", "limit", "seen", "size")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.checked = 0  # the pieces of the output counted, whose bytes are `size`
        self.size = 0
        self.seen = 0  # the pieces whose characters are counted: `chars` after `checked`
        self.chars = 0

    def check(self, out: list[str]) -> int:
        """The size in UTF-8 bytes of ``out``; raises past the limit."""
        # The new pieces joined: their bytes in UTF-8 are the pieces' bytes added up.
        text = "".join(out[self.checked:])
        size = self.size + (len(text) if text.isascii() else len(text.encode("utf-8")))
        self.checked = self.seen = len(out)
        self.chars = 0
        self.size = size
        if size > self.limit:
            raise OutputStreamLimitError("output stream limit reached", token=None)
        return size

    def room(self, out: list[str]) -> int:
        """Check ``out``; the characters that may be appended before the next check."""
        return max((self.limit - self.check(out)) // 4, _SMALL_PIECE)

    def upper(self, out: list[str]) -> int:
        """An upper bound of the size of ``out`` (four bytes a character after the pieces
        counted), without a loop over its pieces."""
        end = len(out)
        if self.seen < end:
            self.chars += sum(map(len, out[self.seen:]))
            self.seen = end
        return self.size + 4 * self.chars

    def exact(self) -> None:
        """Make ``limit`` exact (a ``CapturedBudget``'s starts as a lower bound)."""


# Characters a function may append between checks however close the limit is.
_SMALL_PIECE = 1024
_UNLIMITED = sys.maxsize


def room(budget: OutputBudget | None, out: list[str]) -> int:
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

    def assign(self, context: RenderContext, frame: dict[str, object] | None, key: str,
               value: T) -> T:
        """``context.assign(key, value)`` for compiled code, also into its ``frame`` (unless
        None), then counted: ``value``."""
        context.locals[key] = value
        if frame is not None:
            frame[key] = value
        if self.limit:
            self.add(context, key, value)
        return value

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
    """The local namespace is not limited (or nothing is assigned): nothing to count (a
    limit of 0: ``assign`` only assigns)."""

    __slots__ = ()

    def __init__(self) -> None:
        super().__init__(0)

    def forget(self) -> None:
        pass


NO_LOCALS_LIMIT = _NoLocalsLimit()  # stateless: shared


class PartialContext:
    """All that the compiled function of a ``simple`` partial (no loops, partials or tags
    of other kinds) reads of its render context: the scope and local names of the context
    ``_copy`` would make for it (which costs more to make than such a partial to render)."""

    __slots__ = ("local_namespace_size_carry", "locals", "scope")

    def __init__(self, parent: RenderContext, args: dict[str, object], carry: int) -> None:
        self.locals: dict[str, object] = {}
        # As many maps as that context's scope, and read the same: its globals are the
        # arguments in front of the caller's, and its counters (last) stay empty without
        # `increment` or `decrement`.
        self.scope = ReadOnlyChainMap(self.locals, args, parent.globals, builtin)
        self.local_namespace_size_carry = carry


class Length:
    """Stands for a loop on the context's loop stack when no ``forloop`` is needed: the
    iteration limit multiplies the lengths of the enclosing loops."""

    __slots__ = ("length",)

    def __init__(self, length: int) -> None:
        self.length = length


def enter_loop(context: RenderContext, length: int, record: object,
               namespace: dict[str, object]) -> None:
    """What ``RenderContext.loop`` checks and records when a loop starts."""
    context.raise_for_loop_limit(length)
    maps = scope_maps(context.scope)
    if len(maps) > context.env.context_depth_limit:
        raise ContextDepthError("maximum context depth reached, possible recursive include",
                                token=None)
    context.loops.append(record)  # type: ignore[arg-type]
    maps.appendleft(namespace)


def loop_items(context: RenderContext, value: Any, key: str,
               loop: WeightedLoop) -> tuple[Iterator[object], int]:
    """What a loop without ``limit``, ``offset`` or ``reversed`` iterates (as
    ``WeightedLoop.evaluate`` makes it, given its iterable's ``value`` and its name ``key``):
    its items and their count, recorded for a later ``offset: continue``. Its work is
    spent from the budget (the loop's ``weight``, counted when first rendered)."""
    kind = type(value)
    it: Iterator[object]
    if kind is list or kind is tuple:
        it, length = iter(value), len(value)
    elif kind is dict:
        it, length = iter(value.items()), len(value)
    else:
        it, length = _iterable(value, context)
        it = islice(it, 0, length)
    context.tag_namespace["stopindex"][key] = length  # as `context.stopindex` records it
    if length:
        weight = loop.weight
        if weight:
            spend(length * weight)
    return it, length


def _iterable(value: object, context: RenderContext) -> tuple[Iterator[object], int]:
    """``LoopExpression``'s reading of a value as the items of a loop."""
    if isinstance(value, Mapping):
        return iter(value.items()), len(value)
    if isinstance(value, range):
        try:
            return iter(value), len(value)
        except OverflowError as error:
            raise LiquidValueError("range literal length limit reached", token=None) from error
    if isinstance(value, str) and not context.env.string_sequences:
        return (iter(()), 0) if not value else (iter((value,)), 1)
    if isinstance(value, Sequence):
        return iter(value), len(value)
    return iter(()), 0


NO_COLUMNS = object()  # a ``tablerow`` without ``cols:``


def table_row(context: RenderContext, name: str, it: Iterator[object], length: int,
              cols: object) -> TableRow:
    """A ``tablerow``'s loop record, as ``Tablerow`` makes it: ``cols`` is its ``cols:``
    value (``length`` without one); a value that is no whole number means 0."""
    if cols is not NO_COLUMNS:
        try:
            cols = to_int(cols)
        except (ValueError, TypeError):
            cols = 0
    else:
        cols = length
    context.raise_for_loop_limit(length)
    return TableRow(name, it, length, cols)


def check_disabled(node: Node, context: RenderContext) -> None:
    """``Node.render``'s check that the tag may be used here."""
    if context.disabled_tags:
        node.raise_for_disabled(context.disabled_tags)


def tick() -> None:
    current = current_budget()
    if current is not None:
        current.tick()


def start_forloop(context: RenderContext, frame: Frame, name: str, key: str,
                  items: Iterator[object], length: int) -> tuple[ForLoop, dict[str, object]]:
    """A loop's ``forloop`` and namespace (``forloop`` and its variable), entered as
    ``RenderContext.loop`` enters them; the frame reads ``forloop`` from here on. One call
    for what would be four statements of generated code."""
    record = ForLoop(key, items, length, context.parentloop())
    namespace: dict[str, object] = {"forloop": record, name: None}
    enter_loop(context, length, record, namespace)
    frame["forloop"] = record
    return record, namespace


def start_loop(context: RenderContext, name: str, length: int) -> dict[str, object]:
    """As ``start_forloop`` for a loop whose body cannot read ``forloop``: its namespace
    holds only its variable, and the loop stack a ``Length``."""
    namespace: dict[str, object] = {name: None}
    enter_loop(context, length, Length(length), namespace)
    return namespace


def leave_loop(context: RenderContext, frame: Frame, name: str, record: str) -> None:
    """Undo what starting a loop did: its namespace, its record on the loop stack, and
    its variable and record (``forloop`` or ``tablerowloop``) in the frame."""
    scope_maps(context.scope).popleft()
    context.loops.pop()
    frame.pop(name, None)
    frame.pop(record, None)


def _fallback_buffer(out: list[str], budget: OutputBudget | None) -> StringIO:
    if budget is None:
        return StringIO()
    budget.exact()
    buffer = LimitedStringIO(budget.limit, newline="")
    buffer.size = budget.check(out)  # a partial rendered by the node carries it on
    return buffer


def fallback(node: Node, context: RenderContext, out: list[str],
             budget: OutputBudget | None) -> None:
    buffer = _fallback_buffer(out, budget)
    try:
        node.render(context, buffer)
    finally:  # what it wrote before a break (or an error, in a tolerant mode) stays
        out.append(buffer.getvalue())


async def fallback_async(node: Node, context: RenderContext, out: list[str],
                         budget: OutputBudget | None) -> None:
    buffer = _fallback_buffer(out, budget)
    try:
        await node.render_async(context, buffer)
    finally:
        out.append(buffer.getvalue())


def partial_template(node: RenderNode, context: RenderContext) -> BoundTemplate:
    """The partial a compiled ``{% render 'name' %}`` renders, loaded as ``RenderNode`` loads
    it (before its arguments are evaluated)."""
    try:
        return context.env.get_template(node.name.value, context=context,  # type: ignore[union-attr]
                                        tag=node.tag)
    except TemplateNotFoundError as error:
        error.token = node.name.token
        error.template_name = context.template.full_name()
        raise


def include_template(node: IncludeNode, context: RenderContext) -> BoundTemplate:
    """The partial a compiled ``{% include 'name' %}`` renders, loaded as ``IncludeNode``
    loads it (where the tag is allowed, before its arguments are evaluated)."""
    if context.disabled_tags:
        node.raise_for_disabled(context.disabled_tags)
    return partial_template(node, context)  # type: ignore[arg-type]


def include_tag(template: BoundTemplate, args: dict[str, object], context: RenderContext,
                out: list[str], budget: OutputBudget | None) -> None:
    """``{% include 'name', key: value %}`` as ``IncludeNode`` renders ``template`` in the
    caller's context (extended with ``args``), straight into ``out`` when the partial is
    compiled too."""
    with context.extend(args, template=template):
        compiled = getattr(template, "compiled", None)
        if getattr(template, "fast_partial", False):
            namespace = template.make_partial_namespace(True, {})
            if compiled.usable(context, namespace):  # type: ignore[union-attr]
                compiled.render_included(context, namespace, out, budget)  # type: ignore[union-attr]
                return
        buffer = _fallback_buffer(out, budget)
        try:
            template.render_with_context(context, buffer, partial=True)
        finally:
            out.append(buffer.getvalue())


def render_tag(template: BoundTemplate, args: dict[str, object], context: RenderContext,
               out: list[str], budget: OutputBudget | None, names: LocalsBudget | None,
               node: RenderNode | None = None, value: object = None) -> None:
    """``{% render 'name', key: value %}`` as ``RenderNode`` renders ``template`` with the
    arguments ``args`` (evaluated by the compiled code), writing straight into ``out``
    when the partial is compiled too. With ``node`` (a tag with ``with`` or ``for``),
    ``value`` is its variable's value, bound as the node binds it: one context for every
    item, as python-liquid's."""
    compiled = getattr(template, "compiled", None)
    fast = getattr(template, "fast_partial", False)
    partial: Any
    if fast and compiled.simple:  # type: ignore[union-attr]
        if copy_depth(context) > context.env.context_depth_limit:  # as `context.copy` checks
            raise ContextDepthError("maximum context depth reached, possible recursive render",
                                    token=None)
        carry = 0
        if compiled.assigned and compiled.env.local_namespace_limit:  # type: ignore[union-attr]
            # The caller's local names count against the partial's.
            carry = _size_of_locals(context, names)
        partial = PartialContext(context, args, carry)
        direct = True
    else:
        partial = _copy(context, ReadOnlyChainMap(args), template, names)
        direct = fast and partial.autoescape == compiled.escape  # type: ignore[union-attr]
    if node is None:
        _render_partial(template, direct, partial, args, out, budget)
        return
    key = str(node.alias or template.name.split(".")[0])
    if node.loop and isinstance(value, (tuple, list, IterableDrop)):
        check = getattr(partial, "raise_for_loop_limit", None)
        if check is not None:
            check(len(value))
        elif (limit := context.env.loop_iteration_limit) and \
                len(value) * _loop_carry(context) > limit:
            raise LoopIterationLimitError("loop iteration limit reached", token=None)
        forloop = ForLoop(name=key, it=iter(value), length=len(value),
                          parentloop=context.env.undefined("parentloop", token=node.token))
        args["forloop"] = forloop
        args[key] = None
        for item in forloop:
            args[key] = item
            _render_partial(template, direct, partial, args, out, budget)
    else:
        args[key] = value
        _render_partial(template, direct, partial, args, out, budget)


def _render_partial(template: BoundTemplate, direct: bool, partial: Any,
                    args: dict[str, object], out: list[str],
                    budget: OutputBudget | None) -> None:
    """Render ``template`` once in its context ``partial``: through its compiled function
    (``direct``), or as python-liquid's own tag does, via a buffer."""
    if direct:
        template.compiled.render_partial(partial, out, budget, args)  # type: ignore[attr-defined]
        return
    render_into = getattr(template, "render_into", None)
    if render_into is not None:
        if budget is not None:
            budget.exact()  # it limits its buffer by `budget.limit`
        render_into(partial, out, budget)
        return
    buffer = _fallback_buffer(out, budget)
    try:
        template.render_with_context(partial, buffer, partial=True, block_scope=True)
    finally:
        out.append(buffer.getvalue())


def _loop_carry(context: RenderContext) -> int:
    """The loop iterations a copy of ``context`` carries (``carry_loop_iterations``)."""
    carry: int = context.loop_iteration_carry
    for loop in context.loops:
        carry *= loop.length
    return carry


def _size_of_locals(context: RenderContext, names: LocalsBudget | None) -> int:
    """``context.get_size_of_locals()``, as ``names`` has counted it already where it has."""
    if names is not None and names.sizes is not None:
        return names.total
    return context.get_size_of_locals()


def _copy(context: RenderContext, namespace: ReadOnlyChainMap, template: BoundTemplate,
          names: LocalsBudget | None) -> RenderContext:
    """``context.copy(namespace, disabled_tags=["include"], carry_loop_iterations=True,
    template=template)``, with the size of the local names as counted already."""
    kind = type(context)
    if kind.copy is not RenderContext.copy or kind.get_size_of_locals is not \
            RenderContext.get_size_of_locals:
        return context.copy(namespace, disabled_tags=[TAG_INCLUDE], carry_loop_iterations=True,
                            template=template)
    if copy_depth(context) > context.env.context_depth_limit:
        raise ContextDepthError("maximum context depth reached, possible recursive render",
                                token=None)
    return kind(template, globals=_Namespaces(namespace, context.globals),
                disabled_tags=[TAG_INCLUDE], copy_depth=copy_depth(context) + 1,
                parent_context=context, loop_iteration_carry=_loop_carry(context),
                local_namespace_size_carry=_size_of_locals(context, names))


def cycle_text(node: CycleNode, context: RenderContext, group: object,
               values: list[object]) -> str:
    """What ``node`` outputs (as ``CycleNode`` does), given the values of its group (None
    without one) and of its arguments."""
    if context.disabled_tags:
        node.raise_for_disabled(context.disabled_tags)
    name = "" if node.group is None else "__UNDEFINED" if is_undefined(group) else str(group)
    key: object = (name, tuple(values)) if node.group_by_args else name or str(values)
    index = context.cycle(key, len(values))
    if index >= len(values):
        return ""
    return to_liquid_string(values[index], autoescape=context.autoescape)


def cycle_fixed(node: CycleNode, context: RenderContext, key: object,
                texts: tuple[str, ...]) -> str:
    """``cycle_text`` for literal values without a group: the ``key`` of their counter
    and their output ``texts`` are made once."""
    if context.disabled_tags:
        node.raise_for_disabled(context.disabled_tags)
    counters = context.tag_namespace["cycles"]  # as `context.cycle` counts
    index = counters.get(key, 0)
    counters[key] = (index + 1) % len(texts)
    return texts[index] if index < len(texts) else ""  # a group named as this key counts


class CapturedBudget(OutputBudget):
    """A ``capture`` block's budget: the environment's limit less what the output around
    it holds (as python-liquid's ``context.get_buffer`` makes its buffer). Its limit
    starts from an upper bound of that output's size (four bytes a character, with no
    loop over its pieces) and is made exact before it is ever found passed."""

    __slots__ = ("outer", "outer_out", "whole")

    def __init__(self, limit: int, outer: OutputBudget, outer_out: list[str],
                 whole: int) -> None:
        self.limit = limit  # (as `OutputBudget.__init__` sets them: one call less)
        self.checked = self.size = self.seen = self.chars = 0
        self.outer: OutputBudget | None = outer
        self.outer_out = outer_out  # unchanged while the block renders
        self.whole = whole

    def check(self, out: list[str]) -> int:
        try:
            return super().check(out)
        except OutputStreamLimitError:
            self.exact()  # passed the lower bound: the exact limit decides
            if self.size > self.limit:
                raise
            return self.size

    def exact(self) -> None:
        outer = self.outer
        if outer is not None:
            self.outer = None
            self.limit = self.whole - outer.check(self.outer_out)


def captured_budget(budget: OutputBudget | None, out: list[str], limit: int | None,
                    counted: int | None) -> tuple[OutputBudget | None, int]:
    """The output budget of a ``capture`` block and the characters the block may append
    before its first check; ``counted``, where known, the characters appended to ``out``
    since ``budget`` last checked it."""
    if limit is None:
        return None, _UNLIMITED
    if budget is None:
        return OutputBudget(limit), max(limit // 4, _SMALL_PIECE)
    # At most four bytes a character: an upper bound of the output's size, no loop.
    upper = budget.upper(out) if counted is None else budget.size + 4 * counted
    return CapturedBudget(limit - upper, budget, out, limit), \
        max((limit - upper) // 4, _SMALL_PIECE)


def discard(node: Node, context: RenderContext) -> None:
    node.render(context, NullIO())


async def discard_async(node: Node, context: RenderContext) -> None:
    await node.render_async(context, NullIO())


# Kinds of value that are true whatever they hold (as ``grammar.truthy`` says).
_TRUE_KINDS = frozenset({int, str, float, list, dict, tuple})


def test(value: object) -> bool:
    """Liquid's truth of an ``if`` test's value: ``True``, ``False``, nil and the plain
    kinds of data without calling ``truth``."""
    if value is True:
        return True
    if value is False or value is None:
        return False
    return type(value) in _TRUE_KINDS or truth(value)


def text_helpers(limit: int | None) -> tuple[Callable[[object], str], Callable[[object], str]]:
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


class Lazy:
    """A stand-in that compiles ``expression`` on its first call and puts the compiled
    function in its place, among the globals of the function that calls it (``owner``,
    set once that is made; the same function whichever thread gets there first). One
    object, not a closure and its cells, and no reference to those globals: a template
    that is let go of is freed at once, not left for the cyclic garbage collector."""

    __slots__ = ("expression", "key", "owner")

    def __init__(self, key: str, expression: TemplateExpression) -> None:
        self.key = key
        self.expression = expression
        self.owner: weakref.ref[FunctionType] | None = None

    def __call__(self, data: Any) -> Any:
        function = self.expression.compiled.evaluate
        owner = None if self.owner is None else self.owner()
        if owner is not None:
            owner.__globals__[self.key] = function
        return function(data)
