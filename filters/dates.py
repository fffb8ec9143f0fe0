"""Dates formatted without ``strftime``, for the direct ``date`` filter (``filters.direct``).

``datetime.strftime`` costs about 2 µs a call, most of it in the C library's locale
handling. A format whose directives are all among the common ones (``%Y %m %d %H %M %S
%y %e %j %I %p %a %A %b %h %B %%`` and glibc's ``%-d``-style unpadded numbers) is read
once, when the template is compiled, into a ``%``-format over the parts of the date; a
call then formats those parts in the C locale's words, which is what ``strftime`` gives
while the time locale is C (checked on every call: another locale, or a year before 1000,
goes to ``strftime``). ``tests/filters/test_direct.py`` compares the two on random dates
and formats.
"""

from __future__ import annotations

import datetime as dt
from _locale import setlocale  # (locale's own wrapper is one more call per date)
from collections.abc import Callable
from locale import LC_TIME
from operator import attrgetter
from typing import Any

__all__ = ["plan"]

_MONTHS = ("", "January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# Time locales whose words are the C library's English ones.
_C_LOCALES = frozenset({"C", "POSIX", "C.UTF-8", "C.utf8"})


def _hour12(moment: dt.datetime) -> int:
    return moment.hour % 12 or 12


def _day_of_year(moment: dt.datetime) -> int:
    return moment.toordinal() - dt.date(moment.year, 1, 1).toordinal() + 1


def _short_year(moment: dt.datetime) -> int:
    return moment.year % 100


def _month_name(moment: dt.datetime) -> str:
    return _MONTHS[moment.month]


def _month_abbreviation(moment: dt.datetime) -> str:
    return _MONTHS[moment.month][:3]


def _day_name(moment: dt.datetime) -> str:
    return _DAYS[moment.weekday()]


def _day_abbreviation(moment: dt.datetime) -> str:
    return _DAYS[moment.weekday()][:3]


def _noon(moment: dt.datetime) -> str:
    return "AM" if moment.hour < 12 else "PM"


Part = Callable[[dt.datetime], Any]
# The parts that are one of a date's attributes, by the attribute's name.
_ATTRIBUTES: dict[Part, str] = {attrgetter(name): name
                                for name in ("year", "month", "day", "hour", "minute", "second")}
_YEAR, _MONTH, _DAY, _HOUR, _MINUTE, _SECOND = _ATTRIBUTES
# Directive: (its part of the date, its %-format padded, unpadded (``%-d``) or None).
_DIRECTIVES: dict[str, tuple[Part, str, str | None]] = {
    "Y": (_YEAR, "%d", None),
    "m": (_MONTH, "%02d", "%d"),
    "d": (_DAY, "%02d", "%d"),
    "e": (_DAY, "%2d", None),
    "H": (_HOUR, "%02d", "%d"),
    "M": (_MINUTE, "%02d", "%d"),
    "S": (_SECOND, "%02d", "%d"),
    "I": (_hour12, "%02d", "%d"),
    "y": (_short_year, "%02d", "%d"),
    "j": (_day_of_year, "%03d", "%d"),
    "p": (_noon, "%s", None),
    "a": (_day_abbreviation, "%s", None),
    "A": (_day_name, "%s", None),
    "b": (_month_abbreviation, "%s", None),
    "h": (_month_abbreviation, "%s", None),
    "B": (_month_name, "%s", None),
}


Show = Callable[[dt.datetime], "str | None"]


def _sure(moment: dt.datetime) -> bool:
    """Whether ``strftime`` surely writes ``moment`` as the plans do."""
    return moment.year >= 1000 and setlocale(LC_TIME) in _C_LOCALES


def _shower(template: str, parts: tuple[Part, ...]) -> Show:
    """``template`` formatted with the parts of a date, where that is sure to be what
    ``strftime`` gives, else None (made without a loop for up to four parts)."""
    names = [_ATTRIBUTES.get(part) for part in parts]
    if not parts:
        text = template % ()
        return lambda moment: text if _sure(moment) else None
    if len(parts) > 1 and None not in names:  # attributes alone: one getter makes the tuple
        every = attrgetter(*names)  # type: ignore[arg-type]
        return lambda moment: template % every(moment) if _sure(moment) else None
    if len(parts) == 1:
        (one,) = parts
        return lambda moment: template % (one(moment),) if _sure(moment) else None
    if len(parts) == 2:
        one, two = parts
        return lambda moment: template % (one(moment), two(moment)) if _sure(moment) else None
    if len(parts) == 3:
        one, two, three = parts
        return lambda moment: (template % (one(moment), two(moment), three(moment))
                               if _sure(moment) else None)
    if len(parts) == 4:
        one, two, three, four = parts
        return lambda moment: (template % (one(moment), two(moment), three(moment),
                                           four(moment)) if _sure(moment) else None)
    return lambda moment: (template % tuple([part(moment) for part in parts])
                           if _sure(moment) else None)


def plan(form: str) -> Show | None:
    """What formats a date as ``strftime`` does with ``form`` (or gives None, where it
    cannot be sure of that), or None if ``form`` has a directive not read here.

    >>> plan("%B %-d, %Y")(dt.datetime(2024, 3, 5))
    'March 5, 2024'
    >>> plan("%c") is None
    True
    """
    pieces: list[str] = []
    parts: list[Part] = []
    index, end = 0, len(form)
    while index < end:
        char = form[index]
        if char != "%":
            pieces.append(char)
            index += 1
            continue
        code = form[index + 1:index + 2]
        unpadded = code == "-"
        if unpadded:
            code = form[index + 2:index + 3]
        if code == "%" and not unpadded:
            pieces.append("%%")
            index += 2
            continue
        found = _DIRECTIVES.get(code) if code else None
        if found is None or (unpadded and found[2] is None):
            return None
        part, padded, bare = found
        pieces.append(bare if unpadded and bare is not None else padded)
        parts.append(part)
        index += 3 if unpadded else 2
    return _shower("".join(pieces), tuple(parts))
