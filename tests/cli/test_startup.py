"""A quick CLI (issue 14): the command group imports a command's module only when that
command runs, so ``ladle eval`` and ``ladle rules match`` start without the template
engine, python-liquid, rich, DuckDB or pyarrow. Times are measured in ``make bench``;
here the modules a run loads are checked."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from ladle.cli import app, rules_commands

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("liquid", "ladle.templating", "ladle.player", "rich", "duckdb", "pyarrow", "pyspark",
         "py4j", "ladle.rules.spark_engine",
         "ladle.filters")


def loaded_by(*argv: str) -> set[str]:
    code = ("import json, sys\nfrom ladle.cli import main\n"
            f"code = main({list(argv)!r})\n"
            "print(json.dumps(sorted(sys.modules)), file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


def heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in HEAVY or m.startswith(HEAVY))


@pytest.mark.parametrize("table", [app.COMMANDS, rules_commands.COMMANDS],
                         ids=["ladle", "ladle rules"])
def test_the_help_lines_are_the_commands_own(table: dict[str, tuple[str, str, str]]) -> None:
    for name, (module, attribute, text) in table.items():
        command = getattr(importlib.import_module(module), attribute)
        assert command.name == name
        assert command.get_short_help_str(limit=1000) == text, name


@pytest.mark.parametrize("argv", [
    ("eval", "1 + 2"),
    ("--help",),
    ("rules", "match", "examples/placement.rules", "--record", '{"id": 1, "tag": "flac"}'),
])
def test_quick_commands_load_only_what_they_need(argv: tuple[str, ...]) -> None:
    assert heavy(loaded_by(*argv)) == []


@pytest.mark.parametrize("argv", [("--help",), ("layout", "--help"), ("layout", "check",
                                    "examples/layouts/good.json")])
def test_the_web_server_loads_only_to_serve(argv: tuple[str, ...]) -> None:
    served = ("starlette", "uvicorn", "watchfiles", "anyio", "ladle.cli.playground")
    assert sorted(m for m in loaded_by(*argv) if m.startswith(served)) == []


# Also left out of `ladle eval "1 + 2"`: what only a mistake, slot(), --explain or a file
# name needs (hashlib loads OpenSSL; pathlib loads urllib and ipaddress).
NOT_FOR_EVAL = ("hashlib", "_hashlib", "difflib", "pathlib", "ladle.grammar.trace",
                "ladle.grammar.explain", "ladle.rules", "ladle.cli.rules_commands")


def test_eval_loads_no_module_only_other_uses_need() -> None:
    modules = loaded_by("eval", "1 + 2")
    assert "ladle.grammar.compiler" in modules
    assert sorted(modules.intersection(NOT_FOR_EVAL)) == []


def test_help_loads_none_of_the_expression_language() -> None:
    # The error classes, which the command group's diagnostics build on, and nothing else.
    grammar = {m for m in loaded_by("--help") if m.startswith("ladle.grammar")}
    assert grammar == {"ladle.grammar", "ladle.grammar.errors", "ladle.grammar.limits",
                       "ladle.grammar.later"}


# Nor does `ladle rules match`: the other rules commands (their modules, the engines, the
# SQL lowering, the output writers), the tracer only --explain uses, pathlib.
NOT_FOR_MATCH = (
    "ladle.rules.catalog", "ladle.rules.python_engine", "ladle.rules.check",
    "ladle.rules.slots", "ladle.rules.spark_session", "ladle.rules.engine", "ladle.rules.query",
    "ladle.rules.assignments", "ladle.cli.output", "ladle.cli.route_commands",
    "ladle.cli.rule_file_commands", "ladle.grammar.trace", "ladle.grammar.explain",
    "gzip", "hashlib", "difflib", "pathlib", "csv")


def test_rules_match_loads_no_module_only_other_uses_need() -> None:
    modules = loaded_by("rules", "match", "examples/placement.rules", "--record",
                        '{"tag": "lossless", "id": 93}')
    assert "ladle.rules.ruleset" in modules and "ladle.grammar.compiler" in modules
    assert sorted(modules.intersection(NOT_FOR_MATCH)) == []


def test_rules_match_explain_loads_the_tracer_when_asked() -> None:
    modules = loaded_by("rules", "match", "examples/placement.rules", "--record", "{}",
                        "--explain")
    assert {"ladle.grammar.trace", "ladle.grammar.explain"} <= modules


def test_a_filter_loads_the_filters_when_it_is_used() -> None:
    modules = loaded_by("eval", "'A' | downcase")
    assert "ladle.filters" in modules and "ladle.templating" not in modules
