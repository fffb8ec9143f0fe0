"""The ``ladle`` click group and ``main(argv) -> int``."""

from __future__ import annotations

import click

from ladle.cli.demo_command import demo
from ladle.cli.diagnostics import EXIT_FAILED, EXIT_OK, EXIT_USAGE, UserError, report
from ladle.cli.eval_command import eval_command
from ladle.cli.layout_commands import layout
from ladle.cli.rules_commands import rules_group
from ladle.cli.template_commands import check, render


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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


ladle.add_command(eval_command)
ladle.add_command(render)
ladle.add_command(check)
ladle.add_command(layout)
ladle.add_command(rules_group)
ladle.add_command(demo)


def main(argv: list[str] | None = None) -> int:
    """Run ``ladle`` with ``argv`` (default: the process arguments); return the exit code."""
    try:
        result = ladle.main(args=argv, prog_name="ladle", standalone_mode=False)
    except UserError as error:
        return report(error)
    except click.exceptions.Exit as stop:
        return int(stop.exit_code)
    except click.UsageError as error:  # one line: what is wrong, and where to look
        command = error.ctx.command_path if error.ctx is not None else "ladle"
        message = error.format_message().rstrip(".")
        click.echo(f"{command}: error: {message[:1].lower()}{message[1:]} "
                   f"(see '{command} --help')", err=True)
        return EXIT_USAGE
    except click.ClickException as error:
        error.show()
        return EXIT_USAGE if error.exit_code == 2 else int(error.exit_code)
    except click.Abort:
        click.echo("aborted", err=True)
        return EXIT_FAILED
    except BrokenPipeError:
        return EXIT_FAILED
    return result if isinstance(result, int) else EXIT_OK
