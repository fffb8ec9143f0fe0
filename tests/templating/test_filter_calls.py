"""Filters called straight from a compiled expression (``templating.expression``): their
errors are named after them, their results are checked and spent from the work budget,
tuple and range arguments are scanned first, a host's filter under a standard name is
its own; and Liquid's ``==``/``!=`` quick paths agree with python-liquid."""

from __future__ import annotations

from typing import Any

import liquid
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from ladle import templating
from ladle.grammar import nodes, runtime
from ladle.grammar.compiler import Compiler
from ladle.templating import budget, expression


def boom(value: Any, *args: Any) -> Any:
    raise ValueError("bad input")


@pytest.mark.parametrize("source", ["{{ x | boom }}", "{{ x | boom: 1 }}",
                                    "{{ x | boom: 1, 2 }}"])
def test_a_hosts_filter_error_is_named_after_the_filter(source: str) -> None:
    env = templating.Environment(filters={"boom": boom})
    with pytest.raises(templating.TemplateError) as raised:
        env.from_string(source).render(x=1)
    assert "filter 'boom': bad input" in str(raised.value)
    assert "^" in str(raised.value)  # positioned


def test_a_standard_filters_python_error_is_named_after_the_filter() -> None:
    with pytest.raises(templating.TemplateError, match="filter 'round': "):
        templating.Environment().from_string("{{ x | round }}").render(x=float("inf"))


def test_large_results_spend_from_the_work_budget() -> None:
    big = "a" * 500_000
    for source in ("{{ s | upcase | size }}", "{{ s | shout | size }}",
                   "{{ s | append: 'x' | size }}", "{{ s | strip_html | size }}"):
        env = templating.Environment(work_limit=1000, filters={"shout": str.upper})
        with pytest.raises(templating.TemplateError, match="work limit"):
            env.from_string(source).render(s=big)
        roomy = templating.Environment(filters={"shout": str.upper})
        assert roomy.from_string(source).render(s=big) in ("500000", "500001")


def test_a_string_grown_in_a_loop_spends_its_size_at_every_step() -> None:
    """Once the string is past the free size, each ``append`` spends a unit per
    ``SIZE_UNIT`` characters of its input and result, as ``budget.spend_sizes`` counts them."""
    source = "{% for i in (1..30) %}{% assign s = s | append: x %}{% endfor %}{{ s.size }}"

    def spent(x: str) -> int:
        env = templating.Environment(work_limit=10**9)
        token = budget.begin(env)
        try:
            env.from_string(source).render(s="", x=x)
            current = budget.current()
            assert current is not None
            return int(10**9 - current.left)
        finally:
            budget.end(token)

    sizes = [(100 * (step - 1), 100 * step) for step in range(1, 31)]
    expected = sum((before + after) // budget.SIZE_UNIT for before, after in sizes
                   if after > budget.FREE_SIZE)
    assert spent("b" * 100) - spent("") == expected


def test_results_over_the_length_limit_are_refused() -> None:
    env = templating.Environment(max_length=5000, filters={"twice": lambda v: v * 2})
    with pytest.raises(templating.TemplateError, match="too long"):
        env.from_string("{{ s | twice }}").render(s="a" * 3000)
    with pytest.raises(templating.TemplateError, match="too long"):
        env.from_string("{{ xs | join: '' }}").render(xs=["a" * 3000] * 2)


def test_a_range_argument_is_scanned_before_any_filter_sees_it() -> None:
    seen: list[Any] = []
    env = templating.Environment(filters={"keep": lambda v, *a: seen.append(a) or v})
    with pytest.raises(templating.TemplateError, match="too long"):
        env.from_string("{{ 1 | keep: (1..100000000000) }}").render()
    with pytest.raises(templating.TemplateError, match="too long"):
        env.from_string("{{ 'a' | append: (1..100000000000) }}").render()
    assert seen == []
    assert env.from_string("{{ 1 | keep: (1..3) }}").render() == "1"


def test_a_hosts_filter_under_a_standard_name_is_its_own() -> None:
    env = templating.Environment(filters={"upcase": lambda v: f"<{v}>", "date": lambda v, f: f})
    assert env.from_string("{{ 'a' | upcase }}|{{ 1 | date: 'x' }}").render() == "<a>|x"


values = st.one_of(st.text(alphabet="ab ", max_size=3), st.text(alphabet="ab", max_size=2)
                   .map(Markup), st.integers(-2, 2), st.lists(st.integers(0, 1), max_size=2),
                   st.dictionaries(st.sampled_from("ab"), st.integers(0, 1), max_size=1),
                   st.none(), st.booleans(), st.floats(-2, 2))
operands = st.one_of(st.just("empty"), st.just("blank"), st.just("x"), st.just("y"))


@settings(max_examples=400, deadline=None)
@given(x=values, y=values, left=operands, right=operands, op=st.sampled_from(["==", "!="]))
def test_equality_is_liquids(x: Any, y: Any, left: str, right: str, op: str) -> None:
    """The compiled ``==`` and ``!=`` give what ``grammar.runtime``'s Liquid equality gives
    (and python-liquid, but for its own departure: ``blank == nil``)."""
    source = f"{{% if {left} {op} {right} %}}yes{{% else %}}no{{% endif %}}"
    named = {"empty": nodes.EMPTY, "blank": nodes.BLANK, "x": x, "y": y}
    equal = runtime.liquid_equals(named[left], named[right])
    expected = "yes" if equal == (op == "==") else "no"
    assert templating.Environment().from_string(source).render(x=x, y=y) == expected, source
    if "blank" not in (left, right):
        assert liquid.Environment().from_string(source).render(x=x, y=y) == expected, source


# -- functions called as filters are ------------------------------------------------------

def pick(value: Any, other: Any = None) -> Any:
    if other is None:
        raise ValueError("no other")
    return [value, other] if other == "both" else value


CALLS = ["{{ min(a, b) }}|{{ max(a, b) }}", "{{ min(a) }}{{ max(b) }}", "{{ upper(a) }}",
         "{{ lower(b) }}", "{{ str(a) }}", "{{ pick(a, b) }}", "{{ pick(a, b) | size }}",
         "{{ min(1, 2) }}{{ upper('x') }}", "{{ max(a, 2.5) }}{{ min(-1, b) }}"]
call_values = st.one_of(st.integers(-10, 10), st.integers(), st.floats(), st.booleans(),
                        st.none(), st.text(max_size=6), st.text(max_size=6).map(Markup),
                        st.lists(st.integers(-5, 5), max_size=4), st.just("both"),
                        st.just(range(3)), st.just(["a" * 3000] * 4),
                        st.just(list(range(2000))))


def rendered(env: templating.Environment, source: str, **data: Any) -> str:
    try:
        return env.from_string(source).render(**data)
    except templating.TemplateError as error:
        return f"{type(error).__name__}: {error}"


@pytest.mark.parametrize("source", CALLS)
@settings(max_examples=60, deadline=None)
@given(a=call_values, b=call_values, escaped=st.booleans())
def test_functions_called_directly_give_what_apply_gives(source: str, a: Any, b: Any,
                                                         escaped: bool) -> None:
    """The compiled call (``_Compiler.call_function``) against grammar's, through ``apply``;
    small limits make the budget's spending and the length checks part of the outcome."""
    def env() -> templating.Environment:
        return templating.Environment(functions={"pick": pick}, autoescape=escaped,
                                      work_limit=300, max_length=5000)
    direct = rendered(env(), source, a=a, b=b)
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(expression._Compiler, "call_function", Compiler.call_function)
        assert rendered(env(), source, a=a, b=b) == direct


def test_a_function_error_is_named_after_the_function() -> None:
    env = templating.Environment(functions={"pick": pick})
    with pytest.raises(templating.TemplateError) as raised:
        env.from_string("{{ pick(1) }}").render()
    assert "pick(): no other" in str(raised.value) and "^" in str(raised.value)
    with pytest.raises(templating.TemplateError, match=r"min\(\) needs all numbers"):
        env.from_string("{{ min(a, 'x') }}").render(a=1)


@pytest.mark.parametrize("condition", ["s == 'ab'", "s != 'ab'", "'ab' == s", "s == 'x'",
                                       "tags contains 'gift'", "tags contains 'x'",
                                       "m contains 'k'", "s contains 'b'", "s == t"])
@pytest.mark.parametrize("escaped", [False, True])
def test_text_against_a_literal_compares_as_in_python_liquid(condition: str,
                                                             escaped: bool) -> None:
    source = f"{{% if {condition} %}}yes{{% else %}}no{{% endif %}}"
    data = {"s": "ab", "t": Markup("ab"), "tags": ["a", "gift"], "m": {"k": 1}}
    ours = templating.Environment(autoescape=escaped).from_string(source).render(**data)
    assert ours == liquid.Environment(autoescape=escaped).from_string(source).render(**data)


@pytest.mark.parametrize(("source", "message"), [
    ("{{ 1 | plus: 1, 2 }}", "filter 'plus' takes 1 argument, not 2"),
    ("{{ 1 | plus }}", "filter 'plus' takes 1 argument, not 0"),
    ("{{ 'a' | truncate: 1, 'x', 3 }}", "filter 'truncate' takes 0 to 2 arguments, not 3"),
    ("{{ x | boom: 1, 2, 3 }}", None),  # the host's filter takes any: its own error
])
def test_a_filter_given_arguments_it_cannot_take_says_so_in_the_languages_words(
        source: str, message: str | None) -> None:
    env = templating.Environment(filters={"boom": boom})
    with pytest.raises(templating.TemplateError) as raised:
        env.from_string(source).render(x=1)
    assert (message or "filter 'boom': bad input") in str(raised.value)
    assert "positional argument" not in str(raised.value)


def test_a_filter_refusing_its_arguments_fails_only_when_it_runs() -> None:
    source = "{% if false %}{{ 1 | plus }}{% endif %}ok"
    assert templating.Environment().from_string(source).render() == "ok"
    assert liquid.Environment().from_string(source).render() == "ok"
