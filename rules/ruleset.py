"""Rule files: ``name: expression`` per line, compiled together into one ``RuleSet``.

``#`` starts a comment (outside quotes), a line that starts with white space
continues the previous rule, and blank lines are ignored. The expressions keep
their offsets in the file, so every error has the file's line and column.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from ladle import grammar
from ladle.grammar.errors import Diagnostic, line_and_column, undecodable
from ladle.grammar.names import check_names, function_table
from ladle.grammar.nodes import Node

if TYPE_CHECKING:
    from pathlib import Path

    from ladle.grammar.trace import Trace

Filters = Mapping[str, Callable[..., Any]]
Functions = Mapping[str, Callable[..., Any]]
_NO_FILTERS: Filters = MappingProxyType({})

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
MAX_RULE_FILE_BYTES = 10_000_000


class RuleError(Diagnostic):
    """A rule file that cannot be used: ``file``, 1-based ``line`` and ``column``."""

    def __init__(self, message: str, file: str, source: str = "",
                 position: int | None = None) -> None:
        super().__init__(message, source, position, file=file)

    def __str__(self) -> str:
        if self.line is None:
            return f"{self.file}: {self.message}"
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


@dataclass(frozen=True)
class Rule:
    """One rule: its name, expression text, where the expression starts in the file, and
    its parsed (and checked) tree."""

    name: str
    source: str
    offset: int
    tree: Node
    # The filters it may call (the standard ones and the host's; none in a file without
    # a '|') and the host's functions (``parse``'s ``filters=``/``functions=``).
    filters: Filters = field(default_factory=lambda: _NO_FILTERS, compare=False, repr=False)
    functions: Functions | None = field(default=None, compare=False, repr=False)
    # The names of the filters and functions the host added (``parse``'s own).
    own_names: frozenset[str] = field(default=frozenset(), compare=False, repr=False)

    @cached_property
    def expression(self) -> grammar.Expression:
        """The rule compiled on its own, when first asked for: a rule set evaluates its
        rules together (``RuleSet.claims``), so most rules never need this."""
        return grammar.compile(self.source, filters=self.filters, functions=self.functions)


def _without_comments(line: str) -> str:
    """The line with its comment blanked out (same length, so offsets stay)."""
    quote = ""
    escaped = False
    for index, char in enumerate(line):
        if quote:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "#":
            return line[:index] + " " * (len(line) - index)
    return line


def _split(text: str, file: str) -> list[tuple[str, int, str, int]]:
    """(name, name offset, expression text, expression offset) for each rule."""
    rules: list[tuple[str, int, list[str], int]] = []
    offset = 0
    # Lines end at "\n" only, as positions count them (``str.splitlines`` also splits at
    # a form feed, U+2028 and others, which would put every later error on a wrong line).
    for raw in text.split("\n"):
        raw += "\n"
        body = raw.rstrip("\r\n")
        line = _without_comments(body)
        if line.strip():
            if line[0] in " \t":
                if not rules:
                    raise RuleError("a continuation line before any rule", file, text,
                                    offset + len(line) - len(line.lstrip()))
                rules[-1][2].append(line)
            else:
                match = _NAME.match(line)
                end = 0 if match is None else match.end()
                after = line[end:end + 1]
                if after not in ("", ":", " ", "\t") and (match or not after.isdigit()):
                    raise RuleError(f"{after!r} cannot be in a rule name (ASCII letters, "
                                    "digits, '_' and '-', first a letter or '_')", file, text,
                                    offset + end)
                if match is None:
                    raise RuleError("expected a rule name (letters, digits, '_' or '-')",
                                    file, text, offset)
                colon = line.find(":", match.end())
                if colon < 0 or line[match.end():colon].strip():
                    raise RuleError(f"expected ':' after the rule name {match.group()!r}",
                                    file, text, offset + match.end())
                rules.append((match.group(), offset, [" " * (colon + 1) + line[colon + 1:]],
                              offset))
        elif rules:
            rules[-1][2].append(line)  # keeps offsets across blank lines inside a rule
        offset += len(raw)
    for _, _, parts, _ in rules:
        while len(parts) > 1 and not parts[-1].strip():
            parts.pop()  # blank lines after a rule are not part of it
    return [(name, at, "\n".join(parts), start) for name, at, parts, start in rules]


class RuleSet:
    """Compiled rules in file order; immutable, safe to share between threads."""

    __slots__ = ("_claims", "claims", "file", "names", "rules", "source")

    def __init__(self, rules: list[Rule], file: str, source: str) -> None:
        self.rules = tuple(rules)
        self.names = [rule.name for rule in rules]
        self.file = file
        self.source = source
        # One function for the whole set: parts shared between rules are computed once.
        # ``claims(record)``: whether each rule claims it, as bools; raises
        # grammar.ExpressionError when any rule cannot evaluate (``evaluate`` says which).
        # An attribute, not a method: the routers call it for every record.
        first = rules[0] if rules else None
        self._claims = grammar.compile_set(
            [rule.source for rule in rules], truthy=True, trees=[rule.tree for rule in rules],
            filters=None if first is None else first.filters,
            functions=None if first is None else first.functions)
        self.claims: Callable[[Mapping[str, Any]], tuple[bool, ...]] = self._claims.evaluate

    def evaluate(self, record: Mapping[str, Any]) -> list[tuple[bool, str | None]]:
        """For each rule: (claims the record, the error message if it could not evaluate)."""
        try:
            claims = self.claims(record)
        except grammar.ExpressionError:
            return [self._one(rule, record) for rule in self.rules]
        return [(claimed, None) for claimed in claims]

    @staticmethod
    def _one(rule: Rule, record: Mapping[str, Any]) -> tuple[bool, str | None]:
        try:
            return grammar.truthy(rule.expression.evaluate(record)), None
        except grammar.ExpressionError as error:
            return False, error.message

    def explain(self, record: Mapping[str, Any]) -> list[tuple[str, Trace]]:
        """For each rule, in file order: its name and the trace of its expression over
        ``record`` (every sub-expression's value or error; ``Trace.truthy`` is whether the
        rule claims the record). ``grammar.explain.render`` draws one under its text.

        >>> [(name, t.truthy) for name, t in parse("a: x > 1\\nb: x < 1").explain({"x": 2})]
        [('a', True), ('b', False)]
        """
        from ladle.grammar.trace import Tracer  # only --explain needs it: not at start-up

        return [(rule.name, Tracer(filters=rule.filters, functions=rule.functions)
                 .trace(rule.source, rule.tree, record)) for rule in self.rules]

    def match(self, record: Mapping[str, Any]) -> list[str]:
        """The names of the rules that claim ``record`` (a rule that fails does not)."""
        return [name for name, (claims, _) in zip(self.names, self.evaluate(record),
                                                  strict=True) if claims]

    def __repr__(self) -> str:
        return f"<RuleSet {self.file}: {', '.join(self.names)}>"


def parse(source: str | Path, *, names: Iterable[str] | None = None,
          filters: Filters | None = None, functions: Functions | None = None) -> RuleSet:
    """A ``RuleSet`` from rule text or a rule file; raises ``RuleError`` with its position.

    ``names``, when given, is every field a record may have: any other is an error
    with a did-you-mean (``tg == 'lossless'`` silently matches nothing otherwise).
    Rules call the standard filters (``(tag | downcase) == 'flac'``) and the built-in
    functions; ``filters`` and ``functions`` add the host's own, as in templates.
    """
    file, text = read(source)
    rules, errors = compile_rules(text, file, names=names, filters=filters,
                                  functions=functions)
    if errors:
        raise errors[0]
    return RuleSet(rules, file, text)


def read(source: str | Path) -> tuple[str, str]:
    """(file name, text) of rule text or a rule file; raises ``RuleError`` when the file
    cannot be read."""
    # os rather than pathlib, which ``ladle rules match`` would load for this alone.
    if not (isinstance(source, os.PathLike) or ("\n" not in source and ":" not in source)):
        return "<rules>", source
    file = os.fspath(source)
    try:
        if os.stat(file).st_size > MAX_RULE_FILE_BYTES:
            raise RuleError(f"larger than {MAX_RULE_FILE_BYTES:,} bytes", file)
        with open(file, encoding="utf-8") as handle:
            return file, handle.read()
    except UnicodeDecodeError as error:
        try:
            with open(file, "rb") as handle:  # again, for the line and column of the bad byte
                message, text, position = undecodable(handle.read(), error)
        except OSError:
            raise RuleError(f"not UTF-8 text (byte {error.start + 1})", file) from None
        raise RuleError(message, file, text, position) from None
    except OSError as error:
        raise RuleError(error.strerror or str(error), file) from None


def compile_rules(text: str, file: str, *, names: Iterable[str] | None = None,
                  filters: Filters | None = None, functions: Functions | None = None
                  ) -> tuple[list[Rule], list[RuleError]]:
    """Every rule of ``text`` that compiles, and an error for each one that does not (a
    file whose lines cannot be split into rules gives that one error)."""
    names = None if names is None else frozenset(names)
    own_names = frozenset(filters or ()) | frozenset(functions or ())
    table = _NO_FILTERS
    if filters or "|" in text:  # a filter needs a '|': python-liquid loads only then
        from ladle import filters as standard_filters

        table = standard_filters.table(filters)
    callable_functions = function_table(functions)
    try:
        parts = _split(text, file)
    except RuleError as error:
        return [], [error]
    rules: list[Rule] = []
    errors: list[RuleError] = []
    seen: dict[str, int] = {}
    for name, at, expression, start in parts:
        if name in seen:
            line = line_and_column(text, seen[name])[0]
            errors.append(RuleError(f"rule {name!r} is defined twice (first on line {line})",
                                    file, text, at))
            continue
        seen[name] = at
        if not expression.strip():
            after_colon = text.index(":", at) + 1
            errors.append(RuleError(f"rule {name!r} has no expression", file, text,
                                    after_colon))
            continue
        try:
            tree = grammar.parse(expression)
            check_names(tree, expression, names=names, functions=callable_functions,
                        filters=table, filter_arguments=True)
        except grammar.ExpressionError as error:
            position = start + (error.position if error.position is not None else 0)
            errors.append(RuleError(error.message, file, text, position))
            continue
        rules.append(Rule(name, expression, start, tree, table, functions, own_names))
    if not rules and not errors:
        errors.append(RuleError("no rules", file, text, 0))
    return rules, errors
