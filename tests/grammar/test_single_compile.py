"""One expression compiled alone (issue 14): the function returns where its value is
computed, a chain's comparisons are tested in its ``if``s, and a test whose variable
nothing else reads is threaded into the next ``if`` (``grammar.pyast``). The values,
the full equality for values that are not plain data, and the errors' positions stay."""

from __future__ import annotations

import ast
from typing import Any

import pytest

from ladle import grammar
from ladle.grammar.pyast import return_last, thread_tests


class Drop:
    """A value that is not plain data, read by Liquid's rules through ``__liquid__``."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __liquid__(self) -> Any:
        return self.value


RULE = "tag == 'lossless' && (id % 100) >= 48 && (id % 100) <= 96"


@pytest.mark.parametrize(("record", "claimed"), [
    ({"tag": "lossless", "id": 93}, True),
    ({"tag": "lossless", "id": 97}, False),
    ({"tag": "lossless", "id": 47}, False),
    ({"tag": "lossy", "id": 93}, False),
    ({"id": 93}, False),
    ({"tag": Drop("lossless"), "id": 93}, True),  # the full rule where Python says no
    ({"tag": Drop("lossy"), "id": 93}, False),
    ({"tag": "lossless", "id": -7}, True),  # -7 % 100 is 93
    ({"tag": "lossless", "id": 2**64 + 50}, True),
    ({"tag": "lossless", "id": 150.5}, True),
])
def test_a_rule_compiled_alone_claims_what_the_set_claims(record: dict[str, Any],
                                                         claimed: bool) -> None:
    assert grammar.compile(RULE).evaluate(record) is claimed
    assert grammar.compile_set([RULE]).evaluate(record) == (claimed,)


@pytest.mark.parametrize(("source", "data", "value"), [
    ("a && b", {"a": 1, "b": "x"}, "x"),
    ("a && b", {"a": 0, "b": "x"}, "x"),  # 0 is truthy in Liquid
    ("a && b", {"a": False, "b": "x"}, False),
    ("a && b", {"b": "x"}, None),
    ("a || b", {"a": "", "b": [1]}, ""),  # "" is truthy in Liquid
    ("a || b", {"a": False, "b": [1]}, [1]),
    ("x > 1 && y", {"x": 2, "y": "yes"}, "yes"),
    ("x > 1 && y", {"x": 1, "y": "yes"}, False),
    ("x > 1 || y", {"x": 1, "y": "yes"}, "yes"),
    ("x > 1 || y", {"x": 2, "y": "yes"}, True),
    ("x ?? 5", {}, 5),
    ("flag == true", {"flag": True}, True),
    ("flag == true", {"flag": False}, False),
    ("flag == true", {"flag": 1}, False),
    ("flag == true", {"flag": Drop(True)}, True),
    ("flag != false", {"flag": Drop(False)}, False),
    ("name != 'x'", {"name": "x"}, False),
    ("name != 'x'", {"name": Drop("x")}, False),
    ("name != 'x'", {"name": None}, True),
    ("(name == 'x') == true", {"name": "x"}, True),
    ("tag == 'a' && tag == 'a'", {"tag": "a"}, True),  # one test read twice
])
def test_values_are_the_language_s(source: str, data: dict[str, Any], value: Any) -> None:
    assert grammar.compile(source).evaluate(data) == value
    assert type(grammar.compile(source).evaluate(data)) is type(value)


def test_an_error_in_a_threaded_test_keeps_its_position() -> None:
    class Failing:
        def __liquid__(self) -> Any:
            raise ValueError("no value")

    expression = grammar.compile("tag == 'lossless' && id > 1")
    with pytest.raises(grammar.EvaluationError) as caught:
        expression.evaluate({"tag": Failing(), "id": 5})
    assert caught.value.position == 4  # at the ==
    with pytest.raises(grammar.EvaluationError) as caught:
        grammar.compile("tag == 'lossless' && id % 0 > 1").evaluate({"tag": "lossless",
                                                                     "id": 5})
    assert caught.value.position == 24  # at the %


def statements(source: str) -> list[ast.stmt]:
    return ast.parse(source).body


def unparse(body: list[ast.stmt]) -> str:
    return ast.unparse(ast.Module(body=body, type_ignores=[]))


def test_return_last_returns_what_the_last_statements_would_set() -> None:
    body = statements("if a:\n    t = 1\nelse:\n    u = 2\n")
    return_last(body, ast.Name(id="t", ctx=ast.Load()), 1)
    assert unparse(body) == "if a:\n    return 1\nelse:\n    u = 2\n    return t"
    body = statements("t = 1\nif a:\n    t = 2\n")
    return_last(body, ast.Name(id="t", ctx=ast.Load()), 1)
    assert unparse(body) == "t = 1\nif a:\n    t = 2\nreturn t"
    body = statements("t = 1\n")
    return_last(body, ast.Tuple(elts=[], ctx=ast.Load()), 1)
    assert unparse(body) == "t = 1\nreturn ()"


def test_thread_tests_threads_only_a_variable_read_once() -> None:
    source = "if q:\n    t = True\nelse:\n    t = r\nif t:\n    x = 1\n"
    body = statements(source)
    thread_tests(body)
    assert unparse(body) == "if q or r:\n    x = 1"
    body = statements(source + "y = t\n")  # read again: the variable stays
    thread_tests(body)
    assert unparse(body) == unparse(statements(source + "y = t\n"))
    nested = statements("try:\n    " + source.replace("\n", "\n    ").rstrip() + "\n"
                        "except E:\n    pass\n")
    thread_tests(nested)
    assert unparse(nested) == "try:\n    if q or r:\n        x = 1\nexcept E:\n    pass"
