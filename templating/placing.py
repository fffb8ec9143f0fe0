"""Positions for generated ``ast`` trees, set as they are built.

``compile()`` needs a line and column on every node; ``ast.fix_missing_locations`` walks
the whole tree to set them, which costs more than building it. ``place`` sets them on a
statement when it is emitted, skipping whatever was placed before.
"""

from __future__ import annotations

import ast

# Fields that never hold a node needing a position (names, constants, operators).
_LEAF_FIELDS = frozenset({"id", "ctx", "op", "ops", "attr", "name", "arg", "conversion",
                          "kind", "type_comment", "is_async", "level", "module", "simple",
                          "type_ignores"})


# For each kind of node, the fields that may hold nodes needing a position.
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {
    kind: () if kind is ast.Constant else
    tuple(field for field in kind._fields if field not in _LEAF_FIELDS)
    for kind in vars(ast).values() if isinstance(kind, type) and issubclass(kind, ast.AST)
}


def place(statement: ast.AST, line: int) -> None:
    """Put ``statement`` and every node under it not placed yet on ``line`` (what
    ``ast.fix_missing_locations`` does, for a fraction of its cost: placed subtrees are
    skipped whole, as their nodes were all placed together)."""
    pending = [statement]
    while pending:
        node = pending.pop()
        fields = node.__dict__
        if "lineno" in fields:
            continue
        fields["lineno"] = fields["end_lineno"] = line
        fields["col_offset"] = fields["end_col_offset"] = 0
        for name in _CHILD_FIELDS[type(node)]:
            value = fields.get(name)
            if type(value) is list:
                pending.extend(value)
            elif value is not None:
                pending.append(value)
