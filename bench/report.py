"""Results of a benchmark run: one table of ratios, and the design's speed targets.

``bench/conftest.py`` feeds ``collect`` with pytest-benchmark's statistics. Each suite
tags its benchmarks with ``benchmark.group`` (the suite) and ``benchmark.extra_info``:

- ``label``: the contender's name in the table;
- ``evaluations``: how many unit evaluations one timed call makes (records x rules), so
  that suites timed on fewer records still compare per evaluation;
- ``records``: how many records the call covers (shown, not computed with);
- ``baseline``: true for the one benchmark of the group the others are divided by.

Ratios are only taken inside a group, i.e. between numbers measured in the same run,
because absolute times on these machines drift.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Result:
    group: str
    label: str
    ns: float  # median nanoseconds per evaluation
    rounds: int
    records: int | None
    baseline: bool


@dataclass(frozen=True)
class Target:
    """``label`` costs at most ``factor`` times ``other`` (factor < 1: faster by 1/factor)."""

    group: str
    label: str
    other: str
    factor: float


# /work/shared/design/expressions.md, "Compilation and speed".
TARGETS = [
    Target("expressions", "ladle compile(), per rule", "lambdas", 1.5),
    Target("expressions", "ladle compile_set()", "lambdas", 1.5),
    Target("expressions", "ladle compile(), per rule", "simpleeval", 1 / 20),
    Target("expressions", "ladle compile_set()", "simpleeval", 1 / 20),
    # /work/shared/design/templates.md, "Speed": the artist page (bench/bench_templates.py).
    Target("templates", "ladle", "python-liquid", 1.1),
    # Compiled templates (issue 6): at most Jinja2's time, Mako's as the stretch goal,
    # and parsing plus compiling at most 3x python-liquid's parse.
    Target("templates", "ladle", "Jinja2", 1.0),
    Target("templates", "ladle", "Mako", 1.0),
    Target("templates: parse page + partial", "ladle", "python-liquid", 3.0),
    # /work/shared/design/rules.md, "Engines" (bench/bench_catalog.py): exact semantics
    # may cost at most half again the time of the plain, inexact SQL.
    Target("catalog", "ladle duckdb engine, JSON Lines", "DuckDB hand-written SQL, JSON Lines",
           1.5),
    Target("catalog", "ladle duckdb engine, Parquet", "DuckDB hand-written SQL, Parquet", 1.5),
    # rules.md: the python engine at no less than 1/1.5 of hand-written lambdas' speed.
    Target("catalog", "ladle python engine, JSON Lines", "hand-written lambdas, JSON Lines",
           1.5),
]

RESULTS: list[Result] = []


def collect(benchmarks: Iterable[Mapping[str, Any]]) -> None:
    """Keep the results of a run (pytest-benchmark's flat benchmark dicts)."""
    for bench in benchmarks:
        info = bench["extra_info"]
        if info.get("hidden"):
            continue  # a suite that reports its own figures (bench/pages/measure.py)
        evaluations = info.get("evaluations", 1)
        RESULTS.append(Result(
            group=bench["group"] or "(no group)",
            label=info.get("label", bench["name"]),
            ns=bench["median"] * 1e9 / evaluations,
            rounds=bench["rounds"],
            records=info.get("records"),
            baseline=bool(info.get("baseline")),
        ))


def _baselines(results: Iterable[Result]) -> dict[str, Result]:
    return {r.group: r for r in results if r.baseline}


def table(results: list[Result]) -> str:
    """One table for every suite: median ns per evaluation and the ratio to the baseline."""
    baselines = _baselines(results)
    header = ("suite", "contender", "records", "rounds", "median ns/eval", "ratio")
    rows = [header]
    for r in sorted(results, key=lambda r: (r.group, r.ns)):
        base = baselines.get(r.group)
        ratio = f"{r.ns / base.ns:,.2f}x {base.label}" if base else "-"
        records = "-" if r.records is None else f"{r.records:,}"
        rows.append((r.group, r.label, records, str(r.rounds), f"{r.ns:,.0f}", ratio))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    right = {2, 3, 4}  # numbers line up on the right

    def line(row: tuple[str, ...]) -> str:
        cells = [c.rjust(w) if i in right else c.ljust(w)
                 for i, (c, w) in enumerate(zip(row, widths, strict=True))]
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(rows[0]), rule, *(line(row) for row in rows[1:])])


def throughput(results: list[Result], group: str = "catalog") -> list[str]:
    """Whole-run time and rows per second of each contender of ``group``."""
    lines = []
    for r in sorted(results, key=lambda r: r.ns):
        if r.group == group and r.records:
            seconds = r.ns * r.records / 1e9
            lines.append(f"{r.label}: {r.records:,} records in {seconds:.2f} s, "
                         f"{r.records / seconds:,.0f} rows/s")
    return lines


def targets(results: list[Result]) -> tuple[list[str], bool]:
    """A line per target that applies to this run, and whether all of them hold."""
    by_name = {(r.group, r.label): r for r in results}
    lines, all_hold = [], True
    for t in TARGETS:
        mine, other = by_name.get((t.group, t.label)), by_name.get((t.group, t.other))
        if mine is None or other is None:
            continue  # that suite or contender was not run (e.g. pytest -k)
        ratio = mine.ns / other.ns
        holds = ratio <= t.factor
        all_hold = all_hold and holds
        if t.factor >= 1:
            text = f"{ratio:.2f}x {t.other} (target <= {t.factor:g}x)"
        else:
            text = f"{1 / ratio:.1f}x faster than {t.other} (target >= {1 / t.factor:g}x)"
        lines.append(f"{'ok    ' if holds else 'MISSED'}  {t.group}: {t.label}: {text}")
    return lines, all_hold
