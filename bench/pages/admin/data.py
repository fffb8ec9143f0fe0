"""Data of the admin table: 1,000 orders, and the stock list of 120 products."""

from __future__ import annotations

import random
from typing import Any

from bench.pages.common import HOSTILE, SEED, VENDORS, moment, title

ORDERS = 1000
PRODUCTS = 120
TAGS = ("vip", "wholesale", "gift", "fraud?", "<b>rush</b>")
STATUSES = ("paid", "pending", "refunded", "partially_refunded", "voided")
FIRST = ("Philip", "Turanga", "Amy", "Hermes", "Bender", "Zapp", "Kif", "Mom")
LAST = ("Fry", "Leela", "Wong", "Conrad", "Rodríguez", "Brannigan", "Kroker", "O'Brien")


def _order(rng: random.Random, number: int) -> dict[str, Any]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    name = f"{first} {last}" if rng.random() > 0.05 else rng.choice(HOSTILE)
    return {
        "id": 100000 + number,
        "name": f"#{1000 + number}",
        "customer": name,
        "email": f"{first.lower()}.{last.lower()}@example.com",
        "created_at": moment(rng),
        "financial_status": rng.choices(STATUSES, weights=(60, 20, 8, 7, 5))[0],
        "fulfilled": rng.random() < 0.6,
        "items": rng.randint(1, 9),
        "total": rng.randint(500, 90000),
        "tags": rng.sample(TAGS, rng.randint(0, 2)),
    }


def make_page(seed: int = SEED, count: int = ORDERS) -> dict[str, Any]:
    rng = random.Random(seed)
    products = []
    for _ in range(PRODUCTS):
        inventory = rng.choice((0, 1, 2, 4, 9, 30, 100))
        products.append({"title": title(rng, rng.randint(1, 3)), "vendor": rng.choice(VENDORS),
                         "inventory": inventory, "low_stock": inventory < 5})
    return {
        "shop": {"name": "Planet Express <Admin>", "currency": "USD"},
        "orders": [_order(rng, number) for number in range(count)],
        "products": products,
        "sort_key": "total",
        "staff": {"name": "Hermes & Co <script>alert(1)</script>", "role": "manager"},
    }


def records(page: dict[str, Any]) -> int:
    return len(page["orders"])
