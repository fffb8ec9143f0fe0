"""The benchmark corpus: nine pages, each written for every engine, rendering the same HTML.

Each page has a folder here (the artist page keeps ``examples/artist`` and
``bench/artist``) with one subfolder per engine:

- ``ladle/``: ladle's Liquid, with its expressions where they are natural;
- ``liquid/``: standard Liquid, rendered by python-liquid;
- ``jinja/``: Jinja2;
- ``mako/``: Mako (the artist page only).

The issues and docs pages have no ``ladle/``: ladle renders their standard Liquid as
written, the way a page from someone else reaches it.

The page's ``README.md`` lists what it exercises; its ``data.py`` makes its data from a
fixed seed, hostile strings (``<script>``, quotes, ``&``) included. Every engine escapes
its output, loads partials through a caching loader with its default settings, and has
ladle's own filters (``filters.LADLE``) and the Shopify-style ones of
``bench/pages/filters.py`` registered as custom filters. ``engines.renderers`` builds
them, ``engines.mismatches`` says where one differs from ladle.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.artist import data as artist_data
from bench.pages.admin import data as admin_data
from bench.pages.blog import data as blog_data
from bench.pages.dashboard import data as dashboard_data
from bench.pages.docs import data as docs_data
from bench.pages.email import data as email_data
from bench.pages.issues import data as issues_data
from bench.pages.product import data as product_data
from bench.pages.store import data as store_data

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


@dataclass(frozen=True)
class Page:
    name: str  # the row of the table
    files: Mapping[str, Path]  # engine -> the page's template (its partials sit beside it)
    make_data: Callable[[], dict[str, Any]]
    records: Callable[[dict[str, Any]], int]  # what the page shows, for the table

    @property
    def engines(self) -> tuple[str, ...]:
        return tuple(self.files)


def _page(name: str, stem: str, make_data: Callable[[], dict[str, Any]],
          records: Callable[[dict[str, Any]], int]) -> Page:
    folder = HERE / name
    return Page(name, {"ladle": folder / "ladle" / f"{stem}.liquid",
                       "python-liquid": folder / "liquid" / f"{stem}.liquid",
                       "jinja2": folder / "jinja" / f"{stem}.html"}, make_data, records)


def _as_written(name: str, stem: str, make_data: Callable[[], dict[str, Any]],
                records: Callable[[dict[str, Any]], int]) -> Page:
    """A page in standard Liquid as its author wrote it, untuned: ladle renders that file."""
    folder = HERE / name
    written = folder / "liquid" / f"{stem}.liquid"
    return Page(name, {"ladle": written, "python-liquid": written,
                       "jinja2": folder / "jinja" / f"{stem}.html"}, make_data, records)


PAGES = (
    Page("artist", {
        "ladle": ROOT / "examples" / "artist" / "artist.html",
        "python-liquid": ROOT / "bench" / "artist" / "liquid" / "artist.html",
        "jinja2": ROOT / "bench" / "artist" / "jinja" / "artist.html",
        "mako": ROOT / "bench" / "artist" / "mako" / "artist.html",
    }, artist_data.make_page, artist_data.track_count),
    _page("store", "collection", store_data.make_page, store_data.records),
    _page("product", "product", product_data.make_page, product_data.records),
    _page("blog", "blog", blog_data.make_page, blog_data.records),
    _page("email", "order-confirmation", email_data.make_page, email_data.records),
    _page("admin", "orders", admin_data.make_page, admin_data.records),
    _page("dashboard", "dashboard", dashboard_data.make_page, dashboard_data.records),
    _as_written("issues", "issues", issues_data.make_page, issues_data.records),
    _as_written("docs", "docs", docs_data.make_page, docs_data.records),
)
