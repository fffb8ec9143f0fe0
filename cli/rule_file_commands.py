"""``ladle rules check``, ``slots``, ``rebalance`` and ``sql``: commands that check, write
or translate a rule file."""

from __future__ import annotations

from pathlib import Path

import click

from ladle import grammar, rules
from ladle.cli.diagnostics import EXIT_FAILED, EXIT_OK, UserError
from ladle.cli.inputs import one_standard_input
from ladle.cli.output import write_output
from ladle.cli.rules_commands import load_ruleset, rule_file_name, rule_source
from ladle.rules.query import DIALECT_NAMES, to_sql


@click.command()
@click.argument("rules_file", metavar="RULES", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--vars", "variables", metavar="NAME:TYPE,...",
              help="The fields records have, with types string, int, float, bool or any.")
@click.option("--catalog", metavar="FILE",
              help="Take the fields and their types from the first records of this catalog.")
@click.option("--catalog-format", type=click.Choice(["jsonl", "csv", "parquet"]),
              help="The catalog's format (default: from its extension).")
def check(rules_file: str, variables: str | None, catalog: str | None,
          catalog_format: str | None) -> int:
    """Check a rule file: syntax, names no record has (did-you-mean), and comparisons
    that can never hold for the fields' types. Exit 1 when anything is found.

    The fields come from --vars, or from the first 10,000 records of --catalog (a field
    holding values of several types there is "any"), or both (--vars wins).

    \b
    Examples:
      ladle rules check examples/placement.rules
      ladle rules check examples/placement.rules --vars tag:string,id:int,public:bool,size:int
      ladle rules check examples/placement.rules --catalog examples/catalog.jsonl
    """
    from ladle.rules.catalog import CatalogFileError
    from ladle.rules.check import check as check_rules
    from ladle.rules.check import parse_vars, sample_types

    one_standard_input(("RULES", rules_file), ("--catalog", catalog))
    types: dict[str, str] | None = None
    if catalog is not None:
        try:
            types = sample_types(catalog, catalog_format) or None
        except CatalogFileError as error:
            raise UserError(error.file, error.message) from None
        if types is None and variables is None:  # not "unknown variable" for every name
            click.echo(f"ladle: names and types not checked: {catalog} holds no record "
                       "with a field", err=True)
    try:
        if variables is not None:
            types = {**(types or {}), **parse_vars(variables)}
    except ValueError as error:
        raise UserError("--vars", str(error)) from None
    try:
        problems = check_rules(rule_source(rules_file), types)
    except rules.RuleError as error:
        raise UserError(rule_file_name(rules_file), error.message) from None
    for problem in problems:
        click.echo(UserError(rule_file_name(rules_file), problem.message,
                             problem.source or None, problem.position).render())
    if problems:
        click.echo(f"{len(problems)} problem{'s' * (len(problems) != 1)} found")
    if types is None and catalog is None:
        click.echo("ladle: names and types not checked: give --vars NAME:TYPE,... or "
                   "--catalog FILE", err=True)
    return EXIT_FAILED if problems else EXIT_OK


def _weights(pairs: tuple[str, ...], option: str) -> dict[str, float]:
    weights: dict[str, float] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if name in weights:
            raise UserError(option, f"{name!r} is given twice")
        try:
            weights[name] = float(value) if sep else 1.0
        except ValueError:
            raise UserError(option, f"expected NAME=WEIGHT, got {pair!r}") from None
    return weights


def _emit(text: str, output: str | None, inputs: list[Path]) -> None:
    if output is None:
        click.echo(text, nl=False)
    else:
        write_output(output, text, inputs=inputs)


@click.command()
@click.argument("machines", nargs=-1, required=True, metavar="NAME=WEIGHT...")
@click.option("--slots", "count", type=click.IntRange(1, 1_000_000), default=1024,
              show_default=True, help="How many slots to share out.")
@click.option("--key", default="id", show_default=True, help="The record field to slot by.")
@click.option("--where", metavar="EXPR", help="Only records where EXPR holds.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True),
              help="Write the rule file here (atomically; - is standard output).")
def slots(machines: tuple[str, ...], count: int, key: str, where: str | None,
          output: str | None) -> int:
    """Write a rule file that gives each machine a share of slot(KEY, SLOTS) proportional
    to its weight, as contiguous ranges.

    \b
    Examples:
      ladle rules slots morbo=1 linda=1 calculon=1
      ladle rules slots --slots 1024 --where "tag == 'lossless'" morbo=2 linda=1
    """
    from ladle.rules.slots import slot_rules

    try:
        text = slot_rules(_weights(machines, "NAME=WEIGHT"), slots=count, key=key, where=where)
    except grammar.ExpressionError as error:
        raise UserError("--where", error.message, error.source or where,
                        0 if error.position is None else error.position) from None
    except ValueError as error:
        raise UserError("ladle rules slots", str(error)) from None
    _emit(text, output, [])
    return EXIT_OK


@click.command()
@click.argument("rules_file", metavar="RULES", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--add", "added", multiple=True, metavar="NAME=WEIGHT", help="A new machine.")
@click.option("--remove", "removed", multiple=True, metavar="NAME", help="A machine to drop.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True),
              help="Write the rewritten rule file here (atomically; - is standard output).")
def rebalance(rules_file: Path, added: tuple[str, ...], removed: tuple[str, ...],
              output: str | None) -> int:
    """Rewrite a slot-based rule file so that machines join or leave moving as few slots as
    possible; the fraction of slots that move goes to standard error.

    \b
    Examples:
      ladle rules slots a=1 b=1 c=1 d=1 e=1 -o five.rules
      ladle rules rebalance five.rules --add f=1
    """
    from ladle.rules.slots import rebalance as rebalance_rules

    if not added and not removed:
        raise UserError("ladle rules rebalance", "give --add NAME=WEIGHT or --remove NAME")
    ruleset = load_ruleset(rules_file)
    try:
        text, fraction = rebalance_rules(ruleset, add=_weights(added, "--add"), remove=removed)
    except ValueError as error:
        raise UserError(str(rules_file), str(error)) from None
    _emit(text, output, [rules_file])
    click.echo(f"{fraction:.1%} of the slots move", err=True)
    return EXIT_OK


@click.command("sql")
@click.argument("rules_file", metavar="RULES", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--dialect", type=click.Choice(DIALECT_NAMES), default="duckdb",
              show_default=True, help="The SQL engine the query is written for.")
@click.option("--catalog-format", type=click.Choice(["jsonl", "parquet"]), default="jsonl",
              show_default=True, help="What the query reads.")
@click.option("--catalog", metavar="PATH",
              help="The catalog the query reads (default: catalog.jsonl or catalog.parquet).")
@click.option("--vars", "variables", metavar="NAME:TYPE,...",
              help="The types of the fields the rules use: string, int, float, bool or any "
                   "(Spark and Parquet need one for each).")
def sql_command(rules_file: str, dialect: str, catalog_format: str, catalog: str | None,
                variables: str | None) -> int:
    """Print the SQL query that routes a catalog through the rules: one row per record, one
    boolean column per rule, with ladle's semantics (nil, modulo sign, exact integers,
    slot()).

    \b
    Examples:
      ladle rules sql examples/placement.rules --dialect spark --vars tag:string,id:int,public:bool
      ladle rules sql examples/placement.rules --vars tag:string,id:int
    """
    from ladle.rules.check import parse_vars

    ruleset = load_ruleset(rules_file)
    try:
        types = parse_vars(variables) if variables is not None else None
    except ValueError as error:
        raise UserError("--vars", str(error)) from None
    try:
        text = to_sql(ruleset, dialect, catalog=catalog, format=catalog_format, types=types)
    except grammar.ExpressionError as error:
        raise UserError(rule_file_name(rules_file), error.message) from None
    except ValueError as error:
        raise UserError("--vars", str(error)) from None
    click.echo(text)
    return EXIT_OK
