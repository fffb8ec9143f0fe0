"""Data of the issue list: 300 issues of a repository, 50 to a page, the second shown."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from bench.pages.common import EPOCH, HOSTILE, SEED, title

ISSUES = 300
PER_PAGE = 50
LABELS = ("bug", "enhancement", "docs", "good first issue", "wontfix", "perf", "<ui>",
          "a&b")
NAMES = ("Ann O'Neil", "Bob <b>", "Cleo", "Dee & Dum", "Émile", "")
STATES = ("open", "closed", "open", "merged")


def make_page(seed: int = SEED, count: int = ISSUES) -> dict[str, Any]:
    rng = random.Random(seed)
    people = [{"login": f"user{number}", "name": rng.choice(NAMES)} for number in range(40)]
    issues = []
    for number in range(count):
        lines = ["First line of the report.", f"Then {rng.choice(HOSTILE)} & <code>x < y</code>."]
        issues.append({
            "number": 1000 + number,
            "title": rng.choice(("Crash on start:", "Slow", "Docs:", "Add")) + " "
                     + title(rng, rng.randint(1, 5), hostile=0.2),
            "state": rng.choice(STATES),
            "labels": rng.sample(LABELS, rng.randint(0, 3)),
            "author": rng.choice(people),
            "comments": rng.choice((0, 1, 2, 5, 17, 40)),
            "created_at": EPOCH + timedelta(hours=rng.randrange(9000)),
            "body": "\n".join(lines * rng.randint(1, 3)) + "\n",
            "milestone": rng.choice((None, "v1.0", "v1.1", "v2.0")),
            "votes": rng.randint(-5, 120),
            "pr": rng.random() < 0.3,
        })
    return {"repo": {"name": "ladle", "owner": "team",
                     "topics": ["liquid", "templates", "rules", "fast"]},
            "issues": issues, "page": 2, "per_page": PER_PAGE}


def records(page: dict[str, Any]) -> int:
    return int(page["per_page"])
