"""``ladle render`` and ``ladle check``: Liquid templates from files."""

from __future__ import annotations

from pathlib import Path

import click
from liquid.exceptions import LiquidError

import templating
from cli.diagnostics import EXIT_FAILED, EXIT_OK, UserError
from cli.inputs import apply_settings, load_data, read_text
from cli.output import write_atomic
from templating.check import check_template


def template_error(error: LiquidError, path: Path) -> UserError:
    token = error.token
    if token is None or token.start_index < 0:
        return UserError(str(path), str(error.message))
    return UserError(str(path), str(error.message), token.source, token.start_index)


@click.command()
@click.argument("template", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--data", "data_path", metavar="FILE|-", help="JSON object with the variables.")
@click.option("--set", "settings", metavar="KEY=VALUE", multiple=True,
              help="Set a variable (VALUE is JSON if it parses, else a string). Repeatable.")
@click.option("--strict", is_flag=True, help="Undefined variables are an error, not nil.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write here (atomically) instead of to standard output.")
def render(template: Path, data_path: str | None, settings: tuple[str, ...], strict: bool,
           output: Path | None) -> int:
    """Render TEMPLATE with data. Partials are found next to it; .html, .htm, .xml and
    .svg templates are HTML-escaped.

    \b
    Examples:
      ladle render examples/artist/artist.html --data examples/artist/artist.json
      ladle render page.html --set user.name=Ann -o out/page.html
    """
    data = apply_settings(load_data(data_path), settings)
    read_text(str(template))  # a missing or unreadable file is reported as such
    env = templating.Environment(loader=templating.CachingFileSystemLoader(template.parent),
                                 strict=strict)
    try:
        text = env.get_template(template.name).render(**data)
    except LiquidError as error:
        raise template_error(error, template) from None
    if output is None:
        click.echo(text, nl=False)
    else:
        inputs = [template] + ([Path(data_path)] if data_path and data_path != "-" else [])
        write_atomic(output, text, inputs=inputs)
    return EXIT_OK


@click.command()
@click.argument("templates", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("--data", "data_path", metavar="FILE|-",
              help="JSON data: also report variables the templates read that it lacks.")
def check(templates: tuple[Path, ...], data_path: str | None) -> int:
    """Parse TEMPLATES and report every syntax error (and, with --data, every undefined
    variable). Exit 1 when anything is found.

    \b
    Examples:
      ladle check examples/artist/artist.html
      ladle check examples/artist/artist.html --data examples/artist/artist.json
    """
    data = load_data(data_path) if data_path else None
    problems = 0
    for path in templates:
        read_text(str(path))
        for finding in check_template(path, data):
            problems += 1
            click.echo(UserError(str(path), finding.message, finding.source,
                                 finding.position).render(), err=True)
    if problems:
        click.echo(f"{problems} problem{'s' if problems != 1 else ''} found", err=True)
        return EXIT_FAILED
    return EXIT_OK
