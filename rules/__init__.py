"""Placement rules: rule files checked and matched against file records.

>>> from ladle import rules
>>> ruleset = rules.parse("morbo: tag == 'lossless' && (id % 100) <= 47\\ndevil: public == true")
>>> ruleset.names, ruleset.match({"tag": "lossless", "id": 5, "public": True})
(['morbo', 'devil'], ['morbo', 'devil'])
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ladle.rules.ruleset import Rule, RuleError, RuleSet, parse

if TYPE_CHECKING:
    from ladle.rules.engine import diff, route
    from ladle.rules.query import to_sql

# The engines and the SQL lowering load when first used: `ladle rules match` needs neither.
_LATER = {"diff": "engine", "route": "engine", "to_sql": "query"}


def __getattr__(name: str) -> Any:
    module = _LATER.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # the same value on every read: later reads find it directly
    return value


__all__ = ["Rule", "RuleError", "RuleSet", "diff", "parse", "route", "to_sql"]
