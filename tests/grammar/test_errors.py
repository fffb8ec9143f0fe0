"""Errors say what went wrong and exactly where (design/expressions.md, "Errors")."""

from __future__ import annotations

from typing import Any

import pytest

from ladle import grammar
from ladle.grammar import EvaluationError, ExpressionError, ExpressionSyntaxError

FILTERS = {"f": lambda value, *args, **kwargs: value}


def syntax_error(source: str, **options: Any) -> ExpressionSyntaxError:
    with pytest.raises(ExpressionSyntaxError) as caught:
        grammar.compile(source, **options)
    return caught.value


def evaluation_error(source: str, data: dict[str, Any], **options: Any) -> EvaluationError:
    expression = grammar.compile(source, **options)
    with pytest.raises(EvaluationError) as caught:
        expression.evaluate(data)
    return caught.value


# -- syntax errors: message fragment, 0-based position, 1-based line and column -------------

SYNTAX_ERRORS = [
    ("tag == 'lossless' &&", "expected an expression after '&&'", 20, 1, 21),
    ("1 +", "after '+'", 3, 1, 4),
    ("1 + ", "after '+'", 4, 1, 5),
    ("1 + * 2", "after '+'", 4, 1, 5),
    ("a < b < c", "'<'", 6, 1, 7),
    ("a == b != c", "'!='", 7, 1, 8),
    ("a < b contains c", "'contains'", 6, 1, 7),
    ("a?b:c", "a ? b : c", 2, 1, 3),
    ("a ? b", "':'", 5, 1, 6),
    ("a ? b :", "after ':'", 7, 1, 8),
    ("(1", "')'", 2, 1, 3),
    ("(1, 2", "')'", 5, 1, 6),
    ("(1..2", "')'", 5, 1, 6),
    ("min(1", "')'", 5, 1, 6),
    ("x[", "after '['", 2, 1, 3),
    ("x[1", "']'", 3, 1, 4),
    ("x.", "after '.'", 2, 1, 3),
    ("'abc", "unterminated", 0, 1, 1),
    ("x == 'ab\\qc'", "'\\q'", 8, 1, 9),
    ('"a\\x"', "'\\x'", 2, 1, 3),
    ("1 & 2", "'&&'", 2, 1, 3),
    ("1 $ 2", "'$'", 2, 1, 3),
    ("1 2", "'2'", 2, 1, 3),
    ("()", "empty", 1, 1, 2),
    ("a | ", "filter name", 4, 1, 5),
    ("a | f: ,", "filter argument", 7, 1, 8),
    ("a | f: 1,,", "filter argument", 9, 1, 10),
    ("a if", "after 'if'", 4, 1, 5),
    ("a if b else", "after 'else'", 11, 1, 12),
    ("a ?? )", "after '??'", 5, 1, 6),
    ("a??b", "'a?' is one name", 0, 1, 1),
    ("* 2", "'*'", 0, 1, 1),
    ("", "expected an expression", 0, 1, 1),
    ("   ", "expected an expression", 3, 1, 4),
    ("not", "after 'not'", 3, 1, 4),
    ("a and", "after 'and'", 5, 1, 6),
    ("!", "after '!'", 1, 1, 2),
    ("a\t&& )", "')'", 5, 1, 6),
    ("\u00e9 + )", "')'", 4, 1, 5),
    ("x in ('a' 'b')", "'b'", 10, 1, 11),
    # Several lines.
    ("a\n&& b\n&& ", "after '&&'", 10, 3, 4),
    ("a &&\n  b ||\n  )", "after '||'", 14, 3, 3),
    ("a\n  + 'x\\z'", "'\\z'", 8, 2, 7),
    ("x ==\n  'ab\n", "unterminated", 7, 2, 3),
    ("a ==\n", "after '=='", 5, 2, 1),
    ("a &&\r\n)", "')'", 6, 2, 1),
    ("a\nb", "'b'", 2, 2, 1),
    ("1 +\n  foo(2)", "unknown function 'foo'", 6, 2, 3),
    ("x\n  | nope", "unknown filter 'nope'", 6, 2, 5),
]


@pytest.mark.parametrize(("source", "fragment", "position", "line", "column"), SYNTAX_ERRORS)
def test_syntax_error_positions(
    source: str, fragment: str, position: int, line: int, column: int
) -> None:
    error = syntax_error(source, filters=FILTERS)
    assert fragment in error.message
    assert isinstance(error, ExpressionError)
    assert error.source == source
    assert (error.position, error.line, error.column) == (position, line, column)


def test_the_example_of_the_design() -> None:
    error = syntax_error("tag == 'lossless' &&")
    assert error.message == "expected an expression after '&&'"
    assert error.column == 21
    assert str(error) == (
        "expected an expression after '&&'\n"
        "  tag == 'lossless' &&\n"
        "                      ^ (line 1, column 21)"
    )


# -- end of input: just past the last character, never -1 ---------------------------------

END_OF_INPUT = [
    "tag == 'lossless' &&",
    "1 +",
    "a ? b",
    "a ? b :",
    "(1",
    "((1, 2",
    "(1..",
    "f(1,",
    "x[",
    "x.",
    "x |",
    "x | f: a, k:",
    "a if b else",
    "a ??",
    "not",
    "-",
    "a or",
    "a ==",
    "a\n  &&",
    "a &&\n  b ||",
    "[1",
    "a contains",
]


@pytest.mark.parametrize("source", END_OF_INPUT)
def test_end_of_input_errors_point_just_past_the_last_character(source: str) -> None:
    error = syntax_error(source, filters=FILTERS)
    last_line = source.split("\n")[-1]
    assert error.position == len(source)
    assert error.line == source.count("\n") + 1
    assert error.column == len(last_line) + 1
    assert "-1" not in str(error)
    caret_line = str(error).split("\n")[-1]
    where = f"(line {error.line}, column {error.column})"
    assert caret_line == "  " + " " * len(last_line) + "^ " + where


# -- the caret excerpt ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "a < b < c",
            "  a < b < c\n        ^ (line 1, column 7)",
        ),
        (
            "a &&\n  b ||\n  )",
            "    )\n    ^ (line 3, column 3)",
        ),
        (
            "x == 1 &&\n  'a\\q' == y",
            "    'a\\q' == y\n      ^ (line 2, column 5)",
        ),
        (
            "a\t&& )",
            "  a\t&& )\n   \t   ^ (line 1, column 6)",
        ),
        (
            "1 $ 2",
            "  1 $ 2\n    ^ (line 1, column 3)",
        ),
    ],
)
def test_str_shows_the_source_line_with_a_caret(source: str, expected: str) -> None:
    error = syntax_error(source)
    assert str(error) == f"{error.message}\n{expected}"


# -- origin: positions in the host's text ----------------------------------------------------


@pytest.mark.parametrize(
    ("host", "expression", "position", "line", "column", "host_line"),
    [
        (
            "{% if tag == 'lossless' && %}",
            "tag == 'lossless' &&",
            26, 1, 27,
            "{% if tag == 'lossless' && %}",
        ),
        ("<p>\n{% if a and\n   b == %}\n", "a and\n   b ==", 23, 3, 8, "   b == %}"),
        ('{"rule": "x >"}', "x >", 13, 1, 14, '{"rule": "x >"}'),
        ("line1\nline2 {{ x | nope }}", "x | nope", 19, 2, 14, "line2 {{ x | nope }}"),
        ("a\n\tb: 'x\\q'", "'x\\q'", 8, 2, 7, "\tb: 'x\\q'"),
    ],
)
def test_origin_relocates_syntax_errors(
    host: str, expression: str, position: int, line: int, column: int, host_line: str
) -> None:
    offset = host.index(expression)
    error = syntax_error(expression, origin=(host, offset), filters=FILTERS)
    assert error.source == host
    assert (error.position, error.line, error.column) == (position, line, column)
    rendered = str(error).split("\n")
    assert rendered[1] == "  " + host_line
    assert rendered[2].endswith(f"^ (line {line}, column {column})")
    assert rendered[2].index("^") - 2 == column - 1


@pytest.mark.parametrize(
    ("host", "expression", "data", "options", "position", "line", "column"),
    [
        ('{"rule": "x / y"}', "x / y", {"x": 1, "y": 0}, {}, 12, 1, 13),
        ("{% if a and\n  b < 'z' %}", "a and\n  b < 'z'", {"a": 1, "b": 2}, {}, 16, 2, 5),
        ("{{ missing }}", "missing", {}, {"strict": True}, 3, 1, 4),
        ("x\n{{ 1 + fail() }}", "1 + fail()", {}, {}, 9, 2, 8),
    ],
)
def test_origin_relocates_evaluation_errors(
    host: str,
    expression: str,
    data: dict[str, Any],
    options: dict[str, Any],
    position: int,
    line: int,
    column: int,
) -> None:
    def fail() -> None:
        raise ValueError("no")

    offset = host.index(expression)
    compiled = grammar.compile(
        expression, origin=(host, offset), functions={"fail": fail}, **options
    )
    assert compiled.source == expression  # the expression keeps its own text
    with pytest.raises(EvaluationError) as caught:
        compiled.evaluate(data)
    error = caught.value
    assert error.source == host
    assert (error.position, error.line, error.column) == (position, line, column)


def test_origin_relocates_unknown_names() -> None:
    host = "layout:\n  width: widht - 10\n"
    expression = "widht - 10"
    offset = host.index(expression)
    error = syntax_error(expression, origin=(host, offset), names={"width"})
    assert "did you mean 'width'" in error.message
    assert (error.position, error.line, error.column) == (offset, 2, 10)


# -- evaluation errors carry the position of what failed ------------------------------------


@pytest.mark.parametrize(
    ("source", "data", "position", "line", "column"),
    [
        ("a + b * c", {"a": 1, "b": "x", "c": 2}, 6, 1, 7),
        ("a * b + c", {"a": 1, "b": 2, "c": "x"}, 6, 1, 7),
        ("x / y", {"x": 1, "y": 0}, 2, 1, 3),
        ("x % y", {"x": 1, "y": 0}, 2, 1, 3),
        ("1 + 1 / 0", {}, 6, 1, 7),
        ("'a' * 3", {}, 4, 1, 5),
        ("x < y", {"x": 1, "y": "a"}, 2, 1, 3),
        ("x >= y", {"x": [], "y": 1}, 2, 1, 3),
        ("x contains 1", {"x": 5}, 2, 1, 3),
        ("1 in x", {"x": 5}, 2, 1, 3),
        ("-x", {"x": "a"}, 0, 1, 1),
        ("1 + -x", {"x": "a"}, 4, 1, 5),
        ("1 + max(x, 'a')", {"x": 1}, 4, 1, 5),
        ("a.b\n + (c / d)", {"a": {"b": 1}, "c": 1, "d": 0}, 10, 2, 7),
        ("a\n  && b.c / 0", {"a": 1, "b": {"c": 1}}, 11, 2, 10),
        ("x ? y + 1 : 0", {"x": 1, "y": "s"}, 6, 1, 7),
        ("x | f: y / 0", {"x": 1, "y": 1}, 9, 1, 10),
    ],
)
def test_evaluation_errors_point_at_the_failing_operator(
    source: str, data: dict[str, Any], position: int, line: int, column: int
) -> None:
    error = evaluation_error(source, data, filters=FILTERS)
    assert error.source == source
    assert (error.position, error.line, error.column) == (position, line, column)
    assert str(error).endswith(f"^ (line {line}, column {column})")


@pytest.mark.parametrize(
    ("source", "data", "position"),
    [
        ("missing", {}, 0),
        ("a +\n  missing", {"a": 1}, 6),
        ("x | boom", {"x": 1}, 4),
        ("x | f | boom", {"x": 1}, 8),
        ("1 + boom2()", {}, 4),
    ],
)
def test_evaluation_errors_point_at_the_failing_name(
    source: str, data: dict[str, Any], position: int
) -> None:
    def boom(*args: Any) -> Any:
        raise RuntimeError("boom")

    error = evaluation_error(
        source,
        data,
        strict=True,
        filters={**FILTERS, "boom": boom},
        functions={"boom2": boom},
    )
    assert error.position == position


def test_evaluation_error_str_shows_the_line() -> None:
    error = evaluation_error("a &&\n  x / y", {"a": 1, "x": 1, "y": 0})
    assert str(error) == "division by zero\n    x / y\n      ^ (line 2, column 5)"


def test_error_classes() -> None:
    assert issubclass(ExpressionSyntaxError, ExpressionError)
    assert issubclass(EvaluationError, ExpressionError)
    assert issubclass(ExpressionError, Exception)
    assert not issubclass(EvaluationError, ExpressionSyntaxError)


@pytest.mark.parametrize("module", ["ladle.grammar.errors", "ladle.rules.assignments"])
def test_docstring_examples(module: str) -> None:
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0 and result.failed == 0


def test_a_long_line_is_cut_around_the_caret_and_a_short_one_is_not() -> None:
    from ladle.grammar.errors import EXCERPT_WIDTH, caret_excerpt

    short = "x" * EXCERPT_WIDTH
    assert caret_excerpt(short, 5) == short + "\n     ^"
    text, caret = caret_excerpt("\tab" + "c" * 500, 1).split("\n")
    assert (text, caret) == ("\tab" + "c" * 78 + "…", "\t^")  # cut at the end only
    text, caret = caret_excerpt("a" * 500 + "\n" + "b" * 10, 499).split("\n")
    assert (text, caret) == ("…" + "a" * 81, " " * 81 + "^")  # cut at the start only
    error = syntax_error("1 + " + "(1 + " * 5 + "x " + " " * 400)
    assert len(str(error).split("\n")[1]) < EXCERPT_WIDTH + 10
