"""Template inheritance and macros (python-liquid's extends, block, macro, call, with) are
on by default, compiled and interpreted, and render as python-liquid's extra tags do."""

from __future__ import annotations

from pathlib import Path

import liquid
import pytest
from liquid import DictLoader

from ladle import cli, templating

PAGES = {
    "base.html": "<title>{% block title %}Site{% endblock %}</title>"
                 "<main>{% block body required %}{% endblock %}</main>",
    "page.html": "{% extends 'base.html' %}{% block title %}{{ t | upcase }} | "
                 "{{ block.super }}{% endblock %}{% block body %}{% for i in (1..3) %}{{ i }}"
                 "{% endfor %}{% endblock %}",
    "macros.html": "{% macro 'hi' who: 'you', n: 2 %}Hi {{ who }} x{{ n }}{% endmacro %}"
                   "{% call 'hi' 'Bo' %}|{% call 'hi' n: 3 %}|"
                   "{% with a: 1, b: 'x' %}{{ a }}{{ b }}{% endwith %}",
}


@pytest.mark.parametrize("name", ["page.html", "macros.html"])
@pytest.mark.parametrize("compiled", [True, False])
def test_inheritance_and_macros_need_no_option(name: str, compiled: bool) -> None:
    expected = liquid.Environment(extra=True, loader=DictLoader(PAGES)).get_template(
        name).render(t="home")
    env = templating.Environment(compiled=compiled, loader=DictLoader(PAGES))
    assert env.get_template(name).render(t="home") == expected


def test_ladle_render_follows_extends(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                      ) -> None:
    for name, text in PAGES.items():
        (tmp_path / name).write_text(text)
    assert cli.main(["render", str(tmp_path / "page.html"), "--set", "t=home"]) == 0
    assert capsys.readouterr().out == "<title>HOME | Site</title><main>123</main>"
