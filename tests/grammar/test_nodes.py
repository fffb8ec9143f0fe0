"""AST nodes behave as the frozen slotted dataclasses they replaced (issue 14: they are
written out so that importing the grammar is quick)."""

from __future__ import annotations

import copy
import dataclasses
import pickle

import pytest

from ladle import grammar
from ladle.grammar.nodes import (
    Binary,
    Filter,
    Literal,
    Member,
    Name,
    Node,
    Pipeline,
    fields,
    replace,
    walk,
)

SOURCE = "a.b[1] + f(2, -x) > 3 && !z ? (1..n) : (u, 'v') | g: 1, k: [w]"


def test_equality_and_hash_ignore_spans_and_operator_offsets() -> None:
    first, second = grammar.parse(SOURCE), grammar.parse(SOURCE.replace(" ", "  "))
    assert first.span != second.span
    assert first == second and hash(first) == hash(second)
    assert Binary("+", Name("a"), Name("b"), 1) == Binary("+", Name("a"), Name("b"), 7)
    assert Name("a", span=(0, 1)) == Name("a", span=(5, 6))
    assert Name("a") != Name("b") and Name("a") != Literal("string", "a")
    assert Literal("int", 1) != Literal("float", 1.0) != Literal("bool", True)
    assert len({Name("a"), Name("a", span=(3, 4)), Name("b")}) == 2
    assert (Name("a") == "a") is False


def test_repr_shows_the_compared_fields() -> None:
    assert repr(Binary("+", Name("a"), Literal("int", 1), 4, span=(0, 5))) == \
        "Binary(op='+', left=Name(name='a'), right=Literal(kind='int', value=1))"
    assert repr(Filter("g", (), ())) == "Filter(name='g', args=(), kwargs=())"


def test_patterns_match_positionally_and_by_keyword() -> None:
    match grammar.parse("a.b + 1"):
        case Binary("+", Member(Name(name), field), Literal("int", 1), at):
            assert (name, field, at) == ("a", "b", 4)
        case _:
            pytest.fail("no match")
    assert Binary.__match_args__ == ("op", "left", "right", "at")
    assert fields(Pipeline(Name("a"), ())) == ("value", "filters")


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_trees_pickle_and_copy_with_their_spans(protocol: int) -> None:
    tree = grammar.parse(SOURCE)
    for made in (pickle.loads(pickle.dumps(tree, protocol)), copy.deepcopy(tree),
                 copy.copy(tree)):
        assert made == tree and type(made) is type(tree)
        assert [node.span for node in walk(made)] == [node.span for node in walk(tree)]
    assert [node.at for node in walk(pickle.loads(pickle.dumps(tree, protocol)))
            if isinstance(node, Binary)] == [n.at for n in walk(tree) if isinstance(n, Binary)]


def test_nodes_are_immutable() -> None:
    node = Binary("+", Name("a"), Name("b"), 2, span=(0, 5))
    for name in (*fields(node), "span", "other"):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(node, name, None)
        with pytest.raises(dataclasses.FrozenInstanceError):
            delattr(node, name)
    assert not hasattr(node, "__dict__")


def test_replace_keeps_the_span_and_rejects_unknown_fields() -> None:
    node = Binary("+", Name("a"), Name("b"), 2, span=(0, 5))
    changed = replace(node, op="-")
    assert changed == Binary("-", Name("a"), Name("b")) and changed.span == (0, 5)
    assert changed.at == 2 and node.op == "+"
    with pytest.raises(TypeError, match="no field 'colour'"):
        replace(node, colour=1)


def test_a_bare_node_has_only_a_span() -> None:
    assert Node(span=(1, 2)).span == (1, 2) and Node() == Node(span=(3, 4))
    assert repr(Node()) == "Node()"
