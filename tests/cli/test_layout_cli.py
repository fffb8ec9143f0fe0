"""``ladle layout check|resolve|embed`` through ``cli.main``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ladle import cli, player

ROOT = Path(__file__).resolve().parents[2]
MISTAKES = ROOT / "examples" / "layouts" / "mistakes.json"
GOOD = ROOT / "examples" / "layouts" / "good.json"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_check_reports_file_line_column(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "layout", "check", str(MISTAKES))
    assert (code, err) == (1, "")  # findings go to standard output, for `> findings.txt`
    lines = out.splitlines()
    assert f"{MISTAKES}:5:3: error: unknown element or key 'tracklst' (did you mean " \
           "'tracklist'?) [unknown-key] at /tracklst" in lines
    assert lines[-1] == "4 errors, 3 warnings"


def test_check_clean_layout_and_strict(capsys: pytest.CaptureFixture[str],
                                       tmp_path: Path) -> None:
    assert run(capsys, "layout", "check", str(GOOD)) == (0, "", "")
    warned = tmp_path / "warned.json"
    warned.write_text(json.dumps({"w": 31, "h": 30, "play": {"x": 0, "y": 0, "w": 30, "h": 30,
                                                             "show": True}}))
    assert run(capsys, "layout", "check", str(warned))[0] == 0
    assert run(capsys, "layout", "check", "--strict", str(warned))[0] == 1


def test_check_json_format(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "layout", "check", str(MISTAKES), "--format", "json")
    findings = json.loads(out)
    assert code == 1
    assert {"severity", "code", "message", "pointer", "line", "column", "variant"} == \
        set(findings[0])
    assert [f["code"] for f in findings] == [f.code for f in player.check(MISTAKES)]


@pytest.mark.parametrize("name", sorted(player.presets()))
def test_every_preset_checks_clean(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "layout", "check", "--preset", name) == (0, "", "")


def test_resolve_prints_canonical_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "layout", "resolve", "--preset", "tall", "--variant", "track")
    resolved = player.resolve(player.presets()["tall"], variant="track")
    assert code == 0
    assert out == player.canonical_json(resolved).decode() + "\n"
    assert err == f"fingerprint {player.fingerprint(resolved)}\n"


def test_resolve_with_errors(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "layout", "resolve", str(MISTAKES))
    assert (code, out) == (1, "")
    assert "[cycle]" in err


def test_embed(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "layout", "embed", "--preset", "small", "--album", "42",
                       "--layout-url", "https://example.com/s.json",
                       "--player-url", "https://player.example/embed", "--debug")
    assert code == 0
    assert out == ('<iframe style="border: 0; width: 300px; height: 100px;" '
                   'src="https://player.example/embed/album=42/layout=https%3A%2F%2F'
                   'example.com%2Fs.json/debug=true/" seamless></iframe>\n')


def test_embed_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "layout", "embed", "--preset", "tall", "--track", "9",
                       "--layout-url", "https://a.example/t.json",
                       "--player-url", "https://p.example", "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert (data["variant"], data["width"], data["height"]) == ("track", 150, 450)
    assert data["html"].startswith('<iframe style="border: 0; width: 150px; height: 450px;"')


@pytest.mark.parametrize(("argv", "message"), [
    (["layout", "check"], "give a LAYOUT file or --preset NAME"),
    (["layout", "check", "--preset", "nope"], "no preset 'nope'"),
    (["layout", "embed", "--preset", "small", "--layout-url", "https://a.example/l.json",
      "--player-url", "https://p.example"], "give an album or a track to embed"),
])
def test_usage_errors_exit_2(argv: list[str], message: str,
                             capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert message in err


def test_unreadable_layout_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"w": 1,\n')
    code, out, _ = run(capsys, "layout", "check", str(bad))
    assert code == 2
    assert out.startswith(f"{bad}:2:1: error: ")
    code, out, _ = run(capsys, "layout", "check", str(tmp_path / "missing.json"))
    assert code == 2
    assert "missing.json" in out
