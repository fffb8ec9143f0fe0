"""Checks: every finding of the table in layouts.md, for both variants.

Structure (unknown keys, types) is checked once; geometry and expressions per variant,
and a finding that holds in only one variant says which.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ladle.grammar.names import did_you_mean
from ladle.player.findings import Finding, pointer_token
from ladle.player.format import ELEMENTS, FIELDS, GEOMETRY, STYLES, TOP_LEVEL, VARIANTS
from ladle.player.resolve import Calls, Resolver, read, track_count
from ladle.player.source import Document

ART_SIZES = {(100, 100), (150, 150)}
PLAY_SIZES = {(31, 30), (47, 45)}
BUTTON_SIZE = (17, 11)
MAX_TIMELINE_HEIGHT = 16
ALBUM_ONLY = ("next", "prev", "currenttitle", "tracklist")



class _Structure:
    """Unknown keys and wrong types: the same in both variants."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.findings: list[Finding] = []

    def add(self, code: str, message: str, pointer: str, *, at_key: bool = False,
            severity: str = "error") -> None:
        place = (self.document.key_position(pointer) if at_key
                 else self.document.position(pointer))
        line, column = place if place is not None else (None, None)
        self.findings.append(Finding(severity, code, message, pointer, line, column))

    def unknown(self, key: str, known: tuple[str, ...], pointer: str, what: str) -> None:
        self.add("unknown-key", f"unknown {what} {key!r}{did_you_mean(key, known)}",
                 f"{pointer}/{pointer_token(key)}", at_key=True)

    def run(self) -> list[Finding]:
        layout = self.document.value
        for key, value in layout.items():
            if key not in TOP_LEVEL and key not in ELEMENTS:
                self.unknown(key, (*TOP_LEVEL, *ELEMENTS), "", "element or key")
            elif key in ("w", "h"):
                self.number_or_expression(value, f"/{key}", key)
            elif key == "vars":
                self.variables(value)
            elif key == "$schema":
                if not isinstance(value, str):
                    self.add("type", "'$schema' must be a string", "/$schema")
            else:
                self.element(key, value)
        return self.findings

    def variables(self, value: Any) -> None:
        if not isinstance(value, dict):
            self.add("type", "'vars' must be an object of names and values", "/vars")
            return
        for name, item in value.items():
            if isinstance(item, (dict, list)) or item is None:
                self.add("type", f"var {name!r} must be a number, string or boolean",
                         f"/vars/{pointer_token(name)}")

    def element(self, name: str, body: Any, pointer: str | None = None,
                override: bool = False) -> None:
        pointer = pointer or f"/{name}"
        if not isinstance(body, dict):
            self.add("type", f"{name!r} must be an object of fields", pointer)
            return
        for field, value in body.items():
            where = f"{pointer}/{pointer_token(field)}"
            if field in VARIANTS and not override:
                self.element(name, value, where, override=True)
            elif field in VARIANTS:
                self.add("unknown-key", f"overrides do not nest: {field!r} inside an "
                         "override", where, at_key=True)
            elif field not in FIELDS:
                self.unknown(field, FIELDS if override else (*FIELDS, *VARIANTS), pointer,
                             "field")
            elif field in GEOMETRY:
                self.number_or_expression(value, where, f"{name}.{field}")
            elif field == "show":
                if not isinstance(value, (bool, str)):
                    self.add("type", f"{name}.show must be true, false or an expression",
                             where)
            else:
                self.styles(name, value, where)

    def number_or_expression(self, value: Any, pointer: str, label: str) -> None:
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            self.add("type", f"{label} must be a number or an expression", pointer)

    def styles(self, element: str, value: Any, pointer: str) -> None:
        if not isinstance(value, dict):
            self.add("type", f"{element}.styles must be an object", pointer)
            return
        for key, item in value.items():
            where = f"{pointer}/{pointer_token(key)}"
            if key not in STYLES:
                self.add("unknown-style", f"unknown style {key!r}{did_you_mean(key, STYLES)}",
                         where, at_key=True, severity="warning")
            if isinstance(item, (dict, list)) or item is None:
                self.add("type", f"style {key!r} must be a string or a number", where)
            elif key == "isMenu" and (element != "currenttitle" or item not in ("true", "false")):
                self.add("menu-style", "isMenu must be \"true\" or \"false\", and only on "
                         "currenttitle", where)
            elif key == "rowHeight" and element != "tracklist":
                self.add("row-height", "rowHeight belongs on tracklist only", where)


def _geometry(resolver: Resolver, layout: dict[str, Any]) -> None:
    """Sizes, bounds, overlaps and the player's own constraints, for one variant."""
    width, height = layout["w"], layout["h"]
    if isinstance(width, (int, float)) and isinstance(height, (int, float)):
        for key, extent in (("w", width), ("h", height)):
            if extent <= 0:
                resolver.add("negative", f"the player's {key} must be positive (got {extent})",
                             f"/{key}")
    shown: list[tuple[str, tuple[float, float, float, float]]] = []
    for name, fields in layout["elements"].items():
        pointer = f"/{name}"
        row_height = fields["styles"].get("rowHeight")
        if name == "tracklist" and row_height is not None and (
                type(row_height) is not int or row_height <= 0):
            raw = resolver.styles[name]["rowHeight"]
            resolver.add("row-height", f"rowHeight must be a positive whole number of pixels "
                         f"(got {row_height!r})", raw.pointer)
        if not fields["show"]:
            continue
        missing = [f for f in GEOMETRY if f not in fields]
        if missing:
            if not any((name, f) in resolver.raw and resolver.values.get((name, f)) is None
                       for f in missing):  # not already reported as a bad value
                resolver.add("missing", f"{name} is shown but has no "
                             f"{', '.join(missing)}", pointer)
            continue
        x, y, w, h = (fields[f] for f in GEOMETRY)
        if w <= 0 or h <= 0:
            resolver.add("negative", f"{name} must have a positive size (got {w}x{h})",
                         pointer)
            continue
        if isinstance(width, (int, float)) and isinstance(height, (int, float)) and (
                x < 0 or y < 0 or x + w > width or y + h > height):
            resolver.add("out-of-bounds", f"{name} ({x},{y} {w}x{h}) reaches outside the "
                         f"player ({width}x{height})", pointer)
        size = (w, h)
        if name == "art" and size not in ART_SIZES:
            resolver.add("art-size", f"art must be square, 100x100 or 150x150 (got {w}x{h})",
                         pointer, severity="warning")
        elif name == "play" and size not in PLAY_SIZES:
            resolver.add("play-size", f"play should be 31x30 or 47x45 (got {w}x{h})",
                         pointer, severity="warning")
        elif name in ("next", "prev") and size != BUTTON_SIZE:
            resolver.add("button-size", f"{name} should be 17x11 (got {w}x{h})", pointer,
                         severity="warning")
        elif name == "timeline" and h > MAX_TIMELINE_HEIGHT:
            resolver.add("timeline-height", f"the timeline should be at most "
                         f"{MAX_TIMELINE_HEIGHT} high (got {h})", pointer, severity="warning")
        if layout["variant"] == "track" and name in ALBUM_ONLY:
            resolver.add("album-only", f"{name} only works on album players", pointer,
                         severity="warning")
        for other, (ox, oy, ow, oh) in shown:
            if x < ox + ow and ox < x + w and y < oy + oh and oy < y + h:
                resolver.add("overlap", f"{name} overlaps {other}", pointer,
                             severity="warning")
        shown.append((name, (x, y, w, h)))


def check_document(document: Document, tracks: int | None = None,
                   calls: Calls | None = None) -> list[Finding]:
    """Every finding for a readable document, both variants merged; ``tracks`` is the album
    player's (a track player has one)."""
    calls = Calls.of() if calls is None else calls
    findings = _Structure(document).run()
    per_variant: dict[str, list[Finding]] = {}
    shown_anywhere: set[str] = set()
    for variant in VARIANTS:
        mine = tracks if variant == "album" else None
        resolver = Resolver(document, variant, track_count(variant, mine), calls)
        resolver.gather()
        resolver.resolve_all()
        layout = resolver.result()
        _geometry(resolver, layout)
        per_variant[variant] = resolver.findings
        shown_anywhere |= {n for n, f in layout["elements"].items() if f["show"]}
    for name in ELEMENTS:
        body = document.value.get(name)
        if isinstance(body, dict) and name not in shown_anywhere and (
                any(f in body for f in GEOMETRY) or any(
                    isinstance(body.get(v), dict) and any(f in body[v] for f in GEOMETRY)
                    for v in VARIANTS)):
            place = document.position(f"/{name}")
            line, column = place if place is not None else (None, None)
            findings.append(Finding(
                "warning", "not-shown", f"{name!r} has a position but \"show\" is not true, "
                "so it will not appear", f"/{name}", line, column))
    findings.extend(_merge(per_variant))
    return sorted(findings, key=lambda f: (f.line or 0, f.column or 0, f.code))


def _merge(per_variant: Mapping[str, list[Finding]]) -> list[Finding]:
    """One finding where both variants agree, else each with its variant."""
    def key(f: Finding) -> tuple[str, str, str, str]:
        return (f.severity, f.code, f.message, f.pointer)

    album = {key(f): f for f in per_variant["album"]}
    track = {key(f): f for f in per_variant["track"]}
    merged = [Finding(f.severity, f.code, f.message, f.pointer, f.line, f.column, None)
              for k, f in album.items() if k in track]
    merged += [f for k, f in album.items() if k not in track]
    merged += [f for k, f in track.items() if k not in album]
    return merged


def check(source: str | bytes | Path | Mapping[str, Any], *, tracks: int | None = None,
          filters: Mapping[str, Callable[..., Any]] | None = None,
          functions: Mapping[str, Callable[..., Any]] | None = None) -> list[Finding]:
    """Every finding for a layout: a path, JSON text or a dict, with ``tracks`` on the album
    player (default 10). Expressions call the standard filters and built-in functions;
    ``filters`` and ``functions`` add the host's own."""
    document, findings = read(source)
    if document is None:
        return findings
    return check_document(document, tracks, Calls.of(filters, functions))
