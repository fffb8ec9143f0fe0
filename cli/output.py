"""Output files: written atomically, never half-written, never over an input."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from cli.diagnostics import UserError


@contextmanager
def open_atomic(path: Path, *, inputs: Iterable[Path] = ()) -> Iterator[TextIO]:
    """A text stream that becomes ``path`` only when the block ends without an error:
    written to a temporary file in the same folder, then renamed over ``path``."""
    target = path.resolve()
    for source in inputs:
        if source.exists() and source.resolve() == target:
            raise UserError(str(path), "refusing to overwrite an input file")
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                         suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            yield stream
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_atomic(path: Path, text: str, *, inputs: Iterable[Path] = ()) -> None:
    """Write ``text`` to ``path`` atomically (see ``open_atomic``)."""
    with open_atomic(path, inputs=inputs) as stream:
        stream.write(text)
