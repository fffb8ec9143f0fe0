"""Errors: every failure of the expression language, with its position."""

from __future__ import annotations

from collections.abc import Mapping


def line_and_column(source: str, position: int) -> tuple[int, int]:
    """1-based line and column of a 0-based offset into ``source``."""
    position = max(0, min(position, len(source)))
    line = source.count("\n", 0, position) + 1
    column = position - (source.rfind("\n", 0, position) + 1) + 1
    return line, column


# A line longer than this is shown as the part around the caret (a minified page, a
# one-line JSON file of megabytes), with "…" where it was cut.
EXCERPT_WIDTH = 160


def caret_excerpt(source: str, position: int) -> str:
    """The source line holding ``position`` with a caret under it; of a line longer than
    ``EXCERPT_WIDTH``, the part around the caret.

    >>> text, caret = caret_excerpt("a" * 200 + "!" + "b" * 200, 200).splitlines()
    >>> text[:3], text[-3:], len(text), text[len(caret) - 1]
    ('…aa', 'bb…', 162, '!')
    """
    position = max(0, min(position, len(source)))
    start = source.rfind("\n", 0, position) + 1
    end = source.find("\n", position)
    end = end if end >= 0 else len(source)
    before = after = ""
    if end - start > EXCERPT_WIDTH:
        half = EXCERPT_WIDTH // 2
        if position - start > half:
            start, before = position - half, "…"
        if end - position > half:
            end, after = position + half, "…"
    text = before + source[start:end] + after
    # Tabs keep their width so the caret stays under the right character.
    pad = "".join("\t" if ch == "\t" else " " for ch in before + source[start:position])
    return f"{text}\n{pad}^"


def undecodable(raw: bytes, error: UnicodeDecodeError) -> tuple[str, str, int]:
    """For bytes that are not UTF-8: the message, the text (bad bytes replaced, lines
    ended by ``\\n``, no byte order mark) and the position in it of the first bad byte,
    so that the error has a line, a column and a caret like any other.

    >>> undecodable(b"ok\\r\\nh\\xffi", UnicodeDecodeError("utf-8", b"", 5, 6, "bad"))
    ('not UTF-8 text (byte 0xff)', 'ok\\nh\\ufffdi', 4)
    """
    def lines(text: str) -> str:
        return text.replace("\r\n", "\n").replace("\r", "\n")

    text = lines(raw.decode("utf-8", "replace"))
    position = len(lines(raw[:error.start].decode("utf-8", "replace")))
    if text.startswith("\ufeff"):
        text, position = text[1:], position - 1
    return f"not UTF-8 text (byte 0x{raw[error.start]:02x})", text, position


class Diagnostic(Exception):
    """A message about a place in a text: the one positioned error type of ladle.

    ``source`` is the text, ``position`` a 0-based offset into it (``None`` when
    unknown), ``file`` names where the text came from ('' when it has no name), and
    ``line``/``column`` are 1-based. Raised (``ExpressionError``, ``RuleError``, the
    CLI's ``UserError``) or collected (the findings of the check commands); two
    diagnostics are equal when they say the same thing about the same place.
    """

    def __init__(self, message: str, source: str = "", position: int | None = None, *,
                 file: str = "", severity: str = "error") -> None:
        super().__init__(message)
        # Read through properties, which a subclass may compute instead (a template
        # error takes them from python-liquid's token).
        self._source = source
        self._position = position
        self._file = file
        self.severity = severity

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""

    @property
    def source(self) -> str:
        return self._source

    @property
    def position(self) -> int | None:
        return self._position

    @property
    def file(self) -> str:
        return self._file

    @property
    def line(self) -> int | None:
        if self.position is None:
            return None
        return line_and_column(self.source, self.position)[0]

    @property
    def column(self) -> int | None:
        if self.position is None:
            return None
        return line_and_column(self.source, self.position)[1]

    def excerpt(self) -> str:
        """The offending source line with a caret under the position ('' if unknown)."""
        if self.position is None:
            return ""
        return caret_excerpt(self.source, self.position)

    def render(self) -> str:
        """``file:line:column: severity: message`` and the excerpt, indented, as the
        command line prints it."""
        where = self.file or "''"  # an empty file name, shown as one
        if self.position is None:
            return f"{where}: {self.severity}: {self.message}"
        indented = "\n".join("  " + row for row in self.excerpt().split("\n"))
        return f"{where}:{self.line}:{self.column}: {self.severity}: {self.message}\n{indented}"

    def _key(self) -> tuple[object, ...]:
        return (type(self), self.message, self.source, self.position, self.file,
                self.severity)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Diagnostic) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (f"{type(self).__name__}({self.message!r}, file={self.file!r}, "
                f"line={self.line}, column={self.column})")


class ExpressionError(Diagnostic):
    """Base of every error raised by the expression language.

    ``position`` is a 0-based offset into ``source`` (``None`` when unknown);
    ``line`` and ``column`` are 1-based.
    """

    def __init__(self, message: str, source: str = "", position: int | None = None) -> None:
        super().__init__(message, source, position)

    def relocated(self, source: str, offset: int) -> ExpressionError:
        """The same error, positioned in a host text where the expression starts at ``offset``."""
        position = None if self.position is None else offset + self.position
        error = type(self)(self.message, source, position)
        error.__cause__ = self.__cause__
        return error

    def __str__(self) -> str:
        if self.position is None:
            return self.message
        line, column = line_and_column(self.source, self.position)
        text, caret = self.excerpt().split("\n")
        return f"{self.message}\n  {text}\n  {caret} (line {line}, column {column})"


class ExpressionSyntaxError(ExpressionError):
    """The text is not a valid expression, or names something unknown."""


class EvaluationError(ExpressionError):
    """Evaluation failed: a type error, division by zero, a limit, a strict undefined name."""


def located_at(error: Exception, positions: Mapping[int, tuple[str, int]]) -> ExpressionError:
    """The error to raise for ``error`` from generated code, positioned at the part of the
    source that failed: ``positions`` maps each generated line to (source, offset)."""
    traceback = error.__traceback__
    line = traceback.tb_lineno if traceback is not None else 0
    source, position = positions.get(line, ("", None))
    if isinstance(error, ExpressionError):
        if error.position is not None or not isinstance(error, EvaluationError):
            return error
        located = EvaluationError(error.message, source, position)
    elif isinstance(error, RecursionError):
        located = EvaluationError("data is nested too deeply", source, position)
    elif isinstance(error, MemoryError):
        located = EvaluationError("out of memory", source, position)
    else:
        located = EvaluationError(f"evaluation failed: {error}", source, position)
    located.__cause__ = error
    return located
