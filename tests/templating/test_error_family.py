"""Errors of one family: every syntax error in a template, in the page itself or in a partial
it renders, includes or extends, is a ``templating.TemplateSyntaxError`` naming the file that
holds the mistake, with its 1-based line and column and a caret; ``ladle render`` and
``ladle check`` print it positioned and exit with their documented codes."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from liquid import DictLoader

from ladle import cli, templating

# (broken text, line, column, start of the message). Each is put on line 2 after two
# spaces, so a column is 2 more than the offset in the broken text.
BROKEN = [
    ("{{ 1 + }}", 2, 9, "expected an expression after '+'"),
    ("{% if %}{% endif %}", 2, 8, "missing expression after 'if'"),
    ("{% for x in y %}", 2, 6, "'{% for %}' on line 2 is never closed: expected '{% endfor %}'"),
    ("{% nope %}", 2, 6, "unexpected tag 'nope'"),
    ("{{ x ", 2, 3, "expected '}}', found end of file"),
    ("{% if x %}{% endfor %}", 2, 16, "unexpected tag 'endfor'"),
    ("{% render %}", 2, 12, "missing expression after 'render'"),
    ("{% render 1 %}", 2, 13, "expected the name of a partial, in quotes, after 'render'"),
    ("{% render 'q', n: 1 + %}", 2, 24, "expected an expression after '+'"),
    ("{% render 'q' with %}", 2, 21, "expected an expression after 'with'"),
    ("{% render 'q' for x as %}", 2, 25, "expected a name after 'as'"),
    ("{% render 'q' n: 1 m: 2 %}", 2, 22, "unexpected 'm' after the value of 'n'"),
    ("{% include 'q' with %}", 2, 22, "expected an expression after 'with'"),
    ("{% include 'q', n: (1 %}", 2, 24, "expected ')'"),
    ("{% cycle 'a',, 'b' %}", 2, 16, "expected an argument between two commas"),
    ("{% cycle 'g': %}", 2, 12, "expected at least one value to cycle through"),
    ("{% cycle 1 + %}", 2, 15, "expected an expression after '+'"),
    ("{% tablerow x in %}{% endtablerow %}", 2, 19, "expected an expression after 'in'"),
    ("{% tablerow x in y cols: 1 + %}{% endtablerow %}", 2, 31,
     "expected an expression after '+'"),
    ("{% tablerow x in y %}", 2, 6, "'{% tablerow %}' on line 2 is never closed"),
    ("{% with a: %}{% endwith %}", 2, 13, "expected an expression after 'a:'"),
    ("{% with a 1 %}{% endwith %}", 2, 11, "expected 'name: value', found 'a'"),
    ("{% with a: 1 %}", 2, 6, "'{% with %}' on line 2 is never closed: expected '{% endwith %}'"),
    ("{% macro 'f' a: 1 + %}{% endmacro %}", 2, 22, "expected an expression after '+'"),
    ("{% macro 'f' 1 %}{% endmacro %}", 2, 16, "expected a parameter name, found '1'"),
    ("{% macro 'f' %}", 2, 6, "'{% macro %}' on line 2 is never closed"),
    ("{% call 'f' 1 + %}", 2, 18, "expected an expression after '+'"),
    ("{% call 'f' k: %}", 2, 17, "expected an expression after 'k:'"),
    ("{% call %}", 2, 10, "missing expression after 'call'"),
    ("{% extends %}", 2, 6, "missing expression"),
    ("{% block %}{% endblock %}", 2, 6, "missing expression"),
    ("{% liquid\nif\nendif %}", 3, 3, "missing expression after 'if'"),
]
IDS = [broken for broken, *_ in BROKEN]
# How a page reaches a partial: the partial's errors name the partial.
PAGES = {
    "render": "x\n{% render 'p.liquid' %}",
    "include": "x\n{% include 'p.liquid' %}",
    "extends": "{% extends 'p.liquid' %}",
}


def check(error: BaseException, file: str, line: int, column: int, message: str) -> None:
    assert type(error) is templating.TemplateSyntaxError, repr(error)
    assert (error.file, error.line, error.column) == (file, line, column), repr(error)
    assert error.message.startswith(message), error.message
    text = str(error)
    assert f"-> {file}:{line}:{column}\n" in text
    caret = text.splitlines()[-1]
    assert caret.index("^") - caret.index("|") - 2 == column - 1, text  # under the column


@pytest.mark.parametrize("compiled", [True, False])
@pytest.mark.parametrize(("broken", "line", "column", "message"), BROKEN, ids=IDS)
def test_a_syntax_error_in_a_template_names_its_file_line_and_column(
        broken: str, line: int, column: int, message: str, compiled: bool) -> None:
    source = "a\n  " + broken
    env = templating.Environment(compiled=compiled)
    with pytest.raises(templating.TemplateSyntaxError) as caught:
        env.from_string(source, name="page.liquid")
    check(caught.value, "page.liquid", line, column, message)


@pytest.mark.parametrize("page", sorted(PAGES))
@pytest.mark.parametrize(("broken", "line", "column", "message"), BROKEN, ids=IDS)
def test_a_syntax_error_in_a_partial_names_the_partial(broken: str, line: int, column: int,
                                                       message: str, page: str) -> None:
    loader = DictLoader({"p.liquid": "a\n  " + broken, "q": ""})
    for compiled in (True, False):
        env = templating.Environment(loader=loader, compiled=compiled)
        template = env.from_string(PAGES[page], name="page.liquid")
        with pytest.raises(templating.TemplateSyntaxError) as caught:
            template.render()
        check(caught.value, "p.liquid", line, column, message)


@pytest.mark.parametrize("tag", ["render", "include"])
@pytest.mark.parametrize("compiled", [True, False])
def test_a_missing_partial_says_where_the_loader_looked(tag: str, compiled: bool,
                                                        tmp_path: Path) -> None:
    (tmp_path / "row.html").write_text("x")
    env = templating.Environment(loader=templating.FileSystemLoader(tmp_path),
                                 compiled=compiled)
    template = env.from_string(f"<p>\n  {{% {tag} 'rwo.html' %}}</p>", name="page.html")
    with pytest.raises(templating.TemplateNotFound) as caught:
        template.render()
    error = caught.value
    assert (error.file, error.line, error.column) == ("page.html", 2, 7 + len(tag))
    assert error.message == \
        f"template 'rwo.html' not found (looked in {tmp_path}; did you mean 'row.html'?)"
    assert str(error).endswith(f"2 |   {{% {tag} 'rwo.html' %}}</p>\n  | {' ' * (6 + len(tag))}^")


@pytest.mark.parametrize(("loader", "where"), [
    (DictLoader({}), "the DictLoader holds no templates"),
    (DictLoader({f"t{n}": "" for n in range(7)}),
     "the DictLoader holds 't0', 't1', 't2', 't3', 't4' and 2 more"),
    (templating.ChoiceLoader([DictLoader({"a": ""}), DictLoader({})]),
     "the DictLoader holds 'a'; the DictLoader holds no templates"),
    (templating.FileSystemLoader("/nowhere", ext=".liquid"),
     "looked in /nowhere, also as nope.liquid"),
])
def test_where_each_loader_looked(loader: object, where: str) -> None:
    env = templating.Environment(loader=loader)
    with pytest.raises(templating.TemplateNotFound) as caught:
        env.from_string("{% render 'nope' %}").render()
    assert caught.value.where == where
    assert caught.value.name == "nope"


def test_a_missing_partial_is_found_nowhere_outside_the_folders(tmp_path: Path) -> None:
    (tmp_path / "inside").mkdir()
    (tmp_path / "secret.html").write_text("x")
    env = templating.Environment(loader=templating.FileSystemLoader(tmp_path / "inside"))
    with pytest.raises(templating.TemplateNotFound) as caught:
        env.from_string("{% render '../secrte.html' %}").render()
    assert "secret" not in caught.value.message  # no "did you mean" from outside


def test_a_missing_partial_is_the_same_error_when_rendering_asynchronously() -> None:
    env = templating.Environment(loader=DictLoader({"row": ""}))
    with pytest.raises(templating.TemplateNotFound) as caught:
        asyncio.run(env.from_string("{% render 'rwo' %}").render_async())
    assert caught.value.where == "the DictLoader holds 'row'; did you mean 'row'?"
    assert (caught.value.line, caught.value.column) == (1, 11)


# -- the command line ----------------------------------------------------------------------

CLI_BROKEN = [case for case in BROKEN if case[0].startswith(
    ("{{ 1", "{% for", "{% render 'q',", "{% cycle 1", "{% tablerow x in y cols", "{% with a:",
     "{% macro 'f' a", "{% call 'f' 1"))]


@pytest.mark.parametrize(("broken", "line", "column", "message"), CLI_BROKEN,
                         ids=[case[0] for case in CLI_BROKEN])
def test_ladle_render_and_check_print_the_positioned_error(
        broken: str, line: int, column: int, message: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("q").write_text("")
    for name, page in (("page.html", "a\n  " + broken), ("p.html", None)):
        if page is None:  # the mistake in a partial the page renders
            Path("p.html").write_text("a\n  " + broken)
            Path("page.html").write_text("x\n{% render 'p.html' %}")
        else:
            Path(name).write_text(page)
        where = f"{name}:{line}:{column}: error: {message}"
        code = cli.main(["render", "page.html"])
        out, err = capsys.readouterr()
        assert (code, out) == (2, ""), err
        assert err.startswith(where), err
        assert "^" in err and "Traceback" not in err
        code = cli.main(["check", "page.html"])
        out, err = capsys.readouterr()
        assert code == 1, out + err
        assert out.startswith(where), out


def test_ladle_render_says_where_a_missing_partial_was_looked_for(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("page.html").write_text("<p>\n{% render 'nope.html', n: 1 + 2 %}</p>")
    assert cli.main(["render", "page.html"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("page.html:2:11: error: partial 'nope.html' not found (looked in .;")


def test_a_partial_named_without_its_extension_is_suggested_with_it(tmp_path: Path) -> None:
    (tmp_path / "row.html").write_text("x")
    (tmp_path / "rowing.html").write_text("x")
    (tmp_path / "row").mkdir()  # a folder is refused: said before any suggestion
    env = templating.Environment(loader=templating.FileSystemLoader(tmp_path))
    with pytest.raises(templating.TemplateNotFound) as caught:
        env.from_string("{% render 'row' %}").render()
    assert "row.html" not in caught.value.message
    (tmp_path / "row").rmdir()
    with pytest.raises(templating.TemplateNotFound) as caught:
        env.from_string("{% render 'row' %}").render()
    assert caught.value.message == \
        f"template 'row' not found (looked in {tmp_path}; did you mean 'row.html'?)"
