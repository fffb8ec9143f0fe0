"""ladle's filters inside python-liquid templates: errors point at the filter; undefined rules."""

from __future__ import annotations

import liquid
import pytest
from liquid.exceptions import FilterArgumentError, UndefinedError

from ladle import filters


def environment(**options: object) -> liquid.Environment:
    env = liquid.Environment(**options)  # type: ignore[arg-type]
    for name, function in filters.LADLE.items():
        env.add_filter(name, function)
    return env


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("{{ track.seconds | mmss }} / {{ album.seconds | mmss }}", "4:05 / 1:02:03"),
        ("{{ price | money }} {{ price | money: '€' }} {{ price | money: '£', 0 }}",
         "$1,234.50 €1,234.50 £1,235"),
        ("{{ 3 | pluralize: 'track' }}, {{ 2 | pluralize: 'box', 'boxes' }}", "3 tracks, 2 boxes"),
        ("{{ 'Beyoncé Knowles!' | slugify }}", "beyonce-knowles"),
        ("{{ bytes | filesize }} {{ bytes | filesize: 'binary' }}", "48.2 MB 46.0 MiB"),
        ("{{ album | json }}", '{"seconds":3723,"title":"Lemonade"}'),
        ("{{ missing | mmss }}|{{ missing | money }}|{{ missing | slugify }}|{{ missing | json }}",
         "0:00|$0.00||null"),
        ("{{ 'abc' | upcase | slugify }}", "abc"),
    ],
)
def test_rendered(source: str, expected: str) -> None:
    data = {
        "track": {"seconds": 245},
        "album": {"title": "Lemonade", "seconds": 3723},
        "price": 1234.5,
        "bytes": 48213120,
    }
    assert environment().from_string(source).render(**data) == expected


def test_errors_point_at_the_filter_like_standard_ones() -> None:
    source = "{{ 'abc' | mmss }}"
    with pytest.raises(FilterArgumentError) as caught:
        environment().from_string(source).render()
    context = caught.value.context()
    assert context is not None and context[:2] == (1, 11)  # the 'mmss' name
    assert "expected a number of seconds, found 'abc'" in str(caught.value)


def test_wrong_arguments_point_at_the_filter() -> None:
    with pytest.raises(FilterArgumentError) as caught:
        environment().from_string("{{ 3 | pluralize }}").render()
    assert caught.value.token is not None and caught.value.token.value == "pluralize"


@pytest.mark.parametrize("name", sorted(filters.LADLE))
def test_strict_undefined_raises(name: str) -> None:
    env = environment(undefined=liquid.StrictUndefined)
    args = ": 'word'" if name == "pluralize" else ""
    with pytest.raises(UndefinedError, match="'nothing' is undefined"):
        env.from_string(f"{{{{ nothing | {name}{args} }}}}").render()
