"""Whether the template being parsed or rendered escapes its output.

A context variable, so that each thread and each async task sees its own: templates
loaded from ``.html`` files escape while others from the same environment do not, and
python-liquid's filters (``safe``, ``escape``, ``join``…) ask the environment.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from pathlib import Path
from typing import Any

# Files whose output is HTML-like: escaped by default when loaded by name.
ESCAPED_SUFFIXES = frozenset({".html", ".htm", ".xml", ".svg"})

_ESCAPING: ContextVar[bool | None] = ContextVar("ladle_escaping", default=None)


def escapes_by_name(env: Any, name: object) -> bool:
    """Whether a template called ``name`` escapes its output in ``env``."""
    if env.autoescape:
        return True
    by_name = getattr(env, "autoescape_by_name", False)
    return bool(by_name) and Path(str(name or "")).suffix.lower() in ESCAPED_SUFFIXES


def escaping(env: Any) -> bool:
    """Whether output is being escaped here (the environment's setting outside templates)."""
    current = _ESCAPING.get()
    return bool(env.autoescape) if current is None else current


@contextmanager
def escaping_as(flag: bool) -> Iterator[None]:
    token = _ESCAPING.set(flag)
    try:
        yield
    finally:
        _ESCAPING.reset(token)


def set_escaping(flag: bool) -> Token[bool | None] | None:
    """``escaping_as`` without a context manager, for the hot path of partials (None when
    nothing changes)."""
    return None if _ESCAPING.get() is flag else _ESCAPING.set(flag)


def reset_escaping(token: Token[bool | None] | None) -> None:
    if token is not None:
        _ESCAPING.reset(token)


class FilterEnvironment:
    """The environment as python-liquid's filters see it: escaping as the current template."""

    __slots__ = ("_env",)

    def __init__(self, env: Any) -> None:
        self._env = env

    def __getattr__(self, name: str) -> Any:
        return getattr(self._env, name)

    @property
    def autoescape(self) -> bool:
        return escaping(self._env)
