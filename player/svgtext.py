"""SVG text for the previews: values as XML text and attributes, numbers as short stable
text, and the width and wrapping of a line of sans-serif text, estimated."""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

# Characters XML 1.0 cannot hold, not even escaped.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_NARROW = frozenset("iljtfr.,:;'|!()[]{} ")
_WIDE = frozenset("mwMW@%")


def xml_text(value: object) -> str:
    """Any value as XML character data."""
    return escape(_NOT_XML.sub("\ufffd", str(value)))


def xml_attr(value: object) -> str:
    """Any value as the inside of a double-quoted XML attribute."""
    return escape(_NOT_XML.sub("\ufffd", str(value)),
                  {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})


def num(value: float) -> str:
    """A number as short, stable SVG text: at most two decimals, no ``-0``."""
    rounded = round(float(value), 2)
    if rounded == 0:
        return "0"
    if rounded.is_integer():
        return str(int(rounded))
    return f"{rounded:.2f}".rstrip("0")


def text_width(text: str, size: float) -> float:
    """A generous estimate of a sans-serif text's width."""
    em = 0.0
    for char in text:
        if char in _NARROW:
            em += 0.34
        elif char in _WIDE:
            em += 0.92
        elif char.isupper():
            em += 0.72
        else:
            em += 0.62
    return em * size


def wrap(text: str, width: float, size: float) -> list[str]:
    """Lines of ``text`` no wider than ``width`` (by ``text_width``), broken between words and,
    for a word too long for a line, inside it."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        while text_width(word, size) > width and len(word) > 1:
            if line:
                lines.append(line)
                line = ""
            cut = len(word) - 1
            while cut > 1 and text_width(word[:cut], size) > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        candidate = f"{line} {word}" if line else word
        if line and text_width(candidate, size) > width:
            lines.append(line)
            candidate = word
        line = candidate
    lines.append(line)
    return lines
