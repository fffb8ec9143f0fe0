"""Property tests of the expression language (hypothesis).

* round trip: random trees print and re-parse to the same tree; random text re-parses
  to the same tree after printing;
* robustness: no text, however malformed, and no data makes ``compile()`` or
  ``evaluate()`` raise anything but ``grammar.ExpressionError`` (nor hang);
* differential: compiled evaluation (alone, in a ``compile_set`` that shares common parts,
  and one operation at a time on any two values) agrees with the plain tree-walking
  evaluator in ``reference.py``, written from the design's semantics; ``==`` is symmetric.

Inputs the properties found are kept as fixed cases (``PATHOLOGICAL``, ``FOUND``).
"""

from __future__ import annotations

import functools
import math
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, assume, event, given, note, settings
from hypothesis import strategies as st

from ladle import grammar
from ladle.grammar.functions import BUILTINS
from ladle.grammar.nodes import (
    BLANK,
    EMPTY,
    Binary,
    Call,
    Conditional,
    Filter,
    Index,
    ListLiteral,
    Literal,
    Logical,
    Member,
    Name,
    Node,
    Pipeline,
    RangeLiteral,
    RootIndex,
    Unary,
    fields,
    replace,
)
from tests.grammar import reference
from tests.grammar.reference import Failure, Reference, TooExpensive, fold_check, same

PROPERTY = settings(
    max_examples=2000,
    deadline=None,
    database=None,  # keep the working tree clean
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.large_base_example],
)

KEYWORDS = ("and", "or", "not", "contains", "in", "true", "false", "nil", "null", "empty",
            "blank", "if", "else")
SPECIAL_LITERALS = (
    Literal("bool", True), Literal("bool", False), Literal("nil", None),
    Literal("empty", EMPTY), Literal("blank", BLANK),
)
BINARY_OPS = ("+", "-", "*", "/", "%", "==", "!=", "<", "<=", ">", ">=", "contains", "in")
LOGICAL_OPS = ("&&", "||", "and", "or", "??")
HANG_SECONDS = 3.0


class Hang(BaseException):  # not an Exception: generated code must not catch it
    """Raised by the watchdog inside a call that takes too long."""


@contextmanager
def watchdog(seconds: float = HANG_SECONDS) -> Iterator[None]:
    """Interrupt Python-level work that runs longer than ``seconds``."""

    def expire(signum: int, frame: Any) -> None:
        raise Hang(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# -- data ---------------------------------------------------------------------------------


class Box:
    """A drop: its Liquid value is ``__liquid__()``, it has no mapping-like access."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __liquid__(self) -> Any:
        return self.value

    def __repr__(self) -> str:
        return f"Box({self.value!r})"


NAMES = ("a", "b", "x", "y", "s", "items", "m", "on-sale", "_p")
KEYS = ("a", "b", "x", "k", "size", "first", "last")
BIG_INTS = (2**31, 2**63, -(2**63), 2**64, 2**70, 2**256, -(2**256), 2**256 + 1, 10**400,
            -(10**400))

# The values a drop may stand for, the falsy-looking ones first.
DROP_VALUES = (0, 0.0, -0.0, "", False, None, 1, "a", 2**70)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-10, 10),
    st.integers(),
    st.sampled_from(BIG_INTS),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0.0, -0.0, 0.5, 1.0, 2.0, 2.5, 1e16, 1e308, -1e308, 5e-324]),
    st.text(alphabet="ab1 \t\u00e9", max_size=5),
    st.sampled_from(["", " ", "a", "ab", "abc", "1", "10", " 12 ", "a b", "x", "size"]),
    st.sampled_from(DROP_VALUES).map(Box),
)
drops = st.sampled_from(DROP_VALUES).map(Box)
containers = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(st.sampled_from(KEYS), inner, max_size=4),
    ),
    max_leaves=6,
)
small_ranges = st.builds(lambda a, n: range(a, a + n), st.integers(-3, 3), st.integers(0, 4))


@st.composite
def values(draw: Any) -> Any:
    """Scalars, drops, small ranges, nested lists, tuples and maps."""
    kind = draw(st.integers(0, 9))
    if kind < 4:
        return draw(scalars)
    if kind < 6:
        return draw(drops if kind == 4 else small_ranges)
    return draw(containers)


# Each variable is present about half of the time (absent ones are undefined).
datas = st.fixed_dictionaries({}, optional={name: values() for name in NAMES})


def twice(value: Any) -> Any:
    """A host filter: doubles a number or repeats a string."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise TypeError(f"twice needs a number or a string, not {type(value).__name__}")
    return value + value


def or_else(value: Any, default: Any = "none", *, d: Any = None) -> Any:
    """A host filter with a keyword argument."""
    if value is not None:
        return value
    return default if d is None else d


def default(value: Any, fallback: Any = "") -> Any:
    """A host filter named as Liquid's fallback filter: strict mode lets what it is given
    be missing."""
    return fallback if value is None or value is False or value == "" else value


FILTERS: Mapping[str, Callable[..., Any]] = {"twice": twice, "or_else": or_else,
                                             "default": default}


# -- random trees -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Vocabulary:
    """What random trees are made of."""

    ints: st.SearchStrategy[int]
    floats: st.SearchStrategy[float]
    strings: st.SearchStrategy[str]
    names: st.SearchStrategy[str]
    members: st.SearchStrategy[str]
    calls: st.SearchStrategy[tuple[str, int]]
    filters: st.SearchStrategy[str]
    keywords: st.SearchStrategy[str]


def _not_negative_zero(number: float) -> bool:
    return math.copysign(1.0, number) > 0


NAME_REGEX = r"[A-Za-z_\u0080-\uffff][A-Za-z0-9_\-\u0080-\uffff]*\??"
any_names = st.from_regex(NAME_REGEX, fullmatch=True).filter(
    lambda n: n not in KEYWORDS and not n[0].isspace()
)
ascii_names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_\-]{0,6}\??", fullmatch=True).filter(
    lambda n: n not in KEYWORDS
)

# Anything the printer must cope with.
PRINTABLE = Vocabulary(
    ints=st.integers(0, 2**256),
    floats=st.floats(min_value=0.0, allow_nan=False, allow_infinity=False).filter(
        _not_negative_zero),
    # Every character but a lone surrogate, which no string literal can hold.
    strings=st.text(st.characters(exclude_categories=("Cs",)), max_size=8),
    names=st.one_of(ascii_names, any_names),
    members=st.one_of(ascii_names, any_names, st.sampled_from(KEYWORDS)),
    calls=st.tuples(st.one_of(ascii_names, any_names), st.integers(0, 3)),
    filters=st.one_of(ascii_names, any_names),
    keywords=st.one_of(ascii_names, any_names),
)

CALLABLE = [(name, n) for name, f in BUILTINS.items()
            for n in range(f.min_args, min(f.max_args or 3, 3) + 1)]

# Things that meet the data: the variables, keys, built-ins and filters that exist.
EVALUABLE = Vocabulary(
    ints=st.one_of(st.integers(0, 10), st.sampled_from([100, 1000, 2**31, 2**63, 2**256])),
    floats=st.one_of(st.sampled_from([0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 1e16, 1e300, 1e-300]),
                     st.floats(0.0, 1e6).filter(_not_negative_zero)),
    strings=st.one_of(
        st.sampled_from(["", " ", "a", "ab", "b", "1", "10", "a b", "+-5", "\u00b2", "1e999",
                         "nan", "1_000", " 12 ", "size", "abcde", "hello world", *NAMES]),
        st.text(alphabet="ab1 \t\u00e9'\"\\", max_size=6),
    ),
    names=st.sampled_from(NAMES),
    members=st.sampled_from((*KEYS, "zz", "and")),
    calls=st.sampled_from(CALLABLE),
    filters=st.sampled_from(sorted(FILTERS)),
    keywords=st.just("d"),
)


class Hole(Node):
    """A place for one of a few shared sub-expressions (see ``fill``)."""

    __slots__ = ("number",)
    __match_args__ = ("number",)
    number: int

    def __init__(self, number: int, *, span: tuple[int, int] = (0, 0)) -> None:
        object.__setattr__(self, "number", number)
        super().__init__(span=span)


def fill(node: Node, pool: Sequence[Node]) -> Node:
    """``node`` with every ``Hole`` replaced by a sub-expression from ``pool``."""
    if isinstance(node, Hole):
        return pool[node.number % len(pool)]
    changes: dict[str, Any] = {}
    for name in fields(node):
        value = getattr(node, name)
        if isinstance(value, Node):
            changes[name] = fill(value, pool)
        elif isinstance(value, tuple):
            changes[name] = tuple(
                fill(v, pool) if isinstance(v, Node)
                else (v[0], fill(v[1], pool)) if isinstance(v, tuple) else v
                for v in value
            )
    return replace(node, **changes)


@functools.cache
def trees(v: Vocabulary, depth: int, holes: bool = False) -> st.SearchStrategy[Node]:
    """Random ASTs at most ``depth`` levels deep; with ``holes``, some leaves are ``Hole``s."""
    names = v.names.map(Name)
    specials = st.sampled_from(SPECIAL_LITERALS)
    strings = v.strings.map(lambda s: Literal("string", s))
    leaf: st.SearchStrategy[Node] = st.one_of(
        names, names, specials, specials, strings, strings,
        v.ints.map(lambda i: Literal("int", i)),
        v.floats.map(lambda f: Literal("float", f)),
    )
    if holes:
        leaf = st.one_of(st.builds(Hole, st.integers(0, 3)), leaf)
    if depth == 0:
        return leaf
    sub = trees(v, depth - 1, holes)

    def call(draw: Any) -> Node:
        name, count = draw(v.calls)
        return Call(name, tuple(draw(sub) for _ in range(count)))

    def pipeline(draw: Any) -> Node:
        filters = []
        for _ in range(draw(st.integers(1, 2))):
            args = draw(st.lists(sub, max_size=2))
            kwargs = draw(st.lists(st.tuples(v.keywords, sub), max_size=1))
            filters.append(Filter(draw(v.filters), tuple(args), tuple(kwargs)))
        return Pipeline(draw(sub), tuple(filters))

    compound = st.one_of(
        # a variable as the condition: where truthiness matters
        st.builds(Logical, st.sampled_from(LOGICAL_OPS), names, sub),
        st.builds(Conditional, names, sub, sub),
        st.builds(Unary, st.sampled_from(("!", "not")), names),
        st.builds(Binary, st.sampled_from(BINARY_OPS), sub, sub),
        st.builds(Logical, st.sampled_from(LOGICAL_OPS), sub, sub),
        st.builds(Unary, st.sampled_from(("-", "!", "not")), sub),
        st.builds(Member, sub, v.members),
        st.builds(Index, sub, sub),
        st.builds(Conditional, sub, sub, sub),
        st.builds(RangeLiteral, sub, sub),
        st.lists(sub, min_size=1, max_size=3).map(lambda items: ListLiteral(tuple(items))),
        st.builds(RootIndex, sub),
        st.composite(call)(),
        st.composite(pipeline)(),
    )
    return st.one_of(leaf, compound)


# -- random text, shaped by expression.lark -----------------------------------------------------

PUNCTUATION = frozenset({"(", ")", "[", "]", ",", ".", ".."})
SPACES = (" ", "  ", "\t", "\n", "\r\n")
INT_TEXTS = ("0", "1", "2", "7", "10", "007", "100", "4294967296", "18446744073709551616")
FLOAT_TEXTS = ("0.0", "0.5", "1.5", "2.0", "1e3", "1E-3", "2.5e+2", "1e300", "0.001", "1e-400")
STRING_PIECES = ("a", "b", " ", "1", "\u00e9", "\u2028", "\U0001f600", "\\n", "\\t", "\\\\",
                 "\\/", "\\b", "\\f", "\\r", "\\u00e9", "\\u0000", "\\'", '\\"')
TEXT_NAMES = ("a", "b", "x", "y", "items", "m", "on-sale", "a?", "_p", "\u00e9", "x1", "a-1")
MEMBER_TEXTS = (*TEXT_NAMES, "size", "first", "last", *KEYWORDS)
COMPARE_TEXTS = ("==", "!=", "<>", "<", ">", "<=", ">=", "contains", "in")


@dataclass(frozen=True)
class TextVocabulary:
    names: Sequence[str]
    members: Sequence[str]
    calls: Sequence[tuple[str, int]]
    filters: Sequence[str]


TEXT_ANY = TextVocabulary(TEXT_NAMES, MEMBER_TEXTS,
                          [("max", 2), ("f", 0), ("len", 1), ("g", 3)], ["upcase", "or_else"])
TEXT_EVALUABLE = TextVocabulary(NAMES, (*KEYS, "zz"), CALLABLE, sorted(FILTERS))


@functools.cache
def _one_of(options: tuple[Any, ...]) -> st.SearchStrategy[Any]:
    return st.sampled_from(options)


@functools.cache
def _between(low: int, high: int) -> st.SearchStrategy[int]:
    return st.integers(low, high)


_STRING_BODIES = {
    quote: st.lists(st.sampled_from((*STRING_PIECES, other)), max_size=4)
    for quote, other in (("'", '"'), ('"', "'"))
}


class _Text:
    """Draws tokens for one rule of the grammar at a time, within a token budget."""

    def __init__(self, draw: Any, vocabulary: TextVocabulary, budget: int) -> None:
        self.draw = draw
        self.v = vocabulary
        self.tokens: list[str] = []
        self.budget = budget

    def emit(self, *tokens: str) -> None:
        self.tokens.extend(tokens)
        self.budget -= len(tokens)

    def pick(self, options: Sequence[Any]) -> Any:
        return self.draw(_one_of(tuple(options)))

    def repeat(self, most: int = 2) -> int:
        return 0 if self.budget <= 0 else self.draw(_between(0, most))

    def choose(self, count: int) -> int:
        return 0 if self.budget <= 0 else self.draw(_between(0, count - 1))

    def join(self) -> str:
        out = [self.tokens[0]]
        for before, after in zip(self.tokens, self.tokens[1:], strict=False):
            tight = before in PUNCTUATION or after in PUNCTUATION
            out.append(self.pick(("", " ", "\n") if tight else SPACES))
            out.append(after)
        return "".join(out)

    # pipeline: filtered ["if" words ["else" pipeline]]
    def pipeline(self, depth: int) -> None:
        self.filtered(depth)
        if depth > 0 and self.choose(5) == 4:
            self.emit("if")
            self.words(depth - 1)
            if self.choose(3):
                self.emit("else")
                self.pipeline(depth - 1)

    # filtered: ternary ("|" NAME [":" [args [","]]])*
    def filtered(self, depth: int) -> None:
        self.ternary(depth)
        for _ in range(self.repeat(1) if self.v.filters else 0):
            self.emit("|", self.pick(self.v.filters))
            positional, keyword = self.repeat(2), self.repeat(1)
            if positional + keyword or self.choose(4) == 3:  # (a colon may stand alone)
                self.emit(":")
                for i in range(positional):
                    if i:
                        self.emit(",")
                    self.ternary(depth - 1)
                for i in range(keyword):
                    if i or positional:
                        self.emit(",")
                    self.emit("d", ":")
                    self.ternary(depth - 1)
                if positional + keyword and self.choose(3) == 2:
                    self.emit(",")  # a trailing comma

    # ternary: words ["?" ternary ":" ternary]
    def ternary(self, depth: int) -> None:
        self.words(depth)
        if depth > 0 and self.choose(4) == 3:
            self.emit("?")
            self.ternary(depth - 1)
            self.emit(":")
            self.ternary(depth - 1)

    # words: "not" words | coalesce ("and" | "or") words | coalesce
    def words(self, depth: int) -> None:
        form = self.choose(4) if depth > 0 else 0
        if form == 1:
            self.emit("not")
            self.words(depth - 1)
        elif form == 2:
            self.coalesce(depth)
            self.emit(self.pick(("and", "or")))
            self.words(depth - 1)
        else:
            self.coalesce(depth)

    def chain(self, operators: Sequence[str], operand: Callable[[int], None], depth: int) -> None:
        operand(depth)
        for _ in range(self.repeat()):
            self.emit(self.pick(operators))
            operand(depth)

    def coalesce(self, depth: int) -> None:
        self.chain(("??",), self.cor, depth)

    def cor(self, depth: int) -> None:
        self.chain(("||",), self.cand, depth)

    def cand(self, depth: int) -> None:
        self.chain(("&&",), self.comparison, depth)

    def comparison(self, depth: int) -> None:
        self.sum(depth)
        if self.choose(3) == 2:
            self.emit(self.pick(COMPARE_TEXTS))
            self.sum(depth)

    def sum(self, depth: int) -> None:
        self.chain(("+", "-"), self.product, depth)

    def product(self, depth: int) -> None:
        self.chain(("*", "/", "%"), self.unary, depth)

    def unary(self, depth: int) -> None:
        for _ in range(self.repeat(2)):
            self.emit(self.pick(("-", "!")))
        self.postfix(depth)

    def postfix(self, depth: int) -> None:
        self.primary(depth)
        for _ in range(self.repeat(2)):
            if depth > 0 and self.choose(2) == 1:
                self.emit("[")
                self.ternary(depth - 1)
                self.emit("]")
            else:
                self.emit(".", self.pick(self.v.members))

    def primary(self, depth: int) -> None:
        form = self.choose(9) if depth > 0 else self.choose(4)
        if form == 0:
            self.emit(self.pick(self.v.names))
        elif form == 1:
            self.emit(self.pick(INT_TEXTS + FLOAT_TEXTS))
        elif form == 2:
            self.emit(self.string())
        elif form == 3:
            self.emit(self.pick(("true", "false", "nil", "null", "empty", "blank")))
        elif form == 4:
            self.emit("(")
            self.pipeline(depth - 1)
            self.emit(")")
        elif form == 5:
            name, count = self.pick(self.v.calls)
            self.emit(name, "(")
            for i in range(count):
                if i:
                    self.emit(",")
                self.ternary(depth - 1)
            self.emit(")")
        elif form == 6:
            self.emit("(")
            self.ternary(depth - 1)
            self.emit("..")
            self.ternary(depth - 1)
            self.emit(")")
        elif form == 7:
            self.emit("(")
            items = self.draw(_between(1, 3))
            for i in range(items):
                if i:
                    self.emit(",")
                self.ternary(depth - 1)
            if items == 1 or self.draw(_between(0, 1)):
                self.emit(",")
            self.emit(")")
        else:
            self.emit("[")
            self.ternary(depth - 1)
            self.emit("]")

    def string(self) -> str:
        quote = self.pick(("'", '"'))
        pieces = self.draw(_STRING_BODIES[quote])
        return quote + "".join(pieces) + quote


@st.composite
def expression_texts(draw: Any, vocabulary: TextVocabulary = TEXT_ANY, depth: int = 3) -> str:
    """Text that ``expression.lark`` accepts, with varied spacing and precedence."""
    text = _Text(draw, vocabulary, budget=draw(_between(1, 30)))
    text.pipeline(depth)
    return text.join()


# -- robustness inputs ------------------------------------------------------------------------

TOKENS = (
    "(", ")", "[", "]", ",", ".", "..", ":", "?", "|", "||", "&&", "&", "!", "-", "+", "*",
    "/", "%", "==", "!=", "<>", "<", ">", "<=", ">=", "=", *KEYWORDS, "a", "x", "items",
    "a-b", "a?", "size", "first", "last", "max", "min", "round", "int", "float", "str", "len",
    "slot", "abs", "f", "0", "1", "42", "007", "1.5", "1e3", "1e99999", "9" * 90, "'s'", '"s"',
    "'", '"', "'\\", "'\\u12'", "'\\x'", "\\", "\x00", "\ud800", "\u00e9", "\u2028", "\u00a0",
    "\U0001f600", "#", "@", "`", "{", "}", ";", "{{", "%}", " ", "\n", "\t",
)
REPEATED = (
    "(", "-", "!", "1+", "not ", "[", "a.", "a[", "x ? ", "f(", "max(", "(1,", "1..", "a and ",
    "1 || ", "1 && ", "-(", "!(", "'", "\\", "9", "0", ".", "..", "1 == ", "a ? b : ", "((1..2)",
    "| f ", ". size", "[0]", ".a", "a-", "\u00e9", "\x00", "))", "1,", "not(", "abs(",
)
TAILS = ("", "1", ")", "]", "'", "x", "1)", "0]", " : 1", ",)", "..2)")
NUMBERS = (
    "9" * 5000, "1e99999", "-1e99999", "1e-99999", "0" * 5000 + "1", "9" * 5000 + ".5",
    "0." + "0" * 5000 + "1", "1" + "0" * 4400, "9" * 81, "1" + "0" * 77, str(2**256),
    str(2**256 + 1), "-" + str(2**256), "1" + "0" * 400 + ".0", "1e308 * 10", "1.7e308 + 1e308",
)
robust_texts = st.one_of(
    st.text(),
    st.text(st.characters(exclude_categories=()), max_size=30),
    st.tuples(st.lists(st.sampled_from(TOKENS), max_size=40), st.sampled_from(("", " ")))
    .map(lambda parts: parts[1].join(parts[0])),
    st.builds(lambda unit, n, tail: unit * n + tail,
              st.sampled_from(REPEATED), st.integers(1, 5000), st.sampled_from(TAILS)),
    st.builds(lambda n, core: "(" * n + core + ")" * n,
              st.integers(1, 3000), st.sampled_from(("1", "x", "1, 2", "1..2", "x | f"))),
    st.sampled_from(NUMBERS),
    expression_texts(TEXT_EVALUABLE),
)


@st.composite
def mutated_texts(draw: Any) -> str:
    """Valid text with a few characters deleted, inserted or replaced."""
    text = draw(expression_texts(TEXT_EVALUABLE))
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(text)))
        insert = draw(st.sampled_from(TOKENS))
        match draw(st.integers(0, 2)):
            case 0:
                text = text[:at] + text[at + draw(st.integers(1, 4)):]
            case 1:
                text = text[:at] + insert + text[at:]
            case _:
                text = text[:at] + insert + text[at + 1:]
    return text


# -- helpers ------------------------------------------------------------------------------------


def compiled_outcome(function: Callable[[], Any]) -> tuple[str, Any]:
    """('value', v) or ('error', e) for an EvaluationError; anything else propagates."""
    try:
        with watchdog():
            return "value", function()
    except grammar.EvaluationError as error:
        return "error", error


def reference_outcome(function: Callable[[], Any]) -> tuple[str, Any]:
    try:
        return "value", function()
    except Failure as failure:
        return "error", failure
    except TooExpensive:
        assume(False)
        raise


def agree(expected: tuple[str, Any], actual: tuple[str, Any]) -> bool:
    if expected[0] != actual[0]:
        return False
    return expected[0] == "error" or same(expected[1], actual[1])


def describe(outcome: tuple[str, Any]) -> str:
    kind, value = outcome
    if kind == "error":
        return f"error: {getattr(value, 'message', value)}"
    return f"value: {value!r}"


def parse_or_reject(source: str) -> Node:
    try:
        return grammar.parse(source)
    except grammar.ExpressionSyntaxError:
        assume(False)
        raise


def check_constants(tree: Node, max_length: int) -> None:
    """Skip inputs where compile-time folding would iterate a huge range (tested apart)."""
    try:
        fold_check(tree, max_length=max_length)
    except TooExpensive:
        assume(False)


# -- 1. round trip -----------------------------------------------------------------------------


@PROPERTY
@given(trees(PRINTABLE, depth=4))
def test_printed_trees_parse_back_to_the_same_tree(tree: Node) -> None:
    text = grammar.unparse(tree)
    note(f"text: {text!r}")
    reparsed = grammar.parse(text)
    assert reparsed == tree
    assert grammar.unparse(reparsed) == text


@PROPERTY
@given(expression_texts())
def test_parsed_text_prints_and_parses_back(text: str) -> None:
    tree = grammar.parse(text)  # the text is valid by construction
    printed = grammar.unparse(tree)
    note(f"printed: {printed!r}")
    assert grammar.parse(printed) == tree
    assert grammar.unparse(grammar.parse(printed)) == printed


# -- 2. robustness -----------------------------------------------------------------------------


@PROPERTY
@given(
    st.one_of(robust_texts, mutated_texts()),
    datas,
    st.booleans(),
    st.sampled_from([None, FILTERS]),
    st.sampled_from([None, NAMES]),
)
def test_any_text_raises_only_expression_errors(
    source: str, data: dict[str, Any], strict: bool,
    filters: Mapping[str, Callable[..., Any]] | None, names: Sequence[str] | None,
) -> None:
    try:
        with watchdog():
            expression = grammar.compile(source, strict=strict, filters=filters, names=names)
            expression.evaluate(data)
    except grammar.ExpressionError as error:
        check_error(error, source)
    except Hang:
        pytest.fail(f"compile/evaluate of {source[:200]!r} did not finish in {HANG_SECONDS} s")


def check_error(error: grammar.ExpressionError, source: str) -> None:
    """A syntax error points into the text (or just past it); every error prints."""
    if isinstance(error, grammar.ExpressionSyntaxError):
        assert error.position is not None, f"{error.message!r} has no position"
    if error.position is not None:
        assert 0 <= error.position <= len(source), (
            f"{error.message!r} at {error.position}, outside {source[:200]!r}"
        )
    assert error.message in str(error)


SUBPROCESS_HANGS = [
    # float membership in a huge range scans it element by element (in C, unstoppable)
    ("2.5 in (0..9223372036854775807)", "{}"),
    ("x in y", "{'x': 2.5, 'y': range(0, 2**63)}"),
]
PATHOLOGICAL = [
    "(" * 5000, "-" * 5000 + "1", "!" * 5000 + "x", "1+" * 5000 + "1", "not " * 5000 + "x",
    "[" * 5000, "a." * 5000 + "b", "a" + "[0]" * 5000, "(" * 5000 + "1" + ")" * 5000,
    "x ? " * 3000 + "1" + " : 2" * 3000, "f(" * 5000, "max(" * 5000, "'" + "a" * 5000,
    "'\\", "'\\u12'", "\x00", "'\x00'", "a\x00b", "\ud800", "'\ud800'", "\u00e9" * 1000,
    "a-" * 3000 + "b", *NUMBERS,
    "round(1e300)", "round(123456789012345678901234567890, -1)", "round(x)", "round(1.5, 400)",
    "int('+-5')", "int('\u00b2')", "int(s)", "float('1e999')", "str(2 * x)",
    "(0..1180591620717411303424) == (0..1)", "(0..1180591620717411303424) == empty",
    "(0..x) == (1, 2)", "max((1..100000000))", "str((1..100000000))", "str(((1..100000000),))",
    "str((1, (1..100000000)))", "((1..100000000),) == ((1..100000000),)",
    "(1..100000000) == (1..100000000)", "(0..x) contains 1.5",
]


@pytest.mark.parametrize("source", PATHOLOGICAL, ids=lambda s: repr(s[:40]))
def test_pathological_text_raises_only_expression_errors(source: str) -> None:
    data = {"x": 1e300, "s": "+-5", "a": {"b": [1]}}
    try:
        with watchdog():
            grammar.compile(source).evaluate(data)
    except grammar.ExpressionError as error:
        check_error(error, source)
    except Hang:
        pytest.fail(f"{source[:80]!r} did not finish in {HANG_SECONDS} s")


@pytest.mark.parametrize(("source", "data"), SUBPROCESS_HANGS)
def test_float_membership_in_a_huge_range_finishes(source: str, data: str) -> None:
    program = (
        "import grammar\n"
        "try:\n"
        f"    grammar.compile({source!r}).evaluate({data})\n"
        "except grammar.ExpressionError:\n"
        "    pass\n"
    )
    try:
        subprocess.run([sys.executable, "-c", program], check=True, timeout=10,
                       capture_output=True)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{source!r} with {data} did not finish in 10 s")


# -- 3. differential ---------------------------------------------------------------------------


@st.composite
def evaluable_sources(draw: Any, count: int = 1, depth: int = 4) -> list[str]:
    """``count`` sources: grammar-shaped text, or printed trees that share sub-expressions."""
    pool = draw(st.lists(trees(EVALUABLE, 2), min_size=1, max_size=4))
    sources = []
    for _ in range(count):
        if draw(_between(0, 3)) == 0:
            sources.append(draw(expression_texts(TEXT_EVALUABLE)))
        else:
            tree = draw(trees(EVALUABLE, depth, holes=True))
            sources.append(grammar.unparse(fill(tree, pool)))
    return sources


OPTIONS = st.fixed_dictionaries({
    "strict": st.booleans(),
    "max_length": st.sampled_from([reference.MAX_LENGTH, reference.MAX_LENGTH, 4, 8]),
})


@PROPERTY
@given(evaluable_sources(), datas, OPTIONS)
def test_compiled_evaluation_agrees_with_the_reference(
    sources: list[str], data: dict[str, Any], options: dict[str, Any]
) -> None:
    [source] = sources
    event(f"outcome: {assert_agrees(source, data, options)}")


def assert_agrees(source: str, data: dict[str, Any], options: dict[str, Any]) -> str:
    """Compiled and reference evaluation agree; returns 'value' or 'error'."""
    tree = parse_or_reject(source)
    check_constants(tree, options["max_length"])
    expected = reference_outcome(lambda: Reference(data, filters=FILTERS, **options)
                                 .evaluate(tree))
    with watchdog():
        expression = grammar.compile(source, filters=FILTERS, **options)
    actual = compiled_outcome(lambda: expression.evaluate(data))
    assert agree(expected, actual), (
        f"{source!r} with {data!r} ({options}): expected {describe(expected)}, "
        f"got {describe(actual)}"
    )
    return expected[0]


# One operation at a time, on any two values: every operator meets every kind of value.
SMALL_FORMS = (
    "!x", "not x", "x ? 1 : 2", "x || 'other'", "x && 'other'", "x and y", "x or y",
    "x == y", "x != y", "x < y", "x <= y", "x > y", "x >= y", "x contains y", "x in y",
    "x + y", "x - y", "x * y", "x / y", "x % y", "-x", "x + 1", "x * 2", "x / 2", "x % 3",
    "x == 1", "x == 'a'", "x != ''", "x == true", "x < 3", "x contains 'a'", "1 in x",
    "x == empty", "x == blank", "x == nil", "x.size", "x.first", "x.last", "x.a", "x[0]",
    "x[-1]", "x[y]", "[x]", "(x..y)", "(0..x)", "(x, y)", "(x,) contains y", "str(x)",
    "len(x)", "min(x)", "max(x, y)", "abs(x)", "round(x)", "int(x)", "float(x)",
    "lower(x)", "slot(x, 7)", "x | twice", "x | or_else: y", "x ? x : y", "x && x.size",
    "x ?? y", "x.a ?? y", "x[0] ?? 'd'", "x.a.b ?? y", "x.a || y", "x[1] or y",
    "x.a | default: y", "x.a | default: y,", "x | twice: | or_else: y,", "x.a if y else x.b",
    "x.a if y", "(x.a && x.b) ?? y", "(y ? x.a : x.b) ?? 1", "x.a ?? y.b", "z ?? x",
    "z.a ?? x.a", "[y] ?? x", "x[y] ?? x.size",
)


@PROPERTY
@given(st.sampled_from(SMALL_FORMS), values(), values(), OPTIONS)
def test_each_operation_agrees_with_the_reference_on_any_values(
    form: str, x: Any, y: Any, options: dict[str, Any]
) -> None:
    event(f"outcome: {assert_agrees(form, {'x': x, 'y': y}, options)}")


# Inputs the properties found (or that sit next to them), kept as fixed cases.
FOUND: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("((empty,),)", {}, {}),
    ("((1, (blank, nil)), 2)", {}, {}),
    ("blank == empty", {}, {}),
    ("(blank,) contains empty", {}, {}),
    ("not a", {"a": Box(0)}, {}),
    ("a || 4", {"a": Box(0.0)}, {}),
    ("a ? 1 : 2", {"a": Box(0)}, {}),
    ("[0]", {}, {"strict": True}),
    ("[a]", {"a": None}, {"strict": True}),
    ("[a]", {"a": "zz"}, {"strict": True}),
    ("'abcde' + 'abcde'", {}, {"max_length": 8}),
    ("(1, 2, 3) + (4, 5, 6)", {}, {"max_length": 4}),
    ("str(262823.9919242018)", {}, {"max_length": 8}),
    ("((a | or_else), 2)", {}, {}),
    ("((a | or_else)..2)", {}, {}),
    ("round(1e300)", {}, {}),
    ("round(x)", {"x": 1e300}, {}),
    ("int('+-5')", {}, {}),
    ("(0..1180591620717411303424) == (0..1)", {}, {}),
    ("(0..x) == empty", {"x": 2**70}, {}),
    ("x in y", {"x": 2, "y": range(0, 2**63)}, {}),
    ("- 0.a", {}, {"strict": True}),
    ("[[0.A]<0]", {}, {"strict": True}),
]


@pytest.mark.parametrize(("source", "data", "options"), FOUND, ids=[f[0] for f in FOUND])
def test_found_cases_agree_with_the_reference(
    source: str, data: dict[str, Any], options: dict[str, Any]
) -> None:
    assert_agrees(source, data, {"strict": False, "max_length": reference.MAX_LENGTH, **options})


@PROPERTY
@given(
    st.integers(2, 3).flatmap(lambda count: evaluable_sources(count, depth=3)),
    datas,
    OPTIONS,
)
def test_compiled_set_agrees_with_the_reference(
    sources: list[str], data: dict[str, Any], options: dict[str, Any]
) -> None:
    trees_ = [parse_or_reject(source) for source in sources]
    for tree in trees_:
        check_constants(tree, options["max_length"])
    expected = [
        reference_outcome(lambda t=tree: Reference(data, filters=FILTERS, **options).evaluate(t))
        for tree in trees_
    ]
    with watchdog():
        rules = grammar.compile_set(sources, filters=FILTERS, **options)
    actual = compiled_outcome(lambda: rules.evaluate(data))
    failed = [i for i, outcome in enumerate(expected) if outcome[0] == "error"]
    if failed:
        assert actual[0] == "error", (
            f"{sources!r} with {data!r} ({options}): expression {failed[0]} should fail "
            f"({describe(expected[failed[0]])}), the set gave {describe(actual)}"
        )
        return
    assert actual[0] == "value", (
        f"{sources!r} with {data!r} ({options}): expected "
        f"{[describe(e) for e in expected]}, the set gave {describe(actual)}"
    )
    for i, (outcome, value) in enumerate(zip(expected, actual[1], strict=True)):
        assert same(outcome[1], value), (
            f"{sources!r} with {data!r} ({options}): expression {i} {sources[i]!r} should "
            f"give {describe(outcome)}, the set gave {value!r}"
        )
    # truthy=True gives exactly the truthiness of those values, as real bools
    with watchdog():
        claims = grammar.compile_set(sources, filters=FILTERS, truthy=True, **options)
    assert claims.evaluate(data) == tuple(grammar.truthy(value) for value in actual[1])
    assert all(type(claim) is bool for claim in claims.evaluate(data))


@st.composite
def operands(draw: Any) -> Node:
    """Half of the time ``true``/``false``/``nil``/``empty``/``blank``, else a small tree."""
    if draw(st.booleans()):
        return draw(st.sampled_from(SPECIAL_LITERALS))
    return draw(trees(EVALUABLE, 1))


@PROPERTY
@given(operands(), operands(), datas, st.sampled_from(["==", "!=", "contains"]))
def test_equality_is_symmetric(left: Node, right: Node, data: dict[str, Any], op: str) -> None:
    """``a == b`` is ``b == a``, ``!=`` is its negation, and ``(a,) contains b`` is ``a == b``."""
    a, b = grammar.unparse(left), grammar.unparse(right)
    forms = {"==": (f"{a} == {b}", f"{b} == {a}"), "!=": (f"{a} != {b}", f"!({b} == {a})"),
             "contains": (f"({a},) contains {b}", f"{b} == {a}")}[op]
    for form in forms:  # skip inputs the implementation would spend minutes on
        tree = grammar.parse(form)
        check_constants(tree, reference.MAX_LENGTH)
        reference_outcome(lambda t=tree: Reference(data, filters=FILTERS).evaluate(t))
    outcomes = [compiled_outcome(lambda f=form: grammar.evaluate(f, data, filters=FILTERS))
                for form in forms]
    assert agree(*outcomes), f"{forms[0]!r} and {forms[1]!r} differ on {data!r}"
