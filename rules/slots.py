"""Slot-based rule files: each machine owns ranges of ``slot(KEY, N)``.

``slot_rules`` writes a rule file that splits the ``N`` slots between machines in
proportion to their weights, one contiguous range each::

    # slots: 1024 of slot(id, 1024), weights morbo=1 linda=1
    morbo: slot(id, 1024) in (0..511)
    linda: slot(id, 1024) in (512..1023)

``assignment`` reads back which ranges each rule owns, and ``rebalance`` adds,
removes or reweights machines while moving as few slots as possible: a new
machine takes slots only from the machines that are over their new share, a
removed machine's slots go only to the machines that are under theirs, and
every other slot stays where it is. Going from 5 to 6 equal machines moves
1/6 of the slots (and of the files), where re-splitting ``id % N`` moves 5/6
(rules.md, "Why slots").

The weights of the machines already in a file are read from its header line
(``# slots: ... weights a=1 b=2``) when it names exactly the file's rules;
otherwise each machine weighs its share of the slots times the number of
machines, so that an average machine weighs 1.
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from numbers import Rational, Real
from pathlib import Path

from ladle import grammar
from ladle.grammar.nodes import (
    Binary,
    Call,
    Index,
    Literal,
    Logical,
    Member,
    Name,
    Node,
    RangeLiteral,
)
from ladle.grammar.nodes import unparse as _unparse
from ladle.rules.ruleset import RuleError, RuleSet
from ladle.rules.ruleset import parse as _parse_rules

__all__ = ["assignment", "rebalance", "slot_rules"]

Range = tuple[int, int]  # both ends included, like ``(a..b)``

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
# The repeat is possessive: a 10 MB header line would otherwise keep a backtracking
# stack of hundreds of megabytes.
_HEADER = re.compile(r"#\s*slots:.*?\bweights((?:\s+[A-Za-z_][A-Za-z0-9_-]*=\S+)++)")
_AND = ("&&", "and")
_OR = ("||", "or")
_FORM = "[WHERE &&] slot(KEY, N) in (A..B) || slot(KEY, N) in (C..D) ..."


@dataclass(frozen=True)
class _Weight:
    """A machine's weight, exact, and as it is written in the header."""

    value: Fraction
    text: str


@dataclass(frozen=True)
class _SlotRule:
    name: str
    ranges: list[Range]
    where: tuple[Node, ...]  # the conjuncts before the slot ranges, if any
    where_text: str | None


@dataclass(frozen=True)
class _Layout:
    key: Node
    key_text: str
    n: int
    rules: list[_SlotRule]
    source: str


# --- public API ---------------------------------------------------------------------------


def slot_rules(
    weights: Mapping[str, float],
    *,
    slots: int = 1024,
    key: str = "id",
    where: str | None = None,
) -> str:
    """A rule file giving each machine a contiguous share of ``slot(KEY, SLOTS)``.

    Shares are proportional to ``weights`` (largest-remainder rounding: they add up
    to ``slots`` exactly, and every machine gets at least one slot). With ``where``,
    each rule is ``(WHERE) && (slot(...) in (...))``. Raises ``ValueError``.

    >>> print(slot_rules({"morbo": 1, "linda": 1}, slots=4), end="")
    # slots: 4 of slot(id, 4), weights morbo=1 linda=1
    morbo: slot(id, 4) in (0..1)
    linda: slot(id, 4) in (2..3)
    """
    n = _check_slots(slots)
    checked = _check_weights(weights, "weights")
    if not checked:
        raise ValueError("no machines: weights is empty")
    key_text = _check_key(key)
    where_text = _check_where(where)
    names = list(checked)
    counts = _shares([checked[name].value for name in names], n)
    owned: dict[str, list[Range]] = {}
    start = 0
    for name, count in zip(names, counts, strict=True):
        owned[name] = [(start, start + count - 1)]
        start += count
    header = [_header(n, key_text, {name: checked[name].text for name in names})]
    return _write(header, owned, key_text, n, where_text)


def assignment(
    ruleset: RuleSet | str | Path, slots: int | None = None
) -> dict[str, list[tuple[int, int]]]:
    """The slot ranges ``(first, last)`` each rule of a slot-based rule file owns.

    Every rule must be ``[WHERE &&] slot(KEY, N) in (A..B) || ...`` with the same
    ``KEY`` and ``N`` (``N`` equal to ``slots`` when given), and the rules together
    must own each slot ``0..N-1`` exactly once; otherwise ``ValueError`` naming the
    rule. Ranges come back sorted, with adjacent ones merged.
    """
    expected = None if slots is None else _check_slots(slots)
    layout = _read(_ruleset(ruleset), expected)
    return {rule.name: list(rule.ranges) for rule in layout.rules}


def rebalance(
    ruleset_or_text: RuleSet | str | Path,
    *,
    add: Mapping[str, float] | None = None,
    remove: Iterable[str] = (),
    weights: Mapping[str, float] | None = None,
) -> tuple[str, float]:
    """The slot-based rule file rewritten for new machines, weights or removals.

    Returns the new rule file and the fraction of all slots that change owner.
    ``add`` names new machines with their weights, ``remove`` machines to drop,
    ``weights`` new weights for machines that stay. Each machine's new share of
    the slots is its weight's share (rounded as in ``slot_rules``); a machine
    over its share gives away just the excess, from its smallest ranges and its
    last range's end, and the freed slots go to the machines under their share,
    preferably next to ranges they already own. No other slot moves. The
    ``where`` part of the rules, which must be the same for all, is kept.
    """
    layout = _read(_ruleset(ruleset_or_text), None)
    where_text = _common_where(layout)
    names = [rule.name for rule in layout.rules]
    current = {rule.name: rule.ranges for rule in layout.rules}
    counts = {name: _size(ranges) for name, ranges in current.items()}

    added = _check_weights(add or {}, "add")
    removed = _check_remove(remove, names)
    changed = _check_weights(weights or {}, "weights")
    for name in added:
        if name in current:
            raise ValueError(f"cannot add {name!r}: the rule file already has it "
                             "(use weights= to change its weight)")
        if name in removed:
            raise ValueError(f"{name!r} is both added and removed")
    for name in changed:
        if name in added:
            raise ValueError(f"{name!r} is in both add and weights")
        if name not in current:
            raise ValueError(f"weights: no machine {name!r} in the rule file "
                             f"(machines: {', '.join(names)}; use add= for a new one)")
        if name in removed:
            raise ValueError(f"{name!r} is both removed and given a weight")
    final = [name for name in names if name not in removed] + list(added)
    if not final:
        raise ValueError("cannot remove every machine")

    table = _recorded_weights(layout.source, names) or _inferred_weights(counts, layout.n)
    table = {**table, **changed, **added}
    have = [counts.get(name, 0) for name in final]
    targets = dict(zip(final, _shares([table[name].value for name in final], layout.n, have),
                       strict=True))

    kept: dict[str, list[Range]] = {}
    freed: list[Range] = []
    for name in names:
        excess = counts[name] - targets.get(name, 0)
        keep, given = _give_up(current[name], excess) if excess > 0 else (current[name], [])
        if name in targets:
            kept[name] = keep
        freed.extend(given)
    need = {name: targets[name] - counts.get(name, 0) for name in final
            if targets[name] > counts.get(name, 0)}
    received = _hand_out(_merge(freed), kept, need, final)
    moved = sum(b - a + 1 for a, b in freed)

    owned = {name: _merge(kept.get(name, []) + received.get(name, [])) for name in final}
    header = [_header(layout.n, layout.key_text, {name: table[name].text for name in final})]
    steps = [f"added {', '.join(added)}"] if added else []
    if removed:
        steps.append(f"removed {', '.join(name for name in names if name in removed)}")
    if changed:
        steps.append(f"reweighted {', '.join(changed)}")
    header.append(f"# rebalanced: {'; '.join(steps) or 'same machines'}; {moved} of "
                  f"{layout.n} slots move ({100 * moved / layout.n:.1f}%)")
    text = _write(header, owned, layout.key_text, layout.n, where_text)
    return text, moved / layout.n


# --- checking arguments -------------------------------------------------------------------


def _check_slots(slots: object) -> int:
    if isinstance(slots, bool) or not isinstance(slots, int) or slots < 1:
        raise ValueError(f"slots must be a positive whole number, not {slots!r}")
    return slots


def _check_weights(weights: Mapping[str, object], what: str) -> dict[str, _Weight]:
    checked: dict[str, _Weight] = {}
    for name, value in weights.items():
        if not isinstance(name, str) or _NAME.fullmatch(name) is None:
            raise ValueError(f"{what}: {name!r} is not a machine name "
                             "(a letter or '_', then letters, digits, '_' or '-')")
        checked[name] = _weight(name, value, what)
    return checked


def _weight(name: str, value: object, what: str) -> _Weight:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ValueError(f"{what}: the weight of {name!r} must be a number, not {value!r}")
    if not math.isfinite(float(value)) or value <= 0:
        raise ValueError(f"{what}: the weight of {name!r} must be a positive number, "
                         f"not {value!r}")
    if isinstance(value, Rational):
        exact = Fraction(int(value.numerator), int(value.denominator))
    else:
        exact = Fraction(float(value))
    if exact.denominator == 1:
        return _Weight(exact, str(exact.numerator))
    return _Weight(exact, str(value) if isinstance(value, Rational) else repr(float(value)))


def _check_remove(remove: Iterable[str], names: Sequence[str]) -> set[str]:
    wanted = [remove] if isinstance(remove, str) else list(remove)
    for name in wanted:
        if name not in names:
            raise ValueError(f"cannot remove {name!r}: no such machine in the rule file "
                             f"(machines: {', '.join(names)})")
    return set(wanted)


def _check_key(key: str) -> str:
    text = key.strip() if isinstance(key, str) else ""
    try:
        node = grammar.parse(text)
    except grammar.ExpressionError:
        node = None
    root = node
    while isinstance(root, (Member, Index)):
        root = root.target
    if not isinstance(root, Name) or "\n" in text:
        raise ValueError(f"key must name a record field (like 'id' or 'meta.id'), not {key!r}")
    return text


def _check_where(where: str | None) -> str | None:
    if where is None:
        return None
    if not isinstance(where, str) or not where.strip():
        raise ValueError(f"where must be a non-empty expression, not {where!r}")
    grammar.compile(where)  # an ExpressionError says where the expression is wrong
    tree = grammar.parse(where)
    text = _one_line(where)
    if text is None or grammar.parse(text) != tree:
        raise ValueError(f"where must fit on one line: {where!r}")
    return text


def _one_line(text: str) -> str | None:
    joined = " ".join(part.strip() for part in text.splitlines()).strip()
    return joined or None


# --- shares -------------------------------------------------------------------------------


def _shares(weights: Sequence[Fraction], slots: int,
            have: Sequence[int] | None = None) -> list[int]:
    """Slot counts proportional to ``weights``, summing to ``slots``, none zero.

    Largest remainder; ties go first to machines that already ``have`` more than
    the rounded-down share (so that fewer slots move), then in order.
    """
    if len(weights) > slots:
        raise ValueError(f"{len(weights)} machines need at least {len(weights)} slots, "
                         f"not {slots}")
    have = have if have is not None else [0] * len(weights)
    total = sum(weights, Fraction(0))
    quotas = [weight * slots / total for weight in weights]
    counts = [math.floor(quota) for quota in quotas]
    order = sorted(range(len(weights)),
                   key=lambda i: (counts[i] - quotas[i], have[i] <= counts[i], i))
    for i in order[: slots - sum(counts)]:
        counts[i] += 1
    for i, count in enumerate(counts):
        if count == 0:  # take one from the machine most over its quota
            donor = max((j for j in range(len(counts)) if counts[j] > 1),
                        key=lambda j: (counts[j] - quotas[j], -j))
            counts[donor] -= 1
            counts[i] = 1
    return counts


def _recorded_weights(source: str, names: Sequence[str]) -> dict[str, _Weight] | None:
    """The weights in the file's ``# slots: ... weights a=1 b=2`` line, if it fits the rules."""
    for line in source.splitlines():
        match = _HEADER.match(line.strip())
        if match is None:
            continue
        found: dict[str, _Weight] = {}
        for pair in match.group(1).split():
            name, _, text = pair.partition("=")
            try:
                value = Fraction(text)
            except (ValueError, ZeroDivisionError):
                return None
            if value <= 0:
                return None
            found[name] = _Weight(value, text)
        return found if sorted(found) == sorted(names) else None
    return None


def _inferred_weights(counts: Mapping[str, int], slots: int) -> dict[str, _Weight]:
    """Each machine's share of the slots, scaled so that the average machine weighs 1."""
    weights: dict[str, _Weight] = {}
    for name, count in counts.items():
        value = Fraction(count * len(counts), slots)
        text = str(value.numerator) if value.denominator == 1 else f"{float(value):.6g}"
        weights[name] = _Weight(value, text)
    return weights


# --- moving slots ---------------------------------------------------------------------------


def _size(ranges: Iterable[Range]) -> int:
    return sum(b - a + 1 for a, b in ranges)


def _merge(ranges: Iterable[Range]) -> list[Range]:
    """Sorted ranges with overlapping and adjacent ones joined."""
    merged: list[Range] = []
    for a, b in sorted(ranges):
        if merged and a <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


def _give_up(ranges: list[Range], excess: int) -> tuple[list[Range], list[Range]]:
    """(kept, given away): ``excess`` slots, whole small ranges first, then a last range's end."""
    order = sorted(range(len(ranges)), key=lambda i: (ranges[i][1] - ranges[i][0], i))
    whole: set[int] = set()
    left = excess
    for i in order:
        length = ranges[i][1] - ranges[i][0] + 1
        if length > left:
            break
        whole.add(i)
        left -= length
    keep = [r for i, r in enumerate(ranges) if i not in whole]
    given = [r for i, r in enumerate(ranges) if i in whole]
    if left:  # every kept range is longer than ``left``
        a, b = keep[-1]
        keep[-1] = (a, b - left)
        given.append((b - left + 1, b))
    return keep, given


def _hand_out(runs: list[Range], kept: Mapping[str, list[Range]], need: dict[str, int],
              order: Sequence[str]) -> dict[str, list[Range]]:
    """Split the freed ``runs`` between the machines that ``need`` slots.

    A run goes first to a neighbour that needs slots (so its ranges merge), then to
    the machine that needs the most, earliest in ``order`` on ties.
    """
    spans = sorted((a, b, name) for name, ranges in kept.items() for a, b in ranges)
    starts = [a for a, _, _ in spans]
    rank = {name: i for i, name in enumerate(order)}

    def owner(slot: int) -> str | None:
        i = bisect.bisect_right(starts, slot) - 1
        return spans[i][2] if i >= 0 and spans[i][1] >= slot else None

    received: dict[str, list[Range]] = {}
    for lo, hi in runs:
        left, right = owner(lo - 1), owner(hi + 1)
        while lo <= hi:
            if left is not None and need.get(left, 0) > 0:
                take = min(need[left], hi - lo + 1)
                received.setdefault(left, []).append((lo, lo + take - 1))
                need[left] -= take
                lo += take
            elif right is not None and need.get(right, 0) > 0:
                take = min(need[right], hi - lo + 1)
                received.setdefault(right, []).append((hi - take + 1, hi))
                need[right] -= take
                hi -= take
            else:
                left = max((name for name in need if need[name] > 0),
                           key=lambda name: (need[name], -rank[name]))
    if any(need.values()):  # pragma: no cover - the counts always add up
        raise AssertionError(f"slots left to hand out: {need}")
    return received


# --- reading and writing rule files -----------------------------------------------------


def _ruleset(source: RuleSet | str | Path) -> RuleSet:
    return source if isinstance(source, RuleSet) else _parse_rules(source)


def _flatten(node: Node, ops: tuple[str, ...]) -> list[Node]:
    if isinstance(node, Logical) and node.op in ops:
        return _flatten(node.left, ops) + _flatten(node.right, ops)
    return [node]


def _slot_range(node: Node) -> tuple[Node, int, int, int] | None:
    match node:
        case Binary(
            op="in",
            left=Call(name="slot", args=(key, Literal(kind="int", value=int() as n))),
            right=RangeLiteral(start=Literal(kind="int", value=int() as a),
                               stop=Literal(kind="int", value=int() as b)),
        ):
            return key, n, a, b
    return None


def _shorten(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _read_rule(name: str, source: str, tree: Node) -> tuple[Node, int, _SlotRule]:
    conjuncts = _flatten(tree, _AND)
    for at in [len(conjuncts) - 1, 0][: len(conjuncts)]:
        parts = [_slot_range(node) for node in _flatten(conjuncts[at], _OR)]
        found = [part for part in parts if part is not None]
        if len(found) == len(parts):
            break
    else:
        raise ValueError(f"rule {name!r} is not a slot rule: expected {_FORM}, "
                         f"got {_shorten(source)!r}")
    key, n = found[0][0], found[0][1]
    ranges: list[Range] = []
    for other_key, other_n, a, b in found:
        if other_key != key or other_n != n:
            raise ValueError(f"rule {name!r} mixes slot({_unparse(key)}, {n}) and "
                             f"slot({_unparse(other_key)}, {other_n})")
        if a > b:
            raise ValueError(f"rule {name!r} has an empty range ({a}..{b})")
        if a < 0 or b >= n:
            raise ValueError(f"rule {name!r}: range ({a}..{b}) is outside "
                             f"slot({_unparse(key)}, {n}), which is 0..{n - 1}")
        ranges.append((a, b))
    where = tuple(node for i, node in enumerate(conjuncts) if i != at)
    where_text = _where_text(source, where, conjuncts[at], at == 0) if where else None
    return key, n, _SlotRule(name, _merge(ranges), where, where_text)


def _where_text(source: str, where: tuple[Node, ...], slot_part: Node, slot_first: bool) -> str:
    """The text of the conditions before (or after) the slot ranges, as written if possible."""
    candidates = [source[where[0].span[0]:where[-1].span[1]]]
    if not slot_first:
        prefix = source[: slot_part.span[0]].rstrip()
        while prefix.endswith("("):
            prefix = prefix[:-1].rstrip()
        for op in _AND:
            if prefix.endswith(op):
                candidates.append(prefix[: -len(op)])
                break
    for candidate in candidates:
        text = _one_line(candidate)
        if text is None:
            continue
        try:
            tree = grammar.parse(text)
        except grammar.ExpressionError:
            continue
        if tuple(_flatten(tree, _AND)) == where:
            return text
    return " && ".join(_unparse(node) for node in where)


def _read(ruleset: RuleSet, slots: int | None) -> _Layout:
    read: list[_SlotRule] = []
    first: tuple[str, Node, int] | None = None
    for rule in ruleset.rules:
        key, n, slot_rule = _read_rule(rule.name, rule.source, rule.tree)
        if first is None:
            first = (rule.name, key, n)
            if slots is not None and n != slots:
                raise ValueError(f"rule {rule.name!r} uses slot({_unparse(key)}, {n}), "
                                 f"expected {slots} slots")
        elif (key, n) != first[1:]:
            raise ValueError(f"rule {rule.name!r} uses slot({_unparse(key)}, {n}) but rule "
                             f"{first[0]!r} uses slot({_unparse(first[1])}, {first[2]})")
        read.append(slot_rule)
    if first is None:  # pragma: no cover - a RuleSet always has rules
        raise ValueError("no rules")
    _, key, n = first
    key_text = _unparse(key)
    spans = sorted((a, b, rule.name) for rule in read for a, b in rule.ranges)
    expected, previous = 0, ""
    for a, b, name in spans:
        if a < expected:
            raise ValueError(f"slots {a}..{min(b, expected - 1)} of slot({key_text}, {n}) are "
                             f"owned by both rule {previous!r} and rule {name!r}")
        if a > expected:
            raise ValueError(f"slots {expected}..{a - 1} of slot({key_text}, {n}) are owned "
                             f"by no rule")
        expected, previous = b + 1, name
    if expected < n:
        raise ValueError(f"slots {expected}..{n - 1} of slot({key_text}, {n}) are owned by "
                         "no rule")
    return _Layout(key, key_text, n, read, ruleset.source)


def _common_where(layout: _Layout) -> str | None:
    first = layout.rules[0]
    for rule in layout.rules[1:]:
        if rule.where != first.where:
            shown = [_shorten(r.where_text or "nothing", 60) for r in (first, rule)]
            raise ValueError(f"rule {rule.name!r} has a different condition before its slot "
                             f"ranges ({shown[1]!r}) than rule {first.name!r} ({shown[0]!r}); "
                             "rebalance needs the same one for every rule")
    return first.where_text


def _enclosed(text: str) -> str:
    """``text`` in parentheses, unless one pair already encloses all of it."""
    if text.startswith("(") and text.endswith(")"):
        try:
            if grammar.parse(text[1:-1]) == grammar.parse(text):
                return text
        except grammar.ExpressionError:
            pass
    return f"({text})"


def _header(n: int, key_text: str, weights: Mapping[str, str]) -> str:
    shown = " ".join(f"{name}={text}" for name, text in weights.items())
    return f"# slots: {n} of slot({key_text}, {n}), weights {shown}"


def _write(header: list[str], owned: Mapping[str, list[Range]], key_text: str, n: int,
           where_text: str | None) -> str:
    lines = list(header)
    for name, ranges in owned.items():
        body = " || ".join(f"slot({key_text}, {n}) in ({a}..{b})" for a, b in ranges)
        if where_text is not None:
            body = f"{_enclosed(where_text)} && ({body})"
        lines.append(f"{name}: {body}")
    text = "\n".join(lines) + "\n"
    try:  # what we write must read back as exactly what we meant
        layout = _read(_parse_rules(text), n)
    except (RuleError, ValueError) as error:
        raise ValueError(f"cannot write these rules: {error}") from None
    if {rule.name: rule.ranges for rule in layout.rules} != dict(owned):  # pragma: no cover
        raise AssertionError("the written rule file does not read back as written")
    return text
