"""Data of the account dashboard: 60 notifications and 250 orders of 1 to 5 lines."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from bench.pages.common import EPOCH, HOSTILE, SEED, VENDORS

NOTES = 60
ORDERS = 250
TEXTS = ("Disk almost full on <db-1>", 'New login from "Paris"', "Backup done & verified",
         "Invoice #42 overdue")
CUSTOMERS = ("Ann", "<script>alert(1)</script>", "Zoë", "O'Brien")


def make_page(seed: int = SEED, count: int = ORDERS) -> dict[str, Any]:
    rng = random.Random(seed)
    notes = [{"text": f"{rng.choice(TEXTS)} ({number})",
              "level": rng.choice(("info", "warn", "error")), "read": rng.random() < 0.4,
              "at": EPOCH + timedelta(minutes=7 * number)} for number in range(NOTES)]
    products = (*VENDORS, *HOSTILE)
    orders = []
    for number in range(count):
        lines = [{"name": rng.choice(products), "price": rng.randint(150, 9000),
                  "qty": rng.randint(1, 4)} for _ in range(rng.randint(1, 5))]
        customer = None if rng.random() < 0.15 else {"name": rng.choice(CUSTOMERS),
                                                     "vip": rng.random() < 0.2}
        orders.append({"id": 5000 + number, "lines": lines, "customer": customer,
                       "status": rng.choice(("paid", "shipped", "refunded", "pending")),
                       "tags": rng.sample(("gift", "rush", "b2b", "fragile"), rng.randint(0, 2)),
                       "priority": rng.randint(0, 9),
                       "created_at": EPOCH + timedelta(hours=5 * number)})
    return {"user": {"name": "Dana <admin>", "logged_in": True, "admin_level": 42},
            "notifications": notes, "orders": orders, "show_read": False, "max_notes": 25}


def records(page: dict[str, Any]) -> int:
    return len(page["orders"])
