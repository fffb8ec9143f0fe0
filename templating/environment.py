"""``templating.Environment``: python-liquid's environment with ladle's tags and filters."""

from __future__ import annotations

import copyreg
import functools
import re
from collections.abc import Callable, Iterator, Mapping
from io import StringIO
from pathlib import Path
from typing import Any, TextIO

import liquid
from liquid.ast import Node
from liquid.builtin.expressions.primitive import Identifier
from liquid.context import RenderContext
from liquid.exceptions import LiquidError, LiquidSyntaxError, TemplateNotFoundError
from liquid.output import LimitedStringIO
from liquid.template import BoundTemplate
from liquid.token import TOKEN_EXPRESSION, TOKEN_TAG, Token

from ladle import filters, grammar
from ladle.filters.limits import guarded
from ladle.grammar.names import function_table
from ladle.grammar.parser import parse as parse_expression
from ladle.templating import budget, lexer, tags
from ladle.templating.compiled import CompiledTemplate
from ladle.templating.errors import TemplateNotFound, TemplateReadError, TemplateSyntaxError
from ladle.templating.escaping import escapes_by_name, escaping_as
from ladle.templating.expression import compile_uncached
from ladle.templating.loaders import CachingFileSystemLoader, FileSystemLoader, not_found
from ladle.templating.tags.parsing import BlockParser, TemplateStream
from ladle.templating.walk import work


class Output(LimitedStringIO):
    """python-liquid's size-limited output buffer, without its newline translation.

    ``LimitedStringIO`` passes ``newline=None`` to ``StringIO``, which turns every ``\r``
    and ``\r\n`` written into ``\n``; templates must render their text as written.
    """

    def __init__(self, limit: int) -> None:
        super().__init__(limit=limit, newline="")


class TimedOutput(Output):
    """An output buffer that checks the render's time limit on every write."""

    def write(self, text: str) -> int:
        current = budget.current()
        if current is not None:
            current.tick()
        return super().write(text)


def _output(env: Any, limit: int) -> Output:
    return Output(limit) if getattr(env, "time_limit", None) is None else TimedOutput(limit)


class Context(RenderContext):
    """A render context that escapes as its template says."""

    def __init__(self, template: BoundTemplate, **kwargs: Any) -> None:
        super().__init__(template, **kwargs)
        self.autoescape = getattr(template, "escape", self.env.autoescape)

    def get_buffer(self, buf: TextIO | None = None) -> StringIO:
        limit = self.env.output_stream_limit
        if limit is None:
            return StringIO()
        carry = buf.size if isinstance(buf, LimitedStringIO) else 0
        return _output(self.env, limit - carry)

    def raise_for_loop_limit(self, length: int = 1) -> None:
        super().raise_for_loop_limit(length)
        budget.spend(length)


def _compiled(template: Template) -> CompiledTemplate | None:
    """The template's compiled function, or None to walk its nodes: with ``compiled=False``,
    and where Python cannot compile the function (loops nested past its limit of 20
    blocks), which the nodes render all the same."""
    if not getattr(template.env, "compile_templates", False):
        return None
    try:
        return CompiledTemplate(template, template.escape)
    except RecursionError:
        return None
    except SyntaxError as error:
        if "nested blocks" in str(error.msg):  # any other would be a bug of the compiler
            return None
        raise


class Template(BoundTemplate):
    """A bound template that knows whether to escape and whose errors name it.

    It renders through its compiled function (``compiled``) unless its environment was
    made with ``compiled=False``, or where that function would not render exactly as the
    nodes do (see ``CompiledTemplate.usable``).
    """

    context_class = Context

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.escape = escapes_by_name(self.env, self.path or self.name)
        self.compiled = _compiled(self)
        # Rendered by a compiled `render` tag, straight through the compiled function.
        self.fast_partial = (self.compiled is not None and "partial" not in self.compiled.assigned
                             and type(self).render_with_context is Template.render_with_context)

    def __getstate__(self) -> dict[str, Any]:
        # A compiled function cannot be pickled: it is compiled again when unpickled.
        state = self.__dict__.copy()
        state["compiled"] = None
        state.pop("weight", None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.compiled = _compiled(self)

    def _get_buffer(self) -> StringIO:
        limit = self.env.output_stream_limit
        return StringIO() if limit is None else _output(self.env, limit)

    @functools.cached_property
    def weight(self) -> int:
        """Work units one render of this template spends as a partial (``budget``)."""
        factor = 1 if self.compiled is not None else budget.INTERPRETED
        return budget.PARTIAL_COST + work(self.nodes) * factor

    def render(self, *args: Any, **kwargs: Any) -> str:
        token = budget.begin(self.env)
        try:
            return super().render(*args, **kwargs)
        finally:
            budget.end(token)

    async def render_async(self, *args: Any, **kwargs: Any) -> str:
        token = budget.begin(self.env)
        try:
            return await super().render_async(*args, **kwargs)
        finally:
            budget.end(token)

    def render_with_context(self, context: RenderContext, buffer: TextIO, *args: Any,
                            partial: bool = False, block_scope: bool = False,
                            **kwargs: Any) -> None:
        token = budget.begin(self.env)
        try:
            if partial:
                budget.spend(self.weight)
            with escaping_as(self.escape):
                compiled = self.compiled
                namespace = self.make_partial_namespace(partial, dict(*args, **kwargs))
                if compiled is not None and compiled.usable(context, namespace):
                    with context.extend(namespace=namespace):
                        compiled.render(context, buffer, partial, block_scope)
                else:
                    super().render_with_context(context, buffer, *args, partial=partial,
                                                block_scope=block_scope, **kwargs)
        except LiquidError as error:
            named = self.named(error)
            if named is error:
                raise
            raise named from error
        finally:
            budget.end(token)

    def named(self, error: LiquidError) -> LiquidError:
        """``error``, naming this template unless it names one already; python-liquid's
        error for a partial it cannot find (an inline snippet) as ladle's."""
        if type(error) is TemplateNotFoundError:
            converted = self.env.not_found(error, error.message)  # type: ignore[attr-defined]
            converted.token, converted.template_name = error.token, error.template_name
            error = converted
        if not error.template_name:
            error.template_name = self.path or self.name or None
        return error

    def render_into(self, context: RenderContext, out: list[str], output: Any) -> None:
        """``render_with_context(context, buffer, partial=True, block_scope=True)`` for a
        compiled ``render`` tag that cannot render this template through its compiled
        function (``CompiledTemplate.render_partial``): through this environment's kind of
        buffer (timed, under a time limit), whose text goes into ``out`` under the caller's
        output budget."""
        buffer = StringIO() if output is None else _output(self.env, output.limit)
        if output is not None:
            buffer.size = output.check(out)  # type: ignore[attr-defined]
        try:
            self.render_with_context(context, buffer, partial=True, block_scope=True)
        finally:
            out.append(buffer.getvalue())

    async def render_with_context_async(self, context: RenderContext, buffer: TextIO,
                                        *args: Any, partial: bool = False,
                                        block_scope: bool = False, **kwargs: Any) -> None:
        token = budget.begin(self.env)
        try:
            if partial:
                budget.spend(self.weight)
            with escaping_as(self.escape):
                compiled = self.compiled
                namespace = self.make_partial_namespace(partial, dict(*args, **kwargs))
                if compiled is not None and compiled.usable(context, namespace):
                    with context.extend(namespace=namespace):
                        await compiled.render_async(context, buffer, partial, block_scope)
                else:
                    await super().render_with_context_async(
                        context, buffer, *args, partial=partial, block_scope=block_scope,
                        **kwargs)
        except LiquidError as error:
            named = self.named(error)
            if named is error:
                raise
            raise named from error
        finally:
            budget.end(token)


def _identifier(text: str, token: Token) -> Identifier:
    return Identifier(text, token=token)


# python-liquid's `Identifier` (the name in `capture`, `increment` and others) takes its
# token as a keyword, which pickle cannot pass: templates holding one could not be
# pickled (python-liquid 2.3.6's own cannot). Registered once, for every environment.
copyreg.pickle(Identifier, lambda name: (_identifier, (str(name), name.token)))

# Loaders whose source for a name does not depend on the render context.
_BY_NAME = frozenset({liquid.DictLoader, liquid.CachingDictLoader, liquid.FileSystemLoader,
                      liquid.CachingFileSystemLoader, liquid.PackageLoader, FileSystemLoader,
                      CachingFileSystemLoader})


# python-liquid's error for a block tag whose end tag never comes.
_MISSING_END = re.compile(r"expected tag (end\w+), found (?:end of \w+|eof|EOF)")


class Environment(liquid.Environment):
    """A python-liquid environment whose tags take ladle's expression language.

    Everything python-liquid offers keeps working. ``autoescape`` defaults to
    escaping templates loaded from ``.html``, ``.htm``, ``.xml`` and ``.svg`` files;
    ``strict=True`` makes a missing variable, key or index in an expression an error
    unless a fallback (``default``, ``||``, ``or``, ``??``) guards it; ``compiled=False``
    renders templates by walking their nodes instead of through compiled Python functions.
    """

    template_class = Template
    # Safe defaults for templates from strangers (quality.md, "Limits").
    loop_iteration_limit = 1_000_000
    output_stream_limit = 10_000_000
    local_namespace_limit = 10_000_000
    context_depth_limit = 30
    # Total work of one render, in about microseconds (``templating.budget``); None: no limit.
    work_limit: int | None = 20_000_000
    # Wall-clock seconds one render may take; None: no limit.
    time_limit: float | None = None

    def __init__(self, *args: Any, autoescape: bool | None = None, strict: bool = False,
                 max_length: int = grammar.DEFAULT_MAX_LENGTH, compiled: bool = True,
                 work_limit: int | None = work_limit, time_limit: float | None = None,
                 filters: Mapping[str, Callable[..., Any]] | None = None,
                 functions: Mapping[str, Callable[..., Any]] | None = None,
                 **kwargs: Any) -> None:
        # Set before python-liquid's own set-up, which registers the tags and filters.
        self.extra_filters = dict(filters or {})
        self.extra_functions = dict(functions or {})
        self.functions = function_table(self.extra_functions)
        self.work_limit = work_limit
        self.time_limit = time_limit
        self.strict = strict
        self.compile_templates = compiled
        self.max_length = max_length
        self.autoescape_by_name = autoescape is None
        super().__init__(*args, autoescape=bool(autoescape), **kwargs)
        self._make_caches()

    def __getstate__(self) -> dict[str, Any]:
        # The caches of parsed and compiled expressions are made afresh when unpickled.
        state = self.__dict__.copy()
        del state["compile_at"], state["parse_at"], state["functions"], state["block_parser"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.functions = function_table(self.extra_functions)
        self._make_caches()

    def _make_caches(self) -> None:
        # Templates, and the blocks of ladle's tags, are parsed by ladle's block parser.
        self.block_parser = BlockParser(self)
        # Re-parsing a template (a loader without a cache, a partial rendered in a loop)
        # reuses its compiled expressions; keyed by text, place and escaping.
        self.compile_at = functools.lru_cache(maxsize=4096)(self._compile_at)
        # The same expression text parses to the same tree (positions are relative to it).
        self.parse_at = functools.lru_cache(maxsize=4096)(self._parse_at)

    @staticmethod
    def _parse_at(text: str) -> grammar.nodes.Node:
        return parse_expression(text, liquid=True)

    def _compile_at(self, text: str, start: int, source: str, escaped: bool) -> grammar.Expression:
        # The tree parsed (and its names checked) with the template, not parsed again.
        return compile_uncached(self, Token(TOKEN_EXPRESSION, text, start, source), escaped,
                                self.parse_at(text))

    def setup_tags_and_filters(self, *, extra: bool = False) -> None:
        super().setup_tags_and_filters(extra=extra)
        tags.register(self)
        for name, function in {**filters.LADLE, **getattr(self, "extra_filters", {})}.items():
            self.add_filter(name, function)
        # Filters whose result can outgrow their input measure it before building it.
        for name, function in guarded(self.filters, self.max_length).items():
            self.filters[name] = function

    def get_template(self, name: str, *, globals: Mapping[str, object] | None = None,
                     context: RenderContext | None = None, **kwargs: Any) -> BoundTemplate:
        # During a render, a partial named again is the one loaded first (when the loader
        # picks sources by name alone): a partial in a loop, or one that renders itself,
        # is read and parsed once per render, not once per call.
        current = budget.current()
        try:
            if current is None or globals is not None or type(self.loader) not in _BY_NAME:
                return super().get_template(name, globals=globals, context=context, **kwargs)
            template = current.templates.get(name)
            if template is None:
                template = super().get_template(name, context=context, **kwargs)
                current.templates[name] = template
            return template
        except TemplateNotFoundError as error:
            raise self.not_found(error, name) from None

    async def get_template_async(self, name: str, *,
                                 globals: Mapping[str, object] | None = None,
                                 context: RenderContext | None = None,
                                 **kwargs: Any) -> BoundTemplate:
        try:
            return await super().get_template_async(name, globals=globals, context=context,
                                                    **kwargs)
        except TemplateNotFoundError as error:
            raise self.not_found(error, name) from None

    def not_found(self, error: TemplateNotFoundError, name: object) -> TemplateNotFoundError:
        """python-liquid's error for a template its loader cannot find, as ladle's
        ``TemplateNotFound``, saying where the loader looked."""
        if isinstance(error, TemplateNotFound | TemplateReadError):
            return error
        return not_found(self.loader, str(name))

    def from_string(self, source: str, name: str = "", path: str | Path | None = None,
                    *args: Any, **kwargs: Any) -> BoundTemplate:
        # Expressions compile for the escaping their template will use (string literals
        # are trusted text when it escapes, as in python-liquid).
        try:
            with escaping_as(escapes_by_name(self, path or name)):
                return super().from_string(source, name, path, *args, **kwargs)
        except LiquidError as error:
            # python-liquid names the template in an error by its path alone.
            if not error.template_name and name:
                error.template_name = name
            raise

    def _parse(self, source: str) -> list[Node]:
        try:
            return self.block_parser.parse(TemplateStream(self.tokenizer()(source)))
        except LiquidSyntaxError as error:
            unclosed = self.unclosed_block(error, source)
            if unclosed is not None:
                raise unclosed from error
            if type(error) is not LiquidSyntaxError:
                raise  # ladle's own, or a subclass a caller may catch by name
            # python-liquid's structural errors (an unknown tag, a bad `render`) join
            # ladle's family: positioned with 1-based line and column, and a caret.
            converted = TemplateSyntaxError(str(error.message), token=error.token)
            converted.template_name = error.template_name
            raise converted from error

    def unclosed_block(self, error: LiquidError, source: str) -> TemplateSyntaxError | None:
        """For python-liquid's "expected tag endif, found end of ..." at the end of the
        template: the error at the block tag that is never closed, naming its line."""
        match = _MISSING_END.fullmatch(str(error.message))
        if match is None:
            return None
        end = match.group(1)
        opener = end[3:]
        open_tags: list[Token] = []
        for token in self.tokenizer()(source):
            if token.kind == TOKEN_TAG and token.value == opener:
                open_tags.append(token)
            elif token.kind == TOKEN_TAG and token.value == end and open_tags:
                open_tags.pop()
        if not open_tags:
            return None
        token = open_tags[-1]
        line = source.count("\n", 0, max(token.start_index, 0)) + 1
        return TemplateSyntaxError(
            f"'{{% {opener} %}}' on line {line} is never closed: expected '{{% {end} %}}'",
            token=token)

    def tokenizer(self) -> Callable[[str], Iterator[Token]]:
        return lexer.get_lexer(self.tag_start_string, self.tag_end_string,
                               self.statement_start_string, self.statement_end_string,
                               self.comment_start_string, self.comment_end_string)
