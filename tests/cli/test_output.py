"""The one writer behind every ``-o``: modes, devices, FIFOs, standard output, inputs,
missing folders, and nothing partial left behind by errors or signals."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from ladle import cli
from ladle.cli.diagnostics import UserError
from ladle.cli.output import output_stream, write_output

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def umask() -> Iterator[None]:
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".ladle-" in p.name)


def test_a_new_file_gets_the_umask_mode(tmp_path: Path, umask: None) -> None:
    write_output(tmp_path / "a.html", "x")
    assert mode(tmp_path / "a.html") == 0o644
    os.umask(0o027)
    write_output(tmp_path / "b.html", "x")
    assert mode(tmp_path / "b.html") == 0o640


def test_a_replaced_file_keeps_its_mode(tmp_path: Path, umask: None) -> None:
    target = tmp_path / "a.html"
    target.write_text("old")
    target.chmod(0o640)
    write_output(target, "new")
    assert (target.read_text(), mode(target)) == ("new", 0o640)


def test_the_folder_must_exist(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="does not exist"):
        write_output(tmp_path / "missing" / "a.html", "x")
    assert not (tmp_path / "missing").exists()
    (tmp_path / "file").write_text("")
    with pytest.raises(UserError):
        write_output(tmp_path / "file" / "a.html", "x")
    with pytest.raises(UserError, match="is a folder"):
        write_output(tmp_path, "x")
    with pytest.raises(UserError, match="empty"):
        write_output("", "x")


def test_an_input_is_never_an_output(tmp_path: Path) -> None:
    source = tmp_path / "in.txt"
    source.write_text("keep")
    link = tmp_path / "link.txt"
    link.symlink_to(source)
    for target in (source, link):
        with pytest.raises(UserError, match="refusing to overwrite an input"):
            write_output(target, "new", inputs=[source])
    assert source.read_text() == "keep"


def test_dash_is_standard_output(capsys: pytest.CaptureFixture[str]) -> None:
    write_output("-", "to stdout")
    assert capsys.readouterr().out == "to stdout"


def test_a_device_is_written_through_not_replaced() -> None:
    write_output("/dev/null", "nothing")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_a_fifo_is_written_through_not_replaced(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()))
    reader.start()
    write_output(fifo, "through the pipe")
    reader.join(10)
    assert received == ["through the pipe"]
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_an_error_while_writing_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError), output_stream(target) as stream:
        stream.write("half")
        raise RuntimeError("boom")
    assert target.read_text() == "old"
    assert leftovers(tmp_path) == []


WRITER = """
import sys, time
sys.path.insert(0, {root!r})
from ladle.cli.output import output_stream
with output_stream({target!r}) as stream:
    stream.write("x" * 1_000_000)
    stream.flush()
    print("writing", flush=True)
    time.sleep(60)
"""


def start_writer(target: Path) -> subprocess.Popen[str]:
    code = WRITER.format(root=str(ROOT), target=str(target))
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    assert process.stdout.readline() == "writing\n"
    return process


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_signal_mid_write_cleans_up_and_keeps_the_old_file(tmp_path: Path,
                                                             signum: int) -> None:
    target = tmp_path / "a.txt"
    target.write_text("old")
    process = start_writer(target)
    assert len(leftovers(tmp_path)) == 1
    process.send_signal(signum)
    process.communicate(timeout=10)
    assert process.returncode != 0
    assert target.read_text() == "old"
    assert leftovers(tmp_path) == []


def test_sigkill_leaves_the_old_file_and_the_next_run_removes_the_stale_temporary(
        tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    target.write_text("old")
    process = start_writer(target)
    process.kill()
    process.communicate(timeout=10)
    assert target.read_text() == "old"
    assert len(leftovers(tmp_path)) == 1
    write_output(target, "new")
    assert target.read_text() == "new"
    assert leftovers(tmp_path) == []


# -- through the commands -------------------------------------------------------------


def run(*argv: str) -> int:
    return cli.main(list(argv))


def test_render_never_writes_over_a_partial(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "page.html").write_text("<p>{% render 'row.html' %}</p>")
    (tmp_path / "row.html").write_text("row")
    assert run("render", str(tmp_path / "page.html"), "-o", str(tmp_path / "row.html")) == 2
    assert "refusing to overwrite an input" in capsys.readouterr().err
    assert (tmp_path / "row.html").read_text() == "row"


def test_every_writer_gives_the_same_mode(tmp_path: Path, umask: None) -> None:
    catalog = tmp_path / "c.jsonl"
    catalog.write_text('{"id": 1, "tag": "x"}\n')
    rules = tmp_path / "r.rules"
    rules.write_text("a: tag == 'x'\n")
    page = tmp_path / "t.html"
    page.write_text("hi")
    outputs = {
        "render": ["render", str(page), "-o", str(tmp_path / "out.html")],
        "route jsonl": ["rules", "route", str(rules), str(catalog), "-o",
                        str(tmp_path / "out.jsonl")],
        "route parquet": ["rules", "route", str(rules), str(catalog), "-o",
                          str(tmp_path / "out.parquet")],
        "preview": ["layout", "preview", "--preset", "wide", "-o", str(tmp_path / "out.svg")],
        "slots": ["rules", "slots", "a=1", "-o", str(tmp_path / "out.rules")],
    }
    for name, argv in outputs.items():
        assert run(*argv) == 0, name
    modes = {p.name: mode(p) for p in tmp_path.glob("out.*")}
    assert set(modes.values()) == {0o644}, modes
    run("demo", "-o", str(tmp_path / "demo"))
    assert {mode(p) for p in (tmp_path / "demo").iterdir()} == {0o644}


def test_route_output_follows_the_name_or_the_option(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    catalog = tmp_path / "c.jsonl"
    catalog.write_text('{"id": 1, "tag": "x"}\n{"id": "b", "tag": "y"}\n')
    rules = tmp_path / "r.rules"
    rules.write_text("a: tag == 'x'\nb: tag != 'z'\n")
    assert run("rules", "route", str(rules), str(catalog), "-o", str(tmp_path / "o.csv")) == 0
    assert (tmp_path / "o.csv").read_text() == 'line,id,rules\n1,1,a b\n2,"""b""",b\n'
    assert run("rules", "route", str(rules), str(catalog), "-o", str(tmp_path / "o.txt")) == 2
    assert "--output-format" in capsys.readouterr().err
    assert not (tmp_path / "o.txt").exists()
    assert run("rules", "route", str(rules), str(catalog), "-o", str(tmp_path / "o.txt"),
               "--output-format", "jsonl") == 0
    assert (tmp_path / "o.txt").read_text().splitlines()[0] == \
        '{"line": 1, "id": 1, "rules": ["a", "b"]}'


def test_a_parquet_run_leaves_no_temporary_files(tmp_path: Path) -> None:
    catalog = tmp_path / "c.jsonl"
    catalog.write_text('{"id": 1, "tag": "x"}\n')
    rules = tmp_path / "r.rules"
    rules.write_text("a: tag == 'x'\n")
    assert run("rules", "route", str(rules), str(catalog), "-o", str(tmp_path / "o.parquet")) == 0
    assert leftovers(tmp_path) == []
