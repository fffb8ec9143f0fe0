"""``pluralize`` and ``slugify``."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from liquid import Undefined
from markupsafe import Markup

from ladle.filters.text import pluralize, slugify
from tests.filters.helpers import assert_filter_error


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((3, "track"), "3 tracks"),
        ((1, "track"), "1 track"),
        ((0, "track"), "0 tracks"),
        ((2, "box", "boxes"), "2 boxes"),
        ((1, "box", "boxes"), "1 box"),
        ((1.0, "album"), "1.0 album"),
        ((Decimal("1.00"), "album"), "1.00 album"),
        ((1.5, "star"), "1.5 stars"),
        ((-1, "degree"), "-1 degrees"),
        (("1", "track"), "1 track"),
        ((" 12 ", "track"), "12 tracks"),
        ((None, "track"), "0 tracks"),
        ((Undefined("count"), "track"), "0 tracks"),
        ((2, "person", None), "2 persons"),
        ((2, "person", Undefined("plural")), "2 persons"),
        ((2, "person", "people"), "2 people"),
        ((2, Markup("<i>hit</i>")), "2 <i>hit</i>s"),
    ],
)
def test_pluralize(args: tuple[Any, ...], expected: str) -> None:
    assert pluralize(*args) == expected


@pytest.mark.parametrize(
    ("args", "quoted"),
    [
        (("three", "track"), "'three'"),
        ((True, "track"), "true"),
        (([1, 2], "track"), "[1, 2] (list)"),
        ((float("nan"), "track"), "nan"),
        ((2, None), "nil"),
        ((2, Undefined("word")), "nil"),
        ((2, 5), "5"),
        ((2, "box", 7), "7"),
        ((2,), "missing 1 required positional argument: 'singular'"),
        ((2, "a", "b", "c"), "takes from 2 to 3 positional arguments but 4 were given"),
    ],
)
def test_pluralize_errors(args: tuple[Any, ...], quoted: str) -> None:
    assert_filter_error(pluralize, args, quoted)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Beyoncé Knowles!", "beyonce-knowles"),
        ("Sigur Rós", "sigur-ros"),
        ("Mötley Crüe", "motley-crue"),
        ("Björk — Homogenic (1997)", "bjork-homogenic-1997"),
        ("Røyksopp", "royksopp"),
        ("Straße", "strasse"),
        ("Łódź", "lodz"),
        ("Æther", "aether"),
        ("İstanbul", "istanbul"),
        ("\ufb01ne \uff12\uff10\uff12\uff14", "fine-2024"),  # NFKD: ligature and full-width digits
        ("AC/DC", "ac-dc"),
        ("  --hello--world--  ", "hello-world"),
        ("a___b", "a-b"),
        ("already-a-slug", "already-a-slug"),
        ("日本語", ""),
        ("!!!", ""),
        ("", ""),
        (42, "42"),
        (1.5, "1-5"),
        (True, "true"),
        (Markup("<b>Hi</b>"), "b-hi-b"),
        (None, ""),
        (Undefined("title"), ""),
    ],
)
def test_slugify(text: Any, expected: str) -> None:
    assert slugify(text) == expected


def test_slugify_wrong_arguments() -> None:
    assert_filter_error(slugify, ("a", "-"), "slugify() takes 1 positional argument")


SLUG = re.compile(r"(?:[a-z0-9]+(?:-[a-z0-9]+)*)?")


@given(st.text())
def test_slugify_always_gives_a_slug(text: str) -> None:
    slug = slugify(text)
    assert SLUG.fullmatch(slug), slug
    assert slugify(slug) == slug
