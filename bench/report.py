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

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bench.pages.measure import PageResult


@dataclass(frozen=True)
class Result:
    group: str
    label: str
    ns: float  # median nanoseconds per evaluation
    rounds: int
    records: int | None
    baseline: bool


@dataclass(frozen=True)
class Startup:
    """One command's start-up (``bench/bench_startup.py``): medians over the rounds."""

    command: str
    cpu_ms: float  # CPU time (user + system) of the whole process
    wall_ms: float
    best_wall_ms: float
    python_ms: float  # CPU time of ``python -c pass`` in the same rounds
    rounds: int


@dataclass(frozen=True)
class Target:
    """``label`` costs at most ``factor`` times ``other`` (factor < 1: faster by 1/factor)."""

    group: str
    label: str
    other: str
    factor: float


# /work/shared/design/expressions.md, "Compilation and speed"; judged on the contenders
# timed in the same rounds (bench/bench_expressions.py, test_interleaved).
EXPRESSIONS = "expressions, interleaved"
TARGETS = [
    # issue 14: one rule compiled alone within 1.1x of the lambdas.
    Target(EXPRESSIONS, "ladle compile(), per rule", "lambdas", 1.1),
    Target(EXPRESSIONS, "ladle compile_set()", "lambdas", 1.5),
    Target(EXPRESSIONS, "ladle compile(), per rule", "simpleeval", 1 / 20),
    Target(EXPRESSIONS, "ladle compile_set()", "simpleeval", 1 / 20),
    # /work/shared/design/templates.md, "Speed": the artist page (bench/bench_templates.py).
    Target("templates", "ladle", "python-liquid", 1.1),
    # Compiled templates (issue 6): at most Jinja2's time, Mako's as the stretch goal,
    # and parsing plus compiling at most 3x python-liquid's parse.
    Target("templates", "ladle", "Jinja2", 1.0),
    Target("templates", "ladle", "Mako", 1.0),
    Target("templates: parse page + partial", "ladle", "python-liquid", 3.0),
    # rules.md: the python engine at no less than 1/1.5 of hand-written lambdas' speed.
    Target("catalog", "ladle python engine, JSON Lines", "hand-written lambdas, JSON Lines",
           1.5),
    # Issue 17 (bench/bench_stream.py): the live stream keeps up with the lambdas.
    Target("stream", "ladle rules match --stream, pipe", "hand-written lambdas, same lines",
           1.5),
]
# Records per second at least (issue 17: the stream on a pipe).
RATES = {("stream", "ladle rules match --stream, pipe"): 200_000}

# Issue 16 (bench/bench_catalog.py): on every catalog group ("catalog: ..."), the duckdb
# engine within 1.3x of the hand-written DuckDB query computing the same counts.
CATALOG_ENGINE = ("ladle duckdb engine", "DuckDB hand-written SQL", 1.3)

# Issue 14: `ladle eval`, `ladle --help` and `ladle rules match` start in at most this.
STARTUP_TARGET_MS = 80.0

RESULTS: list[Result] = []
STARTUP: list[Startup] = []


def collect(benchmarks: Iterable[Mapping[str, Any]]) -> None:
    """Keep the results of a run (pytest-benchmark's flat benchmark dicts)."""
    for bench in benchmarks:
        info = bench["extra_info"]
        if info.get("internal") or info.get("hidden"):
            continue  # a suite that records its own results (bench_catalog, bench/pages)
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
    """Whole-run time and rows per second of each contender of the groups named
    ``group`` or starting with it."""
    lines = []
    for r in sorted(results, key=lambda r: (r.group, r.ns)):
        if r.group.startswith(group) and r.records:
            seconds = r.ns * r.records / 1e9
            where = "" if r.group == group else f"{r.group.removeprefix(group + ': ')}: "
            lines.append(f"{where}{r.label}: {r.records:,} records in {seconds:.2f} s, "
                         f"{r.records / seconds:,.0f} rows/s")
    return lines


def targets(results: list[Result]) -> tuple[list[str], bool]:
    """A line per target that applies to this run, and whether all of them hold."""
    by_name = {(r.group, r.label): r for r in results}
    lines, all_hold = [], True
    label, other, factor = CATALOG_ENGINE
    catalog = [Target(group, label, other, factor) for group in sorted({r.group for r in results})
               if group.startswith("catalog: ")]
    for t in [*TARGETS, *catalog]:
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
    for (group, label), floor in RATES.items():
        mine = by_name.get((group, label))
        if mine is not None:
            rate = 1e9 / mine.ns
            holds = rate >= floor
            all_hold = all_hold and holds
            lines.append(f"{'ok    ' if holds else 'MISSED'}  {group}: {label}: "
                         f"{rate:,.0f} records/s (target >= {floor:,})")
    for run in STARTUP:
        holds = run.cpu_ms <= STARTUP_TARGET_MS
        all_hold = all_hold and holds
        lines.append(f"{'ok    ' if holds else 'MISSED'}  CLI start-up: {run.command}: "
                     f"{run.cpu_ms:.0f} ms CPU (target <= {STARTUP_TARGET_MS:g} ms)")
    return lines, all_hold


def _status(holds: bool) -> str:
    return "ok" if holds else "MISSED"


def _page_rows(pages: Sequence[PageResult]) -> list[tuple[str, ...]]:
    from bench.pages.measure import PARSE_TARGET, RENDER_TARGET

    rows: list[tuple[str, ...]] = []
    for page in pages:
        render, parse, memory = page.render_ns, page.parse_ns, page.peak_bytes
        mine = render["ladle"]
        for engine, label in (("jinja2", "Jinja2"), ("python-liquid", "python-liquid"),
                              ("mako", "Mako")):
            if engine in render:
                ratio = mine / render[engine]
                first = engine == "jinja2"
                rows.append(("corpus", f"{page.page}: render" if first else "",
                             f"{mine / 1e6:,.2f} ms" if first else "", label, f"{ratio:.2f}x",
                             f"<= {RENDER_TARGET:g}x" if first else "",
                             _status(ratio <= RENDER_TARGET) if first else ""))
        ratio = parse["ladle"] / parse["python-liquid"]
        rows.append(("corpus", f"{page.page}: parse + compile", f"{parse['ladle'] / 1e6:,.2f} ms",
                     "python-liquid's parse", f"{ratio:.2f}x", f"<= {PARSE_TARGET:g}x",
                     _status(ratio <= PARSE_TARGET)))
        others = ", ".join(f"{label} {memory[engine] / 1024:,.0f} KiB"
                           for engine, label in (("jinja2", "Jinja2"),
                                                 ("python-liquid", "python-liquid"))
                           if engine in memory)
        rows.append(("corpus", f"{page.page}: memory per render",
                     f"{memory['ladle'] / 1024:,.0f} KiB", others, "", "", ""))
    return rows


def _expression_rows(results: list[Result]) -> list[tuple[str, ...]]:
    by_label = {r.label: r for r in results if r.group == EXPRESSIONS}
    rows: list[tuple[str, ...]] = []
    factors = {(t.label, t.other): t.factor for t in TARGETS if t.group == EXPRESSIONS}
    for label in ("ladle compile(), per rule", "ladle compile_set()"):
        mine = by_label.get(label)
        if mine is None:
            continue
        for other in ("lambdas", "simpleeval"):
            peer = by_label.get(other)
            if peer is None:
                continue
            ratio, factor = mine.ns / peer.ns, factors.get((label, other))
            text = f"{ratio:.2f}x" if other == "lambdas" else f"{1 / ratio:.1f}x faster"
            target = "" if factor is None else (
                f"<= {factor:g}x" if factor >= 1 else f">= {1 / factor:g}x faster")
            rows.append(("expressions", label.removeprefix("ladle ") if other == "lambdas"
                         else "", f"{mine.ns:,.0f} ns" if other == "lambdas" else "", other,
                         text, target, "" if factor is None else _status(ratio <= factor)))
    return rows


def summary(results: list[Result], pages: Sequence[PageResult]) -> str:
    """One table of the run: each corpus page against the other engines (render, parse,
    memory), the CLI's start-up, and expressions against lambdas and simpleeval (all
    timed with their peers in the same rounds)."""
    header = ("part", "what", "ladle", "compared with", "ratio", "target", "")
    rows = [header, *_page_rows(pages)]
    for run in STARTUP:
        times = f"{run.cpu_ms:.0f} ms CPU ({run.wall_ms:.0f} wall, best {run.best_wall_ms:.0f})"
        rows.append(("CLI start-up", run.command, times, f"python -c pass {run.python_ms:.0f} ms",
                     f"{run.cpu_ms / run.python_ms:.1f}x", f"<= {STARTUP_TARGET_MS:g} ms",
                     _status(run.cpu_ms <= STARTUP_TARGET_MS)))
    rows += _expression_rows(results)
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
             for row in rows]
    return "\n".join([lines[0], "  ".join("-" * w for w in widths), *lines[1:]])
