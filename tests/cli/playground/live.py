"""A real ``ladle layout serve`` in a subprocess, on a free loopback port."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


@dataclass
class Served:
    process: subprocess.Popen[str]
    url: str  # http://127.0.0.1:PORT/
    port: int
    first_line: str  # what it printed first: where it serves

    def stop(self, timeout: float = 10) -> tuple[int, str, str]:
        """Ctrl-C, as a user would; the exit code and what it printed."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        out, err = self.process.communicate(timeout=timeout)
        return self.process.returncode, out, err


@contextmanager
def serve(*arguments: str | Path, cwd: Path = ROOT) -> Iterator[Served]:
    """Start ``ladle layout serve ARGUMENTS --port 0`` in ``cwd`` and wait for the URL it
    prints."""
    process = subprocess.Popen(
        [sys.executable, "-m", "ladle", "layout", "serve", *map(str, arguments), "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=cwd)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        found = re.search(r"(http://\S+?:(\d+)/) ", line)
        if found is None:
            process.kill()
            _, err = process.communicate()
            raise AssertionError(f"no URL in {line!r}: {err}")
        yield Served(process, found.group(1), int(found.group(2)), line)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.communicate()


def wait_for(condition: object, timeout: float, step: float = 0.01) -> float:
    """Seconds until ``condition()`` is true; AssertionError after ``timeout``."""
    start = time.monotonic()
    while True:
        if condition():  # type: ignore[operator]
            return time.monotonic() - start
        if time.monotonic() - start > timeout:
            raise AssertionError(f"not within {timeout} s")
        time.sleep(step)
