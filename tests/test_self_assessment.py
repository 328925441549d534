"""The self-assessment as its authors and approvers use it: content rules, versions, four-eyes review,
readable differences, key statistics read live from the data, scores side by side, and the CLI."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from typer.testing import CliRunner

from asc_assure.assurance import key_statistics as ks
from asc_assure.assurance import scores as sc
from asc_assure.assurance import self_assessment as sa
from asc_assure.assurance.workspace import NotFound, Workspace, WorkspaceError
from asc_assure.cli import app
from asc_assure.measures.engine import run_measures, save_snapshot
from asc_assure.measures.snapshots import latest_snapshot, snapshot_dates
from extracts import build_figures_store

TODAY = dt.date(2025, 3, 31)
THEME = "working-with-people"
CONTENT = {
    "ambition": "People get help promptly.",
    "strengths": ["Strong front door", "Reviews tracked weekly"],
    "areas_for_improvement": ["Shorter waits for assessment"],
    "key_statistics": [{"measure_id": "waiting_list.count", "group": "Priority area"},
                       {"measure_id": "assessment.completed", "group": "activity", "label": "Assessments done"}],
    "narrative": [{"heading": "Timeliness", "text": "Waiting lists are reviewed weekly."}],
}


@pytest.fixture(scope="module")
def figures(tmp_path_factory):
    """Four people waiting on 31 March 2025 against a target of 3 (amber), from tests/extracts.py."""
    return build_figures_store(tmp_path_factory.mktemp("figures"))


@pytest.fixture
def ws(tmp_path):
    return Workspace.for_store(tmp_path / "store")


# -- content ---------------------------------------------------------------------------------------
def test_content_is_normalised_to_the_council_template():
    c = sa.check_content(THEME, {**CONTENT, "strengths": "- Strong front door\n\n• Reviews tracked weekly\n"})
    assert c["strengths"] == ["Strong front door", "Reviews tracked weekly"]
    assert c["key_statistics"][1] == {"measure_id": "assessment.completed", "group": "Activity",
                                      "label": "Assessments done"}
    assert set(c) == {"ambition", "strengths", "areas_for_improvement", "key_statistics", "narrative"}


@pytest.mark.parametrize("bad, words", [
    ({"key_statistics": [{"measure_id": "no.such", "group": "Activity"}]}, "unknown measure id 'no.such'"),
    ({"key_statistics": [{"measure_id": "waiting_list.count", "group": "Sometimes"}]}, "group 'Sometimes'"),
    ({"key_statistics": [{"group": "Activity"}]}, "has no measure_id"),
    ({"colour": "blue"}, "unknown field(s) colour"),
    ({"narrative": [{"heading": "", "text": "x"}]}, "has no heading"),
    ({"strengths": [3]}, "must be text"),
])
def test_bad_content_is_refused_naming_the_field_and_value(ws, bad, words):
    with pytest.raises(WorkspaceError, match=re.escape(words)):
        sa.save(ws, THEME, {**CONTENT, **bad}, "ana")
    assert sa.latest(ws, THEME) is None


def test_unknown_section_and_overview_fields_are_refused(ws):
    with pytest.raises(WorkspaceError, match="unknown self-assessment section 'safety'"):
        sa.save(ws, "safety", CONTENT, "ana")
    with pytest.raises(WorkspaceError, match="only a 'text' field"):
        sa.save(ws, sa.OVERVIEW, {"text": "x", "ambition": "y"}, "ana")


# -- versions and workflow -------------------------------------------------------------------------
def test_every_save_is_a_new_numbered_version_with_who_when_and_note(ws):
    v1 = sa.save(ws, THEME, CONTENT, "ana", "first go")
    v2 = sa.save(ws, THEME, {**CONTENT, "ambition": "People get help at once."}, "bo", "sharper ambition")
    assert (v1["version"], v1["status"], v1["created_by"], v1["note"]) == (1, "draft", "ana", "first go")
    assert (v2["version"], v2["based_on"], v2["created_by"]) == (2, 1, "bo")
    assert [v["version"] for v in sa.history(ws, THEME)] == [2, 1]
    assert sa.get_version(ws, THEME, 1)["content"]["ambition"] == "People get help promptly."
    assert [c["action"] for c in ws.changes("self_assessment", THEME)] == ["save", "save"]
    with pytest.raises(NotFound):
        sa.get_version(ws, THEME, 9)


def test_saving_unchanged_content_or_over_someone_elses_save_is_refused(ws):
    sa.save(ws, THEME, CONTENT, "ana")
    with pytest.raises(WorkspaceError, match="nothing has changed since version 1"):
        sa.save(ws, THEME, CONTENT, "ana")
    sa.save(ws, THEME, {**CONTENT, "ambition": "New"}, "bo", expected_version=1)
    with pytest.raises(WorkspaceError, match="now version 2"):
        sa.save(ws, THEME, {**CONTENT, "ambition": "Mine"}, "ana", expected_version=1)


def test_draft_review_approve_with_four_eyes(ws):
    sa.save(ws, THEME, CONTENT, "ana")
    with pytest.raises(WorkspaceError, match="cannot be approved"):
        sa.approve(ws, THEME, "lee")
    assert sa.submit(ws, THEME, "ana")["status"] == "in_review"
    with pytest.raises(WorkspaceError, match=r"ana submitted version 1 .* someone else must approve"):
        sa.approve(ws, THEME, "ana")
    done = sa.approve(ws, THEME, "lee", "good")
    assert (done["status"], done["decided_by"], done["submitted_by"]) == ("approved", "lee", "ana")
    with pytest.raises(WorkspaceError, match="cannot be submitted"):
        sa.submit(ws, THEME, "ana")


def test_editing_an_approved_theme_starts_a_new_draft_and_keeps_the_approved_one(ws):
    sa.save(ws, THEME, CONTENT, "ana")
    sa.submit(ws, THEME, "ana")
    sa.approve(ws, THEME, "lee")
    v2 = sa.save(ws, THEME, {**CONTENT, "strengths": ["Strong front door"]}, "ana")
    assert (v2["version"], v2["status"]) == (2, "draft")
    assert sa.latest_approved(ws, THEME)["version"] == 1
    summary = {s["slug"]: s for s in sa.status_summary(ws)}[THEME]
    assert (summary["version"], summary["status_text"], summary["approved_version"]) == (2, "Draft", 1)


def test_editing_while_in_review_withdraws_the_version_in_review(ws):
    sa.save(ws, THEME, CONTENT, "ana")
    sa.submit(ws, THEME, "ana")
    sa.save(ws, THEME, {**CONTENT, "ambition": "Changed in review"}, "bo")
    assert sa.get_version(ws, THEME, 1)["status"] == "withdrawn"
    with pytest.raises(WorkspaceError, match="version 2 is draft"):
        sa.approve(ws, THEME, "lee")


def test_return_needs_a_comment_and_the_author_can_resubmit(ws):
    sa.save(ws, THEME, CONTENT, "ana")
    sa.submit(ws, THEME, "ana")
    with pytest.raises(WorkspaceError, match="comment is required"):
        sa.return_for_changes(ws, THEME, "lee", "  ")
    back = sa.return_for_changes(ws, THEME, "lee", "Add the DoLS figures")
    assert (back["status_text"], back["decision_comment"]) == ("Returned for changes", "Add the DoLS figures")
    assert sa.submit(ws, THEME, "ana")["status"] == "in_review"
    assert [c["action"] for c in ws.changes("self_assessment", THEME)] == ["submit", "return", "submit", "save"]


def test_diff_says_what_changed_in_words(ws):
    sa.save(ws, THEME, CONTENT, "ana")
    sa.save(ws, THEME, {**CONTENT, "ambition": "Help at once.",
                        "strengths": ["Strong front door", "Carers supported"],
                        "key_statistics": [{"measure_id": "waiting_list.count", "group": "Priority area",
                                            "label": "Waiting"},
                                           {"measure_id": "dols.open", "group": "Priority area"}],
                        "narrative": []}, "ana")
    changes = sa.diff(ws, THEME, 1, 2)["changes"]
    lines = sa.diff_lines(changes)
    assert "~ Our ambition:" in lines and "    now: Help at once." in lines
    assert "- Our strengths: Reviews tracked weekly" in lines and "+ Our strengths: Carers supported" in lines
    assert "+ Key statistics: dols.open under Priority area" in lines
    assert "- Key statistics: assessment.completed under Activity labelled 'Assessments done'" in lines
    assert any(c["kind"] == "changed" and c["field"] == "Key statistics" for c in changes)
    assert "- Narrative: Timeliness: Waiting lists are reviewed weekly." in lines
    assert sa.diff_lines(sa.diff(ws, THEME, 2, 2)["changes"]) == ["No differences."]


def test_yaml_round_trip_saves_only_what_changed_and_checks_everything_first(ws):
    sa.save(ws, THEME, CONTENT, "ana")
    text = sa.export_yaml(ws)
    results = sa.import_yaml(ws, text, "ana")
    assert {r["section"]: r["saved"] for r in results}[THEME] is False
    bad = text.replace("waiting_list.count", "waiting_list.nope").replace("overview: ''", "overview: New intro")
    with pytest.raises(WorkspaceError, match=r"waiting_list\.nope"):
        sa.import_yaml(ws, bad, "ana")
    assert sa.latest(ws, sa.OVERVIEW) is None  # nothing saved from a file with an error


# -- key statistics --------------------------------------------------------------------------------
def test_key_statistics_are_read_from_the_data_with_date_source_and_rag(figures):
    [stat] = ks.resolve(figures, [{"measure_id": "waiting_list.count", "group": "Priority area"}],
                        ks.default_as_of(figures, TODAY))
    assert (stat["value_text"], stat["as_of"], stat["rag_text"], stat["origin"]) == ("4", "2025-03-31", "Amber",
                                                                                  "computed")
    assert stat["source_title"] == "Referrals and the assessment waiting list"
    assert stat["measure_title"] == "People waiting for a Care Act assessment"
    assert "Source: People waiting for a Care Act assessment [waiting_list.count]" in ks.statistic_line(stat)


def test_a_recent_saved_snapshot_is_used_and_an_old_one_is_not(figures, tmp_path):
    import shutil

    store = tmp_path / "copy"
    shutil.copytree(figures, store)
    results = run_measures(store, dt.date(2025, 3, 30), ids=["waiting_list.count"], trend_points=1)
    results[0]["value"] = 3  # as reported on the day: the snapshot, not a recomputation, is shown
    save_snapshot(store, results, "week", dt.date(2025, 3, 30))
    (store / "results" / "week" / "2025-03-31.json.tmp").write_text("{half")
    (store / "results" / "week" / "notes.json").write_text("{}")
    assert snapshot_dates(store) == [dt.date(2025, 3, 30)]
    link = [{"measure_id": "waiting_list.count", "group": "Priority area"}]
    [stat] = ks.resolve(store, link, TODAY)
    assert (stat["value_text"], stat["as_of"], stat["origin"]) == ("3", "2025-03-30", "snapshot")
    [later] = ks.resolve(store, link, dt.date(2025, 4, 30))  # a month on, the snapshot is too old
    assert later["origin"] == "computed" and later["as_of"] == "2025-04-30"
    assert latest_snapshot(store, dt.date(2025, 3, 29)) is None


def test_no_data_says_so_and_never_shows_zero(figures, tmp_path):
    links = [{"measure_id": "dols.open", "group": "Priority area"}]
    [unloaded] = ks.resolve(figures, links, TODAY)
    assert unloaded["value_text"] == "no data yet" and "extract has been loaded" in unloaded["reason"]
    [nostore] = ks.resolve(tmp_path / "nothing", links, ks.default_as_of(tmp_path / "nothing", TODAY))
    assert nostore["value_text"] == "no data yet" and nostore["rag"] is None


def test_public_statistics_suppress_small_numbers(figures):
    [stat] = ks.resolve(figures, [{"measure_id": "waiting_list.count", "group": "Activity"}], TODAY, public=True)
    assert stat["value_text"] == "[c]" and stat["value"] is None and stat["suppressed"]


# -- scores ----------------------------------------------------------------------------------------
def test_self_scores_need_a_rationale_and_keep_their_history(ws):
    with pytest.raises(WorkspaceError, match="rationale"):
        sc.set_self_score(ws, "safeguarding", 3, " ", "ana", TODAY)
    with pytest.raises(WorkspaceError, match="from 1 to 4, not 5"):
        sc.set_self_score(ws, "safeguarding", 5, "why", "ana", TODAY)
    with pytest.raises(WorkspaceError, match="unknown quality statement"):
        sc.set_self_score(ws, "safety", 3, "why", "ana", TODAY)
    sc.set_self_score(ws, "safeguarding", 2, "Backlog", "ana", TODAY)
    sc.set_self_score(ws, "safeguarding", "3", "Backlog cleared", "lee", TODAY + dt.timedelta(days=7))
    assert sc.current_self_scores(ws)["safeguarding"]["score"] == 3
    hist = sc.self_score_history(ws, "safeguarding")
    assert [(h["score"], h["recorded_by"], h["scored_on"]) for h in hist] == [
        (3, "lee", "2025-04-07"), (2, "ana", "2025-03-31")]
    assert ws.changes("self_score", "safeguarding")[0]["detail"]["previous"] == 2


def test_comparison_side_by_side_with_both_overall_results(ws):
    sc.set_self_scores(ws, {s: 3 for s in sa.OXFORDSHIRE_CQC_SCORES}, "Good standard", "ana", TODAY)
    sc.record_actual(ws, sa.OXFORDSHIRE_CQC_SCORES, dt.date(2025, 9, 5), "lee", report_date=dt.date(2025, 9, 5),
                     published_rating="Good")
    c = sc.comparison(ws)
    assert (c["self"]["total"], c["self"]["percent"], c["self"]["rating"]) == (27, 75, "Good")
    assert (c["cqc"]["total"], c["cqc"]["percent"], c["cqc"]["rating"]) == (23, 64, "Good")
    row = next(r for r in c["statements"] if r["slug"] == "assessing-needs")
    assert (row["self_score"], row["cqc_score"], row["difference"], row["agreement"]) == (3, 2, 1, "1 higher than CQC")
    assert (c["matching"], c["compared"]) == (5, 9)


def test_cqc_scores_may_be_partial_and_are_checked(ws):
    with pytest.raises(WorkspaceError, match="before the assessment date"):
        sc.record_actual(ws, {"safeguarding": 3}, dt.date(2025, 9, 5), "lee", report_date=dt.date(2025, 1, 1))
    with pytest.raises(WorkspaceError, match="published rating 'Great'"):
        sc.record_actual(ws, {"safeguarding": 3}, dt.date(2025, 9, 5), "lee", published_rating="Great")
    sc.record_actual(ws, {"safeguarding": 3, "assessing-needs": 2}, dt.date(2025, 9, 5), "lee")
    again = sc.record_actual(ws, {"safeguarding": 4}, dt.date(2025, 9, 5), "lee")
    assert again["scores"] == {"assessing-needs": 2, "safeguarding": 4}
    c = sc.comparison(ws)
    assert c["self"] is None and (c["cqc"]["statements_scored"], c["cqc"]["complete"]) == (2, False)


# -- demo ------------------------------------------------------------------------------------------
def test_demo_has_themes_at_different_stages_and_links_only_real_measures(ws, figures):
    sa.seed_demo(ws, figures, TODAY)
    sa.seed_demo(ws, figures, TODAY)  # a second run changes nothing
    states = {s["slug"]: s["status"] for s in sa.status_summary(ws)}
    assert states == {"overview": "approved", "working-with-people": "draft", "providing-support": "in_review",
                      "ensuring-safety": "returned", "leadership": "draft"}
    known = ks.registry()
    for slug in sa.DEMO_THEMES:
        assert all(s["measure_id"] in known for s in sa.latest(ws, slug)["content"]["key_statistics"])
    assert sc.comparison(ws)["cqc"]["rating"] == "Good"


# -- CLI -------------------------------------------------------------------------------------------
runner = CliRunner()


def cli(*args):
    return runner.invoke(app, ["cqc", *[str(a) for a in args]])


@pytest.mark.parametrize("command", [
    ["self-assessment"], ["self-assessment", "show"], ["self-assessment", "import"], ["self-assessment", "export"],
    ["self-assessment", "export-yaml"], ["self-assessment", "submit"], ["self-assessment", "approve"],
    ["self-assessment", "return"], ["self-assessment", "history"], ["self-assessment", "diff"],
    ["self-assessment", "summary"], ["scores"], ["scores", "set"], ["scores", "actual"], ["scores", "compare"],
    ["scores", "history"]])
def test_every_command_has_help(command):
    result = cli(*command, "--help")
    assert result.exit_code == 0 and "Usage" in result.output, result.output


def test_cli_journey(figures, tmp_path):
    import shutil

    import yaml

    store = tmp_path / "store"
    shutil.copytree(figures, store)
    doc = tmp_path / "sa.yaml"
    doc.write_text(yaml.safe_dump({"overview": "Our overview.", "themes": {THEME: CONTENT}}))
    r = cli("self-assessment", "import", doc, "--store", store, "--actor", "ana", "--json")
    assert r.exit_code == 0, r.output
    assert {x["section"]: x["version"] for x in json.loads(r.output)} == {"overview": 1, THEME: 1}
    r = cli("self-assessment", "show", "--store", store, "--theme", THEME, "--today", "2025-03-31")
    assert r.exit_code == 0 and "People waiting for a Care Act assessment: 4 as at 31 March 2025" in r.output
    assert cli("self-assessment", "submit", "--store", store, "--theme", THEME, "--actor", "ana").exit_code == 0
    r = cli("self-assessment", "approve", "--store", store, "--theme", THEME, "--actor", "ana")
    assert r.exit_code == 2 and "someone else must approve" in r.output
    r = cli("self-assessment", "approve", "--store", store, "--theme", THEME, "--actor", "lee")
    assert r.exit_code == 0 and "version 1 is now approved" in r.output
    changed = yaml.safe_dump({"themes": {THEME: {**CONTENT, "ambition": "Sooner."}}})
    doc.write_text(changed)
    assert cli("self-assessment", "import", doc, "--store", store, "--actor", "ana").exit_code == 0
    r = cli("self-assessment", "diff", "--store", store, "--theme", THEME, "--from", "1", "--to", "2")
    assert "now: Sooner." in r.output
    r = cli("self-assessment", "history", "--store", store, "--theme", THEME, "--json")
    assert [v["status"] for v in json.loads(r.output)] == ["draft", "approved"]
    r = cli("self-assessment", "show", "--store", store, "--json")
    assert {s["slug"]: s["status_text"] for s in json.loads(r.output)}["leadership"] == "Not started"
    out = tmp_path / "wwp.docx"
    r = cli("self-assessment", "export", "--store", store, "--theme", THEME, "--format", "docx", "--out", out,
            "--today", "2025-03-31")
    assert r.exit_code == 0 and out.exists()
    r = cli("self-assessment", "export", "--store", store, "--out", tmp_path / "x.txt")
    assert r.exit_code == 2 and "docx or pdf" in r.output
    r = cli("self-assessment", "return", "--store", store, "--theme", THEME, "--comment", "x")
    assert r.exit_code == 2 and "cannot be returned" in r.output


def test_cli_scores(tmp_path):
    store = tmp_path / "store"
    store.mkdir()
    r = cli("scores", "set", "safeguarding=3", "assessing-needs=2", "--store", store, "--rationale", "Audit 2024",
            "--actor", "ana", "--today", "2025-03-31")
    assert r.exit_code == 0, r.output
    r = cli("scores", "set", "safeguarding=7", "--store", store, "--rationale", "x")
    assert r.exit_code == 2 and "from 1 to 4" in r.output
    r = cli("scores", "set", "safeguarding", "--store", store, "--rationale", "x")
    assert r.exit_code == 2 and "must be SLUG=N" in r.output
    pairs = [f"{k}={v}" for k, v in sa.OXFORDSHIRE_CQC_SCORES.items()]
    r = cli("scores", "actual", *pairs, "--store", store, "--assessed-on", "2025-09-05", "--rating", "Good")
    assert r.exit_code == 0, r.output
    r = cli("scores", "compare", "--store", store, "--json")
    c = json.loads(r.output)
    assert c["cqc"]["rating"] == "Good" and c["self"]["statements_scored"] == 2
    text = cli("scores", "compare", "--store", store).output
    assert "CQC: 23/36 = 64% Good" in text and "Same as CQC" in text
    assert "Audit 2024" in cli("scores", "history", "--store", store, "safeguarding").output
