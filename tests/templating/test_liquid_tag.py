"""ladle's ``{% liquid %}`` line splitter yields exactly python-liquid's tokens (or the
same error), in linear time."""

from __future__ import annotations

import time

import liquid
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from liquid.exceptions import LiquidSyntaxError
from liquid.token import TOKEN_EXPRESSION, Token

from ladle import templating

PIECES = ["echo", "assign", "x", "1", "#", "#c", "a = 1", " ", "\t", "\r", "\n", "\n\n",
          "(", "'s'", "|", "upcase", "{", "é", "-"]


def tokens(env: liquid.Environment, body: str) -> object:
    tag = env.tags["liquid"]
    token = Token(TOKEN_EXPRESSION, body, 10, "x" * 10 + body)
    try:
        return [(t.kind, t.value, t.start_index) for t in tag._tokenize(body, token=token)]  # type: ignore[attr-defined]
    except LiquidSyntaxError as error:
        return str(error.message)


@pytest.mark.parametrize("comments", [False, True])
def test_the_same_tokens_as_python_liquid(comments: bool) -> None:
    reference = liquid.Environment(template_comments=comments)
    ours = templating.Environment(template_comments=comments)

    @settings(max_examples=1000, deadline=None, database=None)
    @given(st.lists(st.sampled_from(PIECES), max_size=14).map("".join))
    def same(body: str) -> None:
        assert tokens(ours, body) == tokens(reference, body), repr(body)

    same()


def test_long_lines_take_linear_time() -> None:
    def seconds(n: int) -> float:
        body = "echo x" + " " * n + "y"
        started = time.perf_counter()
        tokens(templating.Environment(), body)
        return time.perf_counter() - started

    small, large = min(seconds(20_000) for _ in range(3)), min(seconds(160_000) for _ in range(3))
    assert large < 12 * max(small, 1e-4)
