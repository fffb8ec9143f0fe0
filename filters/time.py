"""Time filters: durations as a music player shows them."""

from __future__ import annotations

from ladle.filters._common import describe, error, filter_function, to_decimal

__all__ = ["mmss"]


@filter_function
def mmss(seconds: object) -> str:
    """Seconds as a music player shows current and total time: ``m:ss``, ``h:mm:ss`` from an hour.

    Fractions of a second are dropped, as a player's clock does (59.9 seconds is still
    ``0:59``). nil and undefined are 0; numeric strings are read as numbers. A negative
    number, a boolean or anything that is not a number raises ``FilterArgumentError``.

    >>> mmss(0), mmss(61), mmss(59.9), mmss(245), mmss(3600), mmss(None)
    ('0:00', '1:01', '0:59', '4:05', '1:00:00', '0:00')
    >>> mmss(-1)
    Traceback (most recent call last):
    liquid.exceptions.FilterArgumentError: expected a non-negative number of seconds, found -1
    """
    number = to_decimal(seconds, "a number of seconds")
    if number is None:
        return "0:00"
    if number < 0:
        raise error(f"expected a non-negative number of seconds, found {describe(seconds)}")
    hours, rest = divmod(int(number), 3600)  # int() truncates: the same as floor here
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"
