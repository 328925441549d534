"""Case tracking: 50 people proposed from the data with the documented mix, reproducible for a seed,
swaps that keep the mix, a shortlist of 10, consent, and pen pictures with nobody's identity in them."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from asc_assure.assurance import case_tracking as ct
from asc_assure.assurance.workspace import NotFound, Workspace, WorkspaceError
from extracts import write_extract

AS_OF = dt.date(2025, 3, 7)
KEY = bytes(range(32))
PSRS = ["Physical support: Personal care support", "Support with memory and cognition", "Mental health support",
        "Learning disability support", "Sensory support: Support for visual impairment",
        "Social support: Support for social isolation or other reason", "Physical support: Access and mobility only"]
ETHNICITIES = ["White: English, Welsh, Scottish, Northern Irish or British", "White: Irish",
               "Asian or Asian British: Indian", "Black, Black British, Caribbean or African: African",
               "Mixed or multiple ethnic groups: White and Asian", "Other ethnic group: Arab",
               "White: English, Welsh, Scottish, Northern Irish or British"]
BIRTHS = ["2003-05-01", "1980-02-01", "1950-07-01", "1935-01-01", "1960-03-01"]
LSOAS = {"E01000001": "North", "E01000002": "South", "E01000003": "City"}


def build_case_store(folder: Path, people: int = 160) -> Path:
    """A small store whose people cycle through every mix dimension, so each minimum can be met."""
    from asc_assure.data.ingest import ingest_file

    store = folder / "store"
    lsoas = list(LSOAS)
    ppl, refs, concerns, cld = [], [], [], []
    for i in range(people):
        pid = f"P{i:07d}"
        ppl.append({"person_id": pid, "date_of_birth": BIRTHS[i % 5], "ethnicity": ETHNICITIES[i % 7],
                    "lsoa_code": lsoas[i % 3], "primary_support_reason": PSRS[i % 6 if i % 11 else 6],
                    "sex": "female" if i % 2 else "male", "postcode": "WY1 1AA"})
        refs.append({"referral_id": f"R{i:07d}", "person_id": pid, "received_date": "2024-11-01",
                     "team": "North Team", "locality": LSOAS[lsoas[i % 3]],
                     "assessment_start_date": "2024-11-05" if i % 3 == 0 else "",
                     "assessment_completed_date": "2024-11-20" if i % 3 == 0 else "",
                     "closed_date": "2024-11-21" if i % 3 == 0 else "",
                     "closure_reason": "assessed" if i % 3 == 0 else ""})
        if i % 8 == 0:
            concerns.append({"concern_id": f"S{i:07d}", "person_id": pid, "received_date": "2025-01-10",
                             "urgent": "N", "locality": LSOAS[lsoas[i % 3]]})
        if i % 9 == 0 or i % 10 == 0:
            cld.append({"la_code": "682", "reporting_period_start_date": "2024-10-01",
                        "reporting_period_end_date": "2024-12-31", "la_person_unique_identifier": pid,
                        "client_type": "Unpaid carer" if i % 9 == 0 else "Service user", "event_type": "Request",
                        "event_start_date": "2024-12-02", "event_end_date": "2024-12-03",
                        "event_outcome": "NFA: Information and advice or signposting",
                        "request_route_of_access":
                            "Discharge from hospital" if i % 10 == 0 else "Community/other route",
                        "date_of_birth": BIRTHS[i % 5]})
    # Someone who has died is never proposed.
    ppl.append({"person_id": "PDEAD01", "date_of_birth": "1940-01-01", "date_of_death": "2025-01-01",
                "ethnicity": ETHNICITIES[0], "lsoa_code": lsoas[0], "primary_support_reason": PSRS[0]})
    refs.append({"referral_id": "RDEAD01", "person_id": "PDEAD01", "received_date": "2024-11-01", "team": "North Team"})
    areas = [{"lsoa_code": k, "district": "Wyvern", "locality": v} for k, v in LSOAS.items()]
    for kind, data in (("people", ppl), ("referrals", refs), ("safeguarding_concerns", concerns), ("cld", cld),
                       ("areas", areas)):
        result = ingest_file(store, write_extract(folder / f"{kind}.csv", kind, data), as_of=AS_OF, key=KEY)
        assert result.status == "loaded" and result.rows_quarantined == 0, (kind, result.to_dict())
    return store


@pytest.fixture(scope="module")
def case_store(tmp_path_factory) -> Path:
    return build_case_store(tmp_path_factory.mktemp("cases"))


@pytest.fixture
def ws(case_store, tmp_path) -> Workspace:
    # A fresh workspace for each test, over the shared (read-only) store.
    return Workspace(tmp_path / "workspace")


def keys(cases: list[dict]) -> list[str]:
    return [c["person_key"] for c in cases]


def test_candidates_are_living_adults_with_recent_activity(case_store):
    pool = ct.candidates(case_store, AS_OF)
    assert len(pool) == 160
    from asc_assure.data.pseudonymise import Pseudonymiser

    dead = Pseudonymiser(KEY).one("PDEAD01", "person_ref")
    assert dead not in keys(pool)
    assert {c["locality"] for c in pool} == {"North", "South", "City"}
    assert {c["ethnicity_group"] for c in pool} >= {"White British", "White other", "Asian or Asian British"}
    first = next(c for c in pool if "carer" in c["flags"])
    assert "hospital_discharge" in {f for c in pool for f in c["flags"]}
    assert first["age_band"] in {"18-25", "26-64", "65-84", "85+"}


def test_case_selection_honours_the_mix_and_is_reproducible_for_a_seed(ws, case_store):
    first = ct.propose(ws, case_store, actor="lead", seed=42, as_of=AS_OF)
    assert [c["label"] for c in first["cases"]] == [f"Case {n:02d}" for n in range(1, 51)]
    mix = ct.mix_summary(ws)
    assert mix["all_met"], [r for r in mix["rows"] if not r["met"]]
    by_key = {r["key"]: r for r in mix["rows"]}
    assert by_key["psr_group=Physical support"]["achieved"] <= 24  # the maximum holds
    assert by_key["flag=carer"]["achieved"] >= 5 and by_key["age_band=85+"]["achieved"] >= 6
    assert {r["key"] for r in mix["rows"]} >= {"locality=North", "locality=South", "locality=City"}

    other = Workspace(ws.root.parent / "other")
    again = ct.propose(other, case_store, actor="lead", seed=42, as_of=AS_OF)
    assert keys(again["cases"]) == keys(first["cases"])
    assert [c["reasons"] for c in again["cases"]] == [c["reasons"] for c in first["cases"]]
    third = ct.propose(Workspace(ws.root.parent / "third"), case_store, actor="lead", seed=43, as_of=AS_OF)
    assert keys(third["cases"]) != keys(first["cases"])


def test_reasons_name_the_minimums_a_case_fills_then_random_fill(ws, case_store):
    cases = ct.propose(ws, case_store, actor="lead", seed=1, as_of=AS_OF)["cases"]
    assert all(c["reasons"] for c in cases)
    assert any(ct.RANDOM_FILL in c["reasons"] for c in cases)
    assert any("Unpaid carer" in c["reasons"] for c in cases)


def test_report_says_when_the_data_cannot_meet_a_minimum(ws, case_store):
    mix = {**ct.load_mix(), "flags": {"carer": {"label": "Unpaid carer", "minimum": 40}}}
    ct.propose(ws, case_store, actor="lead", seed=1, as_of=AS_OF, mix=mix)
    row = next(r for r in ct.mix_summary(ws)["rows"] if r["key"] == "flag=carer")
    assert not row["met"] and row["available"] == 18 and row["achieved"] == 18
    assert row["note"] == "only 18 in the data"


def test_select_is_pure_greedy_quota_filling():
    pool = [{"person_key": f"P-{i:016x}", "age_band": "85+" if i < 3 else "65-84", "flags": []} for i in range(20)]
    mix = {"size": 5, "dimensions": {"age_band": {"label": "Age", "minimums": {"85+": 3}}}}
    chosen, _ = ct.select(pool, mix, seed=5)
    assert [p["age_band"] for p, _ in chosen[:3]] == ["85+"] * 3
    assert [r for _, r in chosen[3:]] == [[ct.RANDOM_FILL]] * 2


def test_proposing_again_protects_work_already_done(ws, case_store):
    ct.propose(ws, case_store, actor="lead", seed=1, as_of=AS_OF)
    ct.set_shortlist(ws, [1, 2], actor="lead")
    with pytest.raises(WorkspaceError, match="confirm replacing"):
        ct.propose(ws, case_store, actor="lead", seed=2, as_of=AS_OF)
    ct.propose(ws, case_store, actor="lead", seed=2, as_of=AS_OF, replace=True)
    assert ct.list_cases(ws, shortlisted=True) == []


def test_swap_keeps_the_mix_and_the_label(ws, case_store):
    ct.propose(ws, case_store, actor="lead", seed=3, as_of=AS_OF)
    before = ct.get_case(ws, "Case 07")
    suggestion = ct.suggest_replacement(ws, case_store, 7)
    assert suggestion is not None and "person_key" not in suggestion
    result = ct.swap_case(ws, case_store, "Case 07", actor="tm", reason="in hospital")
    after = result["case"]
    assert after["label"] == "Case 07" and after["person_key"] != before["person_key"]
    assert result["warnings"] == [] and ct.mix_summary(ws)["all_met"]
    assert after["reasons"] == ["Suggested replacement keeping the mix"]
    assert len(ct.list_cases(ws)) == 50
    assert before["person_key"] in keys(ct.list_cases(ws, include_swapped=True))
    assert ws.changes("tracked_case", "Case 07")[0]["detail"]["reason"] == "in hospital"


def test_swap_for_a_named_person_warns_about_minimums_it_breaks(ws, case_store):
    ct.propose(ws, case_store, actor="lead", seed=3, as_of=AS_OF)
    cases = ct.list_cases(ws)
    tight = next(r for r in ct.mix_summary(ws)["rows"] if r["minimum"] and r["achieved"] == r["minimum"])
    quota = next(q for q in ct._quotas(ct.current_proposal(ws)) if q.key == tight["key"])
    leaving = next(c for c in cases if quota.holds(c))
    outsider = next(p for p in ct.candidates(case_store, AS_OF)
                    if p["person_key"] not in set(keys(cases)) and not quota.holds(p))
    result = ct.swap_case(ws, case_store, leaving["number"], actor="tm", replacement=outsider["person_key"])
    assert any(w.startswith(tight["label"]) for w in result["warnings"])
    assert result["case"]["reasons"] == ["Picked by the council as a replacement"]
    with pytest.raises(WorkspaceError, match="already in this list"):
        ct.swap_case(ws, case_store, 1, actor="tm", replacement=ct.get_case(ws, 2)["person_key"])
    with pytest.raises(WorkspaceError, match="not an adult with activity"):
        ct.swap_case(ws, case_store, 1, actor="tm", replacement="P-0000000000000000")


def test_shortlist_consent_and_their_rules(ws, case_store):
    ct.propose(ws, case_store, actor="lead", seed=4, as_of=AS_OF)
    with pytest.raises(WorkspaceError, match="at most 10"):
        ct.set_shortlist(ws, list(range(1, 12)), actor="lead")
    with pytest.raises(NotFound, match="Case 51"):
        ct.set_shortlist(ws, [51], actor="lead")
    chosen = ct.set_shortlist(ws, ["Case 03", "7", 12], actor="lead")
    assert [c["label"] for c in chosen] == ["Case 03", "Case 07", "Case 12"]
    with pytest.raises(WorkspaceError, match="not on the shortlist"):
        ct.record_consent(ws, 4, actor="lead", status="given", on=AS_OF, today=AS_OF)
    with pytest.raises(WorkspaceError, match="give the date"):
        ct.record_consent(ws, 3, actor="lead", status="given", on=None, today=AS_OF)
    with pytest.raises(WorkspaceError, match="in the future"):
        ct.record_consent(ws, 3, actor="lead", status="given", on=AS_OF + dt.timedelta(days=1), today=AS_OF)
    with pytest.raises(WorkspaceError, match="'maybe'"):
        ct.record_consent(ws, 3, actor="lead", status="maybe", on=AS_OF, today=AS_OF)
    c = ct.record_consent(ws, 3, actor="lead", status="declined", on=AS_OF, today=AS_OF)
    assert (c["consent_status"], c["consent_date"]) == ("declined", "2025-03-07")
    with pytest.raises(WorkspaceError, match="shortlist"):
        ct.swap_case(ws, Path("unused"), 3, actor="tm")


@pytest.mark.parametrize("text, problem", [
    ("Case 03 (NHS 943 476 5919) lives alone.", "NHS number"),
    ("Lives at WY15 8UZ near the park.", "postcode"),
    ("Born 12/03/1941, lives alone.", "full date"),
    ("Born 12 March 1941.", "full date"),
    ("Daughter's e-mail is jo.smith@example.org.", "e-mail"),
    ("Call 01632 960 123 to arrange.", "phone"),
    ("See record P0000003 for detail.", "reference"),
    ("Key P-0123456789abcdef noted.", "pseudonymised key"),
])
def test_pen_pictures_with_identifiers_are_refused(ws, case_store, text, problem):
    ct.propose(ws, case_store, actor="lead", seed=4, as_of=AS_OF)
    ct.set_shortlist(ws, [3], actor="lead")
    with pytest.raises(WorkspaceError, match=problem):
        ct.set_pen_picture(ws, 3, text, actor="lead")
    assert ct.get_case(ws, 3)["pen_picture"] == ""


def test_pen_picture_catches_the_persons_own_reference_with_the_key(ws, case_store):
    ct.propose(ws, case_store, actor="lead", seed=4, as_of=AS_OF)
    ct.set_shortlist(ws, [3], actor="lead")
    person = ct.get_case(ws, 3)["person_key"]
    from asc_assure.data.pseudonymise import Pseudonymiser

    ref = next(f"P{i:07d}" for i in range(200) if Pseudonymiser(KEY).one(f"P{i:07d}", "person_ref") == person)
    assert any("own local reference" in p for p in ct.pen_picture_problems(f"Ref {ref}.", person, KEY))
    assert ct.pen_picture_problems("Case 03 is in her eighties and lives in the North locality since 2019.",
                                   person, KEY) == []
    saved = ct.set_pen_picture(ws, 3, "Case 03 is in her eighties, supported at home after a fall.", actor="lead",
                               key=KEY)
    assert saved["pen_picture"].startswith("Case 03")


def test_exports_show_labels_and_mix_never_person_keys(ws, case_store, tmp_path):
    from asc_assure.reports.word import docx_text

    ct.propose(ws, case_store, actor="lead", seed=5, as_of=AS_OF)
    ct.set_shortlist(ws, [2, 4], actor="lead")
    ct.record_consent(ws, 2, actor="lead", status="given", on=AS_OF, today=AS_OF)
    ct.set_pen_picture(ws, 2, "Case 02 is a young adult who moved from children's services.", actor="lead")
    person_keys = keys(ct.list_cases(ws))
    out_csv = ct.export(ws, tmp_path / "cases.csv", actor="lead")
    with out_csv.open(encoding="utf-8-sig") as fh:
        table = list(csv.reader(fh))
    assert table[0] == list(ct.EXPORT_HEADER) and len(table) == 51
    assert table[2][0] == "Case 02" and table[2][7] == "Given" and table[2][9].startswith("Case 02")
    text = out_csv.read_text(encoding="utf-8-sig")
    assert not any(k in text for k in person_keys)
    out_docx = ct.export(ws, tmp_path / "cases.docx", actor="lead", shortlisted_only=True)
    body = docx_text(out_docx)
    assert "Case 02" in body and "Case 04" in body and "Case 05" not in body and "Mix of the list" in body
    assert not any(k in body for k in person_keys)
    assert ws.changes("case_proposal", "current")[0]["action"] == "export"
    with pytest.raises(WorkspaceError, match=r"\.csv or \.docx"):
        ct.export(ws, tmp_path / "cases.pdf", actor="lead")


def test_reveal_key_is_logged_with_a_reason(ws, case_store):
    ct.propose(ws, case_store, actor="lead", seed=5, as_of=AS_OF)
    with pytest.raises(WorkspaceError, match="reason"):
        ct.reveal_key(ws, 1, actor="lead", reason=" ")
    assert ct.reveal_key(ws, 1, actor="lead", reason="ask for consent") == ct.get_case(ws, 1)["person_key"]
    assert ws.changes("tracked_case", "Case 01")[0]["action"] == "view_key"


def test_bad_labels_are_explained():
    assert ct.parse_label("Case 07") == ct.parse_label("7") == ct.parse_label(7) == 7
    with pytest.raises(WorkspaceError, match="'Case X'"):
        ct.parse_label("Case X")


# -- CLI -------------------------------------------------------------------------------------------
runner = CliRunner()


def cli(*args):
    from asc_assure.cli import app

    return runner.invoke(app, [str(a) for a in args])


@pytest.mark.parametrize("command", [["cases"], ["cases", "propose"], ["cases", "list"], ["cases", "mix"],
                                     ["cases", "swap"], ["cases", "shortlist"], ["cases", "consent"],
                                     ["cases", "pen-picture"], ["cases", "export"]])
def test_every_cases_command_has_help(command):
    result = cli("cqc", *command, "--help")
    assert result.exit_code == 0 and "Usage" in result.output


def test_cli_journey(tmp_path):
    store = build_case_store(tmp_path, people=120)
    r = cli("cqc", "cases", "propose", "--store", store, "--seed", 9, "--as-of", "2025-03-07", "--actor", "lead")
    assert r.exit_code == 0, r.output
    assert "50 cases proposed from 120 eligible adults" in r.output
    listed = json.loads(cli("cqc", "cases", "list", "--store", store, "--json").output)
    assert len(listed) == 50 and "person_key" not in listed[0] and listed[0]["label"] == "Case 01"
    assert cli("cqc", "cases", "shortlist", "--store", store, "1", "2").exit_code == 0
    r = cli("cqc", "cases", "consent", "--store", store, "Case 01", "--status", "given", "--date", "2025-03-07",
            "--today", "2025-03-08")
    assert r.exit_code == 0 and "consent given 2025-03-07" in r.output
    r = cli("cqc", "cases", "pen-picture", "--store", store, "1", "--text", "Lives at WY1 1AA.")
    assert r.exit_code == 2 and "postcode" in r.output
    r = cli("cqc", "cases", "swap", "--store", store, "5", "--reason", "moved away", "--json")
    assert r.exit_code == 0 and json.loads(r.output)["case"]["label"] == "Case 05"
    mix = json.loads(cli("cqc", "cases", "mix", "--store", store, "--json").output)
    assert mix["proposal"]["seed"] == 9
    r = cli("cqc", "cases", "export", "--store", store, "--out", tmp_path / "out.docx")
    assert r.exit_code == 0 and (tmp_path / "out.docx").exists()
    r = cli("cqc", "cases", "propose", "--store", tmp_path / "nowhere", "--seed", 1, "--as-of", "2025-03-07")
    assert r.exit_code == 2
