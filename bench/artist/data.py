"""Generated data for the artist page: one artist, 20 albums of 8 to 15 tracks, a
logged-in admin, from ``random.Random(SEED)``, so every run and every engine renders the
same page.

It has the shape of ``examples/artist/artist.json`` and the same traps: hostile text
(``<script>``, quotes, ``&``) in names and titles, missing titles and labels (``None``,
never ``""``, whose truthiness differs between Liquid and Jinja), unavailable and
explicit tracks, free and discounted albums, an album the user owns.
"""

from __future__ import annotations

import random
from typing import Any

SEED = 20240611
ALBUMS = 20
TRACKS = (8, 15)  # per album, both included

WORDS = ("neon", "static", "orbit", "rust", "velvet", "signal", "harbor", "glass", "ember",
         "tide", "circuit", "hollow", "lantern", "paper", "thunder", "quiet", "satellite",
         "winter", "motor", "garden")
HOSTILE = ("<script>alert(1)</script>", 'the "Real" Thing', "Rock & Roll", "it's <b>bold</b>",
           "Tom & Jerry's \"Greatest\"")
LABELS = ("Mom's Friendly Records", "Slurm Sounds", "Nibbler & Sons", None)
FORMATS = ("flac", "mp3", "ogg")
GUESTS = ("Calculon & the Thespians", "Fry", "Leela", "Hypnotoad <All Glory>", "Zoidberg")


def _title(rng: random.Random, words: int) -> str | None:
    roll = rng.random()
    if roll < 0.05:
        return None
    title = " ".join(rng.choice(WORDS) for _ in range(words)).title()
    if roll < 0.15:
        title = f"{title} ({rng.choice(HOSTILE)})"
    return title


def _track(rng: random.Random, track_id: int) -> dict[str, Any]:
    return {
        "id": track_id,
        "title": _title(rng, rng.randint(1, 4)),
        "seconds": rng.randint(30, 720),
        "price_cents": rng.choice((0, 99, 129, 129, 129, 199)),
        "explicit": rng.random() < 0.15,
        "available": rng.random() < 0.9,
        "plays": rng.choice((0, 1, rng.randint(2, 2_000_000))),
        "bytes": rng.randint(500_000, 60_000_000),
        "featuring": rng.sample(GUESTS, rng.choice((0, 0, 0, 1, 2))),
    }


def _album(rng: random.Random, album_id: int, year: int) -> dict[str, Any]:
    count = rng.randint(*TRACKS)
    return {
        "id": album_id,
        "title": _title(rng, rng.randint(1, 3)),
        "year": year,
        "label": rng.choice(LABELS),
        "format": rng.choice(FORMATS),
        "price_cents": rng.choice((0, 799, 999, 999, 1299, 1505)),
        "discount_percent": rng.choice((0, 0, 0, 10, 25, 33)),
        "tracks": [_track(rng, album_id * 100 + number) for number in range(1, count + 1)],
    }


def make_page(seed: int = SEED, albums: int = ALBUMS) -> dict[str, Any]:
    """The render arguments of the artist page: ``store``, ``user`` and ``artist``."""
    rng = random.Random(seed)
    years = sorted(rng.sample(range(1990, 2025), albums))
    album_list = [_album(rng, 1000 + number, year) for number, year in enumerate(years)]
    return {
        "store": {"name": "Planet Express Records", "currency": "$"},
        "user": {
            "logged_in": True,
            "display_name": "Hermes \"Limbo\" O'Brien & Co",
            "email": "hermes@planetexpress.example",
            "admin_level": 10,
            "explicit_ok": False,
            "owned": [album["id"] for album in rng.sample(album_list, 3)],
        },
        "artist": {
            "id": 7,
            "name": 'Bender & the "Shiny" <Metal> Band',
            "country": None,
            "formed": years[0] - 2,
            "genres": ["robot rock", "<noise>", "lo-fi & hi-fi"],
            "bio": ("Formed in a bending unit factory. Their first single was "
                    "<script>alert(1)</script>, which the label's lawyers called \"a bold "
                    "move\". Fans say the band is 40% titanium & 60% attitude, and that no "
                    "album since has matched the raw power of the early bootlegs."),
            "albums": album_list,
        },
    }


def track_count(page: dict[str, Any]) -> int:
    return sum(len(album["tracks"]) for album in page["artist"]["albums"])
