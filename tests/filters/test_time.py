"""``mmss``: seconds as a music player's clock."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from liquid import Undefined

from ladle.filters.time import mmss
from tests.filters.helpers import assert_filter_error


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (0, "0:00"),
        (1, "0:01"),
        (59, "0:59"),
        (59.9, "0:59"),
        (60, "1:00"),
        (61, "1:01"),
        (245, "4:05"),
        (599, "9:59"),
        (600, "10:00"),
        (3599, "59:59"),
        (3599.999, "59:59"),
        (3600, "1:00:00"),
        (3661, "1:01:01"),
        (36000, "10:00:00"),
        (360000, "100:00:00"),
        (0.4, "0:00"),
        (-0.0, "0:00"),
        (Decimal("61.5"), "1:01"),
        ("61", "1:01"),
        (" 245.7 ", "4:05"),
        ("1e3", "16:40"),
        (None, "0:00"),
        (Undefined("duration"), "0:00"),
    ],
)
def test_mmss(seconds: Any, expected: str) -> None:
    assert mmss(seconds) == expected


@pytest.mark.parametrize(
    ("seconds", "quoted"),
    [
        (-1, "-1"),
        (-0.5, "-0.5"),
        ("-3", "'-3'"),
        (True, "true"),
        (False, "false"),
        ("abc", "'abc'"),
        ("", "''"),
        ("1:30", "'1:30'"),
        ("١٢", "'١٢'"),
        (float("nan"), "nan"),
        (float("inf"), "inf"),
        (Decimal("NaN"), "NaN"),
        ([61], "[61] (list)"),
        ({"s": 1}, "(dict)"),
        (10**100, "more than 100 digits"),
        ("1e100", "'1e100'"),
    ],
)
def test_mmss_errors(seconds: Any, quoted: str) -> None:
    assert_filter_error(mmss, (seconds,), quoted)


def test_mmss_wrong_arguments() -> None:
    assert_filter_error(mmss, (1, 2), "mmss() takes 1 positional argument but 2 were given")
