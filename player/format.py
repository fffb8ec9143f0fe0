"""The layout format: elements, fields, styles and the names expressions may read."""

from __future__ import annotations

ELEMENTS = (
    "art", "maintext", "subtext", "play", "next", "prev", "currenttitle", "currenttime",
    "totaltime", "linkarea", "timeline", "tracklist",
)
GEOMETRY = ("x", "y", "w", "h")
FIELDS = (*GEOMETRY, "show", "styles")
VARIANTS = ("album", "track")
TOP_LEVEL = ("w", "h", "vars", "$schema")
STYLES = ("color", "textAlign", "fontFamily", "fontSize", "fontWeight", "isMenu", "rowHeight")
# Names every expression may read besides vars and elements.
BUILTIN_NAMES = ("album", "track", "variant", "w", "h", "tracks")
DEFAULT_TRACKS = 10
