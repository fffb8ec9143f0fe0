"""Every check code: a layout that triggers it and one that does not; positions and variants."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from ladle import player

# A clean base: art, play and a track list that only the album player shows.
BASE: dict[str, Any] = {
    "w": 350, "h": 250,
    "vars": {"pad": 4},
    "art": {"x": 0, "y": 0, "w": 150, "h": 150, "show": True},
    "play": {"x": "art.w + pad", "y": 0, "w": 31, "h": 30, "show": True},
    "next": {"x": "play.x + play.w + pad", "y": 10, "w": 17, "h": 11, "show": "album"},
    "timeline": {"x": 0, "y": 160, "w": 350, "h": 10, "show": True},
    "maintext": {"x": 190, "y": 40, "w": "w - maintext.x", "h": 20, "show": True,
                 "styles": {"color": "{{ album ? '#333' : '#000' }}", "fontSize": 14}},
    "tracklist": {"x": 0, "y": 180, "w": 350, "h": "h - 180", "show": "album && tracks > 1",
                  "styles": {"rowHeight": 18}},
}


def codes(layout: dict[str, Any]) -> set[str]:
    return {finding.code for finding in player.check(layout)}


def with_change(path: str, value: Any) -> dict[str, Any]:
    layout = copy.deepcopy(BASE)
    *parents, last = path.split("/")
    target = layout
    for part in parents:
        target = target[part]
    if value is DELETE:
        del target[last]
    else:
        target[last] = value
    return layout


DELETE = object()


def test_the_base_layout_is_clean() -> None:
    assert player.check(BASE) == []


@pytest.mark.parametrize(("code", "path", "value"), [
    ("unknown-key", "tracklst", {"x": 0}),
    ("unknown-key", "play/colour", 1),
    ("unknown-key", "play/album", {"album": {"x": 1}}),
    ("type", "play/x", [1]),
    ("type", "play/show", 1),
    ("type", "vars", 3),
    ("type", "art", "big"),
    ("expression", "play/x", "art.w +"),
    ("expression", "play/x", "art.nope + 1 + nope"),
    ("expression", "play/x", "1 / 0"),
    ("cycle", "art/w", "play.x"),
    ("missing", "play/y", DELETE),
    ("negative", "timeline/h", 0),
    ("out-of-bounds", "timeline/w", 351),
    ("menu-style", "maintext/styles", {"isMenu": "true"}),
    ("row-height", "maintext/styles", {"rowHeight": 18}),
    ("row-height", "tracklist/styles", {"rowHeight": 0}),
    ("row-height", "tracklist/styles", {"rowHeight": "tracks / 2.5"}),
    ("art-size", "art/w", 120),
    ("play-size", "play/h", 31),
    ("button-size", "next/w", 18),
    ("timeline-height", "timeline/h", 17),
    ("album-only", "next/show", True),
    ("not-shown", "play/show", DELETE),
    ("overlap", "play/x", 100),
    ("unknown-style", "maintext/styles", {"colour": "red"}),
])
def test_each_code_is_triggered(code: str, path: str, value: Any) -> None:
    assert code in codes(with_change(path, value))
    assert code not in codes(BASE)


def test_json_errors_have_positions() -> None:
    findings = player.check('{"w": 10,\n "h": }')
    assert [(f.code, f.line, f.column) for f in findings] == [("json", 2, 7)]


def test_findings_point_at_the_value_and_inside_expressions() -> None:
    text = json.dumps(with_change("play/x", "art.w +"), indent=2)
    finding = next(f for f in player.check(text) if f.code == "expression")
    line = text.splitlines()[finding.line - 1]
    assert finding.pointer == "/play/x"
    # The expression ends early: the column is just past its last character.
    assert finding.column == line.index('"art.w +"') + 1 + len('"art.w +')
    assert finding.message == "expected an expression after '+'"


def test_a_finding_in_one_variant_says_which() -> None:
    findings = player.check(with_change("next/show", True))
    album_only = [f for f in findings if f.code == "album-only"]
    assert [(f.variant, f.pointer) for f in album_only] == [("track", "/next")]
    overlap = player.check(with_change("play/x", 100))
    assert [f.variant for f in overlap if f.message == "play overlaps art"] == [None]


def test_cycle_names_the_loop() -> None:
    finding = next(f for f in player.check(with_change("art/w", "play.x")) if f.code == "cycle")
    assert finding.message in (
        "fields refer to each other in a loop: art.w → play.x → art.w",
        "fields refer to each other in a loop: play.x → art.w → play.x")


def test_render_format() -> None:
    finding = next(f for f in player.check(json.dumps(with_change("art/w", 120), indent=1))
                   if f.code == "art-size")
    assert finding.render("my.json") == (
        f"my.json:{finding.line}:{finding.column}: warning: art must be square, 100x100 or "
        "150x150 (got 120x150) [art-size] at /art")


@pytest.mark.parametrize("name", sorted(player.presets()))
def test_presets_have_no_findings(name: str) -> None:
    assert player.check(player.presets()[name]) == []


HOSTILE = [
    "[" * 10_000,
    '{"w": ' + "9" * 5000 + ', "h": 1}',
    '{"w": 10, "h": 10, "play": {"x": "' + "(" * 500 + '"}}',
    '{"w": 10, "h": 10, "play": {"x": "\'' + "x" * 100_000 + '\' + 1"}}',
    '{"w": "w", "h": "h"}',
    '{"w": 10, "h": 10, "play": {"x": "play.x", "y": "play.y", "show": true}}',
]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_layouts_give_findings(text: str) -> None:
    findings = player.check(text)
    assert findings
    assert all(isinstance(f, player.Finding) for f in findings)


def test_ten_megabyte_file(tmp_path: Any) -> None:
    path = tmp_path / "big.json"
    path.write_text('{"w": 1, "h": 1, "vars": {"a": "' + "x" * 10_000_000 + '"}}')
    assert [f.code for f in player.check(path)] == ["json"]


def test_tracks_is_the_album_players() -> None:
    layout = {"w": 200, "h": 100, "tracklist": {"x": 0, "y": 0, "w": 200, "h": 100,
                                                "show": "tracks > 3"}}
    assert player.check(layout) == []  # 10 tracks on an album player; shown there
    few = player.check(layout, tracks=2)
    assert [(f.code, f.variant) for f in few] == [("not-shown", None)]
    # The track player has its one track whatever the album player has.
    svg = player.preview_svg(layout, tracks=12)
    assert 'id="album-tracklist"' in svg and 'id="track-tracklist"' not in svg
    assert 'id="album-tracklist"' not in player.preview_svg(layout, tracks=3)
