"""A click group whose commands are imported when one is asked for.

Each group names its commands in a table, ``{name: (module, attribute, help line)}``: the
group's ``--help`` lists the lines, and a command's module (with its click decorators and
the libraries it needs) is imported only when that command runs. tests/cli/test_startup.py
checks the lines against the commands."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

import click

Table = Mapping[str, tuple[str, str, str]]


class LazyGroup(click.Group):
    """A group that imports a command's module when the command is asked for."""

    def __init__(self, *args: Any, lazy: Table, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(self.lazy)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = self.lazy.get(cmd_name)
        if entry is None:
            return None
        command: click.Command = getattr(importlib.import_module(entry[0]), entry[1])
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # As click.Group does, from the table instead of the imported commands.
        limit = formatter.width - 6 - max(len(name) for name in self.lazy)
        with formatter.section("Commands"):
            formatter.write_dl([
                (name, click.Command(name, help=self.lazy[name][2]).get_short_help_str(limit))
                for name in sorted(self.lazy)])
