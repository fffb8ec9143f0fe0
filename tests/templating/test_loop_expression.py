"""A ``for`` or ``tablerow`` loop's text is lexed for its parameters only when one of
their words is in it (``for_tag._PARAMETER_WORDS``): the loop read without that check
(always lexed) is the reference, on generated texts."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from liquid.token import TOKEN_EXPRESSION, Token

from ladle import templating
from ladle.templating.tags import for_tag

ENV = templating.Environment()


def read(text: str) -> object:
    """The loop's parts, or its error (message and position)."""
    ENV.compile_at.cache_clear()
    try:
        loop = for_tag.loop_expression(ENV, Token(TOKEN_EXPRESSION, text, 10, " " * 10 + text))
    except templating.TemplateSyntaxError as error:
        return (error.message, error.token.start_index)  # type: ignore[union-attr]
    return (loop.identifier, str(loop.iterable), str(loop.limit), str(loop.offset),
            str(loop.cols), loop.reversed)


def assert_as_always_lexed(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    found = read(text)
    with monkeypatch.context() as patched:
        patched.setattr(for_tag, "_PARAMETER_WORDS", re.compile(""))
        assert found == read(text), text


PARTS = [" ", "x", "in", "items", "(1..3)", "[", "]", "(", ")", ",", ":", "limit", "offset",
         "cols", "reversed", "continue", "'s'", "'", "$", "2", "-", "|", "f", ".a", "\n"]


@settings(max_examples=2000, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(text=st.lists(st.sampled_from(PARTS), max_size=12).map("".join))
def test_loops_read_as_when_always_lexed(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert_as_always_lexed("x in " + text, monkeypatch)


@pytest.mark.parametrize("text", [
    "x in items", "x in items,", "x in (1..3) limit: 2", "x in items reversed",
    "x in 'limit: 2'", "x in items $", "x in ' ,", "x in ,", "x in a[limit: 1]",
    "x in items offset: continue, limit: 1 reversed", "x in limits",
])
def test_loop_edge_cases(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert_as_always_lexed(text, monkeypatch)
