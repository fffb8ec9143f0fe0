"""Output files: one writer for every ``-o`` of every command.

- ``-`` is standard output; a device, a FIFO or a socket is written through, never
  replaced.
- A file is written to a temporary file beside it and renamed over it only when the
  whole run succeeded, so a reader sees the old file or the new one, never half of one
  (even after SIGKILL). SIGTERM and SIGHUP remove the temporary file as Ctrl-C does, and
  a temporary file left by a killed run is removed by the next run that writes there.
- A new file gets the mode the umask gives; a replaced file keeps its mode.
- The folder must exist, and an input of the run is never an output.
"""

from __future__ import annotations

import os
import signal
import stat
import sys
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TextIO

from ladle.cli.diagnostics import UserError, os_error_message

_TEMPORARY = ".ladle-"  # temporary files are ".NAME.ladle-PID-N.tmp" beside the output


def is_stdout(path: str | os.PathLike[str]) -> bool:
    return os.fspath(path) == "-"


def check_output(path: str | os.PathLike[str], inputs: Iterable[str | os.PathLike[str]] = ()
                 ) -> Path | None:
    """Where ``path`` will be written: None for standard output or a file that is written
    through (a device, a FIFO), else the regular file to replace. Raises ``UserError``
    when it cannot be written at all."""
    name = os.fspath(path)
    if name == "-":
        return None
    if not name:
        raise UserError("-o", "the output file name is empty")
    target = Path(name)
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        mode = None
    except OSError as error:
        raise UserError(name, error.strerror or str(error)) from None
    if mode is not None and stat.S_ISDIR(mode):
        raise UserError(name, "is a folder; give a file name")
    for source in inputs:
        if os.fspath(source) != "-" and _same_file(target, Path(source)):
            raise UserError(name, f"refusing to overwrite an input file ({os.fspath(source)})")
    if mode is not None and not stat.S_ISREG(mode):
        return None  # a device, a FIFO, a socket: written through
    resolved = target.resolve()
    folder = resolved.parent
    if not folder.is_dir():
        reason = "is not a folder" if folder.exists() else "does not exist"
        raise UserError(name, f"the folder {os.fspath(target.parent) or '.'!r} {reason}")
    return resolved


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


@contextmanager
def output_stream(path: str | os.PathLike[str], *,
                  inputs: Iterable[str | os.PathLike[str]] = ()) -> Iterator[TextIO]:
    """A text stream for ``path`` that becomes the file only when the block ends without
    an error (see the module's docstring)."""
    target = check_output(path, inputs)
    if target is None:
        if is_stdout(path):
            yield sys.stdout
            sys.stdout.flush()
            return
        try:
            through = open(path, "w", encoding="utf-8")  # noqa: SIM115 (closed below)
        except OSError as error:
            raise UserError(os.fspath(path), os_error_message(error)) from None
        with named_write_errors(path), through:
            yield through
        return
    with temporary_beside(target) as temporary, named_write_errors(path), \
            open(temporary, "w", encoding="utf-8", newline="") as stream:
        yield stream
        stream.flush()
        os.fsync(stream.fileno())


@contextmanager
def named_write_errors(path: str | os.PathLike[str]) -> Iterator[None]:
    """An error only writing meets (a full disk), raised in the block (or as the file is
    flushed and closed), as a ``UserError`` naming ``path``; any other error as it is."""
    try:
        yield
    except OSError as error:
        message = os_error_message(error)
        if not message.startswith("cannot write"):
            raise
        raise UserError(os.fspath(path), message) from None


@contextmanager
def temporary_beside(target: Path, *, keep: bool = True,
                     suffix: str = ".tmp") -> Iterator[Path]:
    """A temporary file beside ``target`` with the mode ``target`` will have. With
    ``keep`` it is renamed to ``target`` when the block ends without an error; it is
    removed otherwise (also on SIGTERM and SIGHUP), and always without ``keep``."""
    _remove_stale(target)
    temporary = _create(target, suffix, _mode_for(target))
    renamed = False
    try:
        with _cleanup_on_signals():
            yield temporary
            if keep:
                os.replace(temporary, target)
                renamed = True
    finally:
        if not renamed:
            with suppress(OSError):
                temporary.unlink()


def write_output(path: str | os.PathLike[str], text: str, *,
                 inputs: Iterable[str | os.PathLike[str]] = ()) -> None:
    """Write ``text`` to ``path`` (see ``output_stream``)."""
    with output_stream(path, inputs=inputs) as stream:
        stream.write(text)


def _mode_for(target: Path) -> int:
    try:
        return stat.S_IMODE(target.stat().st_mode)  # a replaced file keeps its mode
    except OSError:
        return 0o666 & ~_umask()


def _umask() -> int:
    try:  # Linux tells it without changing it
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    current = os.umask(0o022)
    os.umask(current)
    return current


def _create(target: Path, suffix: str, mode: int) -> Path:
    prefix = f".{target.name}{_TEMPORARY}{os.getpid()}-"
    for attempt in range(1000):
        temporary = target.with_name(f"{prefix}{attempt}{suffix}")
        try:
            handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        except OSError as error:
            raise UserError(os.fspath(target), f"cannot write here: "
                            f"{os_error_message(error)}") from None
        try:
            os.fchmod(handle, mode)
        finally:
            os.close(handle)
        return temporary
    raise UserError(os.fspath(target), "cannot make a temporary file beside it")


def _remove_stale(target: Path) -> None:
    """Remove the temporary files that runs killed while writing ``target`` left."""
    with suppress(OSError):
        for entry in target.parent.iterdir():
            name = entry.name
            start = f".{target.name}{_TEMPORARY}"
            if not name.startswith(start):
                continue
            pid = name[len(start):].split("-", 1)[0]
            if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
                with suppress(OSError):
                    entry.unlink()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Terminated(SystemExit):
    """SIGTERM or SIGHUP arrived: leave as Ctrl-C would, after cleaning up."""


@contextmanager
def _cleanup_on_signals() -> Iterator[None]:
    """While writing, SIGTERM and SIGHUP end the run through Python (so that ``finally``
    blocks remove temporary files) with the shell's exit code for the signal."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, _frame: object) -> None:
        raise Terminated(128 + signum)

    previous = {}
    for signum in (signal.SIGTERM, signal.SIGHUP):
        previous[signum] = signal.signal(signum, stop)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
