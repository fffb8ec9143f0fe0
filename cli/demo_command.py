"""``ladle demo``: the main job on the bundled examples, written to one folder."""

from __future__ import annotations

import json
from pathlib import Path

import click

import grammar
from cli.diagnostics import EXIT_OK, UserError
from cli.inputs import parse_json, read_text
from cli.output import write_atomic

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


@click.command()
@click.option("-o", "--output", "out_dir", default="out", show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="Folder to write into.")
def demo(out_dir: Path) -> int:
    """Run the main job on the bundled examples and write the results to a folder.

    Today: evaluates the example placement rules (examples/placement.json) on the
    example records (examples/records.jsonl) and writes placement.txt.

    \b
    Example:
      ladle demo -o out
    """
    table = _placement(EXAMPLES)
    target = out_dir / "placement.txt"
    write_atomic(target, table)
    click.echo(table, nl=False)
    click.echo(f"wrote {target}")
    return EXIT_OK
