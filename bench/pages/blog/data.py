"""Data of the blog index: 240 articles, 20 to a page, the fifth page shown."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from bench.pages.common import EPOCH, HOSTILE, SEED, WORDS, handle, sentence, title

ARTICLES = 240
PER_PAGE = 20
AUTHORS = ("Leela", "<script>alert(1)</script>", "Amy Wong", "Dr. Zoidberg",
           "Hermes \"Limbo\" Conrad", "Scruffy & Co")
TAGS = ("news", "releases", "tour", "interviews", "<staff picks>", "rock & roll")


def _body(rng: random.Random) -> str:
    paragraphs = []
    for _ in range(rng.randint(2, 6)):
        words = [rng.choice(WORDS) for _ in range(rng.randint(20, 80))]
        spot = rng.randrange(len(words))
        words[spot] = rng.choice(("<strong>" + words[spot] + "</strong>",
                                  '<a href="/tour?city=a&amp;b">' + words[spot] + "</a>",
                                  "Tom &amp; Jerry", "&lt;script&gt;", "R&amp;B"))
        paragraphs.append("<p>" + " ".join(words).capitalize() + ".</p>")
    return "\n".join(paragraphs)


def make_page(seed: int = SEED, count: int = ARTICLES) -> dict[str, Any]:
    rng = random.Random(seed)
    articles = []
    for number in range(count):
        name = title(rng, rng.randint(2, 7), hostile=0.15)
        articles.append({
            "id": 500 + number,
            "title": name,
            "handle": handle(name),
            "author": rng.choice(AUTHORS),
            # newest first, as a blog lists them
            "published_at": EPOCH + timedelta(days=400) - timedelta(hours=37 * number),
            "body_html": _body(rng),
            "excerpt": None if rng.random() < 0.7 else sentence(rng, 12),
            "tags": rng.sample(TAGS, rng.randint(0, 3)),
            "comments_count": rng.choice((0, 0, 1, 2, 5, 17)),
            "image": None if rng.random() < 0.4 else {"src": f"/cdn/blog/{number}.jpg",
                                                     "alt": rng.choice(HOSTILE)},
        })
    return {
        "shop": {"name": "Planet Express <Records>"},
        "blog": {"title": "News & Noise", "handle": "news", "articles": articles,
                 "tags": sorted(TAGS)},
        "current_page": 5,
        "per_page": PER_PAGE,
    }


def records(page: dict[str, Any]) -> int:
    return int(page["per_page"])
