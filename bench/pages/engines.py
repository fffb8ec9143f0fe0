"""Each engine set up for a corpus page: rendering it, parsing its sources, and the check.

Every engine escapes, loads by name through a caching loader with its default settings
(the partials are parsed once, and their files checked for changes on each use), and
has ladle's own filters and ``bench.pages.filters.SHOPIFY``; Jinja also the Liquid
filters its users write for themselves (``filters.JINJA``).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import jinja2
import liquid
from mako.lookup import TemplateLookup  # type: ignore[import-untyped]
from mako.template import Template as MakoTemplate  # type: ignore[import-untyped]

from bench.pages import Page
from bench.pages.filters import JINJA, SHOPIFY
from ladle import filters, templating

Data = dict[str, Any]
Render = Callable[[Data], str]
Parse = Callable[[], list[object]]

LABELS = {"ladle": "ladle", "python-liquid": "python-liquid", "jinja2": "Jinja2", "mako": "Mako"}
CUSTOM = {**filters.LADLE, **SHOPIFY}
LIQUID_EXT = ".liquid"  # Shopify's: {% render 'product-card' %} reads product-card.liquid

# Mako finds filters as names in the template: every template imports them.
MAKO_IMPORTS = ["from bench.pages.engines import CUSTOM as _custom",
                *(f"{name} = _custom[{name!r}]" for name in CUSTOM)]


def ladle_environment(folder: Path | None = None) -> templating.Environment:
    loader = None if folder is None else templating.CachingFileSystemLoader(folder,
                                                                            ext=LIQUID_EXT)
    return templating.Environment(loader=loader, autoescape=True, filters=dict(SHOPIFY))


def liquid_environment(folder: Path | None = None) -> liquid.Environment:
    loader = None if folder is None else liquid.CachingFileSystemLoader(folder, ext=LIQUID_EXT)
    env = liquid.Environment(autoescape=True, loader=loader)
    for name, function in CUSTOM.items():
        env.add_filter(name, function)
    return env


def jinja_environment(folder: Path | None = None) -> jinja2.Environment:
    # keep_trailing_newline: Liquid keeps a file's final newline, Jinja drops it by default;
    # loopcontrols: {% break %} and {% continue %}, as in Liquid.
    loader = None if folder is None else jinja2.FileSystemLoader(folder)
    env = jinja2.Environment(loader=loader, autoescape=True, keep_trailing_newline=True,
                             extensions=["jinja2.ext.loopcontrols"])
    env.filters.update({**CUSTOM, **JINJA})
    return env


def mako_lookup(folder: Path) -> TemplateLookup:
    # default_filters=["h"]: every ${} is HTML-escaped with markupsafe, as in the others.
    return TemplateLookup(directories=[str(folder)], default_filters=["h"],
                          imports=MAKO_IMPORTS)


def _render_with(template: Any) -> Render:
    return lambda data: str(template.render(**data))


def renderer(engine: str, page: Page) -> Render:
    """The page, loaded by name in a fresh environment of ``engine``."""
    path = page.files[engine]
    if engine == "ladle":
        return _render_with(ladle_environment(path.parent).get_template(path.name))
    if engine == "python-liquid":
        return _render_with(liquid_environment(path.parent).get_template(path.name))
    if engine == "jinja2":
        return _render_with(jinja_environment(path.parent).get_template(path.name))
    return _render_with(mako_lookup(path.parent).get_template(path.name))


def renderers(page: Page) -> dict[str, Render]:
    return {engine: renderer(engine, page) for engine in page.engines}


def sources(page: Page, engine: str) -> list[str]:
    """The page's template and its partials, as ``engine`` reads them."""
    path = page.files[engine]
    others = sorted(p for p in path.parent.iterdir()
                    if p.suffix == path.suffix and p != path)
    return [p.read_text("utf-8") for p in (path, *others)]


def parser(engine: str, page: Page) -> Parse:
    """Parsing (and for ladle compiling) the page and its partials, with no cache."""
    texts = sources(page, engine)
    if engine == "mako":
        lookup = mako_lookup(page.files[engine].parent)
        return lambda: [MakoTemplate(text, lookup=lookup, default_filters=["h"],
                                     imports=MAKO_IMPORTS) for text in texts]
    env: Any = {"ladle": ladle_environment, "python-liquid": liquid_environment,
                "jinja2": jinja_environment}[engine]()
    # ladle caches parsed expressions per environment: time a first parse.
    caches = [getattr(env, name) for name in ("compile_at", "parse_at") if hasattr(env, name)]

    def parse() -> list[object]:
        for cache in caches:
            cache.cache_clear()
        return [env.from_string(text) for text in texts]

    return parse


def diff(expected: str, actual: str, name: str) -> str:
    lines = difflib.unified_diff(expected.splitlines(keepends=True),
                                 actual.splitlines(keepends=True), "ladle", name, n=2)
    return "".join(list(lines)[:80])


HOSTILE_ESCAPED = "&lt;script&gt;"


def mismatches(page: Page, data: Data, renders: Mapping[str, Render]) -> list[str]:
    """What is wrong: ladle not escaping the data's ``<script>``, or an engine whose HTML
    differs from ladle's (with a diff). Empty when every engine agrees."""
    expected = renders["ladle"](data)
    problems = []
    if "<script>" in expected or HOSTILE_ESCAPED not in expected:
        problems.append(f"ladle did not escape the {page.name} page's <script>")
    for engine, render in renders.items():
        actual = render(data)
        if actual != expected:
            problems.append(f"{LABELS[engine]} renders the {page.name} page differently "
                            f"from ladle:\n{diff(expected, actual, LABELS[engine])}")
    return problems
