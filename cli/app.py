"""The ``ladle`` click group and ``main(argv) -> int``.

A group (``ladle``, ``ladle rules``) names its commands in a table, ``{name: (module,
attribute, help line)}``: its ``--help`` lists the lines, and a command's module (with its
click decorators and the libraries it needs) is imported only when that command runs.
tests/cli/test_startup.py checks the lines against the commands."""

from __future__ import annotations

import importlib
import re
from collections.abc import Mapping
from typing import Any

import click

from ladle.cli.diagnostics import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    UserError,
    os_error_message,
    report,
)


class _NotRaised(click.UsageError):
    """Stands for an exception this click version does not have."""


# click 8.2 and later raise it for a group given no command (8.1 prints the help itself).
_NO_ARGS_IS_HELP: type[click.UsageError] = getattr(click.exceptions, "NoArgsIsHelpError",
                                                   _NotRaised)

# The shell's exit code for a run stopped by Ctrl-C (128 + SIGINT), as for SIGTERM.
EXIT_INTERRUPTED = 130

# Each command: (module, attribute, the one line `ladle --help` shows). A command's module
# is imported only when that command runs, so `ladle eval` does not load the template
# engine, DuckDB or rich.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "eval": ("ladle.cli.eval_command", "eval_command",
             "Evaluate EXPRESSION and print the result as JSON."),
    "render": ("ladle.cli.template_commands", "render",
               "Render TEMPLATE (- reads standard input) with data."),
    "check": ("ladle.cli.template_commands", "check",
              "Parse TEMPLATES (- reads standard input) and the partials they name, and "
              "report every syntax error and missing partial (and, with --data, every "
              "undefined variable), on standard output."),
    "layout": ("ladle.cli.layout_commands", "layout",
               "Check, resolve, embed, preview and edit player layouts."),
    "rules": ("ladle.cli.rules_commands", "rules_group",
              "Check placement rules, see which records they claim, and write them as "
              "SQL."),
    "demo": ("ladle.cli.demo_command", "demo",
             "Run the main job on the bundled examples and write the results to a folder."),
}


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


@click.group(cls=LazyGroup, lazy=COMMANDS,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ladle", prog_name="ladle")
def ladle() -> None:
    """Liquid templates, player layouts and placement rules, with one expression language.

    \b
    Examples:
      ladle eval "1 + 2 * 3"
      ladle eval "tag == 'lossless' && (id % 100) <= 47" --data record.json
      ladle render examples/artist/artist.html --data examples/artist/artist.json
      ladle demo -o out
    """



def main(argv: list[str] | None = None) -> int:
    """Run ``ladle`` with ``argv`` (default: the process arguments); return the exit code."""
    _lenient_encoding()
    try:
        result = ladle.main(args=argv, prog_name="ladle", standalone_mode=False)
    except UserError as error:
        return report(error)
    except click.exceptions.Exit as stop:
        return int(stop.exit_code)
    except _NO_ARGS_IS_HELP as error:  # `ladle rules` alone: its help, as it is
        click.echo(error.format_message(), err=True)
        return EXIT_USAGE
    except click.UsageError as error:  # one line: what is wrong, and where to look
        command = error.ctx.command_path if error.ctx is not None else "ladle"
        click.echo(f"{command}: error: {_usage_message(error)} (see '{command} --help')",
                   err=True)
        return EXIT_USAGE
    except click.ClickException as error:
        error.show()
        return EXIT_USAGE if error.exit_code == 2 else int(error.exit_code)
    except click.Abort as stop:
        if isinstance(stop.__cause__, KeyboardInterrupt):
            return EXIT_INTERRUPTED  # quietly: click has ended the terminal's ^C line
        click.echo("aborted", err=True)
        return EXIT_FAILED
    except BrokenPipeError:
        return EXIT_FAILED
    except OSError as error:  # standard output on a full disk, say: one line, no traceback
        _quiet_stdout()
        click.echo(f"ladle: error: {os_error_message(error)}", err=True)
        return EXIT_USAGE
    return result if isinstance(result, int) else EXIT_OK


def _usage_message(error: click.UsageError) -> str:
    """click's message in ladle's style: lower case, no full stop, one did-you-mean."""
    from ladle.grammar.names import did_you_mean  # here: only a mistake needs it

    if isinstance(error, click.NoSuchOption):
        hint = did_you_mean(error.option_name, error.possibilities or [])
        command = error.ctx.command if error.ctx is not None else None
        if not hint and command is not None and \
                any(isinstance(p, click.Argument) for p in command.params):
            hint = " (to give an argument that starts with '-', put '--' before it)"
        return f"no such option {error.option_name!r}{hint}"
    message = error.format_message()
    unknown = _NO_SUCH_COMMAND.match(message)
    if unknown is not None and error.ctx is not None and \
            isinstance(error.ctx.command, click.Group):
        name = unknown.group(1)
        known = error.ctx.command.list_commands(error.ctx)
        return f"no such command {name!r}{did_you_mean(name, known)}"
    message = message.rstrip(".")
    return f"{message[:1].lower()}{message[1:]}"


# click's words for an unknown command (a plain group adds its own "Did you mean").
_NO_SUCH_COMMAND = re.compile(r"No such command ['\"](.*?)['\"]\.")


def _lenient_encoding() -> None:
    """Under a locale whose encoding lacks a character ladle prints (a Latin-1 terminal
    and the '→' of a cycle), write it as an escape (``\\u2192``) instead of failing."""
    import io
    import sys

    for stream, original in ((sys.stdout, sys.__stdout__), (sys.stderr, sys.__stderr__)):
        if stream is original and isinstance(stream, io.TextIOWrapper) and \
                stream.errors == "strict":
            stream.reconfigure(errors="backslashreplace")


def _quiet_stdout() -> None:
    """After standard output failed, point it at /dev/null so that Python's last flush of
    what it still holds does not fail again with a traceback-like warning."""
    import os
    import sys

    stdout = sys.__stdout__
    if stdout is None or sys.stdout is not stdout:
        return  # a caller's own stream (a test's): theirs to handle
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, stdout.fileno())
        os.close(null)
    except (OSError, ValueError):
        pass
