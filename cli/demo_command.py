"""``ladle demo``: the main job on the bundled examples, written to one folder."""

from __future__ import annotations

import json
from pathlib import Path

import click
from liquid.exceptions import LiquidError

import grammar
import player
import templating
from cli.diagnostics import EXIT_OK, UserError
from cli.inputs import parse_json, read_text
from cli.output import write_atomic
from cli.template_commands import template_error

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _placement(examples: Path) -> str:
    """Which example placement rule claims each example record, as a text table."""
    rules_path = examples / "placement.json"
    rules = parse_json(read_text(str(rules_path)), str(rules_path))
    names = list(rules)
    try:
        rule_set = grammar.compile_set([rules[name] for name in names])
    except grammar.ExpressionError as error:
        raise UserError(str(rules_path), error.message, error.source, error.position) from None
    records_path = examples / "records.jsonl"
    rows = [f"{'id':>21}  {'tag':<9} {'public':<6} claimed by"]
    for number, line in enumerate(read_text(str(records_path)).splitlines(), start=1):
        record = parse_json(line, f"{records_path}:{number}")
        values = rule_set.evaluate(record)
        claimed = [n for n, v in zip(names, values, strict=True) if grammar.truthy(v)]
        public = json.dumps(record.get("public"))
        rows.append(f"{record['id']:>21}  {record['tag']:<9} {public:<6} "
                    f"{', '.join(claimed) or '(nobody)'}")
    return "\n".join(rows) + "\n"


def _artist_page(examples: Path) -> str:
    """The example artist page rendered with its example data."""
    folder = examples / "artist"
    data = parse_json(read_text(str(folder / "artist.json")), str(folder / "artist.json"))
    env = templating.Environment(loader=templating.CachingFileSystemLoader(folder))
    try:
        return env.get_template("artist.html").render(**data)
    except LiquidError as error:
        raise template_error(error, folder / "artist.html") from None


def _layouts(examples: Path, out_dir: Path) -> str:
    """Check the example layouts, write their previews, and say what was found."""
    lines = []
    for path in sorted((examples / "layouts").glob("*.json")):
        findings = player.check(path)
        write_atomic(out_dir / f"layout-{path.stem}.svg", player.preview_svg(path))
        lines.append(f"{path.name}: {len(findings)} finding{'s' * (len(findings) != 1)}")
        lines.extend("  " + finding.render(path.name) for finding in findings)
    return "\n".join(lines) + "\n"


@click.command()
@click.option("-o", "--output", "out_dir", default="out", show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="Folder to write into.")
def demo(out_dir: Path) -> int:
    """Run the main job on the bundled examples and write the results to a folder.

    Renders the example artist page (examples/artist/) to artist.html, checks the
    example layouts (examples/layouts/) into layouts.txt with an SVG preview of each,
    and evaluates the example placement rules (examples/placement.json) on the example
    records (examples/records.jsonl) into placement.txt.

    \b
    Example:
      ladle demo -o out
    """
    page = _artist_page(EXAMPLES)
    table = _placement(EXAMPLES)
    write_atomic(out_dir / "artist.html", page)
    write_atomic(out_dir / "placement.txt", table)
    layouts = _layouts(EXAMPLES, out_dir)
    write_atomic(out_dir / "layouts.txt", layouts)
    click.echo(layouts, nl=False)
    click.echo(table, nl=False)
    click.echo(f"wrote into {out_dir}/: artist.html (open it in a browser), layouts.txt "
               "and layout-*.svg previews, placement.txt")
    return EXIT_OK
