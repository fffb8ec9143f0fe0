"""python-liquid's static analysis sees ladle's expressions: the variables they read and
the filters they call, as it reports them for python-liquid's own templates."""

from __future__ import annotations

import liquid
import pytest

from ladle import templating

STANDARD = [
    "{{ a | upcase | append: b }}",
    "{% assign x = y | split: ',' | first %}{{ x | downcase }}",
    "{% for p in products %}{{ p.title | escape | truncate: 10 }}{% endfor %}",
    "{% if user %}{{ user.name | default: 'guest' }}{% endif %}{{ n | plus: 1 | times: 2 }}",
    "{% echo 'x' | upcase %}{% liquid\nassign z = q | size\necho z | json\n%}",
]


@pytest.mark.parametrize("source", STANDARD)
def test_filters_and_variables_match_python_liquid(source: str) -> None:
    ours = templating.Environment().from_string(source)
    theirs = liquid.Environment().from_string(source)
    assert sorted(ours.filter_names()) == sorted(theirs.filter_names())
    assert sorted(ours.variables()) == sorted(theirs.variables())


def test_filters_inside_ladle_expressions_are_found() -> None:
    template = templating.Environment().from_string(
        "{% if (x | size) > 1 && y %}{{ z | default: 2 }}{% endif %}")
    assert sorted(template.filter_names()) == ["default", "size"]
    assert sorted(template.variables()) == ["x", "y", "z"]
