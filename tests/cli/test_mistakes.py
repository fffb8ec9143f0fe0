"""What a stranger runs into off the documented path: output that cannot be written, a
typo in a command's name, Ctrl-C, text that is not UTF-8 or holds a lone surrogate, and a
mistake on a very long line. Each gives one clear message and a documented exit code,
never a traceback."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ladle import cli
from ladle.cli.diagnostics import UserError
from ladle.cli.output import write_output

ROOT = Path(__file__).resolve().parents[2]

Run = tuple[int, str, str]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> Run:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def ladle(*argv: str, **options: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ladle", *argv], cwd=ROOT, text=True,
                          capture_output="stdout" not in options, timeout=60,
                          **options)  # type: ignore[call-overload]


# -- output that cannot be written ----------------------------------------------------

needs_dev_full = pytest.mark.skipif(not os.path.exists("/dev/full"),
                                    reason="needs /dev/full (Linux)")


@needs_dev_full
@pytest.mark.parametrize("argv", [
    ["eval", "1 + 2"],
    ["render", "examples/artist/artist.html", "--data", "examples/artist/artist.json"],
    ["layout", "resolve", "--preset", "tall"],
    ["rules", "route", "examples/placement.rules", "examples/catalog.jsonl"],
])
def test_a_full_standard_output_is_one_line_not_a_traceback(argv: list[str]) -> None:
    with open("/dev/full", "w") as full:
        result = ladle(*argv, stdout=full, stderr=subprocess.PIPE)
    assert result.returncode == 2
    assert result.stderr == "ladle: error: cannot write: no space left on device\n"


@needs_dev_full
def test_a_full_output_device_is_one_line_not_a_traceback() -> None:
    result = ladle("render", "examples/artist/artist.html", "-o", "/dev/full")
    assert result.returncode == 2
    assert result.stderr == "/dev/full: error: cannot write: no space left on device\n"


def test_a_full_disk_keeps_the_old_file_and_names_it(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]
                                                     ) -> None:
    target = tmp_path / "page.html"
    target.write_text("old")

    def full(_descriptor: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    template = tmp_path / "t.html"
    template.write_text("new")
    code, _, err = run(capsys, "render", str(template), "-o", str(target))
    assert (code, err) == (2, f"{target}: error: cannot write: no space left on device\n")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["page.html", "t.html"]
    with pytest.raises(UserError, match="cannot write: no space left on device"):
        write_output(target, "x")


# -- typos ------------------------------------------------------------------------------

@pytest.mark.parametrize(("argv", "expected"), [
    (["rendr", "x"], "ladle: error: no such command 'rendr' (did you mean 'render'?) "
                     "(see 'ladle --help')\n"),
    (["rules", "rout"], "ladle rules: error: no such command 'rout' (did you mean "
                        "'route'?) (see 'ladle rules --help')\n"),
    (["layout", "chek"], "ladle layout: error: no such command 'chek' (did you mean "
                         "'check'?) (see 'ladle layout --help')\n"),
    (["frobnicate"], "ladle: error: no such command 'frobnicate' (see 'ladle --help')\n"),
    (["eval", "1", "--dat", "x"], "ladle eval: error: no such option '--dat' (did you "
                                  "mean '--data'?) (see 'ladle eval --help')\n"),
    (["eval", "-7 % 100"], "ladle eval: error: no such option '-7' (to give an argument "
                           "that starts with '-', put '--' before it) (see 'ladle eval "
                           "--help')\n"),
])
def test_a_misspelt_command_or_option_gets_a_suggestion(
        capsys: pytest.CaptureFixture[str], argv: list[str], expected: str) -> None:
    assert run(capsys, *argv) == (2, "", expected)


@pytest.mark.parametrize("group", [[], ["rules"], ["layout"]])
def test_a_group_without_a_command_prints_its_help_unchanged(
        capsys: pytest.CaptureFixture[str], group: list[str]) -> None:
    _, help_text, _ = run(capsys, *group, "--help")
    assert run(capsys, *group) == (2, "", help_text)


def test_an_expression_that_starts_with_a_dash_runs_after_two_dashes(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "eval", "--", "-7 % 100") == (0, "93\n", "")


# -- Ctrl-C -----------------------------------------------------------------------------

def test_ctrl_c_while_reading_exits_130_quietly() -> None:
    process = subprocess.Popen([sys.executable, "-m", "ladle", "rules", "match",
                                "examples/placement.rules", "--stream"], cwd=ROOT,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write('{"tag": "lossless", "id": 1}\n')
    process.stdin.flush()
    assert process.stdout.readline().startswith('{"line": 1')  # running, waiting on input
    time.sleep(0.1)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 130
    assert err.strip() == ""  # click only ends the terminal's ^C line


# -- text that is not UTF-8, or holds what UTF-8 cannot --------------------------------

def test_bytes_that_are_not_utf8_are_placed_by_line_and_column(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_bytes("<p>é</p>\r\n".encode() + b"<p>\xff</p>\n")
    code, _, err = run(capsys, "render", str(page))
    assert code == 2
    assert err == (f"{page}:2:4: error: not UTF-8 text (byte 0xff)\n"
                   "  <p>\ufffd</p>\n"
                   "     ^\n")


@pytest.mark.parametrize("text", ['{"t": "\\ud800"}', '{"t": "a\\udc00"}',
                                  '{"\\ud83d": 1}', '{"t": ["\\\\", "\\ud83d x"]}'])
def test_a_lone_surrogate_in_data_is_an_error(capsys: pytest.CaptureFixture[str],
                                              tmp_path: Path, text: str) -> None:
    data = tmp_path / "d.json"
    data.write_text(text)
    code, out, err = run(capsys, "eval", "t", "--data", str(data))
    assert (code, out) == (2, "")
    assert "error: invalid JSON: a lone surrogate ('\\u" in err
    assert err.splitlines()[-1].endswith("^")
    assert err.startswith(f"{data}:1:")


@pytest.mark.parametrize("text", ['{"t": "\\ud83d\\ude00"}', '{"t": "\\\\ud800"}'])
def test_a_surrogate_pair_or_an_escaped_backslash_is_fine(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str) -> None:
    data = tmp_path / "d.json"
    data.write_text(text)
    code, out, _ = run(capsys, "eval", "t", "--data", str(data))
    assert code == 0
    assert out in ('"😀"\n', '"\\\\ud800"\n')


# -- a mistake on a very long line ----------------------------------------------------

def test_the_excerpt_of_a_very_long_line_is_cut_around_the_caret(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text("x" * 100_000 + "{{ 1 + }}" + "y" * 100_000)
    code, _, err = run(capsys, "render", str(page))
    assert code == 2
    heading, text, caret = err.splitlines()
    assert heading == f"{page}:1:100007: error: expected an expression after '+'"
    assert len(text) < 200
    assert text.startswith("  …xxx") and text.endswith("yyy…")
    assert text[len(caret) - 1:].startswith(" }}")
    assert caret.strip() == "^"


def test_a_byte_order_mark_read_from_a_pipe_is_not_text(capsys: pytest.CaptureFixture[str],
                                                        monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"\xef\xbb\xbf{{ 1 }}")))
    assert run(capsys, "render", "-") == (0, "1", "")


def test_a_rule_file_that_is_not_utf8_is_placed_by_line_and_column(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    rules = tmp_path / "r.rules"
    rules.write_bytes(b"a: tag == 'x'\nb: tag == '\xe9'\n")
    code, _, err = run(capsys, "rules", "check", str(rules))
    assert code == 2
    assert err == (f"{rules}:2:12: error: not UTF-8 text (byte 0xe9)\n"
                   "  b: tag == '\ufffd'\n"
                   "             ^\n")


@pytest.mark.parametrize(("number", "message"), [
    ("1e999", "the number 1e999 is too large (it would be infinite)"),
    ("-2E+400", "the number -2E+400 is too large (it would be infinite)"),
    ("1" * 101, "an integer has more than 100 digits"),
])
def test_a_number_json_cannot_hold_in_data_is_placed(capsys: pytest.CaptureFixture[str],
                                                     tmp_path: Path, number: str,
                                                     message: str) -> None:
    # as the catalogs' and the layouts' readers refuse it; printed, it was not JSON
    data = tmp_path / "d.json"
    data.write_text(f'{{"a": "{number}",\n "x": {number}}}')
    code, out, err = run(capsys, "eval", "x", "--data", str(data))
    assert (code, out) == (2, "")
    assert err == (f"{data}:2:7: error: invalid JSON: {message}\n"
                   f'   "x": {number}}}\n'
                   "        ^\n")


class _FullDisk:
    """A DuckDB connection whose every write meets a full disk."""

    def __enter__(self) -> _FullDisk:
        return self

    def __exit__(self, *_: object) -> None:
        return None

    def execute(self, *_: object) -> None:
        import duckdb

        raise duckdb.IOException('IO Error: Could not write file "x": No space left on '
                                 'device", "errno":"28"}')


def test_parquet_on_a_full_disk_is_one_line_and_leaves_nothing(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    duckdb = pytest.importorskip("duckdb")
    monkeypatch.setattr(duckdb, "connect", _FullDisk)
    target = tmp_path / "where.parquet"
    code, _, err = run(capsys, "rules", "route", str(ROOT / "examples/placement.rules"),
                       str(ROOT / "examples/catalog.jsonl"), "-o", str(target))
    assert (code, err) == (2, f"{target}: error: cannot write: no space left on device\n")
    assert list(tmp_path.iterdir()) == []


def test_parquet_in_a_folder_that_vanished_is_an_os_error(tmp_path: Path) -> None:
    pytest.importorskip("duckdb")
    from ladle.rules.assignments import to_parquet

    lines = tmp_path / "a.jsonl"
    lines.write_text('{"line": 1, "id": 1, "rules": []}\n')
    with pytest.raises(OSError, match="No such file or directory"):
        to_parquet(lines, tmp_path / "gone" / "a.parquet")


def test_a_record_that_is_no_object_is_named_in_json_s_words(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "rules", "match", str(ROOT / "examples/placement.rules"),
                       "--record", '"lossless"')
    assert (code, err) == (2, "--record: error: a record is a JSON object, not a string\n")


def test_a_record_on_standard_input_is_named_so(capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"[1]")))
    code, _, err = run(capsys, "rules", "match", str(ROOT / "examples/placement.rules"))
    assert (code, err) == (2, "<stdin>: error: a record is a JSON object, not an array\n")


@pytest.mark.parametrize("text", ["", " \n\n"])
def test_empty_data_says_so(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                            text: str) -> None:
    data = tmp_path / "d.json"
    data.write_text(text)
    assert run(capsys, "eval", "1", "--data", str(data)) == (
        2, "", f"{data}: error: invalid JSON: there is nothing in it (an empty object is {{}})\n")


@pytest.mark.parametrize("catalog", ["", "not json\n[1, 2]\n"])
def test_a_catalog_without_fields_checks_no_names(capsys: pytest.CaptureFixture[str],
                                                  tmp_path: Path, catalog: str) -> None:
    # rather than calling every name of the rules unknown
    path = tmp_path / "c.jsonl"
    path.write_text(catalog)
    assert run(capsys, "rules", "check", str(ROOT / "examples/placement.rules"),
               "--catalog", str(path)) == (
        0, "", f"ladle: names and types not checked: {path} holds no record with a field\n")


@pytest.mark.parametrize(("declared", "message"), [
    ("tag:string,id:int,tag:int", "'tag' is given two types, string and int"),
    (",,", "expected name:type,... (such as tag:string,id:int), got ',,'"),
])
def test_vars_that_contradict_or_say_nothing_are_an_error(
        capsys: pytest.CaptureFixture[str], declared: str, message: str) -> None:
    assert run(capsys, "rules", "check", str(ROOT / "examples/placement.rules"),
               "--vars", declared) == (2, "", f"--vars: error: {message}\n")


@pytest.mark.parametrize(("argv", "second", "first"), [
    (["render", "-", "--data", "-"], "--data", "TEMPLATE"),
    (["check", "-", "-"], "TEMPLATES", "TEMPLATES"),
    (["rules", "route", "-", "-"], "CATALOG", "RULES"),
    (["rules", "diff", "examples/placement.rules", "-", "-"], "CATALOG", "NEW"),
    (["rules", "check", "-", "--catalog", "-"], "--catalog", "RULES"),
])
def test_standard_input_for_two_inputs_is_refused(capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  argv: list[str], second: str,
                                                  first: str) -> None:
    # the second reader would get nothing: an empty template rendered without a word
    monkeypatch.chdir(ROOT)
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b'{"a": 1}')))
    assert run(capsys, *argv) == (2, "", f"{second}: error: standard input can be read "
                                         f"once, and {first} reads it: give this one as a "
                                         "file\n")


class _Terminal(io.TextIOWrapper):
    def isatty(self) -> bool:
        return True


def test_reading_a_terminal_says_how_to_end_it(capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    # `ladle rules match RULES` typed without a record waits on the terminal: say so
    monkeypatch.setattr("sys.stdin", _Terminal(io.BytesIO(b'{"tag": "lossless", "id": 1}')))
    assert run(capsys, "rules", "match", str(ROOT / "examples/placement.rules")) == (
        0, "morbo\n", "ladle: reading standard input (Ctrl-D ends it)\n")


def test_ctrl_c_inside_duckdb_exits_130_quietly(capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    # DuckDB catches the KeyboardInterrupt and raises "Query interrupted" instead
    from ladle.cli import route_commands

    def interrupted(*_: object, **__: object) -> None:
        raise RuntimeError("Query interrupted")

    monkeypatch.setattr(route_commands, "route_catalog", interrupted)
    code, out, err = run(capsys, "rules", "route", str(ROOT / "examples/placement.rules"),
                         str(ROOT / "examples/catalog.jsonl"), "--engine", "duckdb")
    assert (code, out, err.strip()) == (130, "", "")


def test_a_terminal_encoding_without_a_character_gets_an_escape() -> None:
    # a Latin-1 locale and the '→' of a layout's cycle: an escape, not a traceback
    environment = {**os.environ, "PYTHONIOENCODING": "latin-1"}
    result = ladle("layout", "check", "examples/layouts/mistakes.json", env=environment,
                   encoding="latin-1")
    assert result.returncode == 1
    assert "maintext.x \\u2192 subtext.x" in result.stdout
    assert ladle("eval", '"é→"', env=environment, encoding="latin-1").stdout == \
        '"é\\u2192"\n'
