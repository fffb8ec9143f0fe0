"""Reading layout documents with positions (player/source.py; design/layouts.md "Checks").

Tables of values, positions and errors; the limits; and hypothesis properties: random
documents read back equal with every position pointing at its value, arbitrary text and
bytes raise nothing but SourceError, and mutated documents are accepted exactly when
Python's json module accepts them (under the rules this reader adds).
"""

from __future__ import annotations

import doctest
import functools
import json
import math
import os
import pickle
import re
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ladle.player import source as player_source
from ladle.player.source import Document, SourceError, load
from tests.adversarial.capped import assert_grows_linearly

# -- helpers ----------------------------------------------------------------------------


def offset_of(text: str, line: int, column: int) -> int:
    """The offset of a 1-based (line, column), lines ending at \\n, \\r\\n or \\r."""
    return _line_starts(text)[line - 1] + column - 1


@functools.lru_cache(maxsize=8)
def _line_starts(text: str) -> list[int]:
    return [0] + [match.end() for match in re.finditer(r"\r\n?|\n", text)]


def pointers(value: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """Every (pointer, value) in a JSON value, the value itself first."""
    found = [(prefix, value)]
    if isinstance(value, dict):
        for key, item in value.items():
            escaped = key.replace("~", "~0").replace("/", "~1")
            found += pointers(item, f"{prefix}/{escaped}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += pointers(item, f"{prefix}/{index}")
    return found


def same(a: Any, b: Any) -> bool:
    """Equal and of the same types all the way down (1 == 1.0 == True is not enough)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[key], b[key]) for key in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def error_of(source: Any, **limits: int) -> SourceError:
    with pytest.raises(SourceError) as caught:
        load(source, **limits)
    return caught.value


def test_docstring_examples() -> None:
    result = doctest.testmod(player_source)
    assert result.attempted >= 5
    assert result.failed == 0


# -- values -----------------------------------------------------------------------------

VALUES: list[tuple[str, dict[str, Any]]] = [
    ("{}", {}),
    (" \t\r\n{ }\n", {}),
    ('{"a": 1, "b": -0, "c": 123456789012345678901}', {"a": 1, "b": 0, "c": 123456789012345678901}),
    ('{"a": 1.0, "b": 1e2, "c": -2.5E-3, "d": 0.1}', {"a": 1.0, "b": 1e2, "c": -0.0025, "d": 0.1}),
    ('{"t": true, "f": false, "n": null}', {"t": True, "f": False, "n": None}),
    ('{"z": 1, "a": 2, "m": 3}', {"z": 1, "a": 2, "m": 3}),
    ('{"a": {"b": {"c": [1, [2, {"d": []}]]}}}', {"a": {"b": {"c": [1, [2, {"d": []}]]}}}),
    (r'{"s": "a\"b\\c\/d\b\f\n\r\t"}', {"s": 'a"b\\c/d\b\f\n\r\t'}),
    (r'{"s": "\u00e9\u00E9 \ud83d\ude00 \u0000"}', {"s": "éé 😀 \x00"}),
    ('{"s": "é 😀 日本"}', {"s": "é 😀 日本"}),
    ('{"": "", "~/": "x"}', {"": "", "~/": "x"}),
    ('{"a": [ ], "b": { }, "c": [1 , 2 ]}', {"a": [], "b": {}, "c": [1, 2]}),
    ('{"n": ' + "9" * 100 + "}", {"n": int("9" * 100)}),
]


@pytest.mark.parametrize(("text", "expected"), VALUES)
def test_values(text: str, expected: dict[str, Any]) -> None:
    document = load(text)
    assert same(document.value, expected)
    assert same(document.value, json.loads(text))
    assert document.text == text
    assert document.name == "<string>"


def test_key_order_is_file_order() -> None:
    assert list(load('{"b": 1, "a": 2, "c": 3}').value) == ["b", "a", "c"]


# -- positions --------------------------------------------------------------------------

LAYOUT = """{
  "w": 350, "h": 150,
  "vars": { "pad": 4 },
  "play": { "x": "art.w + pad", "y": 0,
            "album": { "x": "art.w + pad + 20" } },
  "list": [10, [20, {"deep": true}]],
  "a/b": 1, "m~n": 2
}
"""

POSITIONS: list[tuple[str, str, tuple[int, int], tuple[int, int] | None]] = [
    # (text, pointer, value position, key position)
    (LAYOUT, "", (1, 1), None),
    (LAYOUT, "/w", (2, 8), (2, 3)),
    (LAYOUT, "/h", (2, 18), (2, 13)),
    (LAYOUT, "/vars", (3, 11), (3, 3)),
    (LAYOUT, "/vars/pad", (3, 20), (3, 13)),
    (LAYOUT, "/play/x", (4, 18), (4, 13)),
    (LAYOUT, "/play/album", (5, 22), (5, 13)),
    (LAYOUT, "/play/album/x", (5, 29), (5, 24)),
    (LAYOUT, "/list/0", (6, 12), None),
    (LAYOUT, "/list/1", (6, 16), None),
    (LAYOUT, "/list/1/1/deep", (6, 30), (6, 22)),
    (LAYOUT, "/a~1b", (7, 10), (7, 3)),
    (LAYOUT, "/m~0n", (7, 20), (7, 13)),
    ('{"a": [{"b": 1}, 2]}', "/a/1", (1, 18), None),
    ('{"a": [{"b": 1}, 2]}', "/a/0/b", (1, 14), (1, 9)),
    # CRLF counts as one line break, a lone CR as one too; a tab is one column.
    ('{\r\n  "a":\r\n\t1}', "/a", (3, 2), (2, 3)),
    ('{\r"a":\r\r 1}', "/a", (4, 2), (2, 1)),
    ('{\t"a":\t"x",\n\t\t"b": [\t2]}', "/b/0", (2, 10), None),
    # Columns count characters, escapes as their text: a non-BMP character is one.
    ('{"😀é": "😀", "b": 1}', "/b", (1, 18), (1, 13)),
    ('{"\\u00e9": "\\ud83d\\ude00", "b": 1}', "/b", (1, 33), (1, 28)),
    ('{"\\u00e9": 1}', "/é", (1, 12), (1, 2)),
]


@pytest.mark.parametrize(("text", "pointer", "value_at", "key_at"), POSITIONS)
def test_positions(
    text: str, pointer: str, value_at: tuple[int, int], key_at: tuple[int, int] | None
) -> None:
    document = load(text)
    assert document.position(pointer) == value_at
    assert document.key_position(pointer) == key_at
    # Independently of the table: the text at each position decodes to the value and key.
    decoder = json.JSONDecoder()
    expected = dict(pointers(document.value))[pointer]
    assert same(decoder.raw_decode(text, offset_of(text, *value_at))[0], expected)
    if key_at is not None:
        key = decoder.raw_decode(text, offset_of(text, *key_at))[0]
        assert key.replace("~", "~0").replace("/", "~1") == pointer.rsplit("/", 1)[1]


@pytest.mark.parametrize(
    "pointer",
    [
        "/nope",
        "/w/x",
        "/list/2",
        "/list/01",
        "/list/-",
        "/list/x",
        "/play/album/y",
        "/list/" + "9" * 30,
        "/vars/pad/0",
    ],
)
def test_absent_pointers_have_no_position(pointer: str) -> None:
    document = load(LAYOUT)
    assert document.position(pointer) is None
    assert document.key_position(pointer) is None
    assert document.expression_position(pointer, 0) is None


@pytest.mark.parametrize("pointer", ["w", "/a~2", "/a~", "#/w"])
def test_malformed_pointers_are_a_programming_error(pointer: str) -> None:
    with pytest.raises(ValueError, match="not a JSON pointer"):
        load(LAYOUT).position(pointer)


def test_a_byte_order_mark_is_not_a_column(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b'\xef\xbb\xbf{"a": 1}')
    document = load(path)
    assert document.value == {"a": 1}
    assert document.position("/a") == (1, 7)


# -- sources ----------------------------------------------------------------------------


def test_a_path_as_str_or_path(tmp_path: Path) -> None:
    path = tmp_path / "layout.json"
    path.write_text(LAYOUT, encoding="utf-8")
    for source in (path, str(path)):
        document = load(source)
        assert document.value["vars"] == {"pad": 4}
        assert document.name == str(path)
        assert document.text == LAYOUT
        assert document.position("/vars/pad") == (3, 20)


def test_text_starting_after_whitespace_is_json_not_a_path() -> None:
    document = load('\n\n   {"a": 1}')
    assert document.name == "<string>"
    assert document.position("/a") == (3, 10)


def test_bytes_are_json() -> None:
    document = load(b'{"a": "\xc3\xa9"}')
    assert document.value == {"a": "é"}
    assert document.name == "<bytes>"


def test_a_dict_has_no_positions() -> None:
    value = {"play": {"x": "1 + 2"}}
    document = load(value)
    assert document.value is value
    assert (document.text, document.name) == (None, "<dict>")
    assert document.position("/play/x") is None
    assert document.key_position("/play/x") is None
    assert document.expression_position("/play/x", 2) is None


def test_other_sources_are_a_type_error() -> None:
    with pytest.raises(TypeError, match="not int"):
        load(3)  # type: ignore[arg-type]


def test_a_document_is_frozen() -> None:
    document = load("{}")
    assert isinstance(document, Document)
    with pytest.raises(AttributeError):
        document.name = "x"  # type: ignore[misc]


# -- errors -----------------------------------------------------------------------------

WORDS = "(JSON's words are true, false and null)"
NEWLINE = "(write \\n for a line break)"
ERRORS: list[tuple[str, str, int, int]] = [
    # (text, message, line, column)
    ("", "expected an object, but the layout is empty", 1, 1),
    (" \n ", "expected an object, but the layout is empty", 2, 2),
    ("[1]", "the top level must be an object, not an array", 1, 1),
    ('  "a"', "the top level must be an object, not a string", 1, 3),
    ("\n-1", "the top level must be an object, not a number", 2, 1),
    ("true", "the top level must be an object, not a boolean", 1, 1),
    ("null", "the top level must be an object, not null", 1, 1),
    ("x", "expected '{' to start the top-level object, not 'x' " + WORDS, 1, 1),
    ("{", "expected a member name in double quotes, but the layout ends", 1, 2),
    ('{"a": 1', "expected ',' or '}' after an object member", 1, 8),
    ('{"a": 1 "b": 2}', "expected ',' or '}' after an object member", 1, 9),
    ('{"a": [1 2]}', "expected ',' or ']' after an array item", 1, 10),
    ('{"a": [1}', "expected ',' or ']' after an array item", 1, 9),
    ('{"a": 1,}', "expected a member name after ',' (JSON has no trailing commas)", 1, 9),
    ('{"a": [1,]}', "expected a value after ',' (JSON has no trailing commas)", 1, 10),
    ('{"a" 1}', "expected ':' after the member name", 1, 6),
    ('{"a":}', "expected a value, not '}'", 1, 6),
    ('{"a": }', "expected a value, not '}'", 1, 7),
    ('{"a":', "expected a value, but the layout ends", 1, 6),
    ("{'a': 1}", "expected a member name in double quotes (JSON strings take double quotes)", 1, 2),
    ("{a: 1}", "expected a member name in double quotes, not 'a' " + WORDS, 1, 2),
    ("{\"a\": 'x'}", "expected a value (JSON strings take double quotes)", 1, 7),
    ('{"a": 1} // c', "unexpected text after the top-level object", 1, 10),
    ('{"a": /* c */ 1}', "expected a value (JSON has no comments)", 1, 7),
    ('{"a": True}', "expected a value, not 'True' " + WORDS, 1, 7),
    ('{"a": tru}', "expected a value, not 'tru' " + WORDS, 1, 7),
    ('{"a": \x01}', "expected a value, not U+0001", 1, 7),
    ('{"a": NaN}', "NaN is not JSON (numbers must be finite)", 1, 7),
    ('{"a": Infinity}', "Infinity is not JSON (numbers must be finite)", 1, 7),
    ('{"a": -Infinity}', "-Infinity is not JSON (numbers must be finite)", 1, 7),
    ('{"a": 1e999}', "number too large (it would be infinite)", 1, 7),
    ('{"a": -}', "expected a digit after '-'", 1, 8),
    ('{"a": 01}', "numbers cannot have leading zeros", 1, 7),
    ('{"a": -00.5}', "numbers cannot have leading zeros", 1, 7),
    ('{"a": 1.}', "expected a digit after '.'", 1, 9),
    ('{"a": .5}', "expected a value, not '.'", 1, 7),
    ('{"a": 1e}', "expected a digit in the exponent", 1, 9),
    ('{"a": 1E+}', "expected a digit in the exponent", 1, 10),
    ('{"a": +1}', "expected a value, not '+'", 1, 7),
    ('{"a": "x}', "unterminated string", 1, 7),
    ('{"a": "x\\', "unterminated string", 1, 7),
    ('{"a": "x\ny"}', "invalid control character U+000A in a string " + NEWLINE, 1, 9),
    ('{"a": "x\ty"}', "invalid control character U+0009 in a string", 1, 9),
    ('{"a": "\\x"}', "invalid escape '\\x' in a string", 1, 8),
    ('{"a": "\\u12"}', "expected four hexadecimal digits after '\\u'", 1, 8),
    ('{"a": "\\u\u0661\u0662\u0663\u0664"}', "expected four hexadecimal digits after '\\u'", 1, 8),
    ('{"a": "\\ud83d"}', "invalid escape '\\ud83d' (a lone surrogate)", 1, 8),
    ('{"a": "\\ude00\\ud83d"}', "invalid escape '\\ude00' (a lone surrogate)", 1, 8),
    ('{"a": "\\ud83d\\u0041"}', "invalid escape '\\ud83d' (a lone surrogate)", 1, 8),
    ('{"a": "\\ud83d\\uzzzz"}', "expected four hexadecimal digits after '\\u'", 1, 14),
    ('{"a": "x\ud83dy"}', "invalid character U+D83D (a lone surrogate)", 1, 9),
    ('{"a": 1,\r\n "b": 2,\r\n "a": 3}', 'duplicate key "a" (first at line 1, column 2)', 3, 2),
    ('{"a": {"x": 1, "x": 2}}', 'duplicate key "x" (first at line 1, column 8)', 1, 16),
    ('{"\\u0061": 1, "a": 2}', 'duplicate key "a" (first at line 1, column 2)', 1, 15),
    ('{\n\t"a": [1,\n\t\t2 3]}', "expected ',' or ']' after an array item", 3, 5),
]


@pytest.mark.parametrize(("text", "message", "line", "column"), ERRORS)
def test_errors(text: str, message: str, line: int, column: int) -> None:
    # A str is JSON text only when it starts with '{'; bytes always are.
    sources: list[str | bytes] = [text] if text.lstrip().startswith("{") else []
    if not re.search("[\ud800-\udfff]", text):
        sources.append(text.encode("utf-8"))
    for source in sources:
        error = error_of(source)
        assert (error.message, error.line, error.column) == (message, line, column)
        assert str(error) == f"{message} (line {line}, column {column})"


def test_every_error_is_also_refused_by_json_or_an_added_rule() -> None:
    """Each case of ERRORS that json accepts breaks one of the rules this reader adds."""
    added = ("top level", "duplicate key", "lone surrogate", "too large", "not JSON")
    for text, message, _, _ in ERRORS:
        try:
            json.loads(text)
        except ValueError:
            continue
        assert any(rule in message for rule in added), text


def test_a_duplicate_key_is_cut_short_in_the_message() -> None:
    key = "k" * 100_000
    error = error_of(f'{{"{key}": 1, "{key}": 2}}')
    assert error.message == f'duplicate key "{"k" * 60}..." (first at line 1, column 2)'
    assert (error.line, error.column) == (1, 100_009)


def test_duplicate_keys_in_different_objects_are_fine() -> None:
    assert load('{"a": {"x": 1}, "b": {"x": 2}, "x": [{"x": 3}, {"x": 4}]}').value["x"] == [
        {"x": 3},
        {"x": 4},
    ]


def test_source_error_attributes_without_a_position() -> None:
    error = SourceError("cannot read 'x': no such file or directory")
    assert (error.line, error.column) == (None, None)
    assert str(error) == "cannot read 'x': no such file or directory"


def test_source_errors_pickle() -> None:
    error = error_of('{"a": 1,}')
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.message, copy.line, copy.column) == (error.message, 1, 9)


def test_a_missing_file(tmp_path: Path) -> None:
    error = error_of(tmp_path / "missing.json")
    assert error.message.startswith("cannot read '")
    assert error.message.endswith("missing.json': no such file or directory")
    assert (error.line, error.column) == (None, None)


def test_text_that_is_not_an_object_reads_as_a_path_and_says_so() -> None:
    error = error_of('[{"a": 1}]')
    assert error.message == (
        "cannot read '[{\"a\": 1}]': no such file or directory (JSON text must start with '{')"
    )


@pytest.mark.parametrize("path", ["", "a\x00b", "x" * 5000, "\ud800"])
def test_impossible_paths(path: str) -> None:
    assert error_of(path).message.startswith("cannot read")


def test_a_directory(tmp_path: Path) -> None:
    assert error_of(tmp_path).message.endswith(": not a regular file")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    assert error_of(fifo).message.endswith(": not a regular file")


def test_an_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests may run as root, who reads anything: make opening fail as it would for others.
    path = tmp_path / "secret.json"
    path.write_text("{}")

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr("builtins.open", refuse)
    assert error_of(path).message.endswith("secret.json': permission denied")


@pytest.mark.parametrize(
    ("data", "line", "column"),
    [
        (b"\xff{}", 1, 1),
        (b'{"a":\n  "\xc3\xa9\xe9"}', 2, 5),
        (b'{"a": "\xed\xa0\x80"}', 1, 8),  # an encoded surrogate is not UTF-8 either
        (b"\xef\xbb\xbf{\xff}", 1, 2),
        (b"\xff\xfe{\x00}\x00", 1, 1),  # UTF-16
    ],
)
def test_not_utf8(tmp_path: Path, data: bytes, line: int, column: int) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(data)
    for source in (path, data):
        error = error_of(source)
        assert error.message.startswith("not UTF-8: invalid byte 0x")
        assert (error.line, error.column) == (line, column)


# -- limits -----------------------------------------------------------------------------


def test_a_10mb_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    with path.open("wb") as file:
        file.write(b'{"a": "')
        file.write(b"x" * 10_000_000)
        file.write(b'"}')
    started = time.perf_counter()
    error = error_of(path)
    elapsed = time.perf_counter() - started
    assert elapsed < 1.0
    assert error.message == f"'{path}' is 10000009 bytes, larger than the limit of 1000000"
    assert error.line is None


def test_the_size_limit_is_in_bytes_for_every_kind_of_source(tmp_path: Path) -> None:
    text = '{"a": "' + "é" * 10 + '"}'  # 19 characters, 29 bytes
    path = tmp_path / "small.json"
    path.write_text(text, encoding="utf-8")
    for source in (text, text.encode(), path):
        assert load(source, max_bytes=29).value == {"a": "é" * 10}
        assert "larger than the limit of 28" in error_of(source, max_bytes=28).message


def test_a_5000_digit_number() -> None:
    for literal in ("1" * 5000, "-" + "1" * 5000, "0." + "1" * 5000, "1e" + "1" * 5000):
        error = error_of('{"a": ' + literal + "}")
        digits = 5001 if literal.startswith("0.") else 5000 + literal.startswith("1e")
        assert error.message == f"number with {digits} digits, more than the limit of 100"
        assert (error.line, error.column) == (1, 7)


def test_the_digit_limit_is_exact_and_configurable() -> None:
    assert load('{"a": ' + "7" * 100 + "}").value == {"a": int("7" * 100)}
    assert load('{"a": 1.5e10}', max_number_digits=4).value == {"a": 1.5e10}
    assert "5 digits" in error_of('{"a": 1.5e100}', max_number_digits=4).message
    # Beyond Python's own int conversion limit, still a SourceError.
    error = error_of('{"a": ' + "1" * 5000 + "}", max_number_digits=10_000)
    assert error.message == "number too long to convert"


def test_deep_nesting_is_refused_fast_without_recursion() -> None:
    text = '{"a": ' + "[" * 10_000
    started = time.perf_counter()
    error = error_of(text)
    elapsed = time.perf_counter() - started
    assert elapsed < 0.5
    assert error.message == "nesting deeper than the limit of 64 levels"
    assert (error.line, error.column) == (1, 7 + 63)  # the 65th container
    assert error_of(b"[" * 10_000).message == "the top level must be an object, not an array"


def test_the_depth_limit_is_exact_and_configurable() -> None:
    def nested(depth: int) -> str:
        return '{"a": ' * (depth - 1) + "{}" + "}" * (depth - 1)

    assert load(nested(64)).position("/a" * 63) == (1, 1 + 6 * 63)
    assert "64 levels" in error_of(nested(65)).message
    deep = nested(20_000)
    assert load(deep, max_depth=20_000).position("/a" * 19_999) == (1, 1 + 6 * 19_999)


def test_long_strings_and_many_keys_read_right() -> None:
    long_string = '{"s": "' + "a\\n" * 300_000 + '"}'
    many_keys = "{" + ", ".join(f'"k{i}": {i}' for i in range(60_000)) + "}"
    long_array = '{"a": [' + ", ".join(["1"] * 150_000) + "]}"
    for text in (long_string, many_keys, long_array):
        assert same(load(text).value, json.loads(text))
    assert load(many_keys).position("/k59999") == (1, len(many_keys) - 5)




@pytest.mark.parametrize(("make", "n"), [
    ("'{\"s\": \"' + 'a\\\\n' * n + '\"}'", 20_000),
    ("'{' + ', '.join(f'\"k{i}\": {i}' for i in range(n)) + '}'", 5_000),
    ("'{\"a\": [' + ', '.join(['1'] * n) + ']}'", 10_000),
], ids=["long string", "many keys", "long array"])
def test_long_strings_and_many_keys_take_linear_time(make: str, n: int) -> None:
    # Timed against itself at 8 times the size (the machine is shared): near-linear.
    assert_grows_linearly("from ladle.player.source import load", "load", make, n, make)


# -- expression_position ----------------------------------------------------------------

EXPRESSIONS: list[tuple[str, int, tuple[int, int]]] = [
    # (text of the value of "/x", offset into the decoded string, position)
    ('"art.w + pad"', 0, (1, 8)),
    ('"art.w + pad"', 6, (1, 14)),
    ('"art.w + pad"', 11, (1, 19)),  # the end: the closing quote
    ('"art.w + pad"', 500, (1, 19)),  # clamped
    ('"art.w + pad"', -3, (1, 8)),  # clamped
    (r'"a\nb"', 1, (1, 9)),
    (r'"a\nb"', 2, (1, 11)),
    (r'"\"x\" + y"', 3, (1, 13)),
    (r'"\\ + y"', 2, (1, 11)),
    (r'"\u00e9 + y"', 2, (1, 15)),
    (r'"\ud83d\ude00 + y"', 1, (1, 20)),  # a surrogate pair is one character
    (r'"\ud83d\ude00 + y"', 3, (1, 22)),
    ('"😀é + y"', 2, (1, 10)),
    (r'"\/\b\f\r\t!"', 5, (1, 18)),
    ("12", 3, (1, 7)),  # not a string: the value's own position
]


@pytest.mark.parametrize(("raw", "offset", "expected"), EXPRESSIONS)
def test_expression_position(raw: str, offset: int, expected: tuple[int, int]) -> None:
    text = '{"x": ' + raw + "}"
    document = load(text)
    assert document.expression_position("/x", offset) == expected
    decoded = document.value["x"]
    if isinstance(decoded, str) and 0 <= offset < len(decoded):
        # The raw text from that position decodes to the rest of the string.
        rest = json.loads('"' + text[offset_of(text, *expected) : text.rindex('"') + 1])
        assert rest == decoded[offset:]


def test_expression_position_across_lines() -> None:
    text = '{\r\n  "vars": {"pad": 4},\r\n\t"x":   "\\u00e9\\t\\u00e9 + oops"\r\n}'
    assert load(text).expression_position("/x", 4) == (3, 25)


# -- properties -------------------------------------------------------------------------

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**60), max_value=10**60)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
VALUES_STRATEGY = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)
DOCUMENTS = st.dictionaries(st.text(max_size=6), VALUES_STRATEGY, max_size=6)
INDENTS = st.sampled_from([None, 0, 1, 2, 4, "\t", " \t"])
JSONISH = st.text(alphabet="{}[]\":,.-+eE0123456789 \t\r\n\\/utrfalsnNI'éa😀\x00\x1f", max_size=60)


@settings(max_examples=500, deadline=None)
@given(
    value=DOCUMENTS,
    indent=INDENTS,
    ascii_only=st.booleans(),
    crlf=st.booleans(),
)
def test_random_documents_read_back_with_true_positions(
    value: dict[str, Any], indent: int | str | None, ascii_only: bool, crlf: bool
) -> None:
    text = json.dumps(value, indent=indent, ensure_ascii=ascii_only)
    if crlf:  # safe: json.dumps escapes every line break inside strings
        text = text.replace("\n", "\r\n")
    document = load(text)
    assert same(document.value, value)
    decoder = json.JSONDecoder()
    for pointer, expected in pointers(value):
        position = document.position(pointer)
        assert position is not None
        assert same(decoder.raw_decode(text, offset_of(text, *position))[0], expected)
        key_position = document.key_position(pointer)
        if pointer and key_position is not None:
            key = decoder.raw_decode(text, offset_of(text, *key_position))[0]
            assert key.replace("~", "~0").replace("/", "~1") == pointer.rsplit("/", 1)[1]
        if isinstance(expected, str):
            # The text from the expression position to the closing quote decodes to the rest.
            start = offset_of(text, *position)
            end = decoder.raw_decode(text, start)[1]
            for offset in {0, len(expected) // 2, len(expected)}:
                where = document.expression_position(pointer, offset)
                assert where is not None
                assert json.loads('"' + text[offset_of(text, *where) : end]) == expected[offset:]


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=80) | JSONISH)
def test_arbitrary_text_raises_only_source_errors(text: str) -> None:
    for source in (text, text.encode("utf-8", "surrogatepass"), "{" + text):
        try:
            document = load(source)
        except SourceError as error:
            assert error.message
            assert (error.line is None) == (error.column is None)
        else:
            assert isinstance(document.value, dict)


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=80), st.integers(0, 90), st.integers(0, 5), st.integers(0, 5))
def test_arbitrary_bytes_and_limits_raise_only_source_errors(
    data: bytes, max_bytes: int, max_depth: int, max_number_digits: int
) -> None:
    for limits in (
        {},
        {"max_bytes": max_bytes, "max_depth": max_depth, "max_number_digits": max_number_digits},
    ):
        try:
            load(data, **limits)
        except SourceError as error:
            assert error.message


def _json_verdict(text: str) -> Any:
    """What json.loads makes of a text under this reader's added rules, or None if refused."""

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [key for key, _ in pairs]
        if len(set(keys)) != len(keys):
            raise ValueError("duplicate")
        return dict(pairs)

    def refuse(name: str) -> Any:
        raise ValueError(name)

    try:
        value = json.loads(text, object_pairs_hook=no_duplicates, parse_constant=refuse)
    except (ValueError, RecursionError):
        return None
    if not isinstance(value, dict):
        return None
    for _, item in pointers(value):
        if isinstance(item, float) and math.isinf(item):
            return None
        texts = list(item) if isinstance(item, dict) else [item] if isinstance(item, str) else []
        if any(re.search("[\ud800-\udfff]", text) for text in texts):
            return None
    return value


@settings(max_examples=500, deadline=None)
@given(DOCUMENTS, INDENTS, st.data())
def test_mutated_documents_are_refused_exactly_when_json_refuses_them(
    value: dict[str, Any], indent: int | str | None, data: st.DataObject
) -> None:
    text = json.dumps(value, indent=indent)
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(1, len(text)))  # keep the '{': the top level is tested above
        cut = data.draw(st.integers(0, 2))
        insert = data.draw(JSONISH.map(lambda s: s[:3]))
        text = text[:at] + insert + text[at + cut :]
    expected = _json_verdict(text)
    try:
        got = load(text.encode("utf-8", "surrogatepass")).value
    except SourceError:
        got = None
    assert same(got, expected), text
