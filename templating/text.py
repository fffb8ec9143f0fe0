"""How a value prints in a template: Liquid's string form, escaped where the template
escapes.

python-liquid prints a list by joining ``str()`` of its items, which shows Python's
``repr`` for nested lists, tuples, ranges and nil (``[1, None]``), and a map as Python's
``repr`` (``{'a': 1}``); Liquid flattens nested lists, prints nil as nothing, and ladle
prints a map as JSON (``{"a": 1}``), as ``str()`` does. Every other value prints as
python-liquid prints it.
"""

from __future__ import annotations

import sys
from typing import Any

from liquid.stringify import to_liquid_string
from markupsafe import Markup

from ladle.grammar.runtime import text
from ladle.templating.internals import escape_text


def _escaped_piece(piece: str) -> str:
    return piece if isinstance(piece, Markup) else escape_text(piece)


def output_text(value: Any, autoescape: bool, limit: int | None = None) -> str:
    """The text ``{{ value }}`` writes; a list's text longer than ``limit`` characters is
    refused before it is built (it would pass the output limit anyway)."""
    if isinstance(value, (list, tuple, range, dict)):
        joined = text(value, sys.maxsize if limit is None else limit,
                      _escaped_piece if autoescape else None)
        return Markup(joined) if autoescape else joined
    return to_liquid_string(value, autoescape)
