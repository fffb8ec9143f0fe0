"""Slot-based rule files: ``slot_rules``, ``assignment`` and ``rebalance`` (rules.md, "Why slots").

The done-when: 5 equal machines over 1024 slots, then ``rebalance(add={"newbox": 1})``,
evaluated with ``rules.parse`` on 1,000,000 records with random 64-bit ids (fixed seed),
moves at most 18% of the records, and about 1/6 of the slots; removing a machine from
6 moves about 1/6 as well (measured on the first 200,000 of those records to keep the
run short), while re-splitting ``id % N`` moves about 5/6 of them.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from ladle import grammar, rules
from ladle.rules.slots import assignment, rebalance, slot_rules

FIVE = {name: 1 for name in ("morbo", "linda", "calculon", "devil", "santa")}
SIX = {**FIVE, "newbox": 1}
RECORDS_DONE_WHEN = 1_000_000
RECORDS_OTHERS = 200_000


@functools.cache
def records(count: int) -> tuple[dict[str, int], ...]:
    """``count`` records with random 64-bit ids; the smaller sets are prefixes of the larger."""
    rng = random.Random(20240611)
    return tuple({"id": rng.getrandbits(64)} for _ in range(RECORDS_DONE_WHEN))[:count]


def moved_records(before: str, after: str, count: int) -> tuple[float, int]:
    """(share of records whose claimants change, records claimed by other than 1 rule after)."""
    old, new = rules.parse(before), rules.parse(after)
    moved = unowned = 0
    for record in records(count):
        claimed = new.match(record)
        moved += old.match(record) != claimed
        unowned += len(claimed) != 1
    return moved / count, unowned


def owners(ranges: Mapping[str, Sequence[tuple[int, int]]], n: int) -> list[str]:
    """The owner of each slot ``0..n-1`` (asserting there is exactly one)."""
    table: list[str | None] = [None] * n
    for name, spans in ranges.items():
        for a, b in spans:
            for s in range(a, b + 1):
                assert table[s] is None, f"slot {s} owned by {table[s]} and {name}"
                table[s] = name
    assert None not in table
    return [name for name in table if name is not None]


@functools.cache
def ids_for_each_slot(n: int) -> tuple[int, ...]:
    """For each slot ``s`` of ``n``, some id with ``slot(id, n) == s``."""
    found: dict[int, int] = {}
    candidate = 0
    while len(found) < n:
        found.setdefault(grammar.slot(candidate, n), candidate)
        candidate += 1
    return tuple(found[s] for s in range(n))


def assert_each_slot_claimed_once(text: str, n: int, extra: Mapping[str, object] = {}) -> None:
    """Evaluating the rules themselves: one record per slot, claimed by exactly one rule."""
    ruleset = rules.parse(text)
    for s, ident in enumerate(ids_for_each_slot(n)):
        claimed = ruleset.match({**extra, "id": ident})
        assert len(claimed) == 1, f"slot {s} claimed by {claimed}"


# --- slot_rules ----------------------------------------------------------------------------


@pytest.mark.parametrize(("weights", "options", "expected"), [
    ({"morbo": 1, "linda": 1}, {"slots": 4}, """\
# slots: 4 of slot(id, 4), weights morbo=1 linda=1
morbo: slot(id, 4) in (0..1)
linda: slot(id, 4) in (2..3)
"""),
    ({"only": 3}, {"slots": 1}, """\
# slots: 1 of slot(id, 1), weights only=3
only: slot(id, 1) in (0..0)
"""),
    ({"a": 1, "b": 2, "c": 1}, {"slots": 10}, """\
# slots: 10 of slot(id, 10), weights a=1 b=2 c=1
a: slot(id, 10) in (0..2)
b: slot(id, 10) in (3..7)
c: slot(id, 10) in (8..9)
"""),  # quotas 2.5, 5, 2.5: the tied remainder goes to the first
    ({"a": 0.5, "b_2": 1.5}, {"slots": 8, "key": "path"}, """\
# slots: 8 of slot(path, 8), weights a=0.5 b_2=1.5
a: slot(path, 8) in (0..1)
b_2: slot(path, 8) in (2..7)
"""),
    ({"big": 1000, "tiny": 1}, {"slots": 10}, """\
# slots: 10 of slot(id, 10), weights big=1000 tiny=1
big: slot(id, 10) in (0..8)
tiny: slot(id, 10) in (9..9)
"""),  # every machine gets at least one slot
    ({"web-1": 1, "web-2": 1}, {"slots": 6, "where": "public == true"}, """\
# slots: 6 of slot(id, 6), weights web-1=1 web-2=1
web-1: (public == true) && (slot(id, 6) in (0..2))
web-2: (public == true) && (slot(id, 6) in (3..5))
"""),
    ({"a": 1, "b": 1}, {"slots": 2, "where": "(tag == 'x' || public)"}, """\
# slots: 2 of slot(id, 2), weights a=1 b=1
a: (tag == 'x' || public) && (slot(id, 2) in (0..0))
b: (tag == 'x' || public) && (slot(id, 2) in (1..1))
"""),
])
def test_slot_rules_text(weights: dict[str, float], options: dict[str, object],
                         expected: str) -> None:
    assert slot_rules(weights, **options) == expected  # type: ignore[arg-type]


def test_five_equal_machines_over_1024_slots() -> None:
    assert slot_rules(FIVE) == """\
# slots: 1024 of slot(id, 1024), weights morbo=1 linda=1 calculon=1 devil=1 santa=1
morbo: slot(id, 1024) in (0..204)
linda: slot(id, 1024) in (205..409)
calculon: slot(id, 1024) in (410..614)
devil: slot(id, 1024) in (615..819)
santa: slot(id, 1024) in (820..1023)
"""


def test_weights_one_two_one() -> None:
    assert assignment(slot_rules({"a": 1, "b": 2, "c": 1})) == {
        "a": [(0, 255)], "b": [(256, 767)], "c": [(768, 1023)]}


@pytest.mark.parametrize("weights", [
    FIVE, SIX, {"a": 1, "b": 2, "c": 1}, {"a": 0.1, "b": 0.2, "c": 0.7},
    {"x": 3, "y": 7, "z": 11, "w": 13}, {f"m{i}": i + 1 for i in range(37)},
    {"big": 10**9, "small": 1, "smaller": 0.001},
])
@pytest.mark.parametrize("slots", [7, 100, 1024, 4099])
def test_counts_sum_to_slots_and_follow_weights(weights: dict[str, float], slots: int) -> None:
    if len(weights) > slots:
        with pytest.raises(ValueError, match="machines need at least"):
            slot_rules(weights, slots=slots)
        return
    owned = assignment(slot_rules(weights, slots=slots), slots)
    assert list(owned) == list(weights)
    counts = {name: sum(b - a + 1 for a, b in spans) for name, spans in owned.items()}
    assert sum(counts.values()) == slots
    total = sum(weights.values())
    # machines raised to one slot may each take one more slot from another
    lifted = sum(weights[name] * slots / total < 1 for name in weights)
    for name, count in counts.items():
        quota = weights[name] * slots / total
        assert count >= 1
        assert abs(count - quota) < 1 + lifted, (name, count, quota)
    assert all(len(spans) == 1 for spans in owned.values())  # contiguous


def test_slot_rules_is_deterministic() -> None:
    weights = {"a": 0.3, "b": 0.3, "c": 0.4}
    assert slot_rules(weights, slots=100) == slot_rules(dict(weights), slots=100)


@pytest.mark.parametrize(("weights", "options", "message"), [
    ({}, {}, "empty"),
    ({"1abc": 1}, {}, "'1abc' is not a machine name"),
    ({"a b": 1}, {}, "not a machine name"),
    ({"a:": 1}, {}, "not a machine name"),
    ({"a": 0}, {}, "weight of 'a' must be a positive number"),
    ({"a": -2}, {}, "positive"),
    ({"a": float("nan")}, {}, "positive"),
    ({"a": float("inf")}, {}, "positive"),
    ({"a": True}, {}, "must be a number"),
    ({"a": "1"}, {}, "must be a number"),
    ({"a": 1}, {"slots": 0}, "slots must be a positive whole number"),
    ({"a": 1}, {"slots": 2.0}, "slots must be"),
    ({"a": 1, "b": 1, "c": 1}, {"slots": 2}, "3 machines need at least 3 slots"),
    ({"a": 1}, {"key": "slot(id, 3)"}, "key must name a record field"),
    ({"a": 1}, {"key": ""}, "key must"),
    ({"a": 1}, {"where": "  "}, "where must be a non-empty expression"),
])
def test_slot_rules_errors(weights: dict[str, object], options: dict[str, object],
                           message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        slot_rules(weights, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize(("where", "message", "position"), [
    ("tag ==", "expected an expression after '=='", 6),
    ("nosuchfunction(tag)", "unknown function 'nosuchfunction'", 0),
])
def test_a_bad_where_is_an_expression_error_with_its_position(where: str, message: str,
                                                             position: int) -> None:
    with pytest.raises(grammar.ExpressionError) as caught:
        slot_rules({"a": 1}, where=where)
    assert (caught.value.message, caught.value.position) == (message, position)


# --- assignment ----------------------------------------------------------------------------


def test_assignment_round_trip() -> None:
    text = slot_rules({"a": 1, "b": 2, "c": 1}, slots=16, where="tag == 'lossless'")
    expected = {"a": [(0, 3)], "b": [(4, 11)], "c": [(12, 15)]}
    assert assignment(text) == expected
    assert assignment(rules.parse(text)) == expected
    assert assignment(text, 16) == expected


def test_assignment_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "slots.rules"
    path.write_text(slot_rules(FIVE), encoding="utf-8")
    assert assignment(path)["santa"] == [(820, 1023)]
    assert assignment(str(path))["morbo"] == [(0, 204)]


def test_assignment_reads_hand_written_forms() -> None:
    text = """\
# several ranges, out of order, adjacent ones merged; `and`, `or` and a continuation line
a: slot(id, 10) in (6..7) || slot(id, 10) in (0..1) || slot(id, 10) in (2..2)
b: tag == 'x' && public &&
   (slot(id, 10) in (3..5) or slot(id, 10) in (8..9))
"""
    assert assignment(text) == {"a": [(0, 2), (6, 7)], "b": [(3, 5), (8, 9)]}


@pytest.mark.parametrize(("text", "message"), [
    ("a: slot(id, 4) in (0..3)\nb: public == true", "rule 'b' is not a slot rule"),
    ("a: slot(id, 4) in (0..3) && x || y", "rule 'a' is not a slot rule"),
    ("a: slot(id, 4) in (0..1)\nb: slot(id, 8) in (2..3)",
     "rule 'b' uses slot(id, 8) but rule 'a' uses slot(id, 4)"),
    ("a: slot(id, 4) in (0..1)\nb: slot(path, 4) in (2..3)", "rule 'b' uses slot(path, 4)"),
    ("a: slot(id, 4) in (0..1) || slot(path, 4) in (2..3)", "rule 'a' mixes"),
    ("a: slot(id, 4) in (0..2)\nb: slot(id, 4) in (2..3)",
     "slots 2..2 of slot(id, 4) are owned by both rule 'a' and rule 'b'"),
    ("a: slot(id, 4) in (0..0)\nb: slot(id, 4) in (2..3)",
     "slots 1..1 of slot(id, 4) are owned by no rule"),
    ("a: slot(id, 4) in (0..1)", "slots 2..3 of slot(id, 4) are owned by no rule"),
    ("a: slot(id, 4) in (0..4)", "rule 'a': range (0..4) is outside slot(id, 4)"),
    ("a: slot(id, 4) in (3..0)", "rule 'a' has an empty range"),
    ("a: slot(id, 4) in (0..3)\nb: slot(id, 4) in (-1..-1)", "rule 'b' is not a slot rule"),
])
def test_assignment_errors(text: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        assignment(text)
    assert message in str(caught.value)


def test_assignment_checks_the_expected_slot_count() -> None:
    with pytest.raises(ValueError, match="rule 'morbo' uses slot\\(id, 1024\\), expected 512"):
        assignment(slot_rules(FIVE), 512)


# --- every slot has exactly one owner ------------------------------------------------------


@pytest.mark.parametrize("weights", [FIVE, {"a": 1, "b": 2, "c": 1}, {"a": 5, "b": 0.01}])
def test_every_slot_claimed_once_after_slot_rules(weights: dict[str, float]) -> None:
    text = slot_rules(weights, slots=1024)
    owners(assignment(text), 1024)
    assert_each_slot_claimed_once(text, 1024)


def test_every_slot_claimed_once_after_rebalance() -> None:
    text = slot_rules(FIVE)
    for change in ({"add": {"newbox": 1}}, {"remove": ["calculon"]}, {"add": {"big": 3}},
                   {"remove": ["newbox", "morbo"]}, {"weights": {"big": 0.5}}):
        text, _ = rebalance(text, **change)
        owners(assignment(text), 1024)
        assert_each_slot_claimed_once(text, 1024)


def test_every_slot_claimed_once_with_where() -> None:
    text, _ = rebalance(slot_rules(FIVE, where="tag == 'lossless'"), add={"newbox": 1})
    assert_each_slot_claimed_once(text, 1024, {"tag": "lossless"})
    assert rules.parse(text).match({"tag": "lossy", "id": 1}) == []


# --- the done-when: adding and removing a machine -------------------------------------------


def test_adding_a_sixth_machine_moves_a_sixth() -> None:
    before = slot_rules(FIVE)
    after, fraction = rebalance(before, add={"newbox": 1})
    assert abs(fraction - 1 / 6) <= 0.01  # 170 of 1024 slots: 16.6%
    old, new = assignment(before), assignment(after)
    for name in FIVE:  # existing machines only give slots away
        assert set(owners_of(new, name)) <= set(owners_of(old, name))
    assert abs(len(owners_of(new, "newbox")) - 1024 / 6) < 1
    share, unowned = moved_records(before, after, RECORDS_DONE_WHEN)
    assert share <= 0.18, share
    assert abs(share - fraction) < 0.005  # the records follow their slots
    assert unowned == 0


def test_removing_one_of_six_moves_a_sixth() -> None:
    for before in (slot_rules(SIX), rebalance(slot_rules(FIVE), add={"newbox": 1})[0]):
        for leaving in ("calculon", "newbox"):
            after, fraction = rebalance(before, remove=[leaving])
            assert abs(fraction - 1 / 6) <= 0.01
            old, new = assignment(before), assignment(after)
            assert leaving not in new
            for name in new:  # the others only receive slots
                assert set(owners_of(old, name)) <= set(owners_of(new, name))
            counts = sorted(len(owners_of(new, name)) for name in new)
            assert counts[-1] - counts[0] <= 1
    share, unowned = moved_records(slot_rules(SIX), rebalance(slot_rules(SIX),
                                                              remove=["calculon"])[0],
                                   RECORDS_OTHERS)
    assert abs(share - 1 / 6) < 0.015, share
    assert unowned == 0


def test_id_modulo_resplitting_moves_almost_everything() -> None:
    """Why slots exist: going from ``id % 5`` to ``id % 6`` moves about 5/6 of the files."""
    modulo_5 = "\n".join(f"m{i}: id % 5 == {i}" for i in range(5))
    modulo_6 = "\n".join(f"m{i}: id % 6 == {i}" for i in range(6))
    modulo_share, _ = moved_records(modulo_5, modulo_6, RECORDS_OTHERS)
    slots_before = slot_rules({f"m{i}": 1 for i in range(5)})
    slots_share, _ = moved_records(slots_before, rebalance(slots_before, add={"m5": 1})[0],
                                   RECORDS_OTHERS)
    assert 0.80 <= modulo_share <= 0.87, modulo_share  # ideal 1/6; id % N moves 5/6
    assert slots_share <= 0.18, slots_share
    assert modulo_share > 4.5 * slots_share


def owners_of(ranges: Mapping[str, Sequence[tuple[int, int]]], name: str) -> list[int]:
    return [s for a, b in ranges.get(name, ()) for s in range(a, b + 1)]


# --- rebalance -----------------------------------------------------------------------------


def test_rebalance_text() -> None:
    text, fraction = rebalance(slot_rules({"a": 1, "b": 2, "c": 1}, slots=16), add={"d": 1})
    assert text == """\
# slots: 16 of slot(id, 16), weights a=1 b=2 c=1 d=1
# rebalanced: added d; 3 of 16 slots move (18.8%)
a: slot(id, 16) in (0..2)
b: slot(id, 16) in (4..10)
c: slot(id, 16) in (12..14)
d: slot(id, 16) in (3..3) || slot(id, 16) in (11..11) || slot(id, 16) in (15..15)
"""
    assert fraction == 3 / 16


def test_rebalance_merges_adjacent_ranges_and_keeps_where() -> None:
    start = slot_rules(FIVE, where="tag == 'lossless' || public")
    text, _ = rebalance(start, add={"newbox": 1})
    text, fraction = rebalance(text, remove=["linda"])
    for line in text.splitlines()[2:]:
        _, _, expression = line.partition(": ")
        assert expression.startswith("(tag == 'lossless' || public) && (slot(id, 1024) in (")
    owned = assignment(text)
    # linda's range (205..375) goes first to a neighbour that needs slots: newbox, whose
    # range 171..204 grows instead of a new range appearing
    assert owned["newbox"][0] == (171, 238)
    assert [len(spans) for spans in owned.values()] == [2, 2, 2, 2, 5]
    assert fraction == 171 / 1024  # linda's slots, and no others


def test_rebalance_reads_header_weights() -> None:
    text, fraction = rebalance(slot_rules({"a": 1, "b": 2, "c": 1}), add={"d": 1})
    counts = {name: len(owners_of(assignment(text), name)) for name in "abcd"}
    assert counts == {"a": 205, "b": 409, "c": 205, "d": 205}  # d weighs 1 of 5
    assert fraction == 205 / 1024


def test_rebalance_without_header_infers_weights_from_shares() -> None:
    # a 1:3 split without a header: each machine weighs its share times the number of machines
    text = "a: slot(id, 8) in (0..1)\nb: slot(id, 8) in (2..7)\n"
    new, fraction = rebalance(text, add={"c": 1})  # weights a=0.5 b=1.5 c=1: 1.33, 4, 2.67
    assert new.splitlines()[0] == "# slots: 8 of slot(id, 8), weights a=0.5 b=1.5 c=1"
    assert assignment(new) == {"a": [(0, 0)], "b": [(2, 5)], "c": [(1, 1), (6, 7)]}
    assert fraction == 3 / 8


def test_rebalance_reweights() -> None:
    text, fraction = rebalance(slot_rules({"a": 1, "b": 1}, slots=12), weights={"b": 2})
    assert assignment(text) == {"a": [(0, 3)], "b": [(4, 11)]}
    assert fraction == 2 / 12
    assert "weights a=1 b=2" in text and "reweighted b" in text


def test_rebalance_with_no_change_moves_nothing() -> None:
    start = slot_rules(FIVE)
    text, fraction = rebalance(start)
    assert fraction == 0 and assignment(text) == assignment(start)


def test_rebalance_is_deterministic_and_accepts_rulesets() -> None:
    start = slot_rules(FIVE)
    assert rebalance(start, add={"x": 2}) == rebalance(rules.parse(start), add={"x": 2})


def test_rebalance_keeps_unusual_where_text() -> None:
    text = """\
a: (tag == 'x' || public) && (size > 10) && (slot(id, 4) in (0..1))
b: (tag == 'x' || public) && (size > 10) && (slot(id, 4) in (2..3))
"""
    new, _ = rebalance(text, add={"c": 1})
    assert new.splitlines()[2].startswith("a: ((tag == 'x' || public) && (size > 10)) && (")
    record = {"tag": "x", "size": 11}
    for ident in ids_for_each_slot(4):
        assert len(rules.parse(new).match({**record, "id": ident})) == 1


@pytest.mark.parametrize(("options", "message"), [
    ({"add": {"morbo": 1}}, "cannot add 'morbo': the rule file already has it"),
    ({"add": {"new box": 1}}, "not a machine name"),
    ({"add": {"x": 0}}, "positive"),
    ({"remove": ["nobody"]}, "cannot remove 'nobody'"),
    ({"remove": list(FIVE)}, "cannot remove every machine"),
    ({"weights": {"nobody": 1}}, "no machine 'nobody'"),
    ({"weights": {"morbo": -1}}, "positive"),
    ({"weights": {"morbo": 1}, "remove": ["morbo"]}, "both removed and given a weight"),
    ({"add": {"x": 1}, "weights": {"x": 1}}, "in both add and weights"),
])
def test_rebalance_errors(options: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError) as caught:
        rebalance(slot_rules(FIVE), **options)  # type: ignore[arg-type]
    assert message in str(caught.value)


def test_rebalance_remove_accepts_a_single_name() -> None:
    assert "linda" not in assignment(rebalance(slot_rules(FIVE), remove="linda")[0])


def test_rebalance_needs_the_same_where_everywhere() -> None:
    text = "a: public && slot(id, 2) in (0..0)\nb: slot(id, 2) in (1..1)\n"
    with pytest.raises(ValueError, match="rule 'b' has a different condition"):
        rebalance(text, add={"c": 1})


def test_rebalance_rejects_rules_that_are_not_slot_rules() -> None:
    with pytest.raises(ValueError, match="rule 'devil' is not a slot rule"):
        rebalance("morbo: slot(id, 2) in (0..1)\ndevil: public == true\n", add={"x": 1})


def test_rebalance_sequences_move_only_what_they_must() -> None:
    """Random adds, removals and reweights: a partition each time, and the reported fraction
    is the slots that changed owner, which is exactly what the new counts require."""
    rng = random.Random(7)
    slots = 360
    text = slot_rules({"m0": 1, "m1": 2}, slots=slots)
    serial = 2
    for _ in range(40):
        before = assignment(text)
        choice = rng.random()
        if choice < 0.45 or len(before) < 2:
            text, fraction = rebalance(text, add={f"m{serial}": rng.choice([0.5, 1, 2, 3])})
            serial += 1
        elif choice < 0.8:
            text, fraction = rebalance(text, remove=[rng.choice(sorted(before))])
        else:
            reweighted = {rng.choice(sorted(before)): rng.randint(1, 4)}
            text, fraction = rebalance(text, weights=reweighted)
        after = assignment(text)
        old, new = owners(before, slots), owners(after, slots)
        changed = sum(x != y for x, y in zip(old, new, strict=True))
        assert fraction == changed / slots
        lost = sum(max(0, len(owners_of(before, name)) - len(owners_of(after, name)))
                   for name in before)
        assert changed == lost  # nobody both gives and receives
