"""Static checks of a rule set: unknown field names and comparisons that can never hold."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from itertools import islice
from pathlib import Path

from ladle.grammar import nodes, operators, runtime
from ladle.grammar.errors import Diagnostic
from ladle.rules.catalog import records
from ladle.rules.ruleset import RuleSet, compile_rules, read

# Declared field types (``--vars tag:string,id:int``) and the literal kinds they can equal.
TYPES = {"string": {"string"}, "int": {"int", "float"}, "float": {"int", "float"},
         "bool": {"bool"}, "any": {"string", "int", "float", "bool"}}
SAMPLE = 10_000
"""Records ``sample_types`` reads from the start of a catalog."""
_LITERAL_TYPE = {"string": "string", "int": "int", "float": "float", "bool": "bool"}
_ORDERING = operators.by_sql("order")
_EQUALITY = operators.by_sql("equality")


class Problem(Diagnostic):
    """One finding of ``check``: what is wrong, in which file, at which offset of its text."""

    def __init__(self, severity: str, message: str, file: str, source: str,
                 position: int | None) -> None:
        super().__init__(message, source, position, file=file, severity=severity)


def parse_vars(text: str) -> dict[str, str]:
    """``tag:string,id:int,public:bool`` -> {"tag": "string", ...}; ValueError if malformed."""
    declared: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, sep, kind = item.partition(":")
        if not sep or not name or kind not in TYPES:
            raise ValueError(f"expected name:type with a type of {', '.join(TYPES)}, "
                             f"got {item!r}")
        if declared.get(name, kind) != kind:
            raise ValueError(f"{name!r} is given two types, {declared[name]} and {kind}")
        declared[name] = kind
    if not declared:
        raise ValueError(f"expected name:type,... (such as tag:string,id:int), got {text!r}")
    return declared


def sample_types(catalog: str | Path, format: str | None = None,
                 count: int = SAMPLE) -> dict[str, str]:
    """The fields of the first ``count`` records of a catalog and their types (as in
    ``--vars``): a field with values of several types, or lists, is ``any``."""
    seen: dict[str, set[str]] = {}
    for _, record in islice(records(catalog, format), count):
        if not isinstance(record, dict):
            continue
        for name, value in record.items():
            seen.setdefault(name, set()).add(_value_type(value))
    types = {}
    for name, kinds in seen.items():
        if kinds == {"int", "float"}:
            kinds = {"float"}
        types[name] = kinds.pop() if len(kinds) == 1 else "any"
    return types


def _value_type(value: object) -> str:
    name = runtime.type_name(value)
    return name if name in TYPES else "any"


def check(source: str | Path, types: Mapping[str, str] | None = None) -> list[Problem]:
    """Every syntax error, name no record has (when ``types`` is given) and comparison that
    is always false or always fails for the declared types, in file order. An unreadable
    file raises ``RuleError``."""
    file, text = read(source)  # a file that cannot be read is not a finding: it raises
    rules, errors = compile_rules(text, file, names=None if types is None else set(types))
    problems = [Problem("error", error.message, error.file, error.source, error.position)
                for error in errors]
    if types is not None and rules:
        problems.extend(_comparisons(RuleSet(rules, file, text), types))
    return sorted(problems, key=lambda problem: problem.position or 0)


def _comparisons(ruleset: RuleSet, types: Mapping[str, str]) -> Iterable[Problem]:
    for rule in ruleset.rules:
        for node in nodes.walk(rule.tree):
            if not isinstance(node, nodes.Binary) or node.op not in _ORDERING | _EQUALITY:
                continue
            for field, literal in ((node.left, node.right), (node.right, node.left)):
                if not (isinstance(field, nodes.Name) and isinstance(literal, nodes.Literal)):
                    continue
                declared = types.get(field.name)
                kind = _LITERAL_TYPE.get(literal.kind)
                if declared is None or kind is None or kind in TYPES[declared]:
                    continue
                shown = nodes.unparse(literal)
                if node.op in _ORDERING:
                    message = (f"{field.name} is {declared}: comparing it with {shown} fails "
                               f"on every record")
                else:
                    always = "false" if node.op == "==" else "true"
                    message = (f"{field.name} is {declared}: '{field.name} {node.op} {shown}' "
                               f"is always {always}")
                yield Problem("error", message, ruleset.file, ruleset.source,
                              rule.offset + node.at)
