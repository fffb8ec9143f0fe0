"""Filters the corpus pages need beyond Liquid's standard ones and ladle's own.

``SHOPIFY`` holds Shopify-style filters a store's templates use and neither ladle nor
python-liquid ships; every engine gets them as custom filters, the same functions.

``JINJA`` holds the Liquid filters a Jinja user porting these pages writes for
themselves, because Jinja's nearest built-ins differ (``striptags`` collapses
whitespace, ``urlencode`` writes a space as ``%20``, ``truncate`` keeps a string of
exactly the limit, ``sort`` and ``unique`` ignore case). Each one gives Liquid's result
on the corpus's data; the pages call Jinja's own filters wherever those agree.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Callable, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

from markupsafe import Markup, escape


def money_with_currency(cents: int, currency: str = "USD") -> str:
    """Shopify's ``money_with_currency``: an amount in cents, a dollar sign and the code.

    >>> money_with_currency(123456, "USD"), money_with_currency(-5, "CAD")
    ('$1,234.56 USD', '-$0.05 CAD')
    """
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(int(cents)), 100)
    return f"{sign}${whole:,}.{part:02d} {currency}"


def money_without_trailing_zeros(cents: int) -> str:
    """Shopify's ``money_without_trailing_zeros``: ``$12`` for 1200 cents, ``$12.50`` for 1250.

    >>> money_without_trailing_zeros(1200), money_without_trailing_zeros(1250)
    ('$12', '$12.50')
    """
    whole, part = divmod(int(cents), 100)
    return f"${whole:,}" if part == 0 else f"${whole:,}.{part:02d}"


SHOPIFY: Mapping[str, Callable[..., Any]] = MappingProxyType({
    "money_with_currency": money_with_currency,
    "money_without_trailing_zeros": money_without_trailing_zeros,
})


def truncate(text: str, length: int = 50, end: str = "...") -> str:
    """Liquid's ``truncate``: a string of ``length`` characters or more is cut; like Liquid's
    string filters, it gives plain text, of ``Markup`` too (escaped again on output)."""
    text = str(text)
    return text if len(text) < length else text[:length - len(end)] + end


def truncatewords(text: str, count: int = 15, end: str = "...") -> str:
    words = text.split()
    return " ".join(words) if len(words) < count else " ".join(words[:count]) + end


_TAG = re.compile(r"<[^>]*>")


def strip_html(html: str) -> str:
    return _TAG.sub("", html)


def url_encode(text: str) -> str:
    return urllib.parse.quote_plus(text)


def date(value: datetime, fmt: str) -> str:
    return value.strftime(fmt)


def strip_newlines(text: str) -> Markup:
    """Liquid's ``strip_newlines`` when escaping: the text escaped, without line breaks."""
    return Markup(str(escape(text)).replace("\r\n", "").replace("\n", ""))


def newline_to_br(text: str) -> Markup:
    """Liquid's ``newline_to_br`` when escaping: the text escaped, a ``<br />`` before each
    newline."""
    return Markup(str(escape(text)).replace("\n", "<br />\n"))


JINJA: Mapping[str, Callable[..., Any]] = MappingProxyType({
    "date": date,
    "newline_to_br": newline_to_br,
    "strip_html": strip_html,
    "strip_newlines": strip_newlines,
    "truncate_chars": truncate,
    "truncatewords": truncatewords,
    "url_encode": url_encode,
})
