"""Placement rules: rule files checked and matched against file records.

>>> from ladle import rules
>>> ruleset = rules.parse("morbo: tag == 'lossless' && (id % 100) <= 47\\ndevil: public == true")
>>> ruleset.names, ruleset.match({"tag": "lossless", "id": 5, "public": True})
(['morbo', 'devil'], ['morbo', 'devil'])
"""

from __future__ import annotations

from ladle.rules.engine import diff, route
from ladle.rules.query import to_sql
from ladle.rules.ruleset import Rule, RuleError, RuleSet, parse

__all__ = ["Rule", "RuleError", "RuleSet", "diff", "parse", "route", "to_sql"]
