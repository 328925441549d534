"""The monthly Business Management and Monitoring Report and its KPI commentary.

The store is small and worked out by hand. Referrals waiting for assessment at each month end, against
a target of 2 (tolerance 1): January 1 (Green), February 3 (Amber), March 5 (Red). The longest wait,
against a target of 30 days (tolerance 45): January 11 days (Green), February 39 (Amber), March 70
(Amber) — so March has two exceptions: a Red, and an Amber for two months in a row.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from asc_assure.assurance import commentary as cm
from asc_assure.assurance.workspace import Workspace, WorkspaceError
from asc_assure.cli import app
from asc_assure.reports import monthly
from asc_assure.reports.word import docx_text
from extracts import write_extract

MARCH_END = dt.date(2025, 3, 31)
COUNT, LONGEST = "waiting_list.count", "waiting_list.longest_wait_days"


def build_monthly_store(folder: Path) -> Path:
    """The hand-worked store described at the top of this file (referrals and targets, as at 31 March 2025)."""
    from asc_assure.data.ingest import ingest_file
    from asc_assure.data.store import Store

    folder.mkdir(parents=True, exist_ok=True)
    store, key = folder / "store", bytes(range(32))
    base = {"person_id": "P", "priority": "high", "team": "North Team", "locality": "North"}
    received = {"R1": "2025-01-20", "R2": "2025-02-10", "R3": "2025-02-20", "R4": "2025-03-05", "R5": "2025-03-25"}
    rows = [{**base, "referral_id": rid, "received_date": day} for rid, day in received.items()]
    ingest_file(store, write_extract(folder / "referrals.csv", "referrals", rows), as_of=MARCH_END, key=key)
    targets = [{"measure_id": COUNT, "effective_from": "2024-04-01", "target": "2", "amber_tolerance": "1"},
               {"measure_id": LONGEST, "effective_from": "2024-04-01", "target": "30", "amber_tolerance": "45"}]
    ingest_file(store, write_extract(folder / "targets.csv", "targets", targets), as_of=MARCH_END, key=key)
    Store(store).set_meta("council", "Testshire County Council")
    return store


@pytest.fixture(scope="module")
def shared_store(tmp_path_factory) -> Path:
    return build_monthly_store(tmp_path_factory.mktemp("monthly"))


@pytest.fixture
def store(tmp_path) -> Path:
    return build_monthly_store(tmp_path)


def by_id(rows: list[dict]) -> dict[str, dict]:
    return {r["id"]: r for r in rows}


# ---------------------------------------------------------------- months and commentary

def test_months_are_calendar_months():
    assert cm.month_bounds("2024-02") == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    assert cm.month_label("2025-03") == "March 2025"
    assert cm.shift_month("2025-01", -1) == "2024-12"
    for bad in ("2025-13", "March", "2025-3", "", "25-03"):
        with pytest.raises(WorkspaceError, match="is not a month"):
            cm.parse_month(bad)


def test_commentary_is_versioned_and_logged(tmp_path):
    ws = Workspace.for_store(tmp_path / "s")
    first = cm.write_commentary(ws, "sam", COUNT, "2025-03", "Referrals rose after the new front door opened.")
    second = cm.write_commentary(ws, "jo", COUNT, "2025-03", "Referrals rose; agency assessors are now in post.")
    assert (first["version"], second["version"]) == (1, 2)
    again = cm.write_commentary(ws, "jo", COUNT, "2025-03", "Referrals rose; agency assessors are now in post.  ")
    assert again["version"] == 2  # the same words do not make an empty version
    current = cm.get_commentary(ws, COUNT, "2025-03")
    assert current["author"] == "jo" and current["versions"] == 2
    assert [h["author"] for h in cm.commentary_history(ws, COUNT, "2025-03")] == ["jo", "sam"]
    assert cm.get_commentary(ws, COUNT, "2025-02") is None
    assert cm.previous_commentary(ws, COUNT, "2025-04")["version"] == 2
    log = ws.changes("kpi_commentary", f"{COUNT}@2025-03")
    assert [(c["actor"], c["action"]) for c in log] == [("jo", "revise"), ("sam", "create")]


@pytest.mark.parametrize(("measure", "month", "text", "message"), [
    (COUNT, "2025-03", "   ", "commentary text is empty"),
    (COUNT, "2025-03", "x" * (cm.MAX_LENGTH + 1), "keep it to 4,000"),
    ("no.such.measure", "2025-03", "Words", "measure 'no.such.measure' is not in the measure registry"),
    (COUNT, "03/2025", "Words", "month '03/2025' is not a month"),
])
def test_bad_commentary_is_refused_with_the_reason(tmp_path, measure, month, text, message):
    ws = Workspace.for_store(tmp_path / "s")
    with pytest.raises(WorkspaceError, match=re.escape(message)):
        cm.write_commentary(ws, "sam", measure, month, text)
    with ws.read() as con:
        assert con.execute("SELECT count(*) FROM kpi_commentary").fetchone()[0] == 0


# ---------------------------------------------------------------- the KPI figures

def test_kpis_are_the_headline_measures_at_each_month_end(shared_store):
    from asc_assure.measures.registry import load_registry

    rows = monthly.kpi_rows(shared_store, "2025-03")
    assert [r["id"] for r in rows] == [m.id for m in load_registry().values() if m.headline]
    count, longest = by_id(rows)[COUNT], by_id(rows)[LONGEST]
    assert [(p["month"], p["value"], p["rag"]) for p in count["recent"]] == [
        ("2025-01", 1, "green"), ("2025-02", 3, "amber"), ("2025-03", 5, "red")]
    assert [p["value"] for p in longest["recent"]] == [11, 39, 70]
    assert (count["target"], count["rag"], count["direction"]) == (2, "red", "worsening")
    assert count["exception"] and count["exception_reason"] == "Red"
    assert longest["rag"] == "amber" and longest["exception_reason"] == "Amber for 2 consecutive months"


def test_february_is_measured_at_its_own_month_end(shared_store):
    """28 February, not 28 January stepped forward: R1 (20 January) has waited 39 days."""
    rows = by_id(monthly.kpi_rows(shared_store, "2025-02"))
    assert rows[LONGEST]["history"][-1]["as_of"] == "2025-02-28"
    assert rows[LONGEST]["history"][-2]["as_of"] == "2025-01-31"
    assert rows[LONGEST]["value"] == 39
    assert rows[COUNT]["exception"] is False  # Amber for one month only
    assert rows[COUNT]["previous"] == 1


def test_a_month_after_the_data_is_refused(shared_store):
    with pytest.raises(monthly.ReportError, match="has no data"):
        monthly.build_report(shared_store, "2025-05", MARCH_END)


# ---------------------------------------------------------------- the report data

def test_exceptions_need_commentary_and_carry_it_when_written(store):
    data = monthly.build_report(store, "2025-03", MARCH_END)
    assert [k["id"] for k in data["exceptions"]] == [COUNT, LONGEST]  # Red first
    assert data["missing_commentary"] == [COUNT, LONGEST]
    assert data["summary"]["exceptions"] == 2 and data["summary"]["missing_commentary"] == 2
    assert data["summary"]["changes"] == [{"change": "Amber to Red", "measures": [
        "People waiting for a Care Act assessment"]}]
    ws = Workspace.for_store(store)
    cm.write_commentary(ws, "team-manager", COUNT, "2025-03", "Two vacant posts are covered by agency staff.")
    data = monthly.build_report(store, "2025-03", MARCH_END)
    assert data["missing_commentary"] == [LONGEST]
    count = by_id(data["kpis"])[COUNT]
    assert count["commentary"]["author"] == "team-manager" and not count["commentary_required"]


def test_report_data_is_plain_json(shared_store):
    data = monthly.build_report(shared_store, "2025-03", MARCH_END)
    again = json.loads(json.dumps(data))
    assert again["council"] == "Testshire County Council" and again["month_label"] == "March 2025"
    assert again["summary"]["red"] == 1 and again["summary"]["amber"] == 1


def test_sections_from_other_areas_are_included_or_say_not_available(shared_store, monkeypatch):
    data = monthly.build_report(shared_store, "2025-03", MARCH_END)
    for name in ("plan", "risks", "budget"):
        assert set(data[name]) >= {"available", "note"}
    real = monthly.importlib.import_module

    def missing_budget(name, *args):
        if name == "asc_assure.assurance.budget":
            raise ModuleNotFoundError(name=name)
        return real(name, *args)

    monkeypatch.setattr(monthly.importlib, "import_module", missing_budget)
    data = monthly.build_report(shared_store, "2025-03", MARCH_END)
    assert data["budget"] == {"available": False, "note": "not available: this installation has no budget module"}
    assert "Budget monitoring not available" in monthly.render_html(data, charts=False)


# ---------------------------------------------------------------- the rendered report

@pytest.fixture(scope="module")
def with_commentary(tmp_path_factory) -> dict:
    store = build_monthly_store(tmp_path_factory.mktemp("rendered"))
    cm.write_commentary(Workspace.for_store(store), "team-manager", COUNT, "2025-03",
                        "Referrals rose faster than assessments could be allocated.\n\nDaily allocation meetings "
                        "have started.")
    return monthly.build_report(store, "2025-03", MARCH_END)


def test_html_has_every_section_and_the_figures(with_commentary):
    html = monthly.render_html(with_commentary)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "Testshire County Council" in text and "Business Management and Monitoring Report: March 2025" in text
    for heading in ("Summary", "Key performance indicators", "Performance exceptions", "Improvement plan",
                    "Top risks", "Budget", "Data as at"):
        assert f'>{heading}</h2>' in html
    assert "Status changes: February 2025 to March 2025" in text and "Amber to Red" in text
    row = re.search(r'<tr data-measure-id="waiting_list.count">(.*?)</tr>', html, re.S).group(1)
    cells = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", c)).strip() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>",
                                                                                          row, re.S)]
    assert cells[1:5] == ["2", "1 Green", "3 Amber", "5 Red"]
    assert "Worsening" in cells[6] and "Referrals rose faster" in cells[7]
    exceptions = html.split('id="exceptions-heading"')[1].split('id="plan-heading"')[0]
    assert "Daily allocation meetings have started." in exceptions and "Commentary by team-manager" in exceptions
    assert "Amber for 2 consecutive months" in exceptions
    assert exceptions.count("Commentary required") == 1  # the longest wait has none
    assert '<svg' in exceptions and "<title" in exceptions  # each exception's chart has a text alternative


def test_heat_map_and_rag_are_words_not_only_colour(with_commentary):
    html = monthly.render_html(with_commentary, charts=False)
    if with_commentary["risks"]["available"]:
        heat = html.split('class="heat-map"')[1].split("</table>")[0]
        assert "<caption>" in heat and 'scope="row"' in heat and "score 25" in heat
    assert '<strong class="tag tag-red">Red</strong>' in html


def test_pdf_is_tagged_and_has_the_sections(with_commentary, tmp_path):
    out = monthly.write_report(with_commentary, tmp_path / "march.pdf")
    reader = PdfReader(io.BytesIO(out.read_bytes()))
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    for words in ("Business Management and Monitoring Report: March 2025", "Performance exceptions",
                  "Commentary required", "Daily allocation meetings have started", "Top risks", "Budget"):
        assert words in text
    assert reader.metadata.title.startswith("Testshire County Council")


def test_word_document_has_the_sections_and_figures(with_commentary, tmp_path):
    out = monthly.write_report(with_commentary, tmp_path / "march.docx")
    text = docx_text(out)
    assert "Business Management and Monitoring Report: March 2025" in text
    for heading in ("Summary", "Key performance indicators", "Performance exceptions", "Improvement plan",
                    "Top risks", "Budget", "Data as at"):
        assert f"\n{heading}\n" in text
    row = next(line for line in text.splitlines() if line.startswith("People waiting for a Care Act assessment |"))
    assert "1 (Green) | 3 (Amber) | 5 (Red) | Red | Worsening | Red |" in row
    assert "Commentary required" in text and "Referrals rose faster than assessments" in text


def test_unknown_format_is_refused(with_commentary, tmp_path):
    with pytest.raises(monthly.ReportError, match=re.escape("not '.txt'")):
        monthly.write_report(with_commentary, tmp_path / "march.txt")
    assert not list(tmp_path.iterdir())


# ---------------------------------------------------------------- the CLI

def test_cli_writes_the_report_and_warns_about_missing_commentary(store, tmp_path):
    out = tmp_path / "march.html"
    result = CliRunner().invoke(app, ["report", "monthly", "--store", str(store), "--month", "2025-03", "--out",
                                      str(out), "--today", "2025-04-02"])
    assert result.exit_code == 0, result.output
    assert "warning: 2 exception(s) for March 2025 have no commentary" in result.stderr
    assert out.exists() and "Commentary required" in out.read_text()


def test_cli_strict_refuses_until_commentary_is_written(store, tmp_path):
    out = tmp_path / "march.docx"
    args = ["report", "monthly", "--store", str(store), "--month", "2025-03", "--out", str(out), "--strict",
            "--today", "2025-04-02", "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2 and not out.exists()
    assert "People waiting for a Care Act assessment" in result.stderr
    for measure in (COUNT, LONGEST):
        wrote = CliRunner().invoke(app, ["report", "commentary", "write", "--store", str(store), "--month", "2025-03",
                                         "--measure", measure, "--text", "Agency assessors are covering vacancies.",
                                         "--actor", "sam"])
        assert wrote.exit_code == 0 and "version 1" in wrote.stdout
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["exceptions"] == 2 and summary["missing_commentary"] == [] and out.exists()
    listed = CliRunner().invoke(app, ["report", "commentary", "list", "--store", str(store), "--month", "2025-03",
                                      "--json"])
    assert [r["author"] for r in json.loads(listed.stdout)] == ["sam", "sam"]


@pytest.mark.parametrize(("args", "message"), [
    (["--month", "2025-3", "--out", "r.pdf"], "is not a month"),
    (["--month", "2025-03", "--out", "r.txt"], "--out must end in .pdf, .docx or .html"),
    (["--month", "2026-01", "--out", "r.pdf"], "has no data"),
])
def test_cli_bad_input_exits_2_with_the_reason(shared_store, tmp_path, args, message):
    args = [a if a != "r.pdf" and a != "r.txt" else str(tmp_path / a) for a in args]
    result = CliRunner().invoke(app, ["report", "monthly", "--store", str(shared_store), *args])
    assert result.exit_code == 2 and message in result.stderr


def test_cli_commentary_write_names_the_bad_field(store):
    result = CliRunner().invoke(app, ["report", "commentary", "write", "--store", str(store), "--month", "2025-03",
                                      "--measure", "nope", "--text", "Words"])
    assert result.exit_code == 2 and "measure 'nope' is not in the measure registry" in result.stderr


# ---------------------------------------------------------------- the demo

def test_demo_commentary_covers_the_exceptions_and_is_idempotent(store):
    ws = Workspace.for_store(store)
    cm.seed_demo(ws, store, MARCH_END)
    for month in ("2025-01", "2025-02", "2025-03"):
        rows = monthly.kpi_rows(store, month)
        exceptions = {k["id"] for k in rows if k["exception"]}
        assert exceptions <= set(cm.latest_commentary(ws, month))
    assert cm.get_commentary(ws, COUNT, "2025-03")["versions"] == 2  # revised once
    with ws.read() as con:
        before = con.execute("SELECT count(*) FROM kpi_commentary").fetchone()[0]
    cm.seed_demo(ws, store, MARCH_END)
    with ws.read() as con:
        assert con.execute("SELECT count(*) FROM kpi_commentary").fetchone()[0] == before
    text = " ".join(r["text"] for r in cm.latest_commentary(ws, "2025-03").values())
    assert not re.search(r"\d", text)  # reasons and actions, no invented figures
