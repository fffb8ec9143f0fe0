"""python-liquid's own tags (``cycle``, ``tablerow``, ``render``, ``include``, ...), screened.

Their arguments are read by python-liquid's expression tokenizer, two of whose
patterns look ahead to the end of the text: ``\\((?=.+?\\.\\.)`` for every ``(``
(a range literal?) and ``\\[\\s*(['"]).*?\\1\\s*]`` for every ``['`` or ``["``. A
tag holding thousands of them takes time quadratic in its length (20,000 ``(``:
3.6 s). ``cost`` counts the characters those look-aheads read, in one pass, and a
screened tag refuses arguments whose look-aheads would read more than
``LOOKAHEAD_PER_CHARACTER`` characters per character of the arguments, beyond
``LOOKAHEAD_ALLOWANCE``: parsing stays linear in the template's length.
"""

from __future__ import annotations

from typing import Any

from liquid.ast import Node
from liquid.stream import TokenStream
from liquid.tag import Tag
from liquid.token import TOKEN_EXPRESSION

from ladle.templating.errors import TemplateSyntaxError

__all__ = ["LOOKAHEAD_ALLOWANCE", "LOOKAHEAD_PER_CHARACTER", "Screened", "cost"]

# Ordinary arguments (ranges, quoted keys) read a few characters per bracket; any
# argument list under 140 characters passes. 10^6 characters take python-liquid 16-27 ms.
LOOKAHEAD_ALLOWANCE = 10_000
LOOKAHEAD_PER_CHARACTER = 64


def cost(text: str) -> int:
    """How many characters python-liquid's tokenizer's look-aheads read in ``text``:
    from each ``(`` to the first ``..`` at least two characters on, and from each
    ``[`` followed by a quote to the first same quote followed by ``]`` (an upper
    bound: every bracket counts, even one inside a string)."""
    n = len(text)
    total = 0
    # the two nearest starts after the current position, scanning backwards, of ".."
    # and of a quote of each kind followed by spaces and "]"
    ranges = [n, n]
    closes = {"'": [n, n], '"': [n, n]}
    solid = n  # the nearest character after the current one that is not a space
    for i in range(n - 1, -1, -1):
        char = text[i]
        if char == "." and i + 1 < n and text[i + 1] == ".":
            ranges[:] = [i, ranges[0]]
        elif char in closes and solid < n and text[solid] == "]":
            closes[char][:] = [i, closes[char][0]]
        elif char == "(":
            total += (ranges[0] if ranges[0] >= i + 2 else ranges[1]) - i
        elif char == "[" and solid < n and text[solid] in closes:
            found = closes[text[solid]]
            total += (found[0] if found[0] > solid else found[1]) - i
        if not char.isspace():
            solid = i
    return total


class Screened(Tag):
    """A python-liquid tag that refuses arguments its tokenizer would read in quadratic
    time; everything else is the tag's own."""

    def __init__(self, tag: Tag) -> None:
        super().__init__(tag.env)
        self.tag = tag
        self.block = tag.block
        self.name = tag.name
        self.end = tag.end

    def __getattr__(self, name: str) -> Any:
        if name == "tag":  # not set yet (while unpickling)
            raise AttributeError(name)
        return getattr(self.tag, name)

    def parse(self, stream: TokenStream) -> Node:
        return self.tag.parse(stream)

    def get_node(self, stream: TokenStream) -> Node:
        token = stream.peek
        if token.kind == TOKEN_EXPRESSION and len(token.value) > 140 and cost(
                token.value) > LOOKAHEAD_ALLOWANCE + LOOKAHEAD_PER_CHARACTER * len(token.value):
            raise TemplateSyntaxError(
                f"the arguments of {stream.current.value!r} hold too many brackets "
                f"to read", token=token)
        return self.tag.get_node(stream)
