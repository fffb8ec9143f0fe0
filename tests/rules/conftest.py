"""The one SparkSession of the test run, shared by the spark tests: starting the JVM takes
most of their time."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# As a user would configure Spark: the master and a setting in spark-defaults.conf
# (local mode; few shuffle partitions, as the catalogs are small).
SPARK_DEFAULTS = "spark.master local[2]\nspark.sql.shuffle.partitions 2\n"


@pytest.fixture(scope="session")
def spark_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The empty folder the JVM starts in (its current directory), which must stay empty."""
    return tmp_path_factory.mktemp("spark-cwd")


@pytest.fixture(scope="session")
def spark(tmp_path_factory: pytest.TempPathFactory, spark_folder: Path) -> Iterator[Any]:
    """The session, started by ``spark_session.session()`` in ``spark_folder`` with
    ``SPARK_DEFAULTS`` in SPARK_CONF_DIR."""
    from ladle.rules import spark_session

    conf = tmp_path_factory.mktemp("spark-conf")
    (conf / "spark-defaults.conf").write_text(SPARK_DEFAULTS, encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SPARK_CONF_DIR", str(conf))
        patch.chdir(spark_folder)
        session = spark_session.session()
    yield session
