"""What the playground shows for one layout text, from the calls ``ladle layout`` makes.

The text always arrives as bytes, never as ``str``: ``player`` reads a string that does not
start with ``{`` as a file name, and a page must never make the server open a file.

>>> shown = page_of(b'{"w": 31, "h": 30, "play": {"x": 0, "y": 0, "w": 31, "h": 30, "show": true}}',
...                 tracks=3, embed=Embed(variant="track", item="7"))
>>> shown["summary"], shown["resolved"]["album"]["tracks"], shown["embed"]["html"][:30]
('0 errors, 0 warnings', 3, '<iframe style="border: 0; widt')
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from ladle import player
from ladle.player.preview import preview_document
from ladle.player.resolve import read

PLACEHOLDER_LAYOUT_URL = "https://example.com/layout.json"
PLACEHOLDER_PLAYER_URL = "https://example.com/player"


@dataclass(frozen=True)
class Embed:
    """What the embed code is for: the variant, the album or track id, the two URLs."""

    variant: str = "album"
    item: str = "1"
    layout_url: str = PLACEHOLDER_LAYOUT_URL
    player_url: str = PLACEHOLDER_PLAYER_URL
    debug: bool = False


def embed_of(data: bytes, embed: Embed) -> dict[str, str]:
    """``{"html": ...}``, or ``{"error": ...}`` saying why there is no embed code yet."""
    album, track = (embed.item, None) if embed.variant == "album" else (None, embed.item)
    try:
        return {"html": player.embed_code(data, layout_url=embed.layout_url,
                                          player_url=embed.player_url, album=album,
                                          track=track, debug=embed.debug)}
    except player.LayoutError as error:  # the iframe's size comes from the resolved layout
        return {"error": f"no embed code while the {embed.variant} layout has errors "
                         f"(the first: {error.findings[0].message})"}
    except ValueError as error:
        return {"error": str(error)}


def page_of(data: bytes, *, tracks: int, embed: Embed) -> dict[str, Any]:
    """Findings, the preview SVG, both variants resolved as far as they go (a field that
    cannot be resolved is left out), and the embed code: everything the page draws.
    ``tracks`` is the album player's, as for ``ladle layout preview --tracks``."""
    document, findings = read(data)
    if document is None:
        svg, resolved = player.preview_svg(data), None
    else:  # what player.check and player.preview_svg give, from one reading of the text
        svg, findings, resolved = preview_document(document, tracks)
    return {
        "findings": [asdict(finding) for finding in findings],
        "summary": player.summary(findings),
        "svg": svg,
        "resolved": resolved,
        "embed": embed_of(data, embed),
    }
