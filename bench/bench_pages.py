"""Corpus suite: nine pages (bench/pages/), each in ladle, python-liquid and Jinja2 (the
artist page in Mako too), timed with the engines interleaved; ``python -m bench`` prints
one table of the results (``bench/pages/measure.py``).

Before anything is timed, every engine must render the page's generated data to exactly
ladle's HTML, with the hostile strings escaped; otherwise the page fails with a diff.
pytest-benchmark only hosts the measurement (one pedantic call per page, left out of the
main table); the timings are ``measure``'s own medians.
"""

from __future__ import annotations

from typing import Any

import pytest

from bench.pages import PAGES, Page, engines, measure


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_page(benchmark: Any, page: Page) -> None:
    data = page.make_data()
    renders = engines.renderers(page)
    problems = engines.mismatches(page, data, renders)
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)
    benchmark.group = "corpus"
    benchmark.extra_info.update(label=page.name, hidden=True)
    result = benchmark.pedantic(measure.measure, args=(page, data, renders), rounds=1,
                                iterations=1, warmup_rounds=0)
    measure.RESULTS.append(result)
