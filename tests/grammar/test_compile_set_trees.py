"""``compile_set(trees=...)`` compiles trees already parsed, the same as from the sources."""

from __future__ import annotations

import pytest

from ladle import grammar

SOURCES = ["tag == 'lossless' && (id % 100) <= 47", "size > 10 || public", "slot(id, 8) == 3"]
RECORDS = [{"tag": "lossless", "id": 12, "size": 3, "public": False},
           {"tag": "lossy", "id": 7, "size": 30}, {"id": 5, "size": 1}]


def test_trees_give_the_same_set() -> None:
    parsed = grammar.compile_set(SOURCES, trees=[grammar.parse(s) for s in SOURCES])
    again = grammar.compile_set(SOURCES)
    assert parsed.trees == again.trees
    for record in RECORDS:
        assert parsed.evaluate(record) == again.evaluate(record)


def test_trees_are_still_checked() -> None:
    with pytest.raises(grammar.ExpressionError, match="unknown function"):
        grammar.compile_set(["nope(1)"], trees=[grammar.parse("nope(1)")])
    with pytest.raises(ValueError, match="1 trees for 2 sources"):
        grammar.compile_set(["a", "b"], trees=[grammar.parse("a")])
