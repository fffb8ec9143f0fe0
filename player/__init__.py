"""Player layouts: check, resolve, embed and preview the JSON layouts of the music player.

>>> from ladle import player
>>> layout = player.resolve(player.presets()["button"], variant="track")
>>> layout["w"], layout["h"], layout["elements"]["play"]["show"]
(31, 30, True)
"""

from __future__ import annotations

from ladle.player.bundled import presets
from ladle.player.checks import check
from ladle.player.embed import embed_code
from ladle.player.findings import Finding, LayoutError, summary
from ladle.player.preview import preview_svg
from ladle.player.resolve import canonical_json, fingerprint, resolve

__all__ = [
    "Finding",
    "LayoutError",
    "canonical_json",
    "check",
    "embed_code",
    "fingerprint",
    "presets",
    "preview_svg",
    "resolve",
    "summary",
]
