"""One positioned diagnostic type (issue 12): the errors and findings of every host are
``grammar.errors.Diagnostic``s, with the same message, file, line, column and rendering."""

from __future__ import annotations

from pathlib import Path

import pytest

from ladle import grammar, rules, templating
from ladle.cli.diagnostics import UserError
from ladle.grammar.errors import Diagnostic
from ladle.rules.check import Problem, check
from ladle.templating.check import Finding, check_template
from ladle.templating.errors import TemplateError


def test_every_positioned_error_and_finding_is_a_diagnostic() -> None:
    for kind in (grammar.ExpressionError, TemplateError, Finding, Problem, rules.RuleError,
                 UserError):
        assert issubclass(kind, Diagnostic), kind


def test_they_place_the_same_mistake_alike(tmp_path: Path) -> None:
    text = "a: id > 1\nb: id >= \n"
    with pytest.raises(rules.RuleError) as raised:
        rules.parse(text)
    expression = grammar.ExpressionSyntaxError("expected an expression after '>='",
                                               "id >= ", 6)
    with pytest.raises(TemplateError) as template:
        templating.Environment().from_string("{{ x }}\n{{ id >= }}")
    problems = check(text, {"id": "int"})
    page = tmp_path / "page.html"
    page.write_text("<p>\n{% if id >= %}x{% endif %}\n")
    findings = check_template(page)
    for diagnostic in (raised.value, template.value, *problems, *findings):
        assert isinstance(diagnostic, Diagnostic)
        assert diagnostic.message == expression.message
        assert diagnostic.line == 2, diagnostic
    assert (raised.value.line, raised.value.column) == (2, 10)
    assert raised.value.render().startswith("<rules>:2:10: error: expected an expression")
    assert (template.value.line, template.value.column) == (2, 9)
    assert (findings[0].line, findings[0].column) == (2, 12)
    assert UserError("page.html", "bad", "a\nbc", 3).render() == \
        "page.html:2:2: error: bad\n  bc\n   ^"


def test_equal_diagnostics_say_the_same_thing_about_the_same_place() -> None:
    one = Problem("error", "unknown", "f.rules", "a: x", 3)
    assert one == Problem("error", "unknown", "f.rules", "a: x", 3)
    assert one != Problem("warning", "unknown", "f.rules", "a: x", 3)
    assert len({one, Problem("error", "unknown", "f.rules", "a: x", 3)}) == 1
