"""Where the compiler emits code: nested scopes and the conditions that hold in each, so
that a sub-expression computed once is reused wherever that computation surely ran."""

from __future__ import annotations

import ast

from ladle.grammar.fastpaths import Operand
from ladle.grammar.nodes import Node

# (operand, how it decided): True or False for its truthiness, "nil" for ``??``.
Guards = frozenset[tuple[Node, bool | str]]
# How many enclosing scopes a lookup climbs, and how many other places where a
# sub-expression was computed it then checks: bounded, so that a rule set of any size
# compiles in time linear in its size (a miss only costs a recomputation).
CLIMB = 16
SCAN = 8
NO_GUARDS: Guards = frozenset()


class Scope:
    """Where code is being emitted: the statement list, the conditions that hold there,
    and the enclosing scope (whose computations have run whenever this scope runs)."""

    __slots__ = ("body", "guards", "parent")

    def __init__(self, body: list[ast.stmt], guards: Guards,
                 parent: Scope | None = None) -> None:
        self.body = body
        self.guards = guards
        self.parent = parent


def known_in(known: dict[Guards, Operand], scope: Scope) -> Operand | None:
    """An operand of ``known`` computed under guards that hold in ``scope``: one computed
    under the guards of this scope or an enclosing one (the common case, found by lookup),
    else one of the latest others whose guards are a subset."""
    current: Scope | None = scope
    for _ in range(CLIMB):
        if current is None:
            break
        found = known.get(current.guards)
        if found is not None:
            return found
        current = current.parent
    if current is not None:  # climbed no further: what was computed outside any branch
        found = known.get(NO_GUARDS)
        if found is not None:
            return found
    guards = scope.guards
    for count, (other, operand) in enumerate(reversed(known.items())):
        if count == SCAN:
            break
        if other <= guards:
            return operand
    return None
