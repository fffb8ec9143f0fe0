"""``ladle layout check|resolve|embed|preview|serve``: player layouts from a file or a preset."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from ladle import player
from ladle.cli.diagnostics import EXIT_FAILED, EXIT_OK, EXIT_USAGE, UserError
from ladle.cli.inputs import STDIN_NAME, read_stdin
from ladle.cli.output import write_output
from ladle.cli.serve_command import serve
from ladle.player.bundled import preset_path


def _source(layout: str | None, preset: str | None) -> tuple[Path | bytes, str]:
    """The layout (a file, or the bytes of standard input for ``-``) and the name to
    report it by."""
    if (layout is None) == (preset is None):
        raise UserError("ladle layout", "give a LAYOUT file or --preset NAME (one of them)")
    if preset is not None:
        try:
            return preset_path(preset), f"preset:{preset}"
        except KeyError as error:
            raise UserError("--preset", str(error.args[0])) from None
    assert layout is not None
    if not layout:
        raise UserError("''", "the file name is empty")
    if layout == "-":
        return read_stdin().encode("utf-8"), STDIN_NAME
    return Path(layout), layout


def _report(findings: list[player.Finding], name: str, *, err: bool = True) -> None:
    for finding in findings:
        click.echo(finding.render(name), err=err)


def _failure_code(findings: list[player.Finding]) -> int:
    return EXIT_USAGE if any(f.code == "json" for f in findings) else EXIT_FAILED


TRACKS = click.IntRange(1, 10_000)  # tracks on a player
ALBUM_TRACKS = "Tracks on the album player (default 10; a track player has 1)."


def layout_options(command: Callable[..., Any]) -> Callable[..., Any]:
    command = click.option("--preset", metavar="NAME",
                           help="Use a bundled preset instead of a file.")(command)
    return click.argument("layout", required=False, metavar="[LAYOUT]")(command)


@click.group()
def layout() -> None:
    """Check, resolve, embed, preview and edit player layouts.

    \b
    Examples:
      ladle layout check examples/layouts/good.json
      ladle layout resolve --preset tall --variant track
      ladle layout serve examples/layouts/mistakes.json
    """


@layout.command()
@layout_options
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="json prints the findings as a JSON list.")
@click.option("--strict", is_flag=True, help="Warnings fail the check too.")
@click.option("--tracks", type=TRACKS, help=ALBUM_TRACKS)
def check(layout: str | None, preset: str | None, output_format: str, strict: bool,
          tracks: int | None) -> int:
    """Check a layout (- reads it from standard input): every finding with its
    file:line:col, on standard output. Exit 1 on an error, 2 when it cannot be read.

    \b
    Examples:
      ladle layout check examples/layouts/mistakes.json
      ladle layout check --preset square --format json
      echo '{"w": 300}' | ladle layout check -
    """
    path, name = _source(layout, preset)
    findings = player.check(path, tracks=tracks)
    if output_format == "json":
        click.echo(json.dumps([f.__dict__ for f in findings], indent=2, ensure_ascii=False))
    else:
        _report(findings, name, err=False)
        if findings:
            click.echo(player.summary(findings))
    unreadable = [f for f in findings if f.code == "json"]
    if unreadable:
        if output_format == "json":  # the reason on its own line too, as for any exit 2
            _report(unreadable, name)
        return EXIT_USAGE
    failed = any(f.severity == "error" or strict for f in findings)
    return EXIT_FAILED if failed else EXIT_OK


def _explain(path: Path | bytes, name: str, field: str, variant: str, tracks: int | None,
             output_format: str) -> int:
    from ladle.grammar.explain import plain, render, to_json
    from ladle.player.resolve import explain

    try:
        value, trace = explain(path, field, variant=variant, tracks=tracks)
    except player.LayoutError as error:
        _report(error.findings, name)
        return _failure_code(error.findings)
    except ValueError as error:
        raise UserError("--explain", str(error)) from None
    if output_format == "json":
        click.echo(json.dumps({"field": field, "value": plain(value),
                               **({} if trace is None else to_json(trace))},
                              ensure_ascii=False))
    else:
        click.echo(f"{field}: {json.dumps(plain(value), ensure_ascii=False)}")
        click.echo("  (written as a value, not an expression)" if trace is None
                   else render(trace))
    return EXIT_OK


@layout.command()
@layout_options
@click.option("--variant", type=click.Choice(["album", "track"]), default="album",
              show_default=True)
@click.option("--tracks", type=TRACKS, help="Tracks on the player.")
@click.option("--explain", "field", metavar="ELEMENT.FIELD",
              help="Show how this field resolves: its expression with the value of every "
                   "deciding part under it.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]),
              default="text", show_default=True, help="With --explain: text or a JSON tree.")
def resolve(layout: str | None, preset: str | None, variant: str, tracks: int | None,
            field: str | None, output_format: str) -> int:
    """Print the layout as the player draws it (canonical JSON) and its fingerprint on stderr.

    \b
    Examples:
      ladle layout resolve --preset tall
      ladle layout resolve examples/layouts/good.json --variant track
      ladle layout resolve examples/layouts/good.json --explain maintext.x
    """
    path, name = _source(layout, preset)
    if field is not None:
        return _explain(path, name, field, variant, tracks, output_format)
    try:
        resolved = player.resolve(path, variant=variant, tracks=tracks)
    except player.LayoutError as error:
        _report(error.findings, name)
        return _failure_code(error.findings)
    click.echo(player.canonical_json(resolved).decode("utf-8"))
    click.echo(f"fingerprint {player.fingerprint(resolved)}", err=True)
    return EXIT_OK


@layout.command()
@layout_options
@click.option("--layout-url", required=True, help="Where the layout file is served.")
@click.option("--player-url", required=True, help="The player's base URL.")
@click.option("--album", metavar="ID", help="An album player for this album.")
@click.option("--track", metavar="ID", help="A track player for this track.")
@click.option("--debug", is_flag=True, help="Make the player cache-bust the layout URL.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="json prints the HTML with the size and variant.")
def embed(layout: str | None, preset: str | None, layout_url: str, player_url: str,
          album: str | None, track: str | None, debug: bool, output_format: str) -> int:
    """Print the embed code: an iframe sized by the resolved layout.

    \b
    Example:
      ladle layout embed --preset button --track 7 --layout-url https://a.io/b.json --player-url https://p.io
    """
    path, name = _source(layout, preset)
    try:
        html = player.embed_code(path, layout_url=layout_url, player_url=player_url,
                                 album=album, track=track, debug=debug)
        if output_format == "json":
            variant = "album" if album is not None else "track"
            resolved = player.resolve(path, variant=variant)
            html = json.dumps({"html": html, "variant": variant, "width": resolved["w"],
                               "height": resolved["h"]}, ensure_ascii=False)
        click.echo(html)
    except player.LayoutError as error:
        _report(error.findings, name)
        return _failure_code(error.findings)
    except ValueError as error:
        raise UserError("ladle layout embed", str(error)) from None
    return EXIT_OK


@layout.command()
@layout_options
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True),
              help="Write the SVG here (atomically; - is standard output) instead of to "
                   "standard output.")
@click.option("--tracks", type=TRACKS, help=ALBUM_TRACKS)
def preview(layout: str | None, preset: str | None, output: str | None,
            tracks: int | None) -> int:
    """Draw both variants side by side as SVG, with every finding marked on its element.

    \b
    Examples:
      ladle layout preview --preset wide -o wide.svg
      ladle layout preview examples/layouts/mistakes.json -o mistakes.svg
    """
    path, name = _source(layout, preset)
    unreadable = [f for f in player.check(path) if f.code == "json"]
    if unreadable:  # nothing to draw
        _report(unreadable, name)
        return EXIT_USAGE
    svg = player.preview_svg(path, tracks=tracks)
    if output is None:
        click.echo(svg, nl=False)
    else:
        write_output(output, svg, inputs=[path] if isinstance(path, Path) else [])
    return EXIT_OK


layout.add_command(serve)
