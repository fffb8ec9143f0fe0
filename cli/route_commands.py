"""``ladle rules route`` and ``diff``: a catalog routed through rule files by an engine."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

import click

from ladle.cli.diagnostics import EXIT_FAILED, EXIT_OK, EXIT_USAGE, UserError
from ladle.cli.inputs import one_standard_input
from ladle.cli.output import (
    check_output,
    named_write_errors,
    output_stream,
    temporary_beside,
)
from ladle.cli.rules_commands import load_ruleset
from ladle.rules.assignments import FORMATS, assignment_writer, output_format, to_parquet
from ladle.rules.engine import ENGINES
from ladle.rules.engine import diff as diff_catalog
from ladle.rules.engine import route as route_catalog


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


@contextmanager
def _failures() -> Iterator[None]:
    """A catalog that cannot be read, or Spark failing to run, is a one-line error."""
    from ladle.rules.catalog import CatalogFileError
    from ladle.rules.spark_session import SparkFailure

    try:
        yield
    except CatalogFileError as error:
        raise UserError(error.file, error.message) from None
    except SparkFailure as error:
        raise UserError("spark", str(error)) from None
    except RuntimeError as error:
        # DuckDB turns a Ctrl-C into an error of its own: it is still a Ctrl-C
        interrupt = getattr(sys.modules.get("duckdb"), "InterruptException", None)
        if (interrupt is not None and isinstance(error, interrupt)) or \
                str(error) == "Query interrupted":
            raise KeyboardInterrupt from None
        raise


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
    with temporary_beside(target) as parquet, named_write_errors(output), \
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


@click.command()
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
    from ladle.rules.python_engine import short_of

    one_standard_input(("RULES", rules_file), ("CATALOG", catalog))
    ruleset = load_ruleset(rules_file)
    engine, spark = _spark(engine, spark_master, spark_remote)
    with _failures(), _progress(catalog, engine) as progress, (
            _assignments(output, output_file_format, [str(rules_file), catalog]) if output
            else nullcontext()) as write:
        report = route_catalog(ruleset, catalog, engine=engine, format=catalog_format,
                               progress=progress, output=write, notice=_notice, spark=spark)
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


@click.command("diff")
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
    one_standard_input(("OLD", old), ("NEW", new), ("CATALOG", catalog))
    before, after = load_ruleset(old), load_ruleset(new)
    engine, spark = _spark(engine, spark_master, spark_remote)
    with _failures(), _progress(catalog, engine) as progress:
        report = diff_catalog(before, after, catalog, engine=engine, format=catalog_format,
                              progress=progress, notice=_notice, spark=spark)
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
