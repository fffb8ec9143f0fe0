"""Diagnostics: user mistakes printed as ``file:line:col: error: message`` with a caret."""

from __future__ import annotations

import click

from ladle.grammar.errors import caret_excerpt, line_and_column

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


class UserError(Exception):
    """A mistake in the user's input; printed without a traceback, exit code 2."""

    def __init__(self, where: str, message: str, source: str | None = None,
                 position: int | None = None) -> None:
        super().__init__(message)
        self.where = where
        self.message = message
        self.source = source
        self.position = position

    def render(self) -> str:
        where = self.where or "''"  # an empty file name, shown as one
        if self.source is None or self.position is None:
            return f"{where}: error: {self.message}"
        line, column = line_and_column(self.source, self.position)
        excerpt = caret_excerpt(self.source, self.position)
        indented = "\n".join("  " + row for row in excerpt.split("\n"))
        return f"{where}:{line}:{column}: error: {self.message}\n{indented}"


def report(error: UserError) -> int:
    click.echo(error.render(), err=True)
    return EXIT_USAGE
