"""Template lexer: python-liquid's token stream, from a scanner that takes linear time.

It yields exactly the tokens python-liquid 2.3.6's regular-expression lexer
(``liquid.lex``) yields, with three fixes:

- A ``}}`` or ``%}`` inside a quoted string does not end the output or tag.
- The final newline of a template survives a ``-}}``/``-%}`` trim before it
  (python-liquid 2.3.6 drops it: its content rule ends at ``$``, which also
  matches before a final newline).
- A malformed tag inside a ``{% comment %}`` block (``{%`` with no tag name or no
  closing ``%}``) is a syntax error, as it is outside comments and in Liquid
  (python-liquid 2.3.6 lets it pass as comment text).

Why a scanner: as one regular expression, the body of an output or tag is
``(?:QUOTED|(?!-?}})[\\s\\S])*``, where a quote can start either alternative. When no
match exists the engine tries every way to split the text, exponential in the number
of quotes (``{{`` and 34 quotes took 6.5 s), and python-liquid retries its rules from
every position of an unclosed ``{{`` (``'{{' * 10000`` took 22 s). The scanner finds
the match the regular expression would find (the one its backtracking reaches first)
with ``str.find``, simple regular expressions and sorted position lists, in time
linear in the template (times a logarithm).

An unclosed ``{{`` or ``{%`` is a ``TemplateSyntaxError`` at the opening delimiter.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from functools import lru_cache, partial

from liquid.token import (
    TOKEN_COMMENT,
    TOKEN_CONTENT,
    TOKEN_DOC,
    TOKEN_EOF,
    TOKEN_EXPRESSION,
    TOKEN_OUTPUT,
    TOKEN_TAG,
    Token,
)

from ladle.templating.errors import TemplateSyntaxError

# The kind python-liquid gives a ``{# … #}`` comment's token.
_TEMPLATE_COMMENT = "COMMENT"
_WHITESPACE = re.compile(r"\s*")  # \s is str.isspace(), as str.rstrip() uses
_WORD = re.compile(r"\w+")
# A quote a string body can end at: not the second character of a backslash pair.
# Pairs are counted from the start of each run of backslashes, which is where the
# body scan of any string starts counting them (a string starts after a quote).
_UNESCAPED = {quote: re.compile(rf"\\[\s\S]|({quote})") for quote in "'\""}
# What a body search gives besides a position: ``_QUOTE_AT - q`` means "go on at the
# quote at ``q``".
_FAILED = -1
_EMPTY = -2
_QUOTE_AT = -3


def _occurrences(text: str, needle: str) -> list[int]:
    """Every position ``needle`` starts at, overlapping ones too (``}}}`` holds two
    ``}}``), in order; ``str.find`` is several times quicker than a regular expression."""
    found = []
    at = text.find(needle)
    while at >= 0:
        found.append(at)
        at = text.find(needle, at + 1)
    return found


def _spaces(text: str, start: int) -> int:
    """``start`` past the white space there."""
    match = _WHITESPACE.match(text, start)
    assert match is not None
    return match.end()


class _NextMatch:
    """The next match of a pattern at or after a position.

    Remembers the last answer, so asking with positions that only grow (as the scanner
    does) costs one pass over the text in all.
    """

    def __init__(self, text: str, pattern: re.Pattern[str]) -> None:
        self.text = text
        self.pattern = pattern
        self.asked = len(text) + 1
        self.found: re.Match[str] | None = None

    def at(self, start: int) -> re.Match[str] | None:
        found = self.found
        if not (self.asked <= start and (found is None or found.start() >= start)):
            self.asked = start
            self.found = found = self.pattern.search(self.text, start)
        return found


class _Bodies:
    """Where the body of an output or tag (text that ends at ``end``) ends.

    python-liquid's body is ``(?:QUOTED|(?!-?END)[\\s\\S])*(?<!\\s)``, then
    ``\\s*-?END``. The regular expression engine tries the items depth first: a
    complete quoted string before a single character, a single character before
    stopping. From a quote with an ``END`` somewhere after it, some way always reaches
    one (single characters do), so the only way that fails is a string that runs past
    the last ``END``: then the quote is a single character. So the search goes forward
    only, one quote at a time, and stops at the first ``END`` that it does not skip.
    """

    def __init__(self, text: str, end: str, quotes: _Quotes) -> None:
        self.text = text
        self.quotes = quotes
        self.ends = _occurrences(text, end)

    def closed_after(self, start: int) -> bool:
        """Whether ``end`` occurs at or after ``start`` (a body ends only at one)."""
        return bool(self.ends) and self.ends[-1] >= start

    def stop(self, start: int) -> int:
        """The body end from ``start`` (after spaces): the position after its last
        non-space character; ``_EMPTY`` if ``-?END`` starts at ``start``; ``_FAILED``
        if ``END`` does not occur at or after ``start`` (the body never ends)."""
        outcome = self._from(start)
        while outcome <= _QUOTE_AT:
            quote = _QUOTE_AT - outcome
            after = self.quotes.close(quote)
            outcome = self._from(after)
            if outcome == _FAILED:  # the string skips the last end
                after = quote + 1
                outcome = self._from(after)
            if outcome == _EMPTY:  # the end comes right after a quote
                return after
        return outcome

    def _from(self, start: int) -> int:
        """The end from ``start`` if single characters reach ``-?END`` before any string;
        ``_EMPTY`` if they reach it at once; ``_FAILED`` if they never do; otherwise
        ``_QUOTE_AT - q`` for the quote ``q`` that starts the first string."""
        ends = self.ends
        index = bisect_left(ends, start)
        if index == len(ends):
            return _FAILED
        barrier = ends[index]
        text = self.text
        if barrier > start and text[barrier - 1] == "-":
            barrier -= 1
        if barrier == start:
            return _EMPTY
        quote = self.quotes.next(start)
        if quote < 0 or barrier < quote:
            # Back off the trailing white space; the character before ``start`` is a
            # quote or is not white space, so the body may end at ``start`` itself.
            return start + len(text[start:barrier].rstrip())
        return _QUOTE_AT - quote


class _Quotes:
    """The quotes in the text that can start a string, found when first needed.

    A quote starts a string when a quote of its kind that a string body can end at
    comes after it; any other quote is a plain character in a body.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._kinds: list[tuple[list[int], list[int]]] | None = None
        self._starts: list[int] | None = None

    def kinds(self) -> list[tuple[list[int], list[int]]]:
        """For each kind of quote: (every position of one, the positions a string of that
        kind can end at)."""
        if self._kinds is None:
            text = self.text
            kinds = []
            for quote in "'\"":
                positions = _occurrences(text, quote)
                # With no backslash in the text, a string can end at any quote.
                closing = positions if "\\" not in text else [
                    m.start(1) for m in _UNESCAPED[quote].finditer(text) if m.start(1) >= 0]
                kinds.append((positions, closing))
            self._kinds = kinds
        return self._kinds

    def next(self, start: int) -> int:
        """The first quote at or after ``start`` that starts a string, or -1."""
        starts = self._starts
        if starts is None:
            # A quote before the last place a string of its kind can end; the later
            # quotes of that kind cannot start one.
            starts = self._starts = sorted(
                position for positions, closing in self.kinds() if closing
                for position in positions if position < closing[-1])
        index = bisect_left(starts, start)
        return starts[index] if index < len(starts) else -1

    def close(self, opening: int) -> int:
        """The position after the string that starts at ``opening``, or -1 if unclosed."""
        closing = self.kinds()[0 if self.text[opening] == "'" else 1][1]
        index = bisect_right(closing, opening)
        return closing[index] + 1 if index < len(closing) else -1


class _Scanner:
    def __init__(self, text: str, lexer: _Lexer) -> None:
        self.text = text
        self.lexer = lexer
        quotes = _Quotes(text)
        self.outputs = _Bodies(text, lexer.out_end, quotes)
        self.tags = _Bodies(text, lexer.tag_end, quotes)
        self.block_end = {name: _NextMatch(text, pattern)
                          for name, pattern in lexer.block_end.items()}

    def block(self, name: str, at: int) -> tuple[str, str, str, int] | None:
        """``{% raw %}…{% endraw %}`` (or doc) whose name ends at ``at``: (text, the dash
        before the opening tag's end, the one before the closing tag's end, the end of
        the block), or None."""
        opening = self.lexer.block_rest.match(self.text, at)
        if opening is None:
            return None
        closing = self.block_end[name].at(opening.end())
        if closing is None:
            return None
        return (self.text[opening.end():closing.start()], opening.group(1), closing.group(1),
                closing.end())

    def body(self, bodies: _Bodies, start: int, end: str) -> tuple[int, int, bool, int] | None:
        """The body of an output or tag after its name (``start``): (body start, body end,
        trims after, end of the output or tag), or None if it never ends."""
        text = self.text
        body = _spaces(text, start)
        stop = bodies.stop(body)
        if stop == _FAILED:
            return None
        if stop == _EMPTY:
            # Nothing but spaces: the engine backs off to an empty body at ``start``.
            stop = body = start
        after = _spaces(text, stop)
        trim = text.startswith("-", after) and text.startswith(end, after + 1)
        return body, stop, trim, after + trim + len(end)

    def unclosed(self, start: int) -> TemplateSyntaxError:
        """The error for plain text that starts with an opening delimiter."""
        text = self.text
        lexer = self.lexer
        if text.startswith(lexer.out_start, start):
            return _error(f"expected {lexer.out_end!r}, found end of file", lexer.out_start,
                          start, text)
        if not self.tags.closed_after(start + len(lexer.tag_start)):
            return _error(f"expected {lexer.tag_end!r}, found end of file", lexer.tag_start,
                          start, text)
        return _error("missing tag name or closing delimiter", lexer.tag_start, start, text)


def _error(message: str, value: str, start: int, source: str) -> TemplateSyntaxError:
    return TemplateSyntaxError(message, token=Token(TOKEN_EOF, value, start, source))


def _whole(end: str) -> str:
    """A body that ends at ``end`` (then ``(-?)`` and ``end``) where each quote starts a
    string closed by the next quote of its kind, with no backslash in it. Each character
    has one way to match and no repeat gives back what it took (possessive: ``++``,
    ``*+``), so a match, or a failure, reads the text once; runs of ordinary characters
    are read by one repeat (several times quicker than one character a turn)."""
    pieces = [rf"[^'\"\-{re.escape(end[0])}]++", rf"-(?!{re.escape(end)})", r"'[^'\\]*+'",
              r'"[^"\\]*+"']
    if len(end) > 1:
        pieces.append(rf"{re.escape(end[0])}(?!{re.escape(end[1:])})")
    return rf"((?:{'|'.join(pieces)})*+)(-?){re.escape(end)}"


def _read(whole: re.Match[str]) -> tuple[int, int, bool, int]:
    """``_Scanner.body`` from a match of ``_Lexer.output`` or ``_Lexer.tag``."""
    body = whole.start(2)
    stop = body + len(whole.group(2).rstrip())
    if stop == body:  # nothing but spaces: an empty body where the spaces start
        body = stop = whole.end(1)
    return body, stop, whole.start(3) < whole.end(3), whole.end()


def _tokenize(source: str, lexer: _Lexer) -> Iterator[Token]:
    """python-liquid's ``_tokenize_template``, with the scanner in place of its rules.

    Whole outputs and tags are read by one match each (``_whole``) until one fails to
    match; the scanner, made then, reads that one and the rest.
    """
    scan: _Scanner | None = None
    tag_start, tag_end, out_start, out_end = (lexer.tag_start, lexer.tag_end, lexer.out_start,
                                              lexer.out_end)
    comment, comment_end = lexer.comment_start, lexer.comment_end
    head_at = lexer.head.match
    output_at, tag_at = lexer.output.match, lexer.tag.match
    opening_after = lexer.opening.search
    blocks = lexer.block_end
    quick = lexer.quick
    # A token made straight from its tuple (NamedTuple's ``__new__`` is a Python function).
    make = tuple.__new__
    end = len(source)
    # No comment end occurs at or after this: comments never closed, repeated, do not
    # search the rest of the text each time (linear time).
    no_comment_end = end + 1
    position = 0
    lstrip = False
    comment_depth = 0
    comment_index = 0
    bad_in_comment: Token | None = None  # the first malformed tag in the comment block

    while position < end:
        start = position
        at_tag = source.startswith(tag_start, start)
        head = whole = None
        if at_tag:
            if quick:
                whole = tag_at(source, start)
                quick = whole is not None  # (it may have read far: no more quick reads)
            head = whole or head_at(source, start + len(tag_start))
        name = None if head is None else head.group(1)  # (and ``end(1)`` where it ends)

        if head is not None and name in blocks:
            scan = scan or _Scanner(source, lexer)
            block = scan.block(name, head.end(1))
            if block is not None:
                position = block[3]
                if not comment_depth:
                    if name == "raw":
                        lstrip = bool(block[1])  # python-liquid reads the opening tag's dash
                        yield make(Token, (TOKEN_CONTENT, block[0], start, source))
                    else:
                        lstrip = bool(block[2])
                        yield make(Token, (TOKEN_DOC, block[0], start, source))
                continue

        if comment and source.startswith(comment, start):
            opened = start + len(comment)
            # `{#(.*?)(-?)#}`: the first end, a dash before it trims
            close = source.find(comment_end, opened) if opened < no_comment_end else -1
            if close >= 0:
                inner = source[opened:close]
                position = close + len(comment_end)
                if not comment_depth:
                    trims = inner.endswith("-")
                    yield make(Token, (_TEMPLATE_COMMENT, inner[:-1] if trims else inner, start,
                                       source))
                    lstrip = trims
                continue
            no_comment_end = min(no_comment_end, opened)

        if source.startswith(out_start, start):
            read = output_at(source, start) if quick else None
            if read is not None:
                output: tuple[int, int, bool, int] | None = _read(read)
            else:
                # The scanner reads this body and every later one (a quick read that
                # failed may have read far: it must not again).
                quick = False
                opened = start + len(out_start)
                opened += source.startswith("-", opened)
                scan = scan or _Scanner(source, lexer)
                output = scan.body(scan.outputs, opened, out_end)
            if output is not None:
                body, stop, trim, position = output
                if not comment_depth:
                    yield make(Token, (TOKEN_OUTPUT, source[start:position], start, source))
                    yield make(Token, (TOKEN_EXPRESSION, source[body:stop], body, source))
                    lstrip = trim
                continue

        if head is not None and name is not None:
            if whole is not None:
                tag: tuple[int, int, bool, int] | None = _read(whole)
            else:
                scan = scan or _Scanner(source, lexer)
                tag = scan.body(scan.tags, head.end(1), tag_end)
            if tag is not None:
                body, stop, trim, position = tag
                name_start = head.start(1)
                if comment_depth:
                    if name == "endcomment":
                        comment_depth -= 1
                        if not comment_depth:
                            if bad_in_comment is not None:
                                raise TemplateSyntaxError(
                                    "missing tag name or closing delimiter",
                                    token=bad_in_comment)
                            yield make(Token, (TOKEN_COMMENT, source[comment_index:start],
                                               comment_index, source))
                            yield make(Token, (TOKEN_TAG, name, name_start, source))
                            lstrip = trim
                    elif name == "comment":
                        comment_depth += 1
                    continue
                yield make(Token, (TOKEN_TAG, name, name_start, source))
                if stop > body:
                    yield make(Token, (TOKEN_EXPRESSION, source[body:stop], body, source))
                lstrip = trim
                if name == "comment":
                    comment_index = position
                    comment_depth = 1
                continue

        # Plain text runs to the next opening delimiter after its first character.
        following = opening_after(source, start + 1)
        position = end if following is None else following.start()
        if comment_depth:
            if at_tag and bad_in_comment is None:
                bad_in_comment = make(Token, (TOKEN_CONTENT, source[start:position], start,
                                              source))
            continue
        first = min(_spaces(source, start), position) if lstrip else start
        # Text that starts with an opening delimiter is one never closed: refused before
        # it is copied (it may be the whole rest of a large template).
        if source.startswith(out_start, first, position) or \
                source.startswith(tag_start, first, position):
            raise (scan or _Scanner(source, lexer)).unclosed(start)
        value = source[first:position]
        # A dash after the delimiter trims the text before it.
        if following is not None and source.startswith("-", following.end()):
            value = value.rstrip()
        if value:
            yield make(Token, (TOKEN_CONTENT, value, start, source))


class _Lexer:
    """The delimiters and the patterns made from them."""

    def __init__(self, tag_start: str, tag_end: str, out_start: str, out_end: str,
                 comment_start: str = "", comment_end: str = "", *, quick: bool = True) -> None:
        # The scanner relies on these (python-liquid's rules do too, in effect): a start
        # delimiter does not end in white space, and an end delimiter cannot start with
        # what a body, a tag name or a trim dash can end with.
        for delimiter in (tag_start, tag_end, out_start, out_end):
            if not delimiter or delimiter[-1].isspace():
                raise ValueError(f"unsupported template delimiter {delimiter!r}")
        for delimiter in (tag_end, out_end):
            first = delimiter[0]
            if first.isspace() or first in "-'\"#" or _WORD.match(first):
                raise ValueError(f"unsupported template delimiter {delimiter!r}")
        self.tag_start = tag_start
        self.tag_end = tag_end
        self.out_start = out_start
        self.out_end = out_end
        # ``{# … #}`` comments, when the environment has ``template_comments``.
        self.comment_start = comment_start
        self.comment_end = comment_end
        # Plain text ends at the first of these; of two at one place, at the shorter.
        self.opening = re.compile("|".join(re.escape(opening) for opening in sorted(
            (tag_start, out_start, comment_start), key=len) if opening))
        # Whether outputs and tags are read by one match each (``output``, ``tag``) while
        # they match; the scanner alone reads every body otherwise (a test compares the two).
        self.quick = quick
        te = re.escape(tag_end)
        self.output = re.compile(rf"{re.escape(out_start)}(-?)\s*+{_whole(out_end)}")
        self.tag = re.compile(rf"{re.escape(tag_start)}-?\s*+(#|\w++)\s*+{_whole(tag_end)}")
        # After the tag start: the optional trim dash, spaces and the tag name, if any.
        self.head = re.compile(r"-?\s*(#|\w+)?")
        # After ``raw`` or ``doc``: the rest of the opening tag.
        self.block_rest = re.compile(rf"\s*(-?){te}")
        self.block_end = {
            name: re.compile(rf"{re.escape(tag_start)}-?\s*end{name}\s*(-?){te}")
            for name in ("raw", "doc")
        }


# Made once per set of delimiters (an environment asks for its tokenizer on every parse).
@lru_cache(maxsize=64)
def get_lexer(tag_start: str = "{%", tag_end: str = "%}", out_start: str = "{{",
              out_end: str = "}}", comment_start: str = "",
              comment_end: str = "") -> Callable[[str], Iterator[Token]]:
    """A template tokenizer for the given delimiters (``{# … #}`` comments when
    ``comment_start`` is given)."""
    return partial(_tokenize, lexer=_Lexer(tag_start, tag_end, out_start, out_end,
                                           comment_start, comment_end))
