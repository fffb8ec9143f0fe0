"""Errors: every failure of the expression language, with its position."""

from __future__ import annotations


def line_and_column(source: str, position: int) -> tuple[int, int]:
    """1-based line and column of a 0-based offset into ``source``."""
    position = max(0, min(position, len(source)))
    line = source.count("\n", 0, position) + 1
    column = position - (source.rfind("\n", 0, position) + 1) + 1
    return line, column


def caret_excerpt(source: str, position: int) -> str:
    """The source line holding ``position`` with a caret under it."""
    position = max(0, min(position, len(source)))
    start = source.rfind("\n", 0, position) + 1
    end = source.find("\n", position)
    text = source[start : end if end >= 0 else len(source)]
    # Tabs keep their width so the caret stays under the right character.
    pad = "".join("\t" if ch == "\t" else " " for ch in text[: position - start])
    return f"{text}\n{pad}^"


class ExpressionError(Exception):
    """Base of every error raised by the expression language.

    ``position`` is a 0-based offset into ``source`` (``None`` when unknown);
    ``line`` and ``column`` are 1-based.
    """

    def __init__(self, message: str, source: str = "", position: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.source = source
        self.position = position

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

    def relocated(self, source: str, offset: int) -> ExpressionError:
        """The same error, positioned in a host text where the expression starts at ``offset``."""
        position = None if self.position is None else offset + self.position
        error = type(self)(self.message, source, position)
        error.__cause__ = self.__cause__
        return error

    def excerpt(self) -> str:
        """The offending source line with a caret under the position ('' if unknown)."""
        if self.position is None:
            return ""
        return caret_excerpt(self.source, self.position)

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
