"""The one file the playground edits: its versions, saves that never lose an edit, and the
watch that tells every open page when another editor saved it.

A version is a hash of the file's bytes, so touching a file without changing it is no
change, and a save names the version it was edited from: when the file changed on disk
since, the save is refused instead of overwriting someone's work.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import stat
import threading
from dataclasses import dataclass
from pathlib import Path

import anyio
import watchfiles

from ladle.cli.diagnostics import UserError
from ladle.cli.output import temporary_beside

ABSENT = "absent"  # the version of a file that does not exist (yet)
_LOG = logging.getLogger("ladle.playground")


def version_of(data: bytes | None) -> str:
    """A short hash of the bytes (``ABSENT`` for no file).

    >>> version_of(b"{}"), version_of(None)
    ('44136fa355b3678a', 'absent')
    """
    return ABSENT if data is None else hashlib.sha256(data).hexdigest()[:16]


@dataclass(frozen=True)
class Snapshot:
    """The file as read once: its bytes (None when it does not exist or cannot be read,
    with ``error`` saying why) and their version."""

    data: bytes | None
    version: str
    error: str | None = None

    def text(self) -> str | None:
        return None if self.data is None else self.data.decode("utf-8", "replace")


class SaveRefused(Exception):
    """A save that did not happen: ``conflict`` when the file changed since it was loaded
    (``current`` is what is there now), else the file could not be written."""

    def __init__(self, message: str, current: Snapshot | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.current = current


class LayoutFile:
    """The file FILE of ``ladle layout serve FILE`` (resolved once: a symlink's target)."""

    def __init__(self, path: Path, max_bytes: int) -> None:
        self.path = path.resolve()
        self.max_bytes = max_bytes
        self._saving = threading.Lock()  # one save at a time: check, then replace

    def read(self) -> Snapshot:
        """The file now; a file that is too big, not regular, not UTF-8 or unreadable gives
        a snapshot with no data and the reason."""
        try:
            # Non-blocking: opening a FIFO would otherwise wait for a writer.
            with os.fdopen(os.open(self.path, os.O_RDONLY | os.O_NONBLOCK), "rb") as file:
                if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
                    return Snapshot(None, "unreadable", f"{self.path.name} is not a regular file")
                data = file.read(self.max_bytes + 1)
        except FileNotFoundError:
            return Snapshot(None, ABSENT)
        except OSError as error:
            return Snapshot(None, "unreadable", f"cannot read {self.path.name}: "
                                                f"{(error.strerror or str(error)).lower()}")
        if len(data) > self.max_bytes:
            return Snapshot(None, "too-large", f"{self.path.name} is larger than the layout "
                                               f"limit of {self.max_bytes} bytes")
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as error:
            return Snapshot(None, "not-utf-8", f"{self.path.name} is not UTF-8 (invalid byte "
                                               f"0x{data[error.start]:02x} at offset "
                                               f"{error.start})")
        return Snapshot(data, version_of(data))

    def save(self, data: bytes, base: str) -> Snapshot:
        """Write ``data`` if the file is still at version ``base``: atomically (a temporary
        file beside it, then a rename), keeping the file's permissions."""
        with self._saving:
            current = self.read()
            if current.version != base:
                raise SaveRefused(f"{self.path.name} changed on disk since it was loaded; "
                                  "load it again (your text stays in the editor) or copy your "
                                  "edits first", current)
            try:
                with temporary_beside(self.path) as temporary, open(temporary, "wb") as out:
                    out.write(data)
                    out.flush()
                    os.fsync(out.fileno())
            except UserError as error:
                raise SaveRefused(f"{self.path.name}: {error.message}") from None
            except OSError as error:
                raise SaveRefused(f"cannot write {self.path.name}: "
                                  f"{(error.strerror or str(error)).lower()}") from None
            return Snapshot(data, version_of(data))


class Hub:
    """Hands the file's newest snapshot to every open page (each its own queue of one: a
    page that is slow to read gets the newest, never a backlog). Used from the event loop
    only."""

    def __init__(self) -> None:
        self._queues: set[asyncio.Queue[Snapshot]] = set()

    def subscribe(self) -> asyncio.Queue[Snapshot]:
        queue: asyncio.Queue[Snapshot] = asyncio.Queue(maxsize=1)
        self._queues.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[Snapshot]) -> None:
        self._queues.discard(queue)

    def publish(self, snapshot: Snapshot) -> None:
        for queue in self._queues:
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(snapshot)


async def watch(file: LayoutFile, hub: Hub, stop: asyncio.Event) -> None:
    """Publish the file's snapshot whenever its version changes, until ``stop`` is set.

    Its folder is watched rather than the file, because editors that save by renaming a
    new file over the old one replace the file being watched. Where the system cannot
    watch, the folder is polled; while the folder is gone, it is looked for each second."""
    target = str(file.path)
    last = (await anyio.to_thread.run_sync(file.read)).version

    def only_target(_change: watchfiles.Change, path: str) -> bool:
        return path == target

    async def look() -> None:
        nonlocal last
        snapshot = await anyio.to_thread.run_sync(file.read)
        if snapshot.version != last:
            last = snapshot.version
            hub.publish(snapshot)

    polling = False
    while not stop.is_set():
        try:
            async for _changes in watchfiles.awatch(
                    file.path.parent, watch_filter=only_target, recursive=False, debounce=400,
                    step=40, stop_event=stop, force_polling=polling, poll_delay_ms=200):
                await look()
        except (OSError, RuntimeError) as error:
            if not file.path.parent.is_dir():
                await look()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), 1)
            elif not polling:  # e.g. no inotify watches left
                _LOG.warning("watching %s by polling: %s", file.path.parent, error)
                polling = True
            else:
                raise
