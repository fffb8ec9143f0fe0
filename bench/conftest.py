"""pytest hooks for the benchmarks: hand pytest-benchmark's statistics to ``bench.report``."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest

from bench import report


# pytest-benchmark calls this once, at the end of the session, with every benchmark's
# statistics as flat dicts; we read them and leave its grouping as it is. Optional, so
# that this file does no harm where pytest-benchmark is not installed.
@pytest.hookimpl(wrapper=True, optionalhook=True)
def pytest_benchmark_group_stats(
    config: pytest.Config, benchmarks: list[dict[str, Any]], group_by: str
) -> Generator[None, Any, Any]:
    groups = yield
    report.collect(benchmarks)
    return groups
