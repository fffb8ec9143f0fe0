"""Previews of layouts as SVG (player/preview.py; design/layouts.md "Preview").

Every preset and example gives well-formed SVG with both variants, a group per shown
element and both captions; findings are marked on their elements and listed; hostile
style values and names never reach the SVG unescaped; the output is byte-for-byte stable;
a layout that cannot be read or resolved still gives a valid SVG that says why.
"""

from __future__ import annotations

import doctest
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from ladle.player import preview as player_preview
from ladle.player.bundled import preset_path, presets
from ladle.player.checks import check_document
from ladle.player.format import ELEMENTS
from ladle.player.preview import preview_svg
from ladle.player.resolve import read, resolve_document

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "layouts"
SVG = "{http://www.w3.org/2000/svg}"
SOURCES = [preset_path(name) for name in sorted(presets())] + [
    EXAMPLES / "good.json", EXAMPLES / "mistakes.json"]
ERROR, WARNING = player_preview.ERROR, player_preview.WARNING


# -- helpers ----------------------------------------------------------------------------


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return root


def by_id(root: ET.Element) -> dict[str, ET.Element]:
    found: dict[str, ET.Element] = {}
    for element in root.iter():
        ident = element.get("id")
        if ident is not None:
            assert ident not in found, f"duplicate id {ident!r}"
            found[ident] = element
    return found


def text_of(element: ET.Element) -> str:
    """All the text inside an element, whitespace collapsed."""
    return " ".join("".join(element.itertext()).split())


def shown(source: Any, variant: str) -> dict[str, dict[str, Any]]:
    """The elements the resolver shows with a full geometry in ``variant``."""
    document, _ = read(source)
    assert document is not None
    layout, _ = resolve_document(document, variant, None)
    return {name: fields for name, fields in layout["elements"].items()
            if fields["show"] and all(k in fields for k in ("x", "y", "w", "h"))}


def sample_text(root: ET.Element, ident: str) -> ET.Element:
    texts = [t for t in by_id(root)[ident].iter(f"{SVG}text")]
    assert len(texts) == 1, ident
    return texts[0]


def layout(**elements: Any) -> dict[str, Any]:
    return {"w": 300, "h": 100, **elements}


# -- every preset and example ---------------------------------------------------------------


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_every_preset_and_example_draws_both_variants(source: Path) -> None:
    svg = preview_svg(source)
    root = parse(svg)
    ids = by_id(root)
    text = json.loads(source.read_text(encoding="utf-8"))
    for variant in ("album", "track"):
        assert variant in ids
        caption = text_of(ids[f"{variant}-caption"])
        assert caption == f"{variant} {text['w']} \u00d7 {text['h']}"
        elements = shown(source, variant)
        assert elements, "every preset and example shows something"
        for name in elements:
            assert f"{variant}-{name}" in ids, (variant, name)
        drawn = {i.split("-", 1)[1] for i in ids if i.startswith(f"{variant}-")} & set(ELEMENTS)
        assert drawn == set(elements)
    assert int(root.get("width", "0")) < 2000 and int(root.get("height", "0")) < 1000
    assert len(svg) < 40_000


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_sources_as_path_text_and_dict_agree(source: Path) -> None:
    text = source.read_text(encoding="utf-8")
    assert preview_svg(source) == preview_svg(str(source)) == preview_svg(text)
    if source.stem != "mistakes":  # a dict has no lines, so its findings come in another order
        assert preview_svg(source) == preview_svg(json.loads(text))


def test_album_on_the_left_track_on_the_right() -> None:
    svg = preview_svg(preset_path("wide"))
    assert svg.index('id="album"') < svg.index('id="track"')
    groups = [g for g in parse(svg) if g.tag == f"{SVG}g"]
    xs = [float(g.get("transform", "").split("(")[1].split()[0]) for g in groups]
    assert xs == sorted(xs) and len(xs) == 2


# -- glyphs and styles ------------------------------------------------------------------------


def test_glyphs_and_sample_texts() -> None:
    root = parse(preview_svg(preset_path("tall")))
    ids = by_id(root)
    assert ids["album-play"].find(f".//{SVG}circle") is not None
    assert ids["album-play"].find(f".//{SVG}path") is not None  # the triangle
    for name in ("next", "prev"):  # two triangles as a path, not a font glyph
        path = ids[f"album-{name}"].find(f".//{SVG}path")
        assert path is not None and path.get("d", "").count("z") == 2
        assert ids[f"album-{name}"].find(f".//{SVG}text") is None
    samples = {"maintext": "Album title", "subtext": "Artist name",
               "currenttitle": "1. Track title", "currenttime": "0:42", "totaltime": "3:57",
               "linkarea": "Buy Share"}
    for name, sample in samples.items():
        assert text_of(sample_text(root, f"album-{name}")) == sample
    assert text_of(sample_text(root, "track-maintext")) == "Track title"
    timeline = ids["album-timeline"]
    assert len(timeline.findall(f".//{SVG}rect")) >= 3 and timeline.find(
        f".//{SVG}circle") is not None  # box, bar, progress; knob
    art = ids["album-art"]
    assert art.find(f".//{SVG}path") is not None and art.find(f".//{SVG}circle") is not None


def test_tracklist_rows_at_row_height() -> None:
    root = parse(preview_svg(preset_path("tall")))
    height = shown(preset_path("tall"), "album")["tracklist"]["h"]
    rows = [text_of(t) for t in by_id(root)["album-tracklist"].iter(f"{SVG}text")]
    assert len(rows) == height // 18
    assert rows[:3] == ["1. Track one", "2. Track two", "3. Track three"]
    custom = layout(tracklist={"x": 0, "y": 0, "w": 100, "h": 100, "show": True,
                               "styles": {"rowHeight": 30}})
    rows = [text_of(t) for t in by_id(parse(preview_svg(custom)))["album-tracklist"].iter(
        f"{SVG}text")]
    assert rows == ["1. Track one", "2. Track two", "3. Track three"]
    default = layout(tracklist={"x": 0, "y": 0, "w": 100, "h": 100, "show": True})
    assert len(list(by_id(parse(preview_svg(default)))["album-tracklist"].iter(
        f"{SVG}text"))) == 5


def test_text_styles_are_drawn() -> None:
    source = layout(maintext={"x": 0, "y": 0, "w": 200, "h": 20, "show": True, "styles": {
        "color": "#aabbcc", "fontFamily": "Georgia, 'Times New Roman', serif",
        "fontSize": 15, "fontWeight": "bold", "textAlign": "right"}},
        subtext={"x": 0, "y": 20, "w": 200, "h": 20, "show": True, "styles": {
            "color": "{{ album ? 'red' : '#123' }}", "fontSize": "11px", "fontWeight": 300,
            "textAlign": "center"}})
    root = parse(preview_svg(source))
    main = sample_text(root, "album-maintext")
    assert (main.get("fill"), main.get("font-family"), main.get("font-size"),
            main.get("font-weight"), main.get("text-anchor"), main.get("x")) == (
        "#aabbcc", "Georgia, 'Times New Roman', serif", "15", "bold", "end", "198")
    sub = sample_text(root, "album-subtext")
    assert (sub.get("fill"), sub.get("font-size"), sub.get("font-weight"),
            sub.get("text-anchor"), sub.get("x")) == ("red", "11", "300", "middle", "100")
    assert sample_text(root, "track-subtext").get("fill") == "#123"


def test_text_is_clipped_to_its_box() -> None:
    root = parse(preview_svg(preset_path("small")))
    ids = by_id(root)
    clip = ids["album-maintext-clip"]
    assert clip.tag == f"{SVG}clipPath"
    rect = clip.find(f"{SVG}rect")
    assert rect is not None and (rect.get("width"), rect.get("height")) == ("194", "20")
    clipped = [g for g in ids["album-maintext"].iter(f"{SVG}g")
               if g.get("clip-path") == "url(#album-maintext-clip)"]
    assert clipped and clipped[0].find(f"{SVG}text") is not None


@pytest.mark.parametrize("color, drawn", [
    ("#abc", "#abc"), ("#A0b1C2", "#A0b1C2"), ("red", "red"), ("rebeccapurple", "rebeccapurple"),
    ("url(javascript:1)", "#222222"), ("#abcd", "#222222"), ("#ggg", "#222222"),
    ("red;x", "#222222"), ('" onload="x', "#222222"), ("", "#222222"), (12, "#222222"),
    ("rgb(1,2,3)", "#222222"),
])
def test_colors_are_validated(color: Any, drawn: str) -> None:
    source = layout(maintext={"x": 0, "y": 0, "w": 100, "h": 20, "show": True,
                              "styles": {"color": color}})
    assert sample_text(parse(preview_svg(source)), "album-maintext").get("fill") == drawn


# -- findings -----------------------------------------------------------------------------------


def test_mistakes_are_marked_and_listed() -> None:
    source = EXAMPLES / "mistakes.json"
    document, _ = read(source)
    assert document is not None
    findings = check_document(document)
    root = parse(preview_svg(source))
    ids = by_id(root)
    for variant in ("album", "track"):
        mine = [f for f in findings if f.variant in (None, variant)]
        drawn = shown(source, variant)
        marked: dict[str, set[str]] = {}
        for number, finding in enumerate(mine, 1):
            entry = text_of(ids[f"{variant}-finding-{number}"])
            assert entry.startswith(f"{number} {finding.severity} {finding.code}: ")
            assert " ".join(finding.message.split()) in entry
            target = finding.pointer.split("/")[1]
            if target in drawn:
                badge = ids[f"{variant}-badge-{number}"]
                assert text_of(badge) == str(number)
                marked.setdefault(target, set()).add(finding.severity)
                assert "(at " not in entry
            else:
                assert f"{variant}-badge-{number}" not in ids
                assert f"(at {finding.pointer})" in entry
        assert set(marked) == {"art", "linkarea", "currenttime"}
        for name, severities in marked.items():
            color = ERROR if "error" in severities else WARNING
            outlines = [r for r in ids[f"{variant}-{name}"].iter(f"{SVG}rect")
                        if r.get("stroke") == color]
            assert outlines, (variant, name)
        assert f"{variant}-finding-{len(mine) + 1}" not in ids
        undrawn = [t for t in root.iter(f"{SVG}text") if "not drawn" in text_of(t)]
        assert undrawn  # play, maintext and subtext are shown but cannot be placed
    assert "art-size" in text_of(ids["album-legend"])


def test_a_finding_for_one_variant_is_marked_only_there() -> None:
    source = layout(next={"x": 0, "y": 0, "w": 17, "h": 11, "show": True})
    ids = by_id(parse(preview_svg(source)))
    assert "album-only" in text_of(ids["track-legend"])
    assert "album-only" not in text_of(ids["album-legend"])
    assert "track-badge-1" in ids and "album-badge-1" not in ids
    assert text_of(ids["album-legend"]) == "no findings"


def test_several_findings_on_one_element_get_several_badges() -> None:
    source = layout(art={"x": 250, "y": 0, "w": 120, "h": 120, "show": True})
    ids = by_id(parse(preview_svg(source)))
    legend = text_of(ids["album-legend"])
    assert "out-of-bounds" in legend and "art-size" in legend
    assert {"album-badge-1", "album-badge-2"} <= set(ids)
    outline = [r for r in ids["album-art"].iter(f"{SVG}rect") if r.get("stroke") == ERROR]
    assert outline  # the error wins over the warning


# -- hostile layouts ------------------------------------------------------------------------------


def test_hostile_style_values_are_not_injected() -> None:
    source = layout(
        maintext={"x": 0, "y": 0, "w": 200, "h": 20, "show": True, "styles": {
            "fontFamily": "\"/><script>alert(1)</script>", "color": "url(javascript:1)",
            "fontWeight": "bold\" onload=\"x", "fontSize": "12\"/><x", "textAlign": "\"><y"}},
        subtext={"x": 0, "y": 20, "w": 200, "h": 20, "show": True, "styles": {
            "color": "{{ '<script>' }}", "fontFamily": "a;b{c}"}},
        currenttime={"x": 0, "y": 40, "w": 50, "h": 16, "show": True, "styles": {
            "<script>alert(2)</script>": "x", "colour": "</text><script>"}},
    )
    source["<img src=x onerror=alert(3)>"] = {"x": 1}
    svg = preview_svg(source)
    root = parse(svg)
    for bad in ("<script", "javascript", "<img", "onload", "onerror=alert(3)>", "<x", "<y"):
        assert bad not in svg
    assert "onerror" not in {a for e in root.iter() for a in e.attrib}
    assert all(not e.tag.endswith(("script", "img", "foreignObject")) for e in root.iter())
    main = sample_text(root, "album-maintext")
    assert main.get("fill") == "#222222" and main.get("font-family") is None
    assert main.get("font-weight") is None and main.get("font-size") == "12"
    assert main.get("text-anchor") is None
    assert sample_text(root, "album-subtext").get("fill") == "#222222"
    # The names still show, escaped, in the legend.
    assert "&lt;img src=x onerror=alert(3)&gt;" in svg
    assert "unknown element or key '<img src=x onerror=alert(3)>'" in text_of(root)


def test_characters_xml_cannot_hold_are_replaced() -> None:
    text = '{"w": 10, "h": 10, "\\u0001\\u0000x": 1, "maintext": {"x": 0, "y": 0, "w": 10, ' \
           '"h": 10, "show": true, "styles": {"fontFamily": "a\\u0000b", "color": "red\\u0000"}}}'
    root = parse(preview_svg(text))
    assert sample_text(root, "album-maintext").get("fill") == "#222222"


def test_huge_values_are_clamped() -> None:
    source = {"w": 1e9, "h": 1e9, "tracklist": {"x": -1e9, "y": 0, "w": 1e12, "h": 1e12,
                                                 "show": True, "styles": {"rowHeight": 1}},
              "maintext": {"x": 0, "y": 0, "w": 100, "h": 20, "show": True,
                           "styles": {"fontSize": 1e6}}}
    svg = preview_svg(source)
    root = parse(svg)
    assert float(root.get("width", "0")) < 10_000 and float(root.get("height", "0")) < 5_000
    assert len(svg) < 100_000
    assert len(list(by_id(root)["album-tracklist"].iter(f"{SVG}text"))) == \
        player_preview.MAX_ROWS


# -- stable bytes ----------------------------------------------------------------------------


def test_same_input_same_bytes() -> None:
    for source in SOURCES:
        assert preview_svg(source) == preview_svg(source)


def test_same_bytes_across_processes() -> None:
    code = ("import sys, ladle.player.preview as p; "
            "sys.stdout.buffer.write(p.preview_svg(sys.argv[1]).encode())")
    outputs = set()
    for seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        result = subprocess.run([sys.executable, "-c", code, str(EXAMPLES / "mistakes.json")],
                                capture_output=True, check=True, cwd=ROOT, env=env)
        outputs.add(result.stdout)
    assert outputs == {preview_svg(EXAMPLES / "mistakes.json").encode()}


# -- layouts that cannot be drawn -------------------------------------------------------------


@pytest.mark.parametrize("source", ['{"w": 1,, }', '{"w": 1', "[1, 2]", "{}}",
                                    "/no/such/layout.json"])
def test_an_unreadable_layout_still_gives_svg(source: str) -> None:
    root = parse(preview_svg(source))
    ids = by_id(root)
    assert "album" not in ids and "track" not in ids
    assert text_of(ids["unreadable-caption"]) == "the layout cannot be read"
    entry = text_of(ids["layout-finding-1"])
    assert entry.startswith("1 error json: ")
    document, findings = read(source)
    assert document is None and findings[0].message in entry


def test_a_layout_without_size_lists_its_findings() -> None:
    root = parse(preview_svg({"play": {"x": 0, "y": 0, "w": 31, "h": 30, "show": True}}))
    ids = by_id(root)
    for variant in ("album", "track"):
        assert text_of(ids[f"{variant}-caption"]) == f"{variant} no size"
        assert "missing" in text_of(ids[f"{variant}-legend"])
        assert f"{variant}-play" not in ids


def test_a_layout_whose_expressions_fail_draws_what_it_can() -> None:
    source = layout(art={"x": 0, "y": 0, "w": 100, "h": 100, "show": True},
                    play={"x": "art.w +", "y": 0, "w": 31, "h": 30, "show": True},
                    maintext={"x": "nope", "y": 0, "w": 10, "h": 10, "show": True})
    ids = by_id(parse(preview_svg(source)))
    assert "album-art" in ids and "album-play" not in ids and "album-maintext" not in ids
    legend = text_of(ids["album-legend"])
    assert "expression" in legend and "(at /play/x)" in legend and "(at /maintext/x)" in legend


def test_doctests() -> None:
    assert doctest.testmod(player_preview).failed == 0
