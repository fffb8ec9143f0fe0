"""``--explain`` in every host: ``ladle rules match``, ``ladle eval``, ``ladle layout
resolve`` and ``ladle render --explain-if``, through ``cli.main``."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ladle import cli, rules

ROOT = Path(__file__).resolve().parents[2]
PLACEMENT = str(ROOT / "examples" / "placement.rules")
GOOD = str(ROOT / "examples" / "layouts" / "good.json")
ARTIST = str(ROOT / "examples" / "artist" / "artist.html")
ARTIST_DATA = str(ROOT / "examples" / "artist" / "artist.json")

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    def invoke(*argv: str) -> tuple[int, str, str]:
        code = cli.main(list(argv))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return invoke


def test_rules_match_explains_the_issue_example(run: Run) -> None:
    """The issue's picture (the rule as the file writes it: ``>=  0``)."""
    code, out, err = run("rules", "match", PLACEMENT, "--record",
                         '{"tag":"lossless","id":93}', "--explain")
    assert (code, err) == (0, "")
    assert out.split("\n")[:4] == [
        "morbo: false",
        "  tag == 'lossless' && (id % 100) >=  0 && (id % 100) <= 47",
        "  ^^^^^^^^^^^^^^^^^ true                   ^^^^^^^^^^^^^^^^ false (id % 100 = 93)",
        "                       ^^^^^^^^^^^^^^^^ true (id % 100 = 93)",
    ]
    verdicts = [line for line in out.split("\n") if line and not line.startswith(" ")]
    assert verdicts == ["morbo: false", "linda: true", "calculon: false", "devil: false",
                        "santa: false"]


def test_rules_match_explain_json_is_the_tree(run: Run) -> None:
    code, out, _ = run("rules", "match", PLACEMENT, "--record", '{"tag":"lossless","id":93}',
                       "--explain", "--format", "json")
    document = json.loads(out)
    assert code == 0 and document["claimed"] == ["linda"]
    assert [r["name"] for r in document["rules"]] == rules.parse(PLACEMENT).names
    morbo = document["rules"][0]
    assert (morbo["claimed"], morbo["value"], morbo["error"]) == (False, False, None)
    tree = morbo["tree"]
    last = tree["children"][1]
    assert morbo["source"][last["start"]:last["end"]] == last["text"] == "(id % 100) <= 47"
    assert (last["value"], last["deciding"]) == (False, True)
    assert last["children"][0]["value"] == 93


def test_rules_match_explains_errors(run: Run) -> None:
    code, out, _ = run("rules", "match", PLACEMENT, "--record", '{"tag":"lossless","id":"x"}',
                       "--explain")
    assert code == 0
    assert out.split("\n")[:4] == [
        "morbo: error",
        "  tag == 'lossless' && (id % 100) >=  0 && (id % 100) <= 47",
        "  ^^^^^^^^^^^^^^^^^ true",
        "                       ^^^^^^^^^^^^^^^^ error: cannot apply '%' to string and int "
        "(id = 'x')",
    ]


def test_explain_agrees_with_match_on_the_catalog() -> None:
    ruleset = rules.parse(PLACEMENT)
    with open(ROOT / "examples" / "catalog.jsonl", encoding="utf-8") as lines:
        records = [json.loads(line) for _, line in zip(range(300), lines, strict=False)]
    for record in records:
        if not isinstance(record, dict):
            continue
        claimed = [name for name, trace in ruleset.explain(record) if trace.truthy]
        assert claimed == ruleset.match(record), record


def test_eval_explain(run: Run) -> None:
    code, out, _ = run("eval", "--explain", "a.b > 1 ? 'big' : 'small'", "--set", "a.b=3")
    assert code == 0
    assert out == ('"big"\n'
                   "  a.b > 1 ? 'big' : 'small'\n"
                   "  ^^^^^^^ true (a.b = 3)\n"
                   "            ^^^^^ 'big'\n")


def test_eval_explain_strict_and_filters(run: Run) -> None:
    code, out, err = run("eval", "--explain", "--strict", "x + 1")
    assert code == 2
    assert out.split("\n")[0] == "error: undefined variable 'x'"
    assert err == "<expr>:1:1: error: undefined variable 'x'\n  x + 1\n  ^\n"
    code, out, _ = run("eval", "--explain", "name | upcase | size", "--set", "name=ann")
    assert (code, out.split("\n")[0]) == (0, "3")
    assert "3 (name = 'ann', | upcase = 'ANN', | size = 3)" in out


def test_eval_explain_syntax_error(run: Run) -> None:
    code, out, err = run("eval", "--explain", "1 +")
    assert (code, out) == (2, "")
    assert err.startswith("<expr>:1:4: error: expected an expression after '+'")


def test_layout_resolve_explain(run: Run) -> None:
    code, out, _ = run("layout", "resolve", GOOD, "--explain", "timeline.w")
    assert code == 0
    assert out == ("timeline.w: 163\n  w - timeline.x - pad\n"
                   "  ^^^^^^^^^^^^^^^^^^^^ 163 (w - timeline.x = 168, pad = 5)\n")
    code, out, _ = run("layout", "resolve", GOOD, "--explain", "timeline.x", "--format", "json")
    document: dict[str, Any] = json.loads(out)
    assert (code, document["field"], document["value"]) == (0, "timeline.x", 192)
    assert document["source"] == "next.x + next.w + pad"
    # the track variant takes its own x ("album" overrides it)
    _, out, _ = run("layout", "resolve", GOOD, "--explain", "timeline.x", "--variant", "track")
    assert out.startswith("timeline.x: 151\n  play.x + play.w + pad\n")


def test_layout_resolve_explain_mistakes(run: Run) -> None:
    code, _, err = run("layout", "resolve", GOOD, "--explain", "play.xx")
    assert code == 2
    assert err.strip() == "--explain: error: the layout has no field 'play.xx' " \
                          "(did you mean 'play.x'?)"
    code, _, err = run("layout", "resolve", str(ROOT / "examples" / "layouts" / "mistakes.json"),
                       "--explain", "play.x")
    assert code == 1 and "error" in err


def test_render_explain_if_in_a_loop(run: Run) -> None:
    code, out, _ = run("render", ARTIST, "--data", ARTIST_DATA, "--explain-if", "59")
    assert code == 0
    heads = [line for line in out.split("\n") if line.startswith(ARTIST)]
    assert len(heads) > 3  # once per track
    assert heads[0] == f"{ARTIST}:59:7: if: false"
    assert out.split("\n")[1:4] == [
        "  track.available && (user.explicit_ok || !track.explicit)",
        "  ^^^^^^^^^^^^^^^ true                    ^^^^^^^^^^^^^^^ false (track.explicit "
        "= true)",
        "                      ^^^^^^^^^^^^^^^^ false",
    ]


def test_render_explain_if_tags(tmp_path: Path, run: Run) -> None:
    page = tmp_path / "page.html"
    page.write_text("{% let n = 3 %}\n{% if n > 5 %}a{% elsif n > 2 %}b{% endif %}"
                    "{% unless n %}c{% endunless %}\n{% if false %}{% if n %}{% endif %}"
                    "{% endif %}\n")
    code, out, _ = run("render", str(page), "--explain-if", "2")
    assert code == 0
    assert out == (f"{page}:2:7: if: false\n  n > 5\n  ^^^^^ false (n = 3)\n"
                   f"{page}:2:25: elsif: true\n  n > 2\n  ^^^^^ true (n = 3)\n"
                   f"{page}:2:55: unless: true\n  n\n  ^ 3\n")
    assert run("render", str(page), "--explain-if", "3")[1] == (
        f"{page}:3:7: if: false\n  false\n  ^^^^^ false\n")
    code, _, err = run("render", str(page), "--explain-if", "1")
    assert code == 2 and "no if, elsif or unless condition on line 1" in err


def test_render_explain_if_a_condition_never_reached(tmp_path: Path, run: Run) -> None:
    page = tmp_path / "page.html"
    page.write_text("{% if false %}\n{% if x %}{% endif %}{% endif %}")
    assert run("render", str(page), "--explain-if", "2")[1] == (
        f"{page}:2: the render did not reach the condition on this line\n")
