"""Data of the store collection page: a collection of 200 products."""

from __future__ import annotations

import random
from typing import Any

from bench.pages.common import HOSTILE, SEED, VENDORS, handle, moment, sentence, title

PRODUCTS = 200
TAGS = ("vinyl", "limited", "signed", "reissue", "box-set", "import", "new", "sale & clearance")


def _product(rng: random.Random, number: int) -> dict[str, Any]:
    name = title(rng, rng.randint(1, 6))
    price = rng.choice((999, 1299, 1999, 2450, 3000, 4999, 12900))
    on_sale = rng.random() < 0.3
    return {
        "id": 8000 + number,
        "title": name,
        "handle": handle(name),
        "vendor": rng.choice(VENDORS),
        "sku": f"PX-{number:04d}",
        "price": price,
        "compare_at_price": price + rng.choice((500, 1000, 1501)) if on_sale else None,
        "available": rng.random() < 0.85,
        "tags": rng.sample(TAGS, rng.randint(0, 5)),
        "created_at": moment(rng),
        "rating": rng.choice((None, 3.25, 3.5, 4.04, 4.25, 4.5, 4.75, 4.96)),
        "reviews_count": rng.randint(0, 480),
        "image": None if rng.random() < 0.1 else {
            "src": f"/cdn/products/{number}.jpg",
            "alt": None if rng.random() < 0.5 else rng.choice((name, *HOSTILE)),
        },
    }


def make_page(seed: int = SEED, count: int = PRODUCTS) -> dict[str, Any]:
    rng = random.Random(seed)
    return {
        "shop": {"name": "Planet Express <Records> & Tapes", "currency": "USD"},
        "search_terms": "rock & roll <script>alert(1)</script>",
        "collection": {
            "title": "Everything & More",
            "handle": "everything",
            "description": "<p>All our records, <em>new</em> & used. " + sentence(rng, 30)
                           + " Tom &amp; Jerry's <b>picks</b>.</p>",
            "products": [_product(rng, number) for number in range(count)],
        },
        "columns": 4,
    }


def records(page: dict[str, Any]) -> int:
    return len(page["collection"]["products"])
