"""Templates and environments can be pickled (as python-liquid's can): compiled functions
and caches are made again when unpickled, and the result renders the same."""

from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from liquid import DictLoader

from ladle import templating

SOURCES = [
    "{% for i in (1..3) %}{{ a + i }}{% unless forloop.last %}, {% endunless %}{% endfor %}",
    "{% let n = 0 %}{% for x in xs %}{% let n = n + x %}{% endfor %}{{ n | times: 2 }}",
    "{% render 'row', x: 'aa' %}{{ s | upcase | replace: 'X', 'y' }}{{ xs | join: '-' }}",
    "{% if a && !b %}yes{% elsif a %}a{% else %}no{% endif %}"
    "{% case a %}{% when 1 %}one{% endcase %}",
    "{% capture c %}{{ s }}{% endcapture %}{{ c | size }}{% cycle 'x', 'y' %}",
]
DATA = {"a": 1, "b": False, "s": "x<", "xs": [1, 2, 3]}


@pytest.mark.parametrize("compiled", [True, False])
@pytest.mark.parametrize("source", SOURCES)
def test_a_pickled_template_renders_the_same(source: str, compiled: bool) -> None:
    env = templating.Environment(compiled=compiled, autoescape=True,
                                 loader=DictLoader({"row": "<b>{{ x | replace: 'a', 'b' }}</b>"}))
    template = env.from_string(source)
    expected = template.render(**DATA)
    copy = pickle.loads(pickle.dumps(template))
    assert copy.render(**DATA) == expected
    assert (copy.compiled is not None) == compiled


def test_a_template_pickled_in_one_process_renders_in_another(tmp_path: Path) -> None:
    saved = tmp_path / "t.pickle"
    code = ("import pickle, sys, templating\n"
            "t = templating.Environment().from_string('{{ a * 6 | plus: 1 }}')\n"
            f"open({str(saved)!r}, 'wb').write(pickle.dumps(t))\n")
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root)
    assert pickle.loads(saved.read_bytes()).render(a=7) == "43"
