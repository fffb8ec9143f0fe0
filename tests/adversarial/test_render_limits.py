"""Hostile templates and data: each reproducer of issue 10 runs under a cap of 5 s and
500 MB in a child process, and must end with ladle's own error (or the right output)."""

from __future__ import annotations

import json

import pytest

from tests.adversarial.capped import expect_output

# A 524,288-character string built inside the template (the length limit is 1,000,000).
BIG = "{% assign s = 'a' %}{% for i in (1..19) %}{% assign s = s | append: s %}{% endfor %}"

RENDER = """
import json, time
from ladle import templating
from liquid import DictLoader
from liquid.exceptions import LiquidError
source, partials, options = json.loads({case!r})
env = templating.Environment(loader=DictLoader(partials), **options)
started, cpu = time.perf_counter(), time.process_time()
try:
    out = env.from_string(source).render()
    print(json.dumps({{"output": out[:200], "length": len(out)}}))
except LiquidError as error:
    print(json.dumps({{"error": type(error).__name__, "message": str(error.message),
                      "seconds": time.perf_counter() - started,
                      "cpu": time.process_time() - cpu}}))
"""


def render_capped(source: str, partials: dict[str, str] | None = None,
                  **options: object) -> dict[str, object]:
    """Render ``source`` in a capped child: its output, or its error's class and message."""
    case = json.dumps([source, partials or {}, options])
    result: dict[str, object] = json.loads(expect_output(RENDER.format(case=case)))
    return result


MODES = [pytest.param({"compiled": True}, id="compiled"),
         pytest.param({"compiled": False}, id="interpreted")]

# -- finding 2: partials that render themselves twice per level ------------------------------

TREE = ("{% if d < 25 %}x{% assign e = d + 1 %}{% render 'tree', d: e %}"
        "{% render 'tree', d: e %}{% endif %}")


@pytest.mark.parametrize("mode", MODES)
def test_a_tree_of_partials_stops_with_the_work_limit(mode: dict[str, bool]) -> None:
    result = render_capped("{% render 'tree', d: 0 %}", {"tree": TREE}, **mode)
    assert result["error"] == "WorkLimitError", result
    assert "work limit" in str(result["message"])


def test_the_compiled_tree_of_partials_stops_in_under_a_second() -> None:
    result = render_capped("{% render 'tree', d: 0 %}", {"tree": TREE})
    assert result["error"] == "WorkLimitError", result
    assert float(result["cpu"]) < 1.0  # type: ignore[arg-type]  # CPU: the machine is shared


def test_a_real_page_of_partials_renders_within_the_default_budget() -> None:
    row = "<tr>{% for c in (1..10) %}<td>{{ c | times: n }}</td>{% endfor %}</tr>"
    page = "{% for n in (1..2000) %}{% render 'row', n: n %}{% endfor %}"
    result = render_capped(page, {"row": row})
    assert result.get("length", 0) > 100_000, result


# -- finding 3: lists holding lazy ranges, tuples printed by Python ------------------------


@pytest.mark.parametrize("mode", MODES)
def test_a_list_holding_a_huge_range_prints_as_liquid_does(mode: dict[str, bool]) -> None:
    source = ("{% assign n = 10000000000 %}{{ ((1..n),) + (1,) }}|{{ (1, 2) }}|"
              "{{ str(((1..n),) + (1,)) }}")
    assert render_capped(source, **mode)["output"] == "1..100000000001|12|1..100000000001"


@pytest.mark.parametrize("mode", MODES)
def test_join_prints_a_range_it_holds_as_liquid_does(mode: dict[str, bool]) -> None:
    source = ("{% assign n = 1000 %}{{ ((1..n), 4) | join: ',' }}|"
              "{{ ((1..3), 4) | reverse | join }}|{{ (1..3) | join: ',' }}")
    assert render_capped(source, **mode)["output"] == "1..1000,4|4 1..3|1,2,3"


def test_nested_lists_and_nil_print_flattened() -> None:
    code = """
from ladle import templating
print(templating.render('{{ x }}|{% echo x %}', {'x': [[1, None], True, (2, 3)]}))
print(templating.render('{{ x }}', {'x': ['<', ['<']]}, autoescape=True))
"""
    assert expect_output(code).split("\n")[:2] == ["1true23|1true23", "&lt;&lt;"]


# -- finding 5: compiled output overshooting the output limit ------------------------------

PEAK = """
import resource, templating
from liquid.exceptions import OutputStreamLimitError
template = templating.Environment(compiled={compiled}).from_string({source!r})
try:
    template.render()
    raise SystemExit("rendered past the output limit")
except OutputStreamLimitError as error:
    where = error.token.start_index if error.token else None
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, where)
"""


def test_compiled_output_stops_at_the_limit_with_the_memory_of_interpreted_rendering() -> None:
    # Forty outputs of a 655,360-character string per iteration; each process's peak.
    source = ("{% assign s = 'abcdefghij' %}{% for i in (1..16) %}{% assign s = s + s %}"
              "{% endfor %}{% for i in (1..100) %}" + "{{ s }}" * 40 + "{% endfor %}")
    compiled, where_c = expect_output(PEAK.format(compiled=True, source=source)).split()
    interpreted, where_i = expect_output(PEAK.format(compiled=False, source=source)).split()
    assert int(compiled) <= 2 * int(interpreted), (compiled, interpreted)
    assert where_c == where_i != "None"  # the same position: the loop


# -- finding 6: filters that build their result before the length check -------------------


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("tail", [
    "{{ s | replace: 'a', s }}",
    "{{ (1..1000000) | join: s }}",
    "{{ s | append: s | append: s }}",
    "{{ s | prepend: s | prepend: s }}",
    "{% assign t = s | split: '' | join: s %}",
])
def test_filters_refuse_a_result_over_the_limit_before_building_it(
        tail: str, mode: dict[str, bool]) -> None:
    result = render_capped(BIG + tail, **mode)
    assert result.get("error") == "TemplateEvaluationError", result
    assert "too long" in str(result["message"])


# -- finding 7: work inside every limit that is still huge ------------------------------

HUGE_WORK = [
    BIG + "{% for i in (1..1000000) %}{% assign t = s | replace: 'a', 'b' %}{% endfor %}",
    BIG + "{% for i in (1..1000000) %}{% assign t = s | upcase %}{% endfor %}",
    BIG + "{% for i in (1..1000000) %}{% if s contains 'b' %}{% endif %}{% endfor %}",
    BIG + "{% for i in (1..1000000) %}{% assign t = s + 'b' %}{% endfor %}",
    "{% for i in (1..1000) %}{% for j in (1..1000) %}{% for k in (1..1000) %}"
    "{% endfor %}{% endfor %}{% endfor %}",
]


@pytest.mark.parametrize("source", HUGE_WORK)
def test_huge_work_within_every_other_limit_stops_with_the_work_limit(source: str) -> None:
    result = render_capped(source)
    assert result.get("error") in ("WorkLimitError", "LoopIterationLimitError"), result


@pytest.mark.parametrize("mode", MODES)
def test_the_optional_time_limit_stops_a_long_render(mode: dict[str, bool]) -> None:
    # Several seconds of work without the limit, compiled or not.
    source = "{% for i in (1..1000000) %}{{ i | plus: 1 | times: 2 | modulo: 7 }}{% endfor %}"
    result = render_capped(source, work_limit=None, time_limit=0.05, **mode)
    assert result.get("error") == "WorkLimitError", result
    assert "time limit" in str(result["message"])
    assert float(result["seconds"]) < 1.0  # type: ignore[arg-type]


def test_the_work_limit_can_be_lifted() -> None:
    source = "{% for i in (1..900) %}{% for j in (1..900) %}{% endfor %}{% endfor %}"
    assert render_capped(source, work_limit=100_000).get("error") == "WorkLimitError"
    assert render_capped(source, work_limit=None) == {"output": "", "length": 0}


# -- finding 8: integers grown through filters ------------------------------------------


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("step", ["x | times: x", "x | plus: x", "x | times: x | abs",
                                  "(x, x) | sum | times: x"])
def test_integers_made_by_filters_keep_the_integer_limit(step: str, mode: dict[str, bool]) -> None:
    source = "{% assign x = 3 %}{% for i in (1..300) %}{% assign x = " + step + \
        " %}{% endfor %}{{ x }}"
    result = render_capped(source, **mode)
    assert result.get("error") == "TemplateEvaluationError", result
    assert "integer result is too large" in str(result["message"])


# -- finding 9: foreign exceptions ------------------------------------------------------


def test_a_nul_byte_in_a_partial_name_is_not_found() -> None:
    code = """
import tempfile, templating
from liquid.exceptions import TemplateNotFoundError
folder = tempfile.mkdtemp()
for loader in (templating.FileSystemLoader, templating.CachingFileSystemLoader):
    env = templating.Environment(loader=loader(folder))
    for name in ("a\\x00b", "x" * 5000):
        try:
            env.from_string("{% render '" + name + "' %}").render()
        except TemplateNotFoundError:
            print("not found")
"""
    assert expect_output(code).split() == ["not", "found"] * 4


@pytest.mark.parametrize("mode", MODES)
def test_data_nested_too_deeply_to_print_is_an_error(mode: dict[str, bool]) -> None:
    code = f"""
from ladle import templating
from liquid.exceptions import LiquidError
deep = []
for _ in range(5000):
    deep = [deep]
mapping = {{}}
for _ in range(5000):
    mapping = {{"a": mapping}}
for value in (deep, [mapping]):
    try:
        templating.render("{{{{ x }}}}", {{"x": value}}, **{mode!r})
    except LiquidError as error:
        print(error.message)
"""
    assert expect_output(code).splitlines() == ["data is nested too deeply to print"] * 2


def test_deep_data_in_the_expression_language_is_an_error() -> None:
    code = """
from ladle import grammar
deep = []
for _ in range(5000):
    deep = [deep]
for source in ("str(x)", "x == x", "x"):
    try:
        print(grammar.to_output(grammar.evaluate(source, {"x": deep})) and "value")
    except grammar.ExpressionError as error:
        print(error.message)
"""
    lines = expect_output(code).splitlines()
    assert lines[:2] == ["data is nested too deeply to print", "data is nested too deeply"]
    assert lines[2] == "data is nested too deeply to print"


def test_surrogate_pairs_join_and_lone_surrogates_are_syntax_errors() -> None:
    code = r"""
from ladle import grammar, templating
from liquid.exceptions import LiquidError
print(templating.render("{{ '\\ud83d\\ude00' }}").encode("utf-8").decode("utf-8"))
for source in ("{{ '\\ud83d' }}", "{{ 'x\\ude00' }}", "{{ '\\ud83d\\u0041' }}"):
    try:
        templating.render(source)
    except templating.TemplateSyntaxError as error:
        print(error.line, error.column, error.message)
"""
    lines = expect_output(code).splitlines()
    assert lines[0] == "\U0001f600"
    assert lines[1:] == [
        "1 5 '\\ud83d' is half of a UTF-16 surrogate pair, not a character",
        "1 6 '\\ude00' is half of a UTF-16 surrogate pair, not a character",
        "1 5 '\\ud83d' is half of a UTF-16 surrogate pair, not a character",
    ]


@pytest.mark.parametrize("mode", MODES)
def test_a_map_prints_as_json_not_as_python(mode: dict[str, bool]) -> None:
    code = f"""
from ladle import templating
print(templating.render("{{{{ m }}}}|{{{{ l }}}}", {{"m": {{"a": 1, "b": [1, None]}},
                        "l": [{{"a": "x"}}]}}, **{mode!r}))
"""
    assert expect_output(code) == '{"a": 1, "b": [1, null]}|{"a": "x"}\n'
