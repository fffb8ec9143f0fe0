"""Stream suite: ``ladle rules match RULES --stream`` on a pipe, against the hand-written
lambdas of the expressions suite reading the same lines from the same pipe and writing the
same output lines.

Each contender is a child process: ``cat`` feeds it the generated records through a pipe
and this process reads its output from another pipe (counting the bytes). Start-up is
included in both. The lambdas' program is what one would write by hand for speed:
orjson for each line, the five lambdas, the end of each output line made once per
outcome, one f-string per line into a buffered standard output. (It trusts its input:
no nulls, no bad lines, no rule errors, which the stream checks for.) The two outputs
must be byte for byte the same before anything is timed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

from bench import workload
from bench.bench_expressions import LAMBDAS

GROUP = "stream"
RECORDS = int(os.environ.get("LADLE_BENCH_STREAM_RECORDS", 1_000_000))
ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / ".bench-data"
LADLE = "ladle rules match --stream, pipe"
BY_HAND = "hand-written lambdas, same lines"

# The expressions suite's LAMBDAS, as the program text a child runs (checked equal below).
_RULES = """[
    ("morbo", lambda r: r["tag"] == "lossless" and r["id"] % 100 >= 0 and r["id"] % 100 <= 47),
    ("linda", lambda r: r["tag"] == "lossless" and r["id"] % 100 >= 48 and r["id"] % 100 <= 96),
    ("calculon", lambda r: r["tag"] == "lossless" and r["id"] % 100 >= 97
                 and r["id"] % 100 <= 99),
    ("devil", lambda r: r["public"] is True),
    ("santa", lambda r: r["public"] is True),
]"""

_BY_HAND = """
import json, sys
import orjson

RULES = LAMBDAS
NAMES = [name for name, _ in RULES]
TESTS = [rule for _, rule in RULES]

def main():
    loads = orjson.loads
    write = sys.stdout.buffer.write
    endings = {}  # the end of the output line for each outcome, made once
    number = 0
    for line in sys.stdin.buffer:
        number += 1
        record = loads(line)
        outcome = tuple([rule(record) for rule in TESTS])
        ending = endings.get(outcome)
        if ending is None:
            claimed = [name for name, claims in zip(NAMES, outcome) if claims]
            ending = endings[outcome] = f', "claimed": {json.dumps(claimed)}}}\\n'
        write(f'{{"line": {number}, "id": {record["id"]}{ending}'.encode())
    sys.stdout.buffer.flush()

main()
""".replace("LAMBDAS", _RULES)


@pytest.fixture(scope="module")
def lines() -> Path:
    """The generated records as JSON Lines, made once."""
    DATA.mkdir(exist_ok=True)
    path = DATA / f"stream-{RECORDS}.jsonl"
    if not path.exists():
        partial = path.with_suffix(".partial")
        with partial.open("wb") as out:
            for start in range(0, RECORDS, 100_000):
                batch = workload.make_records(min(100_000, RECORDS - start),
                                              seed=workload.SEED + start)
                out.write(b"".join(orjson.dumps(r) + b"\n" for r in batch))
        partial.rename(path)
    return path


@pytest.fixture(scope="module")
def rules_file() -> Path:
    DATA.mkdir(exist_ok=True)
    path = DATA / "stream.rules"
    path.write_text("".join(f"{name}: {source}\n" for name, source in workload.RULES.items()))
    return path


def _commands(rules_file: Path) -> dict[str, list[str]]:
    return {LADLE: [sys.executable, "-m", "ladle.cli", "rules", "match", str(rules_file),
                    "--stream"],
            BY_HAND: [sys.executable, "-c", _BY_HAND]}


def _piped(command: list[str], lines: Path, keep: bool = False) -> bytes | int:
    """Run ``command`` between two pipes: ``cat lines |`` it ``|`` this process. Returns
    its output (``keep``) or the number of bytes it wrote."""
    with subprocess.Popen(["cat", str(lines)], stdout=subprocess.PIPE) as feed, \
            subprocess.Popen(command, stdin=feed.stdout, stdout=subprocess.PIPE,
                             cwd=ROOT) as child:
        assert feed.stdout is not None and child.stdout is not None
        feed.stdout.close()  # the child holds the read end now
        kept: list[bytes] = []
        size = 0
        while chunk := child.stdout.read(1 << 16):
            size += len(chunk)
            if keep:
                kept.append(chunk)
    assert child.returncode == 0 and feed.returncode == 0, command
    return b"".join(kept) if keep else size


@pytest.fixture(scope="module")
def agreed(lines: Path, rules_file: Path) -> int:
    """Both contenders write the same bytes (a fixture: ``--benchmark-only`` skips plain
    tests); returns that output's length."""
    with lines.open("rb") as file:
        sample = [orjson.loads(line) for _, line in zip(range(10_000), file, strict=False)]
    by_hand: list[tuple[str, Any]] = eval(_RULES)  # our own constant text, never input
    for record in sample:
        assert [rule(record) for _, rule in by_hand] == [rule(record) for rule in LAMBDAS]
    outputs = {label: _piped(command, lines, keep=True)
               for label, command in _commands(rules_file).items()}
    assert outputs[LADLE] == outputs[BY_HAND]
    output = outputs[LADLE]
    assert isinstance(output, bytes) and output.count(b"\n") == RECORDS
    return len(output)


def _tag(benchmark: Any, label: str, baseline: bool = False) -> None:
    benchmark.group = GROUP
    benchmark.extra_info.update(label=label, records=RECORDS, evaluations=RECORDS,
                                baseline=baseline)


@pytest.mark.parametrize("label", [BY_HAND, LADLE])
def test_stream(benchmark: Any, lines: Path, rules_file: Path, agreed: int,
                label: str) -> None:
    _tag(benchmark, label, baseline=label == BY_HAND)
    command = _commands(rules_file)[label]
    size = benchmark.pedantic(_piped, (command, lines), rounds=3, iterations=1)
    assert size == agreed
