"""resolve(), canonical bytes, fingerprints, embed code, and random values in every field."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ladle import player
from ladle.player.format import ELEMENTS, FIELDS, STYLES, VARIANTS

ROOT = Path(__file__).resolve().parents[2]
LAYOUT: dict[str, Any] = {
    "w": 350, "h": 150,
    "vars": {"pad": 4},
    "art": {"x": 0, "y": 0, "w": 150, "h": 150, "show": True},
    "play": {"x": "art.w + pad", "y": 0, "w": 31, "h": 30, "show": True,
             "album": {"x": "art.w + pad + 20"}},
    "prev": {"x": "art.w + pad", "y": 40, "w": 17, "h": 11, "show": "album"},
    "next": {"x": "prev.x + prev.w + 2", "y": 40, "w": 17, "h": 11, "show": "album"},
    "currenttime": {"x": 290, "y": 0, "w": 50, "h": 16, "show": True,
                    "styles": {"color": "{{ album ? '#333333' : '#000000' }}",
                               "textAlign": "right"},
                    "track": {"styles": {"fontSize": 12}}},
    "tracklist": {"x": 160, "y": 60, "w": 180, "h": "h - 60",
                  "show": "album && tracks > 1", "styles": {"rowHeight": 18}},
}


def test_album_resolution() -> None:
    layout = player.resolve(LAYOUT, variant="album")
    assert (layout["variant"], layout["tracks"], layout["w"], layout["h"]) == ("album", 10, 350,
                                                                                150)
    elements = layout["elements"]
    assert elements["play"] == {"x": 174, "y": 0, "w": 31, "h": 30, "show": True, "styles": {}}
    assert elements["next"]["x"] == 173 and elements["next"]["show"] is True
    assert elements["tracklist"]["h"] == 90 and elements["tracklist"]["show"] is True
    assert elements["currenttime"]["styles"] == {"color": "#333333", "textAlign": "right"}


def test_track_resolution_applies_its_overrides() -> None:
    layout = player.resolve(LAYOUT, variant="track")
    elements = layout["elements"]
    assert layout["tracks"] == 1
    assert elements["play"]["x"] == 154
    assert elements["next"]["show"] is False and elements["tracklist"]["show"] is False
    assert elements["currenttime"]["styles"] == {"color": "#000000", "textAlign": "right",
                                                 "fontSize": 12}


def test_tracks_is_settable() -> None:
    assert player.resolve(LAYOUT, tracks=1)["elements"]["tracklist"]["show"] is False


def test_integers_stay_integers() -> None:
    layout = player.resolve({"w": "100 / 2.0", "h": 10.0})
    assert (layout["w"], layout["h"]) == (50, 10)
    assert type(layout["w"]) is int


def test_errors_raise_layout_error_with_findings() -> None:
    broken = dict(LAYOUT, play={"x": "art.w +", "y": 0, "w": 31, "h": 30, "show": True})
    with pytest.raises(player.LayoutError) as caught:
        player.resolve(broken)
    assert [f.code for f in caught.value.findings] == ["expression"]
    with pytest.raises(ValueError, match="variant"):
        player.resolve(LAYOUT, variant="single")


def test_canonical_json_and_fingerprint() -> None:
    layout = player.resolve(LAYOUT)
    data = player.canonical_json(layout)
    assert json.loads(data) == layout
    assert data.startswith(b'{"elements":{"art":')
    assert b" " not in data.replace(b"#333333", b"")
    assert player.fingerprint(layout) == player.fingerprint(json.loads(data))
    assert len(player.fingerprint(layout)) == 16


def test_canonical_bytes_are_the_same_in_other_processes() -> None:
    script = ("import json, sys, player; print(player.canonical_json(player.resolve("
              "json.loads(sys.argv[1]))).decode())")
    outputs = set()
    for seed in ("0", "1", "12345"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        done = subprocess.run([sys.executable, "-c", script, json.dumps(LAYOUT)], env=env,
                              cwd=ROOT, capture_output=True, text=True, check=True)
        outputs.add(done.stdout)
    assert outputs == {player.canonical_json(player.resolve(LAYOUT)).decode() + "\n"}


def test_embed_code() -> None:
    html = player.embed_code(LAYOUT, layout_url="https://me.example/l ayout.json?x=1&y=2",
                             player_url="https://player.example/embed/", album="42")
    assert html == (
        '<iframe style="border: 0; width: 350px; height: 150px;" '
        'src="https://player.example/embed/album=42/'
        'layout=https%3A%2F%2Fme.example%2Fl%20ayout.json%3Fx%3D1%26y%3D2/" seamless></iframe>')
    debug = player.embed_code(LAYOUT, layout_url="https://me.example/l.json",
                              player_url="https://player.example/embed", track="7", debug=True)
    assert "/track=7/" in debug and debug.endswith('/debug=true/" seamless></iframe>')


@pytest.mark.parametrize("kwargs", [
    {"album": "1", "track": "2"}, {}, {"album": "1\"><script>"},
    {"album": "1", "player_url": "javascript:alert(1)"},
])
def test_embed_code_rejects_bad_arguments(kwargs: dict[str, str]) -> None:
    options = {"layout_url": "https://me.example/l.json",
               "player_url": "https://player.example/embed", **kwargs}
    with pytest.raises(ValueError):
        player.embed_code(LAYOUT, **options)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False,
                                                           allow_infinity=False)
    | st.text(max_size=20) | st.sampled_from(["album", "art.w + 1", "play.x", "{{ x }}", ""]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=3),
    max_leaves=8,
)
PLACES = [("w",), ("h",), ("vars",), ("vars", "a")] + [
    (element, field) for element in ELEMENTS for field in (*FIELDS, *VARIANTS)
] + [("play", "album", "x"), ("play", "styles", STYLES[0]), ("tracklist", "styles",
                                                              "rowHeight")]


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(PLACES), JSON), min_size=1, max_size=6))
def test_random_values_in_every_field_give_only_findings(
        changes: list[tuple[tuple[str, ...], Any]]) -> None:
    layout: dict[str, Any] = json.loads(json.dumps(LAYOUT))
    for place, value in changes:
        target = layout
        for part in place[:-1]:
            if not isinstance(target.get(part), dict):
                target[part] = {}
            target = target[part]
        target[place[-1]] = value
    findings = player.check(layout)
    assert all(isinstance(f, player.Finding) for f in findings)
    with contextlib.suppress(player.LayoutError):
        player.resolve(layout)
