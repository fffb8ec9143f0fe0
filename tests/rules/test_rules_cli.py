"""``ladle rules check`` and ``ladle rules match`` through ``cli.main``."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from ladle import cli

ROOT = Path(__file__).resolve().parents[2]
PLACEMENT = ROOT / "examples" / "placement.rules"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_check_clean(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "rules", "check", str(PLACEMENT), "--vars",
               "tag:string,id:int,public:bool") == (0, "", "")


def test_check_misspelled_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "typo.rules"
    path.write_text("ok: tag == 'a'\nbad: tg == 'lossless'\n")
    code, out, err = run(capsys, "rules", "check", str(path), "--vars", "tag:string,id:int")
    assert (code, err) == (1, "")  # findings go to standard output
    assert out.splitlines() == [f"{path}:2:6: error: unknown variable 'tg' (did you mean 'tag'?)",
                                "  bad: tg == 'lossless'", "       ^", "1 problem found"]


def test_check_without_names_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "rules", "check", str(PLACEMENT))
    assert (code, out) == (0, "")
    assert err == "ladle: names and types not checked: give --vars NAME:TYPE,... or " \
                  "--catalog FILE\n"


@pytest.mark.parametrize(("rule", "message"), [
    ("public == 'true'", "public is bool: 'public == \"true\"' is always false"),
    ("id != 'x'", "id is int: 'id != \"x\"' is always true"),
    ("tag > 3", "tag is string: comparing it with 3 fails on every record"),
])
def test_check_comparisons_that_never_hold(rule: str, message: str, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "r.rules"
    path.write_text(f"r: {rule}\n")
    code, out, _ = run(capsys, "rules", "check", str(path), "--vars",
                       "tag:string,id:int,public:bool")
    assert code == 1
    assert message in out


def test_check_syntax_error_and_bad_usage(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "r.rules"
    path.write_text("a: tag ==\n")
    code, out, _ = run(capsys, "rules", "check", str(path))
    assert code == 1
    assert out.startswith(f"{path}:1:10: error: expected an expression after '=='")
    assert run(capsys, "rules", "check", str(tmp_path / "none.rules"))[0] == 2
    assert run(capsys, "rules", "check", str(path), "--vars", "tag:text")[0] == 2


def test_match(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    record = '{"tag": "lossless", "id": 5, "public": true}'
    assert run(capsys, "rules", "match", str(PLACEMENT), "--record", record) == (
        0, "morbo\ndevil\nsanta\n", "")
    monkeypatch.setattr(sys, "stdin", io.StringIO('{"tag": "lossless", "id": "x"}'))
    code, out, _ = run(capsys, "rules", "match", str(PLACEMENT), "--format", "json")
    assert code == 0
    assert json.loads(out)["errors"]["morbo"] == "cannot apply '%' to string and int"


def test_match_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "rules", "match", str(PLACEMENT), "--record", "[1]")
    assert code == 2
    assert "a record is a JSON object" in err
    code, _, err = run(capsys, "rules", "match", str(PLACEMENT), "--record", "{")
    assert code == 2
    assert err.startswith("--record:1:2: error: invalid JSON")


def test_slots_then_rebalance(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    five = tmp_path / "five.rules"
    assert run(capsys, "rules", "slots", "a=1", "b=1", "c=1", "d=1", "e=1", "-o",
               str(five)) == (0, "", "")
    assert "a: slot(id, 1024) in (0..204)" in five.read_text()
    code, out, err = run(capsys, "rules", "rebalance", str(five), "--add", "f=1")
    assert code == 0
    assert err == "16.6% of the slots move\n"
    assert "f: slot(id, 1024)" in out
    code, _, err = run(capsys, "rules", "rebalance", str(five), "-o", str(five), "--add", "g=1")
    assert code == 2
    assert "refusing to overwrite an input file" in err
    assert run(capsys, "rules", "slots", "a=x")[0] == 2
    assert run(capsys, "rules", "rebalance", str(five))[0] == 2


CATALOG = ROOT / "examples" / "catalog.jsonl"


def test_route_report_and_require_copies(capsys: pytest.CaptureFixture[str],
                                         tmp_path: Path) -> None:
    code, out, _ = run(capsys, "rules", "route", str(PLACEMENT), str(CATALOG), "--format", "json")
    report = json.loads(out)
    assert code == 0
    assert set(report) == {"records", "bytes", "rules", "copies", "unclaimed", "errors"}
    assert report["records"] == 1001 and report["errors"]["records"] == 2
    assert sum(report["copies"].values()) == report["records"]
    code, _, err = run(capsys, "rules", "route", str(PLACEMENT), str(CATALOG),
                       "--require-copies", "1")
    assert code == 1
    assert err == f"{report['copies']['0']:,} records have no copy (--require-copies 1)\n"
    assert run(capsys, "rules", "route", str(PLACEMENT), str(CATALOG), "--strict")[0] == 2
    assignments = tmp_path / "assign.jsonl"
    assert run(capsys, "rules", "route", str(PLACEMENT), str(CATALOG), "-o",
               str(assignments))[0] == 0
    rows = [json.loads(line) for line in assignments.read_text().splitlines()]
    assert len(rows) == 1001  # one per line, the one that is not JSON included (no rules)
    assert rows[0] == {"line": 1, "id": rows[0]["id"], "rules": rows[0]["rules"]}


def test_route_text_and_missing_catalog(capsys: pytest.CaptureFixture[str],
                                        tmp_path: Path) -> None:
    code, out, _ = run(capsys, "rules", "route", str(PLACEMENT), str(CATALOG))
    assert code == 0
    assert out.splitlines()[0].split() == ["rule", "records", "bytes"]
    assert "line 501: not JSON" in out
    code, _, err = run(capsys, "rules", "route", str(PLACEMENT), str(tmp_path / "none.jsonl"))
    assert code == 2
    assert err.startswith(str(tmp_path / "none.jsonl"))


def test_diff(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    new = tmp_path / "new.rules"
    new.write_text(PLACEMENT.read_text().replace("devil:", "newbox:"))
    code, out, _ = run(capsys, "rules", "diff", str(PLACEMENT), str(new), str(CATALOG),
                       "--format", "json")
    report = json.loads(out)
    assert code == 0
    assert report["rules"]["devil"]["lost"] == report["rules"]["newbox"]["gained"] > 0
    assert report["orphaned"]["records"] == 0  # santa still holds devil's records


@pytest.mark.parametrize("engine", ["python", "duckdb"])
def test_diff_lists_unreadable_records_and_failing_rules(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, engine: str) -> None:
    catalog = tmp_path / "c.jsonl"
    catalog.write_text('{"id": 1, "tag": "a"}\nnot json\n{"id": "x"}\n', encoding="utf-8")
    old, new = tmp_path / "old.rules", tmp_path / "new.rules"
    old.write_text("a: tag == 'a'\n")
    new.write_text("b: id % 2 == 1\n")
    code, out, _ = run(capsys, "rules", "diff", str(old), str(new), str(catalog),
                       "--engine", engine)
    assert code == 0
    assert out.splitlines()[-4:] == [
        "0 records would lose their last copy",
        "errors: 2",
        "  line 2: not JSON: invalid literal, expected 'null' (column 1)",
        "  line 3: cannot apply '%' to string and int (new rule b)"]
    code, out, _ = run(capsys, "rules", "diff", str(old), str(new), str(catalog),
                       "--engine", engine, "--format", "json")
    assert json.loads(out)["errors"]["records"] == 2


def test_without_duckdb_parquet_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """DuckDB is an extra: without it, Parquet in or out is a usage error naming the
    extra, JSON Lines still route (with the python engine), and nothing is written."""
    catalog = ROOT / "examples" / "catalog.jsonl"
    parquet = tmp_path / "catalog.parquet"
    parquet.write_bytes(b"PAR1")  # never opened: the message comes first
    monkeypatch.setitem(sys.modules, "duckdb", None)  # makes `import duckdb` fail
    code, out, err = run(capsys, "rules", "route", str(PLACEMENT), str(parquet))
    assert (code, out) == (2, "")
    assert "reading Parquet needs DuckDB: pip install 'ladle[scale]'" in err
    target = tmp_path / "where.parquet"
    code, out, err = run(capsys, "rules", "route", str(PLACEMENT), str(catalog),
                         "-o", str(target))
    assert (code, out) == (2, "")
    assert "writing Parquet needs DuckDB" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == [parquet]
    code, out, err = run(capsys, "rules", "route", str(PLACEMENT), str(catalog),
                         "--engine", "duckdb", "--format", "json")
    assert code == 0 and json.loads(out)["records"] == 1001
    assert "DuckDB is not installed" in err


def test_slots_refuse_a_machine_given_twice(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "rules", "slots", "a=1", "b=1", "a=2")
    assert (code, out) == (2, "")
    assert err == "NAME=WEIGHT: error: 'a' is given twice\n"


def test_slots_where_errors_point_into_the_option(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "rules", "slots", "a=1", "--where", "tag ==")
    assert code == 2
    assert err.splitlines() == ["--where:1:7: error: expected an expression after '=='",
                                "  tag ==", "        ^"]


def test_check_reports_every_problem_of_the_file(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "r.rules"
    path.write_text("a: tg == 1\nb: x ==\nc: id > 1\nd: tagg == 2\ne: id == 'x'\n")
    code, out, _ = run(capsys, "rules", "check", str(path), "--vars", "tag:string,id:int")
    assert code == 1
    heads = [line.split(": error: ")[0] for line in out.splitlines() if ": error: " in line]
    assert heads == [f"{path}:1:4", f"{path}:2:8", f"{path}:4:4", f"{path}:5:7"]
    assert out.splitlines()[-1] == "4 problems found"


def test_route_with_standard_input_closed(capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", None)
    code, out, err = run(capsys, "rules", "route", str(PLACEMENT), "-")
    assert (code, out, err) == (2, "", "-: error: standard input is closed\n")
