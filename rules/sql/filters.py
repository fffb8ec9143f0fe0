"""Filters in SQL: the standard filters that have an exact SQL form, for the values where
they have one.

Each lowering holds for the kinds of value named here, where python-liquid's filter and
an existing lowering of the language agree exactly (nil counts as 0 in arithmetic and as
'' in text, as in both):

- ``downcase``, ``upcase``: text or nil (``lower``/``upper`` of the text, '' for nil);
- ``size``: text or nil (its length, 0 for nil), a list or a range;
- ``plus``, ``minus``, ``times``, ``divided_by``, ``modulo``: integers or nil on both
  sides (``+ - * / %``: floor division and Python's modulo, as python-liquid's);
- ``abs``: an integer or nil;
- ``append``, ``prepend``: text on both sides (``+`` on strings);
- ``strip``: text or nil (Python's white space removed from both ends, '' for nil);
- ``default``: any scalar and a scalar fallback, taken where the value is nil, false or
  '' (a number, even 0, is kept), with no ``allow_false``.

Any other filter, or values of other kinds (floats, which python-liquid computes in
decimal; nil appended, which it prints as ``None``), is ``SqlUnsupported``: the duckdb
engine hands the rule to the python engine. So is a filter or function the host defined
itself (``own_names``), whatever its name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ladle.grammar.errors import EvaluationError
from ladle.grammar.nodes import Filter, Node, Pipeline
from ladle.rules.sql.algebra import FALSE, NULL, sql_not, sql_or
from ladle.rules.sql.arithmetic import Arithmetic
from ladle.rules.sql.patterns import strip_pattern
from ladle.rules.sql.values import Value, chain, failures, with_failures

# Filter name: the operator of the language that computes it on integers (and nil).
_ARITHMETIC = {"plus": "+", "minus": "-", "times": "*", "divided_by": "/", "modulo": "%"}
_CASE = {"downcase": "lower", "upcase": "upper"}
_ARGUMENTS = {**dict.fromkeys(_ARITHMETIC, 1), **dict.fromkeys(_CASE, 0), "size": 0,
              "abs": 0, "append": 1, "prepend": 1, "strip": 0, "default": 1}
_SCALARS = {"nil", "bool", "int", "float", "str"}


class Filters(Arithmetic):
    """Pipelines (``value | filter: arg``) whose filters have an exact SQL form."""

    def pipeline(self, node: Pipeline) -> Value:
        value = self.value(node.value)
        for step in node.filters:
            value = self.apply(step, value)
        return value

    def apply(self, step: Filter, value: Value) -> Value:
        name = step.name
        wanted = _ARGUMENTS.get(name)
        if wanted is None or name in self.own_names or step.kwargs or \
                len(step.args) != wanted:
            raise self.unsupported(f"the filter {name!r} has no SQL form", step)
        args = [self.value(arg) for arg in step.args]
        if value.is_const and all(a.is_const for a in args):
            folded = self.fold_call(step, _standard(name), value.const,
                                    *(a.const for a in args))
            if folded is not None:
                return self.after(folded, value, *args)
        steps = failures(value, *args)
        if name in _ARITHMETIC and self._kinds(value, args, {"int", "nil"}):
            result, err, abort = self.arithmetic(step, _ARITHMETIC[name], value, args[0])
        elif name in _CASE and self._kinds(value, args, {"str", "nil"}):
            result, err, abort = self.change_case(_CASE[name], self._text(value, step), step)
        elif name == "size" and (value.seq is not None or self._kinds(value, args,
                                                                       {"str", "nil"})):
            text = value if value.seq is not None else self._text(value, step)
            result, err = self.length(step, text)
            abort = FALSE
        elif name == "abs" and self._kinds(value, args, {"int", "nil"}):
            integer = self.slot(value, "int", step)
            zero = self.dialect.int_literal(0)
            result = Value({"int": f"abs(COALESCE({integer}, {zero}))" if integer != NULL
                            else zero})
            err = abort = FALSE
        elif name in ("append", "prepend") and self._kinds(value, args, {"str"}):
            left, right = (value, args[0]) if name == "append" else (args[0], value)
            result, err, abort = self.arithmetic(step, "+", left, right)
        elif name == "strip" and self._kinds(value, args, {"str", "nil"}):
            chars = self.slot(self._text(value, step), "str", step)
            pattern = self.dialect.string(strip_pattern())
            result = Value({"str": self.dialect.regex_remove(chars, pattern)})
            err = abort = FALSE
        elif name == "default" and self._kinds(value, args, _SCALARS):
            chars = self.slot(value, "str", step)
            empty = f"COALESCE({chars} = '', FALSE)" if chars != NULL else FALSE
            use = sql_or(sql_not(self.truthy(value)), empty)
            result = self.merge(use, args[0], value, step)
            err = abort = FALSE
        else:
            kinds = ", ".join(sorted({k for v in (value, *args) for k in v.kinds()}))
            raise self.unsupported(f"the filter {name!r} on {kinds} has no SQL form", step)
        err, abort = chain([*steps, (err, abort)])
        return with_failures(result, err, abort)

    @staticmethod
    def _kinds(value: Value, args: list[Value], allowed: set[str]) -> bool:
        return all(v.scalar and set(v.kinds()) <= allowed for v in (value, *args))

    def _text(self, value: Value, node: Node) -> Value:
        """Text or nil as text: nil is ''."""
        if not value.nil:
            return value
        text = self.slot(value, "str", node)
        return Value({"str": "''" if text == NULL else f"COALESCE({text}, '')"})


def _standard(name: str) -> Callable[..., Any]:
    """python-liquid's filter, for folding constants; its errors are evaluation errors, as
    the python engine makes them."""
    from ladle import filters

    function = filters.table()[name]

    def call(*args: Any) -> Any:
        try:
            return function(*args)
        except EvaluationError:
            raise
        except Exception as error:
            raise EvaluationError(f"filter {name!r}: {error}") from error

    return call
