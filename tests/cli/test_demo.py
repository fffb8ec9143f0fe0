"""What a person sees in the demo's page: a stylesheet, one number per track (the
``<ol>``'s), durations without a "0 h"."""

from __future__ import annotations

import re
from pathlib import Path

from ladle import cli


def test_the_demo_page_reads_right(tmp_path: Path) -> None:
    assert cli.main(["demo", "-o", str(tmp_path)]) == 0
    page = (tmp_path / "artist.html").read_text(encoding="utf-8")
    head = page.split("</head>")[0]
    assert '<link rel="stylesheet" href="artist.css">' in head
    assert "ol.tracks" in (tmp_path / "artist.css").read_text(encoding="utf-8")
    items = re.findall(r"<li class=\"track[^>]*>(.*?)</li>", page, re.DOTALL)
    assert items
    for item in items:  # the list numbers the tracks; nothing prints a number before it
        assert not re.match(r"\s*(<span[^>]*>)?\d+\.", item), item
    summary = re.search(r"<footer class=\"summary\">\s*<p>(.*?)</p>", page, re.DOTALL)
    assert summary is not None
    assert re.search(r"(\d+ h )?\d+ min in all\.$", summary.group(1))
    assert " 0 h " not in summary.group(1)
