"""``ladle demo``: the main job on the bundled examples, written to one folder."""

from __future__ import annotations

import json
from pathlib import Path

import click
from liquid.exceptions import LiquidError

from ladle import player, rules, templating
from ladle.cli.diagnostics import EXIT_OK, UserError
from ladle.cli.inputs import parse_json, read_text
from ladle.cli.output import write_output
from ladle.cli.route_commands import report_table
from ladle.cli.template_commands import template_error

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _routing(examples: Path) -> tuple[str, str]:
    """The example catalog routed through the example placement rules: (table, JSON)."""
    ruleset = rules.parse(examples / "placement.rules")
    report = rules.route(ruleset, str(examples / "catalog.jsonl"))
    return report_table(report), json.dumps(report, indent=2, ensure_ascii=False) + "\n"


def _artist_page(examples: Path) -> str:
    """The example artist page rendered with its example data."""
    folder = examples / "artist"
    data = parse_json(read_text(str(folder / "artist.json")), str(folder / "artist.json"))
    env = templating.Environment(loader=templating.CachingFileSystemLoader(folder))
    try:
        return env.get_template("artist.html").render(**data)
    except LiquidError as error:
        raise template_error(error, str(folder / "artist.html")) from None


def _layouts(examples: Path, out_dir: Path) -> str:
    """Check the example layouts, write their previews, and say what was found."""
    lines = []
    for path in sorted((examples / "layouts").glob("*.json")):
        findings = player.check(path)
        write_output(out_dir / f"layout-{path.stem}.svg", player.preview_svg(path))
        lines.append(f"{path.name}: {player.summary(findings)}")
        lines.extend("  " + finding.render(path.name) for finding in findings)
    return "\n".join(lines) + "\n"


@click.command()
@click.option("-o", "--output", "out_dir", default="out", show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="Folder to write into.")
def demo(out_dir: Path) -> int:
    """Run the main job on the bundled examples and write the results to a folder.

    Renders the example artist page (examples/artist/) to artist.html (with its
    stylesheet, artist.css), checks the
    example layouts (examples/layouts/) into layouts.txt with an SVG preview of each,
    and routes the example catalog (examples/catalog.jsonl) through the example
    placement rules (examples/placement.rules) into route.txt and route.json.

    \b
    Example:
      ladle demo -o out
    """
    page = _artist_page(EXAMPLES)
    table, report = _routing(EXAMPLES)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UserError(str(out_dir), f"cannot make the folder: {error.strerror or error}") \
            from None
    write_output(out_dir / "artist.html", page)
    write_output(out_dir / "artist.css",
                 (EXAMPLES / "artist" / "artist.css").read_text(encoding="utf-8"))
    write_output(out_dir / "route.txt", table)
    write_output(out_dir / "route.json", report)
    layouts = _layouts(EXAMPLES, out_dir)
    write_output(out_dir / "layouts.txt", layouts)
    click.echo(layouts, nl=False)
    click.echo(table, nl=False)
    click.echo(f"wrote into {out_dir}/: artist.html and artist.css (open the page in a browser), "
               "layouts.txt and layout-*.svg previews, route.txt and route.json")
    return EXIT_OK
