"""Hypothesis builds hostile templates from the pieces that multiply work or memory (big
loops, strings doubled up to the length limit, filters that outgrow their input, integers
squared, partials that render themselves), and every render must end, under a time and
memory cap, with output or one of ladle's (python-liquid's) errors."""

from __future__ import annotations

from tests.adversarial.capped import expect_output

PROPERTY = """
import time
from hypothesis import HealthCheck, given, settings, strategies as st
from liquid import DictLoader
from liquid.exceptions import LiquidError
from ladle import templating

counts = st.sampled_from(["3", "1000", "1000000", "1000000000"])
steps = st.sampled_from([
    "{{ s }}", "{{ s | replace: 'a', s }}", "{{ (1..n) | join: s }}",
    "{% assign s = s | append: s %}", "{% assign s = s + s %}", "{{ s | split: '' | size }}",
    "{% assign x = x | times: x %}", "{% assign x = x * x %}", "{{ x }}",
    "{{ ((1..n),) + (s,) }}", "{{ s contains 'b' }}", "{% if s == t %}{% endif %}",
    "{% assign t = s | upcase %}", "{% render 'self', d: d + 1, s: s %}",
    "{% cycle s, t %}", "{{ s | truncate: n }}", "{{ s | slice: 0, n }}",
])


@st.composite
def bodies(draw, depth=0):
    parts = []
    for _ in range(draw(st.integers(1, 4))):
        if depth < 2 and draw(st.booleans()):
            count = draw(counts)
            parts.append("{% for i in (1..N) %}".replace("N", count) + draw(bodies(depth + 1))
                         + "{% endfor %}")
        else:
            parts.append(draw(steps))
    return "".join(parts)


PRELUDE = "{% assign s = 'a' %}{% assign t = 'b' %}{% assign x = 7 %}{% assign n = 10 %}"
SELF = "{% if d < 20 %}" + "{% render 'self', d: d + 1, s: s %}" * 2 + "{% endif %}"
slowest = [0.0]


@settings(max_examples=EXAMPLES, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
@given(bodies(), st.booleans())
def hostile(body, compiled):
    env = templating.Environment(loader=DictLoader({"self": SELF}), compiled=compiled,
                                 work_limit=2_000_000)
    started = time.perf_counter()
    try:
        env.from_string(PRELUDE + body).render(d=0)
    except LiquidError:
        pass
    slowest[0] = max(slowest[0], time.perf_counter() - started)


hostile()
print(round(slowest[0], 3))
"""


def test_hostile_templates_end_with_output_or_a_library_error() -> None:
    slowest = float(expect_output(PROPERTY.replace("EXAMPLES", "150"), seconds=240))
    # A reduced work budget keeps each render short; none may run away.
    assert slowest < 5.0
