"""``money`` and ``filesize``."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from liquid import Undefined
from liquid.exceptions import FilterArgumentError

from ladle.filters.numbers import filesize, money
from tests.filters.helpers import assert_filter_error


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((1234.5,), "$1,234.50"),
        ((1234.5, "€"), "€1,234.50"),
        ((1234.5, "£", 0), "£1,235"),
        ((0,), "$0.00"),
        ((9.99,), "$9.99"),
        ((2.675,), "$2.68"),  # float formatting gives 2.67
        ((1.005,), "$1.01"),
        ((0.125, "$", 2), "$0.13"),  # half away from zero, not to even
        ((2.5, "$", 0), "$3"),
        ((-2.5, "$", 0), "-$3"),  # away from zero on the negative side too
        ((-5,), "-$5.00"),
        ((-1234567.891,), "-$1,234,567.89"),
        ((-0.001,), "$0.00"),  # rounds to zero: no minus sign
        ((1234567,), "$1,234,567.00"),
        ((0.1 + 0.2,), "$0.30"),
        ((Decimal("19.999"),), "$20.00"),
        (("1234.5",), "$1,234.50"),
        ((" 12 ",), "$12.00"),
        (("-5",), "-$5.00"),
        (("1e3",), "$1,000.00"),
        ((1, "", 3), "1.000"),
        ((1, "kr "), "kr 1.00"),
        ((1, "$", "3"), "$1.000"),
        ((1234.5, "€", 20), "€1,234.50000000000000000000"),
        ((None,), "$0.00"),
        ((Undefined("price"),), "$0.00"),
        ((5, None, None), "$5.00"),
        ((5, Undefined("symbol"), Undefined("decimals")), "$5.00"),
    ],
)
def test_money(args: tuple[Any, ...], expected: str) -> None:
    assert money(*args) == expected


def test_money_keywords() -> None:
    assert money(1234.5, symbol="€", decimals=1) == "€1,234.5"


@pytest.mark.parametrize(
    ("args", "quoted"),
    [
        (("abc",), "'abc'"),
        (("$5",), "'$5'"),
        (("1,234.50",), "'1,234.50'"),
        ((True,), "true"),
        ((float("nan"),), "nan"),
        ((float("-inf"),), "-inf"),
        (([1],), "[1] (list)"),
        ((1e100,), "1e+100"),
        ((1, 5), "5"),
        ((1, True), "true"),
        ((1, "$", -1), "-1"),
        ((1, "$", 21), "21"),
        ((1, "$", 2.0), "2.0"),
        ((1, "$", True), "true"),
        ((1, "$", "two"), "'two'"),
        ((1, "$", "1000"), "'1000'"),
    ],
)
def test_money_errors(args: tuple[Any, ...], quoted: str) -> None:
    assert_filter_error(money, args, quoted)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((0,), "0 B"),
        ((1,), "1 B"),
        ((999,), "999 B"),
        ((999.4,), "999 B"),
        ((999.5,), "1.0 kB"),  # rounds up into the next unit
        ((1000,), "1.0 kB"),
        ((1049,), "1.0 kB"),
        ((1050,), "1.1 kB"),  # half away from zero
        ((999_949,), "999.9 kB"),
        ((999_950,), "1.0 MB"),
        ((48213120,), "48.2 MB"),
        ((4_700_000_000,), "4.7 GB"),
        ((10**24,), "1.0 YB"),
        ((10**27,), "1000.0 YB"),  # no larger unit
        (("48213120",), "48.2 MB"),
        ((None,), "0 B"),
        ((Undefined("size"),), "0 B"),
        ((48213120, "binary"), "46.0 MiB"),
        ((1023, "binary"), "1023 B"),
        ((1024, "binary"), "1.0 KiB"),
        ((1536, "binary"), "1.5 KiB"),
        ((2**30, "binary"), "1.0 GiB"),
        ((2**80, "binary"), "1.0 YiB"),
        ((1000, "decimal"), "1.0 kB"),
        ((1000, None), "1.0 kB"),
        ((1000, Undefined("units")), "1.0 kB"),
    ],
)
def test_filesize(args: tuple[Any, ...], expected: str) -> None:
    assert filesize(*args) == expected


@pytest.mark.parametrize(
    ("args", "quoted"),
    [
        ((-1,), "-1"),
        (("-1",), "'-1'"),
        ((True,), "true"),
        (("big",), "'big'"),
        ((float("inf"),), "inf"),
        (({"bytes": 1},), "(dict)"),
        ((1, "si"), "'si'"),
        ((1, "Binary"), "'Binary'"),
        ((1, 1024), "1024"),
    ],
)
def test_filesize_errors(args: tuple[Any, ...], quoted: str) -> None:
    assert_filter_error(filesize, args, quoted)


@settings(max_examples=500, deadline=None)
@given(amount=st.one_of(st.integers(), st.floats()), decimals=st.integers(0, 20),
       symbol=st.sampled_from(["$", "€", "", "CHF "]))
def test_money_of_a_plain_number_matches_the_fully_checked_path(
        amount: object, decimals: int, symbol: str) -> None:
    """Decimals given as a numeric string take the checked path; as an int, the quick one."""
    def outcome(places: object) -> object:
        try:
            return money(amount, symbol, places)
        except FilterArgumentError as error:
            return str(error)

    assert outcome(decimals) == outcome(str(decimals))


@settings(max_examples=1000, deadline=None)
@given(amount=st.one_of(st.integers(-10**9, 10**9).map(lambda n: n / 1000),
                        st.integers(-10**7, 10**7).map(lambda n: n / 8), st.floats(-1e22, 1e22)),
       decimals=st.integers(0, 20))
def test_money_rounds_half_away_from_zero_on_the_shortest_digits(amount: float,
                                                                 decimals: int) -> None:
    """The quick path (no decimal context) agrees with Decimal on ties like 2.675 or 0.125."""
    exact = Decimal(repr(amount)).quantize(Decimal(1).scaleb(-decimals),
                                           context=Context(prec=200, rounding=ROUND_HALF_UP))
    sign = "-" if exact < 0 else ""
    assert money(amount, "$", decimals) == f"{sign}${abs(exact):,f}"
