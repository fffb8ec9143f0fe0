"""The JSON Schema of the layout format (player/layout.schema.json).

It is valid draft-07; every preset and the good example validate against it; typical
mistakes are rejected where a schema can see them (unknown names, wrong types, nested
overrides, a missing size). Checks a schema cannot make (art sizes, bounds, overlaps,
expressions, cycles) belong to ``player.check``.

jsonschema is in the ``test`` extra: without it this module fails, it does not skip.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_PATH = ROOT / "player" / "layout.schema.json"
PRESETS = sorted((ROOT / "player" / "presets").glob("*.json"))
EXAMPLES = ROOT / "examples" / "layouts"

ELEMENTS = {
    "art", "maintext", "subtext", "play", "next", "prev", "currenttitle", "currenttime",
    "totaltime", "linkarea", "timeline", "tracklist",
}
FIELDS = {"x", "y", "w", "h", "show", "styles"}
STYLES = {"color", "textAlign", "fontFamily", "fontSize", "fontWeight"}


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


SCHEMA = load(SCHEMA_PATH)
VALIDATOR = Draft7Validator(SCHEMA)


def errors(layout: Any) -> list[tuple[str, str, str]]:
    """(JSON pointer, keyword, message) of every schema error, sorted."""
    found = []
    for error in VALIDATOR.iter_errors(layout):
        pointer = "".join(f"/{part}" for part in error.absolute_path)
        found.append((pointer, str(error.validator), error.message))
    return sorted(found)


def target(schema: dict[str, Any]) -> dict[str, Any]:
    """Follow a local ``$ref`` (or a one-item ``allOf`` of one) to the definition it names."""
    while True:
        if "$ref" in schema:
            ref = schema["$ref"]
        elif len(schema.get("allOf", [])) == 1 and "$ref" in schema["allOf"][0]:
            ref = schema["allOf"][0]["$ref"]
        else:
            return schema
        assert ref.startswith("#/definitions/"), ref
        schema = SCHEMA["definitions"][ref.removeprefix("#/definitions/")]


# --- the schema itself ---------------------------------------------------------------------


def test_schema_is_valid_draft7() -> None:
    assert SCHEMA["$schema"] == "http://json-schema.org/draft-07/schema#"
    Draft7Validator.check_schema(SCHEMA)


def test_schema_names_the_format_of_layouts_md() -> None:
    assert set(SCHEMA["properties"]) == {"w", "h", "vars", "$schema", *ELEMENTS}
    assert SCHEMA["required"] == ["w", "h"]
    for name in ELEMENTS:
        element = target(SCHEMA["properties"][name])
        assert set(element["properties"]) == FIELDS | {"album", "track"}, name
        for variant in ("album", "track"):
            override = target(element["properties"][variant])
            assert set(override["properties"]) == FIELDS, (name, variant)
        styles = set(target(element["properties"]["styles"])["properties"])
        special = {"currenttitle": {"isMenu"}, "tracklist": {"rowHeight"}}.get(name, set())
        assert styles == STYLES | special, name


def test_additional_properties_are_false_on_every_object() -> None:
    def walk(schema: Any, where: str) -> None:
        if isinstance(schema, dict):
            if schema.get("type") == "object" and where != "/properties/vars":
                assert schema.get("additionalProperties") is False, where
            for key, value in schema.items():
                walk(value, f"{where}/{key}")
        elif isinstance(schema, list):
            for index, value in enumerate(schema):
                walk(value, f"{where}/{index}")

    walk(SCHEMA, "")


def test_every_property_has_a_description() -> None:
    def check(schema: dict[str, Any], where: str) -> None:
        assert "description" in schema or "description" in target(schema), where

    check(SCHEMA, "/")
    places = [("", SCHEMA), *((f"/definitions/{k}", v) for k, v in SCHEMA["definitions"].items())]
    for where, schema in places:
        check(schema, where)
        for name, prop in schema.get("properties", {}).items():
            check(prop, f"{where}/properties/{name}")
    check(SCHEMA["properties"]["vars"]["additionalProperties"], "/properties/vars/*")


# --- presets and examples ------------------------------------------------------------------


def test_there_are_at_least_six_presets() -> None:
    assert len(PRESETS) >= 6, [p.name for p in PRESETS]


@pytest.mark.parametrize("path", PRESETS, ids=lambda p: p.stem)
def test_preset_validates(path: Path) -> None:
    assert errors(load(path)) == []


def test_good_example_validates() -> None:
    assert errors(load(EXAMPLES / "good.json")) == []


@pytest.mark.parametrize(
    "path", [*PRESETS, EXAMPLES / "good.json", EXAMPLES / "mistakes.json"], ids=lambda p: p.stem
)
def test_schema_reference_points_at_the_schema(path: Path) -> None:
    reference = load(path).get("$schema")
    assert reference is not None, "presets and examples name the schema for editors"
    assert (path.parent / reference).resolve() == SCHEMA_PATH


def test_mistakes_example_is_rejected_for_its_unknown_names() -> None:
    found = errors(load(EXAMPLES / "mistakes.json"))
    assert [(pointer, keyword) for pointer, keyword, _ in found] == [
        ("", "additionalProperties"),
        ("/currenttime/styles", "additionalProperties"),
    ]
    assert "'tracklst' was unexpected" in found[0][2]
    assert "'colour' was unexpected" in found[1][2]


# --- small layouts, one rule each -----------------------------------------------------------

PLAY = {"x": 0, "y": 0, "w": 31, "h": 30, "show": True}

VALID: dict[str, dict[str, Any]] = {
    "size only": {"w": 31, "h": 30},
    "play button": {"w": 31, "h": 30, "play": PLAY},
    "schema reference": {"$schema": "../layout.schema.json", "w": 31, "h": 30},
    "fractional and negative position": {
        "w": 31, "h": 30, "play": {**PLAY, "x": -0.5, "y": 1.5},
    },
    "expressions": {
        "w": 350, "h": 150, "vars": {"pad": 4},
        "art": {"x": 0, "y": 0, "w": 150, "h": 150, "show": True},
        "play": {"x": "art.w + pad", "y": "h - play.h", "w": 31, "h": 30, "show": "album"},
    },
    "vars of each kind": {
        "w": 1, "h": 1, "vars": {"pad": 4, "ratio": 0.5, "accent": "#333", "big": True,
                                 "on-sale?": False, "_x": 1},
    },
    "overrides": {
        "w": 100, "h": 100,
        "play": {**PLAY, "album": {"x": 10, "styles": {"color": "#fff"}}, "track": {"show": False}},
    },
    "all styles": {
        "w": 100, "h": 100,
        "maintext": {"x": 0, "y": 0, "w": 100, "h": 20, "show": True, "styles": {
            "color": "#000000", "textAlign": "center", "fontFamily": "Helvetica",
            "fontSize": 12, "fontWeight": "bold"}},
    },
    "embedded expressions in styles": {
        "w": 100, "h": 100,
        "maintext": {"styles": {"color": "{{ album ? '#333' : '#000' }}",
                                "textAlign": "{{ album ? 'left' : 'center' }}",
                                "fontWeight": "{{ track ? 'bold' : 'normal' }}",
                                "fontSize": "album ? 12 : 14"}},
    },
    "special styles": {
        "w": 100, "h": 100,
        "currenttitle": {"styles": {"isMenu": "true"}, "track": {"styles": {"isMenu": "false"}}},
        "tracklist": {"styles": {"rowHeight": 18}, "album": {"styles": {"rowHeight": "row * 2"}}},
    },
    "empty element": {"w": 1, "h": 1, "linkarea": {}},
    "player size as expression": {"w": "art.w + 200", "h": 150},
}

INVALID: dict[str, tuple[Any, str, str, str | None]] = {
    # name: (layout, pointer of the one error, its keyword, the name its message quotes)
    "missing w": ({"h": 30}, "", "required", "w"),
    "missing h": ({"w": 30, "play": PLAY}, "", "required", "h"),
    "unknown top-level key": ({"w": 1, "h": 1, "width": 1}, "", "additionalProperties", "width"),
    "misspelled element": ({"w": 1, "h": 1, "tracklst": {}}, "", "additionalProperties",
                           "tracklst"),
    "unknown field": ({"w": 1, "h": 1, "play": {**PLAY, "visible": True}}, "/play",
                      "additionalProperties", "visible"),
    "unknown field in override": ({"w": 1, "h": 1, "play": {"album": {"z": 1}}}, "/play/album",
                                  "additionalProperties", "z"),
    "nested override": ({"w": 1, "h": 1, "play": {"album": {"track": {"x": 1}}}}, "/play/album",
                        "additionalProperties", "track"),
    "override of the same variant": ({"w": 1, "h": 1, "play": {"album": {"album": {"x": 1}}}},
                                     "/play/album", "additionalProperties", "album"),
    "x is a boolean": ({"w": 1, "h": 1, "play": {**PLAY, "x": True}}, "/play/x", "type", None),
    "show is a number": ({"w": 1, "h": 1, "play": {**PLAY, "show": 1}}, "/play/show", "type",
                         None),
    "w is null": ({"w": 1, "h": 1, "play": {**PLAY, "w": None}}, "/play/w", "type", None),
    "player w is a list": ({"w": [300], "h": 1}, "/w", "type", None),
    "empty expression": ({"w": 1, "h": 1, "play": {**PLAY, "y": ""}}, "/play/y", "minLength",
                         None),
    "zero width": ({"w": 1, "h": 1, "play": {**PLAY, "w": 0}}, "/play/w", "exclusiveMinimum",
                   None),
    "negative player height": ({"w": 1, "h": -5}, "/h", "exclusiveMinimum", None),
    "element is not an object": ({"w": 1, "h": 1, "play": True}, "/play", "type", None),
    "styles is a string": ({"w": 1, "h": 1, "play": {"styles": "red"}}, "/play/styles", "type",
                           None),
    "unknown style": ({"w": 1, "h": 1, "play": {"styles": {"colour": "#000"}}}, "/play/styles",
                      "additionalProperties", "colour"),
    "textAlign middle": ({"w": 1, "h": 1, "maintext": {"styles": {"textAlign": "middle"}}},
                         "/maintext/styles/textAlign", "anyOf", None),
    "fontWeight heavy": ({"w": 1, "h": 1, "maintext": {"styles": {"fontWeight": "heavy"}}},
                         "/maintext/styles/fontWeight", "anyOf", None),
    "color is a number": ({"w": 1, "h": 1, "maintext": {"styles": {"color": 0}}},
                          "/maintext/styles/color", "type", None),
    "isMenu a boolean": ({"w": 1, "h": 1, "currenttitle": {"styles": {"isMenu": True}}},
                         "/currenttitle/styles/isMenu", "anyOf", None),
    "isMenu off currenttitle": ({"w": 1, "h": 1, "maintext": {"styles": {"isMenu": "true"}}},
                                "/maintext/styles", "additionalProperties", "isMenu"),
    "isMenu off currenttitle in override": (
        {"w": 1, "h": 1, "tracklist": {"album": {"styles": {"isMenu": "true"}}}},
        "/tracklist/album/styles", "additionalProperties", "isMenu"),
    "rowHeight zero": ({"w": 1, "h": 1, "tracklist": {"styles": {"rowHeight": 0}}},
                       "/tracklist/styles/rowHeight", "anyOf", None),
    "rowHeight fractional": ({"w": 1, "h": 1, "tracklist": {"styles": {"rowHeight": 17.5}}},
                             "/tracklist/styles/rowHeight", "anyOf", None),
    "rowHeight off tracklist": ({"w": 1, "h": 1, "currenttitle": {"styles": {"rowHeight": 18}}},
                                "/currenttitle/styles", "additionalProperties", "rowHeight"),
    "vars not an object": ({"w": 1, "h": 1, "vars": [1]}, "/vars", "type", None),
    "var value a list": ({"w": 1, "h": 1, "vars": {"pad": [4]}}, "/vars/pad", "type", None),
    "var value null": ({"w": 1, "h": 1, "vars": {"pad": None}}, "/vars/pad", "type", None),
    "var name with a space": ({"w": 1, "h": 1, "vars": {"my pad": 4}}, "/vars", "pattern",
                              "my pad"),
    "var named like an element": ({"w": 1, "h": 1, "vars": {"art": 4}}, "/vars", "not", "art"),
    "var named like a player name": ({"w": 1, "h": 1, "vars": {"tracks": 4}}, "/vars", "not",
                                     "tracks"),
    "var named like a keyword": ({"w": 1, "h": 1, "vars": {"nil": 4}}, "/vars", "not", "nil"),
    "schema reference not a string": ({"$schema": 7, "w": 1, "h": 1}, "/$schema", "type", None),
    "layout is a list": ([{"w": 1, "h": 1}], "", "type", None),
}


@pytest.mark.parametrize("layout", list(VALID.values()), ids=list(VALID))
def test_valid_layout_is_accepted(layout: dict[str, Any]) -> None:
    assert errors(layout) == []


@pytest.mark.parametrize(
    ("layout", "pointer", "keyword", "name"), list(INVALID.values()), ids=list(INVALID)
)
def test_invalid_layout_is_rejected(
    layout: Any, pointer: str, keyword: str, name: str | None
) -> None:
    found = errors(layout)
    assert [(at, rule) for at, rule, _ in found] == [(pointer, keyword)], found
    if name is not None:
        assert f"'{name}'" in found[0][2]
