"""The compiler's refusal: a rule that SQL cannot express exactly goes to the python engine."""

from __future__ import annotations

from ladle.grammar.errors import ExpressionError


class SqlUnsupported(ExpressionError):
    """The rule uses something SQL cannot reproduce exactly: evaluate it with python.

    ``message`` says what, ``position`` is the offset of that part in the rule's source.
    """
