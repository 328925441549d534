"""Self-assessment exports open and contain the right sections: Word parsed with python-docx, PDF text
read with pypdf; drafts are marked; the executive summary fits on four pages and says what it left out."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil

import pytest
from docx import Document
from pypdf import PdfReader

from asc_assure.assurance import scores as sc
from asc_assure.assurance import self_assessment as sa
from asc_assure.assurance.workspace import Workspace, WorkspaceError
from asc_assure.reports import self_assessment as rep
from asc_assure.reports.word import docx_text
from extracts import build_figures_store

TODAY = dt.date(2025, 3, 31)
THEME = "working-with-people"
CONTENT = {
    "ambition": "People get help promptly.",
    "strengths": ["Strong front door", "Reviews tracked weekly"],
    "areas_for_improvement": ["Shorter waits for assessment"],
    "key_statistics": [{"measure_id": "waiting_list.count", "group": "Priority area", "label": "People waiting"},
                       {"measure_id": "dols.open", "group": "Priority area"}],
    "narrative": [{"heading": "Timeliness of assessment", "text": "Waiting lists are reviewed weekly."}],
}
HEADINGS = ["Our ambition", "Our strengths", "Areas for improvement and development", "Key statistics"]


@pytest.fixture(scope="module")
def figures(tmp_path_factory):
    return build_figures_store(tmp_path_factory.mktemp("figures"))


@pytest.fixture
def store(figures, tmp_path):
    copy = tmp_path / "store"
    shutil.copytree(figures, copy)
    return copy


@pytest.fixture
def ws(store):
    return Workspace.for_store(store)


def pdf_text(data: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def flat(text: str) -> str:
    return " ".join(text.split())


def headings(path) -> list[tuple[str, str]]:
    return [(p.style.name, p.text) for p in Document(str(path)).paragraphs if p.style.name.startswith(("Heading",
                                                                                                         "Title"))]


def test_theme_to_word_has_the_template_sections_in_order_and_live_statistics(ws, store, tmp_path):
    sa.save(ws, THEME, CONTENT, "ana")
    out = rep.export(ws, store, tmp_path / "theme.docx", TODAY, section=THEME)
    found = headings(out)
    assert found[0] == ("Title", "Adult social care self-assessment: How local authorities work with people")
    assert [t for s, t in found if s == "Heading 2"] == [*HEADINGS, "Timeliness of assessment"]
    doc = Document(str(out))
    bullets = [p.text for p in doc.paragraphs if p.style.name == "List Bullet"]
    assert bullets == ["Strong front door", "Reviews tracked weekly", "Shorter waits for assessment"]
    [table] = doc.tables
    rows = [[c.text for c in r.cells] for r in table.rows]
    assert rows[0] == ["Group", "Statistic", "Figure", "As at", "RAG", "Source"]
    assert rows[1][:5] == ["Priority area", "People waiting", "4", "31 March 2025", "Amber"]
    assert "waiting_list.count" in rows[1][5] and "Referrals and the assessment waiting list" in rows[1][5]
    assert rows[2][2].startswith("no data yet: No deprivation of liberty")
    assert doc.core_properties.title.startswith("Adult social care self-assessment")


def test_unapproved_versions_are_marked_draft_with_version_and_status(ws, store, tmp_path):
    sa.save(ws, THEME, CONTENT, "ana")
    sa.submit(ws, THEME, "ana")
    draft = rep.export(ws, store, tmp_path / "draft.docx", TODAY, section=THEME)
    text = docx_text(draft)
    assert "DRAFT – not approved. How local authorities work with people: version 1, in review" in text
    assert Document(str(draft)).sections[0].header.paragraphs[0].text == "DRAFT – not approved"
    pdf = pdf_text(rep.export(ws, store, tmp_path / "draft.pdf", TODAY, section=THEME).read_bytes())
    assert "DRAFT – not approved" in pdf and "version 1, in review" in flat(pdf)
    sa.approve(ws, THEME, "lee")
    final = docx_text(rep.export(ws, store, tmp_path / "final.docx", TODAY, section=THEME))
    assert "DRAFT" not in final and "Version 1 (Approved, approved by lee)" in final
    assert "DRAFT" not in pdf_text(rep.export(ws, store, tmp_path / "final.pdf", TODAY, section=THEME).read_bytes())


def test_whole_document_pdf_has_overview_and_every_theme(ws, store, tmp_path):
    sa.save(ws, sa.OVERVIEW, {"text": "Our vision for adult social care."}, "ana")
    sa.save(ws, THEME, CONTENT, "ana")
    data = rep.export(ws, store, tmp_path / "all.pdf", TODAY).read_bytes()
    reader = PdfReader(io.BytesIO(data))
    text = flat(pdf_text(data))
    order = ["Overview", "Our vision for adult social care.", "How local authorities work with people",
             "Our ambition", "People get help promptly.", "Timeliness of assessment",
             "How local authorities provide support", "How local authorities ensure safety within the system",
             "Leadership"]
    body = text[text.index("Overview Version 1"):]  # after the DRAFT note, which names the sections too
    at = 0
    for part in order:
        at = body.find(part, at)
        assert at >= 0, f"{part!r} missing or out of order"
    assert "Not written yet" in text  # themes nobody has written yet are listed, not dropped
    assert re.search(r"People waiting 4 31 March 2025 \(week\) Amber", text), text
    assert reader.metadata.title.startswith("Adult social care self-assessment")


def test_approved_only_export_uses_the_approved_version(ws, store, tmp_path):
    sa.save(ws, THEME, CONTENT, "ana")
    sa.submit(ws, THEME, "ana")
    sa.approve(ws, THEME, "lee")
    sa.save(ws, THEME, {**CONTENT, "ambition": "An unapproved new ambition."}, "ana")
    approved = docx_text(rep.export(ws, store, tmp_path / "a.docx", TODAY, section=THEME, which="approved"))
    assert "People get help promptly." in approved and "unapproved new ambition" not in approved
    latest = docx_text(rep.export(ws, store, tmp_path / "l.docx", TODAY, section=THEME))
    assert "An unapproved new ambition." in latest and "version 2, draft" in latest
    whole = docx_text(rep.export(ws, store, tmp_path / "w.docx", TODAY, which="approved"))
    assert "No approved version yet" in whole and "DRAFT" not in whole  # only approved text is in it


def test_exports_hold_no_person_level_data(ws, store, tmp_path):
    from asc_assure.data.store import Store

    sa.save(ws, THEME, CONTENT, "ana")
    con = Store(store).connect()
    people = {r[0] for r in con.execute("SELECT DISTINCT person_id FROM referrals").fetchall()}
    refs = {r[0] for r in con.execute("SELECT DISTINCT referral_id FROM referrals").fetchall()}
    con.close()
    texts = [docx_text(rep.export(ws, store, tmp_path / "p.docx", TODAY)),
             pdf_text(rep.export(ws, store, tmp_path / "p.pdf", TODAY).read_bytes())]
    for text in texts:
        assert not [p for p in people if p in text]
        assert not [r for r in refs if re.search(rf"\b{r}\b", text)]
        assert "aggregate figures only" in text


def test_public_export_suppresses_small_numbers(ws, store, tmp_path):
    sa.save(ws, THEME, CONTENT, "ana")
    text = docx_text(rep.export(ws, store, tmp_path / "pub.docx", TODAY, section=THEME, public=True))
    assert "Priority area | People waiting | [c] |" in text and "small numbers are suppressed" in text


def test_bad_format_is_refused(ws, store, tmp_path):
    with pytest.raises(WorkspaceError, match="docx or pdf, not 'txt'"):
        rep.export(ws, store, tmp_path / "x.txt", TODAY)


def _long_self_assessment(ws):
    long_item = ("This is a long and detailed statement about our practice, the evidence behind it and what we "
                 "are doing next, written the way council papers often are. ") * 2
    sa.save(ws, sa.OVERVIEW, {"text": "\n\n".join([long_item * 2] * 5)}, "ana")
    stats = [{"measure_id": m, "group": g} for m, g in [
        ("waiting_list.count", "Priority area"), ("waiting_list.longest_wait_days", "Priority area"),
        ("waiting_list.median_wait_days", "Priority area"), ("assessment.completed", "Activity"),
        ("assessment.referrals_received", "Activity"), ("waiting_list.pct_prioritised", "Working well"),
        ("reviews.overdue_pct", "Priority area"), ("dols.open", "Priority area")]]
    for slug in list(sa.DEMO_THEMES):
        sa.save(ws, slug, {"ambition": long_item, "strengths": [f"{n}. {long_item}" for n in range(8)],
                           "areas_for_improvement": [f"{n}. {long_item}" for n in range(8)],
                           "key_statistics": stats,
                           "narrative": [{"heading": "Detail", "text": long_item * 10}]}, "ana")
    sc.set_self_scores(ws, dict.fromkeys(sa.OXFORDSHIRE_CQC_SCORES, 3), long_item, "ana", TODAY)
    sc.record_actual(ws, sa.OXFORDSHIRE_CQC_SCORES, dt.date(2025, 9, 5), "lee")


def test_executive_summary_fits_four_pages_and_says_what_was_left_out(ws, store, tmp_path):
    _long_self_assessment(ws)
    assert rep.page_count(rep.render_pdf(rep.build_summary(ws, store, TODAY))) > 4  # too long untrimmed
    doc = rep.export_summary(ws, store, tmp_path / "summary.pdf", TODAY)
    data = (tmp_path / "summary.pdf").read_bytes()
    assert rep.page_count(data) <= 4
    text = flat(pdf_text(data))
    assert "What this summary leaves out" in text
    assert doc.trimmed and all(flat(note) in text for note in doc.trimmed)
    assert any("of 8 strengths" in n for n in doc.trimmed)
    assert "Detail" not in text  # narrative sections are never in the summary
    assert "Quality statement scores" in text and "Our self-assessment: 27 of 36 (75%), Good" in text
    # The same content gives the same cut every time, and the Word summary matches it.
    again = rep.export_summary(ws, store, tmp_path / "summary.docx", TODAY)
    assert again.trimmed == doc.trimmed
    word = docx_text(tmp_path / "summary.docx")
    assert "What this summary leaves out" in word and all(note in word for note in doc.trimmed)


def test_short_summary_is_not_trimmed(ws, store, tmp_path):
    sa.save(ws, THEME, CONTENT, "ana")
    doc = rep.export_summary(ws, store, tmp_path / "s.pdf", TODAY)
    text = flat(pdf_text((tmp_path / "s.pdf").read_bytes()))
    assert doc.trimmed == () and "leaves out" not in text
    assert "executive summary" in text and "Timeliness of assessment" not in text
