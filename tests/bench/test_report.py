"""``make bench``'s summary table (bench/report.py) reads a run's measurements right: each
corpus page against the other engines, the CLI's start-up, and expressions against the
lambdas and simpleeval, each with its target. No timing here."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bench import report
from bench.pages.measure import PageResult


def result(label: str, ns: float, baseline: bool = False) -> report.Result:
    return report.Result(report.EXPRESSIONS, label, ns, 5, 2_000, baseline)


RESULTS = [result("lambdas", 100, baseline=True), result("ladle compile(), per rule", 108),
           result("ladle compile_set()", 45), result("simpleeval", 1500)]
PAGE = PageResult("store", 200, 9,
                  render_ns={"ladle": 2e6, "jinja2": 2.5e6, "python-liquid": 5e6},
                  parse_ns={"ladle": 6e6, "python-liquid": 2e6},
                  peak_bytes={"ladle": 10240, "jinja2": 20480, "python-liquid": 40960})
STARTS = [report.Startup('ladle eval "1 + 2"', 60, 70, 62, 12, 21),
          report.Startup("ladle rules match", 85, 95, 80, 12, 21)]


@pytest.fixture
def startup() -> Iterator[None]:
    report.STARTUP[:] = STARTS
    yield
    report.STARTUP.clear()


def row(text: str, *parts: str) -> str:
    """The line of ``text`` that holds every one of ``parts``."""
    found = [line for line in text.splitlines() if all(part in line for part in parts)]
    assert len(found) == 1, (parts, text)
    return found[0]


@pytest.mark.usefixtures("startup")
def test_the_summary_has_the_pages_the_start_up_and_the_expressions() -> None:
    text = report.summary(RESULTS, [PAGE])
    assert text.splitlines()[0].split() == ["part", "what", "ladle", "compared", "with",
                                            "ratio", "target"]
    assert row(text, "store: render", "2.00 ms", "Jinja2", "0.80x", "<= 1x").endswith("ok")
    assert row(text, "corpus", "python-liquid", "0.40x").split()[-1] == "0.40x"  # no target
    parse = row(text, "store: parse + compile", "6.00 ms", "python-liquid's parse", "3.00x",
                "<= 2.5x")
    assert parse.endswith("MISSED")
    assert "Jinja2 20 KiB, python-liquid 40 KiB" in row(text, "memory per render", "10 KiB")
    assert row(text, 'ladle eval "1 + 2"', "60 ms CPU (70 wall, best 62)",
               "python -c pass 12 ms", "5.0x", "<= 80 ms").endswith("ok")
    assert row(text, "ladle rules match", "85 ms CPU").endswith("MISSED")
    assert row(text, "compile(), per rule", "108 ns", "lambdas", "1.08x",
               "<= 1.1x").endswith("ok")
    assert row(text, "simpleeval", "13.9x faster", ">= 20x faster").endswith("MISSED")
    assert row(text, "compile_set()", "45 ns", "0.45x", "<= 1.5x").endswith("ok")
    assert row(text, "simpleeval", "33.3x faster").endswith("ok")


@pytest.mark.usefixtures("startup")
def test_the_targets_name_each_command_that_starts_too_slowly() -> None:
    lines, all_hold = report.targets(RESULTS)
    assert not all_hold
    assert 'ok      CLI start-up: ladle eval "1 + 2": 60 ms CPU (target <= 80 ms)' in lines
    assert "MISSED  CLI start-up: ladle rules match: 85 ms CPU (target <= 80 ms)" in lines
    assert ("ok      expressions, interleaved: ladle compile(), per rule: 1.08x lambdas "
            "(target <= 1.1x)" in lines)


def test_without_start_up_or_pages_the_summary_has_the_expressions_alone() -> None:
    text = report.summary(RESULTS, [])
    assert [line.split()[0] for line in text.splitlines()[2:]] == ["expressions"] * 4
    # the suite timed one contender after another is shown in report.table, not here
    assert report.summary([report.Result("expressions", "lambdas", 1, 5, 9, True)], []) \
        .splitlines()[2:] == []
