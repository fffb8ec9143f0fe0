"""``python -m bench``: run every suite under pytest-benchmark, then print one table of ratios.

Extra arguments go to pytest (``python -m bench -k ladle``). The exit status is nonzero
only when something is broken (an error, or a contender that disagrees with the
reference); a missed speed target is printed as MISSED, because timings on a shared,
noisy machine are not a reason to fail a build.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from bench import report
from bench.pages import measure

HERE = Path(__file__).resolve().parent

PYTEST_ARGS = [
    str(HERE),
    "-o", "python_files=bench_*.py",  # the normal test run never collects these
    "-p", "no:cacheprovider",
    "-q",
    "--benchmark-only",
    "--benchmark-quiet",  # our table replaces pytest-benchmark's
    "--benchmark-disable-gc",  # every pass allocates ~200,000 rows; a collection is noise
    "--benchmark-warmup=on",
    "--benchmark-warmup-iterations=1",  # one untimed pass
    "--benchmark-min-rounds=5",  # the median of at least 5 passes, even for cel-python
    "--benchmark-max-time=3",  # seconds per benchmark: a whole run takes well under a minute
]


def main(argv: list[str]) -> int:
    code = int(pytest.main([*PYTEST_ARGS, *argv]))
    if code != 0:
        print(f"bench: pytest failed (exit {code})", file=sys.stderr)
        return code
    if not report.RESULTS and not measure.RESULTS and not report.STARTUP:
        print("bench: no benchmark results were collected", file=sys.stderr)
        return 1
    if report.RESULTS:
        print()
        print(report.table(report.RESULTS))
    if measure.RESULTS:
        print("\ncorpus pages (ladle's median render and its ratios, engines interleaved; "
              "<1: ladle faster):")
        print(measure.table(measure.RESULTS))
    for group in ("catalog", "stream"):
        rates = report.throughput(report.RESULTS, group)
        if rates:
            print(f"\n{group} runs (medians, this run):")
            print("\n".join(rates))
    if measure.RESULTS or report.STARTUP or report.RESULTS:
        print("\nsummary (medians of this run, contenders interleaved; ratio < 1: ladle "
              "faster):")
        print(report.summary(report.RESULTS, measure.RESULTS))
    lines, all_hold = report.targets(report.RESULTS)
    corpus = measure.targets(measure.RESULTS)
    lines += corpus
    all_hold = all_hold and not any(line.startswith("MISSED") for line in corpus)
    if lines:
        print("\ntargets (median ratios, this run):")
        print("\n".join(lines))
        print("all targets hold" if all_hold else "some targets were MISSED (not an error)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
