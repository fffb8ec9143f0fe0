"""The arguments of ``render``, ``include``, ``cycle``, ``tablerow``, ``with``, ``macro`` and
``call`` are ladle's expressions; their standard forms render exactly as in python-liquid
2.3.6, compiled, interpreted and asynchronously."""

from __future__ import annotations

import asyncio
import pickle

import liquid
import pytest
from liquid import DictLoader

from ladle import templating

PARTIALS = {
    "row": "[{{ n }}|{{ m }}]",
    "prod": "<{{ prod }}>",
    "alias": "<{{ p }}:{{ forloop.index }}/{{ forloop.length }}>",
    "loop": "{{ forloop.parentloop.index }}{{ i }}",
    "assigns": "{% assign got = n %}{{ got }}",
}
DATA = {"items": [1, 2, 3, 4], "x": "q", "names": ["a", "b"], "g": "grp",
        "product": {"title": "Hat", "tags": ["x", "y"]}}

STANDARD = [
    # render
    "{% render 'row', n: 1, m: 'x' %}",
    "{% render 'row' n: 1, m: 'x', %}",
    "{% render 'row', n: (1..3), m: product.title %}",
    "{% render 'row', n: items[1], m: product.tags.first %}",
    "{% render 'prod' for items %}",
    "{% render 'prod' with product.title %}",
    "{% render 'alias' for items as p %}",
    "{% render 'alias' with items as p %}",
    "{% render 'alias' for items as p, n: 1 %}",
    "{% render 'row' with product.title as n, m: 6 %}",
    "{% for i in (1..2) %}{% render 'loop', i: i %}{% render 'prod' for names %}{% endfor %}",
    "{% assign n = 3 %}{% render 'assigns', n: n %}{{ got }}",
    "{% render 'row', n: undefined.thing %}",
    # include
    "{% include 'row', n: 1 %}{{ n }}",
    "{% include 'row' n: 'a', m: 'b' %}",
    "{% include 'prod' with items %}",
    "{% include 'prod' for items %}",
    "{% include 'alias' with product.title as p %}",
    "{% assign t = 'row' %}{% include t n: 5 %}",
    "{% include 'assigns', n: 7 %}{{ got }}",
    # cycle
    "{% cycle 'a', 'b' %}{% cycle 'a', 'b' %}{% cycle 'a', 'b' %}",
    "{% cycle 1, 2, 3 %}{% cycle 1, 2 %}{% cycle 1, 2, 3 %}",
    "{% cycle g: 'a', 'b' %}{% cycle g: 'a', 'b' %}{% cycle 'g': 'a', 'b' %}",
    "{% cycle 'grp': 1, 2 %}{% cycle g: 1, 2 %}{% cycle nothing: 1, 2 %}{% cycle nope: 1, 2 %}",
    "{% for i in items %}{% cycle 'odd', 'even' %} {% endfor %}",
    "{% cycle x, 'b' %}{% cycle x, 'b' %}",
    # tablerow
    "{% tablerow i in items cols: 2 %}{{ i }}{% endtablerow %}",
    "{% tablerow i in items cols: 2 limit: 3 offset: 1 %}{{ i }}{% endtablerow %}",
    "{% tablerow i in items cols:'2' limit:'3' %}{{ tablerowloop.col }}{% endtablerow %}",
    "{% tablerow i in (1..5) cols: 2 %}{{ tablerowloop.row }}{% endtablerow %}",
    "{% tablerow i in items %}{% if i == 2 %}{% break %}{% endif %}{{ i }}{% endtablerow %}",
    "{% tablerow i in product.tags, cols: 1 %}{{ i }}{% endtablerow %}",
    # with
    "{% with a: 1, b: 'x' %}{{ a }}{{ b }}{% endwith %}{{ a }}",
    "{% with a: product.title, b: items[0] %}{{ a }}{{ b }}{% endwith %}",
    # macro and call
    "{% macro 'f' a, b: 'dflt' %}({{ a }},{{ b }}){% endmacro %}"
    "{% call 'f' 1 %}{% call 'f' 1, 2 %}{% call 'f' b: 9 %}{% call 'f' %}",
    "{% macro 'f' a %}[{{ a }}|{{ args | join: ',' }}|{{ kwargs.z }}]{% endmacro %}"
    "{% call 'f' 1, 2, 3, z: 4 %}",
    "{% macro f a b %}({{ a }}{{ b }}){% endmacro %}{% call f 1, 2 %}{% call 'f' product.title %}",
    "{% macro 'f' n: items.size %}{{ n }}{% endmacro %}{% call 'f' %}{% call 'f' n: 'x' %}",
    "{% call 'nothing' 1 %}",
]

LADLE = [
    ("{% render 'row', n: 1 + 2, m: items | size %}", "[3|4]"),
    ("{% render 'row', n: ('abcd' | slice: 1, 2) | upcase %}", "[BC|]"),
    ("{% render 'row', n: items.size > 3 ? 'big' : 'small' %}", "[big|]"),
    ("{% render 'prod' for items | reverse %}", "<4><3><2><1>"),
    ("{% render 'alias' for (items | slice: 0, 2) as p %}", "<1:1/2><2:2/2>"),
    ("{% render 'row' with 'a' + x as n, m: -1 %}", "[aq|-1]"),
    ("{% for i in (1..2) %}{% render 'row', n: i * 10 + forloop.index %}{% endfor %}",
     "[11|][22|]"),
    ("{% include 'row', n: x | upcase %}", "[Q|]"),
    ("{% include 'r' + 'ow', n: 2 * 3 %}", "[6|]"),
    ("{% cycle 1 + 1, 2 * 2 %}{% cycle 1 + 1, 2 * 2 %}", "24"),
    ("{% cycle (g | upcase): 'a', 'b' %}{% cycle 'GRP': 'a', 'b' %}", "ab"),
    ("{% tablerow i in items | reverse cols: 1 + 1 limit: items.size - 1 %}{{ i }}"
     "{% endtablerow %}",
     '<tr class="row1">\n<td class="col1">4</td><td class="col2">3</td></tr>\n'
     '<tr class="row2"><td class="col1">2</td></tr>\n'),
    ("{% with a: 1 + 2, b: x || 'none' %}{{ a }}{{ b }}{% endwith %}", "3q"),
    # defaults are evaluated where the macro is called, as in python-liquid
    ("{% macro 'f' a, b: a * 2 %}{{ a }}-{{ b }}{% endmacro %}{% call 'f' 1 + 2 %}", "3-0"),
    ("{% macro 'f' a, b: x + '!' %}{{ a }}-{{ b }}{% endmacro %}{% call 'f' 1 + 2 %}", "3-q!"),
    ("{% macro 'f' a, b %}{{ a }}-{{ b }}{% endmacro %}{% call 'f' 'x' | upcase, b: 2 * 3 %}",
     "X-6"),
]

MODES = [pytest.param(True, id="compiled"), pytest.param(False, id="interpreted")]


def environment(compiled: bool) -> templating.Environment:
    return templating.Environment(loader=DictLoader(PARTIALS), compiled=compiled)


def python_liquid(source: str) -> str:
    env = liquid.Environment(loader=DictLoader(PARTIALS), extra=True)
    return env.from_string(source).render(**DATA)


@pytest.mark.parametrize("compiled", MODES)
@pytest.mark.parametrize("source", STANDARD)
def test_standard_tag_arguments_render_as_in_python_liquid(source: str, compiled: bool) -> None:
    expected = python_liquid(source)
    template = environment(compiled).from_string(source)
    assert template.render(**DATA) == expected
    assert asyncio.run(template.render_async(**DATA)) == expected
    assert pickle.loads(pickle.dumps(template)).render(**DATA) == expected


@pytest.mark.parametrize("compiled", MODES)
@pytest.mark.parametrize(("source", "expected"), LADLE)
def test_tag_arguments_take_ladle_expressions(source: str, expected: str,
                                              compiled: bool) -> None:
    template = environment(compiled).from_string(source)
    assert template.render(**DATA) == expected
    assert asyncio.run(template.render_async(**DATA)) == expected


def test_the_compiled_render_tag_evaluates_its_arguments_in_the_compiled_code() -> None:
    source = "{% for i in items %}{% render 'row', n: i + 1, m: forloop.index %}{% endfor %}"
    template = environment(True).from_string(source)
    assert template.compiled is not None
    generated = template.compiled.function.__code__.co_names
    assert "_render" in generated and "_fallback" not in generated
    assert template.render(**DATA) == "[2|1][3|2][4|3][5|4]"


def test_a_missing_partial_is_reported_before_its_arguments_are_evaluated() -> None:
    # python-liquid loads the partial first: the error is the missing partial's.
    for compiled in (True, False):
        env = templating.Environment(loader=DictLoader({}), compiled=compiled)
        with pytest.raises(templating.TemplateNotFound):
            env.from_string("{% render 'nope', n: 1 / 0 %}").render()


def test_a_call_spends_the_macro_s_work_like_a_partial() -> None:
    source = ("{% macro 'f' %}x{% endmacro %}"
              "{% for i in (1..1000) %}{% call 'f' %}{% endfor %}")
    env = templating.Environment(work_limit=200_000)  # the loop alone spends a few thousand
    with pytest.raises(templating.WorkLimitError):
        env.from_string(source).render()
    assert templating.Environment(work_limit=None).from_string(source).render() == "x" * 1000


def test_a_filter_with_several_arguments_in_a_tag_goes_in_parentheses() -> None:
    env = environment(True)
    with pytest.raises(templating.TemplateSyntaxError) as caught:
        env.from_string("{% render 'row', n: x | slice: 0, 2 %}")
    assert caught.value.message == (
        "expected 'name: value', found '2' (a comma outside brackets starts the tag's "
        "next argument: put a filter that takes several arguments in parentheses)")
    assert caught.value.column == 35


def test_tags_inside_liquid_blocks_take_expressions_too() -> None:
    source = "{% liquid\ncycle 1 + 1, 3\nrender 'row', n: 2 * 2\n%}"
    assert environment(True).from_string(source).render() == "2[4|]"


@pytest.mark.parametrize("source", [
    "{% render 'row', n=1, m='a=b' %}",
    "{% include 'row' n=product.title %}",
    "{% with a=1, b=\"x\" %}{{ a }}{{ b }}{% endwith %}",
    "{% macro 'f' a, b='d' %}{{ a }}{{ b }}{% endmacro %}{% call 'f' 1 %}{% call 'f' 1, b=2 %}",
])
def test_keyword_assignment_as_in_python_liquid(source: str) -> None:
    class Assigning(liquid.Environment):
        keyword_assignment = True

    class LadleAssigning(templating.Environment):
        keyword_assignment = True

    expected = Assigning(loader=DictLoader(PARTIALS), extra=True).from_string(source).render(
        **DATA)
    for compiled in (True, False):
        env = LadleAssigning(loader=DictLoader(PARTIALS), compiled=compiled)
        assert env.from_string(source).render(**DATA) == expected
    # without the option, '=' is no separator
    with pytest.raises(templating.TemplateSyntaxError):
        environment(True).from_string(source)
