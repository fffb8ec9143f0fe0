"""Data of the documentation index: 12 sections of 5 to 15 pages."""

from __future__ import annotations

import random
from typing import Any

from bench.pages.common import HOSTILE, SEED, WORDS

SECTIONS = 12
AUTHORS = ("Ann", "Bo", "Cy <3", None)
ICONS = ("book", "gear", None)
NAMES = (*WORDS[:6], "delta <x>", "eps & co")


def _page(rng: random.Random, section: int, number: int) -> dict[str, Any]:
    title = " ".join(rng.sample(NAMES, 3))
    if rng.random() < 0.1:
        title = f"{title} {rng.choice(HOSTILE)}"
    summary = " ".join(rng.choice(NAMES) for _ in range(rng.randint(5, 40)))
    return {"title": title, "url": f"/docs/s{section}/p{number}.html",
            "weight": rng.randint(1, 50), "draft": rng.random() < 0.1,
            "tags": rng.sample(NAMES, rng.randint(0, 4)),
            "summary": f"  {summary}\n\n", "minutes": rng.random() * 20,
            "views": rng.randint(0, 100_000),
            "authors": [{"name": rng.choice(AUTHORS)} for _ in range(rng.randint(1, 3))]}


def make_page(seed: int = SEED, count: int = SECTIONS) -> dict[str, Any]:
    rng = random.Random(seed)
    sections = [{"name": f"{rng.choice(NAMES).upper()} {number}",
                 "pages": [_page(rng, number, page) for page in range(rng.randint(5, 15))],
                 "icon": rng.choice(ICONS)} for number in range(count)]
    return {"site": {"title": "Docs & Guides", "sections": sections, "version": "2.4.1",
                     "settings": {"theme": "dark", "lang": "en", "beta": True}}}


def records(page: dict[str, Any]) -> int:
    return sum(len(section["pages"]) for section in page["site"]["sections"])
