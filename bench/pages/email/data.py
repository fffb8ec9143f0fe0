"""Data of the transactional email: an order confirmation of 12 lines."""

from __future__ import annotations

import random
from typing import Any

from bench.pages.common import HOSTILE, SEED, moment, title

LINES = 12


def _line(rng: random.Random, number: int) -> dict[str, Any]:
    price = rng.choice((999, 1299, 1999, 2450, 4999))
    quantity = rng.choice((1, 1, 1, 2, 3))
    discount = rng.choice((0, 0, 0, 250, 500))
    return {
        "title": title(rng, rng.randint(1, 5), hostile=0.2),
        "variant_title": rng.choice((None, "LP / Black", "CD", "Cassette & Booklet")),
        "sku": f"PX-{number:04d}",
        "quantity": quantity,
        "price": price,
        "line_price": price * quantity,
        "discount": discount * quantity,
        "requires_shipping": rng.random() < 0.8,
        "gift_card": rng.random() < 0.05,
        "properties": {} if rng.random() < 0.7 else {"Engraving": rng.choice(HOSTILE)},
    }


def make_page(seed: int = SEED) -> dict[str, Any]:
    rng = random.Random(seed)
    lines = [_line(rng, number) for number in range(LINES)]
    subtotal = sum(line["line_price"] - line["discount"] for line in lines)
    shipping = 1250
    tax = subtotal * 8 // 100
    address = {"name": 'Hubert "Professor" Farnsworth', "company": "Planet Express & Co",
               "address1": "57th Street <Lab>", "address2": None, "city": "New New York",
               "province": "NY", "zip": "10001", "country": "United States"}
    return {
        "shop": {"name": "Planet Express Records", "email": "orders@planetexpress.example",
                 "currency": "USD", "symbol": "$"},
        "order": {
            "name": "#1042",
            "created_at": moment(rng),
            "customer": {"first_name": "Fry <script>alert(1)</script>",
                         "email": "fry&co@example.com"},
            "line_items": lines,
            "subtotal_price": subtotal,
            "shipping_price": shipping,
            "tax_price": tax,
            "discount_codes": [{"code": "ROBOT&ROLL", "amount": 500}],
            "total_price": subtotal + shipping + tax - 500,
            "shipping_address": address,
            "billing_address": {**address, "address2": "Apt <3>", "company": None},
            "shipping_method": "Express <next day>",
            "note": "Leave it with Nibbler & don't ring",
            "gift_card_used": None,
        },
    }


def records(page: dict[str, Any]) -> int:
    return len(page["order"]["line_items"])
