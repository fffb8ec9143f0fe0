"""Inputs as a stranger gives them: standard input for every input file, byte-order
marks, non-standard JSON, huge numbers, malformed --set keys, closed or non-UTF-8
standard input."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from ladle import cli

Run = tuple[int, str, str]


def run(capsys: pytest.CaptureFixture[str], *argv: str, stdin: bytes | None = None,
        monkeypatch: pytest.MonkeyPatch | None = None) -> Run:
    if stdin is not None:
        assert monkeypatch is not None
        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize(("argv", "stdin", "expected"), [
    (["render", "-"], b"{{ 6 * 7 }}", "42"),
    (["eval", "a", "--data", "-"], b'{"a": 5}', "5\n"),
    (["layout", "check", "-"], b'{"w": 300}', "<stdin>:1:1: error: the player needs"),
    (["layout", "resolve", "-"], b"{", "<stdin>:"),
    (["rules", "match", "examples/placement.rules"], b'{"tag": "lossless", "id": 1}',
     "morbo"),
])
def test_dash_reads_standard_input(capsys: pytest.CaptureFixture[str],
                                   monkeypatch: pytest.MonkeyPatch, argv: list[str],
                                   stdin: bytes, expected: str) -> None:
    monkeypatch.chdir(Path(cli.__file__).resolve().parents[1])
    _, out, err = run(capsys, *argv, stdin=stdin, monkeypatch=monkeypatch)
    assert expected in out + err


def test_check_reads_standard_input(capsys: pytest.CaptureFixture[str],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = run(capsys, "check", "-", stdin=b"<p>{{ x | }}</p>",
                       monkeypatch=monkeypatch)
    assert code == 1
    assert out.startswith("<stdin>:1:")


@pytest.mark.parametrize("argv", [["eval", "a", "--data", "-"], ["render", "-"],
                                  ["check", "-"], ["layout", "check", "-"]])
def test_invalid_utf8_on_standard_input_is_an_error(capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    argv: list[str]) -> None:
    code, _, err = run(capsys, *argv, stdin=b'{"a": "\xff"}', monkeypatch=monkeypatch)
    assert code == 2
    assert "not UTF-8" in err
    assert "Traceback" not in err


def test_closed_standard_input_is_an_error(capsys: pytest.CaptureFixture[str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", None)
    code, _, err = run(capsys, "eval", "a", "--data", "-")
    assert (code, err) == (2, "<stdin>: error: standard input is closed\n")


def test_a_byte_order_mark_is_not_text(capsys: pytest.CaptureFixture[str],
                                       tmp_path: Path) -> None:
    data = tmp_path / "data.json"
    data.write_bytes(b'\xef\xbb\xbf{"a": 1}')
    assert run(capsys, "eval", "a", "--data", str(data)) == (0, "1\n", "")


@pytest.mark.parametrize(("text", "message"), [
    ('{"a": NaN}', "NaN is not a JSON value"),
    ('{"a": -Infinity}', "-Infinity is not a JSON value"),
    ('{"a": ' + "1" * 5000 + "}", "an integer has more than 100 digits"),
])
def test_data_that_is_not_json_is_an_error(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                           text: str, message: str) -> None:
    data = tmp_path / "data.json"
    data.write_text(text)
    code, out, err = run(capsys, "eval", "a", "--data", str(data))
    assert (code, out) == (2, "")
    assert message in err


@pytest.mark.parametrize("key", ["a..b", ".x", "x.", "."])
def test_set_keys_need_every_part(capsys: pytest.CaptureFixture[str], key: str) -> None:
    code, _, err = run(capsys, "eval", "1", "--set", f"{key}=1")
    assert code == 2
    assert "empty part" in err


def test_set_values_that_are_not_json_are_text(capsys: pytest.CaptureFixture[str]) -> None:
    huge = "1" * 5000
    code, out, _ = run(capsys, "eval", "a", "--set", "a=NaN")
    assert (code, out) == (0, '"NaN"\n')
    code, out, _ = run(capsys, "eval", "a", "--set", f"a={huge}")
    assert (code, json.loads(out)) == (0, huge)


def test_a_result_too_long_to_print_has_a_position(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "eval", "(1..10000000000)")
    assert code == 2
    assert err.startswith("<expr>:1:1: error: list result is too long")


def test_layout_preview_of_an_unreadable_layout_fails(capsys: pytest.CaptureFixture[str],
                                                      tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"w": ')
    code, _, err = run(capsys, "layout", "preview", str(bad), "-o", str(tmp_path / "x.svg"))
    assert code == 2
    assert f"{bad}:1:" in err
    assert not (tmp_path / "x.svg").exists()
