"""``ladle rules match RULES --stream`` (rules/stream.py): one JSON line per record, as
records arrive, in constant memory."""

from __future__ import annotations

import doctest
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ladle import cli, rules
from ladle.rules import stream as stream_module
from ladle.rules.stream import stream
from tests.adversarial.capped import expect_output

ROOT = Path(__file__).resolve().parents[2]
PLACEMENT = ROOT / "examples" / "placement.rules"
RULESET = rules.parse(PLACEMENT)

MIXED = (
    b'\xef\xbb\xbf{"tag": "lossless", "id": 93}\n'  # a byte order mark on the first line
    b"\n"
    b'{"tag": "lossless", "id": "x"}\r\n'
    b"not json\n"
    b"[1]\n"
    b'{"id": 123456789012345678901234567890, "public": true, "size": null}\n'
    b'{"public": true}\n'
    b'{"id": "\\u00e9", "tag": "lossy"}\n'
    b'{"id": 5, "public": true, "x": 1.5}'  # no newline at the end
)
ERROR = "cannot apply '%' to string and int"


def lines_of(output: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in output.decode("ascii").splitlines()]


def run_stream(data: bytes, **options: Any) -> tuple[int, list[dict[str, Any]]]:
    out = io.BytesIO()
    count = stream(RULESET, io.BufferedReader(io.BytesIO(data)), out, **options)
    return count, lines_of(out.getvalue())


def test_one_line_per_record_with_errors_inline() -> None:
    count, lines = run_stream(MIXED)
    assert count == 9
    assert lines == [
        {"line": 1, "id": 93, "claimed": ["linda"]},
        {"line": 3, "id": "x", "claimed": [],
         "errors": {"morbo": ERROR, "linda": ERROR, "calculon": ERROR}},
        {"line": 4, "error": "not JSON: invalid literal, expected 'null' (column 1)"},
        {"line": 5, "error": "not a JSON object (a list)"},
        {"line": 6, "id": 123456789012345678901234567890, "claimed": ["devil", "santa"]},
        {"line": 7, "id": None, "claimed": ["devil", "santa"]},
        {"line": 8, "id": "\u00e9", "claimed": []},
        {"line": 9, "id": 5, "claimed": ["devil", "santa"]},
    ]


def test_the_stream_agrees_with_match() -> None:
    records = [{"tag": tag, "id": n * 7919, "public": n % 3 == 0}
               for n in range(300) for tag in ("lossless", "lossy")]
    data = b"".join(json.dumps(r).encode() + b"\n" for r in records)
    _, lines = run_stream(data)
    assert [line["claimed"] for line in lines] == [RULESET.match(r) for r in records]


def test_only_one_rule() -> None:
    _, lines = run_stream(MIXED, only="linda")
    assert lines[:3] == [{"line": 1, "id": 93, "claims": True},
                         {"line": 3, "id": "x", "claims": False, "error": ERROR},
                         {"line": 4, "error": "not JSON: invalid literal, expected 'null' "
                                              "(column 1)"}]
    assert lines[4] == {"line": 6, "id": 123456789012345678901234567890, "claims": False}
    with pytest.raises(KeyError):
        run_stream(MIXED, only="nobody")


def test_small_reads_and_an_overlong_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """Lines split across reads are joined; a line past the limit is reported once and
    skipped, and the stream goes on."""
    monkeypatch.setattr(stream_module, "CHUNK_BYTES", 7)
    monkeypatch.setattr(stream_module, "MAX_LINE_BYTES", 40)
    data = (b'{"public": true, "id": 1}\n{"id": 2, "path": "' + b"a" * 100 + b'"}\n'
            b'{"public": true, "id": 3}\n')
    count, lines = run_stream(data)
    assert count == 3
    assert lines == [{"line": 1, "id": 1, "claimed": ["devil", "santa"]},
                     {"line": 2, "error": "line longer than 40 bytes"},
                     {"line": 3, "id": 3, "claimed": ["devil", "santa"]}]


def test_the_command(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(MIXED)))
    assert cli.main(["rules", "match", str(PLACEMENT), "--stream", "--only", "devil"]) == 0
    out = capsys.readouterr().out
    assert json.loads(out.splitlines()[-1]) == {"line": 9, "id": 5, "claims": True}


@pytest.mark.parametrize(("argv", "message"), [
    (["--stream", "--only", "nobody"], "--only: error: no rule named 'nobody' (the rules: "
                                       "morbo, linda, calculon, devil, santa)"),
    (["--only", "linda"], "--only: error: --only goes with --stream"),
    (["--stream", "--record", "{}"], "--stream: error: --stream reads the records on "
                                     "standard input: give the rules as a file, and no "
                                     "--record or --explain"),
])
def test_usage_errors(argv: list[str], message: str,
                      capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["rules", "match", str(PLACEMENT), *argv]) == 2
    assert capsys.readouterr().err.strip() == message
    assert cli.main(["rules", "match", "-", "--stream"]) == 2
    assert "give the rules as a file" in capsys.readouterr().err


def test_each_record_is_answered_before_the_next_arrives() -> None:
    """A live stream: the answer to a line comes while the writer still holds the pipe."""
    with subprocess.Popen([sys.executable, "-m", "ladle.cli", "rules", "match",
                           str(PLACEMENT), "--stream"], stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE, cwd=ROOT) as child:
        assert child.stdin is not None and child.stdout is not None
        try:
            for number, record in enumerate(('{"public": true, "id": 1}', '{"id": 2}'), 1):
                child.stdin.write(record.encode() + b"\n")
                child.stdin.flush()
                answer = json.loads(child.stdout.readline())
                assert (answer["line"], answer["id"]) == (number, number)
        finally:
            child.stdin.close()
            child.wait(timeout=30)
    assert child.returncode == 0


# Memory: the child feeds `stream` generated lines (never all at once) and prints its
# peak resident size; a longer stream must not need more memory.
_PEAK = """
import io, resource
from ladle import rules
from ladle.rules.stream import stream

class Lines(io.RawIOBase):
    def __init__(self, count):
        self.count, self.done = count, 0
    def readable(self):
        return True
    def readinto(self, buffer):
        if self.done >= self.count:
            return 0
        step = min(500, self.count - self.done)
        chunk = b"".join(b'{"id": %d, "tag": "lossless", "public": %s, "path": "a/%d.flac"}\\n'
                         % (n * 7919, b"true" if n % 3 else b"false", n)
                         for n in range(self.done, self.done + step))
        self.done += step
        buffer[:len(chunk)] = chunk
        return len(chunk)

class Sink(io.RawIOBase):
    def writable(self):
        return True
    def write(self, data):
        return len(data)

count = stream(rules.parse(RULES), io.BufferedReader(Lines(COUNT), 1 << 17), Sink())
assert count == COUNT, count
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def test_memory_does_not_grow_with_the_stream() -> None:
    def peak(n: int) -> int:
        code = _PEAK.replace("RULES", repr(str(PLACEMENT))).replace("COUNT", str(n))
        return int(expect_output(code, seconds=120))

    small, large = peak(100_000), peak(800_000)
    assert large - small < 8_000, f"peak {small} kB at 100k lines, {large} kB at 800k"


def test_the_command_on_text_streams(monkeypatch: pytest.MonkeyPatch) -> None:
    """Standard streams without bytes underneath (an embedding host's) work too."""
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdin", io.StringIO('{"public": true, "id": "\u00e9"}\n'))
    monkeypatch.setattr(sys, "stdout", out)
    assert cli.main(["rules", "match", str(PLACEMENT), "--stream"]) == 0
    assert out.getvalue() == '{"line": 1, "id": "\\u00e9", "claimed": ["devil", "santa"]}\n'


def test_the_explain_docstring_example() -> None:
    from ladle.rules import ruleset

    finder = doctest.DocTestFinder()
    [test] = [t for t in finder.find(ruleset.RuleSet.explain, "explain", globs=vars(ruleset))
              if t.examples]
    runner = doctest.DocTestRunner()
    runner.run(test)
    assert runner.failures == 0
