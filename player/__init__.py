"""Player layouts: check, resolve, embed and preview the JSON layouts of the music player.

>>> import player
>>> layout = player.resolve(player.presets()["button"], variant="track")
>>> layout["w"], layout["h"], layout["elements"]["play"]["show"]
(31, 30, True)
"""

from __future__ import annotations

from player.bundled import presets
from player.checks import check
from player.embed import embed_code
from player.findings import Finding, LayoutError, summary
from player.preview import preview_svg
from player.resolve import canonical_json, fingerprint, resolve

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
