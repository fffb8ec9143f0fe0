"""The grammar's default limits, apart so that ``import ladle.grammar`` loads nothing more
to state them (the parser, compiler and runtime load when first used)."""

from __future__ import annotations

from typing import Final

# Nesting levels an expression may have.
DEFAULT_MAX_DEPTH: Final = 100
# Items or characters a value built while evaluating may hold.
DEFAULT_MAX_LENGTH: Final = 1_000_000
# Integers beyond +/- this are an error, as in every host.
INTEGER_LIMIT: Final = 2**256
