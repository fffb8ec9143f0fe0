"""CLI start-up suite (issue 14): how long ``ladle eval``, ``ladle --help`` and ``ladle
rules match`` take from start to exit, each a fresh process, next to ``python -c pass``.

Each round starts every command once, in an order that rotates from round to round, and
keeps the process's CPU time (user + system, from ``os.wait4``) and its wall time; the
medians are reported. CPU time is what the target is judged on: on cores shared with other
jobs, wall time also counts the moments the process waits for a core.

An installed package has its modules compiled to bytecode, so the commands are run once
untimed with bytecode writing allowed (``PYTHONDONTWRITEBYTECODE`` off): otherwise every
run would compile ladle's sources again, which no installed ``ladle`` does.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench import report

ROOT = Path(__file__).resolve().parents[1]
ROUNDS = 21
RECORD = '{"tag": "lossless", "id": 93}'
# The name in the table, the arguments, and a line the command prints (checked first).
COMMANDS = [
    ('ladle eval "1 + 2"', ["eval", "1 + 2"], "3"),
    ("ladle --help", ["--help"], "Usage: ladle [OPTIONS] COMMAND [ARGS]..."),
    ("ladle rules match", ["rules", "match", "examples/placement.rules", "--record", RECORD],
     "linda"),
]
PYTHON = "python -c pass"


def _ladle() -> list[str]:
    """The installed console script, or what it runs when there is none."""
    script = Path(sys.executable).with_name("ladle")
    if script.exists():
        return [sys.executable, str(script)]
    return [sys.executable, "-c", "import sys; from ladle.cli import main; sys.exit(main())"]


def _environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _run(argv: list[str], environment: dict[str, str]) -> tuple[float, float]:
    """(CPU ms, wall ms) of one run of ``argv``, its output thrown away."""
    actions = [(os.POSIX_SPAWN_OPEN, fd, os.devnull, os.O_WRONLY, 0) for fd in (1, 2)]
    start = time.perf_counter()
    pid = os.posix_spawn(argv[0], argv, environment, file_actions=actions)
    _, status, usage = os.wait4(pid, 0)
    wall = (time.perf_counter() - start) * 1e3
    if os.waitstatus_to_exitcode(status) != 0:
        raise AssertionError(f"{argv} failed (status {status})")
    return (usage.ru_utime + usage.ru_stime) * 1e3, wall


def measure(rounds: int = ROUNDS) -> list[report.Startup]:
    environment = _environment()
    runs = {PYTHON: [sys.executable, "-c", "pass"]}
    for name, arguments, expected in COMMANDS:
        runs[name] = [*_ladle(), *arguments]
        done = subprocess.run(runs[name], capture_output=True, text=True, cwd=ROOT,
                              env=environment, check=False)  # also writes the bytecode
        assert done.returncode == 0 and expected in done.stdout.splitlines(), (
            f"{name}: exit {done.returncode}, output {done.stdout[:500]!r} "
            f"{done.stderr[-500:]!r}")
    order = list(runs)
    cpu: dict[str, list[float]] = {name: [] for name in order}
    wall: dict[str, list[float]] = {name: [] for name in order}
    cwd = os.getcwd()
    os.chdir(ROOT)  # the rule file's path is relative to the repository
    try:
        for number in range(rounds):
            shift = number % len(order)
            for name in order[shift:] + order[:shift]:
                spent, waited = _run(runs[name], environment)
                cpu[name].append(spent)
                wall[name].append(waited)
    finally:
        os.chdir(cwd)
    python = statistics.median(cpu[PYTHON])
    return [report.Startup(name, statistics.median(cpu[name]), statistics.median(wall[name]),
                           min(wall[name]), python, rounds)
            for name, _, _ in COMMANDS]


def test_startup(benchmark: Any) -> None:
    benchmark.group = "startup"
    benchmark.extra_info.update(label="CLI start-up", hidden=True)
    report.STARTUP.extend(benchmark.pedantic(measure, rounds=1, iterations=1,
                                             warmup_rounds=0))
