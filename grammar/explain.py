"""Explanations: a ``Trace`` drawn under its source text with carets, or as a JSON tree.

The text shows the *deciding* sub-expressions: looking through ``&&``/``||``/``and``/
``or`` and ``? :`` (which only choose among their operands), the operands that were
evaluated, each underlined with its value and, in parentheses, the values of its own
operands that the text does not already say::

    tag == 'lossless' && (id % 100) >=  0 && (id % 100) <= 47
    ^^^^^^^^^^^^^^^^^ true                    ^^^^^^^^^^^^^^^^ false (id % 100 = 93)
                         ^^^^^^^^^^^^^^^^ true (id % 100 = 93)

An underline that would run into the one before it goes on a row of its own.
"""

from __future__ import annotations

import json
from typing import Any

from ladle.grammar import runtime
from ladle.grammar.errors import ExpressionError
from ladle.grammar.nodes import (
    Binary,
    Conditional,
    Filter,
    Index,
    ListLiteral,
    Literal,
    Logical,
    Member,
    RangeLiteral,
)
from ladle.grammar.trace import Step, Trace

__all__ = ["deciding", "render", "show", "to_json"]

# Values longer than this are cut short in the text (the JSON tree has them whole).
SHOWN_LENGTH = 60
# Nodes that only choose which operand gives the value: the text looks through them.
_CHOOSERS = (Logical, Conditional)
_ESCAPES = {ord("\\"): "\\\\", ord("'"): "\\'",
            **{code: f"\\u{code:04x}" for code in range(0x20)}}


def show(value: Any) -> str:
    """A value as the text shows it: strings quoted as in the language, nil, true, false,
    numbers, and lists and maps as JSON, cut short after ``SHOWN_LENGTH`` characters.

    >>> show("lossless"), show(None), show(True), show(93), show((1, "a"))
    ("'lossless'", 'nil', 'true', '93', '[1, "a"]')
    """
    value = runtime.liquid_value(value)
    if isinstance(value, str):
        text = "'" + value.translate(_ESCAPES) + "'"
    elif value is None:
        text = "nil"
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif runtime.is_number(value):
        text = repr(value)
    else:
        text = _json_text(value, separators=(", ", ": "))
    return text if len(text) <= SHOWN_LENGTH else text[:SHOWN_LENGTH - 1] + "…"


def _json_text(value: Any, **options: Any) -> str:
    try:
        return json.dumps(plain(value), ensure_ascii=False, **options)
    except (ExpressionError, RecursionError, TypeError, ValueError):
        return str(value)


def plain(value: Any) -> Any:
    """``value`` as JSON data (ranges and tuples as lists, anything else as its text)."""
    try:
        data = runtime.to_output(value, max_length=10_000)
    except ExpressionError:
        return runtime.type_name(value)
    try:
        json.dumps(data)
    except (TypeError, ValueError, RecursionError):
        return str(data)
    return data


def outcome(step: Step) -> str:
    """'true', '93', 'error: …' or 'not evaluated'."""
    if not step.evaluated:
        return "not evaluated"
    if step.error is not None:
        return f"error: {step.error.message}"
    return show(step.value)


def deciding(step: Step) -> list[Step]:
    """The steps the text underlines: looking through the nodes that only choose an
    operand, the evaluated operands, in source order."""
    if not step.evaluated:
        return []
    if isinstance(step.node, _CHOOSERS):
        return [found for inner in step.steps for found in deciding(inner)]
    return [step]


def _obvious(step: Step) -> bool:
    """Whether the source text already says the value (a literal)."""
    node = step.node
    if isinstance(node, Literal):
        return True
    if isinstance(node, ListLiteral | RangeLiteral):
        return all(_obvious(inner) for inner in step.steps)
    return False


def _details(step: Step, source: str) -> str:
    """'(operand = value, ...)' for the operands of ``step`` the text does not say; for a
    failure, those of the sub-expression where it began."""
    while step.error is not None:
        failed = [inner for inner in step.steps if inner.error is step.error]
        if not failed:
            break
        step = failed[0]
    node = step.node
    # 'x == literal' being true says what x is.
    if isinstance(node, Binary) and node.op == "==" and step.value is True and \
            any(isinstance(inner.node, Literal) for inner in step.steps):
        return ""
    # (an operand that failed gave the error shown; the map or list a path reads from
    # says nothing the path's own value does not)
    operands = step.steps[1:] if isinstance(node, Member | Index) else step.steps
    parts = [f"{_text(inner, source)} = {outcome(inner)}" for inner in operands
             if inner.evaluated and inner.error is None and not _obvious(inner)]
    return f" ({', '.join(parts)})" if parts else ""


def _text(step: Step, source: str) -> str:
    start, end = step.node.span
    text = " ".join(source[start:end].split())
    return f"| {text}" if isinstance(step.node, Filter) else text


def render(trace: Trace, indent: str = "  ") -> str:
    """The source text, each line followed by rows of carets under the deciding
    sub-expressions that start on it, with their values."""
    source = trace.source
    notes = [(step.node.span, outcome(step) + _details(step, source))
             for step in deciding(trace.root)]
    out: list[str] = []
    line_start = 0
    first = True
    for raw in source.split("\n"):
        line_end = line_start + len(raw)
        text = raw.rstrip().replace("\t", " ")
        if text.strip():
            shift = len(text) - len(text.lstrip())
            pad = indent if first else indent + "  "  # continuation lines stand in
            first = False
            out.append(pad + text[shift:])
            placed = [(max(start, line_start + shift) - line_start - shift,
                       min(end, line_start + len(text)) - max(start, line_start + shift),
                       label)
                      for (start, end), label in notes if line_start <= start <= line_end
                      or (start < line_start and end > line_start + shift)]
            out.extend(pad + row for row in _rows(placed))
        line_start = line_end + 1
    return "\n".join(out)


def _rows(notes: list[tuple[int, int, str]]) -> list[str]:
    """Lay the (column, width, label) notes out left to right, each on the first row
    where it does not touch the note before it."""
    rows: list[list[tuple[int, int, str]]] = []
    ends: list[int] = []
    for column, width, label in sorted(notes, key=lambda n: n[0]):
        width = max(width, 1)
        for index, end in enumerate(ends):
            if column >= end + 2:  # two spaces at least between notes
                rows[index].append((column, width, label))
                ends[index] = column + width + 1 + len(label)
                break
        else:
            rows.append([(column, width, label)])
            ends.append(column + width + 1 + len(label))
    texts = []
    for row in rows:
        text = ""
        for column, width, label in row:
            text += " " * (column - len(text)) + "^" * width + " " + label
        texts.append(text)
    return texts


def to_json(trace: Trace) -> dict[str, Any]:
    """The trace as a JSON tree: each node's ``text`` and ``start``/``end`` offsets in
    the source, its ``value`` or ``error`` (or ``"evaluated": false``), whether the text
    underlines it (``deciding``), and its ``children``."""
    shown = {id(step) for step in deciding(trace.root)}
    return {"source": trace.source, "value": plain(trace.value) if trace.error is None
            else None, "error": None if trace.error is None else trace.error.message,
            "tree": _node_json(trace.root, trace.source, shown)}


def _node_json(step: Step, source: str, shown: set[int]) -> dict[str, Any]:
    node = step.node
    start, end = node.span
    out: dict[str, Any] = {"node": type(node).__name__.lower(), "text": source[start:end],
                           "start": start, "end": end}
    if isinstance(node, Binary | Logical):
        out["op"] = node.op
    out["evaluated"] = step.evaluated
    if step.error is not None:
        out["error"] = step.error.message
    elif step.evaluated:
        out["value"] = plain(step.value)
    out["deciding"] = id(step) in shown
    out["children"] = [_node_json(inner, source, shown) for inner in step.steps]
    return out
