"""A block tag that is never closed is reported at the tag that opened it, with its line,
not as python-liquid's "expected tag endif, found end of expression" with no place."""

from __future__ import annotations

import pytest

from ladle import templating
from ladle.templating.check import check_template

OPENERS = {
    "if": "{% if x %}",
    "unless": "{% unless x %}",
    "case": "{% case x %}{% when 1 %}",
    "for": "{% for x in y %}",
    "capture": "{% capture x %}",
    "tablerow": "{% tablerow x in y %}",
}


@pytest.mark.parametrize("tag", sorted(OPENERS))
@pytest.mark.parametrize("compiled", [True, False])
def test_an_unclosed_block_names_its_tag_and_line(tag: str, compiled: bool) -> None:
    source = "a\n{% if ok %}fine{% endif %}\nb " + OPENERS[tag] + "\nc\n"
    with pytest.raises(templating.TemplateSyntaxError) as caught:
        templating.Environment(compiled=compiled).from_string(source)
    error = caught.value
    assert str(error.message) == \
        f"'{{% {tag} %}}' on line 3 is never closed: expected '{{% end{tag} %}}'"
    assert (error.line, error.column) == (3, 6)


def test_the_innermost_unclosed_block_is_named() -> None:
    source = "{% for a in b %}\n{% if a %}{% if c %}{% endif %}"
    with pytest.raises(templating.TemplateSyntaxError, match=r"'\{% if %\}' on line 2"):
        templating.Environment().from_string(source)


def test_check_reports_the_unclosed_block_at_its_tag(tmp_path: object) -> None:
    from pathlib import Path

    page = Path(str(tmp_path)) / "page.html"
    page.write_text("a\n{% if x %}\nb\n")
    [finding] = check_template(page)
    assert finding.message == "'{% if %}' on line 2 is never closed: expected '{% endif %}'"
    assert finding.position == page.read_text().index("if x")


@pytest.mark.parametrize(("source", "message", "column"), [
    ("{% nope %}", "unexpected tag 'nope'", 6),
    ("{% render %}", "missing expression after 'render'", 12),
    ("{% render 1 %}", "expected the name of a partial, in quotes, after 'render'", 13),
    ("{% endif %}", "unexpected tag 'endif'", 6),
])
def test_structural_errors_are_ladle_syntax_errors(source: str, message: str,
                                                   column: int) -> None:
    with pytest.raises(templating.TemplateSyntaxError) as caught:
        templating.Environment().from_string("a\n  " + source, name="t.html")
    error = caught.value
    assert (str(error.message), error.line, error.column) == (message, 2, column)
    assert "-> t.html:2:" in str(error)


def test_template_not_found_is_exported() -> None:
    from liquid import DictLoader

    env = templating.Environment(loader=DictLoader({}))
    with pytest.raises(templating.TemplateNotFound) as caught:
        env.get_template("missing.html")
    # python-liquid's class, which callers may catch, is its base
    assert isinstance(caught.value, templating.TemplateNotFoundError)
    assert str(caught.value) == \
        "template 'missing.html' not found (the DictLoader holds no templates)"


@pytest.mark.parametrize("compiled", [True, False])
@pytest.mark.parametrize("source", [
    "a {# note #} b", "a {#- note -#} b", "{# x {{ y }} #}z", "a {# unclosed", "{##}",
    "{#-#}x", "{% if true %}{# c #}y{% endif %}", "{% comment %}{# c #}{% endcomment %}z",
])
def test_template_comments_as_python_liquid(source: str, compiled: bool) -> None:
    import liquid

    expected = liquid.Environment(template_comments=True).from_string(source).render()
    env = templating.Environment(template_comments=True, compiled=compiled)
    assert env.from_string(source).render() == expected
    assert "{#" in templating.Environment().from_string("{# kept #}").render()
