"""The preset layouts that ship with ladle (``player/presets/*.json``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

PRESETS = Path(__file__).resolve().parent / "presets"


def preset_path(name: str) -> Path:
    """The file of preset ``name``; ``KeyError`` with the known names if there is none."""
    path = PRESETS / f"{name}.json"
    if not name.isidentifier() or not path.is_file():
        known = ", ".join(sorted(presets()))
        raise KeyError(f"no preset {name!r} (presets: {known})")
    return path


def presets() -> dict[str, dict[str, Any]]:
    """Every preset: name -> layout, freshly read (callers may change what they get)."""
    return {path.stem: json.loads(path.read_text(encoding="utf-8"))
            for path in sorted(PRESETS.glob("*.json"))}
