"""``make demo`` ends by printing the command that opens the layout playground on a copy of
the demo layout, and that command works."""

from __future__ import annotations

import shlex
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

from ladle import cli
from ladle.cli import serve_command
from ladle.cli.playground import server

ROOT = Path(__file__).resolve().parents[2]


def test_make_demo_ends_with_the_playground_command(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if shutil.which("make") is None:
        pytest.fail("make is needed: the README's quick start is 'make demo'")
    done = subprocess.run(["make", "--dry-run", "--no-print-directory", "demo"], cwd=ROOT,
                          capture_output=True, text=True, check=True)
    steps = done.stdout.splitlines()
    copy = next(step for step in steps if step.startswith("cp "))
    assert copy == "cp examples/layouts/mistakes.json out/layout-mistakes.json"
    assert steps[-1].startswith("echo ") and "ladle layout serve" in steps[-1]
    printed = shlex.split(shlex.split(steps[-1])[1])  # what the echo prints
    assert printed == [".venv/bin/ladle", "layout", "serve", "out/layout-mistakes.json",
                       "--open"]
    # Run it where the demo ran: it serves that file (here on a free port, stopped at once).
    (tmp_path / "out").mkdir()
    shutil.copy(ROOT / "examples" / "layouts" / "mistakes.json", tmp_path / "out")
    (tmp_path / "out" / "mistakes.json").rename(tmp_path / "out" / "layout-mistakes.json")
    monkeypatch.chdir(tmp_path)
    bind = serve_command.listen
    monkeypatch.setattr(serve_command, "listen", lambda host, port: bind(host, 0))
    served: list[str | None] = []

    def run_once(playground: object, sock: socket.socket, host: str, *,
                 open_url: str | None = None) -> None:
        served.append(open_url)
        sock.close()

    monkeypatch.setattr(server, "run", run_once)
    assert cli.main(printed[1:]) == 0
    assert len(served) == 1 and str(served[0]).startswith("http://127.0.0.1:")
