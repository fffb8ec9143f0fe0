"""Filters that read the render context (python-liquid's ``with_context``, and so ``t``,
``currency``, ``decimal`` and ``datetime`` from ``liquid.extra``) work in ladle's
expressions, compiled and interpreted, as in python-liquid."""

from __future__ import annotations

from typing import Any

import liquid
import pytest

from ladle import templating

ENVIRONMENTS = [
    pytest.param(lambda **o: templating.Environment(**o), id="compiled"),
    pytest.param(lambda **o: templating.Environment(compiled=False, **o), id="interpreted"),
]


def greet(value: object, *, context: Any) -> str:
    return f"{value} from {context.resolve('site')}"


greet.with_context = True  # type: ignore[attr-defined]


@pytest.mark.parametrize("make", ENVIRONMENTS)
def test_a_context_filter_sees_the_render_context(make: Any) -> None:
    source = ("{{ 'hi' | greet }}{% assign x = 'yo' | greet %}{{ x }}"
              "{% if ('a' | greet) == 'a from ladle' %}!{% endif %}")
    expected = "hi from ladleyo from ladle!"
    env = make()
    env.add_filter("greet", greet)
    assert env.from_string(source).render(site="ladle") == expected
    reference = liquid.Environment()
    reference.add_filter("greet", greet)
    assert reference.from_string(source.replace("('a' | greet) == 'a from ladle'", "true")
                                 ).render(site="ladle") == expected


@pytest.mark.parametrize("make", ENVIRONMENTS)
def test_liquid_extra_context_filters(make: Any) -> None:
    source = ("{{ 'Hello, World!' | t }} {{ 100457.99 | currency }} {{ 1.5 | decimal }} "
              "{{ 'Hello %(you)s' | t: you: 'Bo' }}")
    expected = liquid.Environment(extra=True).from_string(source).render()
    assert make(extra=True).from_string(source).render() == expected


@pytest.mark.parametrize("make", ENVIRONMENTS)
@pytest.mark.parametrize("source", [
    "{% translate you: 'World' %}Hello, {{ you }}!{% endtranslate %}",
    "{% translate you: 'W', count: 2 %}Hi, {{ you }}{% plural %}Hellos, {{ you }}"
    "{% endtranslate %}",
    "{% translate %}  100% of   it {% endtranslate %}",
])
def test_translate_with_variables(make: Any, source: str) -> None:
    expected = liquid.Environment(extra=True).from_string(source).render()
    assert make(extra=True).from_string(source).render() == expected


def test_translate_refuses_expressions_as_python_liquid_does() -> None:
    from liquid.exceptions import TranslationSyntaxError

    with pytest.raises(TranslationSyntaxError, match="expected a translation variable"):
        templating.Environment(extra=True).from_string(
            "{% translate %}{{ a + 1 }}{% endtranslate %}")
