"""The work budget of one render: a bound on total work besides the per-value limits.

Each limit on its own (loop iterations, string length, partial depth) leaves room for
their product: a loop of a million iterations over a million-character string, or
partials that render themselves twice per level. So a render spends units from one
budget as it goes, about one unit per microsecond of work:

- a loop spends its length times the size of its body (``walk.work``: nodes and the parts
  of their expressions) when it starts, and a unit per iteration;
- a partial render spends ``PARTIAL_COST`` plus its size;
- a filter or an operator spends a unit per ``SIZE_UNIT`` characters or items it reads or
  makes (values up to ``FREE_SIZE`` are free: they cost no more than the node that holds
  them).

The default limit (``Environment.work_limit``) renders a page of a million loop
iterations; it stops a runaway render within a few seconds on an ordinary machine.

An optional wall-clock limit is checked at the same places, and on every loop iteration
of a compiled template and every write of an interpreted one.
"""

from __future__ import annotations

import time
from contextvars import ContextVar, Token
from typing import Any

from ladle.templating.errors import WorkLimitError

# Units a partial render spends before its nodes: making its context and scope costs
# about as much as a few dozen simple nodes, and a runaway tree of partials must stop in
# well under a second (a page may still render some 40,000 partials).
PARTIAL_COST = 500
# How many times the work of a compiled node an interpreted one takes.
INTERPRETED = 4
# Values up to this many characters or items spend nothing of their own.
FREE_SIZE = 1024
# Characters or items per unit (``str.replace`` handles about 256 in a microsecond).
SIZE_UNIT = 256


class Budget:
    """What one render may still spend, and when it must stop."""

    __slots__ = ("deadline", "left", "limit", "templates", "time_limit")

    def __init__(self, limit: int | None, time_limit: float | None) -> None:
        self.limit = limit
        # Partials loaded by name during this render: each is read and parsed once.
        self.templates: dict[str, Any] = {}
        self.left = limit if limit is not None else float("inf")
        self.time_limit = time_limit
        self.deadline = None if time_limit is None else time.monotonic() + time_limit

    def spend(self, units: int) -> None:
        """Spend ``units``; raises once the budget is gone or the time is up."""
        self.left -= units
        if self.left < 0:
            raise WorkLimitError(f"render work limit reached ({self.limit:,} units): "
                                 "too many loop iterations, partials or large values",
                                 token=None)
        if self.deadline is not None:
            self.tick()

    def tick(self) -> None:
        """Check the time limit alone."""
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise WorkLimitError(f"render time limit reached ({self.time_limit:g} s)",
                                 token=None)


_CURRENT: ContextVar[Budget | None] = ContextVar("ladle_render_budget", default=None)


def current() -> Budget | None:
    """The budget of the render under way in this thread or task, if any."""
    return _CURRENT.get()


def begin(env: Any) -> Token[Budget | None] | None:
    """Start a budget for a render of ``env`` unless one is under way (a partial's render
    spends its caller's); the token to pass to ``end``."""
    if _CURRENT.get() is not None:
        return None
    return _CURRENT.set(Budget(getattr(env, "work_limit", None),
                               getattr(env, "time_limit", None)))


def end(token: Token[Budget | None] | None) -> None:
    if token is not None:
        _CURRENT.reset(token)


def spend(units: int) -> None:
    """Spend ``units`` of the current render's budget (nothing outside a render)."""
    budget = _CURRENT.get()
    if budget is not None:
        budget.spend(units)


def size_of(value: Any) -> int:
    """The characters or items of a string or list (other values count as small)."""
    kind = type(value)
    if kind is str or kind is list or kind is tuple or kind is dict:
        return len(value)
    if isinstance(value, str):  # Markup
        return len(value)
    return 0


def spend_sizes(*values: Any) -> None:
    """Spend a unit per ``SIZE_UNIT`` characters or items of ``values``, when they are large."""
    total = 0
    for value in values:
        total += size_of(value)
    if total > FREE_SIZE:
        spend(total // SIZE_UNIT)
