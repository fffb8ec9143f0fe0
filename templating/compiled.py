"""A template's compiled render function and how it renders: as a whole template, or as a
partial of a compiled ``render`` tag straight into the caller's list of pieces; when it
renders exactly as the nodes would (``usable``); and where in the template an error
raised by the generated code happened.

The function is built by ``templating.compiler`` and calls ``templating.runtime``.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Mapping
from io import StringIO
from typing import TYPE_CHECKING, Any

from liquid.context import RenderContext
from liquid.exceptions import (
    ContextDepthError,
    LiquidError,
    LiquidInterrupt,
    LiquidSyntaxError,
    OutputStreamLimitError,
    StopRender,
)
from liquid.output import LimitedStringIO
from liquid.token import Token

from ladle.grammar.errors import ExpressionError
from ladle.templating.budget import spend
from ladle.templating.compiler import TemplateCompiler
from ladle.templating.errors import from_expression
from ladle.templating.escaping import reset_escaping, set_escaping
from ladle.templating.internals import scope_maps
from ladle.templating.runtime import (
    NO_LOCALS_LIMIT,
    Lazy,
    LocalsBudget,
    OutputBudget,
    PartialContext,
)

if TYPE_CHECKING:
    from liquid.template import BoundTemplate


def _top(compiled: weakref.ref[CompiledTemplate], error: Exception, partial: bool,
         block_scope: bool) -> bool:
    """``CompiledTemplate.handle_top`` of the compiled template that raised ``error`` (held
    weakly by the generated code's globals)."""
    template = compiled()
    assert template is not None  # (its function is running)
    return template.handle_top(error, partial, block_scope)


class CompiledTemplate:
    """A template's compiled render function (the async one is compiled when first needed)."""

    __slots__ = ("__weakref__", "_async", "_template", "assigned", "env", "escape", "function",
                 "lines", "nodes", "simple")

    def __init__(self, template: BoundTemplate, escape_output: bool) -> None:
        # The template holds this, so this holds it weakly (nothing here holds this
        # strongly either): a template let go of is freed at once, not by the cyclic GC.
        self._template = weakref.ref(template)
        self.env = template.env
        self.nodes = template.nodes
        self.escape = escape_output
        compiler = TemplateCompiler(template, escape_output=escape_output, is_async=False)
        self.function, self.lines = self._build(compiler)
        self.assigned = frozenset(compiler.assigned)
        self.simple = not compiler.uses_context  # a `PartialContext` will do for it
        self._async: Any = None

    @property
    def template(self) -> BoundTemplate:
        template = self._template()
        assert template is not None  # (it renders through this)
        return template

    def _build(self, compiler: TemplateCompiler) -> tuple[Any, tuple[dict[int, Token],
                                                                     dict[int, Token]]]:
        module = compiler.function(self.nodes)
        namespace = compiler.namespace
        namespace["_top"] = functools.partial(_top, weakref.ref(self))
        filename = f"<template {self.template.name or 'string'}>"
        exec(compile(module, filename, "exec"), namespace)
        function = namespace.pop("render")  # (its globals would hold it)
        owner = weakref.ref(function)
        for value in namespace.values():
            if type(value) is Lazy:
                value.owner = owner
        return function, compiler.lines

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
        for mapping in scope_maps(context.scope):
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
        text = "".join(out)
        if budget is not None and type(buffer).write is LimitedStringIO.write:
            # The buffer's count of bytes, from what the budget has counted already.
            if budget.checked:
                size = budget.check(out)
            else:
                size = len(text) if text.isascii() else len(text.encode("utf-8"))
                if size > budget.limit:
                    raise OutputStreamLimitError("output stream limit reached", token=None)
            StringIO.write(buffer, text)
            buffer.size += size
            return
        buffer.write(text)

    def render_partial(self, context: RenderContext | PartialContext, out: list[str],
                       budget: OutputBudget | None, args: dict[str, object]) -> None:
        """Render as ``render_with_context(context, buffer, partial=True, block_scope=True)``
        would, for a compiled ``render`` tag: pieces go into the caller's ``out`` under its
        output budget. ``context`` is the partial's own fresh one (a ``PartialContext`` for
        ``simple`` templates); ``args`` are the tag's arguments, which its scope reads first."""
        spend(self.template.weight)  # type: ignore[attr-defined]
        maps = scope_maps(context.scope)
        # As `context.extend` checks before it puts the `partial` namespace in front of the
        # (empty) local names.
        if len(maps) > self.env.context_depth_limit:
            raise ContextDepthError("maximum context depth reached, possible recursive include",
                                    token=None)
        known = args if "partial" not in args else \
            {k: v for k, v in args.items() if k != "partial"}
        escaping = set_escaping(self.escape)
        maps.appendleft({"partial": True})
        try:
            self.function(context, out, budget, self.names_budget(), True, True, known)
        except LiquidError as error:
            if not error.template_name:
                error.template_name = self.template.path or self.template.name or None
            raise
        finally:
            maps.popleft()
            reset_escaping(escaping)

    def render_included(self, context: RenderContext, namespace: Mapping[str, object],
                        out: list[str], budget: OutputBudget | None) -> None:
        """Render as ``render_with_context(context, buffer, partial=True)`` would, for a
        compiled ``include`` tag whose arguments ``context`` holds already (and where this
        function is ``usable`` with the partial's ``namespace``): pieces go into the
        caller's ``out`` under its output budget."""
        spend(self.template.weight)  # type: ignore[attr-defined]
        escaping = set_escaping(self.escape)
        try:
            with context.extend(namespace):
                self.function(context, out, budget, self.names_budget(), True, False, None)
        except LiquidError as error:
            named = self.template.named(error)  # type: ignore[attr-defined]
            if named is error:
                raise
            raise named from error
        finally:
            reset_escaping(escaping)

    def names_budget(self) -> LocalsBudget:
        limit = self.env.local_namespace_limit
        return LocalsBudget(limit) if limit and self.assigned else NO_LOCALS_LIMIT

    async def render_async(self, context: RenderContext, buffer: Any, partial: bool,
                           block_scope: bool) -> None:
        if self._async is None:
            compiler = TemplateCompiler(self.template, escape_output=self.escape, is_async=True)
            self._async = self._build(compiler)  # its own lines: its code is not the same
        function = self._async[0]
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
        functions = [(self.function, self.lines)]
        if self._async is not None:
            functions.append(self._async)
        while traceback is not None:
            line = traceback.tb_lineno
            for function, (tops, tokens) in functions:
                if traceback.tb_frame.f_code is function.__code__ and line in tokens:
                    found = (tops[line], tokens[line])
            traceback = traceback.tb_next
        return found

    def handle_top(self, error: Exception, partial: bool, block_scope: bool) -> bool:
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
