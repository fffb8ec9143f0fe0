"""Placement rules: rule files checked and matched against file records.

>>> from ladle import rules
>>> ruleset = rules.parse("morbo: tag == 'lossless' && (id % 100) <= 47\\ndevil: public == true")
>>> ruleset.names, ruleset.match({"tag": "lossless", "id": 5, "public": True})
(['morbo', 'devil'], ['morbo', 'devil'])
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ladle.grammar.later import imported_later
from ladle.rules.ruleset import Rule, RuleError, RuleSet, parse

if TYPE_CHECKING:
    from ladle.rules.engine import diff, route
    from ladle.rules.query import to_sql

# The engines and the SQL lowering load when first used: `ladle rules match` needs neither.
__getattr__ = imported_later(__name__, {"diff": "engine", "route": "engine", "to_sql": "query"})

__all__ = ["Rule", "RuleError", "RuleSet", "diff", "parse", "route", "to_sql"]
