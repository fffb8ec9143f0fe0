"""The spark engine over catalogs of several files: Parquet and JSON Lines globs, folders
and Hive-partitioned folders (a partition is a field of its records).

The python engine reads one file (a folder is an error to it), so the spark engine's
report over the files is compared with the python engine's over the same files
concatenated in path order, with each record of a partition given its partition's field
last: the same JSON text, once each sampled error's ``file`` and line (or row) in that
file are made the line of the concatenation. Where Spark would fall back on several
files, ``rules.route`` says why in an error instead.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from ladle import cli, rules
from ladle.cli.route_commands import report_table
from ladle.rules import python_engine, spark_engine
from ladle.rules.catalog import CatalogFileError, jsonl_line
from tests.rules.test_engines import (
    BASE_RECORDS,
    ERRORS,
    PLACEMENT,
    SLOTS,
    as_text,
    generated_records,
    json_line,
    jsonl,
    with_junk,
    write_parquet,
)
from tests.rules.test_spark import NEW, OLD, merged_text

ROUTED_TEXT = merged_text(PLACEMENT, SLOTS, ERRORS, "part: part == 1\n")
ROUTED = rules.parse(ROUTED_TEXT)
EVERY_ERROR = 1_000  # a sample that holds every error: errors in every file


def concatenated(report: dict[str, Any], offsets: dict[str, int]) -> str:
    """The spark engine's report over several files as the python engine's over their
    concatenation: each sampled error's line counted from the start of the first file."""
    report = copy.deepcopy(report)
    for entry in report["errors"]["sample"]:
        entry["line"] += offsets[entry.pop("file")]
    return as_text(report)


def files_named(report: dict[str, Any]) -> set[str]:
    return {entry["file"] for entry in report["errors"]["sample"]}


def parquet_lake(folder: Path) -> tuple[Path, Path, Path, dict[str, int], dict[str, int]]:
    """The same records as one Parquet file (which the python engine reads), as three
    files (a glob), and as a folder partitioned by ``part`` (Hive style), in the same
    order; and the rows before each file."""
    made = [{**record, "part": number % 3} for number, record in
            enumerate(generated_records(240, seed=16))]
    made.sort(key=lambda record: record["part"])
    types = {"id": "DECIMAL(38,0)", "tag": "VARCHAR", "public": "BOOLEAN", "size": "BIGINT",
             "score": "DOUBLE", "path": "VARCHAR", "k": "BIGINT", "part": "INTEGER"}
    whole = folder / "whole.parquet"
    write_parquet(whole, made, types)
    (folder / "flat").mkdir()
    flat: dict[str, int] = {}
    hive: dict[str, int] = {}
    done = 0
    for part in range(3):
        rows = [record for record in made if record["part"] == part]
        flat[str(folder / "flat" / f"{part}.parquet")] = done
        write_parquet(folder / "flat" / f"{part}.parquet", rows, types)
        partition = folder / "hive" / f"part={part}"
        partition.mkdir(parents=True)
        hive[str(partition / "data.parquet")] = done
        write_parquet(partition / "data.parquet", rows,
                      {name: kind for name, kind in types.items() if name != "part"})
        done += len(rows)
    return whole, folder / "flat" / "*.parquet", folder / "hive", flat, hive


def test_parquet_globs_and_hive_folders(spark: Any, tmp_path: Path) -> None:
    whole, glob, hive, flat_offsets, hive_offsets = parquet_lake(tmp_path)
    wanted = python_engine.route(ROUTED, str(whole), sample=EVERY_ERROR)
    assert wanted["errors"]["records"] > 20  # samples with row numbers
    got = spark_engine.route(ROUTED, str(glob), sample=EVERY_ERROR)
    assert concatenated(got, flat_offsets) == as_text(wanted)
    assert files_named(got) == set(flat_offsets)
    got = spark_engine.route(ROUTED, str(hive), sample=EVERY_ERROR)
    assert concatenated(got, hive_offsets) == as_text(wanted)


def jsonl_lake(folder: Path) -> tuple[dict[str, dict[str, int]], Path, Path]:
    """The lines of the differential test's JSON Lines catalog (ids of 2**63 and beyond,
    negative ids, missing fields, nulls, junk and blank lines) in three files, the last
    without its final newline: in a folder ``flat`` and as the partitions of a folder
    ``hive``; the concatenations the python engine reads (``whole.jsonl`` and
    ``hive.jsonl``, where each record holds its partition's field last); and the lines
    before each file."""
    lines = with_junk(BASE_RECORDS)
    third = len(lines) // 3
    parts = [lines[:third], lines[third:2 * third], lines[2 * third:]]
    offsets: dict[str, dict[str, int]] = {"flat": {}, "hive": {}}
    whole: list[str] = []
    with_partition: list[str] = []
    (folder / "flat").mkdir()
    for number, part in enumerate(parts):
        data = jsonl(part, final=number < 2)
        flat = folder / "flat" / f"{number}.jsonl"
        flat.write_bytes(data)
        hive = folder / "hive" / f"part={number}" / "data.jsonl"
        hive.parent.mkdir(parents=True)
        hive.write_bytes(data)
        offsets["flat"][str(flat)] = offsets["hive"][str(hive)] = len(whole)
        whole += part
        for line in part:
            read = jsonl_line(line.encode("utf-8"))
            with_partition.append(json_line({**read, "part": number})
                                  if isinstance(read, dict) else line)
    (folder / "whole.jsonl").write_bytes(jsonl(whole))
    (folder / "hive.jsonl").write_bytes(jsonl(with_partition))
    return offsets, folder / "flat", folder / "hive"


def test_jsonl_folders_globs_and_hive_folders(spark: Any, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    offsets, flat, hive = jsonl_lake(tmp_path)
    wanted = python_engine.route(ROUTED, str(tmp_path / "whole.jsonl"), sample=EVERY_ERROR)
    assert wanted["errors"]["records"] > 20
    got = spark_engine.route(ROUTED, str(flat), sample=EVERY_ERROR)  # .jsonl: JSON Lines
    assert concatenated(got, offsets["flat"]) == as_text(wanted)
    assert files_named(got) == set(offsets["flat"])
    # the glob, by the command line: its table names each sampled error's file
    rules_file = tmp_path / "routed.rules"
    rules_file.write_text(ROUTED_TEXT, encoding="utf-8")
    assert cli.main(["rules", "route", str(rules_file), str(flat / "*.jsonl"),
                     "--engine", "spark"]) == 0
    first = {**got, "errors": {**got["errors"], "sample": got["errors"]["sample"][:5]}}
    assert capsys.readouterr().out == report_table(first)
    assert f"\n  {first['errors']['sample'][0]['file']} line " in report_table(first)
    got = spark_engine.route(ROUTED, str(hive), sample=EVERY_ERROR)
    assert concatenated(got, offsets["hive"]) == as_text(
        python_engine.route(ROUTED, str(tmp_path / "hive.jsonl"), sample=EVERY_ERROR))
    assert got["rules"]["r3_part"]["records"] > 50
    got = spark_engine.diff(OLD, NEW, str(hive))
    assert concatenated(got, offsets["hive"]) == as_text(
        python_engine.diff(OLD, NEW, str(tmp_path / "hive.jsonl")))
    assert files_named(got)  # the diff names files too


def test_several_files_spark_cannot_route_are_an_error(spark: Any, tmp_path: Path) -> None:
    folder = tmp_path / "lake"
    (folder / "part=1").mkdir(parents=True)
    (folder / "part=1" / "a.jsonl").write_bytes(jsonl(['{"id": 5}', '{"id": 6, "m": {}}']))
    ruleset = rules.parse("small: id < 6\n")
    with pytest.raises(CatalogFileError, match=r"^.*lake: the spark engine cannot route it "
                       r"exactly \(a line holds JSON that is not a flat object.*\), and the "
                       r"other engines read one local file$"):
        rules.route(ruleset, folder, engine="spark")
    for engine in ("python", "duckdb"):  # they read one file
        with pytest.raises(CatalogFileError, match="is a directory"):
            rules.route(ruleset, folder, engine=engine)
        with pytest.raises(CatalogFileError, match="No such file or directory"):
            rules.route(ruleset, folder / "*" / "*.jsonl", engine=engine)
    (folder / "part=1" / "a.jsonl").write_bytes(jsonl(['{"id": 5}', '{"id": 6, "part": 2}']))
    with pytest.raises(spark_engine.Fallback, match="a field named as a partition folder"):
        spark_engine.route(ruleset, str(folder))
