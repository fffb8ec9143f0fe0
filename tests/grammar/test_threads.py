"""Compiled expressions are immutable and safe to share between threads (quality.md "Threads")."""

from __future__ import annotations

import copy
import dataclasses
import random
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from ladle import grammar
from ladle.grammar.nodes import fields, walk

THREADS = 8

RULES = [
    "tag == 'lossless' && (id % 100) <= 47",
    "tag in ('lossless', 'flac') && (id % 100) > 47 && (id % 100) <= 80",
    "(id % 100) > 80 || size / parts > 1000",
    "slot(id, 16) == 3 ? 'hot' : tag | upcase",
    "artist.name ? lower(artist.name) + '-' + str(year) : 'unknown'",
    "(1..limit) contains id % 10",
    "year >= 2000 and year < 2010 or not artist",
    "missing || max(id % 7, year % 13, 3)",
]
FILTERS = {"upcase": lambda value: str(value).upper()}


def make_records(count: int) -> list[dict[str, Any]]:
    rng = random.Random(20240601)
    records = []
    for i in range(count):
        record: dict[str, Any] = {
            "id": rng.randrange(-(2**40), 2**64),
            "tag": rng.choice(["lossless", "flac", "mp3", "", None, 3]),
            "size": rng.choice([0, 1, 5000, 10**9, 2.5]),
            "parts": rng.choice([1, 2, 0, 3.0]),  # 0 divides by zero
            "year": rng.choice([1999, 2000, 2005, 2010, "2005"]),  # a string fails '<'
            "limit": rng.randrange(0, 12),
        }
        if i % 3:
            record["artist"] = {"name": rng.choice(["ABBA", "Björk", "", None])}
        records.append(record)
    return records


RECORDS = make_records(4000)


def canon(value: Any) -> Any:
    if isinstance(value, (list, tuple, range)):
        return ("list", [canon(v) for v in value])
    if isinstance(value, Mapping):
        return ("map", {k: canon(v) for k, v in value.items()})
    return (type(value).__name__, value)


def outcome(function: Callable[[Any], Any], record: Mapping[str, Any]) -> tuple[Any, ...]:
    try:
        return ("value", canon(function(record)))
    except grammar.ExpressionError as error:
        return ("error", type(error).__name__, error.message, error.source, error.position)


def run_all(functions: list[Callable[[Any], Any]], records: list[dict[str, Any]]) -> list[Any]:
    return [[outcome(f, r) for f in functions] for r in records]


@pytest.fixture
def busy_switching() -> Iterator[None]:
    """Switch threads as often as possible, to give races every chance."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(interval)


def run_in_threads(work: Callable[[int], Any]) -> list[Any]:
    barrier = threading.Barrier(THREADS)

    def start(index: int) -> Any:
        barrier.wait()
        return work(index)

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return list(pool.map(start, range(THREADS)))


def rotated(records: list[dict[str, Any]], index: int) -> tuple[int, list[dict[str, Any]]]:
    """Each thread starts at a different record, so they evaluate different data at once."""
    shift = index * len(records) // THREADS
    return shift, records[shift:] + records[:shift]


def unrotate(results: list[Any], shift: int) -> list[Any]:
    return results[-shift:] + results[:-shift] if shift else results


@pytest.mark.usefixtures("busy_switching")
@pytest.mark.parametrize("rule", RULES)
def test_one_expression_from_8_threads(rule: str) -> None:
    expression = grammar.compile(rule, filters=FILTERS)
    expected = run_all([expression.evaluate], RECORDS)
    assert any(row[0][0] == "value" for row in expected)

    def work(index: int) -> list[Any]:
        shift, records = rotated(RECORDS, index)
        return unrotate(run_all([expression.evaluate], records), shift)

    for results in run_in_threads(work):
        assert results == expected


@pytest.mark.usefixtures("busy_switching")
def test_one_expression_set_from_8_threads() -> None:
    rule_set = grammar.compile_set(RULES, filters=FILTERS)
    expected = run_all([rule_set.evaluate], RECORDS)
    # The records exercise both successful and failing evaluations.
    kinds = {row[0][0] for row in expected}
    assert kinds == {"value", "error"}
    # And the set agrees with each rule compiled alone.
    alone = [grammar.compile(rule, filters=FILTERS) for rule in RULES]
    for record, row in zip(RECORDS[:500], expected[:500], strict=True):
        singles = [outcome(e.evaluate, record) for e in alone]
        errors = [s for s in singles if s[0] == "error"]
        assert row[0] == (errors[0] if errors else ("value", ("list", [s[1] for s in singles])))

    def work(index: int) -> list[Any]:
        shift, records = rotated(RECORDS, index)
        return unrotate(run_all([rule_set.evaluate], records), shift)

    for results in run_in_threads(work):
        assert results == expected


@pytest.mark.usefixtures("busy_switching")
def test_many_expressions_mixed_in_8_threads() -> None:
    """Threads evaluate different compiled objects at once: no shared state between them."""
    expressions = [grammar.compile(rule, filters=FILTERS) for rule in RULES]
    rule_set = grammar.compile_set(RULES, filters=FILTERS)
    functions = [e.evaluate for e in expressions] + [rule_set.evaluate]
    expected = run_all(functions, RECORDS[:1000])

    def work(index: int) -> list[Any]:
        order = functions[index % len(functions) :] + functions[: index % len(functions)]
        results = run_all(order, RECORDS[:1000])
        cut = len(functions) - index % len(functions)
        return [row[cut:] + row[:cut] for row in results]

    for results in run_in_threads(work):
        assert results == expected


def test_evaluation_does_not_change_the_data() -> None:
    rule_set = grammar.compile_set(RULES, filters=FILTERS)
    for record in RECORDS[:200]:
        before = copy.deepcopy(record)
        outcome(rule_set.evaluate, record)
        assert record == before


# -- immutability -------------------------------------------------------------------------


def compiled_objects() -> list[Any]:
    return [
        grammar.compile("a + 1"),
        grammar.compile("x | upcase", filters=FILTERS, strict=True, names={"x"}),
        grammar.compile_set(["a + 1", "a > 2"]),
    ]


@pytest.mark.parametrize("index", range(3))
@pytest.mark.parametrize(
    "attribute", ["evaluate", "source", "sources", "variables", "tree", "trees", "new_attribute"]
)
def test_compiled_objects_are_immutable(index: int, attribute: str) -> None:
    compiled = compiled_objects()[index]
    before = getattr(compiled, attribute, None)
    with pytest.raises(AttributeError):
        setattr(compiled, attribute, "changed")
    with pytest.raises(AttributeError):
        delattr(compiled, attribute)
    assert getattr(compiled, attribute, None) is before


@pytest.mark.parametrize(
    "source", ["a + 1", "x.y[0] ? abs(1) : (1..n)", "(a, 'b') | upcase", "not [k] && -z"]
)
def test_trees_are_frozen(source: str) -> None:
    nodes = walk(grammar.parse(source))
    assert len(nodes) > 2
    for node in nodes:
        for name in (*fields(node), "span"):
            with pytest.raises(dataclasses.FrozenInstanceError):
                setattr(node, name, None)
            with pytest.raises(dataclasses.FrozenInstanceError):
                delattr(node, name)


def test_public_parts_are_immutable_values() -> None:
    expression = grammar.compile("a + b")
    assert isinstance(expression.variables, frozenset)
    rule_set = grammar.compile_set(["a", "b"])
    assert isinstance(rule_set.sources, tuple)
    assert isinstance(rule_set.variables, frozenset)
    assert expression.evaluate({"a": 1, "b": 2}) == 3
    assert expression.source == "a + b"
    assert expression.variables == {"a", "b"}
