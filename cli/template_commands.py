"""``ladle render`` and ``ladle check``: Liquid templates from files."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click
from liquid.exceptions import LiquidError, TemplateNotFoundError

from ladle import templating
from ladle.cli.diagnostics import EXIT_FAILED, EXIT_OK, EXIT_USAGE, UserError, report
from ladle.cli.inputs import (
    STDIN_NAME,
    apply_settings,
    load_data,
    one_standard_input,
    read_text,
)
from ladle.cli.output import check_output, output_stream
from ladle.templating.check import check_template
from ladle.templating.errors import TemplateReadError


def template_error(error: LiquidError, name: str) -> UserError:
    """The error at its own template's name: a partial's, not the page's (its path
    relative to the current folder when it lies inside it)."""
    where = str(error.template_name or name)
    if os.path.isabs(where) and Path(where).is_relative_to(Path.cwd()):
        where = os.path.relpath(where)
    message = str(error.message)
    if isinstance(error, templating.TemplateNotFound):
        message = f"partial {error.name!r} not found ({error.where})"
    elif isinstance(error, TemplateNotFoundError) and not isinstance(error, TemplateReadError):
        message = f"partial {message!r} not found"
    token = error.token
    if token is None or token.start_index < 0:
        return UserError(where, message)
    return UserError(where, message, token.source, token.start_index)


def _environment(template: str, strict: bool) -> tuple[templating.Environment, str, str]:
    """The environment to render ``template`` in (partials from its folder, or from the
    current one for standard input), its source and the name errors give it."""
    source = read_text(template)
    folder = Path.cwd() if template == "-" else Path(template).parent
    env = templating.Environment(loader=templating.CachingFileSystemLoader(folder),
                                 strict=strict)
    return env, source, STDIN_NAME if template == "-" else template


def _loaded(env: templating.Environment) -> list[str]:
    """The files of the partials a render loaded."""
    cache = getattr(env.loader, "cache", {})
    return [str(t.path) for t in list(cache.values()) if getattr(t, "path", None)]


@click.command()
@click.argument("template", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--data", "data_path", metavar="FILE|-", help="JSON object with the variables.")
@click.option("--set", "settings", metavar="KEY=VALUE", multiple=True,
              help="Set a variable (VALUE is JSON if it parses, else a string). Repeatable.")
@click.option("--strict", is_flag=True, help="Undefined variables are an error, not nil.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True),
              help="Write here (atomically; - is standard output) instead of to standard "
                   "output.")
@click.option("--explain-if", "explain_line", type=click.IntRange(min=1), metavar="LINE",
              help="Instead of rendering, show which operand decides each if, elsif and "
                   "unless condition on LINE, for the data given.")
def render(template: str, data_path: str | None, settings: tuple[str, ...], strict: bool,
           output: str | None, explain_line: int | None) -> int:
    """Render TEMPLATE (- reads standard input) with data. Partials are found next to
    it (in the current folder for standard input); .html, .htm, .xml and .svg templates
    are HTML-escaped.

    \b
    Examples:
      ladle render examples/artist/artist.html --data examples/artist/artist.json
      ladle render page.html --set user.name=Ann -o page.out.html
      echo '{{ 6 * 7 }}' | ladle render -
      ladle render examples/artist/artist.html --data examples/artist/artist.json --explain-if 31

    --explain-if renders without writing anything and shows each if, elsif and unless
    condition on that line every time the render evaluates it (in a loop: once a pass).
    """
    one_standard_input(("TEMPLATE", template), ("--data", data_path))
    inputs = [template] + ([data_path] if data_path else [])
    if output is not None:
        check_output(output, inputs)  # an unusable -o fails before any work
    data = apply_settings(load_data(data_path), settings)
    env, source, name = _environment(template, strict)
    try:
        path = None if template == "-" else Path(template)
        if explain_line is not None:
            return _explain_if(env, source, name, path, explain_line, data)
        text = env.from_string(source, name=name, path=path).render(**data)
    except LiquidError as error:
        raise template_error(error, name) from None
    if output is None:
        click.echo(text, nl=False)
    else:
        with output_stream(output, inputs=inputs + _loaded(env)) as stream:
            stream.write(text)
    return EXIT_OK


def _explain_if(env: templating.Environment, source: str, name: str, path: Path | None,
                line: int, data: dict[str, Any]) -> int:
    from ladle.grammar.explain import render as draw
    from ladle.templating.explain import explain_if

    explained = explain_if(env, source, line, data, name=name, path=path)
    if not explained.conditions:
        raise UserError(name, f"no if, elsif or unless condition on line {line}")
    if not explained.traces:
        click.echo(f"{name}:{line}: the render did not reach the condition on this line")
    for condition in explained.traces:
        trace = condition.trace
        verdict = "error" if trace.error is not None else str(trace.truthy).lower()
        click.echo(f"{name}:{condition.line}:{condition.column}: {condition.tag}: {verdict}")
        click.echo(draw(trace))
    if explained.evaluations > len(explained.traces):
        click.echo(f"(the first {len(explained.traces)} of {explained.evaluations} "
                   f"evaluations)")
    return EXIT_OK


@click.command()
@click.argument("templates", nargs=-1, required=True,
                type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--data", "data_path", metavar="FILE|-",
              help="JSON data: also report variables the templates read that it lacks.")
def check(templates: tuple[str, ...], data_path: str | None) -> int:
    """Parse TEMPLATES (- reads standard input) and the partials they name, and report
    every syntax error and missing partial (and, with --data, every undefined variable),
    on standard output. Exit 1 when anything is found, 2 when a template cannot be read.

    \b
    Examples:
      ladle check examples/artist/artist.html
      ladle check examples/artist/artist.html --data examples/artist/artist.json
      echo '{{ x | upcase }}' | ladle check -
    """
    one_standard_input(*(("TEMPLATES", t) for t in templates), ("--data", data_path))
    data = load_data(data_path) if data_path else None
    problems = unreadable = 0
    for template in templates:
        try:
            source = read_text(template)
        except UserError as error:  # say so, and check the others
            report(error)
            unreadable += 1
            continue
        name = STDIN_NAME if template == "-" else template
        path = Path.cwd() / STDIN_NAME if template == "-" else Path(template)
        for finding in check_template(path, data, source=source):
            problems += 1
            where = str(path.parent / finding.file) if finding.file else name
            click.echo(UserError(where, finding.message, finding.source,
                                 finding.position).render())
    if problems:
        click.echo(f"{problems} problem{'s' if problems != 1 else ''} found")
    if unreadable:
        return EXIT_USAGE
    return EXIT_FAILED if problems else EXIT_OK
