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
def atomic_path(path: Path, *, inputs: Iterable[Path] = ()) -> Iterator[Path]:
    """A temporary path in ``path``'s folder that is renamed to ``path`` only when the
    block ends without an error, and removed otherwise."""
    target = path.resolve()
    for source in inputs:
        if source.exists() and source.resolve() == target:
            raise UserError(str(path), "refusing to overwrite an input file")
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                         suffix=".tmp")
    os.close(handle)
    try:
        yield Path(temporary)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@contextmanager
def open_atomic(path: Path, *, inputs: Iterable[Path] = ()) -> Iterator[TextIO]:
    """A text stream that becomes ``path`` only when the block ends without an error
    (see ``atomic_path``)."""
    with atomic_path(path, inputs=inputs) as temporary, \
            temporary.open("w", encoding="utf-8") as stream:
        yield stream


def write_atomic(path: Path, text: str, *, inputs: Iterable[Path] = ()) -> None:
    """Write ``text`` to ``path`` atomically (see ``open_atomic``)."""
    with open_atomic(path, inputs=inputs) as stream:
        stream.write(text)
