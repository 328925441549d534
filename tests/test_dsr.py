"""The Dynamic Support Register: entries on real (pseudonymised) people, review dates from the RAG, the RAG
history and counts worked out from it, suppression for publishing, the CLI, and the demo seeding."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from asc_assure.assurance.workspace import NotFound, Workspace, WorkspaceError
from asc_assure.cli import app
from asc_assure.data.pseudonymise import Pseudonymiser
from asc_assure.operations import dsr
from extracts import write_extract

KEY = bytes(range(32))
AS_OF = dt.date(2025, 3, 31)
TODAY = dt.date(2025, 3, 31)
D = dt.date.fromisoformat
LD = "Learning disability support"


def pk(ref: str) -> str:
    """The pseudonym the store gives a council person reference under the test key."""
    return Pseudonymiser(KEY).one(ref, "person_ref")


def build_dsr_store(folder: Path, people: int = 40) -> Path:
    """People P00..: most with a learning disability (primary support reason), some young; one who died;
    Q1 known only from a CLD event with autism recorded; referrals give each person a team."""
    from asc_assure.data.ingest import ingest_file

    store = folder / "store"
    ppl, refs = [], []
    for i in range(people):
        ref = f"P{i:02d}"
        young = i % 4 == 0
        ppl.append({"person_id": ref, "date_of_birth": "2005-06-01" if young else f"{1960 + i}-03-01",
                    "primary_support_reason": LD if i % 5 else "Physical support: Personal care support"})
        refs.append({"referral_id": f"R{i:02d}", "person_id": ref, "received_date": "2024-02-01",
                     "team": ("North Team", "South Team", "Learning Disability Team")[i % 3]})
    ppl.append({"person_id": "PDEAD", "date_of_birth": "1970-01-01", "date_of_death": "2025-01-10",
                "primary_support_reason": LD})
    cld = [{"la_code": "682", "reporting_period_start_date": "2024-10-01", "reporting_period_end_date": "2024-12-31",
            "la_person_unique_identifier": "Q1", "client_type": "Service user", "event_type": "Request",
            "event_start_date": "2024-12-02", "event_end_date": "2024-12-03", "date_of_birth": "1990-01-01",
            "event_outcome": "NFA: Information and advice or signposting", "autism_spectrum_disorder_asd": "Yes"}]
    teams = [{"team": "North Team", "team_type": "locality"}, {"team": "South Team", "team_type": "locality"},
             {"team": "Learning Disability Team", "team_type": "learning_disability"}]
    for kind, data in (("people", ppl), ("referrals", refs), ("cld", cld), ("teams", teams)):
        result = ingest_file(store, write_extract(folder / f"{kind}.csv", kind, data), as_of=AS_OF, key=KEY)
        assert result.status == "loaded" and result.rows_quarantined == 0, (kind, result.to_dict())
    return store


@pytest.fixture(scope="module")
def base_store(tmp_path_factory) -> Path:
    return build_dsr_store(tmp_path_factory.mktemp("dsr"))


@pytest.fixture
def store(base_store, tmp_path) -> Path:
    """A fresh copy per test, so each starts with an empty register."""
    copy = tmp_path / "store"
    shutil.copytree(base_store, copy)
    return copy


@pytest.fixture
def ws(store) -> Workspace:
    return Workspace.for_store(store)


def add(ws, store, person="P01", rag="red", added="2025-01-15", team="North Team", **over):
    args = {"learning_disability": True, "autism": False, "age_group": "adult", "team": team,
            "key_worker": "sam.worker", "rag": rag, "reason": "Placement at risk after two crisis calls",
            "added_on": D(added), "actor": "tm", "today": TODAY, **over}
    return dsr.add_entry(ws, store, pk(person) if not person.startswith("P-") else person, **args)


# ---------------------------------------------------------------- adding people

def test_an_entry_needs_a_real_pseudonymised_person(ws, store):
    e = add(ws, store)
    assert e["ref"] == "DSR-0001" and e["person_key"] == pk("P01") and e["status"] == "open"
    assert e["rag"] == "red" and e["rag_history"][0]["recorded_by"] == "tm"
    autistic = add(ws, store, person=pk("Q1"), learning_disability=False, autism=True)  # known from the CLD only
    assert autistic["needs"] == "autism"
    with pytest.raises(WorkspaceError, match="not a pseudonymised person reference"):
        add(ws, store, person="P-Jane Smith")
    with pytest.raises(WorkspaceError, match="not a pseudonymised person reference"):
        dsr.add_entry(ws, store, "943 476 5919", learning_disability=True, autism=False, age_group="adult",
                      team="North Team", key_worker="k", rag="red", reason="x" * 12, added_on=TODAY, actor="tm",
                      today=TODAY)
    with pytest.raises(WorkspaceError, match="not in the store's people or CLD extract"):
        add(ws, store, person="P-0123456789abcdef")


@pytest.mark.parametrize(("over", "message"), [
    ({"learning_disability": False}, "tick at least one"),
    ({"rag": "blue"}, "RAG 'blue' is not one of: red, amber, green"),
    ({"age_group": "child"}, "age group 'child' is not one of"),
    ({"team": "Nowhere Team"}, "team 'Nowhere Team' is not in the teams extract"),
    ({"reason": "risky"}, "reason for the RAG rating needs at least 10 characters"),
    ({"key_worker": "  "}, "key worker is required"),
    ({"added": "2025-04-02"}, "date added 02/04/2025 is in the future"),
])
def test_bad_entries_are_refused_naming_the_field(ws, store, over, message):
    with pytest.raises(WorkspaceError, match=message):
        add(ws, store, **over)
    assert dsr.entries(ws, TODAY, status="all") == []


def test_a_person_who_has_died_or_is_already_open_is_refused(ws, store):
    with pytest.raises(WorkspaceError, match="died on 10/01/2025"):
        add(ws, store, person="PDEAD", added="2025-02-01")
    add(ws, store)
    with pytest.raises(WorkspaceError, match="already on the register as DSR-0001"):
        add(ws, store)


# ---------------------------------------------------------------- review dates

def test_next_review_is_computed_from_the_rag_and_flagged_when_overdue(ws, store):
    red = add(ws, store, person="P01", rag="red", added="2025-01-31")
    amber = add(ws, store, person="P02", rag="amber", added="2025-01-12")
    green = add(ws, store, person="P03", rag="green", added="2024-09-10")
    assert red["next_review"] == "2025-02-28"  # 31 January + 1 month
    assert amber["next_review"] == "2025-04-12" and green["next_review"] == "2025-03-10"
    listed = {e["ref"]: e for e in dsr.entries(ws, TODAY)}
    assert listed[red["ref"]]["review_overdue"] and listed[red["ref"]]["days_overdue"] == 31
    assert listed[green["ref"]]["review_status"] == "Overdue"
    assert listed[amber["ref"]]["review_status"] == "Due soon"  # within 14 days of 31 March
    assert [e["ref"] for e in dsr.entries(ws, TODAY, overdue_only=True)] == [red["ref"], green["ref"]]
    on_time = dsr.entry(ws, amber["ref"], D("2025-02-01"))
    assert on_time["review_status"] == "On time"


def test_a_review_restarts_the_clock_and_can_change_the_rating(ws, store):
    e = add(ws, store, rag="red", added="2025-01-15")
    e = dsr.record_review(ws, e["ref"], D("2025-02-10"), "Support plan revised with the provider", "tm", TODAY)
    assert e["next_review"] == "2025-03-10" and e["rag"] == "red" and len(e["rag_history"]) == 1
    e = dsr.record_review(ws, e["ref"], D("2025-03-12"), "Crisis plan working, fewer incidents", "tm", TODAY,
                          rag="amber", reason="No incidents for four weeks")
    assert e["rag"] == "amber" and e["rag_since"] == "2025-03-12" and e["next_review"] == "2025-06-12"
    with pytest.raises(WorkspaceError, match="reason for the RAG rating"):
        dsr.record_review(ws, e["ref"], D("2025-03-20"), "Another look at the plan", "tm", TODAY, rag="green")


def test_review_intervals_come_from_the_settings_file(ws, store, tmp_path):
    packaged = yaml.safe_load((Path(dsr.__file__).parent / "dsr_settings.yaml").read_text())
    packaged["rag"]["green"]["review_months"] = 12
    own = tmp_path / "settings.yaml"
    own.write_text(yaml.safe_dump(packaged))
    settings = dsr.load_settings(str(own))
    e = add(ws, store, rag="green", added="2024-06-30")
    raw = dsr._load(ws, [e["id"]])[0]
    assert dsr.next_review_on(raw, TODAY) == D("2024-12-30")
    assert dsr.next_review_on(raw, TODAY, settings) == D("2025-06-30")
    packaged["rag"]["green"]["review_months"] = 0
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(packaged))
    with pytest.raises(ValueError, match="review_months for green"):
        dsr.load_settings(str(bad))


def test_settings_cite_their_sources_or_say_they_are_local():
    settings = dsr.load_settings()
    assert any(s["publisher"] == "NHS England" and "2023" in s["date"] for s in settings.sources)
    assert any(s.get("reference") == "PRN00117" for s in settings.sources)
    for spec in settings.rag.values():
        assert spec["review_source"] == "local default" and "policy_2023" in spec["meaning_source"]


# ---------------------------------------------------------------- RAG history and counts

def test_every_rag_change_is_kept_with_date_who_and_reason(ws, store):
    e = add(ws, store, rag="amber", added="2024-11-01")
    e = dsr.change_rag(ws, e["ref"], "red", "Admitted to A&E in crisis twice", D("2025-01-05"), "alex", TODAY)
    e = dsr.change_rag(ws, e["ref"], "amber", "Crisis support working well now", D("2025-02-20"), "sam", TODAY)
    assert [(h["rag"], h["effective_on"], h["recorded_by"]) for h in e["rag_history"]] == [
        ("amber", "2024-11-01", "tm"), ("red", "2025-01-05", "alex"), ("amber", "2025-02-20", "sam")]
    assert e["rag_history"][1]["reason"] == "Admitted to A&E in crisis twice"
    assert e["next_review"] == "2025-05-20"
    actions = [c["action"] for c in dsr.history(ws, e["ref"])]
    assert actions == ["rag", "rag", "add"]
    with pytest.raises(WorkspaceError, match="already Amber"):
        dsr.change_rag(ws, e["ref"], "amber", "Still the same risk level", D("2025-03-01"), "sam", TODAY)
    with pytest.raises(WorkspaceError, match="before the current rating's date"):
        dsr.change_rag(ws, e["ref"], "green", "Settled in the new placement", D("2025-02-01"), "sam", TODAY)


def test_counts_at_any_date_come_from_the_history(ws, store):
    a = add(ws, store, person="P01", rag="amber", added="2024-11-01")
    dsr.change_rag(ws, a["ref"], "red", "Placement breaking down now", D("2025-01-05"), "tm", TODAY)
    b = add(ws, store, person="P02", rag="green", added="2024-12-15")
    c = add(ws, store, person="P03", rag="red", added="2025-01-20")
    dsr.close_entry(ws, c["ref"], "admitted", D("2025-02-14"), "tm", TODAY)

    def at(day: str) -> tuple[int, int, int, int]:
        n = dsr.counts_at(ws, D(day))
        return n["red"], n["amber"], n["green"], n["total"]

    assert at("2024-10-31") == (0, 0, 0, 0)
    assert at("2024-11-30") == (0, 1, 0, 1)
    assert at("2024-12-31") == (0, 1, 1, 2)
    assert at("2025-01-31") == (2, 0, 1, 3)
    assert at("2025-02-14") == (1, 0, 1, 2)  # closed on the day: off the register that day
    series = dsr.monthly_counts(ws, TODAY, months=5)
    assert [s["month"] for s in series] == ["2024-11", "2024-12", "2025-01", "2025-02", "2025-03"]
    assert [s["total"] for s in series] == [1, 2, 3, 2, 2]
    assert series[2]["overdue_reviews"] == 0
    assert series[-1]["overdue_reviews"] == 1  # the Red entry was due 5 February (a month after it went Red)
    assert dsr.counts_at(ws, D("2025-01-31"), teams={"South Team"})["total"] == 0
    assert b["team"] == "North Team"


def test_published_counts_are_suppressed(ws, store):
    for i in range(1, 8):
        add(ws, store, person=f"P{i:02d}", rag="amber" if i > 1 else "red", added="2025-01-10")
    data = dsr.published_counts(ws, TODAY, months=4)
    now = data["current"]
    assert now["red"] == "[c]" and now["amber"] == 5 and now["green"] == 0 and now["total"] == 5
    assert now["suppressed"] and data["months"][0]["total"] == 0
    assert "person_key" not in json.dumps(data)


# ---------------------------------------------------------------- C(E)TRs, actions, closing

def test_ctr_type_follows_the_age_group_and_outcomes_are_checked(ws, store):
    young = add(ws, store, person="P04", age_group="transition")
    adult = add(ws, store, person="P05")
    y = dsr.record_ctr(ws, young["ref"], D("2025-02-01"), "community", "stay_at_home", "tm", TODAY)
    a = dsr.record_ctr(ws, adult["ref"], D("2025-02-03"), "inpatient", "discharge_plan", "tm", TODAY, notes="Panel")
    assert y["last_ctr"]["review_type"] == "C(E)TR" and a["last_ctr"]["review_type"] == "CTR"
    assert a["last_ctr"]["outcome_label"] == "Inpatient: discharge plan agreed"
    with pytest.raises(WorkspaceError, match="outcome 'fine' is not one of"):
        dsr.record_ctr(ws, adult["ref"], D("2025-02-03"), "community", "fine", "tm", TODAY)
    with pytest.raises(WorkspaceError, match="setting 'home' is not one of: community, inpatient"):
        dsr.record_ctr(ws, adult["ref"], D("2025-02-03"), "home", "stay_at_home", "tm", TODAY)


def test_actions_are_added_flagged_when_overdue_and_marked_done(ws, store):
    e = add(ws, store)
    e = dsr.add_action(ws, e["ref"], "Arrange positive behaviour support review", "sam", D("2025-03-01"), "tm", TODAY)
    e = dsr.add_action(ws, e["ref"], "Update the crisis plan", "alex", D("2025-04-30"), "tm", TODAY)
    assert e["open_actions"] == 2 and e["overdue_actions"] == 1 and e["actions"][0]["overdue"]
    e = dsr.complete_action(ws, e["ref"], e["actions"][0]["id"], D("2025-03-20"), "sam", TODAY)
    assert e["actions"][0]["done_on"] == "2025-03-20" and e["actions"][0]["done_by"] == "sam"
    assert e["open_actions"] == 1 and e["overdue_actions"] == 0
    with pytest.raises(WorkspaceError, match="already done"):
        dsr.complete_action(ws, e["ref"], e["actions"][0]["id"], TODAY, "sam", TODAY)
    with pytest.raises(NotFound, match="has no action 99"):
        dsr.complete_action(ws, e["ref"], 99, TODAY, "sam", TODAY)


def test_closing_needs_a_reason_and_stops_further_changes(ws, store):
    e = add(ws, store)
    with pytest.raises(WorkspaceError, match="reason for closing 'better' is not one of"):
        dsr.close_entry(ws, e["ref"], "better", TODAY, "tm", TODAY)
    with pytest.raises(WorkspaceError, match="the reason for closing needs at least 10 characters"):
        dsr.close_entry(ws, e["ref"], "other", TODAY, "tm", TODAY, note="moved")
    closed = dsr.close_entry(ws, e["ref"], "moved_away", D("2025-03-01"), "tm", TODAY)
    assert closed["status"] == "closed" and closed["close_reason_label"] == "Moved out of the area"
    assert closed["next_review"] is None and not closed["review_overdue"]
    with pytest.raises(WorkspaceError, match="was closed on 01/03/2025"):
        dsr.change_rag(ws, e["ref"], "green", "Settled and doing well now", TODAY, "tm", TODAY)
    assert dsr.entries(ws, TODAY) == [] and len(dsr.entries(ws, TODAY, status="closed")) == 1
    again = add(ws, store, added="2025-03-20")  # a new entry may be opened for the same person
    assert again["ref"] == "DSR-0002"


def test_lists_are_limited_to_teams_and_filtered(ws, store):
    add(ws, store, person="P01", team="North Team", rag="green")
    add(ws, store, person="P02", team="South Team", rag="red")
    add(ws, store, person="P03", team="North Team", rag="red")
    assert [e["rag"] for e in dsr.entries(ws, TODAY)] == ["red", "red", "green"]  # Red first
    assert {e["team"] for e in dsr.entries(ws, TODAY, teams={"North Team"})} == {"North Team"}
    assert dsr.entries(ws, TODAY, teams=set()) == []
    assert len(dsr.entries(ws, TODAY, rag="red", team="North Team")) == 1
    with pytest.raises(WorkspaceError, match="not a register reference"):
        dsr.entry(ws, "ABC", TODAY)
    with pytest.raises(NotFound, match="no register entry DSR-0099"):
        dsr.entry(ws, "dsr-99", TODAY)


# ---------------------------------------------------------------- CLI

def run(*args: str):
    return CliRunner().invoke(app, list(args))


def test_cli_journey(store):
    s = str(store)
    common = ["--store", s, "--actor", "tm", "--today", "2025-03-31"]
    r = run("dsr", "add", *common, "--person", pk("P01"), "--team", "North Team", "--key-worker", "sam",
            "--rag", "amber", "--reason", "Behaviour escalating at the day service", "--learning-disability",
            "--added", "2025-01-10", "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["next_review"] == "2025-04-10"
    assert run("dsr", "rag", "DSR-0001", *common, "--rag", "red", "--reason", "Police called twice this week",
               "--on", "2025-02-01").exit_code == 0
    assert run("dsr", "review", "1", *common, "--notes", "Crisis plan agreed with the family",
               "--on", "2025-03-01").exit_code == 0
    r = run("dsr", "ctr", "DSR-0001", *common, "--outcome", "stay_at_home", "--on", "2025-03-05")
    assert r.exit_code == 0 and "CTR on 2025-03-05" in r.output
    r = run("dsr", "action", "DSR-0001", *common, "--text", "Review the support plan", "--owner", "sam",
            "--due", "2025-03-20")
    assert r.exit_code == 0 and "action 1 added" in r.output
    assert run("dsr", "action", "DSR-0001", *common, "--done", "1").exit_code == 0
    r = run("dsr", "list", *common)
    assert r.exit_code == 0 and "DSR-0001  Red" in r.output and "next review 2025-04-01 due soon" in r.output
    r = run("dsr", "list", *common[:-2], "--today", "2025-04-03")
    assert "OVERDUE by 2 days" in r.output and "1 with an overdue review" in r.output
    r = run("dsr", "show", "DSR-0001", *common)
    assert "RAG history:" in r.output and "2025-02-01  Red" in r.output and "done 2025-03-31" in r.output
    listed = json.loads(run("dsr", "list", *common, "--json").output)
    assert listed[0]["review_due_soon"] is True and listed[0]["last_ctr"]["outcome"] == "stay_at_home"
    r = run("dsr", "counts", *common, "--months", "3", "--json")
    assert json.loads(r.output)["months"][-1]["red"] == "[c]"
    r = run("dsr", "counts", *common, "--months", "3", "--exact", "--json")
    assert json.loads(r.output)["months"][-1]["red"] == 1
    assert run("dsr", "close", "DSR-0001", *common, "--reason", "admitted").exit_code == 0
    views = [c for c in Workspace.for_store(store).changes("dsr_entry") if c["action"] == "view"]
    assert {c["entity_id"] for c in views} == {"list", "DSR-0001", "counts"}
    assert all(c["actor"] == "tm" for c in views)


@pytest.mark.parametrize(("args", "message"), [
    (["add", "--person", "P-0123456789abcdef", "--team", "North Team", "--key-worker", "k", "--rag", "red",
      "--reason", "Placement at risk of breaking", "--autism"], "not in the store's people or CLD extract"),
    (["rag", "DSR-0007", "--rag", "red", "--reason", "Placement at risk now"], "no register entry DSR-0007"),
    (["list", "--status", "pending"], "status 'pending' must be open, closed or all"),
    (["action", "DSR-0001", "--text", "Do it"], "give --text, --owner and --due"),
    (["review", "DSR-0001", "--notes", "Meeting held today", "--on", "31/13/2025"], "--on '31/13/2025' is not a date"),
])
def test_cli_bad_input_exits_2_with_the_reason(store, args, message):
    r = run("dsr", *args, "--store", str(store), "--today", "2025-03-31")
    assert r.exit_code == 2 and message in r.output


# ---------------------------------------------------------------- demo

def test_seed_demo_is_deterministic_realistic_and_idempotent(base_store, tmp_path):
    results = []
    for n in (1, 2):
        copy = tmp_path / f"s{n}"
        shutil.copytree(base_store, copy)
        ws = Workspace.for_store(copy)
        dsr.seed_demo(ws, copy, TODAY)
        dsr.seed_demo(ws, copy, TODAY)  # a second run adds nothing
        found = dsr.entries(ws, TODAY, status="all")
        results.append([(e["person_key"], e["team"], [h["rag"] for h in e["rag_history"]]) for e in found])
    assert results[0] == results[1] and len(results[0]) == dsr.DEMO_SIZE
    ws = Workspace.for_store(tmp_path / "s1")
    found = dsr.entries(ws, TODAY, status="all")
    ld = {pk(f"P{i:02d}") for i in range(40) if i % 5}
    assert all(e["person_key"] in ld | {pk("Q1")} for e in found)
    assert pk("PDEAD") not in {e["person_key"] for e in found}
    assert {e["age_group"] for e in found} == {"transition", "adult"}
    assert {e["team"] for e in found} == {"North Team", "South Team", "Learning Disability Team"}
    assert any(len(e["rag_history"]) > 1 for e in found) and any(e["ctrs"] for e in found)
    assert all("2024-04-01" <= e["added_on"] <= "2025-03-31" for e in found)
    assert sum(s["total"] for s in dsr.monthly_counts(ws, TODAY, 12)) > 0


# ---------------------------------------------------------------- monthly report

def test_monthly_report_has_suppressed_register_counts_and_no_people(ws, store):
    from asc_assure.reports import monthly

    for i in range(1, 8):
        add(ws, store, person=f"P{i:02d}", rag="amber" if i > 1 else "red", added="2025-01-10")
    data = monthly.build_report(store, "2025-03", TODAY)
    section = data["dsr"]
    assert section["available"] and section["has_entries"] and len(section["months"]) == dsr.REPORT_MONTHS
    assert section["current"]["red"] == "[c]" and section["current"]["amber"] == 5
    assert [m["label"] for m in section["months"]][-2:] == ["February 2025", "March 2025"]
    html = monthly.render_html(data, charts=False)
    part = html.split('id="dsr-heading"')[1].split("</section>")[0]
    assert "[c]" in part and "<caption>" in part and pk("P01") not in html and "DSR-0001" not in html
    assert ">Dynamic Support Register</h2>" in html
    from asc_assure.reports.word import docx_text

    text = docx_text(monthly.write_report(data, store.parent / "march.docx"))
    assert "\nDynamic Support Register\n" in text and "[c]" in text
