"""Findings: what a check says about a layout, where, and for which variant."""

from __future__ import annotations

from dataclasses import dataclass


def pointer_token(key: str) -> str:
    """``key`` as one token of a JSON pointer (RFC 6901: ``~`` is ``~0``, ``/`` is ``~1``)."""
    return key.replace("~", "~0").replace("/", "~1")


@dataclass(frozen=True)
class Finding:
    """One problem: ``pointer`` is the JSON pointer of the value, ``line``/``column`` its
    1-based place in the file, ``variant`` set when it holds in only one variant."""

    severity: str  # "error" | "warning"
    code: str
    message: str
    pointer: str
    line: int | None = None
    column: int | None = None
    variant: str | None = None

    def render(self, name: str) -> str:
        """``file:line:col: severity: message [code] at pointer``."""
        where = name if self.line is None else f"{name}:{self.line}:{self.column}"
        variant = f" ({self.variant} player)" if self.variant else ""
        return f"{where}: {self.severity}: {self.message}{variant} [{self.code}] at " \
               f"{self.pointer or '/'}"


def summary(findings: list[Finding]) -> str:
    """How many errors and warnings: ``4 errors, 3 warnings``.

    >>> summary([Finding("error", "x", "m", "/"), Finding("warning", "y", "m", "/")])
    '1 error, 1 warning'
    """
    errors = sum(f.severity == "error" for f in findings)
    warnings = len(findings) - errors
    return f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"


class LayoutError(Exception):
    """A layout with errors; ``findings`` lists them."""

    def __init__(self, findings: list[Finding]) -> None:
        first = findings[0] if findings else None
        super().__init__(first.message if first else "invalid layout")
        self.findings = findings
