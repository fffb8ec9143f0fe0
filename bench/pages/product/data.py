"""Data of the product page: one product with three options and their variants,
eight related products and 30 reviews."""

from __future__ import annotations

import itertools
import random
from typing import Any

from bench.pages.common import HOSTILE, SEED, VENDORS, handle, moment, sentence, title

OPTIONS = {
    "Format": ("LP", "2xLP", "CD", "Cassette"),
    "Color": ("Black", "Clear & Red", "Splatter <Limited>", "White"),
    "Edition": ("Standard", "Deluxe", "Signed"),
}
REVIEWS = 30


def _variants(rng: random.Random, base_price: int) -> list[dict[str, Any]]:
    variants = []
    for number, values in enumerate(itertools.product(*OPTIONS.values())):
        price = base_price + 500 * number % 3000
        variants.append({
            "id": 40000 + number,
            "title": " / ".join(values),
            "options": list(values),
            "option1": values[0], "option2": values[1], "option3": values[2],
            "sku": f"PX-LP-{number:03d}",
            "price": price,
            "compare_at_price": price + 1000 if rng.random() < 0.25 else None,
            "available": rng.random() < 0.7,
            "inventory_quantity": rng.choice((0, 1, 2, 3, 8, 25, 140)),
            "weight": rng.randint(180, 900),
        })
    return variants


def make_page(seed: int = SEED) -> dict[str, Any]:
    rng = random.Random(seed)
    name = "Bender's Greatest <script>alert(1)</script> Hits & Misses"
    related = []
    for number in range(8):
        other = title(rng, rng.randint(1, 4), hostile=0.3)
        related.append({"title": other, "handle": handle(other), "price": rng.choice((999, 1999)),
                        "vendor": rng.choice(VENDORS), "available": rng.random() < 0.8,
                        "id": 9000 + number})
    return {
        "shop": {"name": "Planet Express Records", "currency": "USD"},
        "product": {
            "id": 777,
            "title": name,
            "handle": handle(name),
            "vendor": VENDORS[1],
            "type": "Vinyl",
            "description": "<p>" + sentence(rng, 40) + " Rock &amp; roll, <em>loud</em>.</p>",
            "tags": ["robot rock", "Rock & Roll", "<noise>", "vinyl", "limited"],
            "options": [{"name": name_, "values": list(values)}
                        for name_, values in OPTIONS.items()],
            "variants": _variants(rng, 2499),
            "images": [{"src": f"/cdn/777/{n}.jpg", "alt": rng.choice((None, *HOSTILE))}
                       for n in range(6)],
            "reviews": [{"author": rng.choice(("Fry", "Leela", "Hermes & Co", *HOSTILE)),
                         "rating": rng.randint(1, 5), "title": title(rng, 3),
                         "body": sentence(rng, rng.randint(5, 60)), "created_at": moment(rng)}
                        for _ in range(REVIEWS)],
        },
        "selected_variant_id": 40005,
        "related": related,
    }


def records(page: dict[str, Any]) -> int:
    return len(page["product"]["variants"])
