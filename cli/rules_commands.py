"""``ladle rules …``: placement rules checked and matched from the command line.

The group imports a command's module when that command runs (``cli.app.LazyGroup``), and the
catalog readers, checks, slot tools and Spark load inside the commands that use them, so
that ``ladle rules match`` starts without them. This module holds the group, ``match``
and what every rules command shares: reading a rule file."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

import click

from ladle import rules
from ladle.cli.app import LazyGroup
from ladle.cli.diagnostics import EXIT_OK, UserError
from ladle.cli.inputs import STDIN_NAME, json_kind, parse_json, read_stdin, read_text

if TYPE_CHECKING:
    from pathlib import Path

# Each command: (module, attribute, the one line `ladle rules --help` shows).
COMMANDS: dict[str, tuple[str, str, str]] = {
    "check": ("ladle.cli.rule_file_commands", "check",
              "Check a rule file: syntax, names no record has (did-you-mean), and comparisons "
              "that can never hold for the fields' types."),
    "diff": ("ladle.cli.route_commands", "diff_command",
             "What changing the rules would move: per rule the records it gains and loses, "
             "and the records that would lose their last copy."),
    "match": ("ladle.cli.rules_commands", "match",
              "Print the rules that claim one record, one name per line; with --stream, "
              "match every record of a JSON Lines stream."),
    "rebalance": ("ladle.cli.rule_file_commands", "rebalance",
                  "Rewrite a slot-based rule file so that machines join or leave moving as "
                  "few slots as possible; the fraction of slots that move goes to standard "
                  "error."),
    "route": ("ladle.cli.route_commands", "route",
              "Route a catalog (JSON Lines, CSV, Parquet, or - for stdin) through the rules: "
              "per rule the records and bytes it claims, the records no rule claims, and "
              "the errors."),
    "slots": ("ladle.cli.rule_file_commands", "slots",
              "Write a rule file that gives each machine a share of slot(KEY, SLOTS) "
              "proportional to its weight, as contiguous ranges."),
    "sql": ("ladle.cli.rule_file_commands", "sql_command",
            "Print the SQL query that routes a catalog through the rules: one row per "
            "record, one boolean column per rule, with ladle's semantics (nil, modulo sign, "
            "exact integers, slot())."),
}


def rule_source(path: Path | str) -> str:
    """The text of a rule file (standard input for ``-``), read as every input is read
    (``cli.inputs.read_text``: a byte-order mark is no text), for ``rules.parse``."""
    text = read_text(str(path))
    return text if "\n" in text else text + "\n"  # text, never taken for a file name


def rule_file_name(path: Path | str) -> str:
    """The name errors give a rule file: ``<stdin>`` for ``-``."""
    return STDIN_NAME if str(path) == "-" else str(path)


def load_ruleset(path: Path | str) -> rules.RuleSet:
    """The rule file compiled; a rule that does not compile is a positioned ``UserError``."""
    try:
        return rules.parse(rule_source(path))
    except rules.RuleError as error:
        raise UserError(rule_file_name(path), error.message, error.source or None,
                        error.position) from None


@click.group("rules", cls=LazyGroup, lazy=COMMANDS)
def rules_group() -> None:
    """Check placement rules, see which records they claim, and write them as SQL.

    \b
    Examples:
      ladle rules check examples/placement.rules --vars tag:string,id:int,public:bool
      ladle rules match examples/placement.rules --record '{"tag": "lossless", "id": 5}'
      ladle rules sql examples/placement.rules --dialect spark --vars id:int,tag:string,public:bool
    """


@click.command()
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
    ruleset = load_ruleset(rules_file)
    if streaming:
        return _stream(ruleset, only)
    text = record if record is not None else read_stdin()
    where = "--record" if record is not None else STDIN_NAME
    data = parse_json(text, where)
    if not isinstance(data, dict):
        raise UserError(where, f"a record is a JSON object, not {json_kind(data)}")
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
