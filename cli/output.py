"""Output files: written atomically, never half-written, never over an input."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from cli.diagnostics import UserError


def write_atomic(path: Path, text: str, *, inputs: Iterable[Path] = ()) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder and a rename."""
    target = path.resolve()
    for source in inputs:
        if source.exists() and source.resolve() == target:
            raise UserError(str(path), "refusing to overwrite an input file")
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                         suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
