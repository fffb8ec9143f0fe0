"""Inputs: JSON data files (``-`` is stdin) and ``--set key=value`` pairs."""

from __future__ import annotations

import json
import math
import os
import re
import sys
from typing import Any

from ladle.cli.diagnostics import UserError
from ladle.grammar.errors import undecodable

MAX_INPUT_BYTES = 256 * 1024 * 1024
# Digits an integer in JSON input may have (as in layouts): far past any id or count.
MAX_INTEGER_DIGITS = 100
_BOM = "\ufeff"


# The name standard input goes by in messages (`-` as a file argument).
STDIN_NAME = "<stdin>"


def one_standard_input(*inputs: tuple[str, str | os.PathLike[str] | None]) -> None:
    """Refuse ``-`` for two inputs of one run, as (label, value) pairs: standard input is
    read once, and the second would be empty (a silently empty template, say)."""
    readers = [label for label, value in inputs
               if value is not None and os.fspath(value) == "-"]
    if len(readers) > 1:
        raise UserError(readers[1], f"standard input can be read once, and {readers[0]} "
                                    "reads it: give this one as a file")


def read_stdin(where: str = STDIN_NAME) -> str:
    """Standard input as UTF-8 text: invalid bytes are an error here, not surrogate
    escapes that fail later; a closed standard input is an error too."""
    stream = sys.stdin
    if stream is None:
        raise UserError(where, "standard input is closed")
    if _terminal(stream):  # say why nothing happens yet
        print("ladle: reading standard input (Ctrl-D ends it)", file=sys.stderr, flush=True)
    try:
        raw = stream.buffer.read() if hasattr(stream, "buffer") else stream.read()
    except OSError as error:
        raise UserError(where, f"cannot read standard input: {error.strerror or error}") \
            from None
    if isinstance(raw, str):
        return raw.removeprefix(_BOM)
    try:
        return raw.decode("utf-8").removeprefix(_BOM)
    except UnicodeDecodeError as error:
        raise UserError(where, *undecodable(raw, error)) from None


def _terminal(stream: object) -> bool:
    try:
        return bool(stream.isatty())  # type: ignore[attr-defined]
    except (AttributeError, ValueError, OSError):  # no such method, or closed
        return False


def read_text(path: str) -> str:
    """The text of ``path`` (``-`` reads stdin), or a ``UserError`` saying why not."""
    if path == "-":
        return read_stdin()
    if not path:
        raise UserError("''", "the file name is empty")
    try:
        # os and open, not pathlib: pathlib (and urllib, ipaddress) would add 5 ms to `ladle eval`
        if os.stat(path).st_size > MAX_INPUT_BYTES:
            raise UserError(path, f"file is larger than {MAX_INPUT_BYTES // 2**20} MiB")
        with open(path, encoding="utf-8") as file:
            return file.read().removeprefix(_BOM)  # a BOM is no text
    except UnicodeDecodeError as error:
        try:
            with open(path, "rb") as file:  # again, for the line and column of the bad byte
                raw = file.read()
        except OSError:
            raise UserError(path, f"not UTF-8 text (byte {error.start + 1})") from None
        raise UserError(path, *undecodable(raw, error)) from None
    except OSError as error:
        raise UserError(path, error.strerror or str(error)) from None


class _NotJson(ValueError):
    """A value Python's reader takes that JSON does not have (NaN, a huge integer, a lone
    surrogate); ``position`` is its offset in the text when known."""

    def __init__(self, message: str, position: int | None = None, number: str = "") -> None:
        super().__init__(message)
        self.position = position
        self.number = number  # the number's text, which ``parse_json`` finds in the text

    def located(self, text: str) -> int | None:
        """Where the error is in ``text``: its position, or the number as a JSON token."""
        if self.position is not None or not self.number:
            return self.position
        token = re.search(rf"(?<![\w.+\-\\\"]){re.escape(self.number)}(?![\w.\"])", text)
        return None if token is None else token.start()


# A backslash run before a surrogate's \u escape: an odd run makes it an escape.
_SURROGATE_ESCAPE = re.compile(r"(\\+)u([dD][89a-fA-F][0-9a-fA-F]{2})")


def _lone_surrogate(text: str) -> None:
    """Raise ``_NotJson`` at a ``\\u`` escape of half a surrogate pair: Python would read
    it into text that no UTF-8 output can hold (a traceback when printed)."""
    paired_up_to = -1
    for match in _SURROGATE_ESCAPE.finditer(text):
        start = match.start(2) - 2  # the escape's own backslash
        if len(match.group(1)) % 2 == 0 or start < paired_up_to:
            continue
        code = int(match.group(2), 16)
        low = text[match.end():match.end() + 6]
        # (the text parsed, so every \\u escape has its four hex digits)
        if code < 0xDC00 and low[:2] == "\\u" and 0xDC00 <= int(low[2:], 16) <= 0xDFFF:
            paired_up_to = match.end() + 6
            continue
        raise _NotJson(f"a lone surrogate ('\\u{match.group(2)}') is not a character", start)


def _constant(name: str) -> float:
    raise _NotJson(f"{name} is not a JSON value")


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise _NotJson(f"an integer has more than {MAX_INTEGER_DIGITS} digits", number=text)
    return int(text)


def _float(text: str) -> float:
    number = float(text)
    if math.isinf(number):  # as the catalogs' and layouts' readers: JSON has no infinity
        raise _NotJson(f"the number {text} is too large (it would be infinite)", number=text)
    return number


def strict_json(text: str) -> Any:
    """``json.loads`` of standard JSON only: no NaN or Infinity, integers of at most
    ``MAX_INTEGER_DIGITS`` digits. Raises ``json.JSONDecodeError``, ``_NotJson`` or
    ``RecursionError``."""
    value = json.loads(text, parse_constant=_constant, parse_int=_integer,
                       parse_float=_float)
    if "\\u" in text:
        _lone_surrogate(text)
    return value


def parse_json(text: str, where: str) -> Any:
    """Parse JSON, reporting the line and column of a syntax error."""
    if not text.strip():  # rather than "expecting value" at 1:1
        raise UserError(where, "invalid JSON: there is nothing in it (an empty object is {})")
    try:
        return strict_json(text)
    except json.JSONDecodeError as error:  # Python's words, in ladle's lower case
        message = error.msg[:1].lower() + error.msg[1:]
        raise UserError(where, f"invalid JSON: {message}", text, error.pos) from None
    except _NotJson as error:
        position = error.located(text)
        raise UserError(where, f"invalid JSON: {error}", None if position is None else text,
                        position) from None
    except RecursionError:
        raise UserError(where, "invalid JSON: nested too deeply") from None


def json_kind(value: Any) -> str:
    """What a JSON value is, in JSON's words.

    >>> json_kind([1]), json_kind("a"), json_kind(1.5), json_kind(None), json_kind(True)
    ('an array', 'a string', 'a number', 'null', 'true')
    """
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array" if isinstance(value, list) else "an object"


def load_data(path: str | None) -> dict[str, Any]:
    """The data object from ``--data`` (an empty one when not given)."""
    if path is None:
        return {}
    where = "<stdin>" if path == "-" else path
    data = parse_json(read_text(path), where)
    if not isinstance(data, dict):
        raise UserError(where, f"the data must be a JSON object, not {json_kind(data)}")
    return data


def apply_settings(data: dict[str, Any], settings: tuple[str, ...]) -> dict[str, Any]:
    """Apply ``key=value`` pairs: the value is JSON when it parses, else a string.

    A dotted key sets a nested value: ``user.name=Ann``.
    """
    for setting in settings:
        key, sep, raw = setting.partition("=")
        if not sep or not key:
            raise UserError("--set", f"expected key=value, got {setting!r}")
        if "" in key.split("."):
            raise UserError("--set", f"{key!r} has an empty part; write names joined by "
                                     "single dots, as in user.name=Ann")
        try:
            value: Any = strict_json(raw)
        except (ValueError, RecursionError):  # not JSON (NaN, a huge number too): text
            value = raw
        target = data
        *parents, last = key.split(".")
        for part in parents:
            child = target.get(part)
            if not isinstance(child, dict):
                child = target[part] = {}
            target = child
        target[last] = value
    return data
