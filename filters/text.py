"""Text filters: words that follow a count, and URL slugs."""

from __future__ import annotations

import re
import unicodedata
from types import MappingProxyType

from ladle.filters._common import describe, error, filter_function, plain, to_decimal

__all__ = ["pluralize", "slugify"]


@filter_function
def pluralize(count: object, singular: object, plural: object = None) -> str:
    """The count and the word that goes with it: the singular for exactly 1, else the plural.

    The plural defaults to the singular plus ``s``; give it for any other word
    (``box``/``boxes``). The count is shown as given; nil and undefined count as 0.
    A count that is not a number, or a word that is not a string, raises
    ``FilterArgumentError``.

    >>> pluralize(3, "track"), pluralize(1, "track"), pluralize(0, "track")
    ('3 tracks', '1 track', '0 tracks')
    >>> pluralize(2, "box", "boxes")
    '2 boxes'
    """
    number = to_decimal(count, "a count")
    word = plain(singular)
    if not isinstance(word, str):
        raise error(f"expected a word to pluralize, found {describe(word)}")
    many = plain(plural)
    if many is None:
        many = word + "s"
    elif not isinstance(many, str):
        raise error(f"expected a plural word, found {describe(many)}")
    shown = plain(count)
    if shown is None:
        shown = "0"
    elif isinstance(shown, str):
        shown = shown.strip()
    return f"{shown} {word if number == 1 else many}"


# Latin letters that NFKD does not split into a base letter and an accent.
_LETTERS = MappingProxyType(
    str.maketrans(
        {
            "ß": "ss", "ẞ": "SS", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE",
            "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D",
            "ð": "d", "Ð": "D", "þ": "th", "Þ": "TH", "\u0131": "i", "ħ": "h", "Ħ": "H",
        }
    )
)  # fmt: skip
_SEPARATORS = re.compile(r"[^a-z0-9]+")


@filter_function
def slugify(text: object) -> str:
    """A URL slug: lower-case ASCII letters and digits joined by single hyphens.

    Accents are dropped after NFKD normalisation, a few Latin letters without an
    accent to drop are spelled out (``ø`` is ``o``, ``ß`` is ``ss``), and every run of
    anything else becomes one ``-``, never at either end. Non-strings are read as
    their text; nil and undefined give ``''``.

    >>> slugify("Beyoncé Knowles!"), slugify("Røyksopp & Robyn"), slugify("--Sigur Rós--")
    ('beyonce-knowles', 'royksopp-robyn', 'sigur-ros')
    """
    value = plain(text)
    if value is None:
        return ""
    if isinstance(value, bool):
        value = "true" if value else "false"
    decomposed = unicodedata.normalize("NFKD", str(value).translate(_LETTERS))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    return _SEPARATORS.sub("-", bare).strip("-")
