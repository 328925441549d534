"""The weekly performance pack: what a DASS reads, and what a screen reader or PDF reader gets.

The HTML is parsed into a small element tree (stdlib only) so the tests can ask structural
questions: which measures are in the exceptions section, whether every chart has a text
alternative and a table with the same numbers, whether headings go in order.
"""

from __future__ import annotations

import copy
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from itertools import pairwise
from pathlib import Path

import pytest
from pypdf import PdfReader

from asc_assure.reports import formatting as fmt
from asc_assure.reports.charts import trend_chart
from asc_assure.reports.pack import RECENT_POINTS, render_html, write_pack

FIXTURES = Path(__file__).parent / "fixtures"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


# ---------------------------------------------------------------- a tiny HTML tree

@dataclass
class El:
    tag: str
    attrs: dict[str, str]
    children: list[El | str] = field(default_factory=list)

    @property
    def text(self) -> str:
        parts = [c if isinstance(c, str) else c.text for c in self.children]
        return re.sub(r"\s+", " ", "".join(parts)).strip()

    def iter(self, tag: str | None = None) -> Iterator[El]:
        for c in self.children:
            if isinstance(c, El):
                if tag is None or c.tag == tag:
                    yield c
                yield from c.iter(tag)

    def find_all(self, tag: str | None = None, **attrs: str) -> list[El]:
        def matches(e: El) -> bool:
            for k, v in attrs.items():
                k = k.rstrip("_").replace("_", "-")
                if k == "class":
                    if v not in e.attrs.get("class", "").split():
                        return False
                elif e.attrs.get(k) != v:
                    return False
            return True
        return [e for e in self.iter(tag) if matches(e)]

    def find(self, tag: str | None = None, **attrs: str) -> El:
        found = self.find_all(tag, **attrs)
        assert found, f"no <{tag}> with {attrs}"
        return found[0]


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = El("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        el = El(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(el)
        if tag not in VOID:
            self.stack.append(el)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(El(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return
        raise AssertionError(f"stray </{tag}>")

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(html: str) -> El:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    assert len(builder.stack) == 1, f"unclosed elements: {[e.tag for e in builder.stack[1:]]}"
    return builder.root


# ---------------------------------------------------------------- fixtures

def load(name: str) -> dict:
    return json.loads((FIXTURES / f"pack_{name}.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def full() -> dict:
    return load("full")


@pytest.fixture(scope="module")
def full_html(full) -> str:
    return render_html(full)


@pytest.fixture(scope="module")
def full_doc(full_html) -> El:
    return parse(full_html)


@pytest.fixture(scope="module")
def public() -> dict:
    return load("public")


@pytest.fixture(scope="module")
def public_html(public) -> str:
    return render_html(public)


@pytest.fixture(scope="module")
def empty_html() -> str:
    return render_html(load("empty"))


@pytest.fixture(scope="module")
def htmls(full_html, public_html, empty_html) -> dict[str, str]:
    return {"full": full_html, "public": public_html, "empty": empty_html}


def article(doc: El, measure_id: str) -> El:
    return doc.find("article", class_="measure", data_measure_id=measure_id)


# ---------------------------------------------------------------- formatting

def test_formatting_rules():
    assert fmt.format_value(16486, "count") == "16,486"
    assert fmt.format_value(1234.0, "count") == "1,234"
    assert fmt.format_value(86.94, "percent") == "86.9%"
    assert fmt.format_value(100, "percent") == "100.0%"
    assert fmt.format_value(31.44, "days") == "31.4 days"
    assert fmt.format_value(0, "count") == "0"
    assert fmt.format_value(None, "count") is None
    assert fmt.format_value("[c]", "percent") == "[c]"
    assert fmt.change_text(3.5, "improving", "previous week") == "Improving: up 3.5% on previous week"
    assert fmt.change_text(-3.7, "worsening") == "Worsening: down 3.7%"
    assert fmt.change_text(None, None, "previous week") == "No comparison with previous week"
    assert fmt.rag_label("amber") == "Amber" and fmt.rag_label(None) == "No rating"
    assert fmt.format_date("2025-03-31") == "31 March 2025"
    assert fmt.format_datetime("2026-11-29T15:00:00Z") == "29 November 2026 at 15:00 UTC"


# ---------------------------------------------------------------- HTML: structure

@pytest.mark.parametrize("name", ["full", "public", "empty"])
def test_html_is_self_contained(htmls, name):
    html = htmls[name]
    doc = parse(html)
    assert not doc.find_all("script") and not doc.find_all("link") and not doc.find_all("img")
    assert not doc.find_all("iframe") and "@import" not in html
    for el in doc.iter():
        for attr in ("src", "href", "xlink:href", "action", "srcset"):
            value = el.attrs.get(attr)
            if value is not None:
                assert value.startswith("#"), f"<{el.tag} {attr}={value!r}> leaves the page"
    assert not re.search(r"url\(\s*['\"]?(?!#)", html), "CSS or SVG url() pointing outside the page"
    assert not re.search(r"(https?:)?//[\w.-]+\.\w", html), "a URL in the page"


@pytest.mark.parametrize("name", ["full", "public", "empty"])
def test_headings_are_in_order_and_page_has_language_and_title(htmls, name):
    doc = parse(htmls[name])
    assert doc.find("html").attrs["lang"] == "en-GB"
    assert "data as at 31 March 2025" in doc.find("title").text
    levels = [int(e.tag[1]) for e in doc.iter() if re.fullmatch(r"h[1-6]", e.tag)]
    assert levels[0] == 1 and levels.count(1) == 1
    for before, after in pairwise(levels):
        assert after <= before + 1, f"heading level jumps from h{before} to h{after}"


def test_sections_come_in_the_agreed_order(full, full_doc):
    h2s = [e.text for e in full_doc.iter("h2")]
    groups = list(dict.fromkeys(m["group"] for m in full["measures"]))
    assert h2s == ["Headline measures", "Exceptions", *groups, "Data quality", "Notes and definitions"]
    h1 = full_doc.find("h1")
    assert h1.text == "Weekly performance pack"
    title_block = full_doc.find("header", class_="title-block")
    for text in ("Wyvernshire County Council", "31 March 2025", "25 March 2025 to 31 March 2025",
                 "29 November 2026 at 15:00 UTC"):
        assert text in title_block.text


def test_headline_tiles_follow_headline_order_with_rag_words(full, full_doc):
    by_id = {m["id"]: m for m in full["measures"]}
    tiles = full_doc.find("ul", class_="tiles").find_all("li")
    assert [t.find("h3").text for t in tiles] == [by_id[i]["title"] for i in full["headline"]]
    for tile, mid in zip(tiles, full["headline"], strict=True):
        m = by_id[mid]
        assert tile.find("p", class_="tile-value").text == fmt.format_value(m["value"], m["unit"])
        assert tile.find("strong", class_="tag").text == m["rag"].capitalize()
        assert f"Target: {fmt.format_value(m['target'], m['unit'])}" in tile.text
        assert m["direction"].capitalize() in tile.text and "on previous week" in tile.text


def test_exceptions_section_lists_exactly_the_exceptions_before_the_groups(full, full_doc):
    expected = {m["id"] for m in full["measures"] if m["exception"]}
    assert expected and len(expected) < len(full["measures"])
    section = full_doc.find("section", id="exceptions")
    shown = {a.attrs["data-measure-id"] for a in section.find_all("article")}
    assert shown == expected
    summary_rows = section.find("table", class_="exception-summary").find("tbody").find_all("tr")
    assert len(summary_rows) == len(expected)
    for m in full["measures"]:
        if m["exception"]:
            card = section.find("article", data_measure_id=m["id"])
            assert m["exception_reason"] in card.text
            assert fmt.format_value(m["target"], m["unit"]) in card.text
            assert card.find_all("svg"), "an exception has its trend chart"
    sections = [s.attrs.get("id", "") for s in full_doc.iter("section")]
    assert sections.index("exceptions") < min(i for i, s in enumerate(sections) if s.startswith("group-"))


def test_null_value_shows_its_reason_never_zero(full, full_doc):
    nulls = [m for m in full["measures"] if m["value"] is None]
    assert len(nulls) >= 2
    for m in nulls:
        shown = article(full_doc, m["id"]).find("div", class_="figure-value").find("dd")
        assert shown.text == m["reason"]
        assert not re.search(r"\b0(\.0)?%?\b", shown.text)
    # The same for a headline tile.
    data = {**copy.deepcopy(full), "measures": nulls[:1], "headline": [nulls[0]["id"]]}
    tile = parse(render_html(data)).find("ul", class_="tiles").find("li")
    assert tile.find("p", class_="tile-value").text == nulls[0]["reason"]


def test_each_measure_has_definition_figures_and_breakdowns(full, full_doc):
    for m in full["measures"]:
        art = article(full_doc, m["id"])
        assert art.find("h3").text == m["title"]
        assert m["definition"] in art.find("p", class_="definition").text
        figures = art.find("dl", class_="figures").text
        if m["target"] is not None:
            assert fmt.format_value(m["target"], m["unit"]) in figures
        if m["last_year"] is not None:
            assert fmt.format_value(m["last_year"], m["unit"]) in figures
        tables = {t.attrs["data-breakdown"]: t for t in art.find_all("table", class_="breakdown")}
        assert set(tables) == {k for k, rows in m["breakdowns"].items() if rows}
        for name, rows in m["breakdowns"].items():
            body = tables[name].find("tbody").find_all("tr")
            assert [r.find("th").text for r in body] == [r["key"] for r in rows]
            for tr, row in zip(body, rows, strict=True):
                assert tr.find_all("td")[0].text == fmt.format_value(row["value"], m["unit"])
                assert tr.find("strong", class_="tag").text == fmt.rag_label(row["rag"])
                if row["denominator"] is not None:
                    assert fmt.format_count(row["denominator"]) in tr.text


def test_rag_is_always_written_as_a_word(full_doc):
    tags = full_doc.find_all("strong", class_="tag")
    assert len(tags) > 50
    words = {"green": "Green", "amber": "Amber", "red": "Red", "none": "No rating"}
    for tag in tags:
        colour = next(c[4:] for c in tag.attrs["class"].split() if c.startswith("tag-") and c != "tag-small")
        assert tag.text == words[colour]


def test_counts_percents_and_days_are_formatted(full_doc):
    completed = article(full_doc, "assessment.completed_count").find("div", class_="figure-value").text
    assert completed == "This week 1,287"
    loads = full_doc.find("table", class_="loads")
    assert "16,486" in loads.text and "16,453" in loads.text
    assert article(full_doc, "waiting_list.median_wait_days").find("span", class_="big").text == "31.4 days"
    assert re.fullmatch(r"\d+\.\d%", article(full_doc, "safeguarding.triage_within_2wd_pct")
                        .find("span", class_="big").text)


def test_every_table_has_a_caption_and_scoped_headers(htmls):
    for html in htmls.values():
        for table in parse(html).iter("table"):
            assert table.find("caption").text
            for th in table.iter("th"):
                assert th.attrs.get("scope") in ("col", "row"), th.text


def test_every_chart_has_a_text_alternative_and_a_table_with_its_numbers(full, full_doc):
    by_id = {m["id"]: m for m in full["measures"]}
    svgs = full_doc.find_all("svg")
    charted = [m for m in full["measures"] if m["trend"]]
    assert len(svgs) == len(charted) + sum(1 for m in charted if m["exception"])
    ids = [e.attrs["id"] for e in full_doc.iter() if "id" in e.attrs]
    assert len(ids) == len(set(ids)), "ids are unique across the page"
    for svg in svgs:
        chart_id = svg.attrs["data-chart-id"]
        assert svg.attrs["role"] == "img"
        title, desc = svg.find("title"), svg.find("desc")
        assert title.text and desc.text
        assert svg.attrs["aria-labelledby"] == f"{title.attrs['id']} {desc.attrs['id']}"
        figure = full_doc.find("figure", id=f"{chart_id}-figure")
        assert figure.find("figcaption").text == desc.text, "the summary is visible too"

        table = full_doc.find("table", data_chart_id=chart_id)
        measure_id = next(a.attrs["data-measure-id"] for a in full_doc.iter("article") if svg in list(a.iter("svg")))
        m = by_id[measure_id]
        trend = m["trend"] if not chart_id.startswith("chart-exc-") else m["trend"][-RECENT_POINTS:]
        rows = table.find("tbody").find_all("tr")
        assert [r.find("th").text for r in rows] == [fmt.format_date(p["as_of"], short=True) for p in trend]
        assert [r.find("td").text for r in rows] == [fmt.format_value(p["value"], m["unit"]) or "No data"
                                                     for p in trend]
        plotted = [p for p in trend if isinstance(p["value"], int | float)]
        points = svg.find("g", class_="values_marks").find_all("path")
        assert len(points) == len(plotted), "one dot per number in the table"
        latest = fmt.format_value(plotted[-1]["value"], m["unit"])
        assert f"latest {latest}" in desc.text or f"latest available {latest}" in desc.text
        assert latest in [t.text for t in svg.iter("text")], "the latest value is labelled on the chart"
        if plotted[-1]["rag"]:
            assert f"({plotted[-1]['rag'].capitalize()})" in desc.text
        dashed = [e for e in svg.iter() if e.attrs.get("stroke-dasharray")]
        assert bool(dashed) == any(p["target"] is not None for p in trend), "the target is a dashed line"


def test_chart_with_missing_values_says_so():
    trend = [{"as_of": f"2025-03-{d:02d}", "value": v, "target": 90.0, "rag": None}
             for d, v in ((3, 80.0), (10, 85.0), (17, None), (24, None))]
    chart = trend_chart("c", "Test", trend, "percent")
    assert chart.plotted_count == 2
    assert "the last 2 weeks have no value; latest available 85.0%" in chart.summary
    empty = trend_chart("e", "Empty", [{"as_of": "2025-03-31", "value": None, "target": None, "rag": None}], "count")
    assert empty.summary == "There are no values to chart for this period."
    assert "No values to chart" in empty.svg


def test_data_quality_section(full, full_doc):
    section = full_doc.find("section", id="data-quality")
    loads = section.find("table", class_="loads").find("tbody").find_all("tr")
    assert [r.find("td").text for r in loads] == [x["source_file"] for x in full["data_quality"]["loads"]]
    late = section.find("table", class_="late").find("tbody").find_all("tr")
    assert [(r.find("th").text, r.find_all("td")[1].text) for r in late] == [("Workforce", "31")]
    assert [li.text for li in section.find("ul", class_="notes").find_all("li")] == full["data_quality"]["notes"]


# ---------------------------------------------------------------- HTML: public and empty

def test_public_banner_and_suppression_footnote_only_when_public(full_html, public_html, public):
    banner, footnote = "Public version: small numbers suppressed", "[c] = fewer than 5, suppressed"
    assert banner in public_html and footnote in public_html
    assert banner not in full_html and footnote not in full_html and "[c]" not in full_html
    doc = parse(public_html)
    suppressed = next(m for m in public["measures"] if m["value"] == "[c]")
    assert article(doc, suppressed["id"]).find("div", class_="figure-value").find("dd").text == "[c]"
    tile = next(t for t in doc.find("ul", class_="tiles").find_all("li") if t.find("h3").text == suppressed["title"])
    assert tile.find("p", class_="tile-value").text == "[c]"
    breakdown_cells = [td.text for t in doc.find_all("table", class_="breakdown") for td in t.iter("td")]
    assert "[c]" in breakdown_cells
    rounded = article(doc, "waiting_list.count").find("span", class_="big").text
    assert int(rounded.replace(",", "")) % 5 == 0


def test_empty_pack_says_there_is_nothing(empty_html):
    doc = parse(empty_html)
    assert not doc.find_all("svg") and not doc.find_all("article")
    text = doc.find("main").text
    assert "No headline measures for this period." in text
    assert "There are no measures in this pack" in text
    assert "No extracts were loaded for this pack." in text and "No extracts are late." in text


def test_missing_headline_measure_is_named_not_dropped(full):
    data = {**copy.deepcopy(full), "measures": full["measures"][:1]}
    data["headline"] = ["no.such_measure", full["measures"][0]["id"]]
    tiles = parse(render_html(data)).find("ul", class_="tiles").find_all("li")
    assert tiles[0].find("h3").text == "no.such_measure" and "Not in this pack" in tiles[0].text


def test_text_from_the_data_is_escaped(full):
    data = {**copy.deepcopy(full), "measures": copy.deepcopy(full["measures"][:1])}
    data["council"] = "<script>alert(1)</script> & Co"
    data["measures"][0]["title"] = "A <b>bold</b> title"
    html = render_html(data)
    assert "<script>" not in html and "&lt;script&gt;" in html and "A &lt;b&gt;bold&lt;/b&gt; title" in html


# ---------------------------------------------------------------- writing files and PDF

def _pdf_text(reader: PdfReader) -> str:
    return re.sub(r"\s+", " ", " ".join(page.extract_text() or "" for page in reader.pages))


def test_write_pack_pdf_is_a4_tagged_titled_and_has_text(full, tmp_path):
    # One measure from each group keeps the test quick while covering every section and kind of page.
    firsts = {}
    for m in full["measures"]:
        firsts.setdefault(m["group"], m)
    full = {**full, "measures": list(firsts.values()), "headline": [m["id"] for m in firsts.values()][:3]}
    assert any(m["exception"] for m in full["measures"]) and any(m["value"] is None for m in full["measures"])
    out = write_pack(full, tmp_path / "pack.pdf")
    assert out == tmp_path / "pack.pdf" and list(tmp_path.iterdir()) == [out], "no partial file left behind"
    data = out.read_bytes()
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and bool(root["/MarkInfo"]["/Marked"])
    assert root["/Lang"] == "en-GB"
    assert reader.metadata.title == "Wyvernshire County Council: Weekly performance pack, data as at 31 March 2025"
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)  # A4 in pt
    text = _pdf_text(reader)
    for phrase in ("Weekly performance pack", "Headline measures", "Exceptions", "Data quality",
                   "Concerns triaged within 2 working days", "No data for this period", "16,486"):
        assert phrase in text, phrase
    for group in {m["group"] for m in full["measures"]}:
        assert group in text
    assert "Page 1 of" in text
    # Every chart is a tagged figure whose alternative text is the chart's title.
    struct = root["/StructTreeRoot"].get_object()
    figures: list[str] = []

    def walk(node) -> None:
        node = node.get_object()
        if not hasattr(node, "get"):
            return
        if node.get("/S") == "/Figure":
            figures.append(str(node.get("/Alt", "")))
        kids = node.get("/K")
        for kid in kids if isinstance(kids, list) else [kids]:
            if kid is not None and not isinstance(kid, int):
                walk(kid)

    walk(struct)
    assert len(figures) == sum(1 for m in full["measures"] if m["trend"]) + sum(
        1 for m in full["measures"] if m["trend"] and m["exception"])
    assert all(alt for alt in figures)


def test_empty_pack_writes_a_pdf_and_html(tmp_path):
    data = load("empty")
    pdf = write_pack(data, tmp_path / "empty.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    assert "There are no measures in this pack" in _pdf_text(reader)
    html = write_pack(data, tmp_path / "out" / "empty.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")


def test_write_pack_refuses_other_formats(full, tmp_path):
    with pytest.raises(ValueError, match=r"\.html or \.pdf"):
        write_pack(full, tmp_path / "pack.docx")
    assert not list(tmp_path.iterdir())
