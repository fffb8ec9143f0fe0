"""Limits (design/quality.md "Limits", expressions.md "Semantics" and "Errors").

Every limit reached gives a clear ``grammar.ExpressionError``: never a
RecursionError, MemoryError, ValueError or a hang. Cases that would hang if the
behaviour broke run in a child process with a timeout and a memory cap.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from ladle import grammar
from ladle.grammar import EvaluationError, ExpressionSyntaxError

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 2**256
BIG = 10**70  # far beyond any list that fits in memory, far below the integer limit

# -- nesting depth -----------------------------------------------------------------------

# Each builds an expression nested ``n`` levels deep.
NESTINGS = {
    "parentheses": lambda n: "(" * n + "1" + ")" * n,
    "negation": lambda n: "-" * n + "1",
    "bang": lambda n: "!" * n + "1",
    "not": lambda n: "not " * n + "1",
    "members": lambda n: "x" + ".a" * n,
    "indexes": lambda n: "x" + "[0]" * n,
    "calls": lambda n: "abs(" * n + "1" + ")" * n,
    "ternaries": lambda n: "1 ? " * n + "1" + " : 2" * n,
    "and chain": lambda n: " and ".join(["1"] * (n + 1)),
    "root lookups": lambda n: "[" * n + "'a'" + "]" * n,
    "lists": lambda n: "(" * n + "1," + ")" * n,
    "ranges": lambda n: "(1.." * n + "1" + ")" * n,
    "mixed": lambda n: "(-" * (n // 2) + ("(1)" if n % 2 else "1") + ")" * (n // 2),
}


@pytest.mark.parametrize("make", NESTINGS.values(), ids=NESTINGS.keys())
def test_default_nesting_limit_is_100_levels(make: Any) -> None:
    expression = grammar.compile(make(100))
    try:  # and it evaluates (nested ranges are a type error, but no crash)
        expression.evaluate({"x": {}})
    except EvaluationError as error:
        assert "range" in error.message
    with pytest.raises(ExpressionSyntaxError) as caught:
        grammar.compile(make(101))
    assert "nest" in caught.value.message
    assert "100" in caught.value.message
    assert caught.value.position is not None
    assert 0 <= caught.value.position < len(make(101))


@pytest.mark.parametrize("make", NESTINGS.values(), ids=NESTINGS.keys())
@pytest.mark.parametrize("max_depth", [1, 5, 30])
def test_custom_smaller_nesting_limit(make: Any, max_depth: int) -> None:
    grammar.compile(make(max_depth), max_depth=max_depth)
    with pytest.raises(ExpressionSyntaxError, match="nest"):
        grammar.compile(make(max_depth + 1), max_depth=max_depth)
    with pytest.raises(ExpressionSyntaxError, match="nest"):
        grammar.parse(make(max_depth + 1), max_depth=max_depth)
    with pytest.raises(ExpressionSyntaxError, match="nest"):
        grammar.compile_set(["1", make(max_depth + 1)], max_depth=max_depth)


@pytest.mark.parametrize("max_depth", [150, 200])
def test_custom_larger_nesting_limit_is_honoured(max_depth: int) -> None:
    make = NESTINGS["parentheses"]
    assert grammar.compile(make(max_depth), max_depth=max_depth).evaluate({}) == 1
    with pytest.raises(ExpressionSyntaxError, match="nest"):
        grammar.compile(make(max_depth + 1), max_depth=max_depth)


@pytest.mark.parametrize(
    "source",
    [
        "(" * 100_000 + "1" + ")" * 100_000,
        "(" * 100_000,
        "-" * 100_000 + "1",
        "not " * 50_000 + "1",
        "x" + ".a" * 50_000,
        "x" + "[" * 50_000,
        "abs(" * 50_000,
        "1 ? " * 50_000 + "1",
        " + ".join(["1"] * 50_000),
        " && ".join(["1"] * 50_000),
        " or ".join(["1"] * 50_000),
    ],
    ids=lambda s: s[:12] + "...",
)
def test_huge_nesting_is_a_syntax_error_not_a_recursion_error(source: str) -> None:
    start = time.perf_counter()
    with pytest.raises(ExpressionSyntaxError):
        grammar.compile(source)
    assert time.perf_counter() - start < 10


def test_deeply_nested_data_is_an_evaluation_error() -> None:
    deep: list[Any] = []
    for _ in range(100_000):
        deep = [deep]
    with pytest.raises(EvaluationError):
        grammar.compile("x == y").evaluate({"x": deep, "y": deep})


# -- integer magnitude ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "data"),
    [
        ("x * x", {"x": 2**200}),
        ("x * x", {"x": -(2**129)}),
        ("x * y", {"x": 2**128, "y": 2**129}),
        ("x * 2", {"x": 2**255 + 1}),
        ("x + 1", {"x": LIMIT}),
        ("x + x", {"x": LIMIT}),
        ("x - 1", {"x": -LIMIT}),
        ("-x - x", {"x": LIMIT}),
        ("x - y", {"x": LIMIT, "y": -1}),
        ("-x", {"x": LIMIT + 1}),
        ("x / 1", {"x": 2**300}),
        ("x / y", {"x": 2**300, "y": -1}),
        ("x + nil", {"x": 2**300}),
        ("x * x * x * x", {"x": 2**65}),
        ("115792089237316195423570985008687907853269984665640564039457584007913129639936 + 1", {}),
        ("2 * 115792089237316195423570985008687907853269984665640564039457584007913129639936", {}),
        ("int(s)", {"s": "9" * 80}),
        ("int(x)", {"x": 1e300}),
        ("floor(x)", {"x": 1e308}),
        ("ceil(x)", {"x": -1e308}),
        ("round(x)", {"x": 1e308}),
    ],
)
def test_integer_results_beyond_2_256_are_evaluation_errors(
    source: str, data: dict[str, Any]
) -> None:
    expression = grammar.compile(source)
    with pytest.raises(EvaluationError) as caught:
        expression.evaluate(data)
    assert "too large" in caught.value.message


@pytest.mark.parametrize(
    ("source", "data", "expected"),
    [
        ("x + 1", {"x": LIMIT - 1}, LIMIT),
        ("x - 1", {"x": -LIMIT + 1}, -LIMIT),
        ("-x", {"x": LIMIT}, -LIMIT),
        ("x * 2", {"x": 2**255}, LIMIT),
        ("x * x", {"x": 2**128}, LIMIT),
        ("x % 7", {"x": 2**300}, 2**300 % 7),
        ("x > 0", {"x": 2**300}, True),
        ("x * y", {"x": 2**64 - 1, "y": 2**64 - 1}, (2**64 - 1) ** 2),
        (str(LIMIT), {}, LIMIT),
        (str(LIMIT) + " - 1", {}, LIMIT - 1),
    ],
)
def test_integers_up_to_2_256_are_exact(source: str, data: dict[str, Any], expected: Any) -> None:
    assert grammar.compile(source).evaluate(data) == expected


@pytest.mark.parametrize(
    ("source", "position"),
    [
        (str(LIMIT + 1), 0),
        (str(2**300), 0),
        ("9" * 79, 0),
        ("9" * 5000, 0),
        ("9" * 100_000, 0),
        ("1 + " + "9" * 5000, 4),
        ("x[" + "9" * 5000 + "]", 2),
        ("-" + str(LIMIT + 1), 1),
    ],
    ids=lambda v: f"{v[:12]}... ({len(v)} chars)" if isinstance(v, str) else str(v),
)
def test_integer_literals_beyond_2_256_are_syntax_errors(source: str, position: int) -> None:
    start = time.perf_counter()
    with pytest.raises(ExpressionSyntaxError) as caught:
        grammar.compile(source)
    assert "too large" in caught.value.message
    assert caught.value.position == position
    assert time.perf_counter() - start < 5


@pytest.mark.parametrize(
    ("source", "expected"),
    [("007", 7), ("0" * 100 + "42", 42), ("0" * 5000 + "1", 1)],
    ids=["007", "100 zeros", "5000 zeros"],
)
def test_integer_literals_with_leading_zeros(source: str, expected: int) -> None:
    assert grammar.compile(source).evaluate({}) == expected


@pytest.mark.parametrize(
    "source", ["1e400", "1.0e309", "2e308", "1" + "0" * 400 + ".0", "x * 1.5e999"]
)
def test_float_literal_overflow_is_a_syntax_error(source: str) -> None:
    with pytest.raises(ExpressionSyntaxError, match="too large"):
        grammar.compile(source)


@pytest.mark.parametrize(
    ("source", "data"),
    [
        ("1.5e308 * 10", {}),
        ("x * 10.0", {"x": 1e308}),
        ("x + x", {"x": 1.7e308}),
        ("x - y", {"x": -1.7e308, "y": 1.7e308}),
        ("x / y", {"x": 1e308, "y": 1e-308}),
        ("x * y", {"x": 2**256, "y": 1e300}),
        ("float(s)", {"s": "1e400"}),
        ("float(s)", {"s": "9" * 5000}),
    ],
)
def test_float_results_that_overflow_are_evaluation_errors(
    source: str, data: dict[str, Any]
) -> None:
    expression = grammar.compile(source)
    with pytest.raises(EvaluationError, match="too large"):
        expression.evaluate(data)


# -- string and list length ----------------------------------------------------------------

HALF = 500_000


@pytest.mark.parametrize(
    ("source", "data", "options"),
    [
        ("s + s", {"s": "a" * 600_000}, {}),
        ("s + t", {"s": "a" * HALF, "t": "b" * (HALF + 1)}, {}),
        ("s + s + s", {"s": "a" * 400_000}, {}),
        ("l + l", {"l": [1] * 600_000}, {}),
        ("l + (1..n)", {"l": [1] * HALF, "n": HALF + 1}, {}),
        ("(1..n) + (1..n)", {"n": 600_000}, {}),
        ("(1..n) + l", {"n": BIG, "l": []}, {}),
        ("s + t", {"s": "a" * 5, "t": "b" * 6}, {"max_length": 10}),
        ("s + s + s + s", {"s": "abc"}, {"max_length": 10}),
        ("l + m", {"l": [1] * 5, "m": [2] * 6}, {"max_length": 10}),
        ("(1..6) + (1..5)", {}, {"max_length": 10}),
        ("s | twice", {"s": "a" * 6}, {"max_length": 10}),
        ("l | twice", {"l": [1] * 6}, {"max_length": 10}),
        ("str(l)", {"l": list(range(20))}, {"max_length": 10}),
    ],
    ids=lambda v: str(v)[:40] if isinstance(v, str) else None,
)
def test_string_and_list_results_beyond_max_length_are_evaluation_errors(
    source: str, data: dict[str, Any], options: dict[str, Any]
) -> None:
    expression = grammar.compile(source, filters={"twice": lambda v: v + v}, **options)
    with pytest.raises(EvaluationError) as caught:
        expression.evaluate(data)
    assert "too long" in caught.value.message
    limit = options.get("max_length", 1_000_000)
    assert f"{limit:,}" in caught.value.message


@pytest.mark.parametrize(
    ("source", "data", "options", "length"),
    [
        ("s + t", {"s": "a" * HALF, "t": "b" * HALF}, {}, 1_000_000),
        ("l + l", {"l": [0] * HALF}, {}, 1_000_000),
        ("s + t", {"s": "a" * 5, "t": "b" * 5}, {"max_length": 10}, 10),
        ("l + m", {"l": [1] * 4, "m": [2] * 6}, {"max_length": 10}, 10),
        ("s | twice", {"s": "a" * 5}, {"max_length": 10}, 10),
    ],
)
def test_results_at_max_length_are_fine(
    source: str, data: dict[str, Any], options: dict[str, Any], length: int
) -> None:
    expression = grammar.compile(source, filters={"twice": lambda v: v + v}, **options)
    assert len(expression.evaluate(data)) == length


def test_compile_set_has_the_same_length_limit() -> None:
    together = grammar.compile_set(["s", "s + s"], max_length=10)
    assert together.evaluate({"s": "abcde"}) == ("abcde", "abcdeabcde")
    with pytest.raises(EvaluationError, match="too long"):
        together.evaluate({"s": "abcdef"})


# -- huge ranges stay lazy -----------------------------------------------------------------

CHILD = """
import json, resource, sys
cap = 1024 ** 3
resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
from ladle import grammar
source, data, options = json.loads(sys.argv[1])
filters = {"count": lambda value: len(list(value))}
try:
    result = grammar.compile(source, filters=filters, **options).evaluate(data)
except grammar.ExpressionError as error:
    report = {"kind": type(error).__name__, "message": error.message[:300]}
except BaseException as error:
    report = {"kind": "crash: " + type(error).__name__, "message": str(error)[:300]}
else:
    report = {"kind": "value", "value": repr(result)[:300]}
print(json.dumps(report))
"""


def run_isolated(source: str, data: dict[str, Any], **options: Any) -> dict[str, str]:
    """Evaluate in a child process (1 GiB of memory at most); fail the test if it hangs."""
    try:
        completed = subprocess.run(
            [sys.executable, "-c", CHILD, json.dumps([source, data, options])],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{source!r} with {data!r} did not finish within 10 seconds")
    assert completed.returncode == 0, completed.stderr
    report: dict[str, str] = json.loads(completed.stdout)
    assert not report["kind"].startswith("crash"), report
    return report


@pytest.mark.parametrize(
    ("source", "data", "expected"),
    [
        ("x in (0..10000000000000000000000000000000000000000000000000000000000000000000000)",
         {"x": 5}, True),
        ("x in (0..n)", {"x": BIG, "n": BIG}, True),
        ("x in (0..n)", {"x": BIG + 1, "n": BIG}, False),
        ("x in (0..n)", {"x": -1, "n": BIG}, False),
        ("x in (0..n)", {"x": 2.0, "n": BIG}, True),
        ("x in (0..n)", {"x": 2.5, "n": BIG}, False),
        ("x in (0..n)", {"x": "a", "n": BIG}, False),
        ("(0..n) contains x", {"x": 7, "n": BIG}, True),
        ("(0..n) contains x", {"x": [7], "n": BIG}, False),
        ("(0..n).size", {"n": BIG}, BIG + 1),
        ("(0..n).first", {"n": BIG}, 0),
        ("(0..n).last", {"n": BIG}, BIG),
        ("(0..n)[-1]", {"n": BIG}, BIG),
        ("(0..n)[5]", {"n": BIG}, 5),
        ("len((0..n))", {"n": BIG}, BIG + 1),
        ("(0..n) == empty", {"n": BIG}, False),
        ("(0..n) == (0..n)", {"n": BIG}, True),
        ("(0..n) == (0..m)", {"n": BIG, "m": BIG + 1}, False),
        ("(0..n) == x", {"n": BIG, "x": [0, 1]}, False),
    ],
)
def test_huge_ranges_stay_lazy(source: str, data: dict[str, Any], expected: Any) -> None:
    report = run_isolated(source, data)
    assert report == {"kind": "value", "value": repr(expected)}


@pytest.mark.parametrize(
    ("source", "expected"), [("min((0..n))", 0), ("max((0..n))", BIG)]
)
def test_min_and_max_of_huge_ranges_finish(source: str, expected: int) -> None:
    report = run_isolated(source, {"n": BIG})
    # The exact answer, or a clear limit error: never a hang.
    if report["kind"] == "value":
        assert report["value"] == repr(expected)
    else:
        assert report["kind"] == "EvaluationError", report
        assert "limit" in report["message"], report


@pytest.mark.parametrize(
    ("source", "data", "options"),
    [
        ("str((0..n))", {"n": BIG}, {}),
        ("str((0..n))", {"n": 100}, {"max_length": 50}),
        ("(0..n) + (0..1)", {"n": BIG}, {}),
        ("(0..n) + (0..1)", {"n": 10**7}, {}),
        ("(0..n) | count", {"n": BIG}, {}),
        ("(0..n) | count", {"n": 10**7}, {}),
    ],
)
def test_huge_ranges_made_into_text_or_lists_hit_the_length_limit(
    source: str, data: dict[str, Any], options: dict[str, Any]
) -> None:
    report = run_isolated(source, data, **options)
    assert report["kind"] == "EvaluationError", report
    assert "too long" in report["message"], report


def test_range_bounds_beyond_2_256_are_evaluation_errors() -> None:
    with pytest.raises(EvaluationError, match="too large"):
        grammar.compile("(0..n)").evaluate({"n": 2**300})
