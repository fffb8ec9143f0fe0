"""Reading layout documents: JSON parsed with the line and column of every value and key.

>>> doc = load('{"play": {"x": "art.w + pad", "show": [true, null]}}')
>>> doc.value
{'play': {'x': 'art.w + pad', 'show': [True, None]}}
>>> doc.position("/play/x"), doc.key_position("/play/x"), doc.position("/play/show/1")
((1, 16), (1, 11), (1, 46))
>>> doc.expression_position("/play/x", 6)
(1, 23)
>>> try:
...     load('{"w": 1,\\n "w": 2}')
... except SourceError as error:
...     print(error.line, error.column, error.message)
2 2 duplicate key "w" (first at line 1, column 2)
"""

from __future__ import annotations

import bisect
import math
import os
import re
import stat
from dataclasses import dataclass, field
from typing import Any, NoReturn

__all__ = ["MAX_BYTES", "Document", "SourceError", "load"]

MAX_BYTES = 1_000_000  # the largest layout read, in bytes of UTF-8

_WHITESPACE = re.compile(r"[ \t\n\r]*")
# Characters a string can hold as they are; the rest need a look (quote, escape, control,
# and lone surrogates, which no UTF-8 file can hold and no UTF-8 output can write).
_PLAIN = re.compile(r'[^"\\\x00-\x1f\ud800-\udfff]*')
# ASCII digits only: int() and \d would also take other scripts' digits.
_NUMBER = re.compile(r"-?([0-9]+)(\.[0-9]+)?(?:[eE][-+]?([0-9]+))?")
_HEX4 = re.compile(r"[0-9a-fA-F]{4}")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,30}")
_INDEX = re.compile(r"0|[1-9][0-9]{0,17}")
_LINE_BREAK = re.compile(r"\r\n?|\n")
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_KINDS = {"[": "an array", '"': "a string", "t": "a boolean", "f": "a boolean", "n": "null"}
_NOT_JSON = ("NaN", "Infinity", "-Infinity")


class SourceError(Exception):
    """A layout document that cannot be read: ``line`` and ``column`` are 1-based, or None."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message, line, column)
        self.message = message
        self.line = line
        self.column = column

    def __str__(self) -> str:
        if self.line is None:
            return self.message
        return f"{self.message} (line {self.line}, column {self.column})"


@dataclass(frozen=True, slots=True)
class _Spot:
    """Where one value sits in the text: its first character, its member name's, its children's."""

    start: int
    key: int | None = None
    children: dict[str, _Spot] | list[_Spot] | None = None


@dataclass(frozen=True)
class Document:
    """A parsed layout and, when it came from text, where each of its values sits in that text.

    Lines end at ``\\n``, ``\\r\\n`` or ``\\r``; columns count characters (a tab is one).
    """

    value: dict[str, Any]
    text: str | None
    name: str
    _root: _Spot | None = field(default=None, repr=False, compare=False)
    _lines: tuple[int, ...] = field(default=(0,), repr=False, compare=False)

    def position(self, pointer: str) -> tuple[int, int] | None:
        """(line, column) of the first character of the value at ``pointer``, if it is there."""
        spot = self._spot(pointer)
        return None if spot is None else self._line_column(spot.start)

    def key_position(self, pointer: str) -> tuple[int, int] | None:
        """(line, column) of the opening quote of the member name of ``pointer``'s value."""
        spot = self._spot(pointer)
        return None if spot is None or spot.key is None else self._line_column(spot.key)

    def expression_position(self, pointer: str, offset: int) -> tuple[int, int] | None:
        """(line, column) of character ``offset`` of the decoded string at ``pointer``.

        Escapes are stepped over exactly (``\\n`` is two characters of text, a surrogate
        pair twelve); an offset outside the string is clamped to its ends, so that an error
        "at the end of the expression" lands on the closing quote. A value that is not a
        string gives its own position.
        """
        spot = self._spot(pointer)
        if spot is None or self.text is None:
            return None
        text, at = self.text, spot.start
        if text[at] != '"':
            return self._line_column(at)
        at += 1
        for _ in range(max(offset, 0)):
            char = text[at]
            if char == '"':
                break
            if char != "\\":
                at += 1
            elif text[at + 1] != "u":
                at += 2
            else:  # the scanner already checked every \u escape and paired every surrogate
                at += 12 if 0xD800 <= int(text[at + 2 : at + 6], 16) <= 0xDBFF else 6
        return self._line_column(at)

    def _spot(self, pointer: str) -> _Spot | None:
        spot = self._root
        for token in _pointer_tokens(pointer):
            children = None if spot is None else spot.children
            if isinstance(children, dict):
                spot = children.get(token)
            elif isinstance(children, list) and _INDEX.fullmatch(token):
                index = int(token)
                spot = children[index] if index < len(children) else None
            else:
                return None
        return spot

    def _line_column(self, offset: int) -> tuple[int, int]:
        return _line_column(self._lines, offset)


def load(
    source: str | os.PathLike[str] | bytes | dict[str, Any],
    *,
    max_bytes: int = MAX_BYTES,
    max_depth: int = 64,
    max_number_digits: int = 100,
) -> Document:
    """Read a layout from a file path, JSON text (a string starting with ``{``), bytes or a dict.

    Raises SourceError for anything that is not a JSON object within the limits.
    """
    if isinstance(source, dict):
        return Document(source, None, "<dict>")
    if isinstance(source, bytes):
        name, text = "<bytes>", _decode(source, max_bytes)
    elif isinstance(source, str) and source.lstrip().startswith("{"):
        name, text = "<string>", source
        # Characters never outnumber UTF-8 bytes, so the encoding is only done when it matters.
        if len(text) > max_bytes or len(text.encode("utf-8", "surrogatepass")) > max_bytes:
            raise SourceError(f"the layout is larger than the limit of {max_bytes} bytes")
    elif isinstance(source, str | os.PathLike):
        name = os.fspath(source)
        text = _decode(_read(name, max_bytes), max_bytes)
    else:
        raise TypeError(f"a layout is a path, JSON text or a dict, not {type(source).__name__}")
    value, root = _Scanner(text, max_depth, max_number_digits).document()
    return Document(value, text, name, root, _line_starts(text))


def _read(path: str, max_bytes: int) -> bytes:
    """The bytes of a regular file, refusing one larger than max_bytes before reading it."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):  # a FIFO or device could block or never end
            raise SourceError(f"cannot read {_quote(path, 300)}: not a regular file")
        if info.st_size > max_bytes:
            raise SourceError(
                f"{_quote(path, 300)} is {info.st_size} bytes, larger than the limit of {max_bytes}"
            )
        with open(path, "rb") as file:
            data = file.read(max_bytes + 1)  # + 1: a file that grew since stat() still stops
    except OSError as error:
        reason = error.strerror or str(error)
        looks_like_json = path.lstrip()[:1] in ("[", '"') or "\n" in path
        hint = " (JSON text must start with '{')" if looks_like_json else ""
        raise SourceError(f"cannot read {_quote(path, 300)}: {reason.lower()}{hint}") from None
    except ValueError as error:  # e.g. an embedded NUL character in the path
        raise SourceError(f"cannot read {_quote(path, 300)}: {error}") from None
    return data


def _decode(data: bytes, max_bytes: int) -> str:
    """UTF-8 text without its byte order mark, which editors do not show as a column."""
    if len(data) > max_bytes:
        raise SourceError(f"the layout is {len(data)} bytes, larger than the limit of {max_bytes}")
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        good = data[: error.start].decode("utf-8").removeprefix("\ufeff")
        line, column = _line_column(_line_starts(good), len(good))
        byte = data[error.start]
        raise SourceError(f"not UTF-8: invalid byte 0x{byte:02x}", line, column) from None


def _line_starts(text: str) -> tuple[int, ...]:
    return (0, *(match.end() for match in _LINE_BREAK.finditer(text)))


def _line_column(starts: tuple[int, ...], offset: int) -> tuple[int, int]:
    line = bisect.bisect_right(starts, offset)
    return line, offset - starts[line - 1] + 1


def _pointer_tokens(pointer: str) -> list[str]:
    """The reference tokens of an RFC 6901 JSON pointer ("" is the whole document)."""
    if pointer == "":
        return []
    if not pointer.startswith("/") or re.search("~(?![01])", pointer):
        raise ValueError(f"not a JSON pointer: {pointer!r}")
    return [token.replace("~1", "/").replace("~0", "~") for token in pointer[1:].split("/")]


def _quote(text: str, limit: int = 60) -> str:
    """User text for a message, cut short: a key or path may be a megabyte long."""
    return "'" + (text if len(text) <= limit else text[:limit] + "...") + "'"


@dataclass(slots=True)
class _OpenObject:
    """An object whose closing brace is still to come."""

    spot: _Spot
    key: str  # its own member name in its parent ("" in an array or at the top)
    value: dict[str, Any]
    spots: dict[str, _Spot]
    closer = "}"
    after = "an object member"

    def add(self, key: str, value: Any, spot: _Spot) -> None:
        self.value[key] = value
        self.spots[key] = spot


@dataclass(slots=True)
class _OpenArray:
    """An array whose closing bracket is still to come."""

    spot: _Spot
    key: str
    value: list[Any]
    spots: list[_Spot]
    closer = "]"
    after = "an array item"

    def add(self, key: str, value: Any, spot: _Spot) -> None:
        self.value.append(value)
        self.spots.append(spot)


class _Scanner:
    """A JSON scanner over one text that notes where every value and member name starts.

    It keeps open containers on an explicit stack rather than recursing, so nesting meets
    ``max_depth`` and never Python's recursion limit, and every step moves forward through
    the text (regular expressions take the long runs), so time is linear in its length.
    """

    def __init__(self, text: str, max_depth: int, max_number_digits: int) -> None:
        self.text = text
        self.max_depth = max_depth
        self.max_number_digits = max_number_digits

    def fail(self, message: str, offset: int) -> NoReturn:
        line, column = _line_column(_line_starts(self.text), offset)
        raise SourceError(message, line, column)

    def skip(self, at: int) -> int:
        """ws = *( %x20 / %x09 / %x0A / %x0D )"""
        match = _WHITESPACE.match(self.text, at)
        assert match is not None  # it matches the empty string
        return match.end()

    def document(self) -> tuple[dict[str, Any], _Spot]:
        """document = ws object ws   (a layout is an object, not any JSON value)"""
        text = self.text
        at = self.skip(0)
        char = text[at : at + 1]
        if char == "":
            self.fail("expected an object, but the layout is empty", at)
        if char != "{":
            kind = _KINDS.get(char, "a number" if char in "-0123456789" else "")
            if kind:
                self.fail(f"the top level must be an object, not {kind}", at)
            self.fail("expected '{' to start the top-level object" + self.hint(at), at)
        value, spot, at = self.value(at)
        at = self.skip(at)
        if at < len(text):
            self.fail("unexpected text after the top-level object", at)
        assert isinstance(value, dict)
        return value, spot

    def value(self, at: int) -> tuple[Any, _Spot, int]:
        """value = object / array / string / number / true / false / null

        object = "{" ws [ member *( ws "," ws member ) ] ws "}"
        array = "[" ws [ value *( ws "," ws value ) ] ws "]"
        """
        text = self.text
        stack: list[_OpenObject | _OpenArray] = []
        key, key_at = "", None  # the member name of the value about to be read
        while True:
            # A value starts at `at`: open a container, or read a scalar.
            char = text[at : at + 1]
            if char == "{" or char == "[":
                if len(stack) >= self.max_depth:
                    self.fail(f"nesting deeper than the limit of {self.max_depth} levels", at)
                opened: _OpenObject | _OpenArray
                if char == "{":
                    members: dict[str, _Spot] = {}
                    opened = _OpenObject(_Spot(at, key_at, members), key, {}, members)
                else:
                    items: list[_Spot] = []
                    opened = _OpenArray(_Spot(at, key_at, items), key, [], items)
                at = self.skip(at + 1)
                if text[at : at + 1] != opened.closer:
                    stack.append(opened)
                    if isinstance(opened, _OpenObject):
                        key, key_at, at = self.member(at, opened)
                    else:
                        key_at = None
                    continue
                value, spot, at = opened.value, opened.spot, at + 1
            else:
                spot = _Spot(at, key_at)
                value, at = self.scalar(at)
            # Hand the finished value to its container, and close every container ending here.
            while stack:
                top = stack[-1]
                top.add(key, value, spot)
                at = self.skip(at)
                char = text[at : at + 1]
                if char == ",":
                    at = self.skip(at + 1)
                    if isinstance(top, _OpenObject):
                        key, key_at, at = self.member(at, top)
                    elif text[at : at + 1] == "]":
                        self.fail("expected a value after ',' (JSON has no trailing commas)", at)
                    else:
                        key_at = None  # array items have no member name
                    break
                if char != top.closer:
                    self.fail(f"expected ',' or '{top.closer}' after {top.after}", at)
                stack.pop()
                value, spot, key, at = top.value, top.spot, top.key, at + 1
            else:
                return value, spot, at

    def member(self, at: int, parent: _OpenObject) -> tuple[str, int, int]:
        """member = string ws ":" ws value   (read up to the value: name, its offset, value's)"""
        text = self.text
        char = text[at : at + 1]
        if char != '"':
            if char == "}":
                self.fail("expected a member name after ',' (JSON has no trailing commas)", at)
            self.fail("expected a member name in double quotes" + self.hint(at), at)
        key, end = self.string(at)
        if key in parent.spots:
            first = parent.spots[key].key
            assert first is not None  # every member has a name
            line, column = _line_column(_line_starts(text), first)
            self.fail(
                f'duplicate key "{_quote(key)[1:-1]}" (first at line {line}, column {column})', at
            )
        end = self.skip(end)
        if text[end : end + 1] != ":":
            self.fail("expected ':' after the member name", end)
        return key, at, self.skip(end + 1)

    def scalar(self, at: int) -> tuple[Any, int]:
        """string / number / "true" / "false" / "null": the value and where it ends."""
        text = self.text
        char = text[at : at + 1]
        if char == '"':
            return self.string(at)
        if char == "-" or "0" <= char <= "9":
            return self.number(at)
        for word, value in (("true", True), ("false", False), ("null", None)):
            if text.startswith(word, at):
                return value, at + len(word)
        for word in _NOT_JSON:
            if text.startswith(word, at):
                self.fail(f"{word} is not JSON (numbers must be finite)", at)
        self.fail("expected a value" + self.hint(at), at)

    def string(self, at: int) -> tuple[str, int]:
        """string = quotation-mark *char quotation-mark: the decoded string and where it ends."""
        text = self.text
        parts: list[str] = []
        i = at + 1
        while True:
            plain = _PLAIN.match(text, i)
            assert plain is not None  # it matches the empty string
            parts.append(plain.group())
            i = plain.end()
            char = text[i : i + 1]
            if char == '"':
                return "".join(parts), i + 1
            if char == "":
                self.fail("unterminated string", at)
            if char == "\\":
                escape = text[i + 1 : i + 2]
                if escape == "u":
                    decoded, i = self.unicode_escape(i)
                    parts.append(decoded)
                elif escape in _ESCAPES:
                    parts.append(_ESCAPES[escape])
                    i += 2
                elif escape == "":
                    self.fail("unterminated string", at)
                else:
                    self.fail(f"invalid escape '\\{escape}' in a string", i)
            elif "\ud800" <= char <= "\udfff":
                self.fail(f"invalid character U+{ord(char):04X} (a lone surrogate)", i)
            else:
                hint = " (write \\n for a line break)" if char in "\r\n" else ""
                self.fail(f"invalid control character U+{ord(char):04X} in a string{hint}", i)

    def unicode_escape(self, at: int) -> tuple[str, int]:
        """\\uXXXX, or two making a surrogate pair; a lone surrogate is refused (see _PLAIN)."""
        text = self.text
        code = self.hex4(at)
        if 0xD800 <= code <= 0xDBFF and text.startswith("\\u", at + 6):
            low = self.hex4(at + 6)
            if 0xDC00 <= low <= 0xDFFF:
                return chr(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)), at + 12
        if 0xD800 <= code <= 0xDFFF:
            self.fail(f"invalid escape '\\u{code:04x}' (a lone surrogate)", at)
        return chr(code), at + 6

    def hex4(self, at: int) -> int:
        if not _HEX4.match(self.text, at + 2):
            self.fail("expected four hexadecimal digits after '\\u'", at)
        return int(self.text[at + 2 : at + 6], 16)

    def number(self, at: int) -> tuple[int | float, int]:
        """number = [ "-" ] int [ frac ] [ exp ]: an int when it has neither, else a float."""
        text = self.text
        match = _NUMBER.match(text, at)
        if match is None:
            if text.startswith("-Infinity", at):
                self.fail("-Infinity is not JSON (numbers must be finite)", at)
            self.fail("expected a digit after '-'", at + 1)
        whole, fraction, exponent = match.groups()
        end = match.end()
        after = text[end : end + 1]
        if len(whole) > 1 and whole[0] == "0":
            self.fail("numbers cannot have leading zeros", at)
        if after == "." and fraction is None:
            self.fail("expected a digit after '.'", end + 1)
        if after in ("e", "E") and exponent is None:
            sign = text[end + 1 : end + 2] in ("+", "-")
            self.fail("expected a digit in the exponent", end + 1 + sign)
        digits = len(whole) + len(fraction or ".") - 1 + len(exponent or "")
        if digits > self.max_number_digits:
            self.fail(
                f"number with {digits} digits, more than the limit of {self.max_number_digits}", at
            )
        literal = match.group()
        try:
            if fraction is None and exponent is None:
                return int(literal), end
            number = float(literal)
        except ValueError:  # more digits than Python converts (sys.get_int_max_str_digits)
            self.fail("number too long to convert", at)
        if math.isinf(number):
            self.fail("number too large (it would be infinite)", at)
        return number, end

    def hint(self, at: int) -> str:
        """A word on the likely mistake at ``at``, for 'expected ...' messages."""
        text = self.text
        char = text[at : at + 1]
        if char == "":
            return ", but the layout ends"
        word_match = _WORD.match(text, at)
        if word_match:
            return f", not '{word_match.group()}' (JSON's words are true, false and null)"
        if char == "'":
            return " (JSON strings take double quotes)"
        if char == "/":
            return " (JSON has no comments)"
        return f", not {char!r}" if char.isprintable() else f", not U+{ord(char):04X}"
