"""Preview: a layout drawn as SVG, both variants side by side, with its findings marked.

Each variant is drawn at 1:1 in its own panel (album on the left, track on the right):
the player's outline, every shown element as a box with a glyph that says what it is
(play triangle, next/prev arrows, an art placeholder, sample text in the element's own
styles, a timeline bar, track-list rows, Buy/Share links), its name in a callout beside
the player, and each finding from ``check_document`` as a red (error) or orange (warning)
outline with a numbered badge, listed in a legend under the drawing.

Layouts come from strangers: every string that reaches the SVG is XML-escaped, colours
and fonts are checked against small patterns before they go into an attribute (anything
else falls back to a default), no layout value ever goes into CSS, and sizes are clamped
so that no layout can make the picture huge. The same input always gives the same bytes.

>>> svg = preview_svg({"w": 31, "h": 30, "play": {"x": 0, "y": 0, "w": 31, "h": 30,
...                                                "show": True}})
>>> svg.startswith("<svg") and 'id="album-play"' in svg and 'id="track-play"' in svg
True
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ladle.player.checks import check_document
from ladle.player.findings import Finding
from ladle.player.format import ELEMENTS, VARIANTS
from ladle.player.resolve import Calls, read, resolve_document
from ladle.player.source import Document
from ladle.player.svgtext import num, text_width, wrap, xml_attr, xml_text

__all__ = ["preview_document", "preview_svg"]

# -- limits and looks ---------------------------------------------------------------------

MAX_SIZE = 3000  # the largest player side drawn; bigger ones are clamped
MAX_ROWS = 120  # track-list rows drawn at most
MAX_FINDINGS = 40  # findings listed per panel at most
MAX_MESSAGE = 240  # characters of a message shown at most
MAX_FONT_SIZE = 200
PANEL_GAP = 40
MARGIN = 16
MIN_PANEL = 320  # a panel is at least this wide, so that its legend has room
LABEL_SIZE = 9  # callout labels
LEGEND_SIZE = 11
LEGEND_LINE = 14
CAPTION_HEIGHT = 28

ERROR = "#d42a3c"
WARNING = "#ea8a00"
INK = "#2b2f36"
ACCENT = "#0687f5"
DEFAULT_COLOR = "#222222"
DEFAULT_FONT = "sans-serif"

STYLE = (
    ".cap{font-size:13px;fill:#1f2329}.dim{fill:#6b7380;font-weight:normal}"
    ".lbl{font-size:9px;fill:#4a5260}.ld{fill:none;stroke:#8a94a6;stroke-width:.75}"
    ".dot{fill:#8a94a6}.box{fill:#e9eef6;fill-opacity:.8;stroke:#9aa8bd;stroke-width:1}"
    ".lg{font-size:11px;fill:#2b2f36}.note{font-size:11px;fill:#6b7380}"
    ".b text{font-size:8px;font-weight:bold;fill:#fff;text-anchor:middle}"
)

SAMPLES = {
    "subtext": "Artist name",
    "currenttitle": "1. Track title",
    "currenttime": "0:42",
    "totaltime": "3:57",
}
DEFAULT_SIZES = {
    "maintext": 12, "subtext": 12, "currenttitle": 11, "currenttime": 10, "totaltime": 10,
    "linkarea": 11, "tracklist": 11,
}
NUMBERS = (
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen", "twenty",
)

_COLOR = re.compile(r"#[0-9a-fA-F]{3}|#[0-9a-fA-F]{6}|[a-zA-Z]{1,30}")
_FONT_FAMILY = re.compile(r"[A-Za-z0-9 ,'\"_-]{1,100}")
_FONT_WEIGHT = re.compile(r"normal|bold|bolder|lighter|[1-9]00")
_FONT_SIZE = re.compile(r"([0-9]{1,4}(?:\.[0-9]{1,3})?)(?:px)?")
# -- small helpers ----------------------------------------------------------------------------


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def _color(value: Any, default: str) -> str:
    return value if isinstance(value, str) and _COLOR.fullmatch(value) else default


def _target(pointer: str) -> str:
    """The element a pointer is about: its first segment, unescaped."""
    if not pointer.startswith("/"):
        return ""
    return pointer[1:].split("/", 1)[0].replace("~1", "/").replace("~0", "~")


# -- what is drawn ---------------------------------------------------------------------------


@dataclass
class _Box:
    """One shown element with usable geometry, in player coordinates."""

    name: str
    x: float
    y: float
    w: float
    h: float
    styles: dict[str, Any]
    marks: list[tuple[int, str]] = field(default_factory=list)  # (number, severity)

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2


@dataclass
class _Label:
    """A callout: the element's name beside the player, a leader line to the element."""

    box: _Box
    side: str  # "top" | "bottom" | "left" | "right"
    anchor: float  # where along the side the element is
    size: float  # room the label takes along the side
    width: float  # the label's text width
    pos: float = 0.0  # where along the side the label went


@dataclass
class _Extent:
    """A growing bounding box."""

    left: float
    top: float
    right: float
    bottom: float

    def add(self, left: float, top: float, right: float, bottom: float) -> None:
        self.left = min(self.left, left)
        self.top = min(self.top, top)
        self.right = max(self.right, right)
        self.bottom = max(self.bottom, bottom)


def _size(layout: Mapping[str, Any]) -> tuple[float, float] | None:
    width, height = _number(layout.get("w")), _number(layout.get("h"))
    if width is None or height is None or width <= 0 or height <= 0:
        return None
    return min(width, MAX_SIZE), min(height, MAX_SIZE)


def _boxes(layout: Mapping[str, Any], width: float, height: float) -> list[_Box]:
    """Every shown element with a full, positive geometry, biggest first."""
    boxes: list[_Box] = []
    elements = layout.get("elements", {})
    for name in ELEMENTS:
        fields = elements.get(name)
        if not isinstance(fields, dict) or fields.get("show") is not True:
            continue
        x, y, w, h = (_number(fields.get(key)) for key in ("x", "y", "w", "h"))
        if x is None or y is None or w is None or h is None or w <= 0 or h <= 0:
            continue
        x = _clamp(x, -MAX_SIZE / 4, width + MAX_SIZE / 4)
        y = _clamp(y, -MAX_SIZE / 4, height + MAX_SIZE / 4)
        styles = fields.get("styles")
        boxes.append(_Box(name, x, y, min(w, MAX_SIZE), min(h, MAX_SIZE),
                          styles if isinstance(styles, dict) else {}))
    return sorted(boxes, key=lambda b: (-b.w * b.h, ELEMENTS.index(b.name)))


# -- element glyphs (local coordinates: the element's box is 0,0 w by h) -------------------------


def _font(box: _Box, default: float | None = None) -> tuple[float, str]:
    """The font size and the validated text attributes of an element's styles."""
    styles = box.styles
    size = default if default is not None else float(DEFAULT_SIZES.get(box.name, 12))
    raw = styles.get("fontSize")
    number = _number(raw)
    if number is None and isinstance(raw, str):
        match = _FONT_SIZE.fullmatch(raw.strip())
        number = float(match.group(1)) if match else None
    if number is not None and 0 < number <= MAX_FONT_SIZE:
        size = number
    fill = _color(styles.get("color"), ACCENT if box.name == "linkarea" else DEFAULT_COLOR)
    attrs = [f'font-size="{num(size)}"', f'fill="{xml_attr(fill)}"']
    family = styles.get("fontFamily")
    if isinstance(family, str) and _FONT_FAMILY.fullmatch(family):
        attrs.append(f'font-family="{xml_attr(family)}"')
    weight = styles.get("fontWeight")
    if isinstance(weight, int) and not isinstance(weight, bool):
        weight = str(weight)
    if isinstance(weight, str) and _FONT_WEIGHT.fullmatch(weight):
        attrs.append(f'font-weight="{xml_attr(weight)}"')
    return size, " ".join(attrs)


def _align(box: _Box, pad: float = 2) -> tuple[float, str]:
    """x of the text and its text-anchor attribute, from ``textAlign``."""
    align = box.styles.get("textAlign")
    if align in ("center", "middle"):
        return box.w / 2, ' text-anchor="middle"'
    if align in ("right", "end"):
        return box.w - pad, ' text-anchor="end"'
    return pad, ""


def _baseline(top: float, height: float, size: float) -> float:
    """The baseline that centres a line of Latin text of ``size`` in ``height``."""
    return top + height / 2 + size * 0.35


def _sample(box: _Box, variant: str) -> list[str]:
    size, attrs = _font(box)
    if box.name == "maintext":
        sample = "Album title" if variant == "album" else "Track title"
    else:
        sample = SAMPLES[box.name]
    parts = []
    room = box.w
    if box.name == "currenttitle" and box.styles.get("isMenu") == "true" and box.w > 16:
        room = box.w - 10  # a pop-up menu: a caret at the right end
        cy = box.h / 2
        parts.append(f'<path d="M{num(box.w - 9)} {num(cy - 2)}h7l-3.5 4z" fill="{INK}"/>')
    x, anchor = _align(_Box(box.name, 0, 0, room, box.h, box.styles))
    parts.insert(0, f'<text x="{num(x)}" y="{num(_baseline(0, box.h, size))}" {attrs}{anchor}>'
                    f"{xml_text(sample)}</text>")
    return parts


def _play(box: _Box) -> list[str]:
    cx, cy = box.w / 2, box.h / 2
    r = max(min(box.w, box.h) / 2 - 1, 1)
    s = r * 0.5
    return [f'<circle cx="{num(cx)}" cy="{num(cy)}" r="{num(r)}" fill="{INK}"/>',
            f'<path d="M{num(cx - 0.7 * s)} {num(cy - s)}L{num(cx + 1.4 * s)} {num(cy)}'
            f'L{num(cx - 0.7 * s)} {num(cy + s)}z" fill="#fff"/>']


def _arrows(box: _Box) -> list[str]:
    """▶▶ for next, ◀◀ for prev: two triangles, centred."""
    tw = max(min((box.w - 4) / 2, (box.h - 4) * 0.9), 1)
    th = max(min(box.h - 4, tw * 1.15), 1)
    x0, top, cy = box.w / 2 - tw, box.h / 2 - th / 2, box.h / 2
    path = []
    for i in range(2):
        left = x0 + i * tw
        if box.name == "next":
            path.append(f"M{num(left)} {num(top)}L{num(left + tw)} {num(cy)}L{num(left)} "
                        f"{num(top + th)}z")
        else:
            path.append(f"M{num(left + tw)} {num(top)}L{num(left)} {num(cy)}L{num(left + tw)} "
                        f"{num(top + th)}z")
    return [f'<path d="{"".join(path)}" fill="{INK}"/>']


def _art(box: _Box) -> list[str]:
    """A picture placeholder: sky, a sun, two mountains."""
    w, h = box.w, box.h
    sun = min(w, h) * 0.09
    return [f'<rect width="{num(w)}" height="{num(h)}" fill="#cfdcec"/>',
            f'<circle cx="{num(w * 0.74)}" cy="{num(h * 0.28)}" r="{num(sun)}" fill="#f4c64f"/>',
            f'<path d="M0 {num(h)}L{num(w * 0.32)} {num(h * 0.45)}L{num(w * 0.52)} {num(h * 0.72)}'
            f'L{num(w * 0.7)} {num(h * 0.52)}L{num(w)} {num(h)}z" fill="#8fa6c1"/>']


def _timeline(box: _Box) -> list[str]:
    w, h = box.w, box.h
    bar = max(min(h / 2, 4), 1)
    knob = max(min(h / 2, bar + 1.5), 1)
    length = max(w - 2 * knob, 0)
    top = h / 2 - bar / 2
    done = length * 0.35
    return [f'<rect x="{num(knob)}" y="{num(top)}" width="{num(length)}" height="{num(bar)}" '
            f'rx="{num(bar / 2)}" fill="#cfd5de"/>',
            f'<rect x="{num(knob)}" y="{num(top)}" width="{num(done)}" height="{num(bar)}" '
            f'rx="{num(bar / 2)}" fill="{ACCENT}"/>',
            f'<circle cx="{num(knob + done)}" cy="{num(h / 2)}" r="{num(knob - 0.5)}" fill="#fff" '
            f'stroke="{ACCENT}"/>']


def _tracklist(box: _Box) -> list[str]:
    raw = _number(box.styles.get("rowHeight"))
    row = raw if raw is not None and 1 <= raw <= MAX_SIZE else 18.0
    size, attrs = _font(box, min(DEFAULT_SIZES["tracklist"], row * 0.8))
    count = max(1, min(MAX_ROWS, int(box.h // row)))
    x, anchor = _align(box, 4)
    parts = []
    for i in range(count):
        top = i * row
        if i % 2:
            parts.append(f'<rect y="{num(top)}" width="{num(box.w)}" height="{num(row)}" '
                         'fill="#dde4ee"/>')
        name = NUMBERS[i] if i < len(NUMBERS) else str(i + 1)
        parts.append(f'<text x="{num(x)}" y="{num(_baseline(top, row, size))}" {attrs}{anchor}>'
                     f"{i + 1}. Track {name}</text>")
    return parts


def _links(box: _Box) -> list[str]:
    size, attrs = _font(box)
    x, anchor = _align(box)
    link = '<tspan text-decoration="underline">'
    return [f'<text x="{num(x)}" y="{num(_baseline(0, box.h, size))}" {attrs}{anchor}>'
            f'{link}Buy</tspan> {link[:-1]} dx="{num(size * 0.6)}">Share</tspan></text>']


def _glyph(box: _Box, variant: str) -> list[str]:
    if box.name == "play":
        return _play(box)
    if box.name in ("next", "prev"):
        return _arrows(box)
    if box.name == "art":
        return _art(box)
    if box.name == "timeline":
        return _timeline(box)
    if box.name == "tracklist":
        return _tracklist(box)
    if box.name == "linkarea":
        return _links(box)
    return _sample(box, variant)


def _element(box: _Box, variant: str) -> str:
    ident = f"{variant}-{box.name}"
    w, h = num(box.w), num(box.h)
    parts = [f'<g id="{ident}" transform="translate({num(box.x)} {num(box.y)})">',
             f"<title>{box.name} {num(box.x)},{num(box.y)} {w}x{h}</title>",
             f'<clipPath id="{ident}-clip"><rect width="{w}" height="{h}"/></clipPath>',
             f'<rect class="box" width="{w}" height="{h}"/>',
             f'<g clip-path="url(#{ident}-clip)">', *_glyph(box, variant), "</g>"]
    if box.marks:
        color = ERROR if any(sev == "error" for _, sev in box.marks) else WARNING
        parts.append(f'<rect width="{w}" height="{h}" fill="none" stroke="{color}" '
                     'stroke-width="2"/>')
    parts.append("</g>")
    return "".join(parts)


# -- callouts ------------------------------------------------------------------------------


_SIDES = ("top", "bottom", "left", "right")


def _side(box: _Box, boxes: list[_Box], frame: _Extent) -> tuple[str, float]:
    """The side of the player a label goes to: the one whose leader line runs the least
    across other elements, then the nearest; and where along that side the element is."""
    best: tuple[float, int] | None = None
    chosen = ("top", box.cx)
    for order, side in enumerate(_SIDES):
        if side in ("top", "bottom"):
            at = box.cx
            low, high = (frame.top, box.y) if side == "top" else (box.y + box.h, frame.bottom)
        else:
            at = box.cy
            low, high = (frame.left, box.x) if side == "left" else (box.x + box.w, frame.right)
        across = 0.0  # how long the leader runs over other elements
        for other in boxes:
            if other is box:
                continue
            if side in ("top", "bottom"):
                inside, start, end = other.x < at < other.x + other.w, other.y, other.y + other.h
            else:
                inside, start, end = other.y < at < other.y + other.h, other.x, other.x + other.w
            if inside:
                across += max(0.0, min(high, end) - max(low, start))
        cost = (across + 0.25 * max(high - low, 0), order)
        if best is None or cost < best:
            best = cost
            chosen = (side, at)
    return chosen


def _spread(labels: list[_Label], gap: float) -> None:
    """Place labels along one side, each as near its element as it can be without
    overlapping the others: runs of labels that would overlap are centred on their
    elements together."""
    groups: list[tuple[list[_Label], float]] = []  # (labels, start)

    def length(group: list[_Label]) -> float:
        return sum(label.size for label in group) + gap * (len(group) - 1)

    def ideal(group: list[_Label]) -> float:
        offset, starts = 0.0, []
        for label in group:
            starts.append(label.anchor - label.size / 2 - offset)
            offset += label.size + gap
        return sum(starts) / len(starts)

    for label in sorted(labels, key=lambda lb: (lb.anchor, ELEMENTS.index(lb.box.name))):
        group, start = [label], label.anchor - label.size / 2
        while groups and groups[-1][1] + length(groups[-1][0]) + gap > start:
            previous, _ = groups.pop()
            group = previous + group
            start = ideal(group)
        groups.append((group, start))
    for group, start in groups:
        for label in group:
            label.pos = start + label.size / 2
            start += label.size + gap


def _untie(labels: list[_Label]) -> None:
    """Leaders that would run on one line (elements centred on one another) get parallel
    lines a few pixels apart instead, each still starting on its own element."""
    ordered = sorted(labels, key=lambda lb: (lb.anchor, ELEMENTS.index(lb.box.name)))
    start = 0
    while start < len(ordered):
        end = start + 1
        while end < len(ordered) and ordered[end].anchor - ordered[start].anchor < 1:
            end += 1
        run = ordered[start:end]
        for k, label in enumerate(run):
            room = (label.box.w if label.side in ("top", "bottom") else label.box.h) / 2 - 1
            offset = (k - (len(run) - 1) / 2) * 3
            label.anchor = run[0].anchor + _clamp(offset, -max(room, 0), max(room, 0))
        start = end


def _callouts(boxes: list[_Box], frame: _Extent, extent: _Extent) -> list[str]:
    """Every element's name outside the drawing, with a leader line to the element."""
    labels: list[_Label] = []
    for box in boxes:
        side, anchor = _side(box, boxes, frame)
        width = text_width(box.name, LABEL_SIZE)
        size = width + 8 if side in ("top", "bottom") else LABEL_SIZE + 3
        labels.append(_Label(box, side, anchor, size, width))
    parts: list[str] = []
    for side in _SIDES:
        group = [label for label in labels if label.side == side]
        if not group:
            continue
        _untie(group)
        _spread(group, 2)
        shift = max(abs(label.pos - label.anchor) for label in group)
        away = 7 + min(16, shift * 0.3)  # farther out when labels moved far along the side
        for label in sorted(group, key=lambda lb: ELEMENTS.index(lb.box.name)):
            parts.append(_callout(label, frame, away, extent))
    return parts


def _callout(label: _Label, frame: _Extent, away: float, extent: _Extent) -> str:
    box, pos, name = label.box, label.pos, label.box.name
    if label.side == "top":
        start, knee = (label.anchor, box.y), (label.anchor, frame.top - 3)
        end, text = (pos, frame.top - away), (pos, frame.top - away - 2)
        anchor = ' text-anchor="middle"'
        extent.add(pos - label.width / 2, text[1] - LABEL_SIZE, pos + label.width / 2, 0)
    elif label.side == "bottom":
        start, knee = (label.anchor, box.y + box.h), (label.anchor, frame.bottom + 3)
        end, text = (pos, frame.bottom + away), (pos, frame.bottom + away + LABEL_SIZE)
        anchor = ' text-anchor="middle"'
        extent.add(pos - label.width / 2, 0, pos + label.width / 2, text[1] + 3)
    elif label.side == "left":
        start, knee = (box.x, label.anchor), (frame.left - 3, label.anchor)
        end, text = (frame.left - away, pos), (frame.left - away - 2, pos + LABEL_SIZE * 0.35)
        anchor = ' text-anchor="end"'
        extent.add(text[0] - label.width, pos - LABEL_SIZE, 0, pos + LABEL_SIZE)
    else:
        start, knee = (box.x + box.w, label.anchor), (frame.right + 3, label.anchor)
        end, text = (frame.right + away, pos), (frame.right + away + 2, pos + LABEL_SIZE * 0.35)
        anchor = ""
        extent.add(0, pos - LABEL_SIZE, text[0] + label.width, pos + LABEL_SIZE)
    return (f'<path class="ld" d="M{num(start[0])} {num(start[1])}L{num(knee[0])} {num(knee[1])}'
            f'L{num(end[0])} {num(end[1])}"/>'
            f'<circle class="dot" cx="{num(start[0])}" cy="{num(start[1])}" r="1.5"/>'
            f'<text class="lbl" x="{num(text[0])}" y="{num(text[1])}"{anchor}>{name}</text>')


# -- findings ------------------------------------------------------------------------------


def _badge(number: int, severity: str, x: float, y: float, *, filled: bool = True) -> str:
    color = ERROR if severity == "error" else WARNING
    if filled:
        circle = f'<circle cx="{num(x)}" cy="{num(y)}" r="6" fill="{color}"/>'
        label = f'<text x="{num(x)}" y="{num(y + 2.8)}">{number}</text>'
    else:  # listed only: not on the drawing
        circle = (f'<circle cx="{num(x)}" cy="{num(y)}" r="5.5" fill="#fff" stroke="{color}" '
                  'stroke-width="1.2"/>')
        label = f'<text x="{num(x)}" y="{num(y + 2.8)}" style="fill:{color}">{number}</text>'
    return f'<g class="b">{circle}{label}</g>'


def _entry(finding: Finding, on_drawing: bool) -> str:
    where = ""
    if not on_drawing:
        where = f" (at {_short(finding.pointer)})" if finding.pointer else " (the whole layout)"
    return f"{finding.severity} {finding.code}: {_short(finding.message)}{where}"


def _short(text: str) -> str:
    return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE - 1] + "…"


def _legend(variant: str, findings: list[Finding], attached: set[int], width: float,
            top: float) -> tuple[list[str], float]:
    """The numbered list of findings under a drawing; returns its parts and its bottom."""
    parts = [f'<g id="{variant}-legend">']
    y = top
    if not findings:
        parts.append(f'<text class="note" x="0" y="{num(y + 11)}">no findings</text></g>')
        return parts, y + 16
    for number, finding in enumerate(findings[:MAX_FINDINGS], 1):
        lines = wrap(_entry(finding, number in attached), width - 20, LEGEND_SIZE)[:6]
        parts.append(f'<g id="{variant}-finding-{number}">')
        parts.append(_badge(number, finding.severity, 6, y + 7, filled=number in attached))
        for i, line in enumerate(lines):
            parts.append(f'<text class="lg" x="18" y="{num(y + 11 + i * LEGEND_LINE)}">'
                         f"{xml_text(line)}</text>")
        parts.append("</g>")
        y += len(lines) * LEGEND_LINE + 3
    if len(findings) > MAX_FINDINGS:
        parts.append(f'<text class="note" x="18" y="{num(y + 11)}">… and '
                     f"{len(findings) - MAX_FINDINGS} more</text>")
        y += LEGEND_LINE
    parts.append("</g>")
    return parts, y


# -- panels ----------------------------------------------------------------------------------


@dataclass
class _Panel:
    parts: list[str]
    width: float
    height: float


def _panel(variant: str, layout: Mapping[str, Any] | None, findings: list[Finding]) -> _Panel:
    """One variant: caption, drawing with callouts and badges, legend; in panel coordinates."""
    size = _size(layout) if layout is not None else None
    boxes = _boxes(layout, *size) if layout is not None and size is not None else []
    by_name = {box.name: box for box in boxes}
    attached: set[int] = set()
    for number, finding in enumerate(findings[:MAX_FINDINGS], 1):
        box = by_name.get(_target(finding.pointer))
        if box is not None:
            box.marks.append((number, finding.severity))
            attached.add(number)

    drawing: list[str] = []
    if size is not None:
        width, height = size
        frame = _Extent(0, 0, width, height)
        for box in boxes:
            frame.add(box.x, box.y, box.x + box.w, box.y + box.h)
        extent = _Extent(frame.left, frame.top, frame.right, frame.bottom)
        drawing.append(f'<rect width="{num(width)}" height="{num(height)}" fill="#fff" '
                       'stroke="#3a3f47"/>')
        drawing.extend(_element(box, variant) for box in boxes)
        drawing.extend(_callouts(boxes, frame, extent))
        for box in boxes:
            for i, (number, severity) in enumerate(box.marks):  # in order, the last at the corner
                x, y = box.x + box.w - (len(box.marks) - 1 - i) * 13, box.y
                drawing.append(f'<g id="{variant}-badge-{number}">'
                               f"{_badge(number, severity, x, y)}</g>")
                extent.add(x - 6, y - 6, x + 6, y + 6)
        caption = f"{num(width)} \u00d7 {num(height)}"
    else:
        extent = _Extent(0, 0, 0, 0)
        caption = "no size"
        drawing.append(f'<text class="note" y="11">nothing to draw: the {variant} player has '
                       "no usable size</text>")
        extent.add(0, 0, 260, 16)

    content = extent.right - extent.left
    panel_width = max(content, MIN_PANEL)
    dx = (panel_width - content) / 2 - extent.left
    dy = CAPTION_HEIGHT - extent.top
    parts = [f'<g id="{variant}">',
             f'<text class="cap" id="{variant}-caption" y="14" font-weight="bold">{variant} '
             f'<tspan class="dim">{caption}</tspan></text>',
             f'<g transform="translate({num(dx)} {num(dy)})">', *drawing, "</g>"]
    top = CAPTION_HEIGHT + extent.bottom - extent.top + 16
    elements = layout.get("elements", {}) if layout is not None else {}
    undrawn = [name for name in ELEMENTS if name not in by_name and
               isinstance(elements.get(name), dict) and elements[name].get("show") is True]
    if size is not None and undrawn:
        for line in wrap(f"shown but not drawn, for want of a position or size: "
                          f"{', '.join(undrawn)}", panel_width, LEGEND_SIZE):
            parts.append(f'<text class="note" y="{num(top + 11)}">{xml_text(line)}</text>')
            top += LEGEND_LINE
        top += 6
    legend, bottom = _legend(variant, findings, attached, panel_width, top)
    parts.extend(legend)
    parts.append("</g>")
    return _Panel(parts, panel_width, bottom)


def _unreadable(findings: list[Finding]) -> _Panel:
    parts = ['<g id="unreadable">',
             '<text class="cap" id="unreadable-caption" y="14" font-weight="bold">'
             "the layout cannot be read</text>"]
    legend, bottom = _legend("layout", findings, set(), 2 * MIN_PANEL, CAPTION_HEIGHT)
    parts.extend(legend)
    parts.append("</g>")
    return _Panel(parts, 2 * MIN_PANEL, bottom)


def _svg(panels: list[_Panel]) -> str:
    width = sum(p.width for p in panels) + PANEL_GAP * (len(panels) - 1) + 2 * MARGIN
    height = max(p.height for p in panels) + 2 * MARGIN
    w, h = num(math.ceil(width)), num(math.ceil(height))
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
           f'viewBox="0 0 {w} {h}" font-family="{DEFAULT_FONT}">',
           f"<style>{STYLE}</style>",
           f'<rect width="{w}" height="{h}" fill="#f5f6f8"/>']
    x = float(MARGIN)
    for panel in panels:
        out.append(f'<g transform="translate({num(x)} {MARGIN})">')
        out.extend(panel.parts)
        out.append("</g>")
        x += panel.width + PANEL_GAP
    out.append("</svg>")
    return "\n".join(out) + "\n"


def preview_svg(source: str | bytes | Path | Mapping[str, Any], *, tracks: int | None = None,
                filters: Mapping[str, Callable[..., Any]] | None = None,
                functions: Mapping[str, Callable[..., Any]] | None = None) -> str:
    """The layout drawn as SVG: album and track side by side, findings marked and listed.

    ``source`` is a path, JSON text or a dict, as for ``player.check`` (and ``tracks``,
    ``filters`` and ``functions`` too). A layout that cannot be read, or whose geometry
    cannot be resolved, still gives a valid SVG that lists why.
    """
    document, unreadable = read(source)
    if document is None:
        return _svg([_unreadable(unreadable)])
    svg, _, _ = preview_document(document, tracks, Calls.of(filters, functions))
    return svg


def preview_document(document: Document, tracks: int | None = None, calls: Calls | None = None
                     ) -> tuple[str, list[Finding], dict[str, dict[str, Any]]]:
    """A readable document's SVG, with what it was drawn from: every finding (as
    ``check`` gives them) and each variant's layout resolved as far as it goes."""
    calls = Calls.of() if calls is None else calls
    findings = check_document(document, tracks, calls)
    layouts = {variant: resolve_document(document, variant,
                                         tracks if variant == "album" else None, calls)[0]
               for variant in VARIANTS}
    panels = [_panel(variant, layouts[variant],
                     [f for f in findings if f.variant in (None, variant)])
              for variant in VARIANTS]
    return _svg(panels), findings, layouts
