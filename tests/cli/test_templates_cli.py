"""``ladle render`` and ``ladle check`` through ``cli.main``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ladle import cli


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "page.html").write_text(
        "<h1>{{ artist.name }}</h1>{% render '_row.html', t: 2 %}"
        "{% if user.logged_in && user.admin_level >= 10 %}stats{% endif %}\n")
    (tmp_path / "_row.html").write_text("<p>{{ t * 10 }}</p>")
    (tmp_path / "data.json").write_text(json.dumps(
        {"artist": {"name": "<Ann & Co>"}, "user": {"logged_in": True, "admin_level": 12}}))
    return tmp_path


def test_render_to_stdout_escapes_html(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "render", str(site / "page.html"), "--data",
                         str(site / "data.json"))
    assert (code, err) == (0, "")
    assert out == "<h1>&lt;Ann &amp; Co&gt;</h1><p>20</p>stats\n"


def test_render_with_set_and_output_file(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = site / "out" / "page.html"
    target.parent.mkdir()
    code, out, _ = run(capsys, "render", str(site / "page.html"), "--set", "artist.name=Bo",
                       "-o", str(target))
    assert (code, out) == (0, "")
    assert target.read_text() == "<h1>Bo</h1><p>20</p>\n"
    assert sorted(p.name for p in target.parent.iterdir()) == ["page.html"]


def test_render_refuses_to_overwrite_its_template(site: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    before = (site / "page.html").read_text()
    code, _, err = run(capsys, "render", str(site / "page.html"), "-o", str(site / "page.html"))
    assert code == 2
    assert "refusing to overwrite an input file" in err
    assert (site / "page.html").read_text() == before


def test_render_syntax_error_has_file_line_column(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "bad.html"
    page.write_text("ok\n" * 11 + "{% if user.logged_in && user.admin_level >= %}x{% endif %}\n")
    code, out, err = run(capsys, "render", str(page))
    assert (code, out) == (2, "")
    lines = err.splitlines()
    assert lines[0] == f"{page}:12:44: error: expected an expression after '>='"
    assert lines[2] == "  " + " " * 43 + "^"
    assert "Traceback" not in err


def test_render_evaluation_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "p.txt"
    page.write_text("{{ 1 / n }}")
    code, _, err = run(capsys, "render", str(page), "--set", "n=0")
    assert code == 2
    assert err.startswith(f"{page}:1:6: error: division by zero")


def test_render_strict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "p.txt"
    page.write_text("{{ nope }}")
    assert run(capsys, "render", str(page))[:2] == (0, "")
    code, _, err = run(capsys, "render", "--strict", str(page))
    assert code == 2
    assert "undefined variable 'nope'" in err


def test_render_missing_template(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "render", str(tmp_path / "none.html"))
    assert code == 2
    assert "No such file or directory" in err


def test_check_reports_every_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "bad.html"
    page.write_text("{{ a + }}\n{% if x && %}y{% endif %}\n{{ ok }}\n")
    code, out, err = run(capsys, "check", str(page))
    assert (code, err) == (1, "")  # findings go to standard output
    heads = [line for line in out.splitlines() if ": error: " in line]
    assert heads == [f"{page}:1:7: error: expected an expression after '+'",
                     f"{page}:2:11: error: expected an expression after '&&'"]
    assert out.splitlines()[-1] == "2 problems found"


def test_check_clean_and_undefined_with_data(site: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "check", str(site / "page.html"), str(site / "_row.html")) == (0, "", "")
    (site / "partial.json").write_text(json.dumps({"artist": {"nmae": "Bo"}}))
    code, out, _ = run(capsys, "check", str(site / "page.html"), "--data",
                       str(site / "partial.json"))
    assert code == 1
    assert f"{site / 'page.html'}:1:" in out
    heads = [line.split("error: ")[1] for line in out.splitlines() if "error: " in line]
    # 'artist' is in the data, but not its 'name'
    assert heads == ["artist.name is undefined; did you mean 'nmae'?",
                     "undefined variable 'user'"]
    # a fallback guards a path: not flagged
    (site / "page.html").write_text("{{ artist.name ?? 'x' }}{{ user | default: 1 }}")
    assert run(capsys, "check", str(site / "page.html"), "--data",
               str(site / "partial.json")) == (0, "", "")
