"""Embed code: the HTML to paste, sized by the resolved layout so the two cannot disagree."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from markupsafe import escape

from ladle.player.resolve import resolve

_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def player_src(player_url: str, variant: str, item: str, layout_url: str,
               debug: bool = False) -> str:
    """The player URL: ``…/album=ID/layout=ENCODED/`` (``debug=true/`` to cache-bust)."""
    for name, url in (("player", player_url), ("layout", layout_url)):
        if urlsplit(url).scheme not in ("http", "https"):
            raise ValueError(f"the {name} URL must start with http:// or https://, not {url!r}")
    if not _ID.fullmatch(item):
        raise ValueError(f"the {variant} id must be letters, digits, '-' or '_', not {item!r}")
    parts = [f"{variant}={item}", f"layout={quote(layout_url, safe='')}"]
    if debug:
        parts.append("debug=true")
    return player_url.rstrip("/") + "/" + "/".join(parts) + "/"


def embed_code(source: str | bytes | Path | Mapping[str, Any], *, layout_url: str, player_url: str,
               album: str | None = None, track: str | None = None,
               debug: bool = False,
               filters: Mapping[str, Callable[..., Any]] | None = None,
               functions: Mapping[str, Callable[..., Any]] | None = None) -> str:
    """An ``<iframe>`` for the album or track player, as wide and high as the layout says
    (``filters`` and ``functions`` as for ``resolve``)."""
    if (album is None) == (track is None):
        raise ValueError("give an album or a track to embed, not both or neither")
    variant, item = ("album", album) if album is not None else ("track", track)
    assert item is not None
    layout = resolve(source, variant=variant, filters=filters, functions=functions)
    src = player_src(player_url, variant, item, layout_url, debug)
    return (f'<iframe style="border: 0; width: {layout["w"]}px; height: {layout["h"]}px;" '
            f'src="{escape(src)}" seamless></iframe>')
