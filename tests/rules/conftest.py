"""The one SparkSession of the test run, shared by the spark tests: starting the JVM takes
most of their time."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """Local mode, few shuffle partitions (the catalogs are small)."""
    from ladle.rules import spark_session

    session = spark_session.session()
    session.conf.set("spark.sql.shuffle.partitions", "2")
    yield session
