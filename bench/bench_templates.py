"""Templates suite: the artist page of templates.md "Speed", escaping on, four engines.

- ladle renders ``examples/artist/artist.html`` (and its ``_track.html`` partial), the
  page written with ladle's expressions;
- python-liquid renders ``bench/artist/liquid/``, the same page in standard Liquid;
- Jinja2 renders ``bench/artist/jinja/``, the same page in Jinja;
- Mako renders ``bench/artist/mako/``, the same page in Mako.

The page uses ladle's own filters (``mmss``, ``money``, ``pluralize``, ``slugify``,
``filesize``, ``json``): the peers get the same functions as custom filters, as their
users would register theirs, so all three spend the same time in them.

All four render the generated data of ``bench/artist/data.py`` (20 albums of 8 to 15
tracks, about 250 partial renders per page). Before anything is timed, all of them must
produce byte-identical HTML, on that data and on ``examples/artist/artist.json``, with
the hostile strings escaped; otherwise the suite fails with a diff.

Each engine loads its templates through a caching loader with its default settings (the
partial is parsed once, and its file is checked for changes at each ``render``/
``include``, in all four). Reported per render of the whole page, as a ratio to
python-liquid. A second group times parsing the page and its partial, which is what an
engine pays at every ``{% render %}`` when its loader does not cache (python-liquid's
plain ``FileSystemLoader`` does not). For ladle that is parsing plus compiling the template
to Python; its expressions are compiled when first evaluated, which a third group times:
the first render of a freshly parsed page.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import liquid
import pytest
from mako.lookup import TemplateLookup
from mako.template import Template as MakoTemplate

from bench.artist import data
from ladle import filters, templating

GROUP = "templates"
PARSE_GROUP = "templates: parse page + partial"
FIRST_GROUP = "templates: parse + first render"
BASELINE = "python-liquid"

ROOT = Path(__file__).resolve().parent.parent
LADLE_DIR = ROOT / "examples" / "artist"
LIQUID_DIR = ROOT / "bench" / "artist" / "liquid"
JINJA_DIR = ROOT / "bench" / "artist" / "jinja"
MAKO_DIR = ROOT / "bench" / "artist" / "mako"
PAGE, PARTIAL = "artist.html", "_track.html"

Page = dict[str, Any]
Render = Callable[[Page], str]


def ladle() -> Render:
    # Escaped because the file name ends in .html (ladle's default).
    env = templating.Environment(loader=templating.CachingFileSystemLoader(LADLE_DIR))
    template = env.get_template(PAGE)
    return lambda page: template.render(**page)


def liquid_environment(loader: liquid.BaseLoader | None = None) -> liquid.Environment:
    env = liquid.Environment(autoescape=True, loader=loader)
    for name, function in filters.LADLE.items():
        env.add_filter(name, function)
    return env


def python_liquid() -> Render:
    env = liquid_environment(liquid.CachingFileSystemLoader(LIQUID_DIR))
    template = env.get_template(PAGE)
    return lambda page: template.render(**page)


def jinja_environment() -> jinja2.Environment:
    # keep_trailing_newline: Liquid keeps a file's final newline, Jinja drops it by default.
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(JINJA_DIR), autoescape=True,
                             keep_trailing_newline=True)
    env.filters.update(filters.LADLE)
    return env


def jinja() -> Render:
    template = jinja_environment().get_template(PAGE)
    return lambda page: template.render(**page)


# Mako finds filters as names in the template: every template imports ladle's.
MAKO_IMPORTS = ["from filters import LADLE as _ladle",
                *(f"{name} = _ladle[{name!r}]" for name in filters.LADLE)]


def mako_lookup() -> TemplateLookup:
    # default_filters=["h"]: every ${} is HTML-escaped with markupsafe, as in the others.
    return TemplateLookup(directories=[str(MAKO_DIR)], default_filters=["h"],
                          imports=MAKO_IMPORTS)


def mako() -> Render:
    template = mako_lookup().get_template(PAGE)
    return lambda page: template.render(**page)


@dataclass(frozen=True)
class Contender:
    key: str  # the pytest id
    label: str  # the row in the report
    build: Callable[[], Render]


CONTENDERS = [
    Contender("python-liquid", BASELINE, python_liquid),
    Contender("ladle", "ladle", ladle),
    Contender("jinja2", "Jinja2", jinja),
    Contender("mako", "Mako", mako),
]


def example_page() -> Page:
    with (LADLE_DIR / "artist.json").open(encoding="utf-8") as file:
        page: Page = json.load(file)
    return page


def diff(expected: str, actual: str, name: str) -> str:
    lines = difflib.unified_diff(expected.splitlines(keepends=True),
                                 actual.splitlines(keepends=True), "ladle", name, n=2)
    return "".join(list(lines)[:80])


def check(renders: dict[str, Render], pages: dict[str, Page]) -> None:
    """Every contender renders every page exactly as ladle does, and escapes it."""
    for page_name, page in pages.items():
        expected = renders["ladle"](page)
        if "<script>" in expected or "&lt;script&gt;alert(1)&lt;/script&gt;" not in expected:
            pytest.fail(f"ladle did not escape the {page_name} page's <script>", pytrace=False)
        for contender in CONTENDERS:
            actual = renders[contender.key](page)
            if actual != expected:
                pytest.fail(f"{contender.label} renders the {page_name} page differently "
                            f"from ladle:\n{diff(expected, actual, contender.label)}",
                            pytrace=False)


@pytest.fixture(scope="module")
def page() -> Page:
    return data.make_page()


@pytest.fixture(scope="module")
def renders(page: Page) -> dict[str, Render]:
    """Every contender, built and checked for identical HTML before anything is timed."""
    built = {contender.key: contender.build() for contender in CONTENDERS}
    check(built, {"generated": page, "example": example_page()})
    return built


@pytest.mark.parametrize("contender", CONTENDERS, ids=lambda c: c.key)
def test_render(benchmark: Any, page: Page, renders: dict[str, Render],
                contender: Contender) -> None:
    benchmark.group = GROUP
    benchmark.extra_info.update(
        label=contender.label,
        records=data.track_count(page),  # shown in the table: tracks on the page
        baseline=contender.label == BASELINE,
    )
    html = benchmark(renders[contender.key], page)
    assert html.endswith("</html>\n")


# Parsing: the page and its partial, compiled from their sources (no loader, no cache).
Parse = Callable[[], list[object]]


def parser(env: Any, directory: Path) -> Parse:
    sources = [(directory / name).read_text("utf-8") for name in (PAGE, PARTIAL)]
    caches = [getattr(env, name) for name in ("compile_at", "parse_at") if hasattr(env, name)]

    def parse() -> list[object]:
        for cache in caches:
            cache.cache_clear()  # time a first parse, not ladle's caches of expressions
        return [env.from_string(source) for source in sources]

    return parse


def mako_parser() -> Parse:
    sources = [(MAKO_DIR / name).read_text("utf-8") for name in (PAGE, PARTIAL)]
    lookup = mako_lookup()

    def parse() -> list[object]:
        return [MakoTemplate(source, lookup=lookup, default_filters=["h"],
                             imports=MAKO_IMPORTS) for source in sources]

    return parse


@dataclass(frozen=True)
class Parser:
    key: str
    label: str
    build: Callable[[], Parse]


PARSERS = [
    Parser("python-liquid", BASELINE,
           lambda: parser(liquid_environment(), LIQUID_DIR)),
    Parser("ladle", "ladle", lambda: parser(templating.Environment(autoescape=True), LADLE_DIR)),
    Parser("jinja2", "Jinja2", lambda: parser(jinja_environment(), JINJA_DIR)),
    Parser("mako", "Mako", mako_parser),
]


@pytest.mark.parametrize("contender", PARSERS, ids=lambda c: c.key)
def test_parse(benchmark: Any, contender: Parser) -> None:
    benchmark.group = PARSE_GROUP
    benchmark.extra_info.update(label=contender.label, baseline=contender.label == BASELINE)
    templates = benchmark(contender.build())
    assert len(templates) == 2


# The first render of a freshly parsed page: what a page costs when nothing is cached yet.
def first_render(page: Page, build: Callable[[], Any]) -> Callable[[], str]:
    def run() -> str:
        return str(build().render(**page))

    return run


def _ladle_fresh() -> Any:
    return templating.Environment(
        loader=templating.CachingFileSystemLoader(LADLE_DIR)).get_template(PAGE)


@dataclass(frozen=True)
class Fresh:
    key: str
    label: str
    build: Callable[[], Any]  # a freshly loaded template of the page


# Fresh environments with the same caching loaders as above: the partial is parsed once.
FIRST = [
    Fresh("python-liquid", BASELINE, lambda: liquid_environment(
        liquid.CachingFileSystemLoader(LIQUID_DIR)).get_template(PAGE)),
    Fresh("ladle", "ladle", _ladle_fresh),
    Fresh("jinja2", "Jinja2", lambda: jinja_environment().get_template(PAGE)),
    Fresh("mako", "Mako", lambda: mako_lookup().get_template(PAGE)),
]


@pytest.mark.parametrize("contender", FIRST, ids=lambda c: c.key)
def test_first_render(benchmark: Any, page: Page, renders: dict[str, Render],
                      contender: Fresh) -> None:
    benchmark.group = FIRST_GROUP
    benchmark.extra_info.update(label=contender.label, baseline=contender.label == BASELINE)
    html = benchmark(first_render(page, contender.build))
    assert html == renders["ladle"](page)
