"""The syntax nodes every compiled template shares (names, constants: ``tag_compiler.placed``)
stay as they were made, whatever is compiled, in whichever thread: compiling only reads
them. An error still names the line and column of the output that raised it."""

from __future__ import annotations

import ast
import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from liquid import DictLoader

from ladle import templating
from ladle.templating import compiler, tag_compiler
from ladle.templating.errors import TemplateEvaluationError

SOURCE = """{% assign n = 0 %}{% for x in xs %}{% if x > 1 %}<b>{{ x | plus: n }}</b>
{% else %}{{ x }}{% endif %}{% assign n = n | plus: x %}{% endfor %}{{ n }}"""


def _shared() -> list[ast.AST]:
    return [*tag_compiler.LOADS.values(), *tag_compiler.STORES.values(),
            compiler._NONE]


def _state(nodes: list[ast.AST]) -> list[dict[str, object]]:
    return [dict(vars(node)) for node in nodes]


def test_compiling_leaves_the_shared_nodes_as_made() -> None:
    before = _state(_shared())
    env = templating.Environment(autoescape=True)

    def render(i: int) -> str:
        template = env.from_string(SOURCE + "x" * i)
        return template.render(xs=[1, 2, 3])

    with ThreadPoolExecutor(4) as pool:
        outputs = list(pool.map(render, range(20)))
    template = env.from_string(SOURCE)
    assert asyncio.run(template.render_async(xs=[1, 2, 3])) == outputs[0]
    assert outputs[0] == "1<b>3</b>\n<b>6</b>\n6"
    assert _state(_shared()) == before
    assert all(node.lineno == 1 for node in _shared())  # type: ignore[attr-defined]


def test_an_error_names_the_output_that_raised_it() -> None:
    env = templating.Environment(strict=True)
    template = env.from_string("a\n{{ 1 }}{{ 2 }}\n  {{ missing.x }}")
    with pytest.raises(TemplateEvaluationError) as raised:
        template.render()
    assert "-> <string>:3:6" in str(raised.value)


# What the generated code may call on line 1 (``pyast._NoLine``), where no error is
# reported: only what cannot fail.
_UNPLACED_CALLS_THAT_CANNOT_FAIL = {"type"}
ARTIST = Path(__file__).resolve().parents[2] / "examples" / "artist"


@pytest.mark.parametrize("is_async", [False, True])
@pytest.mark.parametrize("source", [
    SOURCE,
    (ARTIST / "artist.html").read_text(encoding="utf-8"),
    "{% case x %}{% when 1, 'a' %}{% cycle 'p', q %}{% when y %}{{ y }}{% endcase %}"
    "{% capture c %}{{ c }}{% endcapture %}{% unless c %}{% increment n %}{% endunless %}"
    "{% tablerow t in xs cols: 2 %}{{ t }}{% endtablerow %}{% include 'p', a: x %}"
    "{% render 'p' for xs as v, b: y %}{% for i in xs %}{% break %}{% endfor %}",
])
def test_every_call_that_may_fail_has_a_line(source: str, is_async: bool) -> None:
    env = templating.Environment(loader=DictLoader({"p": "{{ a }}{{ v }}"}))
    template = env.from_string(source)
    module = compiler.TemplateCompiler(template, escape_output=True,
                                       is_async=is_async).function(template.nodes)
    unplaced = {ast.unparse(node.func) for node in ast.walk(module)
                if isinstance(node, ast.Call) and "lineno" not in vars(node)}
    assert unplaced <= _UNPLACED_CALLS_THAT_CANNOT_FAIL
