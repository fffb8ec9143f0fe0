"""Liquid templates whose tags take the full expression language (built on python-liquid).

>>> from ladle import templating
>>> templating.render("{% if a && b %}yes{% endif %}", {"a": 1, "b": 2})
'yes'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from liquid import ChoiceLoader, DictLoader

# python-liquid's error for a template that cannot be loaded: the base of ladle's
# TemplateNotFound (not found) and TemplateReadError (found, but unreadable).
from liquid.exceptions import TemplateNotFoundError

from ladle.templating.environment import Environment, Template
from ladle.templating.errors import (
    TemplateError,
    TemplateEvaluationError,
    TemplateNotFound,
    TemplateReadError,
    TemplateSyntaxError,
    WorkLimitError,
)
from ladle.templating.loaders import CachingFileSystemLoader, FileSystemLoader

__all__ = [
    "CachingFileSystemLoader",
    "ChoiceLoader",
    "DictLoader",
    "Environment",
    "FileSystemLoader",
    "Template",
    "TemplateError",
    "TemplateEvaluationError",
    "TemplateNotFound",
    "TemplateNotFoundError",
    "TemplateReadError",
    "TemplateSyntaxError",
    "WorkLimitError",
    "render",
]


def render(source: str, data: Mapping[str, Any] | None = None, **options: Any) -> str:
    """Render a template string once: ``render("{{ 1 + 2 }}")`` is ``'3'``."""
    return Environment(**options).from_string(source).render(**(data or {}))
