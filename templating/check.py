"""Checking templates without rendering them: every syntax error, and undefined variables."""

from __future__ import annotations

from collections.abc import Mapping
from itertools import takewhile
from pathlib import Path
from typing import Any

from liquid.builtin.tags.include_tag import IncludeNode
from liquid.builtin.tags.render_tag import RenderNode
from liquid.exceptions import LiquidError, TemplateNotFoundError
from liquid.extra.tags.extends_tag import ExtendsNode
from liquid.token import Token

from ladle.grammar import runtime
from ladle.grammar.errors import Diagnostic
from ladle.grammar.fallbacks import guarded_paths, undefined_name, undefined_path
from ladle.templating.environment import Environment
from ladle.templating.errors import TemplateReadError
from ladle.templating.expression import TemplateExpression
from ladle.templating.loaders import FileSystemLoader, searched
from ladle.templating.walk import walk_nodes


class Finding(Diagnostic):
    """One problem in a template: ``position`` is an offset into ``source`` (None if
    unknown); ``file`` names the partial that holds it ('' for the template checked)."""

    def __init__(self, message: str, source: str, position: int | None,
                 file: str = "") -> None:
        super().__init__(message, source, position, file=file)

    def in_file(self, file: str) -> Finding:
        """The same finding, in the partial ``file`` unless it names one already."""
        return Finding(self.message, self.source, self.position, self.file or file)


class _Collecting(Environment):
    """An environment that notes every error and parses on, instead of stopping at the first."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.errors: list[LiquidError] = []
        super().__init__(*args, **kwargs)

    def error(self, exc: Any, msg: str | None = None, token: Token | None = None) -> None:
        error = exc if isinstance(exc, LiquidError) else exc(msg, token=token)
        if error.token is None:
            error.token = token
        self.errors.append(error)


def check_template(path: Path, data: Mapping[str, Any] | None = None, *,
                   source: str | None = None) -> list[Finding]:
    """Syntax errors of the template at ``path`` (whose text is ``source`` when given) and
    of the partials it renders or includes by name from its folder, partials that are
    missing, and, when ``data`` is given, each variable it reads that neither ``data`` nor
    the template itself defines."""
    if source is None:
        source = path.read_text(encoding="utf-8")
    env = _Collecting(loader=FileSystemLoader(path.parent))
    template = _parse(env, source, path.name, path)
    findings = [_finding(error, source) for error in _errors(env, source)]
    clean = not env.errors
    if template is not None:
        in_partials = _partials(env, template, source, {path.name})
        if data is not None and clean:
            # through the partials too when all of them parse: their names as each sees them
            findings.extend(_undefined(env, template, data, source,
                                       partials=not in_partials))
        findings.extend(in_partials)
    return sorted(findings, key=lambda f: (f.file or "", -1 if f.position is None
                                           else f.position))


def _undefined(env: _Collecting, template: Any, data: Mapping[str, Any], source: str, *,
               partials: bool) -> list[Finding]:
    """Each path the template (and with ``partials``, each partial it names, as python-liquid's
    analysis scopes it: an ``include`` sees the names assigned before it, a ``render`` its
    arguments) reads that neither ``data`` nor the template defines, where no fallback
    guards it (``grammar.fallbacks``: strict mode's rule); once per path and file."""
    try:
        analysis = template.analyze(include_partials=partials)
    except LiquidError:  # a partial named by a computed name, say: the template alone
        analysis = template.analyze(include_partials=False)
    texts: dict[str, tuple[str, set[int], str]] = {
        template.name: (source, _guarded_offsets(template), "")}
    findings: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    for name, uses in analysis.globals.items():
        for use in uses:
            where = use.span.template_name
            if where not in texts:
                text = env.loader.get_source(env, where).text
                texts[where] = (text, _guarded_offsets(env.from_string(text)), where)
            text, guarded, file = texts[where]
            if use.span.index in guarded:
                continue
            # (up to a computed segment, which only rendering can follow)
            rest = list(takewhile(lambda s: isinstance(s, str | int), use.segments[1:]))
            message = _missing(data, name, rest)
            if message is not None and (file, message) not in seen:
                seen.add((file, message))
                findings.append(Finding(message, text, use.span.index, file))
    return findings


def _missing(data: Mapping[str, Any], name: str, rest: list[str | int]) -> str | None:
    """Why the path ``name.rest`` finds nothing in ``data``, or None when it finds a value."""
    if name not in data:
        return undefined_name(data, name)
    value = data[name]
    path = name
    for segment in rest:
        found = runtime.liquid_index(value, segment, runtime.MISSING)
        path += f".{segment}" if isinstance(segment, str) else f"[{segment}]"
        if found is runtime.MISSING:
            return undefined_path(path, value, segment)
        value = found
    return None


def _guarded_offsets(template: Any) -> set[int]:
    """Where in the template the paths guarded by a fallback start."""
    offsets: set[int] = set()
    for node in walk_nodes(template.nodes):
        pending = list(node.expressions())
        while pending:
            expression = pending.pop()
            if isinstance(expression, TemplateExpression):
                start = expression.token.start_index
                offsets.update(start + root.span[0] for root in guarded_paths(expression.tree))
            else:
                pending.extend(expression.children())
    return offsets


def _errors(env: _Collecting, source: str) -> list[LiquidError]:
    """The errors noted, a block never closed placed at its opening tag."""
    return [env.unclosed_block(error, source) or error for error in env.errors]


def _parse(env: _Collecting, source: str, name: str, path: Path | None) -> Any:
    try:
        return env.from_string(source, name=name, path=path)
    except LiquidError as error:  # errors python-liquid does not route through env.error
        env.errors.append(error)
        return None


def _partials(env: _Collecting, template: Any, source: str, seen: set[str],
              rendered: bool = False) -> list[Finding]:
    """Findings in the partials (and the parent template of ``extends``) ``template`` names
    literally: missing ones, and the syntax errors of each (once each, however often it is
    named); in a partial that a ``render`` tag renders (``rendered``), each ``include``,
    which fails there when it runs."""
    findings: list[Finding] = []
    for node in walk_nodes(template.nodes):
        if not isinstance(node, RenderNode | IncludeNode | ExtendsNode):
            continue
        if rendered and isinstance(node, IncludeNode):
            findings.append(Finding("'include' cannot run in a partial that 'render' "
                                    "renders (python-liquid's rule): use 'render'", source,
                                    node.token.start_index))
        # (extends names its parent by an identifier, a str, where the others hold a literal)
        name = str(node.name) if isinstance(node, ExtendsNode) else \
            getattr(node.name, "value", None)
        if not isinstance(name, str) or name in seen:
            continue
        seen.add(name)
        token = node.name.token
        try:
            partial_source = env.loader.get_source(env, name).text
        except TemplateNotFoundError as error:
            message = str(error.message) if isinstance(error, TemplateReadError) else \
                f"partial {name!r} not found ({searched(env.loader, name)})"
            findings.append(Finding(message, source,
                                    token.start_index if token.source == source else None))
            continue
        env.errors = []
        partial = _parse(env, partial_source, name, None)
        findings.extend(_finding(error, partial_source).in_file(name)
                        for error in _errors(env, partial_source))
        if partial is not None:
            inner = rendered or isinstance(node, RenderNode)
            findings.extend(f.in_file(name)
                            for f in _partials(env, partial, partial_source, seen, inner))
    return findings


def _finding(error: LiquidError, source: str) -> Finding:
    token = error.token
    position = None
    if token is not None and token.start_index >= 0 and token.source == source:
        position = token.start_index
    return Finding(str(error.message), source, position)
