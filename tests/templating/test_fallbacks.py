"""Issue 13 in templates: Liquid's filter argument lists and python-liquid's inline conditional
render as python-liquid 2.3.6 renders them; ``??``; strict mode raises for a missing path
anywhere, with its place and a did-you-mean, and lets fallbacks through, as Jinja2's
``StrictUndefined`` and python-liquid's ``FalsyStrictUndefined`` do; compiled and
interpreted templates agree; ``ladle check --data`` follows the same rule."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
import liquid
import pytest
from liquid import DictLoader
from liquid.exceptions import LiquidError
from liquid.undefined import FalsyStrictUndefined

from ladle import cli, templating
from ladle.templating.check import check_template

DATA: dict[str, Any] = {
    "user": {"name": "Ann", "profile": {"city": "Oslo"}, "admin": False, "tags": ["x", "y"]},
    "items": [1, 2, 3], "title": "Hi", "n": 3, "nothing": None, "off": False,
}
MODES = [pytest.param(True, id="compiled"), pytest.param(False, id="interpreted")]


def ladle(source: str, data: dict[str, Any] = DATA, *, compiled: bool = True,
          strict: bool = False) -> str:
    env = templating.Environment(compiled=compiled, strict=strict)
    return env.from_string(source).render(**data)


def python_liquid(source: str, data: dict[str, Any] = DATA, **options: Any) -> str:
    env = liquid.Environment(**options)
    env.ternary_expressions = True  # python-liquid's option for `a if c else b`
    return env.from_string(source).render(**data)


# -- filter arguments, as python-liquid reads them ------------------------------------------------

FILTER_ARGUMENTS = [
    "{{ title | append: 'a', }}",
    "{{ title | upcase: }}",
    "{{ title | upcase: | append: 'b', }}",
    "{{ title | upcase: | append: 'b', | prepend: '<', }}",
    "{{ nothing | default: 'd', allow_false: true, }}",
    "{{ off | default: 'd', allow_false: true, }}",
    "{{ off | default: 'd', }}",
    "{{ title | slice: 0, 1, }}{{ title | slice: 1, }}",
    "{{ items | join: ', ', }}",
    "{{ title | replace: 'H', 'h', | size: }}",
    "{% assign t = title | append: '!', %}{{ t }}",
    "{% echo title | downcase: %}",
    "{% for i in items %}{{ i | plus: 1, }}{% endfor %}",
    "{{ title | truncate: 5, '', }}",
]


@pytest.mark.parametrize("compiled", MODES)
@pytest.mark.parametrize("source", FILTER_ARGUMENTS)
def test_filter_arguments_as_python_liquid_reads_them(source: str, compiled: bool) -> None:
    assert ladle(source, compiled=compiled) == python_liquid(source)


# -- python-liquid's inline conditional ------------------------------------------------------------

INLINE = [
    "{{ 'a' if user.admin else 'b' }}",
    "{{ 'a' if user.name else 'b' }}",
    "{{ 'a' if user.admin }}|",
    "{{ 'a' if missing }}|",
    "{{ title | upcase if n > 2 else title | downcase }}",
    "{{ title | upcase if n > 5 else title | downcase }}",
    "{{ title if user.admin or n == 3 else 'no' }}",
    "{{ title if user.admin and n == 3 else 'no' }}",
    "{{ user.name if items contains 2 else 'x' }}",
    "{% assign v = 'yes' if n == 3 else 'no' %}{{ v }}",
    "{% echo 'y' if off else 'n' %}",
    "{{ 'a' if 0 else 'b' }}{{ 'a' if '' else 'b' }}{{ 'a' if nothing else 'b' }}",
    "{% for i in items %}{{ 'odd' if i == 1 or i == 3 else 'even' }} {% endfor %}",
]


@pytest.mark.parametrize("compiled", MODES)
@pytest.mark.parametrize("source", INLINE)
def test_the_inline_conditional_as_python_liquid_renders_it(source: str, compiled: bool) -> None:
    assert ladle(source, compiled=compiled) == python_liquid(source)


def test_the_inline_conditional_and_the_ternary_are_one_thing() -> None:
    assert ladle("{{ 'a' if n == 3 else 'b' }}") == ladle("{{ n == 3 ? 'a' : 'b' }}") == "a"


def test_python_liquid_s_tail_filters_are_a_deliberate_difference() -> None:
    # `||` is ladle's logical or: python-liquid's filters-after-`||` spelling means
    # something else (docs/language.md, deliberate differences); parentheses port it.
    source = "{{ 'a' if off else 'b' || upcase }}"
    assert python_liquid(source) == "B"
    assert ladle(source) == "b"
    assert ladle("{{ ('a' if off else 'b') | upcase }}") == "B"


@pytest.mark.parametrize(("source", "expected"), [
    ("{{ n + 1 }}", "4"), ("{{ n * 2 }}", "6"), ("{{ !off }}", "true"),
    ("{{ off && 1 }}", "false"), ("{{ n > 2 || 0 }}", "true"),
])
def test_operators_python_liquid_refuses_are_ladle_s_own(source: str, expected: str) -> None:
    with pytest.raises(LiquidError):
        python_liquid(source)
    assert ladle(source) == expected


# -- ?? ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("compiled", MODES)
@pytest.mark.parametrize(("source", "expected"), [
    ("{{ missing ?? 'd' }}", "d"),
    ("{{ nothing ?? 'd' }}", "d"),
    ("{{ off ?? 'd' }}", "false"),
    ("{{ user.nmae ?? user.name }}", "Ann"),
    ("{% assign x = user.x ?? n + 1 %}{{ x }}", "4"),
    ("{% if missing ?? true %}y{% endif %}", "y"),
    ("{{ missing ?? nothing ?? off ?? 1 }}", "false"),
])
def test_nil_coalescing_in_templates(source: str, expected: str, compiled: bool) -> None:
    assert ladle(source, compiled=compiled) == expected
    assert ladle(source, compiled=compiled, strict=True) == expected


# -- strict mode, against Jinja2's StrictUndefined -------------------------------------------------

# (ladle template, the same in Jinja2): each pair both raise, or both render the same text.
AGAINST_JINJA = [
    ("{{ user.nmae }}", "{{ user.nmae }}"),
    ("{{ user.profile.cty }}", "{{ user.profile.cty }}"),
    ("{{ user.nope.city }}", "{{ user.nope.city }}"),
    ("{{ items[5] }}", "{{ items[5] }}"),
    ("{{ items[-1] }}", "{{ items[-1] }}"),
    ("{{ usr }}", "{{ usr }}"),
    ("{{ user.name }}", "{{ user.name }}"),
    ("{{ user.nmae | default: 'd' }}", "{{ user.nmae | default('d') }}"),
    ("{{ usr | default: 'd' }}", "{{ usr | default('d') }}"),
    ("{{ items[5] | default: 'd' }}", "{{ items[5] | default('d') }}"),
    ("{{ user.name | default: 'd' }}", "{{ user.name | default('d') }}"),
    ("{{ user.nmae | upcase | default: 'd' }}", "{{ user.nmae | upper | default('d') }}"),
    ("{% if user.nmae %}y{% endif %}", "{% if user.nmae %}y{% endif %}"),
    ("{% for i in itmes %}{{ i }}{% endfor %}", "{% for i in itmes %}{{ i }}{% endfor %}"),
    ("{{ n + user.age }}", "{{ n + user.age }}"),
    ("{% if off %}{{ user.nmae }}{% endif %}ok", "{% if off %}{{ user.nmae }}{% endif %}ok"),
]


def jinja(source: str) -> str:
    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    return env.from_string(source).render(**DATA)


def outcome(render: Any) -> str:
    try:
        return f"text: {render()}"
    except (LiquidError, jinja2.UndefinedError):
        return "raises"


@pytest.mark.parametrize("compiled", MODES)
@pytest.mark.parametrize(("source", "jinja_source"), AGAINST_JINJA)
def test_strict_mode_agrees_with_jinja2_strict_undefined(source: str, jinja_source: str,
                                                         compiled: bool) -> None:
    expected = outcome(lambda: jinja(jinja_source))
    assert outcome(lambda: ladle(source, compiled=compiled, strict=True)) == expected


# Fallbacks that Jinja2's StrictUndefined refuses (its `or` and a deep path through
# `default` touch the undefined value); python-liquid's FalsyStrictUndefined lets them
# through, as ladle does.
AGAINST_FALSY_STRICT = [
    "{% if user.nmae or n %}y{% endif %}",
    "{% if user.nope or user.admin %}y{% else %}n{% endif %}",
    "{{ user.nope.city | default: 'd' }}",
    "{{ nope.a.b | default: 'd' }}",
    "{{ user.nmae }}",
    "{{ user.nope.city }}",
    "{{ user.name | default: 'd' }}",
]


@pytest.mark.parametrize("compiled", MODES)
@pytest.mark.parametrize("source", AGAINST_FALSY_STRICT)
def test_strict_mode_agrees_with_falsy_strict_undefined(source: str, compiled: bool) -> None:
    expected = outcome(lambda: python_liquid(source, undefined=FalsyStrictUndefined))
    assert outcome(lambda: ladle(source, compiled=compiled, strict=True)) == expected


@pytest.mark.parametrize("compiled", MODES)
@pytest.mark.parametrize(("source", "expected"), [
    ("{{ user.nmae || 'd' }}", "d"),
    ("{{ user.nmae ?? 'd' }}", "d"),
    ("{{ user.nope.city ?? 'd' }}", "d"),
    ("{{ items[9] ?? items[0] }}", "1"),
    ("{{ user.nmae | default: user.name }}", "Ann"),
    ("{% assign c = user.profile.cty ?? user.profile.city %}{{ c }}", "Oslo"),
    ("{% if user.nope.x ?? false %}y{% else %}n{% endif %}", "n"),
])
def test_strict_mode_lets_every_fallback_through(source: str, expected: str,
                                                 compiled: bool) -> None:
    assert ladle(source, compiled=compiled, strict=True) == expected


@pytest.mark.parametrize("compiled", MODES)
@pytest.mark.parametrize(("source", "message", "line", "column"), [
    ("<p>\n  {{ user.nmae }}</p>", "user.nmae is undefined; did you mean 'name'?", 2, 6),
    ("{{ user.profile.cty }}", "user.profile.cty is undefined; did you mean 'city'?", 1, 4),
    ("{% for i in items %}\n{{ items[i + 2] }}{% endfor %}",
     "items[i + 2] is undefined (the list holds 3 items)", 2, 4),
    ("{% if usr.admin %}{% endif %}", "undefined variable 'usr' (did you mean 'user'?)", 1, 7),
    ("{% assign x = 1 %}{{ y }}", "undefined variable 'y'", 1, 22),
])
def test_strict_errors_name_the_template_place_and_path(source: str, message: str, line: int,
                                                        column: int, compiled: bool) -> None:
    env = templating.Environment(loader=DictLoader({"page.html": source}), strict=True,
                                 compiled=compiled)
    with pytest.raises(templating.TemplateEvaluationError) as caught:
        env.get_template("page.html").render(**DATA)
    error = caught.value
    assert error.message == message
    assert (str(error.template_name), error.line, error.column) == ("page.html", line, column)
    assert "page.html" in error.detailed_message() and "^" in error.detailed_message()


def test_without_strict_mode_missing_paths_print_nothing() -> None:
    source = "[{{ user.nmae }}{{ user.nope.city }}{{ items[5] }}{{ usr }}]"
    assert ladle(source) == ladle(source, compiled=False) == python_liquid(source) == "[]"


# -- ladle check --data -------------------------------------------------------------------------


def test_check_flags_unguarded_missing_paths_only(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        "{{ user.name }}{{ user.nmae }}\n"
        "{{ user.bio | default: 'none' }}{{ user.nick || user.name }}{{ user.a.b ?? 1 }}\n"
        "{{ guest ?? 'x' }}{{ site.title | default: 'T' }}{{ site.url }}\n"
        "{% assign local = 1 %}{{ local }}{{ user.profile.cty }}{{ user.profile.city }}\n"
        "{% for i in items %}{{ i }}{% endfor %}{{ itmes }}",
        encoding="utf-8")
    findings = check_template(page, DATA)
    assert [(f.message, f.line, f.column) for f in findings] == [
        ("user.nmae is undefined; did you mean 'name'?", 1, 19),
        ("undefined variable 'site' (did you mean 'title'?)", 3, 53),
        ("user.profile.cty is undefined; did you mean 'city'?", 4, 37),
        ("undefined variable 'itmes' (did you mean 'items'?)", 5, 43),
    ]


def test_ladle_render_strict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "page.txt"
    page.write_text("{{ user.name }} {{ user.city ?? 'nowhere' }}\n{{ user.nmae }}\n")
    assert cli.main(["render", str(page), "--strict", "--set", "user.name=Ann"]) == 2
    assert f"{page}:2:4: error: user.nmae is undefined; did you mean 'name'?" in \
        capsys.readouterr().err
    page.write_text("{{ user.name }} {{ user.city ?? 'nowhere' }}\n")
    assert cli.main(["render", str(page), "--strict", "--set", "user.name=Ann"]) == 0
    assert capsys.readouterr().out == "Ann nowhere\n"
