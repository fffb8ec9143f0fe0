"""The generated catalog the benchmarks run on: file records and the placement rules of rules.md.

Records come from ``random.Random(SEED)``, so every run (and every contender) sees the
same data. The mix is chosen to exercise the rules: about 40% ``lossless`` (so the
``id % 100`` ranges are reached), ids over the whole 64-bit range, including negative
ids and ids of 2**63 and above (which do not fit a signed 64-bit integer).
"""

from __future__ import annotations

import random
from typing import Any

SEED = 20240611
RECORDS = 200_000

# The five rules of /work/shared/design/rules.md, in ladle's syntax, in file order.
RULES: dict[str, str] = {
    "morbo": "tag == 'lossless' && (id % 100) >=  0 && (id % 100) <= 47",
    "linda": "tag == 'lossless' && (id % 100) >= 48 && (id % 100) <= 96",
    "calculon": "tag == 'lossless' && (id % 100) >= 97 && (id % 100) <= 99",
    "devil": "public == true",
    "santa": "public == true",
}

TAGS = ("lossless", "lossy", "image", "video", "document")
TAG_WEIGHTS = (40, 30, 15, 10, 5)
EXTENSIONS = {"lossless": "flac", "lossy": "mp3", "image": "jpg", "video": "mkv",
              "document": "pdf"}


def make_id(rng: random.Random) -> int:
    """An id: mostly 0 <= id < 2**63, 10% negative, 10% in [2**63, 2**64)."""
    roll = rng.random()
    if roll < 0.1:
        return rng.randrange(-(2**63), 0)
    if roll < 0.2:
        return rng.randrange(2**63, 2**64)
    return rng.randrange(0, 2**63)


def make_records(count: int = RECORDS, seed: int = SEED) -> list[dict[str, Any]]:
    """``count`` flat file records, the same ones for the same seed."""
    rng = random.Random(seed)
    tags = rng.choices(TAGS, weights=TAG_WEIGHTS, k=count)
    records = []
    for number, tag in enumerate(tags):
        records.append({
            "id": make_id(rng),
            "tag": tag,
            "public": rng.random() < 0.3,
            "size": rng.randrange(1_000, 200_000_000),
            "path": f"artist{rng.randrange(5_000)}/album{rng.randrange(50)}/"
                    f"{number}.{EXTENSIONS[tag]}",
        })
    return records
