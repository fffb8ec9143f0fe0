"""Each row of the table of host differences in docs/language.md ("One language in every
host"): the same expression in a template and in the other hosts."""

from __future__ import annotations

import pytest

from ladle import cli, filters, grammar, player, rules, templating


def in_template(expression: str, data: dict[str, object], **options: object) -> str:
    env = templating.Environment(**options)  # type: ignore[arg-type]
    return env.from_string("{{ " + expression + " }}").render(**data)


def elsewhere(expression: str, data: dict[str, object]) -> object:
    return grammar.compile(expression, filters=filters.table()).evaluate(data)


def test_a_missing_name(capsys: pytest.CaptureFixture[str]) -> None:
    assert in_template("missing", {}) == ""
    assert in_template("missing || 'x'", {}) == "x"
    with pytest.raises(templating.TemplateError, match="missing"):
        in_template("missing", {}, strict=True)
    assert elsewhere("missing", {}) is None
    assert cli.main(["eval", "missing", "--strict"]) == 2
    assert "missing" in capsys.readouterr().err
    assert rules.parse("a: missing == 1").match({}) == []
    assert [f.message for f in player.check({"w": 10, "h": "missing + 1"})] == [
        "unknown variable 'missing'"]


def test_ordering_with_nil() -> None:
    assert in_template("x < 1", {}) == "false"
    with pytest.raises(grammar.EvaluationError, match="cannot compare nil < int"):
        elsewhere("x < 1", {})
    ruleset = rules.parse("a: x < 1\nb: true")
    assert ruleset.evaluate({}) == [(False, "cannot compare nil < int"), (True, None)]
    report = rules.route(ruleset, [(1, {})])
    assert report["errors"]["records"] == 1 and report["rules"]["b"]["records"] == 1


def test_a_range_bound_that_is_text() -> None:
    assert in_template("(1..n) | size", {"n": "3"}) == "3"
    assert in_template("(1..n) | size", {"n": "three"}) == "0"
    with pytest.raises(grammar.EvaluationError, match="a range end must be a number"):
        elsewhere("(1..n) | size", {"n": "3"})


def test_the_first_of_a_map() -> None:
    assert in_template("m.first | join: '='", {"m": {"a": 1}}) == "a=1"
    assert elsewhere("m.first", {"m": {"a": 1}}) is None


def test_a_string_literal_in_an_escaped_template() -> None:
    assert in_template("'<b>'", {}, autoescape=True) == "<b>"
    assert in_template("x", {"x": "<b>"}, autoescape=True) == "&lt;b&gt;"
    assert elsewhere("'<b>'", {}) == "<b>"
