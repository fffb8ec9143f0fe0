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


def __getattr__(name: str) -> Any:
    # The engines (and the catalog readers under them) load when a catalog is routed:
    # `ladle rules match` and `ladle rules check` start without them.
    if name not in ("diff", "route"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module("ladle.rules.engine"), name)
    globals()[name] = value  # the same value on every read: later reads find it directly
    return value

__all__ = ["Rule", "RuleError", "RuleSet", "diff", "parse", "route"]
