"""Direct versions of python-liquid's filters that remake a whole string (case, white
space, escaping, URLs, base64, HTML tags, newlines; see ``filters.direct``). A ``Markup``
result is made with the cheap constructor where python-liquid's goes through ``Markup``'s
own methods, which give the same text."""

from __future__ import annotations

import html
import re
import urllib.parse
from collections.abc import Callable
from typing import Any, NamedTuple

from liquid.builtin.filters import extra, string
from liquid.utils.html import strip_tags
from markupsafe import Markup

from ladle.filters.calls import TEXT, Call, Filter, escape_text, markup, text_result

__all__ = ["make_base64_decode", "make_base64_encode", "make_base64_url_safe_decode",
           "make_base64_url_safe_encode", "make_capitalize", "make_downcase", "make_escape",
           "make_escape_once", "make_escapejs", "make_lstrip", "make_newline_to_br", "make_rstrip",
           "make_safe", "make_squish", "make_strip", "make_strip_html",
           "make_strip_newlines", "make_upcase", "make_url_decode", "make_url_encode",
           "strip_html_text"]


def _by_method(name: str, method: Callable[[str], str], call: Call) -> Filter:
    """A filter of one string by a ``str`` method (``upcase``, ``strip``…); a ``Markup``
    value gives ``Markup``, as ``Markup``'s own method does."""
    fallback, settle, free = call.fallback, call.settle, call.free

    def apply(value: Any) -> Any:
        kind = type(value)
        if kind is str:
            result = method(value)
        elif kind is Markup:
            result = markup(Markup, method(value))
        else:
            return fallback(value)
        return result if len(result) <= free else settle(value, result)

    apply.__name__ = name
    return apply


def make_upcase(call: Call) -> Filter:
    return _by_method("upcase", str.upper, call)


def make_downcase(call: Call) -> Filter:
    return _by_method("downcase", str.lower, call)


def make_capitalize(call: Call) -> Filter:
    return _by_method("capitalize", str.capitalize, call)


def make_strip(call: Call) -> Filter:
    return _by_method("strip", str.strip, call)


def make_lstrip(call: Call) -> Filter:
    return _by_method("lstrip", str.lstrip, call)


def make_rstrip(call: Call) -> Filter:
    return _by_method("rstrip", str.rstrip, call)


def _unwrapped(name: str, original: Filter, call: Call,
               kinds: frozenset[type] = TEXT, **keywords: Any) -> Filter:
    """python-liquid's string filter ``original`` without its wrapper (which turns other
    values into strings), on a value of one of ``kinds``, given ``keywords``."""
    inner: Filter = original.__wrapped__  # type: ignore[attr-defined]
    fallback, finish = call.fallback, text_result(call)

    def apply(value: Any) -> Any:
        if type(value) in kinds:
            return finish(value, inner(value, **keywords))
        return fallback(value)

    apply.__name__ = name
    return apply


def make_base64_encode(call: Call) -> Filter:
    return _unwrapped("base64_encode", string.base64_encode, call)


def make_base64_decode(call: Call) -> Filter:
    return _unwrapped("base64_decode", string.base64_decode, call)


def make_base64_url_safe_encode(call: Call) -> Filter:
    return _unwrapped("base64_url_safe_encode", string.base64_url_safe_encode, call)


def make_base64_url_safe_decode(call: Call) -> Filter:
    return _unwrapped("base64_url_safe_decode", string.base64_url_safe_decode, call)


def make_squish(call: Call) -> Filter:
    return _unwrapped("squish", string.squish, call)


def make_url_decode(call: Call) -> Filter:
    # (``unquote_plus`` keeps a ``Markup`` without a ``%`` in it as ``Markup``)
    return _unwrapped("url_decode", string.url_decode, call, frozenset({str}))


class _Escaping(NamedTuple):
    """What python-liquid's ``escapejs`` reads of its environment."""

    autoescape: bool


def make_escapejs(call: Call) -> Filter:
    return _unwrapped("escapejs", extra.escapejs, call, environment=_Escaping(call.escaped))


def make_escape(call: Call) -> Filter:
    escape = escape_text if call.escaped else html.escape
    fallback, finish = call.fallback, text_result(call)

    def escape_(value: Any) -> Any:
        if type(value) is str:
            return finish(value, escape(value))
        return fallback(value)

    return escape_


def make_escape_once(call: Call) -> Filter:
    fallback, finish, escaped = call.fallback, text_result(call), call.escaped

    def escape_once(value: Any) -> Any:
        kind = type(value)
        if escaped and kind in TEXT:  # python-liquid unescapes it: output escapes it again
            return finish(value, html.unescape(str(value)))
        if kind is str:
            return finish(value, html.escape(html.unescape(value)))
        return fallback(value)  # (``html.escape`` of a ``Markup`` escapes its escapes)

    return escape_once


def make_safe(call: Call) -> Filter:
    fallback, finish, escaped = call.fallback, text_result(call), call.escaped

    def safe(value: Any) -> Any:
        if type(value) in TEXT:
            return finish(value, markup(Markup, value) if escaped else value)
        return fallback(value)

    return safe


def _by_lines(name: str, ending: str, call: Call) -> Filter:
    """``newline_to_br`` or ``strip_newlines``: each ``\\r\\n`` or ``\\n`` replaced by
    ``ending``; when escaping, of the escaped text, as ``Markup``."""
    fallback, finish, escaped = call.fallback, text_result(call), call.escaped

    def apply(value: Any) -> Any:
        kind = type(value)
        if kind in TEXT:
            text = escape_text(value) if escaped and kind is str else value
            if "\n" in text:
                text = str.replace(str.replace(text, "\r\n", "\n"), "\n", ending)
            # python-liquid's ``re.sub`` gives a plain ``str`` when not escaping
            return finish(value, markup(Markup if escaped else str, text))
        return fallback(value)

    apply.__name__ = name
    return apply


def make_newline_to_br(call: Call) -> Filter:
    return _by_lines("newline_to_br", "<br />\n", call)


def make_strip_newlines(call: Call) -> Filter:
    return _by_lines("strip_newlines", "", call)


_URL_SAFE = re.compile(r"[A-Za-z0-9_.~-]*")
# What quote_plus makes of each ASCII character: itself if safe, "+" for a space, else
# its "%XX" escape (its UTF-8 byte is the character's code).
_URL_ASCII = {code: ("+" if code == 32 else chr(code) if _URL_SAFE.fullmatch(chr(code))
                     else f"%{code:02X}") for code in range(128)}


def make_url_encode(call: Call) -> Filter:
    quote, safe = urllib.parse.quote_plus, _URL_SAFE.fullmatch
    escaped, fallback, finish = call.escaped, call.fallback, text_result(call)

    def url_encode(value: Any) -> Any:
        if type(value) is str:
            # quote_plus gives text of only these characters back as it is
            result = (value if safe(value) else value.translate(_URL_ASCII)
                      if value.isascii() else quote(value))
            return finish(value, markup(Markup, result) if escaped else result)
        return fallback(value)

    return url_encode


# Text whose tags the fast ``strip_html`` removes itself: no ``<script`` or ``<style``
# (whose content python-liquid drops), every ``&`` starting a reference that ends in ``;``
# (python-liquid's parser rewrites the others), and every ``<`` starting a plain tag
# (quoted attribute values without angle brackets).
_RAW_TEXT = re.compile(r"<\s*/?\s*(?:script|style)", re.IGNORECASE)
_LOOSE_AMPERSAND = re.compile(r"&(?!(?:[a-zA-Z][a-zA-Z0-9]*|#[0-9]+|#[xX][0-9a-fA-F]+);)")
_PLAIN_TAG = re.compile(
    r"<(?:[a-zA-Z][a-zA-Z0-9]*"
    r"(?:\s(?:[^<>\"'=]|=\s*\"[^\"<>]*\"|=\s*'[^'<>]*'|=[^<>\"'\s]+)*)?/?"
    r"|/[a-zA-Z][a-zA-Z0-9]*)>")


def strip_html_text(text: str) -> str:
    """``text`` without its HTML tags, exactly as python-liquid's ``strip_html`` gives it:
    by a regular expression where the text has only plain tags, references and text,
    else by python-liquid's own HTML parser (comments, scripts, a stray ``<`` or ``&``).

    >>> strip_html_text('<p class="lead">Fish &amp; <b>chips</b></p>')
    'Fish &amp; chips'
    >>> strip_html_text("<script>alert(1)</script>ok")
    'ok'
    """
    if "<" not in text or ">" not in text:
        return text
    if _RAW_TEXT.search(text) is None and _LOOSE_AMPERSAND.search(text) is None:
        stripped = _PLAIN_TAG.sub("", text)
        if "<" not in stripped:
            return stripped
    return strip_tags(text)


def make_strip_html(call: Call) -> Filter:
    fallback, finish, escaped = call.fallback, text_result(call), call.escaped

    def strip_html(value: Any) -> Any:
        kind = type(value)
        if kind is str or kind is Markup:
            text = strip_html_text(value)
            if kind is Markup and escaped:
                text = markup(Markup, text)
            return finish(value, text)
        return fallback(value)

    return strip_html

