"""``ladle eval``: compile and evaluate one expression."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import click

from ladle import grammar
from ladle.cli.diagnostics import EXIT_FAILED, EXIT_OK, UserError, report
from ladle.cli.inputs import apply_settings, load_data
from ladle.grammar.names import check_filter_arguments


def _filters(expression: str) -> Mapping[str, Callable[..., Any]] | None:
    """The standard filters, loaded (with python-liquid) only for an expression that may
    use one: a filter needs a '|'."""
    if "|" not in expression:
        return None
    from ladle import filters

    return filters.table()


@click.command("eval")
@click.argument("expression")
@click.option("--data", "data_path", metavar="FILE|-", help="JSON object with the variables.")
@click.option("--set", "settings", metavar="KEY=VALUE", multiple=True,
              help="Set a variable (VALUE is JSON if it parses, else a string). Repeatable.")
@click.option("--strict", is_flag=True, help="Undefined variables are an error, not nil.")
@click.option("--test", "test_mode", is_flag=True,
              help="Print nothing; exit 0 if the result is truthy, 1 if not.")
@click.option("--explain", is_flag=True,
              help="Also show the expression with the value of every deciding part under it.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]),
              default="text", show_default=True, help="With --explain: text or a JSON tree.")
def eval_command(expression: str, data_path: str | None, settings: tuple[str, ...],
                 strict: bool, test_mode: bool, explain: bool, output_format: str) -> int:
    """Evaluate EXPRESSION and print the result as JSON.

    Exit codes: 0 success (or truthy with --test), 1 falsy with --test,
    2 a syntax error, an evaluation error or unreadable input.

    \b
    Examples:
      ladle eval "1 + 2 * 3"
      ladle eval "tag == 'lossless' && (id % 100) <= 47" --data record.json
      ladle eval "user.name || 'guest'" --set user.name=Ann
      ladle eval "'ABC' | downcase"
      ladle eval --test "tag == 'lossless'" --data record.json
      ladle eval --explain "tag == 'lossless' && (id % 100) <= 47" --set tag=lossless --set id=93
    """
    data = apply_settings(load_data(data_path), settings)
    if explain and not test_mode:
        return _explain(expression, data, strict, output_format)
    try:
        table = _filters(expression)
        compiled = grammar.compile(expression, strict=strict, filters=table)
        if table is not None:
            check_filter_arguments(compiled.tree, expression, table)
        value = compiled.evaluate(data)
        output = grammar.to_output(value)
    except grammar.ExpressionError as error:
        raise _positioned(error, expression) from None
    if test_mode:
        return EXIT_OK if grammar.truthy(value) else EXIT_FAILED
    click.echo(json.dumps(output, ensure_ascii=False, default=str))
    return EXIT_OK


def _explain(expression: str, data: Mapping[str, Any], strict: bool, output_format: str) -> int:
    """The value (or 'error: …') on the first line, then the expression with the value of
    every deciding part under it; an evaluation error is also reported on standard error,
    as without --explain, and exits 2."""
    from ladle.grammar.explain import plain, render, to_json
    from ladle.grammar.trace import trace

    try:
        table = _filters(expression)
        traced = trace(expression, data, strict=strict, filters=table)
        if table is not None:
            check_filter_arguments(traced.root.node, expression, table)
    except grammar.ExpressionError as error:
        raise _positioned(error, expression) from None
    if output_format == "json":
        click.echo(json.dumps(to_json(traced), ensure_ascii=False))
    else:
        head = f"error: {traced.error.message}" if traced.error is not None else \
            json.dumps(plain(traced.value), ensure_ascii=False)
        click.echo(head)
        click.echo(render(traced))
    if traced.error is not None:
        return report(_positioned(traced.error, expression))
    return EXIT_OK


def _positioned(error: grammar.ExpressionError, expression: str) -> UserError:
    # An error about the whole result (too long to print) points at its start.
    return UserError("<expr>", error.message, error.source or expression,
                     0 if error.position is None else error.position)
