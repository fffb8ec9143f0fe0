"""Run hostile input in a child process under a time and memory cap, so that a regression
fails the test instead of hanging CI or exhausting the machine.

The cap on time is on CPU time: the machine is shared, and a busy moment stretches the
wall clock (a test of 2.5 s of CPU took 5 s at a load of 4). The wall clock is only a
guard against a child that waits for ever, at four times the cap."""

from __future__ import annotations

import json
import math
import signal
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SECONDS = 5.0
MEGABYTES = 500

_PRELUDE = """
import resource, sys
limit = {megabytes} * 1024 * 1024
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
resource.setrlimit(resource.RLIMIT_CPU, ({cpu}, {cpu} + 1))  # SIGXCPU, then SIGKILL
sys.path.insert(0, {root!r})
"""


@dataclass(frozen=True)
class Outcome:
    returncode: int
    stdout: str
    stderr: str


def run_capped(code: str, *, seconds: float = SECONDS, megabytes: int = MEGABYTES,
               stdin: bytes | None = None) -> Outcome:
    """Run ``code`` in a fresh interpreter capped at ``seconds`` of CPU time and
    ``megabytes`` of address space. A run over the cap fails the calling test."""
    prelude = _PRELUDE.format(megabytes=megabytes, cpu=math.ceil(seconds), root=str(ROOT))
    program = prelude + textwrap.dedent(code)
    try:
        done = subprocess.run([sys.executable, "-c", program], input=stdin,
                              capture_output=True, timeout=4 * seconds, cwd=ROOT, check=False)
    except subprocess.TimeoutExpired as expired:
        raise AssertionError(f"still running after {4 * seconds} s:\n"
                             f"{textwrap.dedent(code)}") from expired
    if done.returncode in (-signal.SIGXCPU, -signal.SIGKILL):
        raise AssertionError(f"used more than {seconds} s of CPU:\n{textwrap.dedent(code)}")
    return Outcome(done.returncode, done.stdout.decode("utf-8", "replace"),
                   done.stderr.decode("utf-8", "replace"))


def expect_output(code: str, **caps: float) -> str:
    """Run ``code`` capped and return what it printed; any failure (a crash, a memory
    error, a non-zero exit) fails the calling test with the child's error output."""
    outcome = run_capped(code, **caps)  # type: ignore[arg-type]
    assert outcome.returncode == 0, outcome.stderr[-3000:]
    return outcome.stdout


def assert_near_linear(code: str, what: str, *, ratio: float = 12.0) -> None:
    """Run ``code``, which prints ``[seconds at size n, seconds at size 8n]`` as JSON, and
    require the second within ``ratio`` times the first; the machine is shared, so a busy
    moment gets two more tries."""
    ratios = []
    for _ in range(3):
        small, large = json.loads(expect_output(code))
        ratios.append(large / small)
        if ratios[-1] <= ratio:
            return
    raise AssertionError(f"{what}: 8 times the size took {min(ratios):.1f} times as long")


_GROWTH = """
import json, time
{setup}
work = {work}
make = lambda n: {make}

def best(n):
    made = make(n)
    fastest = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        try:
            work(made)
        except {expected}:
            pass
        fastest = min(fastest, time.perf_counter() - started)
    return fastest

print(json.dumps([best({n}), best(8 * {n})]))
"""


def assert_grows_linearly(setup: str, work: str, make: str, n: int, what: str, *,
                          expected: str = "Exception") -> None:
    """Time ``work(make(n))`` against ``work(make(8 * n))`` (best of 3 each, errors of the
    ``expected`` kind ignored) in a capped child whose imports are ``setup``, and require
    near-linear growth (``assert_near_linear``)."""
    code = _GROWTH.format(setup=textwrap.dedent(setup), work=work, make=make, n=n,
                          expected=expected)
    assert_near_linear(code, what)
