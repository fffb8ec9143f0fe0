"""The one place ladle reaches into python-liquid's and markupsafe's private parts.

Each is a speed path or a check python-liquid makes itself that ladle must make the
same way: a python-liquid or markupsafe upgrade that changes one of them needs a
change here only (pinned: python-liquid 2.3, markupsafe 2.1 and later).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

import liquid
from liquid.context import RenderContext
from markupsafe import escape


def scope_maps(scope: Any) -> deque[Any]:
    """The namespaces of a ``ReadOnlyChainMap`` (a render context's scope), front first;
    the compiled ``render`` tag pushes its own in front."""
    maps: deque[Any] = scope._maps
    return maps


def copy_depth(context: RenderContext) -> int:
    """How many times a render context was copied to reach this one (``render`` tags)."""
    depth: int = context._copy_depth
    return depth


def read_template_file(loader: liquid.FileSystemLoader, path: Path) -> tuple[str, float]:
    """The text and modification time of a template file, as the loader reads it."""
    return liquid.FileSystemLoader._read(loader, path)


def _escape_text(text: str) -> str:
    return str(escape(text))


# markupsafe's own C function (markupsafe >= 3) gives the escaped text without making a
# ``Markup`` object of it.
try:
    from markupsafe._speedups import _escape_inner
except ImportError:  # pragma: no cover - markupsafe < 3, or without its C speedups
    _escape_inner = _escape_text
escape_text: Callable[[str], str] = _escape_inner
