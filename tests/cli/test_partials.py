"""Errors inside partials name the partial's own file, line and column; missing and
unreadable partials say so, in ``render`` and in ``check``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ladle import cli

Run = tuple[int, str, str]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> Run:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "runtime.html").write_text("a\nb\n{{ 1 / 0 }}\n")
    (tmp_path / "syntax.html").write_text("a\n{{ 1 + }}\n")
    (tmp_path / "binary.html").write_bytes(b"\xff{{ x }}")
    (tmp_path / "late.html").write_bytes(b"ok\n" * 5000 + b"\xe9t\xe9")
    return tmp_path


@pytest.mark.parametrize("tag", ["render", "include"])
@pytest.mark.parametrize(("partial", "where", "message"), [
    ("runtime.html", "runtime.html:3:6", "division by zero"),
    ("syntax.html", "syntax.html:2:7", "expected an expression after '+'"),
])
def test_an_error_in_a_partial_names_the_partial(site: Path, capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch, tag: str,
                                                 partial: str, where: str,
                                                 message: str) -> None:
    page = site / "page.html"
    page.write_text(f"<p>\n{{% {tag} '{partial}' %}}</p>\n")
    code, out, err = run(capsys, "render", str(page))
    assert (code, out) == (2, "")
    assert err.startswith(f"{site / where}: error: {message}"), err
    monkeypatch.chdir(site)  # inside the current folder: relative paths
    code, out, err = run(capsys, "render", "page.html")
    assert err.startswith(f"{where}: error: {message}"), err


@pytest.mark.parametrize(("partial", "message"), [
    ("missing.html", "partial 'missing.html' not found (looked in "),
    ("binary.html", "partial 'binary.html' is not UTF-8 text (byte 0xff at line 1, column 1)"),
    ("late.html", "partial 'late.html' is not UTF-8 text (byte 0xe9 at line 5001, column 1)"),
])
def test_a_partial_that_cannot_be_loaded_is_reported_at_the_tag(
        site: Path, capsys: pytest.CaptureFixture[str], partial: str, message: str) -> None:
    page = site / "page.html"
    page.write_text(f"<p>\n{{% render '{partial}' %}}</p>\n")
    for command in ("render", "check"):
        code, out, err = run(capsys, command, str(page))
        assert code in (1, 2)
        assert f"{page}:2:11: error: {message}" in out + err, command
        assert "Traceback" not in err


def test_check_reports_syntax_errors_inside_partials(site: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    page = site / "page.html"
    page.write_text("{% render 'syntax.html' %}{% include 'syntax.html' %}")
    code, out, _ = run(capsys, "check", str(page))
    assert code == 1
    assert f"{site / 'syntax.html'}:2:7: error: expected an expression after '+'" in out
    assert out.splitlines()[-1] == "1 problem found"  # one partial, checked once


def test_check_goes_on_past_an_unreadable_template(site: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    good = site / "good.html"
    good.write_text("{{ 1 + }}")
    code, out, err = run(capsys, "check", str(site / "nothere.html"), str(good))
    assert code == 2
    assert "nothere.html: error:" in err
    assert f"{good}:1:7: error:" in out


def test_check_with_data_reads_the_partials_too(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    # what `render --strict` refuses in a partial, `check --data` names there
    (tmp_path / "row.html").write_text("<li>\n  {{ track.title }} {{ genre }}</li>")
    (tmp_path / "card.html").write_text("{{ shown }} {{ missing | default: 'x' }} "
                                        "{{ user.name }} {{ nobody.here ?? '' }}")
    page = tmp_path / "page.html"
    page.write_text("{{ user.name }}{% assign shown = 1 %}{% include 'card.html' %}"
                    "{% for track in tracks %}{% render 'row.html', track: track %}"
                    "{% endfor %}")
    data = tmp_path / "data.json"
    data.write_text('{"user": {"name": "Ann"}, "tracks": [{"title": "a"}]}')
    code, out, _ = run(capsys, "check", str(page), "--data", str(data))
    assert (code, out) == (1, f"{tmp_path / 'row.html'}:2:24: error: undefined variable "
                              "'genre'\n"
                              "    {{ track.title }} {{ genre }}</li>\n"
                              "                         ^\n"
                              "1 problem found\n")
    assert cli.main(["render", str(page), "--data", str(data), "--strict"]) == 2
    assert "row.html:2:24: error: undefined variable 'genre'" in capsys.readouterr().err


@pytest.mark.parametrize(("make", "hint"), [
    (lambda here: (here / "row.html").symlink_to("/etc/hostname"),
     "'row.html' there links out of the folder, which partials may not"),
    (lambda here: (here / "row.html").mkdir(), "'row.html' there is a folder"),
])
def test_a_partial_that_is_there_but_refused_says_why(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], make: Any, hint: str) -> None:
    # not "did you mean 'row.html'?", the very name given
    make(tmp_path)
    page = tmp_path / "page.html"
    page.write_text("{% render 'row.html' %}")
    code, _, err = run(capsys, "render", str(page))
    assert code == 2
    assert err.splitlines()[0] == (f"{page}:1:11: error: partial 'row.html' not found "
                                   f"(looked in {tmp_path}; {hint})")


def test_check_names_an_include_that_cannot_run_in_a_rendered_partial(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "row.html").write_text("row\n  {% include 'cell.html' %}")
    (tmp_path / "cell.html").write_text("cell")
    page = tmp_path / "page.html"
    page.write_text("{% render 'row.html' %}")
    assert cli.main(["render", str(page)]) == 2
    assert f"{tmp_path / 'row.html'}:2:6: error:" in capsys.readouterr().err
    code, out, _ = run(capsys, "check", str(page))
    assert (code, out.splitlines()[0]) == (
        1, f"{tmp_path / 'row.html'}:2:6: error: 'include' cannot run in a partial that "
           "'render' renders (python-liquid's rule): use 'render'")
    page.write_text("{% include 'row.html' %}")  # included, it may include
    assert run(capsys, "check", str(page)) == (0, "", "")


def test_check_reads_the_template_a_template_extends(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "base.html").write_text("<main>\n{% block body %}{% endblock %}{{ 1 + }}")
    page = tmp_path / "page.html"
    page.write_text("{% extends 'base.html' %}{% block body %}hi{% endblock %}")
    code, out, _ = run(capsys, "check", str(page))
    assert (code, out.splitlines()[0]) == (
        1, f"{tmp_path / 'base.html'}:2:37: error: expected an expression after '+'")
    page.write_text("{% extends 'nobase.html' %}")
    code, out, _ = run(capsys, "check", str(page))
    assert (code, out.splitlines()[0]) == (
        1, f"{page}:1:12: error: partial 'nobase.html' not found (looked in {tmp_path}; "
           "did you mean 'base.html'?)")
