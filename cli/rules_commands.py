"""``ladle rules …``: placement rules checked and matched from the command line.

The catalog readers, checks, slot tools and Spark are imported by the commands that use
them, so that ``ladle rules match`` starts without them."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

import click

from ladle import grammar, rules
from ladle.cli.diagnostics import EXIT_FAILED, EXIT_OK, EXIT_USAGE, UserError
from ladle.cli.inputs import STDIN_NAME, parse_json, read_stdin, read_text
from ladle.cli.output import check_output, output_stream, temporary_beside, write_output
from ladle.rules.assignments import FORMATS, assignment_writer, output_format, to_parquet
from ladle.rules.engine import ENGINES
from ladle.rules.engine import diff as diff_catalog
from ladle.rules.engine import route as route_catalog
from ladle.rules.query import DIALECT_NAMES, to_sql


def _rule_source(path: Path | str) -> str:
    """The text of a rule file (standard input for ``-``), read as every input is read
    (``cli.inputs.read_text``: a byte-order mark is no text), for ``rules.parse``."""
    text = read_text(str(path))
    return text if "\n" in text else text + "\n"  # text, never taken for a file name


def _where(path: Path | str) -> str:
    return STDIN_NAME if str(path) == "-" else str(path)


def _ruleset(path: Path | str) -> rules.RuleSet:
    try:
        return rules.parse(_rule_source(path))
    except rules.RuleError as error:
        raise UserError(_where(path), error.message, error.source or None,
                        error.position) from None


@click.group("rules")
def rules_group() -> None:
    """Check placement rules, see which records they claim, and write them as SQL.

    \b
    Examples:
      ladle rules check examples/placement.rules --vars tag:string,id:int,public:bool
      ladle rules match examples/placement.rules --record '{"tag": "lossless", "id": 5}'
      ladle rules sql examples/placement.rules --dialect spark --vars id:int,tag:string,public:bool
    """


@rules_group.command()
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

    types: dict[str, str] | None = None
    if catalog is not None:
        try:
            types = sample_types(catalog, catalog_format)
        except CatalogFileError as error:
            raise UserError(error.file, error.message) from None
    try:
        if variables is not None:
            types = {**(types or {}), **parse_vars(variables)}
    except ValueError as error:
        raise UserError("--vars", str(error)) from None
    try:
        problems = check_rules(_rule_source(rules_file), types)
    except rules.RuleError as error:
        raise UserError(_where(rules_file), error.message) from None
    for problem in problems:
        click.echo(UserError(_where(rules_file), problem.message,
                             problem.source or None, problem.position).render())
    if problems:
        click.echo(f"{len(problems)} problem{'s' * (len(problems) != 1)} found")
    if types is None:
        click.echo("ladle: names and types not checked: give --vars NAME:TYPE,... or "
                   "--catalog FILE", err=True)
    return EXIT_FAILED if problems else EXIT_OK


@rules_group.command()
@click.argument("rules_file", metavar="RULES", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--record", metavar="JSON", help="The record (default: read from stdin).")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@click.option("--explain", is_flag=True,
              help="Show each rule's text with the value of every deciding part under it.")
@click.option("--stream", "streaming", is_flag=True,
              help="Read JSON Lines records on stdin until it ends; write one JSON line per "
                   "record as it arrives.")
@click.option("--only", metavar="NAME", help="With --stream: only whether rule NAME claims "
                                             "each record.")
def match(rules_file: str, record: str | None, output_format: str, explain: bool,
          streaming: bool, only: str | None) -> int:
    """Print the rules that claim one record, one name per line; with --stream, match
    every record of a JSON Lines stream.

    --stream writes {"line": N, "id": ..., "claimed": [...]} for each record ("errors"
    holds the message of each rule that could not evaluate, and a line that is not a
    record gives {"line": N, "error": ...}; the stream goes on).

    \b
    Examples:
      ladle rules match examples/placement.rules --record '{"tag": "lossless", "id": 5}'
      ladle rules match examples/placement.rules --record '{"public": true}' --format json
      ladle rules match examples/placement.rules --record '{"tag": "lossless", "id": 93}' --explain
      echo '{"tag": "lossless", "id": 93}' | ladle rules match examples/placement.rules --stream
      echo '{"id": 93}' | ladle rules match examples/placement.rules --stream --only linda
    """
    if only is not None and not streaming:
        raise UserError("--only", "--only goes with --stream")
    if streaming and (record is not None or explain or rules_file == "-"):
        raise UserError("--stream", "--stream reads the records on standard input: give "
                                    "the rules as a file, and no --record or --explain")
    if rules_file == "-" and record is None:
        raise UserError("--record", "give the record with --record when the rules come "
                                    "from standard input")
    ruleset = _ruleset(rules_file)
    if streaming:
        return _stream(ruleset, only)
    text = record if record is not None else read_stdin()
    data = parse_json(text, "--record" if record is not None else "<stdin>")
    if not isinstance(data, dict):
        raise UserError("--record", f"a record is a JSON object, not {type(data).__name__}")
    if explain:
        return _explain(ruleset, data, output_format)
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


def _explain(ruleset: rules.RuleSet, record: dict[str, Any], output_format: str) -> int:
    from ladle.grammar.explain import render, to_json

    traces = ruleset.explain(record)
    if output_format == "json":
        click.echo(json.dumps({
            "claimed": [name for name, trace in traces if trace.truthy],
            "rules": [{"name": name, "claimed": trace.truthy, **to_json(trace)}
                      for name, trace in traces]}, ensure_ascii=False))
        return EXIT_OK
    for name, trace in traces:
        verdict = "error" if trace.error is not None else str(trace.truthy).lower()
        click.echo(f"{name}: {verdict}")
        click.echo(render(trace))
    return EXIT_OK


def _stream(ruleset: rules.RuleSet, only: str | None) -> int:
    from ladle.rules.stream import stream

    if only is not None and only not in ruleset.names:
        raise UserError("--only", f"no rule named {only!r} (the rules: "
                                  f"{', '.join(ruleset.names)})")
    if sys.stdin is None:
        raise UserError(STDIN_NAME, "standard input is closed")
    # Bytes both ways; a text stream without one (an embedding host's) is adapted.
    source: Any = getattr(sys.stdin, "buffer", None) or _BytesOf(sys.stdin)
    out: Any = getattr(sys.stdout, "buffer", None) or _TextOf(sys.stdout)
    try:
        stream(ruleset, source, out, only=only)
    except BrokenPipeError:  # the reader went away: a normal end for a stream
        return EXIT_OK
    return EXIT_OK


class _BytesOf:
    """A text input stream read as UTF-8 bytes."""

    def __init__(self, text: Any) -> None:
        self.text = text

    def read(self, size: int) -> bytes:
        return str(self.text.read(size)).encode("utf-8", "surrogatepass")


class _TextOf:
    """A text output stream written with the stream's ASCII bytes."""

    def __init__(self, text: Any) -> None:
        self.text = text

    def write(self, data: bytes) -> None:
        self.text.write(data.decode("ascii"))

    def flush(self) -> None:
        self.text.flush()


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


@rules_group.command()
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


@rules_group.command()
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
    ruleset = _ruleset(rules_file)
    try:
        text, fraction = rebalance_rules(ruleset, add=_weights(added, "--add"), remove=removed)
    except ValueError as error:
        raise UserError(str(rules_file), str(error)) from None
    _emit(text, output, [rules_file])
    click.echo(f"{fraction:.1%} of the slots move", err=True)
    return EXIT_OK


def _engine(function: Callable[..., int]) -> Callable[..., int]:
    """The --engine option, and where the spark engine runs."""
    function = click.option(
        "--spark-remote", metavar="sc://HOST:PORT",
        help="Run the spark engine through Spark Connect at this address.")(function)
    function = click.option(
        "--spark-master", metavar="URL",
        help="Run the spark engine on this Spark master (default: spark-defaults.conf, "
             "else local[*]).")(function)
    return click.option(
        "--engine", type=click.Choice(ENGINES), default="auto", show_default=True,
        help="python streams records; duckdb runs the rules as SQL over the file (JSON "
             "Lines or Parquet); spark runs them as Spark SQL (files, globs and folders of "
             "Parquet or JSON Lines); auto takes duckdb from 32 MiB on. Same results "
             "either way.")(function)


def _spark(engine: str, master: str | None, remote: str | None) -> tuple[str, tuple[
        str | None, str | None]]:
    """The engine (--spark-master or --spark-remote ask for spark) and where Spark runs."""
    if (master or remote) and engine == "auto":
        engine = "spark"
    if master and remote:
        raise UserError("--spark-remote", "give --spark-master or --spark-remote, not both")
    return engine, (master, remote)


def _notice(text: str) -> None:
    click.echo(f"ladle: {text}", err=True)


@contextmanager
def _assignments(output: str, format: str | None, inputs: list[str]) -> Iterator[Any]:
    """The stream of assignment lines for ``--output``, in the format its name or
    ``--output-format`` gives; a Parquet file is converted from JSON Lines at the end, and
    appears only when the whole run succeeded."""
    from ladle.rules.catalog import NEEDS_DUCKDB

    kind = format or output_format(output)
    if kind is None:
        raise UserError(output, "cannot tell the output format from the name; give "
                                f"--output-format ({', '.join(FORMATS)})")
    if kind != "parquet":
        with output_stream(output, inputs=inputs) as stream:
            yield assignment_writer(stream, kind)
        return
    if importlib.util.find_spec("duckdb") is None:
        raise UserError(output, NEEDS_DUCKDB.format(what="writing Parquet"))
    target = check_output(output, inputs)
    if target is None:
        raise UserError(output, "Parquet is written to a file, not a stream")
    with temporary_beside(target) as parquet, \
            temporary_beside(target, keep=False, suffix=".tmp.jsonl") as lines:
        with lines.open("w", encoding="utf-8") as stream:
            yield assignment_writer(stream, "jsonl")
        to_parquet(lines, parquet)


@contextmanager
def _progress(catalog: str, engine: str) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on a terminal (by bytes of the catalog read); nothing when piped, or
    for Spark (whose catalog may be a folder, a glob or a URL)."""
    from ladle.rules.catalog import catalog_size

    total = 0 if engine == "spark" else catalog_size(catalog)
    if not sys.stderr.isatty() or total == 0:
        yield None
        return
    # rich is loaded only here: a command that shows no bar starts without it.
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeRemainingColumn,
    )

    columns = (TextColumn("routing"), BarColumn(), TaskProgressColumn(),
               TextColumn("{task.fields[records]}"), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("route", total=total, records="")

        def update(records: int, done: int) -> None:
            # the duckdb engine knows the bytes read, not the records
            bar.update(task, completed=done, records=f"{records:,} records" if records else "")

        yield update


def _line_of(failure: dict[str, Any]) -> str:
    """Where a sampled error is: its line, after its file in a catalog of several files."""
    where = f"line {failure['line']}"
    return f"{failure['file']} {where}" if "file" in failure else where


def report_table(report: dict[str, Any]) -> str:
    rows = [f"{'rule':<20} {'records':>12} {'bytes':>16}"]
    for name, counts in report["rules"].items():
        rows.append(f"{name:<20} {counts['records']:>12,} {counts['bytes']:>16,}")
    rows.append(f"{'all records':<20} {report['records']:>12,} {report['bytes']:>16,}")
    copies = ", ".join(f"{n} rule{'s' * (n != '1')}: {c:,}" for n, c in report["copies"].items())
    rows.append(f"claimed by {copies}")
    rows.append(f"unclaimed: {report['unclaimed']['records']:,}; "
                f"errors: {report['errors']['records']:,}")
    rows.extend(f"  {_line_of(e)}: {e['message']}" + (f" (rule {e['rule']})"
                                                     if e["rule"] else "")
                for e in report["errors"]["sample"])
    return "\n".join(rows) + "\n"


@rules_group.command()
@click.argument("rules_file", metavar="RULES", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("catalog", metavar="CATALOG")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="json prints one JSON document.")
@click.option("--catalog-format", type=click.Choice(["jsonl", "csv", "parquet"]),
              help="The catalog's format (default: from its extension; JSON Lines on stdin).")
@click.option("--require-copies", type=click.IntRange(0), metavar="N",
              help="Exit 1 when any record has fewer than N claiming rules.")
@click.option("--strict", is_flag=True, help="Exit 2 when any record could not be evaluated.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True),
              help="Write each record's assignment here (atomically): JSON Lines (.jsonl, "
                   ".ndjson, - for standard output), CSV (.csv) or Parquet (.parquet).")
@click.option("--output-format", "output_file_format", type=click.Choice(FORMATS),
              help="The format of --output (default: from its name).")
@_engine
def route(rules_file: Path, catalog: str, output_format: str, catalog_format: str | None,
          require_copies: int | None, strict: bool, output: str | None,
          output_file_format: str | None, engine: str, spark_master: str | None,
          spark_remote: str | None) -> int:
    """Route a catalog (JSON Lines, CSV, Parquet, or - for stdin) through the rules: per
    rule the records and bytes it claims, the records no rule claims, and the errors.

    \b
    Examples:
      ladle rules route examples/placement.rules examples/catalog.jsonl
      ladle rules route examples/placement.rules examples/catalog.jsonl --require-copies 1
      ladle rules route examples/placement.rules examples/catalog.jsonl -o where.parquet
    """
    from ladle.rules.catalog import CatalogFileError
    from ladle.rules.python_engine import short_of
    from ladle.rules.spark_session import SparkFailure

    ruleset = _ruleset(rules_file)
    engine, spark = _spark(engine, spark_master, spark_remote)
    try:
        with _progress(catalog, engine) as progress, (
                _assignments(output, output_file_format, [str(rules_file), catalog]) if output
                else nullcontext()) as write:
            report = route_catalog(ruleset, catalog, engine=engine, format=catalog_format,
                                   progress=progress, output=write, notice=_notice,
                                   spark=spark)
    except CatalogFileError as error:
        raise UserError(error.file, error.message) from None
    except SparkFailure as error:
        raise UserError("spark", str(error)) from None
    if output_format == "json":
        click.echo(json.dumps(report, ensure_ascii=False))
    else:
        click.echo(report_table(report), nl=False)
    if strict and report["errors"]["records"]:
        failed = report["errors"]["records"]
        click.echo(f"{catalog}: error: {failed:,} record{'s' * (failed != 1)} could not be "
                   "evaluated (--strict)", err=True)
        return EXIT_USAGE
    if require_copies is not None and short_of(report, require_copies):
        click.echo(copies_short(short_of(report, require_copies), require_copies), err=True)
        return EXIT_FAILED
    return EXIT_OK


def copies_short(records: int, required: int) -> str:
    """``370 records have no copy (--require-copies 1)``, in words that read right.

    >>> copies_short(1, 2)
    '1 record has fewer than 2 copies (--require-copies 2)'
    """
    subject = f"{records:,} record{'s' * (records != 1)} {'has' if records == 1 else 'have'}"
    wanted = "no copy" if required == 1 else f"fewer than {required} copies"
    return f"{subject} {wanted} (--require-copies {required})"


@rules_group.command("diff")
@click.argument("old", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("new", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("catalog", metavar="CATALOG")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="json prints one JSON document.")
@click.option("--catalog-format", type=click.Choice(["jsonl", "csv", "parquet"]),
              help="The catalog's format (default: from its extension).")
@_engine
def diff_command(old: Path, new: Path, catalog: str, output_format: str,
                 catalog_format: str | None, engine: str, spark_master: str | None,
                 spark_remote: str | None) -> int:
    """What changing the rules would move: per rule the records it gains and loses, and the
    records that would lose their last copy.

    \b
    Example:
      ladle rules diff examples/placement.rules examples/placement.rules examples/catalog.jsonl
    """
    from ladle.rules.catalog import CatalogFileError
    from ladle.rules.spark_session import SparkFailure

    before, after = _ruleset(old), _ruleset(new)
    engine, spark = _spark(engine, spark_master, spark_remote)
    try:
        with _progress(catalog, engine) as progress:
            report = diff_catalog(before, after, catalog, engine=engine,
                                  format=catalog_format, progress=progress, notice=_notice,
                                  spark=spark)
    except CatalogFileError as error:
        raise UserError(error.file, error.message) from None
    except SparkFailure as error:
        raise UserError("spark", str(error)) from None
    if output_format == "json":
        click.echo(json.dumps(report, ensure_ascii=False))
        return EXIT_OK
    click.echo(f"{report['changed']:,} of {report['records']:,} records change hands")
    for name, counts in report["rules"].items():
        click.echo(f"  {name:<20} +{counts['gained']:,} -{counts['lost']:,}")
    orphaned = report["orphaned"]["records"]
    click.echo(f"{orphaned:,} record{'s' * (orphaned != 1)} would lose "
               f"{'its' if orphaned == 1 else 'their'} last copy")
    click.echo(f"errors: {report['errors']['records']:,}")
    for failure in report["errors"]["sample"]:
        rule = f" ({failure['rules']} rule {failure['rule']})" if failure["rule"] else ""
        click.echo(f"  {_line_of(failure)}: {failure['message']}{rule}")
    return EXIT_OK


@rules_group.command("sql")
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

    ruleset = _ruleset(rules_file)
    try:
        types = parse_vars(variables) if variables is not None else None
    except ValueError as error:
        raise UserError("--vars", str(error)) from None
    try:
        text = to_sql(ruleset, dialect, catalog=catalog, format=catalog_format, types=types)
    except grammar.ExpressionError as error:
        raise UserError(_where(rules_file), error.message) from None
    except ValueError as error:
        raise UserError("--vars", str(error)) from None
    click.echo(text)
    return EXIT_OK
