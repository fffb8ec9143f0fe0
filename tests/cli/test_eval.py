"""``ladle eval`` and ``ladle demo`` through ``cli.main``, plus the installed entry point."""

from __future__ import annotations

import io
import json
import re
import shlex
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import click
import pytest

from ladle import cli
from ladle.cli import serve_command
from ladle.cli.app import ladle
from ladle.cli.playground import server

Run = tuple[int, str, str]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Callable[..., Run]:
    def invoke(*argv: str) -> Run:
        code = cli.main(list(argv))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return invoke


@pytest.fixture
def record(tmp_path: Path) -> Path:
    path = tmp_path / "record.json"
    path.write_text(json.dumps({"tag": "lossless", "id": 1234, "public": False}))
    return path


def test_prints_true_for_the_placement_rule(run, record: Path) -> None:
    code, out, err = run("eval", "tag == 'lossless' && (id % 100) <= 47", "--data", str(record))
    assert (code, out, err) == (0, "true\n", "")


def test_prints_false(run, record: Path) -> None:
    code, out, _ = run("eval", "tag == 'lossless' && (id % 100) > 47", "--data", str(record))
    assert (code, out) == (0, "false\n")


@pytest.mark.parametrize(
    ("expression", "column"),
    [("tag == 'lossless' &&", 21), ("(a", 3), ("a +* b", 4), ("f(1) ", 1), ("a < b < c", 7)],
)
def test_syntax_error_caret_and_exit_2(run, expression: str, column: int) -> None:
    code, out, err = run("eval", expression)
    assert code == 2
    assert out == ""
    first, source_line, caret = err.splitlines()
    assert first.startswith(f"<expr>:1:{column}: error: ")
    assert source_line == "  " + expression
    assert caret == "  " + " " * (column - 1) + "^"
    assert "Traceback" not in err


def test_end_of_input_error_message(run) -> None:
    _, _, err = run("eval", "tag == 'lossless' &&")
    assert err.splitlines()[0] == "<expr>:1:21: error: expected an expression after '&&'"


def test_evaluation_error_exit_2(run) -> None:
    code, _, err = run("eval", "a * 2", "--set", "a=\"x\"")
    assert code == 2
    assert err.startswith("<expr>:1:3: error: cannot apply '*' to string and int")


@pytest.mark.parametrize(("expression", "expected"), [("tag == 'lossless'", 0), ("0", 0),
                                                       ("public", 1), ("nil", 1)])
def test_test_mode_exit_codes(run, record: Path, expression: str, expected: int) -> None:
    assert run("eval", "--test", expression, "--data", str(record)) == (expected, "", "")


def test_test_mode_error_is_exit_2(run) -> None:
    code, out, _ = run("eval", "--test", "1 +")
    assert (code, out) == (2, "")


def test_set_values_json_strings_and_nesting(run) -> None:
    code, out, _ = run("eval", "(n + 1, s, user.name, flag)", "--set", "n=41", "--set", "s=hi",
                       "--set", "user.name=Ann", "--set", "flag=true")
    assert (code, json.loads(out)) == (0, [42, "hi", "Ann", True])


def test_set_without_equals_is_usage_error(run) -> None:
    code, _, err = run("eval", "a", "--set", "novalue")
    assert code == 2
    assert "--set: error: expected key=value" in err


def test_data_from_stdin(run, monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO('{"x": [1, 2, 3]}'))
    assert run("eval", "x.size", "--data", "-") == (0, "3\n", "")


def test_bad_json_names_file_line_and_column(run, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "a": 1,\n  "b": \n}\n')
    code, out, err = run("eval", "a", "--data", str(bad))
    assert (code, out) == (2, "")
    assert err.splitlines()[0] == f"{bad}:4:1: error: invalid JSON: expecting value"
    assert err.splitlines()[1:] == ["  }", "  ^"]


@pytest.mark.parametrize(("content", "message"), [
    ("[1, 2]", "the data must be a JSON object, not an array"),
    ("null", "the data must be a JSON object, not null"),
    (b"\xff\xfe", "not UTF-8 text"),
])
def test_unusable_data(run, tmp_path: Path, content: str | bytes, message: str) -> None:
    path = tmp_path / "data.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    code, _, err = run("eval", "a", "--data", str(path))
    assert code == 2
    assert message in err


def test_missing_data_file(run, tmp_path: Path) -> None:
    code, _, err = run("eval", "a", "--data", str(tmp_path / "nope.json"))
    assert code == 2
    assert err == f"{tmp_path / 'nope.json'}: error: No such file or directory\n"


def test_strict_undefined(run) -> None:
    assert run("eval", "missing")[:2] == (0, "null\n")
    code, _, err = run("eval", "--strict", "missing")
    assert code == 2
    assert err.startswith("<expr>:1:1: error: undefined variable 'missing'")


def test_strict_reaches_paths_and_respects_fallbacks(run) -> None:
    data = ["--set", "user.name=Ann", "--set", "items=[1, 2]"]
    code, _, err = run("eval", "--strict", "1 + user.nmae", *data)
    assert code == 2
    assert err.startswith("<expr>:1:5: error: user.nmae is undefined; did you mean 'name'?")
    code, _, err = run("eval", "--strict", "items[5]", *data)
    assert (code, err.splitlines()[0]) == (
        2, "<expr>:1:1: error: items[5] is undefined (the list holds 2 items)")
    for fallback in ("user.nmae ?? 'd'", "user.nmae || 'd'", "user.nmae | default: 'd',",
                     "'d' if nope.x ?? true else 'e'"):
        assert run("eval", "--strict", fallback, *data)[:2] == (0, '"d"\n'), fallback


def test_unknown_option_is_usage_error(run) -> None:
    code, _, err = run("eval", "--frobnicate", "1")
    assert code == 2
    assert err.startswith("ladle eval: error: no such option '--frobnicate'")
    assert err.endswith("(see 'ladle eval --help')\n") and err.count("\n") == 1


def test_output_is_json(run) -> None:
    _, out, _ = run("eval", "('é', 1.5, nil, (1..2), empty)")
    assert json.loads(out) == ["é", 1.5, None, [1, 2], ""]
    assert "é" in out


def help_examples(command: click.Command) -> list[tuple[str, str | None]]:
    """(arguments, standard input) of each example: ``ladle ARGS`` or ``echo TEXT | ladle
    ARGS``."""
    found: list[tuple[str, str | None]] = []
    for line in (command.help or "").splitlines():
        text = line.strip()
        piped = re.fullmatch(r"echo (.+?) \| ladle (.+)", text)
        if piped:
            found.append((piped.group(2), shlex.split(piped.group(1))[0] + "\n"))
        elif text.startswith("ladle "):
            found.append((text[len("ladle "):], None))
    return found


def all_commands(group: click.Command = ladle) -> list[click.Command]:
    """The command and, for a group, every command below it."""
    found = [group]
    if isinstance(group, click.Group):
        context = click.Context(group)
        for name in group.list_commands(context):
            command = group.get_command(context, name)
            assert command is not None, name
            found.extend(all_commands(command))
    return found


@pytest.mark.parametrize("command", all_commands(), ids=lambda c: c.name or "ladle")
def test_help_has_examples_that_run(command: click.Command, run, record: Path,
                                    tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    examples = help_examples(command)
    assert examples, f"{command.name} --help has no example"
    # The examples name the bundled examples and a few files of their own.
    (tmp_path / "examples").symlink_to(Path(cli.__file__).resolve().parents[1] / "examples")
    (tmp_path / "page.html").write_text("<p>{{ user.name }}</p>")
    monkeypatch.chdir(tmp_path)
    # `ladle layout serve` starts its server, on a free port, and stops at once.
    served: list[tuple[str, int]] = []
    bind = serve_command.listen
    monkeypatch.setattr(serve_command, "listen", lambda host, port: bind(host, 0))

    def run_once(playground: object, sock: socket.socket, host: str, **options: object) -> None:
        served.append((host, sock.getsockname()[1]))
        sock.close()

    monkeypatch.setattr(server, "run", run_once)
    for example, stdin in examples:
        if stdin is not None:
            monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(stdin.encode())))
        code, _, err = run(*shlex.split(example))
        assert code in (0, 1), f"ladle {example}: exit {code}: {err}"
        assert "Traceback" not in err
    assert len(served) == sum(example.startswith("layout serve ") for example, _ in examples)


def test_help_output(run) -> None:
    code, out, _ = run("eval", "--help")
    assert code == 0
    assert "Examples:" in out
    assert re.search(r"--data FILE\|-", out)


def test_demo_writes_placement(run, tmp_path: Path) -> None:
    target = tmp_path / "out"
    code, out, err = run("demo", "-o", str(target))
    assert (code, err) == (0, "")
    table = (target / "route.txt").read_text()
    assert table.splitlines()[1].split()[0] == "morbo"
    assert json.loads((target / "route.json").read_text())["records"] == 1001
    page = (target / "artist.html").read_text()
    assert page.startswith("<!DOCTYPE html>")
    assert "&lt;script&gt;" in page and "<script>" not in page
    assert f"wrote into {target}/" in out
    assert "mistakes.json: 4 errors, 3 warnings" in (target / "layouts.txt").read_text()
    assert (target / "layout-good.svg").read_text().startswith("<svg")
    # Nothing but the results: no temporary file left behind.
    assert sorted(p.name for p in target.iterdir()) == [
        "artist.css", "artist.html", "layout-good.svg", "layout-mistakes.svg", "layouts.txt",
        "route.json", "route.txt"]


def test_installed_entry_point(record: Path) -> None:
    ladle_bin = shutil.which("ladle", path=str(Path(sys.executable).parent))
    assert ladle_bin is not None, "the ladle console script is not installed"
    done = subprocess.run([ladle_bin, "eval", "tag == 'lossless' && (id % 100) <= 47",
                           "--data", str(record)], capture_output=True, text=True, check=False)
    assert (done.returncode, done.stdout) == (0, "true\n")
    done = subprocess.run([sys.executable, "-m", "ladle", "eval", "tag == 'lossless' &&"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 2
    assert done.stderr.startswith("<expr>:1:21: error:")
