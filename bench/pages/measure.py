"""Timing the corpus: engines interleaved, medians, and one table of ratios per page.

pytest-benchmark times one callable after another, so a machine that slows down for a
while (other jobs on these shared cores) penalises whichever engine ran then. Here each
round calls every engine once, in an order that rotates from round to round, and each
engine's median over the rounds is kept; ratios are only taken inside one page's rounds.
Times are the process's CPU time (``time.process_time_ns``): on cores shared with other
jobs, wall-clock time also counts the moments the process waits for a core, and a render
does no I/O beyond the loaders' file checks, which count as system CPU time.

Per page: the render (``renderers``: loaded by name through each engine's caching
loader), parsing the page and its partials from source (``parser``: for ladle that is
parsing and compiling to Python, its expressions compiled on first use), and the peak
memory one render allocates (``tracemalloc``, after a first render has warmed caches).
"""

from __future__ import annotations

import functools
import gc
import math
import statistics
import time
import tracemalloc
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bench.pages import Page
from bench.pages.engines import LABELS, Data, Render, parser

MAX_SECONDS = 3.0  # per page, for the renders; parsing gets a third of it
MIN_ROUNDS = 7
MAX_ROUNDS = 2000

# issue 14, "Done when": on every page at most Jinja2's time, their geometric mean at most
# 0.85 of it, and parsing plus compiling at most 2.5x python-liquid's parse.
RENDER_TARGET, MEAN_TARGET, PARSE_TARGET = 1.0, 0.85, 2.5


@dataclass(frozen=True)
class PageResult:
    page: str
    records: int
    rounds: int
    render_ns: Mapping[str, float]  # engine -> median ns per render
    parse_ns: Mapping[str, float]  # engine -> median ns to parse the page and its partials
    peak_bytes: Mapping[str, int]  # engine -> tracemalloc peak of one render


RESULTS: list[PageResult] = []


def interleaved(calls: Mapping[str, Callable[[], object]], seconds: float,
                min_rounds: int = MIN_ROUNDS) -> tuple[dict[str, float], int]:
    """Each call's median nanoseconds, over rounds that call each once in rotating order."""
    order = list(calls)
    times: dict[str, list[int]] = {key: [] for key in order}
    for call in calls.values():
        call()  # untimed: loads partials and compiles expressions
    enabled = gc.isenabled()
    gc.collect()
    gc.disable()  # a collection inside one engine's call is noise; collect between rounds
    rounds, start = 0, time.perf_counter()
    try:
        while rounds < min_rounds or (time.perf_counter() - start < seconds
                                      and rounds < MAX_ROUNDS):
            shift = rounds % len(order)
            for key in order[shift:] + order[:shift]:
                begin = time.process_time_ns()
                calls[key]()
                times[key].append(time.process_time_ns() - begin)
            rounds += 1
            gc.collect()
    finally:
        if enabled:
            gc.enable()
    return {key: statistics.median(values) for key, values in times.items()}, rounds


def peak_bytes(render: Render, data: Data) -> int:
    """The most memory one render holds at once, beyond what was allocated before it."""
    render(data)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        render(data)
        return tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()


def measure(page: Page, data: Data, renders: Mapping[str, Render],
            seconds: float = MAX_SECONDS) -> PageResult:
    render_ns, rounds = interleaved(
        {engine: functools.partial(render, data) for engine, render in renders.items()}, seconds)
    parse_ns, _ = interleaved({engine: parser(engine, page) for engine in renders},
                              seconds / 3)
    memory = {engine: peak_bytes(render, data) for engine, render in renders.items()}
    return PageResult(page.name, page.records(data), rounds, render_ns, parse_ns, memory)


def _ratio(mine: float, other: float | None) -> str:
    return "-" if other is None else f"{mine / other:.2f}x"


def _kib(value: int | None) -> str:
    return "-" if value is None else f"{value / 1024:,.0f}"


HEADER = ("page", "records", "rounds", "ladle ms", "vs Jinja2", "vs python-liquid", "vs Mako",
          "parse vs python-liquid", "KiB ladle", "KiB Jinja2", "KiB python-liquid")


def rows(results: list[PageResult]) -> list[tuple[str, ...]]:
    """One row per page: ladle's median render and its ratios to the others (<1: faster)."""
    out: list[tuple[str, ...]] = []
    for r in results:
        mine = r.render_ns["ladle"]
        out.append((r.page, f"{r.records:,}", str(r.rounds), f"{mine / 1e6:,.2f}",
                    _ratio(mine, r.render_ns.get("jinja2")),
                    _ratio(mine, r.render_ns.get("python-liquid")),
                    _ratio(mine, r.render_ns.get("mako")),
                    _ratio(r.parse_ns["ladle"], r.parse_ns.get("python-liquid")),
                    _kib(r.peak_bytes.get("ladle")), _kib(r.peak_bytes.get("jinja2")),
                    _kib(r.peak_bytes.get("python-liquid"))))
    return out


def geometric_mean(ratios: list[float]) -> float:
    return math.exp(sum(math.log(x) for x in ratios) / len(ratios))


def _means(results: list[PageResult]) -> tuple[str, ...]:
    def mean(engine: str, group: str = "render_ns") -> str:
        ratios = [getattr(r, group)["ladle"] / getattr(r, group)[engine]
                  for r in results if engine in getattr(r, group)]
        return f"{geometric_mean(ratios):.2f}x" if ratios else "-"

    return ("geometric mean", "", "", "", mean("jinja2"), mean("python-liquid"), mean("mako"),
            mean("python-liquid", "parse_ns"), "", "", "")


def table(results: list[PageResult]) -> str:
    body = [HEADER, *rows(results), _means(results)]
    widths = [max(len(row[i]) for row in body) for i in range(len(HEADER))]

    def line(row: tuple[str, ...]) -> str:
        cells = [c.ljust(w) if i == 0 else c.rjust(w)
                 for i, (c, w) in enumerate(zip(row, widths, strict=True))]
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(body[0]), rule, *(line(row) for row in body[1:-1]), rule,
                      line(body[-1])])


def targets(results: list[PageResult]) -> list[str]:
    """issue 14's targets on this run, each marked ok or MISSED."""
    lines = []

    def check(holds: bool, text: str) -> None:
        lines.append(f"{'ok    ' if holds else 'MISSED'}  corpus: {text}")

    jinja = [r for r in results if "jinja2" in r.render_ns]
    for r in jinja:
        ratio = r.render_ns["ladle"] / r.render_ns["jinja2"]
        check(ratio <= RENDER_TARGET,
              f"{r.page}: ladle {ratio:.2f}x {LABELS['jinja2']} (target <= {RENDER_TARGET:g}x)")
    if jinja:
        mean = geometric_mean([r.render_ns["ladle"] / r.render_ns["jinja2"] for r in jinja])
        check(mean <= MEAN_TARGET,
              f"geometric mean {mean:.2f}x Jinja2 (target <= {MEAN_TARGET:g}x)")
    for r in results:
        ratio = r.parse_ns["ladle"] / r.parse_ns["python-liquid"]
        check(ratio <= PARSE_TARGET, f"{r.page}: parse + compile {ratio:.2f}x python-liquid's "
                                     f"parse (target <= {PARSE_TARGET:g}x)")
    return lines
