"""The options a template host uses: ``undefined=``, ``liquid=True`` and ``strings=``."""

from __future__ import annotations

from typing import Any

import pytest
from markupsafe import Markup

from ladle import grammar


class Missing:
    """Stands for an undefined value, as python-liquid's ``Undefined`` does."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __liquid__(self) -> None:
        return None


@pytest.mark.parametrize(("source", "data", "name"), [
    ("nope", {}, "nope"),
    ("user.nope", {"user": {}}, "user.nope"),
    ("items[5]", {"items": [1]}, "items[5]"),
])
def test_undefined_makes_the_value_of_what_is_missing(source: str, data: dict[str, Any],
                                                       name: str) -> None:
    value = grammar.compile(source, undefined=Missing).evaluate(data)
    assert isinstance(value, Missing)
    assert value.name == name


def test_undefined_values_behave_as_nil() -> None:
    expression = grammar.compile("nope ? 1 : (nope || 2) + (nope + 3)", undefined=Missing)
    assert expression.evaluate({}) == 5


@pytest.mark.parametrize(("source", "default", "liquid"), [
    ("nil < 1", "error", False),
    ("x >= 10", "error", False),
    ("empty > 1", "error", "error"),
    ("true < 2", "error", True),
    ("true <= 2", "error", False),
    ("(1, 2) <= (1, 2)", "error", True),
    ("(3..1) == empty", True, False),
    ("(1, 2) contains nil", False, False),
    ("('a', nil) contains nil", True, False),
    ("('1'..'3')", "error", [1, 2, 3]),
    ("m.first", None, ["a", 1]),
])
def test_liquid_rules_where_defaults_differ(source: str, default: Any, liquid: Any) -> None:
    data = {"m": {"a": 1}}

    def outcome(**options: Any) -> Any:
        try:
            return grammar.to_output(grammar.evaluate(source, data, **options))
        except grammar.EvaluationError:
            return "error"

    assert outcome() == default
    assert outcome(liquid=True) == liquid


def test_liquid_still_rejects_a_number_against_a_string() -> None:
    with pytest.raises(grammar.EvaluationError, match="cannot compare"):
        grammar.evaluate("1 < 'a'", liquid=True)


def test_liquid_filter_arguments_in_any_order() -> None:
    f = {"pad": lambda value, *args, **kwargs: f"{value}{args}{sorted(kwargs.items())}"}
    with pytest.raises(grammar.ExpressionSyntaxError):
        grammar.compile("x | pad: k: 1, 2", filters=f)
    assert grammar.evaluate("x | pad: k: 1, 2", {"x": "v"}, filters=f, liquid=True) == \
        "v(2,)[('k', 1)]"


def test_strings_wraps_every_string_literal() -> None:
    value = grammar.evaluate("'<b>' + name", {"name": "<i>"}, strings=Markup)
    assert isinstance(value, Markup)
    assert value == "<b>&lt;i&gt;"  # Markup escapes what is joined to it
    assert grammar.evaluate("'<b>' == tag", {"tag": "<b>"}, strings=Markup) is True
    assert type(grammar.evaluate("'x'")) is str
