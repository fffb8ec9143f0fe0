"""One registry of filters and functions in every host (issue 12): ``ladle eval``, rule
files (both engines, every ``ladle rules`` command) and layouts (every ``ladle layout``
command) take the filters templates take, and each host adds its own the same way."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ladle import cli, filters, grammar, player, rules, templating


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def shout(value: object) -> str:
    return f"{value}!".upper()


def twice(value: int) -> int:
    return value * 2


# -- ladle eval --------------------------------------------------------------------------


def test_eval_applies_filters(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "eval", "'ABC' | downcase") == (0, '"abc"\n', "")
    assert run(capsys, "eval", "w | divided_by: 3", "--set", "w=10") == (0, "3\n", "")
    code, out, err = run(capsys, "eval", "'ABC' | downcse")
    assert (code, out) == (2, "")
    assert "unknown filter 'downcse' (did you mean 'downcase'?)" in err


# -- rules -------------------------------------------------------------------------------

RULES = "lossless: (tag | downcase) == 'lossless'\nbig: (size | divided_by: 1000) >= 2\n"
CATALOG = ('{"id": 1, "tag": "LOSSLESS", "size": 2500}\n{"id": 2, "tag": "lossy", "size": 10}\n'
           '{"id": 3, "tag": "Lossless", "size": 999}\n')


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    paths = {"rules": tmp_path / "p.rules", "catalog": tmp_path / "c.jsonl",
             "layout": tmp_path / "l.json"}
    paths["rules"].write_text(RULES)
    paths["catalog"].write_text(CATALOG)
    paths["layout"].write_text(json.dumps(LAYOUT))
    return paths


def test_rules_apply_filters() -> None:
    ruleset = rules.parse(RULES)
    assert ruleset.match({"tag": "LOSSLESS", "size": 2500}) == ["lossless", "big"]
    assert ruleset.rules[0].expression.evaluate({"tag": "Lossless"}) is True


@pytest.mark.parametrize("engine", ["python", "duckdb"])
def test_both_engines_route_rules_with_filters(files: dict[str, Path], engine: str) -> None:
    notices: list[str] = []
    report = rules.route(rules.parse(files["rules"]), str(files["catalog"]), engine=engine,
                         notice=notices.append)
    assert report["rules"] == {"lossless": {"records": 2, "bytes": 3499},
                               "big": {"records": 1, "bytes": 2500}}
    assert notices == []  # downcase and divided_by have SQL forms: DuckDB computes them


@pytest.mark.parametrize("command", [
    ["rules", "check", "RULES"],
    ["rules", "check", "RULES", "--catalog", "CATALOG"],
    ["rules", "match", "RULES", "--record", '{"tag": "LOSSLESS", "size": 5000}'],
    ["rules", "route", "RULES", "CATALOG", "--engine", "python"],
    ["rules", "route", "RULES", "CATALOG", "--engine", "duckdb"],
    ["rules", "diff", "RULES", "RULES", "CATALOG"],
])
def test_every_rules_command_takes_filters(capsys: pytest.CaptureFixture[str],
                                           files: dict[str, Path], command: list[str]) -> None:
    argv = [str(files["rules"]) if part == "RULES" else
            str(files["catalog"]) if part == "CATALOG" else part for part in command]
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    assert "unknown filter" not in out + err


def test_a_rule_with_an_unknown_filter_is_an_error_at_its_place(tmp_path: Path) -> None:
    with pytest.raises(rules.RuleError) as raised:
        rules.parse("a: id > 1\nb: (tag | dwncase) == 'x'\n")
    assert (raised.value.line, raised.value.column) == (2, 11)
    assert "unknown filter 'dwncase' (did you mean 'downcase'?)" in raised.value.message


# -- layouts -----------------------------------------------------------------------------

LAYOUT = {"w": 300, "h": 150, "art": {"x": 0, "y": 0, "w": "(w | divided_by: 2)",
                                      "h": "art.w", "show": True}}


def test_layouts_apply_filters() -> None:
    assert player.check(LAYOUT) == []
    resolved = player.resolve(LAYOUT, variant="track")
    assert resolved["elements"]["art"]["w"] == resolved["elements"]["art"]["h"] == 150
    assert "width: 300px" in player.embed_code(LAYOUT, layout_url="https://x.test/l.json",
                                               player_url="https://x.test/p", track="1")
    assert "<svg" in player.preview_svg(LAYOUT)


@pytest.mark.parametrize("command", [
    ["layout", "check", "LAYOUT"],
    ["layout", "resolve", "LAYOUT"],
    ["layout", "embed", "LAYOUT", "--layout-url", "https://x.test/l.json",
     "--player-url", "https://x.test/p", "--track", "1"],
    ["layout", "preview", "LAYOUT", "-o", "-"],
])
def test_every_layout_command_takes_filters(capsys: pytest.CaptureFixture[str],
                                            files: dict[str, Path], command: list[str]) -> None:
    argv = [str(files["layout"]) if part == "LAYOUT" else part for part in command]
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    assert "unknown filter" not in out + err


# -- one way to add a filter or a function, in every host -----------------------------------


def test_each_host_adds_filters_and_functions_the_same_way() -> None:
    mine = {"shout": shout}
    functions = {"twice": twice}
    env = templating.Environment(filters=mine, functions=functions)
    assert env.from_string("{{ 'hi' | shout }} {{ twice(21) }}").render() == "HI! 42"
    ruleset = rules.parse("a: (tag | shout) == 'X!' && twice(id) == 4", filters=mine,
                          functions=functions)
    assert ruleset.match({"tag": "x", "id": 2}) == ["a"]
    assert ruleset.rules[0].expression.evaluate({"tag": "x", "id": 2}) is True
    layout = {"w": 300, "h": "twice(75)", "art": {"x": 0, "y": 0, "w": 150, "h": 150,
                                                  "show": "('x' | shout) == 'X!'"}}
    assert player.check(layout, filters=mine, functions=functions) == []
    assert player.resolve(layout, filters=mine, functions=functions)["h"] == 150
    expression = grammar.compile("(tag | shout) + str(twice(1))", filters=filters.table(mine),
                                 functions=functions)
    assert expression.evaluate({"tag": "x"}) == "X!2"
    # without them, each host names the unknown one
    with pytest.raises(templating.TemplateSyntaxError, match="unknown filter 'shout'"):
        templating.Environment().from_string("{{ 'hi' | shout }}")
    with pytest.raises(rules.RuleError, match="unknown function 'twice'"):
        rules.parse("a: twice(id) == 4")
    assert [f.message for f in player.check(layout)][:1] == ["unknown function 'twice'"]


def test_standard_filters_outside_templates_measure_their_result() -> None:
    table = filters.table(max_length=100)
    with pytest.raises(grammar.ExpressionError, match="string result is too long"):
        grammar.compile("'a' | replace: 'a', long", filters=table).evaluate({"long": "x" * 200})
    with pytest.raises(TypeError, match="filter 'bad' is not callable"):
        filters.table({"bad": 3})  # type: ignore[dict-item]


def test_filter_arguments_are_checked_where_the_expression_is_read(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "eval", "1 | plus")
    assert code == 2 and "filter 'plus' takes 1 argument, not 0" in err
    with pytest.raises(rules.RuleError, match="filter 'slice' takes 1 to 2 arguments, not 3"):
        rules.parse("a: (tag | slice: 1, 2, 3) == 'x'")
    layout = {"w": "(300 | divided_by)", "h": 100}
    assert [f.message for f in player.check(layout)] == [
        "filter 'divided_by' takes 1 argument, not 0"]
    code, _, err = run(capsys, "eval", "x | default: 1, nope: true")
    assert code == 2 and "unexpected keyword argument 'nope'" in err
    assert grammar.compile("x | default: 1, allow_false: true",
                           filters=filters.table()).evaluate({"x": False}) is False
    # templates keep python-liquid's timing: the template parses, rendering fails
    template = templating.Environment().from_string("{{ 1 | plus }}")
    with pytest.raises(templating.TemplateError, match="plus"):
        template.render()
