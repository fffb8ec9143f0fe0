"""The operator table (grammar/operators.py): the normative grammar agrees with it, and an
operator added as one row and its runtime function works everywhere the language runs,
the duckdb engine handing its rules to the python engine (issue 12)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from lark import Lark

from ladle.grammar import operators, parser
from ladle.grammar.lexer import tokenize

ROOT = Path(__file__).resolve().parents[2]
LARK = (ROOT / "grammar" / "expression.lark").read_text()


def _rule_operators(rule: str) -> set[str]:
    """The operator strings of the ``?rule:`` block of the .lark file: quoted literals,
    and the strings of the terminals it names (``COMPARE``, ``PLUS`` ...)."""
    block = re.search(rf"^\?{rule}:(.*?)(?=^\S)", LARK, re.MULTILINE | re.DOTALL)
    assert block is not None, rule
    text = re.sub(r"->\s*\w+", "", block.group(1))
    found = set(re.findall(r'"([^"]+)"', text))
    for terminal in re.findall(r"\b([A-Z_]+)\b", text):
        definition = re.search(rf"^{terminal}:(.*)$", LARK, re.MULTILINE)
        assert definition is not None, terminal
        found |= set(re.findall(r'"([^"]+)"', definition.group(1)))
    return found - {rule}


def test_the_lark_grammar_has_the_table_s_operators_at_their_levels() -> None:
    rules = ["coalesce", "cor", "cand", "comparison", "sum", "product"]
    for level, rule in enumerate(rules):
        written = _rule_operators(rule)
        # '-' is also the prefix minus, written in the `unary` rule with MINUS
        assert written == set(operators.LEVELS[level]), (rule, written)
    Lark(LARK, parser="lalr")  # and it still builds


def test_the_parser_and_lexer_read_the_table() -> None:
    assert parser.BINARY_LEVELS == operators.LEVELS
    for symbol in (*operators.OPERATORS, *operators.ALIASES):
        kinds = [token.kind for token in tokenize(f"a {symbol} b")]
        assert kinds == ["NAME", symbol, "NAME", "EOF"], symbol


def test_every_row_is_consistent() -> None:
    for op in operators.BINARY:
        assert op.level in range(len(operators.LEVELS))
        assert op.result in ("bool", "number", "any")
        assert op.sql in (None, "equality", "order", "arithmetic", "contains", "coalesce")
        if op.level > operators.AND_LEVEL:
            assert callable(op.function), op.symbol


# A new operator as a user adds it: a runtime function and one row of the table.
POWER = '''

def power(left, right):
    """``left ** right`` on integers, under the integer limit."""
    x, y = _arithmetic_operands("**", left, right)
    if isinstance(y, int) and y > 1000:
        raise EvaluationError("exponent too large")
    return check_number(x ** y)
'''
ROW = ('    Operator("**", PRODUCT_LEVEL, runtime.power, "number"),\n'
       '    Operator("%", PRODUCT_LEVEL')

CHILD = r"""
import json
from ladle import grammar, rules, templating
from ladle.rules.sql import SqlUnsupported, rule_sql
out = {}
out["compile"] = grammar.evaluate("2 ** 3 * 2", {})
out["folded"] = grammar.compile("n ** 2").evaluate({"n": 7})
out["set"] = list(grammar.compile_set(["n ** 2", "n ** 3 > 100"]).evaluate({"n": 5}))
out["template"] = templating.render("{{ n ** 2 }}", {"n": 9})
out["interpreted"] = templating.Environment(compiled=False).from_string(
    "{% if n ** 2 > 80 %}big{% endif %}").render(n=9)
ruleset = rules.parse("cube: (id ** 3) % 2 == 1")
try:
    rule_sql(ruleset.rules[0].tree, {"id": "BIGINT"})
    out["sql"] = "lowered"
except SqlUnsupported as error:
    out["sql"] = error.message
notices = []
report = rules.route(ruleset, "catalog.jsonl", engine="duckdb", notice=notices.append)
out["route"] = report["rules"]["cube"]["records"]
out["notices"] = notices
print(json.dumps(out))
"""


def test_an_operator_added_to_the_table_works_everywhere(tmp_path: Path) -> None:
    copy = tmp_path / "ladle"
    shutil.copytree(ROOT / "ladle", copy, ignore=shutil.ignore_patterns("__pycache__"))
    runtime = copy / "grammar" / "runtime.py"
    runtime.write_text(runtime.read_text() + POWER)
    table = copy / "grammar" / "operators.py"
    text = table.read_text()
    assert text.count('    Operator("%", PRODUCT_LEVEL') == 1
    table.write_text(text.replace('    Operator("%", PRODUCT_LEVEL', ROW))
    (tmp_path / "catalog.jsonl").write_text(
        "".join(json.dumps({"id": n}) + "\n" for n in range(1, 11)))
    environment = {**os.environ, "PYTHONPATH": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True,
                          cwd=tmp_path, env=environment, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout)
    assert out["compile"] == 16 and out["folded"] == 49 and out["set"] == [25, True]
    assert out["template"] == "81" and out["interpreted"] == "big"
    assert out["sql"] == "the operator '**' has no SQL form: use the python engine"
    assert out["route"] == 5
    assert any("'**' has no SQL form" in notice for notice in out["notices"]), out["notices"]
