"""Resolve: a layout as the player draws it, for one variant, with every expression evaluated.

Fields resolve one by one in dependency order (``"x": "art.w + pad"`` needs ``art.w``);
a loop of references is a ``cycle`` finding that names it. Every problem met on the way
becomes a ``Finding``; ``resolve()`` raises ``LayoutError`` when any is an error.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ladle import filters as standard_filters
from ladle import grammar
from ladle.grammar import nodes
from ladle.grammar.names import check_filter_arguments
from ladle.grammar.runtime import type_name
from ladle.grammar.trace import Trace, Tracer
from ladle.player.findings import Finding, LayoutError, pointer_token
from ladle.player.format import DEFAULT_TRACKS, ELEMENTS, FIELDS, GEOMETRY, VARIANTS
from ladle.player.source import Document, SourceError, load

Field = tuple[str, str]  # (element, field); ("", "w") is the player's own width


@dataclass(frozen=True)
class _Raw:
    """A field's value as written, and the pointer it was written at."""

    value: Any
    pointer: str


@dataclass(frozen=True)
class Calls:
    """What a layout's expressions may call: the standard filters and the built-in
    functions, plus a host's own (``filters=`` and ``functions=`` of ``check``,
    ``resolve``, ``embed_code`` and ``preview_svg``)."""

    filters: Mapping[str, Callable[..., Any]]
    functions: Mapping[str, Callable[..., Any]] | None = None

    @classmethod
    def of(cls, filters: Mapping[str, Callable[..., Any]] | None = None,
           functions: Mapping[str, Callable[..., Any]] | None = None) -> Calls:
        return cls(standard_filters.table(filters), functions)


def read(source: str | bytes | Path | Mapping[str, Any]
         ) -> tuple[Document | None, list[Finding]]:
    """The document, or the ``json`` finding that says why it cannot be read."""
    try:
        return load(source if not isinstance(source, Mapping) else dict(source)), []
    except SourceError as error:
        return None, [Finding("error", "json", error.message, "", error.line, error.column)]


class Resolver:
    """Resolves one variant of a document, collecting findings."""

    def __init__(self, document: Document, variant: str, tracks: int,
                 calls: Calls | None = None) -> None:
        self.document = document
        self.calls = Calls.of() if calls is None else calls
        self.layout: dict[str, Any] = document.value
        self.variant = variant
        self.tracks = tracks
        self.findings: list[Finding] = []
        self.raw: dict[Field, _Raw] = {}
        self.styles: dict[str, dict[str, _Raw]] = {}
        self.values: dict[Field, Any] = {}
        self.failed: set[Field] = set()  # fields that could not be resolved
        self.vars: dict[str, Any] = {}
        self.elements = [name for name in ELEMENTS if isinstance(self.layout.get(name), dict)]

    # -- findings ---------------------------------------------------------------------

    def add(self, code: str, message: str, pointer: str, *, offset: int | None = None,
            severity: str = "error") -> None:
        if offset is None:
            place = self.document.position(pointer)
        else:
            place = self.document.expression_position(pointer, offset)
        line, column = place if place is not None else (None, None)
        self.findings.append(Finding(severity, code, message, pointer, line, column,
                                     self.variant))

    # -- gathering ----------------------------------------------------------------------

    def gather(self) -> None:
        """The raw value of every field for this variant, with overrides applied."""
        for key in ("w", "h"):
            if key in self.layout:
                self.raw[("", key)] = _Raw(self.layout[key], f"/{key}")
            else:
                self.add("missing", f"the player needs its {key!r}", "")
        variables = self.layout.get("vars", {})
        if isinstance(variables, dict):
            for name, value in variables.items():
                if isinstance(value, (int, float, str)) and not isinstance(value, dict):
                    self.vars[name] = value
        for element in self.elements:
            body: dict[str, Any] = self.layout[element]
            override = body.get(self.variant)
            for field in FIELDS:
                if isinstance(override, dict) and field in override and field != "styles":
                    self.raw[(element, field)] = _Raw(override[field],
                                                      f"/{element}/{self.variant}/{field}")
                elif field in body and field != "styles":
                    self.raw[(element, field)] = _Raw(body[field], f"/{element}/{field}")
            styles: dict[str, _Raw] = {}
            for origin, pointer in ((body, f"/{element}"),
                                    (override, f"/{element}/{self.variant}")):
                if isinstance(origin, dict) and isinstance(origin.get("styles"), dict):
                    for key, value in origin["styles"].items():
                        styles[key] = _Raw(value, f"{pointer}/styles/{pointer_token(key)}")
            self.styles[element] = styles

    # -- expressions ----------------------------------------------------------------------

    def names(self) -> set[str]:
        return {"album", "track", "variant", "w", "h", "tracks", *self.vars, *self.elements}

    def compile(self, raw: _Raw, text: str, offset: int = 0) -> grammar.Expression | None:
        try:
            expression = grammar.compile(text, names=self.names(), filters=self.calls.filters,
                                         functions=self.calls.functions)
            check_filter_arguments(expression.tree, text, self.calls.filters)
            return expression
        except grammar.ExpressionError as error:
            self.add("expression", error.message, raw.pointer,
                     offset=offset + (error.position or 0))
            return None

    def dependencies(self, owner: Field, expression: grammar.Expression) -> list[Field]:
        """The fields an expression reads: ``play.x``, or the player's ``w``/``h``."""
        found: list[Field] = []
        for node in nodes.walk(expression.tree):
            if isinstance(node, nodes.Member) and isinstance(node.target, nodes.Name) and \
                    node.target.name in self.elements and node.name in FIELDS:
                found.append((node.target.name, node.name))
            elif isinstance(node, nodes.Name) and node.name in ("w", "h"):
                found.append(("", node.name))
        return [f for f in found if f in self.raw and f != owner]

    def data(self) -> dict[str, Any]:
        data: dict[str, Any] = dict(self.vars)
        data.update(album=self.variant == "album", track=self.variant == "track",
                    variant=self.variant, tracks=self.tracks,
                    w=self.values.get(("", "w")), h=self.values.get(("", "h")))
        for element in self.elements:
            data[element] = {field: value for (owner, field), value in self.values.items()
                             if owner == element}
        return data

    # -- resolving --------------------------------------------------------------------------

    def resolve_all(self) -> None:
        compiled: dict[Field, grammar.Expression | None] = {}
        for key, raw in self.raw.items():
            if isinstance(raw.value, str):
                compiled[key] = self.compile(raw, raw.value)
        graph = {key: self.dependencies(key, c) for key, c in compiled.items() if c is not None}
        order = self.order(graph)
        for key in [k for k in self.raw if k not in compiled] + order:
            if any(key in self.failed or dep in self.failed or self.values.get(dep) is None
                   for dep in graph.get(key, ())):
                self.failed.add(key)  # already reported where it went wrong: stay quiet
                self.values[key] = None
                continue
            self.values[key] = self.value_of(key, compiled.get(key))
            if self.values[key] is None:
                self.failed.add(key)

    def order(self, graph: dict[Field, list[Field]]) -> list[Field]:
        """Expression fields in an order where each comes after what it reads; cycles reported."""
        done: list[Field] = []
        state: dict[Field, int] = {}  # 1 = being visited, 2 = done
        for start in graph:
            if state.get(start):
                continue
            stack: list[tuple[Field, int]] = [(start, 0)]
            path: list[Field] = []
            while stack:
                node, index = stack.pop()
                if index == 0:
                    state[node] = 1
                    path.append(node)
                edges = graph.get(node, [])
                if index < len(edges):
                    stack.append((node, index + 1))
                    nxt = edges[index]
                    if state.get(nxt) == 1:
                        loop = [*path[path.index(nxt):], nxt]
                        names = " → ".join(_label(f) for f in loop)
                        self.add("cycle", f"fields refer to each other in a loop: {names}",
                                 self.raw[nxt].pointer)
                        for member in loop:
                            self.failed.add(member)
                    elif not state.get(nxt):
                        stack.append((nxt, 0))
                    continue
                state[node] = 2
                path.pop()
                done.append(node)
        return done

    def value_of(self, key: Field, expression: grammar.Expression | None) -> Any:
        raw = self.raw[key]
        value = raw.value
        if expression is not None:
            try:
                value = grammar.to_output(expression.evaluate(self.data()))
            except grammar.ExpressionError as error:
                self.add("expression", error.message, raw.pointer, offset=error.position)
                return None
        elif isinstance(raw.value, str):
            return None  # did not compile: already reported
        field = key[1]
        if field == "show":
            return grammar.truthy(value)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.add("type", f"{_label(key)} must be a number, not {_kind(value)}", raw.pointer)
            return None
        return int(value) if float(value).is_integer() else value

    def resolve_styles(self, element: str) -> dict[str, Any]:
        resolved: dict[str, Any] = {}
        for key, raw in self.styles.get(element, {}).items():
            value = raw.value
            if isinstance(value, str) and "{{" in value:
                value = self.interpolate(raw, value)
            elif isinstance(value, str) and key == "rowHeight":
                expression = self.compile(raw, value)
                value = None if expression is None else self.evaluate_style(raw, expression)
            if value is not None:
                resolved[key] = int(value) if isinstance(value, float) and \
                    value.is_integer() else value
        return resolved

    def evaluate_style(self, raw: _Raw, expression: grammar.Expression, offset: int = 0) -> Any:
        try:
            return grammar.to_output(expression.evaluate(self.data()))
        except grammar.ExpressionError as error:
            self.add("expression", error.message, raw.pointer,
                     offset=offset + (error.position or 0))
            return None

    def interpolate(self, raw: _Raw, text: str) -> str | None:
        parts: list[str] = []
        last = 0
        for start, end in _interpolations(text):
            parts.append(text[last:start - 2])
            expression = self.compile(raw, text[start:end], start)
            if expression is None:
                return None
            value = self.evaluate_style(raw, expression, start)
            parts.append(grammar.BUILTINS["str"].call(value))
            last = end + 2
        parts.append(text[last:])
        return "".join(parts)

    def result(self) -> dict[str, Any]:
        elements: dict[str, Any] = {}
        for element in self.elements:
            fields = {f: self.values[(element, f)] for f in GEOMETRY
                      if self.values.get((element, f)) is not None}
            fields["show"] = bool(self.values.get((element, "show"), False))
            fields["styles"] = self.resolve_styles(element)
            elements[element] = fields
        return {"variant": self.variant, "tracks": self.tracks,
                "w": self.values.get(("", "w")), "h": self.values.get(("", "h")),
                "elements": elements}


def _interpolations(text: str) -> list[tuple[int, int]]:
    """(start, end) of the expression in each ``{{ … }}`` of a style string, left to right:
    what ``re.finditer(r"\\{\\{(.*?)\\}\\}", text, re.DOTALL)`` finds, in linear time
    (that pattern looks for a ``}}`` again from every ``{{`` when there is none)."""
    found: list[tuple[int, int]] = []
    at = text.find("{{")
    while at >= 0:
        end = text.find("}}", at + 2)
        if end < 0:
            break  # no ``}}`` after this ``{{``, so none after any later one either
        found.append((at + 2, end))
        at = text.find("{{", end + 2)
    return found


def track_count(variant: str, tracks: int | None) -> int:
    """Tracks on the player: as given, else 10 on an album player and 1 on a track player."""
    return tracks if tracks is not None else (DEFAULT_TRACKS if variant == "album" else 1)


def resolve_document(document: Document, variant: str, tracks: int | None,
                     calls: Calls | None = None) -> tuple[dict[str, Any], list[Finding]]:
    """The resolved layout of one variant and the findings met on the way."""
    resolver = Resolver(document, variant, track_count(variant, tracks), calls)
    resolver.gather()
    resolver.resolve_all()
    layout = resolver.result()
    return layout, resolver.findings


def resolve(source: str | bytes | Path | Mapping[str, Any], variant: str = "album",
            tracks: int | None = None, *,
            filters: Mapping[str, Callable[..., Any]] | None = None,
            functions: Mapping[str, Callable[..., Any]] | None = None) -> dict[str, Any]:
    """The layout as the player draws it for ``variant``; raises ``LayoutError`` on errors.

    Expressions call the standard filters and built-in functions; ``filters`` and
    ``functions`` add the host's own."""
    if variant not in VARIANTS:
        raise ValueError(f"variant must be 'album' or 'track', not {variant!r}")
    document, findings = read(source)
    if document is None:
        raise LayoutError(findings)
    layout, found = resolve_document(document, variant, tracks, Calls.of(filters, functions))
    errors = [f for f in found if f.severity == "error"]
    if errors:
        raise LayoutError(errors)
    return layout


def explain(source: str | bytes | Path | Mapping[str, Any], field: str,
            variant: str = "album", tracks: int | None = None, *,
            filters: Mapping[str, Callable[..., Any]] | None = None,
            functions: Mapping[str, Callable[..., Any]] | None = None,
            ) -> tuple[Any, Trace | None]:
    """How ``field`` (``"play.x"``, or the player's ``"w"``/``"h"``) resolves for
    ``variant``: its resolved value and the trace of its expression over the values it
    read (None for a field written as a plain value). Raises ``LayoutError`` when the
    layout has errors, ``ValueError`` for a field the layout does not have."""
    element, _, name = field.rpartition(".")
    document, findings = read(source)
    if document is None:
        raise LayoutError(findings)
    resolver = Resolver(document, variant, track_count(variant, tracks),
                        Calls.of(filters, functions))
    resolver.gather()
    key = (element, name)
    if key not in resolver.raw:
        close = difflib.get_close_matches(field, [_label(k) for k in resolver.raw], 1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(f"the layout has no field {field!r}{hint}")
    resolver.resolve_all()
    errors = [f for f in resolver.findings if f.severity == "error"]
    if errors:
        raise LayoutError(errors)
    raw = resolver.raw[key]
    if not isinstance(raw.value, str):
        return resolver.values[key], None
    expression = resolver.compile(raw, raw.value)
    assert expression is not None  # it resolved without errors
    tracer = Tracer(filters=resolver.calls.filters, functions=resolver.calls.functions)
    return resolver.values[key], tracer.trace(raw.value, expression.tree, resolver.data())


def canonical_json(layout: Mapping[str, Any]) -> bytes:
    """The layout's canonical bytes: sorted keys, fixed separators, UTF-8."""
    return json.dumps(layout, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def fingerprint(layout: Mapping[str, Any]) -> str:
    """A short, stable hash of the canonical bytes, usable as an ETag."""
    return hashlib.sha256(canonical_json(layout)).hexdigest()[:16]


def _label(field: Field) -> str:
    element, name = field
    return name if not element else f"{element}.{name}"


def _kind(value: Any) -> str:
    return "nothing" if value is None else type_name(value)


