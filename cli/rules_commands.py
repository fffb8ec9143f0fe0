"""``ladle rules …``: placement rules checked and matched from the command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

import rules
from cli.diagnostics import EXIT_FAILED, EXIT_OK, UserError
from cli.inputs import parse_json
from rules.check import check as check_rules
from rules.check import parse_vars


def _ruleset(path: Path) -> rules.RuleSet:
    try:
        return rules.parse(path)
    except rules.RuleError as error:
        raise UserError(error.file, error.message, error.source or None,
                        error.position) from None


@click.group("rules")
def rules_group() -> None:
    """Check placement rules and see which records they claim.

    \b
    Examples:
      ladle rules check examples/placement.rules --vars tag:string,id:int,public:bool
      ladle rules match examples/placement.rules --record '{"tag": "lossless", "id": 5}'
    """


@rules_group.command()
@click.argument("rules_file", metavar="RULES", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--vars", "variables", metavar="NAME:TYPE,...",
              help="The fields records have, with types string, int, float or bool.")
def check(rules_file: Path, variables: str | None) -> int:
    """Check a rule file: syntax, names no record has (did-you-mean), and comparisons
    that can never hold for the declared types. Exit 1 when anything is found.

    \b
    Examples:
      ladle rules check examples/placement.rules
      ladle rules check examples/placement.rules --vars tag:string,id:int,public:bool,size:int
    """
    try:
        types = None if variables is None else parse_vars(variables)
    except ValueError as error:
        raise UserError("--vars", str(error)) from None
    try:
        problems = check_rules(rules_file, types)
    except rules.RuleError as error:
        raise UserError(error.file, error.message) from None
    for problem in problems:
        click.echo(UserError(problem.file, problem.message, problem.source or None,
                             problem.position).render(), err=True)
    return EXIT_FAILED if problems else EXIT_OK


@rules_group.command()
@click.argument("rules_file", metavar="RULES", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--record", metavar="JSON", help="The record (default: read from stdin).")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def match(rules_file: Path, record: str | None, output_format: str) -> int:
    """Print the rules that claim one record, one name per line.

    \b
    Examples:
      ladle rules match examples/placement.rules --record '{"tag": "lossless", "id": 5}'
      ladle rules match examples/placement.rules --record '{"public": true}' --format json
    """
    ruleset = _ruleset(rules_file)
    text = record if record is not None else sys.stdin.read()
    data = parse_json(text, "--record" if record is not None else "<stdin>")
    if not isinstance(data, dict):
        raise UserError("--record", f"a record is a JSON object, not {type(data).__name__}")
    results = ruleset.evaluate(data)
    claimed = [n for n, (claims, _) in zip(ruleset.names, results, strict=True) if claims]
    errors = {n: e for n, (_, e) in zip(ruleset.names, results, strict=True) if e}
    if output_format == "json":
        click.echo(json.dumps({"claimed": claimed, "errors": errors}, ensure_ascii=False))
    else:
        for name in claimed:
            click.echo(name)
        for name, message in errors.items():
            click.echo(f"{rules_file}: error: rule {name!r} could not evaluate: {message}",
                       err=True)
    return EXIT_OK
