"""Shared helpers for the filter tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from liquid.exceptions import FilterArgumentError


def assert_filter_error(function: Callable[..., Any], args: tuple[Any, ...], quoted: str) -> None:
    """The call raises ``FilterArgumentError`` with a lower-case message holding ``quoted``."""
    with pytest.raises(FilterArgumentError) as caught:
        function(*args)
    message = str(caught.value.message)
    assert message[:1].islower(), message
    assert quoted in message, f"{quoted!r} not in {message!r}"
