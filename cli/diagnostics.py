"""Diagnostics: user mistakes printed as ``file:line:col: error: message`` with a caret."""

from __future__ import annotations

import errno

import click

from ladle.grammar.errors import Diagnostic

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


class UserError(Diagnostic):
    """A mistake in the user's input; printed without a traceback, exit code 2.

    ``where`` names the file or option (``file`` of the diagnostic)."""

    def __init__(self, where: str, message: str, source: str | None = None,
                 position: int | None = None) -> None:
        super().__init__(message, source or "", position if source is not None else None,
                         file=where)

    @property
    def where(self) -> str:
        return self.file


# Errors only a write can meet: where one arrives, the output could not be written.
_WRITE_ERRORS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


def os_error_message(error: OSError) -> str:
    """What an ``OSError`` says to a user: its reason in lower case (``no such file or
    directory``), after ``cannot write:`` when only writing meets it (a full disk)."""
    reason = error.strerror or str(error)
    reason = reason[:1].lower() + reason[1:]
    return f"cannot write: {reason}" if error.errno in _WRITE_ERRORS else reason


def report(error: UserError) -> int:
    click.echo(error.render(), err=True)
    return EXIT_USAGE
