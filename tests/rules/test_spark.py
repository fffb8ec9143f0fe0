"""The spark engine against the python engine: ``rules.spark_engine`` gives the python
engine's ``route`` and ``diff`` reports exactly (the same JSON text), or raises
``Fallback``, on the catalogs of the engines' differential test (``test_engines``;
catalogs of several files are ``test_spark_lake``'s); ``REQUIRED`` lists the runs that must
agree, so that the test cannot pass by falling back. Then ``ladle rules sql``'s query,
run in DuckDB and in Spark, and the command line's errors when Spark cannot run.

One SparkSession (local mode, ``conftest.spark``) serves every test: starting the JVM
takes most of the time. Rule sets are merged so that each catalog takes few Spark jobs.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from ladle import cli, rules
from ladle.rules import python_engine, spark_engine, spark_session
from ladle.rules.sql import quote_string
from tests.rules.test_engines import (
    BASE_RECORDS,
    ERRORS,
    PARQUET_TYPES,
    PLACEMENT,
    SLOTS,
    Catalog,
    as_text,
    json_line,
    jsonl,
    make_catalogs,
    write_parquet,
)

# -- the rule sets -------------------------------------------------------------------------

# Every operator SQL lowers, over the fields a flat catalog holds (lower() and upper()
# of text beyond ASCII fall back in Spark: its case tables are an older Unicode's).
OPERATORS = """\
add:      id + 1 > 100
sub:      id - 1 < 0
mul:      size * 2 > 1000
div:      id / -7 < -1
mod:      id % 100 == 93
modneg:   id % -100 > -50
neg:      -id > 0
ne:       tag != 'lossless'
strorder: tag >= 'lossless'
concat:   tag + 's' == 'losslesss'
huge:     id > 18446744073709551615
andor:    public and tag == 'lossless' or size > 100
ternary:  public ? id % 2 == 0 : tag == 'lossless'
inrange:  id in (0..47)
negrange: id in (-100..-1)
inlist:   tag in ('lossless', 'flac', 'lossIess')
numbers:  id in (5, 97, 18446744073709551615, -7)
contains: path contains '/'
isnil:    public == nil
empty:    tag == empty
blank:    tag == blank
min:      min(id, 100) < 50
abs:      abs(id) % 100 < 50
len:      len(tag) > 4
starts:   startswith(path, 'a/')
ends:     endswith(path, '.flac')
floats:   score > 0.5 || score % 1 == 0.5 || score == 2
"""


def merged_text(*texts: str) -> str:
    """Several rule files as one, each rule's name prefixed by its file's number."""
    lines = []
    for number, text in enumerate(texts):
        lines += [f"r{number}_{line}" for line in text.splitlines() if line.strip()]
    return "\n".join(lines) + "\n"


def merged(*texts: str) -> rules.RuleSet:
    return rules.parse(merged_text(*texts))


ROUTED = {"union": merged(PLACEMENT, SLOTS, ERRORS), "operators": rules.parse(OPERATORS)}
OLD, NEW = rules.parse(PLACEMENT), rules.parse(PLACEMENT.replace("47", "31"))

# Every run (two rule sets and a diff) over these; one run (``union``) over the others.
FULL = ["base.jsonl", "base.parquet"]
CATALOG_NAMES = [
    *FULL, "int64.parquet", "unsigned.parquet", "huge.jsonl", "controls.jsonl",
    "odd_lines.jsonl", "empty.jsonl", "base.csv", "mixed.jsonl", "nan.jsonl",
    "glob[1].jsonl", "compressed.jsonl.gz", "bom.jsonl",
]

# The runs that must agree (ids of 2**63 and beyond, negative ids, missing fields,
# nulls, junk lines, control characters, CRLF, every Parquet integer type).
REQUIRED = {
    "route union over base.jsonl", "diff over base.jsonl", "route union over base.parquet",
    "diff over base.parquet", "route operators over base.parquet",
    *(f"route union over {name}" for name in ("int64.parquet", "unsigned.parquet",
                                              "controls.jsonl", "odd_lines.jsonl",
                                              "empty.jsonl")),
}


@pytest.fixture(scope="module")
def catalogs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Catalog]:
    return make_catalogs(tmp_path_factory.mktemp("catalogs"))


def runs(path: str, light: bool = False) -> Iterator[tuple[str, Callable[[], Any],
                                                           Callable[[], Any]]]:
    # operators only over Parquet: over JSON Lines it adds Spark jobs, not cases
    chosen = list(ROUTED.items())[:1 if light or path.endswith(".jsonl") else None]
    for name, ruleset in chosen:
        yield (f"route {name}", functools.partial(spark_engine.route, ruleset, path),
               functools.partial(python_engine.route, ruleset, path))
    if light:
        return
    yield ("diff", functools.partial(spark_engine.diff, OLD, NEW, path),
           functools.partial(python_engine.diff, OLD, NEW, path))


def compare(path: str, label: str, light: bool) -> tuple[list[str], list[str]]:
    """(failures, the runs that agreed) of every run over one catalog."""
    failures, agreed = [], []
    for what, run_spark, run_python in runs(path, light):
        wanted = as_text(run_python())
        try:
            got = as_text(run_spark())
        except spark_engine.Fallback as reason:
            if f"{what} over {label}" in REQUIRED:
                failures.append(f"{what} over {label}: unexpected fallback: {reason}")
            continue
        if got != wanted:
            failures.append(f"{what} over {label}: the engines disagree\n  python {wanted}\n"
                            f"  spark  {got}")
        else:
            agreed.append(f"{what} over {label}")
    return failures, agreed


def test_route_and_diff_agree_or_fall_back(spark: Any, catalogs: dict[str, Catalog]) -> None:
    failures, agreed = [], []
    for name in CATALOG_NAMES:
        failed, ok = compare(str(catalogs[name].path), name, name not in FULL)
        failures += failed
        agreed += ok
    assert not failures, "\n".join(failures)
    assert set(agreed) >= REQUIRED
    assert len(agreed) >= len(REQUIRED), agreed


def test_fallback_notice_and_unsupported_rules(spark: Any, catalogs: dict[str, Catalog]
                                               ) -> None:
    path = str(catalogs["base.csv"].path)
    notices: list[str] = []
    got = rules.route(ROUTED["union"], path, engine="spark", notice=notices.append)
    assert as_text(got) == as_text(python_engine.route(ROUTED["union"], path))
    assert notices == ["using the python engine: CSV values are typed one by one by the "
                       "python reader"]
    odd = rules.parse("fine: tag == 'lossless'\nodd: round(score) == 2\n")
    with pytest.raises(spark_engine.Fallback, match=r"^rule 'odd': "):
        spark_engine.route(odd, str(catalogs["base.parquet"].path))


# -- the command line ------------------------------------------------------------------------


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_engine_spark(spark: Any, catalogs: dict[str, Catalog], tmp_path: Path,
                          capsys: pytest.CaptureFixture[str]) -> None:
    rules_file = tmp_path / "placement.rules"
    rules_file.write_text(PLACEMENT, encoding="utf-8")
    catalog = str(catalogs["base.jsonl"].path)
    for output in ("json", "text"):
        python = run(capsys, "rules", "route", str(rules_file), catalog, "--format", output,
                     "--engine", "python")
        assert python[0] == 0 and python[2] == ""
        assert run(capsys, "rules", "route", str(rules_file), catalog, "--format", output,
                   "--engine", "spark") == python
    new = tmp_path / "new.rules"
    new.write_text(PLACEMENT.replace("47", "31"), encoding="utf-8")
    argv = ["rules", "diff", str(rules_file), str(new), catalog, "--format", "json"]
    assert run(capsys, *argv, "--engine", "spark") == run(capsys, *argv, "--engine", "python")


def ladle_process(*argv: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ladle.cli", *argv], capture_output=True,
                          text=True, env=env, check=False, timeout=300)


def test_missing_java_and_unreachable_spark_are_one_line_errors(tmp_path: Path) -> None:
    rules_file = tmp_path / "placement.rules"
    rules_file.write_text(PLACEMENT, encoding="utf-8")
    catalog = tmp_path / "catalog.jsonl"
    catalog.write_bytes(jsonl([json_line(record) for record in BASE_RECORDS[:20]]))
    nowhere = {**os.environ, "JAVA_HOME": str(tmp_path / "no-java"),
               "PATH": str(Path(sys.executable).parent)}
    done = ladle_process("rules", "route", str(rules_file), str(catalog), "--engine", "spark",
                         env=nowhere)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == (f"spark: error: {spark_session.INSTALL_JAVA}\n")
    done = ladle_process("rules", "diff", str(rules_file), str(rules_file), str(catalog),
                         "--spark-remote", "sc://127.0.0.1:9", env=dict(os.environ))
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("spark: error: cannot start Spark at sc://127.0.0.1:9: ")
    assert len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr


def test_a_failed_job_or_an_unreachable_master_is_one_line(
        spark: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules_file = tmp_path / "placement.rules"
    rules_file.write_text(PLACEMENT, encoding="utf-8")
    lake = tmp_path / "lake"
    lake.mkdir()
    write_parquet(lake / "a.parquet", BASE_RECORDS[:20], PARQUET_TYPES)
    (lake / "z.parquet").write_bytes(b"not Parquet")  # Spark reads the schema of a.parquet
    argv = ["rules", "route", str(rules_file), str(lake / "*.parquet"), "--engine", "spark"]
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, "")
    assert err.startswith("spark: error: Spark failed: [FAILED_READ_FILE.NO_HINT] ")
    assert "z.parquet is not a Parquet file" in err and len(err.splitlines()) == 1
    # --output is written by the python engine (never by Spark), which reads no glob
    target = tmp_path / "where.jsonl"
    code, out, err = run(capsys, *argv, "-o", str(target))
    assert (code, out) == (2, "") and not target.exists()
    assert err.splitlines() == ["ladle: using the python engine: it writes --output",
                                f"{lake / '*.parquet'}: error: No such file or directory"]
    catalog = tmp_path / "catalog.jsonl"
    catalog.write_bytes(jsonl([json_line(record) for record in BASE_RECORDS[:20]]))
    assert run(capsys, "rules", "route", str(rules_file), str(catalog), "--spark-master",
               "spark://127.0.0.1:9") == (2, "", "spark: error: cannot reach the Spark master "
                                          "at spark://127.0.0.1:9: Connection refused\n")


def test_spark_defaults_are_read_and_the_current_directory_stays_clean(
        spark: Any, spark_folder: Path) -> None:
    """``conftest.spark`` started the session from ``spark_folder`` with a
    spark-defaults.conf in SPARK_CONF_DIR: its master and settings hold, and Spark's
    warehouse (made by its first SQL) is in a temporary folder, not the current one."""
    assert spark.sparkContext.master == "local[2]"
    assert spark.conf.get("spark.sql.shuffle.partitions") == "2"
    spark.sql("SHOW TABLES").collect()
    assert "ladle-spark-" in spark.conf.get("spark.sql.warehouse.dir")
    assert os.listdir(spark_folder) == []


# -- the query of ``ladle rules sql`` -------------------------------------------------------------

QUERY_TEXT = merged_text(PLACEMENT, SLOTS, "big: size > 1000 && score < 2.5\n")
QUERY_RULES = rules.parse(QUERY_TEXT)
QUERY_TYPES = "id:int,tag:string,public:bool,size:int,path:string,score:float"


def counts_of(rows: list[tuple[Any, ...]], names: list[str]) -> dict[str, int]:
    return {name: sum(1 for row in rows if row[index] is True)
            for index, name in enumerate(names)}


@pytest.mark.parametrize("format", ["jsonl", "parquet"])
def test_rules_sql_runs_in_duckdb_and_spark(spark: Any, catalogs: dict[str, Catalog],
                                            tmp_path: Path, format: str,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    rules_file = tmp_path / "q.rules"
    rules_file.write_text(QUERY_TEXT, encoding="utf-8")
    catalog = tmp_path / f"catalog.{format}"
    if format == "jsonl":
        catalog.write_bytes(jsonl([json_line(record) for record in BASE_RECORDS]))
    else:
        write_parquet(catalog, BASE_RECORDS, PARQUET_TYPES)
    report = python_engine.route(QUERY_RULES, str(catalog))
    wanted = {name: counts["records"] for name, counts in report["rules"].items()}
    names = list(QUERY_RULES.names)
    for dialect in ("duckdb", "spark"):
        code, query, err = run(capsys, "rules", "sql", str(rules_file), "--dialect", dialect,
                               "--catalog-format", format, "--catalog", str(catalog),
                               "--vars", QUERY_TYPES)
        assert (code, err) == (0, "")
        assert query == rules.to_sql(QUERY_RULES, dialect, catalog=str(catalog),
                                     format=format, types=dict(
                                         item.split(":") for item in QUERY_TYPES.split(","))
                                     ) + "\n"
        if dialect == "duckdb":
            with duckdb.connect() as con:
                rows = con.sql(query).fetchall()
        else:
            rows = [tuple(row) for row in spark.sql(query).collect()]
        assert len(rows) == report["records"], dialect
        assert counts_of(rows, names) == wanted, dialect
    assert sum(wanted.values()) > 100


def test_rules_sql_errors(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    rules_file = tmp_path / "p.rules"
    rules_file.write_text(PLACEMENT, encoding="utf-8")
    code, _, err = run(capsys, "rules", "sql", str(rules_file), "--dialect", "spark")
    assert code == 2
    assert err == "--vars: error: Spark SQL needs the type of the field 'id' (--vars id:TYPE)\n"
    code, out, _ = run(capsys, "rules", "sql", str(rules_file))
    assert code == 0 and "read_json(" in out and quote_string("JSON") in out
    with pytest.raises(ValueError, match="dialect must be one of duckdb, spark"):
        rules.to_sql(rules.parse(PLACEMENT), "postgres")
