"""The benchmark corpus (bench/pages/): every page renders byte-identical HTML in every
engine, escaped; the check finds a difference; the helpers the engines share agree with
python-liquid; the table and the targets read the measurements right. No timing here."""

from __future__ import annotations

from datetime import datetime

import jinja2
import liquid
import pytest

from bench.pages import PAGES, Page, engines, measure
from bench.pages.filters import JINJA, money_with_currency, money_without_trailing_zeros


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_engine_renders_the_page_as_ladle_does(page: Page) -> None:
    data = page.make_data()
    renders = engines.renderers(page)
    assert set(renders) >= {"ladle", "python-liquid", "jinja2"}
    assert engines.mismatches(page, data, renders) == []
    html = renders["ladle"](data)
    assert html.endswith("</html>\n")
    assert page.records(data) > 0


def test_there_are_nine_pages_and_the_store_renders_200_cards() -> None:
    assert [page.name for page in PAGES] == ["artist", "store", "product", "blog", "email",
                                             "admin", "dashboard", "issues",
                                             "docs"]
    store = PAGES[1]
    assert engines.renderer("ladle", store)(store.make_data()).count('<li class="card') == 200


def test_a_different_or_unescaped_rendering_is_reported_with_a_diff() -> None:
    page, data = PAGES[4], PAGES[4].make_data()
    renders = engines.renderers(page)
    wrong = {**renders, "jinja2": lambda d: renders["jinja2"](d).replace("Subtotal", "Sum")}
    [problem] = engines.mismatches(page, data, wrong)
    assert problem.startswith("Jinja2 renders the email page differently from ladle")
    assert "-        <tr><td>Subtotal" in problem and "+        <tr><td>Sum" in problem
    raw = {"ladle": lambda d: "<script>", "python-liquid": lambda d: "<script>"}
    assert engines.mismatches(page, data, raw) == ["ladle did not escape the email page's "
                                                   "<script>"]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_engine_parses_the_page_and_its_partials(page: Page) -> None:
    for engine in page.engines:
        parsed = engines.parser(engine, page)()
        assert len(parsed) == len(engines.sources(page, engine)) >= 1


TEXTS = ["", "one", "two\nlines <b>&\n", "Rock & Roll <b>loud</b> and   quiet\n words",
         "x" * 30, "a b c d e", "<p>Tom &amp; Jerry</p> <em>R&amp;B</em>", "  spaced  out  "]


@pytest.mark.parametrize("text", TEXTS)
def test_the_jinja_ports_of_liquid_filters_give_liquids_results(text: str) -> None:
    env = liquid.Environment()
    cases = {
        "{{ t | truncate: 30 }}": JINJA["truncate_chars"](text, 30),
        "{{ t | truncate: 5 }}": JINJA["truncate_chars"](text, 5),
        "{{ t | truncatewords: 3 }}": JINJA["truncatewords"](text, 3),
        "{{ t | truncatewords: 5 }}": JINJA["truncatewords"](text, 5),
        "{{ t | url_encode }}": JINJA["url_encode"](text),
        "{{ t | strip_html }}": JINJA["strip_html"](text),
    }
    for source, ported in cases.items():
        assert env.from_string(source).render(t=text) == ported, source
    escaping = liquid.Environment(autoescape=True)
    jinja = jinja2.Environment(autoescape=True)
    jinja.filters.update(JINJA)
    for source, port in [("t | newline_to_br", "t | newline_to_br"),
                         ("t | newline_to_br | truncate: 9",
                          "t | newline_to_br | truncate_chars(9)"),
                         ("t | strip_newlines", "t | strip_newlines"),
                         ("t | strip_newlines | truncatewords: 2",
                          "t | strip_newlines | truncatewords(2)")]:
        assert escaping.from_string(f"{{{{ {source} }}}}").render(t=text) == \
            jinja.from_string(f"{{{{ {port} }}}}").render(t=text), source
    when = datetime(2024, 3, 5, 7, 8)
    assert env.from_string('{{ d | date: "%B %-d, %Y" }}').render(d=when) == \
        JINJA["date"](when, "%B %-d, %Y") == "March 5, 2024"


def test_the_shopify_money_filters() -> None:
    assert money_with_currency(123456, "USD") == "$1,234.56 USD"
    assert money_with_currency(5, "CAD") == "$0.05 CAD"
    assert money_with_currency(-1999) == "-$19.99 USD"
    assert money_without_trailing_zeros(120000) == "$1,200"
    assert money_without_trailing_zeros(1250) == "$12.50"


def result(page: str, ladle: float, jinja: float, parse: float) -> measure.PageResult:
    return measure.PageResult(
        page, records=10, rounds=5,
        render_ns={"ladle": ladle * 1e6, "python-liquid": 2 * ladle * 1e6, "jinja2": jinja * 1e6},
        parse_ns={"ladle": parse, "python-liquid": 1.0},
        peak_bytes={"ladle": 2048, "jinja2": 1024, "python-liquid": 4096})


def test_the_table_shows_ladles_ratios_per_page_and_their_geometric_mean() -> None:
    text = measure.table([result("store", 1.0, 2.0, 2.0), result("admin", 4.0, 2.0, 3.0)])
    lines = text.splitlines()
    assert lines[0].split()[:4] == ["page", "records", "rounds", "ladle"]
    assert lines[2].split() == ["store", "10", "5", "1.00", "0.50x", "0.50x", "-", "2.00x",
                                "2", "1", "4"]
    assert lines[3].split()[4:8] == ["2.00x", "0.50x", "-", "3.00x"]
    assert lines[-1].split() == ["geometric", "mean", "1.00x", "0.50x", "-", "2.45x"]


def test_the_targets_of_issue_14() -> None:
    lines = measure.targets([result("store", 1.0, 2.0, 2.0), result("admin", 4.0, 2.0, 3.0)])
    assert lines == [
        "ok      corpus: store: ladle 0.50x Jinja2 (target <= 1x)",
        "MISSED  corpus: admin: ladle 2.00x Jinja2 (target <= 1x)",
        "MISSED  corpus: geometric mean 1.00x Jinja2 (target <= 0.85x)",
        "ok      corpus: store: parse + compile 2.00x python-liquid's parse (target <= 2.5x)",
        "MISSED  corpus: admin: parse + compile 3.00x python-liquid's parse (target <= 2.5x)",
    ]


def test_interleaved_timing_rotates_the_order_and_keeps_medians() -> None:
    calls: list[str] = []
    medians, rounds = measure.interleaved(
        {"a": lambda: calls.append("a"), "b": lambda: calls.append("b")}, seconds=0,
        min_rounds=3)
    assert rounds == 3
    assert calls == ["a", "b", "a", "b", "b", "a", "a", "b"]  # warm-up, then rotating
    assert set(medians) == {"a", "b"} and all(value >= 0 for value in medians.values())
