"""The template lexer's quick reading of output and tag bodies (``lexer._plain``) gives
exactly what its scanner gives, which reads every body when ``quick`` is off; and the
lexer reads other delimiters as it reads Liquid's (``tests/adversarial/test_lexing.py``
compares it with the lexer it replaced, for Liquid's delimiters).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from liquid.token import Token

from ladle import templating
from ladle.templating import lexer

Tokenizer = Callable[[str], Iterator[Token]]


def tokenizer(*delimiters: str, quick: bool) -> Tokenizer:
    return partial(lexer._tokenize, lexer=lexer._Lexer(*delimiters, quick=quick))


def outcome(tokenize: Tokenizer, source: str) -> object:
    """The tokens as (kind, value, start), or the error as ('error', message, start)."""
    try:
        return [(token.kind, token.value, token.start_index) for token in tokenize(source)]
    except templating.TemplateSyntaxError as error:
        return ("error", error.message, error.token.start_index)  # type: ignore[union-attr]


LIQUID = ("{%", "%}", "{{", "}}", "{#", "#}")
QUICK, SCANNED = tokenizer(*LIQUID, quick=True), tokenizer(*LIQUID, quick=False)

# Bodies with quotes of both kinds, escaped or not, closed or not, holding end delimiters.
FRAGMENTS = ["{{", "}}", "{%", "%}", "{#", "#}", "-", "-}}", "-%}", "{{-", "{%-", "'", '"',
             "\\", "\\'", " ", "\n", "x", "if", "raw", "endraw", "comment", "endcomment",
             "'}}'", '"%}"', "'a'", '"b"', "{{ x }}", "{% if x %}", "{{ 'a' }}"]


@settings(max_examples=4000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=30).map("".join))
def test_quick_bodies_are_the_scanners(source: str) -> None:
    assert outcome(QUICK, source) == outcome(SCANNED, source), source


# Few pieces, so that strings, escapes and end delimiters meet often.
DENSE = ["{{", "}}", "{%", "%}", "'", '"', "\\", " ", "-", "x"]


@settings(max_examples=4000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(DENSE), max_size=14).map("".join))
def test_quick_bodies_are_the_scanners_dense(source: str) -> None:
    assert outcome(QUICK, source) == outcome(SCANNED, source), source


@pytest.mark.parametrize("source", [
    "{{ 'a' }}", "{{ '\\' }}' }}", "{{ 'a' -}} b", "{{ x 'a'-}}", "{{ '}}' }}", "{{ 'a }}",
    "{{ 'a }} '",
    "{{ x \\' }} '", "{{ \"'\" }}", "{{ ' }}{{ x }}", "{%- if 'a' == \"b\" -%}", "{{-'x'-}}",
    "{{ '' }}", "{{ 'a''b' }}", "{{ \u2028 }}", "{{ x }} {{ 'y", "{{- -}}", "{% x '%}' %}",
])
def test_quick_bodies_edge_cases(source: str) -> None:
    assert outcome(QUICK, source) == outcome(SCANNED, source)


# Liquid's delimiters, and others of the same lengths, character for character.
OTHER = str.maketrans("{}%", "[]@")
OTHER_DELIMITERS = tuple(delimiter.translate(OTHER) for delimiter in LIQUID)


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=30).map("".join))
def test_other_delimiters_read_as_liquids(source: str) -> None:
    other = tokenizer(*OTHER_DELIMITERS, quick=True)
    expected = outcome(QUICK, source)
    translated = outcome(other, source.translate(OTHER))
    if isinstance(expected, list):
        expected = [(kind, value.translate(OTHER), start) for kind, value, start in expected]
    else:  # the message names the delimiter
        expected = (expected[0], str(expected[1]).translate(OTHER), expected[2])  # type: ignore[index]
    assert translated == expected, source


@pytest.mark.parametrize(("delimiters", "source", "expected"), [
    # Of two openings at one place, the text ends at the shorter (its dash trims).
    (("{%", "%}", "{%=", "=%}"), "a {%= x =%} b {%- if x %}", [
        ("content", "a ", 0), ("output", "{%= x =%}", 2), ("expression", "x", 6),
        ("content", " b", 11), ("tag", "if", 18), ("expression", "x", 21)]),
    (("<%", "%>", "<<", ">>", "<#", "#>"), "a <# c -#>\n b<<- x >>", [
        ("content", "a ", 0), ("COMMENT", " c ", 2), ("content", "b", 10),
        ("output", "<<- x >>", 13), ("expression", "x", 17)]),
])
def test_openings_of_other_lengths(delimiters: tuple[str, ...], source: str,
                                   expected: list[tuple[str, str, int]]) -> None:
    for quick in (True, False):
        assert outcome(tokenizer(*delimiters, quick=quick), source) == expected


def test_a_tokenizer_is_made_once_per_set_of_delimiters() -> None:
    assert lexer.get_lexer(*LIQUID) is lexer.get_lexer(*LIQUID)
    assert lexer.get_lexer(*LIQUID) is not lexer.get_lexer(*OTHER_DELIMITERS)
