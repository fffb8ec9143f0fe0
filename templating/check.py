"""Checking templates without rendering them: every syntax error, and undefined variables."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from liquid.exceptions import LiquidError
from liquid.token import Token

from templating.environment import Environment


@dataclass(frozen=True)
class Finding:
    """One problem in a template: ``position`` is an offset into ``source`` (None if unknown)."""

    message: str
    source: str
    position: int | None


class _Collecting(Environment):
    """An environment that notes every error and parses on, instead of stopping at the first."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.errors: list[LiquidError] = []
        super().__init__(*args, **kwargs)

    def error(self, exc: Any, msg: str | None = None, token: Token | None = None) -> None:
        error = exc if isinstance(exc, LiquidError) else exc(msg, token=token)
        if error.token is None:
            error.token = token
        self.errors.append(error)


def check_template(path: Path, data: Mapping[str, Any] | None = None) -> list[Finding]:
    """Syntax errors of the template at ``path`` and, when ``data`` is given, each variable it
    reads that neither ``data`` nor the template itself defines."""
    source = path.read_text(encoding="utf-8")
    env = _Collecting()
    try:
        template = env.from_string(source, name=path.name, path=path)
    except LiquidError as error:  # errors python-liquid does not route through env.error
        env.errors.append(error)
        template = None
    findings = [_finding(error, source) for error in env.errors]
    if data is not None and template is not None and not env.errors:
        analysis = template.analyze(include_partials=False)
        for name, uses in analysis.globals.items():
            if name not in data:
                first = uses[0].span.index
                findings.append(Finding(f"undefined variable {name!r}", source, first))
    return sorted(findings, key=lambda f: -1 if f.position is None else f.position)


def _finding(error: LiquidError, source: str) -> Finding:
    token = error.token
    position = None
    if token is not None and token.start_index >= 0 and token.source == source:
        position = token.start_index
    return Finding(str(error.message), source, position)
