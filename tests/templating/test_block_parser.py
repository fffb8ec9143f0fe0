"""ladle's block parser and token stream (``tags.parsing.BlockParser``, ``TemplateStream``)
make the nodes python-liquid's ``Parser`` and ``TokenStream`` make, and the same errors,
in strict and lax mode: generated templates are parsed both ways and compared node by
node."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from liquid import Mode
from liquid.exceptions import LiquidError
from liquid.parser import Parser
from liquid.stream import TokenStream
from liquid.token import Token

from ladle import templating
from ladle.templating.tags.parsing import TemplateStream
from ladle.templating.walk import walk_nodes


def environments(mode: Mode) -> tuple[templating.Environment, templating.Environment]:
    """(ladle's, one whose tags parse their blocks with python-liquid's parser)."""
    old = templating.Environment(tolerance=mode, template_comments=True)
    old.block_parser = None  # type: ignore[assignment]
    return templating.Environment(tolerance=mode, template_comments=True), old


STRICT, LAX = environments(Mode.STRICT), environments(Mode.LAX)


_ADDRESS = re.compile(r" at 0x[0-9a-f]+")  # in the text of a node without its own


def dump(nodes: list[Any]) -> list[tuple[str, Token, bool, str]]:
    return [(type(node).__name__, node.token, node.blank, _ADDRESS.sub("", str(node)))
            for node in walk_nodes(nodes)]


def outcome(parse: Any) -> object:
    try:
        return dump(parse())
    except LiquidError as error:
        return (type(error).__name__, error.message, error.token)


def assert_same_nodes(source: str, pair: tuple[templating.Environment, ...]) -> None:
    new, old = pair
    ours = outcome(lambda: new.block_parser.parse(TemplateStream(new.tokenizer()(source))))
    theirs = outcome(lambda: Parser(old).parse(TokenStream(old.tokenizer()(source))))
    assert ours == theirs, source


PIECES = ["text ", "\n", "{{ x }}", "{{ 'a' | upcase }}", "{{ }}", "{% if x %}", "{% elsif y %}",
          "{% else %}", "{% endif %}", "{% unless x %}", "{% endunless %}",
          "{% for i in (1..2) %}", "{% endfor %}", "{% break %}", "{% case x %}",
          "{% when 1, 2 %}", "{% endcase %}", "{% capture c %}", "{% endcapture %}",
          "{% assign a = 1 %}", "{% raw %}{{ r }}{% endraw %}", "{% comment %}c{% endcomment %}",
          "{# note #}", "{% # inline %}", "{% liquid\necho x\nassign b = 2 %}", "{% cycle 1, 2 %}",
          "{% tablerow t in (1..3) %}", "{% endtablerow %}", "{% increment n %}",
          "{% nosuch %}", "{% endnosuch %}", "{% if %}", "{% doc %}d{% enddoc %}", "{%- if x -%}",
          "{% with a: 1 %}", "{% endwith %}", "{% echo x %}"]


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), max_size=16).map("".join), st.booleans())
def test_same_nodes_as_python_liquids_parser(source: str, lax: bool) -> None:
    assert_same_nodes(source, LAX if lax else STRICT)


@pytest.mark.parametrize("source", [
    "", "a", "{% endif %}", "{% if x %}a", "{% for x in y %}{% else %}b{% endfor %}c",
    "{% if x %}" * 120 + "{% endif %}" * 120,  # past the block nesting limit
    "{% case x %}text{% when 1 %}a{% else %}b{% endcase %}",
])
@pytest.mark.parametrize("lax", [False, True])
def test_same_nodes_on_edge_cases(source: str, lax: bool) -> None:
    assert_same_nodes(source, LAX if lax else STRICT)


def test_the_stream_steps_as_python_liquids() -> None:
    tokens = list(STRICT[0].tokenizer()("a{{ x }}{% if y %}b"))
    ours, theirs = TemplateStream(iter(tokens)), TokenStream(iter(tokens))
    for _ in range(len(tokens) + 2):  # and past the end, where both stay at end of file
        assert (ours.current, ours.peek, ours.pos) == (theirs.current, theirs.peek, theirs.pos)
        assert next(ours) == next(theirs)
    assert ours.current is TokenStream.eof
    empty = TemplateStream(iter([]))
    assert (empty.current, next(empty), empty.next(), empty.next_token()) == (
        TokenStream.eof,) * 4


@pytest.mark.parametrize(("step", "args"), [
    ("eat", ("tag",)), ("eat", ("output",)), ("expect", ("tag",)), ("expect", ("tag", "if")),
    ("expect", ("tag", "for")), ("expect", ("output",)), ("expect", ("expression", "y")),
])
def test_eat_and_expect_as_python_liquids(step: str, args: tuple[str, ...]) -> None:
    tokens = list(STRICT[0].tokenizer()("{% if y %}"))

    def run(stream: TokenStream) -> object:
        try:
            found = getattr(stream, step)(*args)
        except LiquidError as error:
            return (type(error).__name__, error.message, error.token, stream.pos)
        return (found, stream.current, stream.pos)

    assert run(TemplateStream(iter(tokens))) == run(TokenStream(iter(tokens)))
