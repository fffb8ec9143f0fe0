"""``route`` and ``diff`` with a choice of engine: ``python``, ``duckdb``, ``spark`` or
``auto``.

All engines give the same report. ``auto`` takes DuckDB for a catalog file of
``AUTO_BYTES`` or more, when DuckDB is installed; Spark is only used when asked for
(``spark`` names where it runs with ``spark_master`` or ``spark_remote``). Whatever was
asked, a catalog or rule set the duckdb or spark engine cannot route exactly (see
``rules.duckdb_engine``, ``rules.spark_engine``) is routed by the python engine, and
``notice`` (when given) is told why. ``output`` (every record's assignment) is written
by the python engine. Spark failing to run raises ``SparkFailure``.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ladle.rules.ruleset import RuleSet

if TYPE_CHECKING:
    from ladle.rules.python_engine import Catalog, Output, Progress

__all__ = ["AUTO_BYTES", "ENGINES", "Spark", "choose", "diff", "route"]

ENGINES = ("auto", "python", "duckdb", "spark")
AUTO_BYTES = 32 * 1024 * 1024
"""From this catalog size on, ``auto`` takes DuckDB: below it, starting DuckDB and
reading a sample costs more than the python engine's whole run."""

Notice = Callable[[str], object]
Spark = tuple[str | None, str | None]
"""Where the spark engine runs: (master URL or None, Spark Connect URL or None)."""


def choose(engine: str, catalog: Catalog, *, output: bool = False) -> str:
    """The engine that ``engine`` means for this catalog: ``python``, ``duckdb`` or
    ``spark``."""
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    if not isinstance(catalog, str | os.PathLike) or os.fspath(catalog) == "-" or output:
        return "python"
    if engine == "spark":
        return "spark" if importlib.util.find_spec("pyspark") is not None else "python"
    if importlib.util.find_spec("duckdb") is None:
        return "python"
    if engine == "auto":
        from ladle.rules.catalog import catalog_size  # here: `ladle rules match` needs none

        return "duckdb" if catalog_size(catalog) >= AUTO_BYTES else "python"
    return engine


def route(ruleset: RuleSet, catalog: Catalog, *, engine: str = "auto",
          format: str | None = None, progress: Progress | None = None,
          require_copies: int | None = None, sample: int = 5, output: Output | None = None,
          notice: Notice | None = None, spark: Spark = (None, None)) -> dict[str, Any]:
    """The ``route --format json`` report of ``ruleset`` over ``catalog``.

    ``catalog`` is a path (``-`` for stdin) or an iterable of ``(line, record)`` items;
    ``spark`` is where the spark engine runs (master URL, Spark Connect URL; None and
    None: the active session, else ``local[*]``); the other arguments are those of
    ``rules.python_engine.route``.
    """
    from ladle.rules import python_engine as python

    chosen = choose(engine, catalog, output=output is not None)
    if chosen == "spark":
        assert isinstance(catalog, str | os.PathLike)
        from ladle.rules import spark_engine
        from ladle.rules.sql_engine import Fallback

        python.check_sample(sample)
        python.check_copies(require_copies)
        try:
            return spark_engine.route(ruleset, catalog, format=format, sample=sample,
                                      master=spark[0], remote=spark[1])
        except Fallback as reason:
            _spark_only(catalog, reason)
            _tell(notice, reason)
    elif chosen == "duckdb":
        assert isinstance(catalog, str | os.PathLike)
        from ladle.rules import duckdb_engine
        from ladle.rules.sql_engine import Fallback

        python.check_sample(sample)
        python.check_copies(require_copies)
        try:
            return duckdb_engine.route(ruleset, catalog, format=format, progress=progress,
                                       sample=sample)
        except Fallback as reason:
            _tell(notice, reason)
    elif engine in ("duckdb", "spark") and notice is not None:
        notice(_why_python(engine, catalog, output is not None))
    return python.route(ruleset, catalog, format=format, progress=progress,
                        require_copies=require_copies, sample=sample, output=output)


def diff(old: RuleSet, new: RuleSet, catalog: Catalog, *, engine: str = "auto",
         format: str | None = None, progress: Progress | None = None, sample: int = 5,
         notice: Notice | None = None, spark: Spark = (None, None)) -> dict[str, Any]:
    """The ``diff --format json`` report: what going from ``old`` to ``new`` moves."""
    from ladle.rules import python_engine as python

    chosen = choose(engine, catalog)
    if chosen == "spark":
        assert isinstance(catalog, str | os.PathLike)
        from ladle.rules import spark_engine
        from ladle.rules.sql_engine import Fallback

        python.check_sample(sample)
        try:
            return spark_engine.diff(old, new, catalog, format=format, sample=sample,
                                     master=spark[0], remote=spark[1])
        except Fallback as reason:
            _spark_only(catalog, reason)
            _tell(notice, reason)
    elif chosen == "duckdb":
        assert isinstance(catalog, str | os.PathLike)
        from ladle.rules import duckdb_engine
        from ladle.rules.sql_engine import Fallback

        python.check_sample(sample)
        try:
            return duckdb_engine.diff(old, new, catalog, format=format, progress=progress,
                                      sample=sample)
        except Fallback as reason:
            _tell(notice, reason)
    elif engine in ("duckdb", "spark") and notice is not None:
        notice(_why_python(engine, catalog, False))
    return python.diff(old, new, catalog, format=format, progress=progress, sample=sample)


def _spark_only(catalog: str | os.PathLike[str], reason: Exception) -> None:
    """A folder, glob or URL that the spark engine cannot route exactly is an error: the
    python engine reads one file."""
    from ladle.rules.catalog import CatalogFileError
    from ladle.rules.spark_engine import several_files

    if several_files(os.fspath(catalog)):
        raise CatalogFileError(f"the spark engine cannot route it exactly ({reason}), and "
                               "the other engines read one local file", os.fspath(catalog))


def _tell(notice: Notice | None, reason: Exception) -> None:
    if notice is not None:
        notice(f"using the python engine: {reason}")


def _why_python(engine: str, catalog: Catalog, output: bool) -> str:
    name = "Spark" if engine == "spark" else "DuckDB"
    if output:
        return "using the python engine: it writes --output"
    if not isinstance(catalog, str | os.PathLike) or os.fspath(catalog) == "-":
        return f"using the python engine: {name} does not read stdin"
    extra = "spark" if engine == "spark" else "scale"
    return f"using the python engine: {name} is not installed (pip install 'ladle[{extra}]')"
