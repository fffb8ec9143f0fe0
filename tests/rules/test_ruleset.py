"""Rule files: syntax, comments, continuation lines, errors with positions, matching."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from ladle import rules

EXAMPLE = """\
# lossless audio is split between the three transcoders; web machines take public files
morbo:    tag == 'lossless' && (id % 100) >=  0 && (id % 100) <= 47
linda:    tag == 'lossless' && (id % 100) >= 48 && (id % 100) <= 96
calculon: tag == 'lossless' && (id % 100) >= 97
          && (id % 100) <= 99   # a continuation line, with a comment
devil:    public == true

santa:    public == true
"""


def test_names_in_file_order() -> None:
    assert rules.parse(EXAMPLE).names == ["morbo", "linda", "calculon", "devil", "santa"]


@pytest.mark.parametrize(("record", "claimed"), [
    ({"tag": "lossless", "id": 8214420917724407047, "public": False}, ["morbo"]),
    ({"tag": "lossless", "id": 2**64 - 1}, ["morbo"]),  # ...615 % 100 is 15
    ({"tag": "lossless", "id": 1299, "public": True}, ["calculon", "devil", "santa"]),
    ({"tag": "lossless", "id": -7}, ["linda"]),  # -7 % 100 is 93
    ({"tag": "lossy", "id": 5}, []),
    ({"tag": "lossless"}, ["morbo"]),  # a missing id counts as 0
    ({"tag": "lossless", "id": "x", "public": True}, ["devil", "santa"]),
])
def test_match(record: dict[str, object], claimed: list[str]) -> None:
    assert rules.parse(EXAMPLE).match(record) == claimed


def test_a_rule_that_fails_does_not_claim_and_says_why() -> None:
    results = rules.parse(EXAMPLE).evaluate({"tag": "lossless", "id": "x"})
    assert results[0] == (False, "cannot apply '%' to string and int")
    assert results[3] == (False, None)


def test_hash_inside_a_string_is_not_a_comment() -> None:
    ruleset = rules.parse("tagged: tag == '#1' # the first\n")
    assert ruleset.match({"tag": "#1"}) == ["tagged"]


def test_file_path(tmp_path: Path) -> None:
    path = tmp_path / "placement.rules"
    path.write_text(EXAMPLE)
    assert rules.parse(path).names == rules.parse(str(path)).names


@pytest.mark.parametrize(("text", "line", "column", "message"), [
    ("morbo: tag ==\n", 1, 14, "expected an expression after '=='"),
    ("a: 1\nmorbo: tag == 'x' &&\n   \n", 2, 21, "expected an expression after '&&'"),
    ("a: x\n  && (y +)\n", 2, 10, "expected an expression after '+'"),
    ("a: 1\na: 2\n", 2, 1, "rule 'a' is defined twice (first on line 1)"),
    ("a:   # nothing\n", 1, 3, "rule 'a' has no expression"),
    ("no colon\n", 1, 3, "expected ':' after the rule name 'no'"),
    ("  x: 1\n", 1, 3, "a continuation line before any rule"),
    ("# only a comment\n", 1, 1, "no rules"),
    ("1a: x\n", 1, 1, "expected a rule name"),
    ("café: x\n", 1, 4, "'é' cannot be in a rule name (ASCII letters, digits, "),
    ("name\n", 1, 5, "expected ':' after the rule name 'name'"),
    ("a.b: x\n", 1, 2, "'.' cannot be in a rule name"),
    ("ü: x\n", 1, 1, "'ü' cannot be in a rule name"),
])
def test_errors_have_line_and_column(text: str, line: int, column: int, message: str) -> None:
    with pytest.raises(rules.RuleError) as caught:
        rules.parse(text)
    error = caught.value
    assert (error.line, error.column) == (line, column)
    assert message in error.message
    assert str(error).startswith(f"<rules>:{line}:{column}: ")


def test_misspelled_name_with_known_names(tmp_path: Path) -> None:
    path = tmp_path / "r.rules"
    path.write_text("ok: tag == 'a'\nbad: tg == 'lossless'\n")
    with pytest.raises(rules.RuleError) as caught:
        rules.parse(path, names={"tag", "id", "public"})
    assert str(caught.value) == f"{path}:2:6: unknown variable 'tg' (did you mean 'tag'?)"
    assert caught.value.excerpt() == "bad: tg == 'lossless'\n     ^"


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(rules.RuleError, match="No such file"):
        rules.parse(tmp_path / "missing.rules")
    binary = tmp_path / "binary.rules"
    binary.write_bytes(b"a: \xff\n")
    with pytest.raises(rules.RuleError, match="not UTF-8"):
        rules.parse(binary)


def test_shared_between_threads() -> None:
    ruleset = rules.parse(EXAMPLE)
    records = [{"tag": "lossless" if i % 3 else "lossy", "id": i * 7919 - 5000,
                "public": i % 2 == 0} for i in range(2000)]
    expected = [ruleset.match(r) for r in records]
    results: dict[int, list[list[str]]] = {}

    def work(worker: int) -> None:
        results[worker] = [ruleset.match(r) for r in records]

    threads = [threading.Thread(target=work, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(result == expected for result in results.values())


@pytest.mark.parametrize("separator", ["\f", "\v", "\u2028", "\x85", "\x1c"])
def test_lines_end_at_newlines_only(separator: str) -> None:
    # Positions count "\n": another line separator is a character within its line, so
    # the error is where the text says it is (once, `b` started a rule of its own).
    with pytest.raises(rules.RuleError) as caught:
        rules.parse(f"a: 1{separator}b: 2\nc: x ==\n")
    assert (caught.value.message, caught.value.line, caught.value.column) == \
        ("unexpected 'b' after a complete expression", 1, 6)
