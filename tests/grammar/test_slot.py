"""``slot(key, n)``: the same in every process, on every machine, in every engine, forever.

The definition (grammar/functions.py ``slot``): the first 8 bytes of the MD5 of
the key's canonical UTF-8 text (an integer's decimal digits, or the string
itself), read big-endian, modulo ``n``. The vectors below are literal numbers,
so any change of definition fails here.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ladle import grammar
from ladle.grammar import EvaluationError

ROOT = Path(__file__).resolve().parents[2]
N_VALUES = (1, 2, 7, 100, 1024, 2**64)

# key -> slot(key, n) for each n of N_VALUES, computed once and written down.
VECTORS: list[tuple[int | str, tuple[int, ...]]] = [
    (0, (0, 1, 1, 83, 495, 14973660089898329583)),
    (1, (0, 0, 0, 70, 898, 14180219187711517570)),
    (7, (0, 0, 2, 90, 634, 10310116547102381690)),
    (-1, (0, 1, 0, 25, 305, 7761424248648632625)),
    (-12345, (0, 1, 6, 95, 195, 1628426490153702595)),
    (12345, (0, 0, 2, 88, 108, 9402613386967674988)),
    (1234, (0, 0, 3, 74, 450, 9357525492058574274)),
    (2**31, (0, 0, 4, 80, 388, 2026137530016213380)),
    (2**63 - 1, (0, 1, 2, 93, 849, 1546558921470496593)),
    (2**63, (0, 0, 4, 4, 560, 10213484749788883504)),
    (2**64 - 1, (0, 1, 3, 85, 629, 9113075231623776885)),
    (-(2**63), (0, 1, 2, 67, 903, 16225381744114853767)),
    (2**64, (0, 1, 0, 73, 885, 7638126962865318773)),
    (10**30, (0, 0, 6, 28, 432, 10110086406560362928)),
    ("", (0, 0, 0, 88, 516, 15284527576400310788)),
    ("abc", (0, 0, 0, 32, 944, 10376663631224000432)),
    ("ABC", (0, 1, 1, 51, 79, 10389731577991990351)),
    ("0", (0, 1, 1, 83, 495, 14973660089898329583)),
    ("12345", (0, 0, 2, 88, 108, 9402613386967674988)),
    ("lossless", (0, 1, 0, 99, 791, 10424726422167365399)),
    ("a b", (0, 1, 1, 99, 311, 921493332900466999)),
    ("\u00e9", (0, 0, 6, 82, 946, 7412306613632936882)),
    ("e\u0301", (0, 1, 6, 9, 417, 6135739013180322209)),  # not normalised: differs from é
    ("\u65e5\u672c\u8a9e", (0, 1, 1, 67, 755, 4797137895898867)),
    ("\U0001f3b5", (0, 1, 5, 93, 357, 6276429806443739493)),
    ("Beyonc\u00e9 \u2013 Halo", (0, 1, 1, 21, 21, 16181921571938329621)),
]

CASES = [
    (key, n, expected)
    for key, row in VECTORS
    for n, expected in zip(N_VALUES, row, strict=True)
]


def by_hand(key: int | str, n: int) -> int:
    """The definition, written again without grammar/."""
    text = key if isinstance(key, str) else str(key)
    digest = hashlib.md5(text.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % n


@pytest.mark.parametrize(("key", "n", "expected"), CASES)
def test_vectors(key: int | str, n: int, expected: int) -> None:
    assert grammar.slot(key, n) == expected
    assert 0 <= expected < n


@pytest.mark.parametrize(("key", "n", "expected"), CASES)
def test_vectors_through_an_expression(key: int | str, n: int, expected: int) -> None:
    assert grammar.compile("slot(key, n)").evaluate({"key": key, "n": n}) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("slot(0, 100)", 83),
        ("slot(-1, 100)", 25),
        ("slot(12345, 1024)", 108),
        ("slot('12345', 1024)", 108),
        ("slot(18446744073709551615, 1024)", 629),
        ("slot('abc', 1024)", 944),
        ("slot(\"lossless\", 100)", 99),
        ("slot('\\u00e9', 100)", 82),
        ("slot(x, 1)", 0),
        ("slot(id, 100) < 50", False),
    ],
)
def test_vectors_as_literals(source: str, expected: Any) -> None:
    assert grammar.compile(source).evaluate({"x": "anything", "id": 0}) == expected


@pytest.mark.parametrize(
    ("key", "n"),
    [
        (0, 100),
        (12345, 1024),
        (-98765, 1000),
        (2**63 + 12, 97),
        (2**64 - 1, 2**63),
        ("abc", 1024),
        ("M\u00f6tley Cr\u00fce", 10),
        ("\U0001f3b5 track", 3),
    ],
)
def test_definition_matches_an_independent_computation(key: int | str, n: int) -> None:
    assert grammar.slot(key, n) == by_hand(key, n)


def test_integer_and_its_decimal_text_share_a_slot() -> None:
    for key in (0, 1, -1, 42, 2**63, 2**64 - 1, -(2**63)):
        assert grammar.slot(key, 1000) == grammar.slot(str(key), 1000)


@pytest.mark.parametrize("n", [0, -1, -1024, 2.5, 2.0, True, False, None, "10", [10]])
def test_invalid_count_is_an_evaluation_error(n: Any) -> None:
    with pytest.raises(EvaluationError):
        grammar.slot(1, n)
    expression = grammar.compile("1 + slot(key, n)")
    with pytest.raises(EvaluationError) as caught:
        expression.evaluate({"key": 1, "n": n})
    assert caught.value.position == 4


@pytest.mark.parametrize("key", [True, False, None, [1], ["a"], {"a": 1}, (1, 2), 2.5])
def test_invalid_key_is_an_evaluation_error(key: Any) -> None:
    with pytest.raises(EvaluationError):
        grammar.slot(key, 10)
    expression = grammar.compile("slot(key, 10)")
    with pytest.raises(EvaluationError) as caught:
        expression.evaluate({"key": key})
    assert caught.value.position == 0


@pytest.mark.parametrize(
    "source", ["slot(true, 10)", "slot(nil, 10)", "slot(('a',), 10)", "slot(1, 0)", "slot(1, -3)"]
)
def test_invalid_constant_arguments_fail_at_evaluation(source: str) -> None:
    expression = grammar.compile(source)  # compiling is fine; folding must not hide the error
    with pytest.raises(EvaluationError):
        expression.evaluate({})


def test_same_in_every_process() -> None:
    """Python's hash() is randomised per process; slot() must not depend on it."""
    keys = ["abc", "lossless", 12345, -1, 2**64 - 1]
    code = (
        "import json, sys, grammar;"
        "keys = json.loads(sys.argv[1]);"
        "print(json.dumps([grammar.slot(k, 1000003) for k in keys]))"
    )
    results = []
    for seed in ("1", "2", "random"):
        completed = subprocess.run(
            [sys.executable, "-c", code, json.dumps(keys)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        results.append(json.loads(completed.stdout))
    assert results[0] == results[1] == results[2] == [by_hand(k, 1000003) for k in keys]


# -- the same value in DuckDB --------------------------------------------------------------

SQL_SLOT = "CAST(('0x' || substr(md5(CAST(key AS VARCHAR)), 1, 16)) AS UBIGINT) % n"

SQL_KEYS: list[tuple[int | str, str]] = [
    (0, "BIGINT"),
    (1, "BIGINT"),
    (12345, "BIGINT"),
    (-1, "BIGINT"),
    (-12345, "BIGINT"),
    (2**31, "BIGINT"),
    (2**63 - 1, "BIGINT"),
    (-(2**63), "BIGINT"),
    (2**63, "UBIGINT"),
    (2**63 + 12, "UBIGINT"),
    (2**64 - 1, "UBIGINT"),
    (12345, "UBIGINT"),
    (-1, "HUGEINT"),
    (-(2**63), "HUGEINT"),
    (2**63, "HUGEINT"),
    (2**64 - 1, "HUGEINT"),
    (2**64, "HUGEINT"),
    (10**30, "HUGEINT"),
    (7, "INTEGER"),
    (-7, "INTEGER"),
    ("", "VARCHAR"),
    ("abc", "VARCHAR"),
    ("lossless", "VARCHAR"),
    ("a b", "VARCHAR"),
    ("\u00e9", "VARCHAR"),
    ("e\u0301", "VARCHAR"),
    ("\u65e5\u672c\u8a9e", "VARCHAR"),
    ("\U0001f3b5", "VARCHAR"),
    ("Beyonc\u00e9 \u2013 Halo", "VARCHAR"),
]
SQL_N = (1, 7, 100, 1024, 2**32, 2**63)


@pytest.mark.parametrize(("key", "sql_type"), SQL_KEYS)
def test_duckdb_computes_the_same_slot(key: int | str, sql_type: str) -> None:
    import duckdb

    connection = duckdb.connect()
    try:
        rows = connection.execute(
            f"SELECT n, {SQL_SLOT} FROM (SELECT CAST(? AS {sql_type}) AS key) AS k, "
            "(SELECT CAST(unnest(?) AS UBIGINT) AS n) AS counts ORDER BY n",
            [str(key), [str(n) for n in SQL_N]],
        ).fetchall()
    finally:
        connection.close()
    assert [n for n, _ in rows] == sorted(SQL_N)
    for n, value in rows:
        assert value == grammar.slot(key, n), (key, sql_type, n)


def test_duckdb_over_a_column_matches_the_vectors() -> None:
    import duckdb

    keys = [key for key, _ in VECTORS if isinstance(key, int) and -(2**63) <= key < 2**64]
    connection = duckdb.connect()
    try:
        connection.execute("CREATE TABLE t (key HUGEINT)")
        connection.executemany(
            "INSERT INTO t VALUES (CAST(? AS HUGEINT))", [[str(k)] for k in keys]
        )
        rows = connection.execute(
            f"SELECT CAST(key AS VARCHAR), {SQL_SLOT.replace('% n', '% 1024')} FROM t"
        ).fetchall()
    finally:
        connection.close()
    expected = {str(key): row[N_VALUES.index(1024)] for key, row in VECTORS}
    assert len(rows) == len(keys)
    for text, value in rows:
        assert value == expected[text]
