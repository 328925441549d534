"""The CQC evidence library: rules, stored files, history, search, the coverage matrix and the CLI."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from asc_assure.assurance import evidence as ev
from asc_assure.assurance import evidence_files
from asc_assure.assurance.evidence_files import EvidenceFileError
from asc_assure.assurance.workspace import NotFound, Workspace, WorkspaceError
from asc_assure.cli import app

TODAY = dt.date(2025, 3, 31)
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def ws(tmp_path) -> Workspace:
    return Workspace.for_store(tmp_path / "store")


def link_item(ws: Workspace, **over) -> int:
    fields = {"actor": "alex", "title": "Carers survey 2023-24", "category": "peoples-experience",
              "statements": ["assessing-needs"], "source_type": "survey", "owner": "Performance team",
              "evidence_date": dt.date(2024, 6, 1), "review_by": dt.date(2025, 6, 1),
              "link": "https://intranet.example.gov.uk/carers-survey"}
    fields.update(over)
    return ev.add_item(ws, **fields)


def pdf_file(tmp_path: Path, name: str = "policy.pdf", body: bytes = PDF) -> Path:
    path = tmp_path / name
    path.write_bytes(body)
    return path


# -- adding and reading ---------------------------------------------------------------------------

def test_an_item_comes_back_with_its_statements_in_framework_order_and_staleness_on_request(ws):
    item_id = link_item(ws, statements=["safeguarding", "assessing-needs", "safeguarding"], summary="Local results")
    item = ev.get_item(ws, item_id)
    assert item["statements"] == ["assessing-needs", "safeguarding"]
    assert [s["number"] for s in item["statement_details"]] == [1, 7]
    assert item["themes"] == ["working-with-people", "ensuring-safety"]
    assert item["category_title"] == "People's experience" and item["source_type_title"] == "Survey"
    assert item["stale"] is None  # no date given: not worked out
    assert ev.get_item(ws, item_id, today=dt.date(2025, 6, 1))["stale"] is False  # the review-by day is current
    later = ev.get_item(ws, item_id, today=dt.date(2025, 6, 2))
    assert later["stale"] is True and later["days_past_review"] == 1
    assert item["created_by"] == "alex" and item["has_file"] is False and item["retired"] is False


def test_labels_are_accepted_and_stored_as_slugs(ws):
    item = ev.get_item(ws, link_item(ws, category="People's experience", source_type="Case audit",
                                     statements=["Safe systems, pathways and transitions"]))
    assert (item["category"], item["source_type"], item["statements"]) == (
        "peoples-experience", "case-audit", ["safe-pathways-systems-transitions"])


def test_an_item_without_a_review_date_is_never_stale(ws):
    item_id = link_item(ws, review_by=None)
    assert ev.get_item(ws, item_id, today=dt.date(2040, 1, 1))["stale"] is False


@pytest.mark.parametrize(("over", "message"), [
    ({"category": "outcomes"}, "category 'outcomes' is not a CQC evidence category"),
    ({"statements": ["wellbeing"]}, "quality statement 'wellbeing' is not known"),
    ({"statements": []}, "statements: choose at least one quality statement"),
    ({"source_type": "rumour"}, "source type 'rumour' is not one of data, survey, case-audit"),
    ({"title": "  "}, "title is required"),
    ({"owner": ""}, "owner is required"),
    ({"link": None}, "evidence needs a file or a link"),
    ({"link": "ftp://files.example.gov.uk/x"}, "link 'ftp://files.example.gov.uk/x' is not a web address"),
    ({"link": "intranet/policies"}, "link 'intranet/policies' is not a web address"),
    ({"evidence_date": "2024-02-30"}, "evidence_date '2024-02-30' is not a real date"),
    ({"review_by": dt.date(2024, 5, 31)}, "review_by 2024-05-31 is before the evidence date 2024-06-01"),
    ({"title": "x" * 201}, "title is 201 characters long; the limit is 200"),
])
def test_bad_input_is_refused_naming_the_field_and_value(ws, over, message):
    with pytest.raises(WorkspaceError, match=message.replace("(", r"\(")):
        link_item(ws, **over)
    assert ev.list_items(ws, today=TODAY) == []


def test_a_file_and_a_link_together_are_refused(ws, tmp_path):
    with pytest.raises(WorkspaceError, match="either a file or a link"):
        link_item(ws, file_path=pdf_file(tmp_path))


def test_unknown_item_is_not_found(ws):
    with pytest.raises(NotFound, match="no evidence item 99"):
        ev.get_item(ws, 99)


# -- stored files ------------------------------------------------------------------------------------

def test_files_are_stored_by_checksum_once_however_often_they_are_used(ws, tmp_path):
    path = pdf_file(tmp_path)
    first = ev.get_item(ws, link_item(ws, link=None, file_path=path, file_name="Safeguarding policy.pdf"))
    second = ev.get_item(ws, link_item(ws, link=None, file_path=path))
    sha = hashlib.sha256(PDF).hexdigest()
    assert first["file_sha256"] == second["file_sha256"] == sha
    assert (first["file_name"], second["file_name"], first["file_size"]) == ("Safeguarding policy.pdf", "policy.pdf",
                                                                              len(PDF))
    stored = [p for p in ws.files_dir.rglob("*") if p.is_file()]
    assert stored == [ws.files_dir / sha[:2] / sha] and stored[0].read_bytes() == PDF


def test_office_documents_made_by_word_are_accepted(ws, tmp_path):
    import docx

    doc = docx.Document()
    doc.add_paragraph("Practice standards")
    doc.save(tmp_path / "standards.docx")
    item = ev.get_item(ws, link_item(ws, link=None, file_path=tmp_path / "standards.docx"))
    assert item["file_name"] == "standards.docx" and ev.item_file(ws, item["id"]).content_type.endswith(
        "wordprocessingml.document")


@pytest.mark.parametrize(("name", "body", "message"), [
    ("tool.exe", b"MZ\x90\x00", "not an accepted type (.exe)"),
    ("macro.xlsm", b"PK\x03\x04", "not an accepted type (.xlsm)"),
    ("README", b"text", "not an accepted type (no extension)"),
    ("renamed.pdf", b"MZ\x90\x00 this is a program", "does not look like a .pdf file"),
    ("fake.docx", b"PK\x03\x04 not really a zip", "does not look like a .docx file"),
    ("binary.csv", b"a,b\x00\x01", "does not look like a .csv file"),
    ("empty.txt", b"", "is empty"),
])
def test_only_council_document_types_whose_contents_match_are_stored(ws, tmp_path, name, body, message):
    with pytest.raises(EvidenceFileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        link_item(ws, link=None, file_path=pdf_file(tmp_path, name, body))
    assert not ws.files_dir.exists() or not [p for p in ws.files_dir.rglob("*") if p.is_file()]


def test_files_over_the_size_limit_are_refused(ws, tmp_path, monkeypatch):
    monkeypatch.setattr(evidence_files, "MAX_FILE_BYTES", 50)
    with pytest.raises(EvidenceFileError, match="the limit is 0 MB"):
        link_item(ws, link=None, file_path=pdf_file(tmp_path))


def _damage(path: Path, body: bytes | None) -> None:
    os.chmod(path, 0o644)
    if body is None:
        path.unlink()
    else:
        path.write_bytes(body)


def test_verify_reports_altered_and_missing_files_and_downloads_refuse_them(ws, tmp_path):
    good = ev.get_item(ws, link_item(ws, title="Good", link=None, file_path=pdf_file(tmp_path)))
    altered = ev.get_item(ws, link_item(ws, title="Altered", link=None,
                                        file_path=pdf_file(tmp_path, "b.pdf", PDF + b"% b\n")))
    missing = ev.get_item(ws, link_item(ws, title="Missing", link=None,
                                        file_path=pdf_file(tmp_path, "c.csv", b"team,count\nNorth,3\n")))
    assert ev.verify_files(ws) == {"checked": 3, "missing": [], "altered": [], "unreferenced": 0, "ok": True,
                                   "items_with_files": 3}
    _damage(evidence_files.path_for(ws.files_dir, altered["file_sha256"]), PDF + b"% tampered\n")
    _damage(evidence_files.path_for(ws.files_dir, missing["file_sha256"]), None)
    report = ev.verify_files(ws)
    assert report["ok"] is False
    assert [(f["sha256"], [i["id"] for i in f["items"]]) for f in report["altered"]] == [
        (altered["file_sha256"], [altered["id"]])]
    assert [f["items"][0]["title"] for f in report["missing"]] == ["Missing"]
    with pytest.raises(EvidenceFileError, match="altered since upload"):
        ev.item_file_bytes(ws, altered["id"])
    with pytest.raises(EvidenceFileError, match="missing"):
        ev.item_file(ws, missing["id"])
    item, data = ev.item_file_bytes(ws, good["id"])
    assert data == PDF and item["file_name"] == "policy.pdf"


def test_a_link_item_has_no_file_to_download(ws):
    with pytest.raises(NotFound, match="is a link"):
        ev.item_file(ws, link_item(ws))


# -- history, retiring ----------------------------------------------------------------------------

def test_updates_keep_the_old_values_in_the_history(ws):
    item_id = link_item(ws)
    updated = ev.update_item(ws, item_id, actor="sam", review_by=dt.date(2025, 9, 30),
                             statements=["assessing-needs", "safeguarding"])
    assert updated["review_by"] == "2025-09-30" and updated["updated_by"] == "sam"
    assert updated["statements"] == ["assessing-needs", "safeguarding"]
    latest = ev.history(ws, item_id)[0]
    assert (latest["actor"], latest["action"]) == ("sam", "update")
    assert latest["detail"]["changes"] == {
        "review_by": {"from": "2025-06-01", "to": "2025-09-30"},
        "statements": {"from": ["assessing-needs"], "to": ["assessing-needs", "safeguarding"]}}
    ev.update_item(ws, item_id, actor="sam", review_by=dt.date(2025, 9, 30))  # nothing changes: nothing logged
    assert [c["action"] for c in ev.history(ws, item_id)] == ["update", "create"]


def test_an_update_is_checked_against_the_whole_record(ws):
    item_id = link_item(ws)
    with pytest.raises(WorkspaceError, match="review_by 2024-01-01 is before the evidence date"):
        ev.update_item(ws, item_id, actor="sam", review_by=dt.date(2024, 1, 1))
    with pytest.raises(WorkspaceError, match="not both"):
        ev.update_item(ws, item_id, actor="sam", link="https://x.example/a", file_path=Path("x.pdf"))
    assert ev.get_item(ws, item_id)["review_by"] == "2025-06-01"


def test_replacing_a_file_keeps_the_earlier_version_in_the_store(ws, tmp_path):
    item_id = link_item(ws, link=None, file_path=pdf_file(tmp_path))
    old_sha = ev.get_item(ws, item_id)["file_sha256"]
    new = ev.update_item(ws, item_id, actor="sam", file_path=pdf_file(tmp_path, "v2.pdf", PDF + b"% v2\n"))
    assert new["file_name"] == "v2.pdf" and new["file_sha256"] != old_sha
    assert evidence_files.path_for(ws.files_dir, old_sha).is_file()
    assert ev.history(ws, item_id)[0]["detail"]["changes"]["file_sha256"]["from"] == old_sha
    as_link = ev.update_item(ws, item_id, actor="sam", link="https://intranet.example.gov.uk/v3")
    assert (as_link["has_file"], as_link["file_name"], as_link["link"]) == (
        False, None, "https://intranet.example.gov.uk/v3")
    assert ev.verify_files(ws)["unreferenced"] == 2  # both earlier versions still held


def test_retired_items_leave_lists_and_coverage_but_keep_their_record(ws):
    item_id = link_item(ws)
    with pytest.raises(WorkspaceError, match="reason is required"):
        ev.retire_item(ws, item_id, actor="sam", reason=" ")
    retired = ev.retire_item(ws, item_id, actor="sam", reason="Superseded by the 2025 survey")
    assert retired["retired"] and retired["retired_by"] == "sam"
    assert ev.list_items(ws, today=TODAY) == []
    assert [i["id"] for i in ev.list_items(ws, today=TODAY, include_retired=True)] == [item_id]
    assert ev.coverage(ws, TODAY)["totals"]["items"] == 0
    with pytest.raises(WorkspaceError, match="is retired; reinstate it"):
        ev.update_item(ws, item_id, actor="sam", title="New")
    with pytest.raises(WorkspaceError, match="already retired"):
        ev.retire_item(ws, item_id, actor="sam", reason="again")
    assert ev.reinstate_item(ws, item_id, actor="sam")["retired"] is False
    assert [c["action"] for c in ev.history(ws, item_id)] == ["reinstate", "retire", "create"]


# -- search and filters ---------------------------------------------------------------------------

@pytest.fixture
def library(ws):
    ids = {
        "survey": link_item(ws, title="Carers Survey 2023-24", owner="Performance Team", review_by=dt.date(2025, 1, 1)),
        "audit": link_item(ws, title="Case audit: strengths", category="processes", source_type="case-audit",
                           statements=["assessing-needs", "learning-improvement-innovation"],
                           owner="Principal Social Worker", summary="Recording of people's OUTCOMES"),
        "sab": link_item(ws, title="Safeguarding Adults Board annual report", category="feedback-from-partners",
                         source_type="feedback", statements=["safeguarding"], owner="SAB business manager",
                         evidence_date=dt.date(2024, 10, 31), review_by=None),
    }
    return ids


@pytest.mark.parametrize(("filters", "expected"), [
    ({}, ["sab", "audit", "survey"]),
    ({"text": "outcomes"}, ["audit"]),  # summary, any case
    ({"text": "principal social"}, ["audit"]),  # owner; every word must appear
    ({"text": "survey carers"}, ["survey"]),
    ({"text": "nothing like this"}, []),
    ({"statement": "assessing-needs"}, ["audit", "survey"]),
    ({"theme": "leadership"}, ["audit"]),
    ({"theme": "Ensuring safety"}, ["sab"]),
    ({"category": "processes"}, ["audit"]),
    ({"source_type": "feedback"}, ["sab"]),
    ({"owner": "performance"}, ["survey"]),
    ({"stale": True}, ["survey"]),
    ({"stale": False}, ["sab", "audit"]),
])
def test_search_and_filters(ws, library, filters, expected):
    names = {v: k for k, v in library.items()}
    assert [names[i["id"]] for i in ev.list_items(ws, today=TODAY, **filters)] == expected


def test_unknown_filter_values_are_refused(ws):
    with pytest.raises(WorkspaceError, match="theme 'wellbeing' is not known"):
        ev.list_items(ws, today=TODAY, theme="wellbeing")


# -- coverage matrix -------------------------------------------------------------------------------

def _cell(data, statement, category):
    for theme in data["themes"]:
        for s in theme["statements"]:
            if s["slug"] == statement:
                return next(c for c in s["cells"] if c["category"] == category)
    raise AssertionError(statement)


def test_coverage_counts_current_and_stale_items_per_statement_and_category(ws):
    link_item(ws, statements=["assessing-needs", "safeguarding"])  # current, counts in two cells
    link_item(ws, review_by=dt.date(2025, 3, 30))  # stale the day before today
    link_item(ws, review_by=TODAY)  # due today: still current
    link_item(ws, category="processes", statements=["safeguarding"], review_by=dt.date(2024, 12, 31))
    gone = link_item(ws, category="processes", statements=["governance-management-sustainability"])
    ev.retire_item(ws, gone, actor="alex", reason="withdrawn")
    data = ev.coverage(ws, TODAY)

    assert _cell(data, "assessing-needs", "peoples-experience") | {"href": None} == {
        "category": "peoples-experience", "current": 2, "stale": 1, "status": "covered", "status_text": "Covered",
        "text": "2 current, 1 stale", "href": None}
    assert _cell(data, "safeguarding", "peoples-experience")["text"] == "1 current"
    stale_only = _cell(data, "safeguarding", "processes")
    assert (stale_only["status"], stale_only["status_text"], stale_only["text"]) == (
        "stale", "Stale only", "0 current, 1 stale")
    gap = _cell(data, "governance-management-sustainability", "processes")
    assert (gap["status"], gap["text"]) == ("gap", "No evidence")  # the retired item does not count

    t = data["totals"]
    assert (t["items"], t["current_items"], t["stale_items"], t["cells"]) == (4, 2, 2, 36)
    assert (t["covered"], t["stale_only"], t["gaps"]) == (2, 1, 33)
    assert t["by_category"]["processes"] == {"title": "Processes", "current": 0, "stale": 1}
    assert len(data["gaps"]) == 33 and data["stale_only"][0]["statement"] == "safeguarding"
    assert [(i["review_by"], i["days_past_review"]) for i in data["stale_items"]] == [
        ("2024-12-31", 90), ("2025-03-30", 1)]
    assert [i["review_by"] for i in data["due_soon"]] == ["2025-03-31"]


def test_coverage_rows_are_grouped_by_theme_in_framework_order(ws):
    data = ev.coverage(ws, TODAY)
    assert [t["short_title"] for t in data["themes"]] == [
        "Working with people", "Providing support", "Ensuring safety", "Leadership"]
    assert [[s["number"] for s in t["statements"]] for t in data["themes"]] == [[1, 2, 3], [4, 5], [6, 7], [8, 9]]
    assert [c["slug"] for c in data["categories"]] == [
        "peoples-experience", "feedback-from-staff-and-leaders", "feedback-from-partners", "processes"]
    assert data["totals"]["gaps"] == 36  # an empty library is all gaps


def test_the_same_library_is_stale_or_current_depending_on_the_day(ws):
    link_item(ws, review_by=dt.date(2025, 6, 1))
    assert _cell(ev.coverage(ws, dt.date(2025, 6, 1)), "assessing-needs", "peoples-experience")["status"] == "covered"
    assert _cell(ev.coverage(ws, dt.date(2025, 6, 2)), "assessing-needs", "peoples-experience")["status"] == "stale"


# -- demo ----------------------------------------------------------------------------------------

def test_demo_library_has_stale_items_two_deliberate_gaps_and_only_intranet_links(ws, tmp_path):
    ev.seed_demo(ws, tmp_path, TODAY)
    ev.seed_demo(ws, tmp_path, TODAY)  # a second run adds nothing
    items = ev.list_items(ws, today=TODAY, include_retired=True)
    assert len(items) == len(ev._DEMO) + 1 and sum(i["retired"] for i in items) == 1
    assert all(i["link"].startswith("https://intranet.example.gov.uk/") and not i["has_file"] for i in items)
    data = ev.coverage(ws, TODAY)
    assert [(g["statement"], g["category"]) for g in data["gaps"]] == [
        ("supporting-healthier-lives", "feedback-from-partners"),
        ("equity-in-experience-and-outcomes", "feedback-from-partners")]
    assert 3 <= data["totals"]["stale_items"] <= 10 and data["stale_only"]
    sources = {i["source_type"] for i in items}
    assert sources == set(ev.SOURCE_TYPES)
    assert any("peer review" in i["title"].lower() and i["evidence_date"] == "2024-03-07" for i in items)


# -- CLI -----------------------------------------------------------------------------------------

runner = CliRunner()


def cli(*args):
    return runner.invoke(app, ["cqc", "evidence", *[str(a) for a in args]])


@pytest.mark.parametrize("command", [[], ["add"], ["list"], ["show"], ["update"], ["retire"], ["reinstate"],
                                     ["coverage"], ["verify"], ["download"]])
def test_every_evidence_command_has_help(command):
    result = cli(*command, "--help")
    assert result.exit_code == 0 and "Usage" in result.output


def test_cli_journey_add_file_list_update_coverage_verify_download_retire(tmp_path):
    store = tmp_path / "store"
    store.mkdir()
    path = pdf_file(tmp_path)
    r = cli("add", "--store", store, "--title", "Safeguarding policy", "--category", "processes",
            "--statement", "safeguarding", "--statement", "safe-pathways-systems-transitions",
            "--source-type", "policy", "--owner", "Head of Safeguarding", "--date", "2024-04-01",
            "--review-by", "2025-03-01", "--file", path, "--actor", "cli-user", "--json")
    assert r.exit_code == 0, r.output
    added = json.loads(r.output)
    assert added["file_sha256"] == hashlib.sha256(PDF).hexdigest() and added["created_by"] == "cli-user"

    r = cli("list", "--store", store, "--today", "2025-03-31", "--stale", "--json")
    assert [i["title"] for i in json.loads(r.output)] == ["Safeguarding policy"]
    r = cli("coverage", "--store", store, "--today", "2025-03-31")
    assert r.exit_code == 0 and "CQC evidence coverage on 31 March 2025" in r.output
    assert "STALE (1 stale)" in r.output and "GAP" in r.output and "34 gaps" in r.output

    r = cli("update", 1, "--store", store, "--review-by", "2026-03-01", "--actor", "cli-user")
    assert r.exit_code == 0, r.output
    r = cli("show", 1, "--store", store, "--today", "2025-03-31")
    assert "review_by '2025-03-01' -> '2026-03-01'" in r.output and "STALE" not in r.output

    r = cli("verify", "--store", store, "--json")
    assert r.exit_code == 0 and json.loads(r.output)["ok"] is True
    r = cli("download", 1, "--store", store, "--out", tmp_path)
    assert r.exit_code == 0 and "checksum verified" in r.output
    assert (tmp_path / "policy.pdf").read_bytes() == PDF

    r = cli("retire", 1, "--store", store, "--reason", "Superseded", "--actor", "cli-user")
    assert r.exit_code == 0
    assert json.loads(cli("list", "--store", store, "--json").output) == []


def test_cli_bad_input_exits_2_with_the_reason(tmp_path):
    store = tmp_path / "store"
    store.mkdir()
    r = cli("add", "--store", store, "--title", "X", "--category", "observation", "--statement", "safeguarding",
            "--source-type", "policy", "--owner", "Me", "--date", "2024-04-01", "--link", "https://x.example/a")
    assert r.exit_code == 2 and "category 'observation' is not a CQC evidence category" in r.output
    r = cli("add", "--store", store, "--title", "X")
    assert r.exit_code == 2 and "missing --category, --statement, --source-type, --owner, --date" in r.output
    r = cli("show", 5, "--store", store)
    assert r.exit_code == 2 and "there is no evidence item 5" in r.output


def test_cli_verify_exits_1_when_a_file_was_altered(tmp_path):
    store = tmp_path / "store"
    ws = Workspace.for_store(store)
    item = ev.get_item(ws, link_item(ws, link=None, file_path=pdf_file(tmp_path)))
    _damage(evidence_files.path_for(ws.files_dir, item["file_sha256"]), b"%PDF-changed")
    r = cli("verify", "--store", store)
    assert r.exit_code == 1 and "ALTERED" in r.output and "item 1 (policy.pdf)" in r.output
    r = cli("download", 1, "--store", store, "--out", tmp_path / "copy.pdf")
    assert r.exit_code == 2 and "altered since upload" in r.output and not (tmp_path / "copy.pdf").exists()
