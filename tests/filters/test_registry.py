"""``filters.standard()``, ``filters.LADLE`` and ``filters.registry()``."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import liquid
import pytest
from markupsafe import Markup

from ladle import filters, grammar

LADLE_NAMES = {"mmss", "money", "pluralize", "json", "slugify", "filesize"}


def test_standard_is_python_liquids_own_table() -> None:
    table = filters.standard()
    reference = liquid.Environment().filters
    assert table == reference  # the same functions under the same names, none rewritten
    assert table is not filters.standard()
    assert len(table) == 62  # python-liquid 2.3.6; update with the pinned version


def test_ladle_is_read_only_and_holds_the_six() -> None:
    assert set(filters.LADLE) == LADLE_NAMES
    with pytest.raises(TypeError):
        filters.LADLE["mmss"] = len  # type: ignore[index]


def test_ladle_never_rewrites_a_standard_filter() -> None:
    assert not set(filters.LADLE) & set(liquid.Environment().filters)


def test_registry_holds_every_standard_filter_and_ladles() -> None:
    table = filters.registry()
    assert set(table) == set(liquid.Environment().filters) | LADLE_NAMES
    for name, function in filters.LADLE.items():
        assert table[name] is function


def test_no_standard_filter_needs_a_context() -> None:
    """registry() leaves with_context filters out; today none are left out."""
    marked = [n for n, f in liquid.Environment().filters.items() if getattr(f, "with_context", 0)]
    assert marked == []


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        ("upcase", ("a",), "A"),
        ("escape", ("<",), "&lt;"),
        ("escape_once", ("&lt;<",), "&lt;&lt;"),
        ("join", (["a", "b"], ","), "a,b"),
        ("join", (["a", "b"],), "a b"),
        ("first", ([3, 4],), 3),
        ("last", ([3, 4],), 4),
        ("newline_to_br", ("a\nb",), "a<br />\nb"),
        ("strip_html", ("<b>x</b>",), "x"),
        ("strip_newlines", ("a\nb",), "ab"),
        ("url_encode", ("a b",), "a+b"),
        ("date", ("2024-03-01", "%Y"), "2024"),
        ("safe", ("<b>",), "<b>"),
        ("escapejs", ("'",), "\\u0027"),
        ("plus", (1, 2), 3),
        ("size", ([1, 2],), 2),
        ("default", (None, "x"), "x"),
        ("mmss", (61,), "1:01"),
        ("money", (1234.5,), "$1,234.50"),
        ("pluralize", (2, "track"), "2 tracks"),
        ("json", ({"b": 1, "a": 2},), '{"a":2,"b":1}'),
        ("slugify", ("Beyoncé",), "beyonce"),
        ("filesize", (1000,), "1.0 kB"),
    ],
)
def test_registry_filters_work_called_plainly(
    name: str, args: tuple[Any, ...], expected: Any
) -> None:
    assert filters.registry()[name](*args) == expected


def test_every_registry_filter_is_callable_plainly() -> None:
    """No entry still waits for an environment= or context= keyword."""
    standard = filters.standard()
    for name, function in filters.registry().items():
        needs = getattr(function, "with_environment", False) or getattr(
            function, "with_context", False
        )
        assert not needs, name
        if getattr(standard.get(name), "with_environment", False):
            assert isinstance(function, functools.partial), name
            assert isinstance(function.keywords["environment"], liquid.Environment), name


def test_registry_binds_the_given_environment() -> None:
    autoescaping = liquid.Environment(autoescape=True)
    table = filters.registry(environment=autoescaping)
    escaped = table["escape"]("<b>")
    assert escaped == "&lt;b&gt;" and isinstance(escaped, Markup)
    assert isinstance(table["safe"]("<b>"), Markup)
    assert not isinstance(filters.registry()["safe"]("<b>"), Markup)
    for function in table.values():
        if isinstance(function, functools.partial):
            assert function.keywords["environment"] is autoescaping


def test_two_registries_share_no_mutable_state() -> None:
    first, second = filters.registry(), filters.registry()
    assert first is not second
    environments = set()
    for name, function in first.items():
        if isinstance(function, functools.partial):
            other = second[name]
            assert isinstance(other, functools.partial)
            assert function is not other
            assert function.keywords is not other.keywords
            assert function.keywords["environment"] is not other.keywords["environment"]
            environments.add(id(function.keywords["environment"]))
        else:
            assert function is second[name]  # a plain module-level function
    assert len(environments) == 1  # one fresh environment per call, shared within it
    first["upcase"] = str.lower
    first["mine"] = str.title
    del first["json"]
    assert second["upcase"]("a") == "A" and "mine" not in second and "json" in second
    assert filters.registry()["upcase"]("a") == "A" and "json" in filters.LADLE


def test_a_host_adds_its_own() -> None:
    table = {**filters.registry(), "shout": lambda value: f"{value}!"}
    assert table["shout"]("hi") == "hi!"
    assert table["upcase"]("hi") == "HI"


def test_with_context_filters_are_left_out(monkeypatch: pytest.MonkeyPatch) -> None:
    def needs_context(value: object, *, context: object) -> object:
        return value

    def needs_environment(value: object, *, environment: liquid.Environment) -> bool:
        return environment.autoescape

    needs_context.with_context = True  # type: ignore[attr-defined]
    needs_environment.with_environment = True  # type: ignore[attr-defined]
    fake: dict[str, Callable[..., object]] = {
        "contextual": needs_context,
        "environmental": needs_environment,
    }
    monkeypatch.setattr(filters, "standard", lambda: dict(fake))
    table = filters.registry(environment=liquid.Environment(autoescape=True))
    assert "contextual" not in table
    assert table["environmental"]("x") is True
    assert set(table) >= LADLE_NAMES


def test_the_registry_serves_rules() -> None:
    table = filters.registry()
    rule = grammar.compile("(tag | downcase) == 'lossless' && (secs | mmss) == '4:05'",
                           filters=table)
    assert rule.evaluate({"tag": "LOSSLESS", "secs": 245}) is True
    assert rule.evaluate({"tag": "lossy", "secs": 245}) is False


def test_filters_agree_across_threads() -> None:
    """ladle's filters keep no state: eight threads get the answers one thread gets."""
    from concurrent.futures import ThreadPoolExecutor

    table = filters.registry()
    calls = [
        ("mmss", (3723,)),
        ("money", (2.675, "€")),
        ("filesize", (48213120, "binary")),
        ("pluralize", (3, "track")),
        ("slugify", ("Sigur Rós",)),
        ("json", ({"b": [1, 2], "a": "é"},)),
        ("escape", ("<&>",)),
    ] * 200
    expected = [table[name](*args) for name, args in calls]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda call: table[call[0]](*call[1]), calls))
    assert results == expected
