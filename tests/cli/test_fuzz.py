"""A fuzzer for the command line: hypothesis builds argument lists for every command from
its click definition (valid and invalid values, files that are missing, empty, folders,
binary, not UTF-8, with a byte-order mark, CRLF, NUL bytes or large; standard input of
every kind) and runs them in-process. No run may raise, print a traceback, or exit with
anything but 0, 1 or 2, and every exit 2 says why on one line that names a file or an
option."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ladle import cli
from ladle.cli import serve_command
from ladle.cli.app import ladle
from ladle.cli.playground import server

ROOT = Path(cli.__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"

# -- the files every run may name -----------------------------------------------------------

TEXT = {
    "page.html": "<p>{{ user.name || 'guest' }}{% render 'row.html', n: 1 %}</p>\n",
    "row.html": "<b>{{ n }}</b>",
    "broken.html": "<p>{% if x >= %}x{% endif %}{% for a in b %}\n",
    "data.json": json.dumps({"user": {"name": "Ann"}, "tag": "lossless", "id": 7}),
    "r.rules": "a: tag == 'lossless'\nb: (id % 100) <= 47\n",
    "broken.rules": "a: tag ==\nb c: 1\n",
    "slots.rules": "",  # filled from `ladle rules slots` below
    "c.jsonl": '{"id": 1, "tag": "lossless", "size": 10}\n{"id": "x"}\nnot json\n',
    "c.csv": "id,tag,size\n1,lossless,10\n2,\"lossy\n",
    "layout.json": (EXAMPLES / "layouts" / "good.json").read_text(encoding="utf-8"),
}
ODD = {
    "empty.txt": b"",
    "binary.bin": bytes(range(256)) * 8,
    "latin1.txt": "café {{ x }} a: 1".encode("latin-1"),
    "bom.json": b'\xef\xbb\xbf{"a": 1, "tag": "x", "id": 2}',
    "bom.rules": b"\xef\xbb\xbfa: tag == 'x'\n",
    "crlf.html": b"<p>\r\n{{ 1 + 2 }}\r\n</p>\r\n",
    "crlf.rules": b"a: id > 1\r\nb: tag == 'x'\r\n",
    "nul.txt": b"a\x00b: 1\n{\x00}",
    "big.jsonl": b'{"id": 1, "tag": "lossless"}\n' * 20_000,
    "deep.json": b'{"a": ' + b"[" * 3000 + b"]" * 3000 + b"}",
    "gz.jsonl": b"\x1f\x8b\x08\x00" + bytes(200),
}
INPUTS = [*TEXT, *ODD, "missing.txt", "folder", "-", "", "examples/catalog.jsonl",
          "examples/placement.rules", "examples/layouts/mistakes.json",
          "examples/artist/artist.html"]
OUTPUTS = ["out/new.txt", "out/new.html", "out/new.csv", "out/new.parquet", "out/new.svg",
           "out/existing.txt", "/dev/null", "-", "out", "missing/x.txt", "page.html",
           "r.rules", "", "out/new.weird"]
STDIN = [b"", b'{"tag": "lossless", "id": 3}', b"{{ 6 * 7 }}", b"a: tag == 'x'\n",
         b"\xff\xfe\x00", b'{"w": 300, "h": 100}', b"\xef\xbb\xbf{}", b"not json",
         b'{"id": 1}\n{"id": 2, "tag": "x"}\n']

# -- values by the name of the parameter ----------------------------------------------------

VALUES: dict[str, list[str]] = {
    "expression": ["1 + 2", "tag == 'lossless' && (id % 100) <= 47", "a ==", "(1..10000000000)",
                   "'\\ud83d\\ude00'", "x | upcase", "'ABC' | downcase", "1 / 0", "[", "",
                   "user.name || 'guest'", "\x00", "(((((((((1)))))))))"],
    "settings": ["a=1", "user.name=Bo", "=", "a..b=1", ".x=1", "a=NaN", "a=" + "1" * 5000,
                 "noequals", "a=[1,2]"],
    "where": ["tag == 'lossless'", "tag ==", "x |", "1"],
    "machines": ["a=1", "b=2", "c=0.5", "a=x", "=1", "a=-1", "a"],
    "variables": ["tag:string,id:int", "tag:text", "", "tag", "id:int,public:bool,size:any"],
    "record": ['{"tag": "lossless", "id": 5}', "[1]", "nope", "", '{"a": NaN}'],
    "added": ["f=1", "x", "f=abc"],
    "removed": ["a", "nope", ""],
    "layout_url": ["https://a.example/l.json", "ftp://x", "", "not a url"],
    "player_url": ["https://p.example", "javascript:alert(1)", ""],
    "album": ["7", "bad id!", ""],
    "track": ["9", "x" * 100],
    "preset": ["wide", "tall", "nope", ""],
    "key": ["id", "tag", "", "no such"],
}


# The files that suit each input, drawn more often than the rest.
SUITED = {
    "template": ["page.html", "broken.html", "crlf.html", "examples/artist/artist.html", "-"],
    "data_path": ["data.json", "bom.json", "deep.json", "-"],
    "layout": ["layout.json", "examples/layouts/mistakes.json", "-"],
    "rules_file": ["r.rules", "bom.rules", "crlf.rules", "broken.rules",
                   "examples/placement.rules", "-"],
    "catalog": ["c.jsonl", "c.csv", "big.jsonl", "gz.jsonl", "examples/catalog.jsonl", "-"],
}
SUITED |= {"templates": SUITED["template"], "old": SUITED["rules_file"],
           "new": SUITED["rules_file"]}


def value_for(param: click.Parameter) -> st.SearchStrategy[str]:
    name = param.name or ""
    if name in VALUES:
        return st.sampled_from(VALUES[name])
    if name in ("output", "out_dir"):
        return st.sampled_from(OUTPUTS)
    kind = param.type
    if isinstance(kind, click.Choice):
        # no Spark: it starts a JVM per run (tests/rules/test_spark.py runs it)
        choices = [choice for choice in map(str, kind.choices) if choice != "spark"]
        return st.one_of(st.sampled_from(choices), st.sampled_from(choices),
                         st.sampled_from(choices), st.just("bogus"))
    if isinstance(kind, click.IntRange | click.types.IntParamType):
        return st.sampled_from(["0", "1", "3", "-1", "10000000", "x", "1" * 40])
    if name in SUITED:
        suited = st.sampled_from(SUITED[name])
        return st.one_of(suited, suited, st.sampled_from(INPUTS))
    return st.sampled_from(INPUTS)


SPARK_OPTIONS = ("spark_master", "spark_remote")  # they choose the spark engine


@st.composite
def arguments(draw: st.DrawFn, command: click.Command) -> list[str]:
    argv: list[str] = []
    for param in command.params:
        if param.name in SPARK_OPTIONS:
            continue
        if isinstance(param, click.Option):
            if not draw(st.integers(0, 9) if param.required else st.booleans()):
                continue  # a required option left out now and then, others half the time
            if param.is_flag:
                argv.append(param.opts[0])
                continue
            for _ in range(draw(st.integers(1, 2)) if param.multiple else 1):
                argv += [draw(st.sampled_from(param.opts)), draw(value_for(param))]
        else:
            count = 1 if param.nargs == 1 else draw(st.integers(0, 3))
            if param.nargs == 1 and draw(st.integers(0, 9)) == 0:
                count = 0  # now and then a missing argument
            argv += [draw(value_for(param)) for _ in range(count)]
    if draw(st.integers(0, 19)) == 0:
        argv.insert(draw(st.integers(0, len(argv))), draw(st.sampled_from(
            ["--nope", "-x", "--", "--help", "extra"])))
    return argv


def commands(group: click.Command = ladle, path: tuple[str, ...] = ()) -> Iterator[
        tuple[tuple[str, ...], click.Command]]:
    if isinstance(group, click.Group):
        context = click.Context(group)
        for name in sorted(group.list_commands(context)):
            command = group.get_command(context, name)
            assert command is not None, name
            yield from commands(command, (*path, name))
    else:
        yield path, group


# `demo` does the most work of any command: drawn less often.
COMMANDS = [c for c in commands() for _ in range(1 if c[0] == ("demo",) else 8)]


@st.composite
def invocations(draw: st.DrawFn) -> tuple[list[str], bytes]:
    path, command = draw(st.sampled_from(COMMANDS))
    return [*path, *draw(arguments(command))], draw(st.sampled_from(STDIN))


# -- the property -------------------------------------------------------------------------

REASON = re.compile(r"^(\S[^\n]*?)(:\d+:\d+)?: error: \S")


@pytest.fixture(scope="module", autouse=True)
def serving_stops_at_once() -> Iterator[None]:
    """``ladle layout serve`` checks its arguments, then serves on a loopback socket that
    closes at once (a drawn --host is never looked up, a drawn --port never bound)."""

    def loopback(host: str, port: int) -> socket.socket:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        return sock

    def run_once(playground: object, sock: socket.socket, host: str, **options: object) -> None:
        sock.close()

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(serve_command, "listen", loopback)
        patch.setattr(server, "run", run_once)
        yield


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("fuzz")
    for name, text in TEXT.items():
        (folder / name).write_text(text, encoding="utf-8")
    for name, data in ODD.items():
        (folder / name).write_bytes(data)
    (folder / "folder").mkdir()
    (folder / "examples").symlink_to(EXAMPLES)
    return folder


def invoke(argv: list[str], stdin: bytes) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        previous = sys.stdin
        sys.stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
        try:
            code = cli.main(argv)
        finally:
            sys.stdin = previous
    return code, out.getvalue(), err.getvalue()


@settings(max_examples=2000, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(invocations())
def test_no_command_line_makes_ladle_crash(workspace: Path, case: tuple[list[str], bytes]
                                           ) -> None:
    argv, stdin = case
    here = os.getcwd()
    os.chdir(workspace)
    out_dir = workspace / "out"
    shutil.rmtree(out_dir, ignore_errors=True)
    out_dir.mkdir()
    (out_dir / "existing.txt").write_text("old")
    try:
        code, out, err = invoke(argv, stdin)
    finally:
        os.chdir(here)
    shown = f"ladle {' '.join(map(repr, argv))} <<< {stdin!r}\nstdout: {out[-500:]}\n" \
            f"stderr: {err[-1500:]}"
    assert code in (0, 1, 2), shown
    assert "Traceback" not in err + out, shown
    if code == 2 and "--help" not in argv:
        reasons = [line for line in (err + out).splitlines() if REASON.match(line)]
        assert reasons, shown
