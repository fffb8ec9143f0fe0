"""What the corpus's data generators share: words, hostile strings, titles, dates."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

SEED = 20241204
WORDS = ("neon", "static", "orbit", "rust", "velvet", "signal", "harbor", "glass", "ember",
         "tide", "circuit", "hollow", "lantern", "paper", "thunder", "quiet", "satellite",
         "winter", "motor", "garden")
# Each page's data holds every one of these somewhere the page prints it.
HOSTILE = ("<script>alert(1)</script>", 'the "Real" Thing', "Rock & Roll", "it's <b>bold</b>",
           "Tom & Jerry's \"Greatest\"")
VENDORS = ("Mom's Friendly Robots", "Slurm & Co", "Nibbler <Sons>", "Planet Express",
           "Glagnar's Human Rinds")
EPOCH = datetime(2024, 1, 1, 9, 30)


def title(rng: random.Random, words: int, hostile: float = 0.1) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words)).title()
    if rng.random() < hostile:
        text = f"{text} {rng.choice(HOSTILE)}"
    return text


def sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def moment(rng: random.Random, days: int = 365) -> datetime:
    return EPOCH + timedelta(days=rng.randrange(days), minutes=rng.randrange(24 * 60))


def handle(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split())
