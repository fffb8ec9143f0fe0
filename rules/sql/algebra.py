"""Boolean SQL with constant folding.

``sql_and`` and ``sql_or`` drop TRUE and FALSE operands and repeated ones; ``sql_not``,
``ite`` (a ``CASE``) and ``ite_cond`` fold constant ones; so a rule's SQL holds only the
tests that can go either way. ``safe`` reads NULL as FALSE. Conditions are SQL text.
"""

from __future__ import annotations

from typing import Final

TRUE: Final = "TRUE"
FALSE: Final = "FALSE"
NULL: Final = "NULL"


def sql_and(*parts: str) -> str:
    items: list[str] = []
    for part in parts:
        if part == FALSE:
            return FALSE
        if part != TRUE and part not in items:
            items.append(part)
    if not items:
        return TRUE
    return items[0] if len(items) == 1 else "(" + " AND ".join(items) + ")"


def sql_or(*parts: str) -> str:
    items: list[str] = []
    for part in parts:
        if part == TRUE:
            return TRUE
        if part != FALSE and part not in items:
            items.append(part)
    if not items:
        return FALSE
    return items[0] if len(items) == 1 else "(" + " OR ".join(items) + ")"


def sql_not(part: str) -> str:
    if part == TRUE:
        return FALSE
    if part == FALSE:
        return TRUE
    if part.startswith("(NOT ") and _closes_at_end(part, 0):
        return part[5:-1]
    return f"(NOT {part})"


def ite(test: str, then: str, otherwise: str) -> str:
    """``CASE WHEN test THEN then ELSE otherwise END``, simplified."""
    if test == TRUE or then == otherwise:
        return then
    if test == FALSE:
        return otherwise
    if otherwise == NULL:
        return f"(CASE WHEN {test} THEN {then} END)"
    return f"(CASE WHEN {test} THEN {then} ELSE {otherwise} END)"


def ite_cond(test: str, then: str, otherwise: str) -> str:
    """A condition chosen by ``test`` (all three are non-NULL where it matters)."""
    if otherwise == FALSE:
        return sql_and(test, then)
    if then == TRUE:
        return sql_or(test, otherwise)
    return ite(test, then, otherwise)


def safe(condition: str) -> str:
    """``condition`` with NULL read as FALSE."""
    if condition in (TRUE, FALSE) or _is_safe(condition):
        return condition
    return f"COALESCE({condition}, FALSE)"


def _is_safe(condition: str) -> bool:
    """Whether ``condition`` is one ``COALESCE(..., FALSE)`` as a whole."""
    return (condition.startswith("COALESCE(") and condition.endswith(", FALSE)")
            and _closes_at_end(condition, len("COALESCE")))


def _closes_at_end(sql: str, opening: int) -> bool:
    """Whether the parenthesis at ``opening`` closes at the last character of ``sql``."""
    depth = 0
    quote = ""
    for position in range(opening, len(sql)):
        ch = sql[position]
        if quote:
            if ch == quote:
                quote = ""  # a doubled quote closes and reopens: the same for nesting
        elif ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return position == len(sql) - 1
    return False
