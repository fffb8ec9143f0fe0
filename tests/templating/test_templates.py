"""Templates with the expression language: the tags, truthiness, lexer fixes, errors, escaping."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import liquid
import pytest
from liquid.exceptions import LiquidError, LiquidSyntaxError

from ladle import templating

STATS = "{% if user.logged_in && user.admin_level >= 10 %}<a href='/stats'>stats</a>{% endif %}"


@pytest.mark.parametrize(("user", "shown"), [
    ({"logged_in": True, "admin_level": 10}, True),
    ({"logged_in": True, "admin_level": 9}, False),
    ({"logged_in": False, "admin_level": 99}, False),
    ({}, False),
])
def test_stats_link_only_for_admins(user: dict[str, Any], shown: bool) -> None:
    assert ("stats" in templating.render(STATS, {"user": user})) is shown


def test_let_counter_holds_after_the_loop() -> None:
    source = ("{% for album in albums %}{% for t in album.tracks %}"
              "{% let shown = shown + 1 %}{% endfor %}{% endfor %}{{ shown }} tracks")
    data = {"albums": [{"tracks": [1, 2]}, {"tracks": [3, 4, 5]}]}
    assert templating.render(source, data) == "5 tracks"


@pytest.mark.parametrize(("source", "data", "expected"), [
    ("{{ price * qty }}", {"price": 3, "qty": 4}, "12"),
    ("{{ a / b }}|{{ a % b }}", {"a": -7, "b": 2}, "-4|1"),
    ("{{ user.name || 'guest' }}", {"user": {}}, "guest"),
    ("{{ 'x' | upcase }}{{ (title | downcase) == 'abc' }}", {"title": "ABC"}, "Xtrue"),
    ("{% echo 1 + 2 %}", {}, "3"),
    ("{% assign total = a + b * 2 %}{{ total }}", {"a": 1, "b": 2}, "5"),
    ("{% case n % 3 %}{% when 0 %}fizz{% when 1, 2 %}other{% endcase %}", {"n": 9}, "fizz"),
    ("{% case x %}{% when 'a' or 'b' %}ab{% else %}else{% endcase %}", {"x": "b"}, "ab"),
    ("{% for i in (1..n + 1) limit: size - 1 offset: 1 %}{{ i }}{% endfor %}",
     {"n": 4, "size": 3}, "23"),
    ("{% for i in (1..3) reversed %}{{ i }}{% endfor %}", {}, "321"),
    ("{% unless a && b %}no{% endunless %}", {"a": True, "b": False}, "no"),
    ("{% if a %}1{% elsif b || c %}2{% else %}3{% endif %}", {"c": 1}, "2"),
    ("{% liquid\nif a && b\necho a + b\nendif %}", {"a": 1, "b": 2}, "3"),
    ("{{- -x }}", {"x": 5}, "-5"),
    ("{{-x}}", {"x": 5}, "5"),  # whitespace control, not negation, as in Liquid
    ("{% if a and b or c %}y{% endif %}", {"a": False, "b": True, "c": True}, ""),
    ("{{ [\"a b\"] }}{{ items[-1] }}", {"a b": 1, "items": [1, 2]}, "12"),
])
def test_expressions_in_tags(source: str, data: dict[str, Any], expected: str) -> None:
    assert templating.render(source, data) == expected


@pytest.mark.parametrize(("value", "truthy"), [
    (0, True), ("", True), ([], True), (False, False), (None, False),
])
def test_conditions_use_liquid_truthiness(value: object, truthy: bool) -> None:
    source = "{% if v %}T{% else %}F{% endif %}{% unless v %}u{% endunless %}"
    assert templating.render(source, {"v": value}) == ("T" if truthy else "Fu")
    assert templating.render("{% if undefined_name %}T{% endif %}") == ""


def test_delimiters_inside_strings_do_not_end_the_tag() -> None:
    assert templating.render('{{ "}}" }}|{% assign s = "%}" %}{{ s }}') == "}}|%}"
    assert templating.render("{{ 'a }} b' | upcase }}") == "A }} B"


@pytest.mark.parametrize(("source", "expected"), [
    ("{{ 1 -}}\nA\n", "1A\n"),
    ("{% assign x = 1 -%}\nA\n", "A\n"),
    ("{{ 1 -}}\n", "1"),
])
def test_final_newline_survives_a_trim(source: str, expected: str) -> None:
    assert templating.render(source) == expected


def test_standard_liquid_renders_as_python_liquid() -> None:
    source = ("{% assign xs = 'b,a,c' | split: ',' | sort %}{% for x in xs %}{{ forloop.index }}"
              "{{ x | upcase }}{% unless forloop.last %}, {% endunless %}{% endfor %}"
              "{% if xs.size > 2 and xs.first == 'a' %} ok{% endif %}{{ missing.deep }}")
    assert templating.render(source) == liquid.Environment().from_string(source).render()


HOSTILE = {"evil": "<script>alert('x')</script> & \"quoted\"", "list": ["<i>", "&"]}
ESCAPED = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &#34;quoted&#34;"


@pytest.mark.parametrize("source", [
    "{{ evil }}",
    "{% echo evil %}",
    "{% liquid\necho evil %}",
    "{{ evil | strip }}",
    "{{ nope || evil }}",
    "{{ true ? evil : 1 }}",
    "{% assign x = evil %}{{ x }}",
    "{% let x = '' + evil %}{{ x }}",
    "{% for x in (evil,) %}{{ x }}{% endfor %}",
    "{% capture c %}{{ evil }}{% endcapture %}{{ c }}",
    "{{ ['evil'] }}",  # a name looked up by a literal string (once a crash when escaping)
])
def test_autoescape_on_every_output_path(source: str) -> None:
    env = templating.Environment(autoescape=True)
    out = env.from_string(source).render(**HOSTILE)
    assert out == ESCAPED
    assert "<script>" not in out


def test_safe_and_markup_pass_through() -> None:
    from markupsafe import Markup

    env = templating.Environment(autoescape=True)
    out = env.from_string("{{ a }}|{{ b | safe }}|{{ m }}").render(a="<b>", b="<b>",
                                                                   m=Markup("<i>"))
    assert out == "&lt;b&gt;|<b>|<i>"


def test_escaping_by_file_extension(tmp_path: Path) -> None:
    for name in ("p.html", "p.htm", "p.xml", "p.svg", "p.txt", "p.liquid"):
        (tmp_path / name).write_text("{{ x }}")
    env = templating.Environment(loader=templating.FileSystemLoader(tmp_path))
    rendered = {name: env.get_template(name).render(x="<&>") for name in
                ("p.html", "p.htm", "p.xml", "p.svg", "p.txt", "p.liquid")}
    assert {n for n, out in rendered.items() if out == "&lt;&amp;&gt;"} == {
        "p.html", "p.htm", "p.xml", "p.svg"}
    assert rendered["p.txt"] == "<&>"
    assert templating.Environment(loader=templating.FileSystemLoader(tmp_path),
                                  autoescape=False).get_template("p.html").render(x="<") == "<"


def test_syntax_error_on_line_12_points_at_the_column(tmp_path: Path) -> None:
    lines = [f"<p>line {n}</p>" for n in range(1, 12)]
    lines.append("{% if user.logged_in && user.admin_level >= %}x{% endif %}")
    (tmp_path / "artist.html").write_text("\n".join(lines) + "\n")
    env = templating.Environment(loader=templating.FileSystemLoader(tmp_path))
    with pytest.raises(templating.TemplateSyntaxError) as caught:
        env.get_template("artist.html")
    error = caught.value
    assert isinstance(error, LiquidSyntaxError)
    assert (error.line, error.column) == (12, 44)
    text = str(error)
    assert f"-> {tmp_path / 'artist.html'}:12:44" in text
    assert text.splitlines()[-1] == "   |" + " " * 44 + "^"


@pytest.mark.parametrize(("source", "line", "column", "message"), [
    ("{{ a +* b }}", 1, 7, "expected an expression after '+'"),
    ("x\n{% assign = 1 %}", 2, 11, "expected 'name = expression'"),
    ("{% for x in %}{% endfor %}", 1, 12, "expected an expression after 'in'"),
    ("{% for %}{% endfor %}", 1, 7, "missing expression after 'for'"),
    ("{% for x of y %}{% endfor %}", 1, 8, "expected 'name in expression'"),
    ("{% if %}{% endif %}", 1, 6, "missing expression after 'if'"),
    ("{% case a %}{% when 1, %}{% endcase %}", 1, 23, "expected an expression"),
    ("{% let n = (1 %}", 1, 14, "expected"),
])
def test_errors_carry_line_and_column(source: str, line: int, column: int,
                                      message: str) -> None:
    with pytest.raises(templating.TemplateSyntaxError) as caught:
        templating.render(source)
    assert (caught.value.line, caught.value.column) == (line, column)
    assert message in str(caught.value.message)


def test_render_errors_are_liquid_errors_with_positions() -> None:
    with pytest.raises(LiquidError) as caught:
        templating.Environment().from_string("\n{{ 10 / n }}", name="t").render(n=0)
    error = caught.value
    assert isinstance(error, templating.TemplateEvaluationError)
    assert (error.line, error.column) == (2, 7)
    assert "division by zero" in str(error)


def test_strict_undefined() -> None:
    env = templating.Environment(strict=True)
    with pytest.raises(templating.TemplateEvaluationError, match="undefined variable 'nope'"):
        env.from_string("{{ nope }}").render()


def test_one_template_rendered_from_eight_threads() -> None:
    template = templating.Environment(autoescape=True).from_string(
        "{% for i in (1..n) %}{% let total = total + i * k %}{% endfor %}{{ total }}:{{ s }}")
    expected = {k: f"{sum(i * k for i in range(1, 51))}:&lt;{k}&gt;" for k in range(40)}
    results: dict[int, str] = {}
    barrier = threading.Barrier(8)

    def work(worker: int) -> None:
        barrier.wait()
        for k in range(worker, 40, 8):
            results[k] = template.render(n=50, k=k, s=f"<{k}>")

    threads = [threading.Thread(target=work, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == expected


class Tight(templating.Environment):
    loop_iteration_limit = 100
    output_stream_limit = 50
    local_namespace_limit = 2000
    context_depth_limit = 10


@pytest.mark.parametrize(("source", "message", "max_length"), [
    ("{% for i in (1..1000) %}{% endfor %}", "loop iteration limit", 100),
    ("{% for i in (1..40) %}xx{% endfor %}", "output stream limit", 100),
    ("{% for i in (1..80) %}{% let s = s + '" + "x" * 52 + "' %}{% endfor %}",
     "local namespace limit", 10_000),
    ("{% render 'self' %}", "maximum context depth", 100),
    ("{{ s + s }}", "too long", 10),
])
def test_each_limit_gives_a_clear_error(source: str, message: str, max_length: int) -> None:
    env = Tight(loader=templating.DictLoader({"self": "{% render 'self' %}"}),
                max_length=max_length)
    with pytest.raises(LiquidError, match=message):
        env.from_string(source).render(s="abcdefghijk")


def test_default_limits_are_set() -> None:
    env = templating.Environment()
    assert env.loop_iteration_limit and env.output_stream_limit
    assert env.local_namespace_limit and env.context_depth_limit


@pytest.mark.parametrize(("name", "expected"), [
    ("a.html", "<b>hi</b>|a & b|a&lt;b&gt;|<i>a&lt;b&gt;|l1<br />\nl2"),
    ("a.txt", "<b>hi</b>|a & b|a&lt;b&gt;|<i>a<b>|l1<br />\nl2"),
])
def test_filters_and_literals_follow_the_template_escaping(name: str, expected: str) -> None:
    # In an escaped template, the template's own strings are trusted text, `safe` marks
    # data as safe, and filters that escape do so once (as python-liquid with autoescape).
    source = ("{{ x | safe }}|{{ 'a & b' }}|{{ y | escape }}|{{ '<i>' + y }}"
              "|{{ z | newline_to_br }}")
    env = templating.Environment(loader=templating.DictLoader({name: source}))
    assert env.get_template(name).render(x="<b>hi</b>", y="a<b>", z="l1\nl2") == expected


def test_escaped_output_matches_python_liquid_with_autoescape() -> None:
    source = ("{{ 'a & b' }}{{ x }}{{ x | safe }}{{ 'q' | append: x }}{{ x | upcase }}"
              "{% for i in (1..2) %}{{ i }}{{ x | escape }}{% endfor %}")
    ours = templating.Environment(autoescape=True).from_string(source).render(x="<&>")
    theirs = liquid.Environment(autoescape=True).from_string(source).render(x="<&>")
    assert ours == theirs
