"""``cycle``, ``capture``, ``include`` and ``case``/``when`` compiled into the template's
function (not rendered by the node's own method): the same output and errors as the
interpreted nodes, limits included."""

from __future__ import annotations

from typing import Any

import pytest
from liquid import DictLoader
from liquid.exceptions import LiquidError
from liquid.mode import Mode
from markupsafe import Markup

from ladle import templating
from tests.templating.test_compiled import same


class Drop:
    """A drop whose Liquid value is a string."""

    def __init__(self, value: object) -> None:
        self.value = value

    def __liquid__(self) -> object:
        return self.value


DATA: dict[str, Any] = {
    "xs": [1, 2, 3, 4, 5], "s": "paid", "m": Markup("paid"), "n": 1, "f": 1.0, "t": True,
    "d": Drop("paid"), "e": "", "blank_s": "  ", "nil": None, "g": "group", "html": "<b>",
    "items": [], "one": 1,
}
PARTIALS = {
    "row": "[{{ x }}|{{ v }}{% assign seen = x %}{% cycle 'a', 'b' %}]",
    "brk": "{% if x > 2 %}{% break %}{% endif %}<{{ x }}>",
    "self": "{% include 'self' %}",
    "inc": "{% include 'row' %}",
    "big": "{% for i in (1..50) %}0123456789{% endfor %}",
}


def _limited(limits: dict[str, int], source: str) -> tuple[str, str]:
    """The outcome of ``source`` under ``limits``, the same compiled and interpreted (an
    error's message: compiled code checks the output within a piece of the limit, so the
    node it names may be a later one)."""
    outcomes = []
    for compiled in (True, False):
        limited = type("Limited", (templating.Environment,), limits)
        env = limited(loader=DictLoader(PARTIALS), compiled=compiled)
        try:
            outcomes.append(("text", env.from_string(source).render(**DATA)))
        except LiquidError as error:
            outcomes.append(("error", f"{type(error).__name__}: {error.message}"))
    assert outcomes[0] == outcomes[1], source
    return outcomes[0]


def _names(source: str, **options: Any) -> tuple[str, ...]:
    env = templating.Environment(loader=DictLoader(PARTIALS), **options)
    return env.from_string(source).compiled.function.__code__.co_names  # type: ignore[attr-defined, no-any-return]


@pytest.mark.parametrize("source", [
    "{% for x in xs %}{% cycle 'odd', 'even' %}{% endfor %}",
    "{% for x in xs %}{% cycle g: 'a', 'b', 'c' %}{% cycle 'a', 'b', 'c' %}{% endfor %}",
    "{% for x in xs %}{% cycle undefined_name: 1, 2 %}{% cycle e: 1, 2 %}{% endfor %}",
    "{% for x in xs %}{% cycle html, x, 2.5, nil %}{% endfor %}",
    "{% for x in xs %}{% cycle x: 'a', 'b' %}{% endfor %}",
    "{% cycle 'a', 'b' %}{% if false %}{% cycle 'a', 'b' %}{% endif %}{% cycle 'a', 'b' %}",
    "{% for x in xs %}{% if true %} {% cycle 'a', 'b' %} {% endif %}{% endfor %}",
    "{% for x in xs %}{% include 'row', v: forloop.index %}{% endfor %}[{{ seen }}]",
    "{% for x in xs %}{% render 'row', x: x, v: 1 %}{% endfor %}",
    "{% capture c %}{{ html }}{% cycle 'a', 'b' %}{% endcapture %}{{ c }}{{ c | size }}",
    "{% capture c %}a{% capture c %}b{% endcapture %}{{ c }}{% endcapture %}[{{ c }}]",
    "{% for x in xs %}{% capture c %}{{ x }}{% if x > 2 %}{% break %}{% endif %}"
    "{% endcapture %}{{ c }}{% endfor %}[{{ c }}]",
    "{% for x in xs %}{% capture x %}{{ x }}!{% endcapture %}{{ x }}{% endfor %}{{ x }}",
    "{% if true %}\n{% capture c %} x {% endcapture %}\n{% endif %}[{{ c }}]",
    "{% capture c %}{% endcapture %}[{{ c }}]{{ c == empty }}",
    "{% for x in xs %}{% include 'brk' %}{% endfor %}",
    "{% include 'inc', x: 1, v: 2 %}{{ seen }}",
    "{% include 'self' %}",
    "{% include 'missing' %}",
    "{% render 'inc', x: 1 %}",
    "{% tablerow x in xs cols: 2 %}{{ x }}{{ tablerowloop.col }}{% endtablerow %}",
    "{% tablerow x in xs cols: n limit: 3 offset: 1 %}{{ tablerowloop.row }}{% endtablerow %}",
    "{% tablerow x in xs cols: nil %}{{ x }}{% endtablerow %}|"
    "{% tablerow x in xs cols: '2' %}{{ x }}{% endtablerow %}|"
    "{% tablerow x in xs cols: items %}{{ x }}{% endtablerow %}",
    "{% tablerow x in items %}{{ x }}{% endtablerow %}[{% tablerow x in s %}{{ x }}"
    "{% endtablerow %}]",
    "{% for y in xs %}{% tablerow x in xs cols: forloop.index %}{{ forloop.index }}{{ x }}"
    "{% for z in xs %}{{ forloop.parentloop.index }}{% endfor %}{% endtablerow %}{% endfor %}",
    "{% assign x = 9 %}{% tablerow x in xs %}{% assign x = 7 %}{{ x }}{% endtablerow %}{{ x }}",
    "{% tablerow x in xs %}{% include 'row' %}{% cycle 'a', 'b' %}{% endtablerow %}{{ seen }}",
    "{% if true %}{% tablerow x in xs %} {% endtablerow %}{% endif %}",
    "{% tablerow x in xs %}{% tablerow y in xs limit: 2 %}{{ tablerowloop.index }}"
    "{% endtablerow %}{{ tablerowloop.last }}{% endtablerow %}",
    "{% cycle 'a', 1, 2.5, nil, true %}{% cycle 'a', 1, 2.5, nil, true %}{% cycle html, 'x' %}"
    "{% cycle '<i>', 'b' %}{% cycle 'a', 1, 2.5, nil, true %}",
])
@pytest.mark.parametrize("escape", [True, False])
def test_compiled_tags_render_as_the_nodes(source: str, escape: bool) -> None:
    same(source, DATA, templates=PARTIALS, autoescape=escape)
    same(source, DATA, templates=PARTIALS, autoescape=escape, tolerance=Mode.LAX)


@pytest.mark.parametrize("subject", ["s", "m", "n", "f", "t", "d", "e", "blank_s", "nil",
                                     "undefined_name", "items", "one"])
def test_when_a_literal_matches_by_liquid_equality(subject: str) -> None:
    source = (f"{{% case {subject} %}}{{% when 'paid' %}}S{{% when 1 %}}N"
              f"{{% when 1, 'paid' %}}B{{% when empty %}}E{{% when blank %}}K"
              f"{{% when true %}}T{{% else %}}-{{% endcase %}}")
    same(source, DATA)


@pytest.mark.parametrize(("limit", "source"), [
    (300, "{% capture c %}{% include 'big' %}{% endcapture %}{{ c | size }}"),
    (600, "{% include 'big' %}{% capture c %}{% include 'big' %}{% endcapture %}{{ c }}"),
    (600, "{% include 'big' %}{% include 'big' %}"),
    (200, "{% for x in xs %}{% cycle html, 'abcdefghijklmnopqrstuvwxyz0123456789' %}"
          "{% cycle 'abcdefghijklmnopqrstuvwxyz0123456789' %}{% endfor %}"),
])
def test_compiled_tags_keep_the_output_limit(limit: int, source: str) -> None:
    _limited({"output_stream_limit": limit}, source)


_TENS = "{% for i in (1..N) %}0123456789{% endfor %}"  # N * 10 characters


@pytest.mark.parametrize(("source", "kind"), [
    # A capture's limit is what the page's leaves (600 - 500): passed, though never output.
    ("{% include 'big' %}{% capture c %}" + _TENS.replace("N", "15") + "{% endcapture %}x",
     "error"),
    ("{% include 'big' %}{% capture c %}" + _TENS.replace("N", "9") + "{% endcapture %}x",
     "text"),
    (_TENS.replace("N", "50") + "{% capture c %}" + _TENS.replace("N", "15") +
     "{% endcapture %}x", "error"),
    (_TENS.replace("N", "30") + "{% capture c %}{% for i in (1..200) %}é{% endfor %}"
     "{% endcapture %}x", "error"),  # two bytes each
    (_TENS.replace("N", "30") + "{% capture c %}{% for i in (1..140) %}é{% endfor %}"
     "{% endcapture %}{{ c }}", "text"),
    ("{% include 'big' %}{% capture c %}{% render 'big' %}{% endcapture %}x", "error"),
    ("{% include 'big' %}{% capture c %}{% include 'big' %}{% endcapture %}x", "error"),
    # A capture inside a capture has the limit less what the outer capture holds.
    ("{% include 'big' %}{% capture a %}{% capture b %}" + _TENS.replace("N", "15") +
     "{% endcapture %}{% endcapture %}x", "text"),
    ("{% include 'big' %}{% capture a %}x{% capture b %}" + _TENS.replace("N", "60") +
     "{% endcapture %}{% endcapture %}x", "error"),
    # A node rendered by its own method inside a capture (a tablerow that may break).
    (_TENS.replace("N", "30") + "{% capture c %}{% tablerow i in (1..2) %}{{ i }}"
     "{% if i > 5 %}{% break %}{% endif %}{% endtablerow %}{% endcapture %}{{ c | size }}",
     "text"),
    (_TENS.replace("N", "30") + "{% capture c %}{% tablerow i in (1..20) %}{{ i }}"
     "{% if i > 50 %}{% break %}{% endif %}{% endtablerow %}{% endcapture %}x", "error"),
])
def test_a_capture_stops_at_the_limit_the_output_leaves_it(source: str, kind: str) -> None:
    assert _limited({"output_stream_limit": 600}, source)[0] == kind


def test_capture_counts_against_the_local_namespace_limit() -> None:
    source = "{% for x in xs %}{% capture c %}{{ html }}{{ c }}{{ c }}{% endcapture %}{% endfor %}"
    kind, message = _limited({"local_namespace_limit": 120}, source)
    assert kind == "error" and "local namespace limit" in message


def test_include_is_refused_inside_render() -> None:
    kind, message = same("{% render 'inc' %}", DATA, templates=PARTIALS)
    assert kind == "error" and "include usage is not allowed" in message


@pytest.mark.parametrize("source", [
    "{% for x in xs %}{% cycle 'a', 'b' %}{% endfor %}",
    "{% capture c %}{{ s }}{% endcapture %}{{ c }}",
    "{% include 'row', v: 1 %}",
    "{% tablerow x in xs cols: 2 %}{{ x }}{% endtablerow %}",
    "{% if false %}{% tablerow x in xs %} {% endtablerow %}{% endif %}",
])
def test_cycle_capture_and_include_do_not_render_through_their_nodes(source: str) -> None:
    names = _names(source)
    assert "_fallback" not in names and "_discard" not in names


def test_a_tablerow_that_may_break_renders_through_its_node_and_literal_cycles_once() -> None:
    names = _names("{% tablerow x in xs %}{% if x > 2 %}{% break %}{% endif %}{% endtablerow %}")
    assert "_fallback" in names
    assert "_cycle_fixed" in _names("{% cycle 'a', 1, 2.5, nil, true %}")
    assert "_cycle_fixed" not in _names("{% cycle g: 'a', 'b' %}{% cycle s, 'b' %}")


def test_a_cycle_needs_no_forloop_and_a_literal_when_no_equality_call_for_a_string() -> None:
    names = _names("{% for x in xs %}{% cycle 'a', 'b' %}{% case x %}{% when 'p' %}p"
                   "{% endcase %}{% endfor %}")
    assert "_startfor" not in names
    env = templating.Environment()
    template = env.from_string("{% case s %}{% when 'paid' %}p{% endcase %}")
    equals = template.compiled.function.__globals__["_equals"]  # type: ignore[attr-defined]
    calls: list[object] = []
    template.compiled.function.__globals__["_equals"] = lambda *a: calls.append(a) or equals(*a)  # type: ignore[attr-defined]
    assert template.render(s="paid") == "p" and not calls
    assert template.render(s=Drop("paid")) == "p" and calls
