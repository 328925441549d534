"""Workforce figures on a small hand-worked extract: definitions, caseload ceilings, zero FTE, outputs.

Three snapshots. The one of 31 March 2024 is exactly 365 days before the latest, so it is outside the
year that turnover and sickness average over (a huge headcount there would show if it were counted).

    snapshot    team   role                    headcount  fte  vacant  agency  leavers  sickness  open cases
    2024-03-31  North  Social worker                 100  100
    2024-09-30  North  Social worker                  10    9       1
    2024-09-30  North  Team manager                    1    1
    2024-09-30  South  Occupational therapist          4    4
    2025-03-31  North  Social worker                  12   10       2       2        3        90         260
    2025-03-31  North  Team manager                    1    1       0       0        0         5           0
    2025-03-31  South  Occupational therapist          6    5       1       0        1        30         150

On 31 March 2025:
    vacancy rate      3 / (16 + 3) = 15.8%          turnover   4 / (11 + 1 + 5) = 23.5%
    agency (estab.)   2 / 19 = 10.5%                agency of FTE in post   2 / 16 = 12.5%
    sickness          125 / (9.5 + 1 + 4.5) = 8.3 days per FTE
    caseload          410 / (10 + 5) = 27.3 per FTE (the team manager holds no cases, so is not counted)
    North social workers 260 / 10 = 26.0 > ceiling 25: over.  South OTs 150 / 5 = 30.0 = ceiling 30: near, not over.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from asc_assure.assurance.workspace import Workspace
from asc_assure.cli import app
from asc_assure.data.ingest import ingest_file
from asc_assure.measures import workforce as wf
from asc_assure.measures.engine import run_measures
from extracts import write_extract

KEY = bytes(range(32))
AS_OF = dt.date(2025, 3, 31)


def row(snapshot: str, team: str, role: str, headcount: int, fte: float, **kw) -> dict:
    return {"snapshot_date": snapshot, "team": team, "role": role, "headcount": str(headcount), "fte": str(fte),
            **{k: str(v) for k, v in kw.items()}}


ROWS = [
    row("2024-03-31", "North", "Social worker", 100, 100),
    row("2024-09-30", "North", "Social worker", 10, 9, vacancies_fte=1),
    row("2024-09-30", "North", "Team manager", 1, 1),
    row("2024-09-30", "South", "Occupational therapist", 4, 4),
    row("2025-03-31", "North", "Social worker", 12, 10, vacancies_fte=2, agency_fte=2, leavers_12m=3,
        sickness_days_12m=90, open_cases=260),
    row("2025-03-31", "North", "Team manager", 1, 1, vacancies_fte=0, agency_fte=0, leavers_12m=0,
        sickness_days_12m=5, open_cases=0),
    row("2025-03-31", "South", "Occupational therapist", 6, 5, vacancies_fte=1, agency_fte=0, leavers_12m=1,
        sickness_days_12m=30, open_cases=150),
]


def make_store(folder: Path, rows: list[dict] = ROWS) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    store = folder / "store"
    result = ingest_file(store, write_extract(folder / "workforce.csv", "workforce", rows), as_of=AS_OF, key=KEY)
    assert result.rows_quarantined == 0, result.errors
    return store


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    return make_store(tmp_path_factory.mktemp("workforce"))


@pytest.fixture(scope="module")
def summary(store) -> dict:
    return wf.build_summary(store, AS_OF)


def test_definitions_at_hand_worked_values(store):
    r = {m["id"]: m for m in run_measures(store, AS_OF, "month", ids=list(wf.MEASURE_IDS))}
    assert r[wf.VACANCY]["value"] == 15.8 and (r[wf.VACANCY]["numerator"], r[wf.VACANCY]["denominator"]) == (3, 19)
    assert r[wf.TURNOVER]["value"] == 23.5 and r[wf.TURNOVER]["denominator"] == 17  # average headcount
    assert r[wf.AGENCY]["value"] == 10.5
    assert r[wf.AGENCY_SHARE]["value"] == 12.5
    assert r[wf.SICKNESS]["value"] == 8.3 and r[wf.SICKNESS]["denominator"] == 15  # average FTE
    assert r[wf.CASELOAD]["value"] == 27.3 and (r[wf.CASELOAD]["numerator"], r[wf.CASELOAD]["denominator"]) == (410, 15)
    assert (r[wf.HEADCOUNT]["value"], r[wf.FTE]["value"], r[wf.VACANT_FTE]["value"]) == (19, 16.0, 3.0)
    teams = {b["key"]: b["value"] for b in r[wf.VACANCY]["breakdowns"]["team"]}
    assert teams == {"North": 15.4, "South": 16.7}  # 2 / 13 and 1 / 6
    roles = {b["key"]: b["value"] for b in r[wf.TURNOVER]["breakdowns"]["role"]}
    assert roles == {"Occupational therapist": 20.0, "Social worker": 27.3, "Team manager": 0.0}  # 1/5, 3/11, 0/1


def test_an_earlier_date_reads_the_snapshot_in_force_then(store):
    r = {m["id"]: m for m in run_measures(store, dt.date(2024, 12, 31), "month", ids=[wf.HEADCOUNT, wf.TURNOVER])}
    assert r[wf.HEADCOUNT]["value"] == 15  # the September snapshot: 10 + 1 + 4
    assert r[wf.TURNOVER]["value"] is None  # no leavers recorded in that snapshot


def test_summary_tables_by_team_and_role_with_rag_words(summary):
    assert summary["snapshot_date"] == "2025-03-31" and summary["as_of_text"] == "31 March 2025"
    north = next(t for t in summary["teams"] if t["team"] == "North")
    assert north["cells"][wf.VACANCY] == {"value": 15.4, "text": "15.4%", "rag": "red", "rag_text": "Red"}
    assert north["cells"][wf.HEADCOUNT]["rag_text"] is None  # a count is not rated
    assert north["roles_over"] == ["Social worker"] and north["status"] == "over" and north["flagged"]
    roles = {r["role"]: r for r in summary["roles"]}
    assert roles["Team manager"]["case_holding"] is False
    assert roles["Social worker"]["ceiling"] == 25 and roles["Social worker"]["status_text"] == "Over ceiling"
    headline = {h["id"]: h for h in summary["headline"]}
    assert headline[wf.SICKNESS]["value_text"] == "8.3 days" and headline[wf.SICKNESS]["rag_text"] == "Amber"


def test_caseload_against_ceiling_flags_teams_over_it(summary):
    rows = {(r["team"], r["role"]): r for r in summary["caseload"]}
    assert set(rows) == {("North", "Social worker"), ("South", "Occupational therapist")}
    sw, ot = rows["North", "Social worker"], rows["South", "Occupational therapist"]
    assert (sw["caseload"], sw["ceiling"], sw["status"], sw["flagged"]) == (26.0, 25, "over", True)
    assert (ot["caseload"], ot["ceiling"], ot["status"], ot["flagged"]) == (30.0, 30, "near", False)
    assert summary["teams_over_ceiling"] == ["North"]
    assert summary["caseload"][0]["status"] == "over"  # flagged rows first
    assert "1 team over a caseload ceiling: North." in summary["ceiling_sentence"]


@pytest.mark.parametrize(("caseload", "open_cases", "ceiling", "expected"), [
    (25.1, 251, 25, "over"),
    (25.0, 250, 25, "near"),  # at the ceiling is not over it
    (22.5, 225, 25, "near"),  # 90% of the ceiling
    (22.4, 224, 25, "within"),
    (40.0, 40, None, "no_ceiling"),  # roles without a ceiling are never flagged
    (None, 12, 25, "no_staff"),  # cases held with no FTE in post
    (None, None, 25, "no_ceiling"),
    ("[c]", "[c]", 25, "suppressed"),
])
def test_caseload_status_at_the_boundaries(caseload, open_cases, ceiling, expected):
    assert wf.caseload_status(caseload, open_cases, ceiling, 0.9) == expected


def test_zero_fte_gives_no_figure_not_a_division_by_zero(tmp_path):
    rows = [row("2025-03-31", "East", "Social worker", 0, 0, vacancies_fte=3, open_cases=12, leavers_12m=0,
                sickness_days_12m=0),
            row("2025-03-31", "West", "Team manager", 0, 0, vacancies_fte=0)]
    store = make_store(tmp_path, rows)
    s = wf.build_summary(store, AS_OF)
    teams = {t["team"]: t for t in s["teams"]}
    assert teams["East"]["cells"][wf.VACANCY]["value"] == 100.0  # 3 vacant of an establishment of 3
    assert teams["West"]["cells"][wf.VACANCY] == {"value": None, "text": "No data", "rag": None,
                                                   "rag_text": "No rating"}
    assert teams["East"]["cells"][wf.SICKNESS]["value"] is None and teams["East"]["cells"][wf.CASELOAD]["value"] is None
    [east] = s["caseload"]
    assert (east["team"], east["status"], east["flagged"], east["caseload_text"]) == ("East", "no_staff", True, "None")
    assert s["teams_over_ceiling"] == ["East"]


def test_trends_follow_the_snapshots_over_month_ends(summary):
    vacancy = next(t for t in summary["trends"] if t["id"] == wf.VACANCY)
    points = {p["as_of"]: p["value"] for p in vacancy["trend"]}
    assert len(vacancy["trend"]) == wf.TREND_POINTS and vacancy["trend"][-1]["as_of"] == "2025-03-31"
    assert points["2025-03-31"] == 15.8
    assert points["2024-10-31"] == 6.7  # the September snapshot: 1 / (9 + 1 + 1 + 4)
    assert points["2024-08-31"] is None  # the March 2024 snapshot records no vacancies: no rate, not 0%
    assert {t["id"] for t in summary["trends"]} == set(wf.TREND_IDS)


def test_settings_override_per_store_and_bad_values_are_refused(tmp_path):
    store = make_store(tmp_path)
    path = wf.settings_path(store)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("caseload:\n  ceilings:\n    social WORKER: 30\n    Occupational therapist:\n"
                    "    Review officer: 40\n  near_ceiling_pct: 80\n")
    s = wf.load_settings(store)
    assert s.ceiling_for("Social worker") == 30 and s.ceiling_for("Occupational therapist") is None
    assert s.ceiling_for("review officer") == 40 and s.near_share == 0.8
    summary = wf.build_summary(store, AS_OF)
    assert summary["teams_over_ceiling"] == []  # 26.0 is under the council's own 30
    path.write_text("caseload:\n  ceilings:\n    Social worker: -5\n")
    with pytest.raises(wf.WorkforceError, match=r"caseload\.ceilings\.Social worker .* not -5"):
        wf.load_settings(store)
    path.write_text("caseload:\n  near_ceiling_pct: 150\n")
    with pytest.raises(wf.WorkforceError, match=r"near_ceiling_pct must be a number .* not 150"):
        wf.load_settings(store)
    path.write_text("caseload: [")
    with pytest.raises(wf.WorkforceError, match="not valid YAML"):
        wf.load_settings(store)


def test_shipped_ceilings_are_the_local_defaults():
    s = wf.load_settings()
    assert s.describe() == {"ceilings": {"Social worker": 25.0, "Occupational therapist": 30.0},
                            "near_ceiling_pct": 90.0}


def test_no_workforce_extract_is_a_clear_error(tmp_path):
    with pytest.raises(wf.WorkforceError, match="no workforce extract"):
        wf.default_as_of(tmp_path / "nothing")
    store = make_store(tmp_path)
    with pytest.raises(wf.WorkforceError, match="no workforce snapshot is dated on or before 1 January 2024"):
        wf.build_summary(store, dt.date(2024, 1, 1))


def test_cli_text_json_and_bad_input(store):
    runner = CliRunner()
    out = runner.invoke(app, ["workforce", "--store", str(store)])
    assert out.exit_code == 0, out.output
    assert "Workforce as at 31 March 2025" in out.output and "Teams over a ceiling: North" in out.output
    assert "Vacancy rate (%): 15.8% (target 10.0%: Red)" in out.output
    data = json.loads(runner.invoke(app, ["workforce", "--store", str(store), "--as-of", "2025-03-31",
                                          "--json"]).output)
    assert data["teams_over_ceiling"] == ["North"] and data["snapshot_date"] == "2025-03-31"
    bad = runner.invoke(app, ["workforce", "--store", str(store), "--as-of", "31st March"])
    assert bad.exit_code == 2 and "is not a date" in bad.output
    early = runner.invoke(app, ["workforce", "--store", str(store), "--as-of", "2023-01-01"])
    assert early.exit_code == 2 and "no workforce snapshot" in early.output
    missing = runner.invoke(app, ["workforce", "--store", str(store.parent / "nowhere")])
    assert missing.exit_code == 2 and "does not exist" in missing.output


def test_weekly_pack_has_a_workforce_section_from_its_own_measures(store):
    from asc_assure.measures.pack_input import build_pack_data
    from asc_assure.reports.pack import render_html

    html = render_html(build_pack_data(store, AS_OF))
    section = html.split('id="workforce-summary"', 1)[1].split("</section>", 1)[0]
    assert "Workforce by team and caseloads" in section and "<caption>Workforce by team</caption>" in section
    assert "1 team over a caseload ceiling: North." in section
    assert '<strong class="tag tag-red tag-small">Over ceiling</strong>' in section
    assert "15.4%" in section and 'scope="row">North</th>' in section
    public = render_html(build_pack_data(store, AS_OF, public=True))
    assert 'id="workforce-summary"' in public


def test_monthly_report_has_a_workforce_section(store, tmp_path):
    from asc_assure.reports import monthly
    from asc_assure.reports.word import docx_text

    data = monthly.build_report(store, "2025-03", AS_OF)
    assert data["workforce"]["available"] and data["workforce"]["teams_over_ceiling"] == ["North"]
    html = monthly.render_html(data, charts=False)
    section = html.split('id="workforce-heading"', 1)[1].split("</section>", 1)[0]
    assert "Teams and roles over or near their caseload ceiling" in section and "Over ceiling" in section
    text = docx_text(monthly.write_report(data, tmp_path / "march.docx"))
    assert "\nWorkforce\n" in text and "North | Social worker | 260 | 10.0 | 26.0 | 25 | Over ceiling" in text


def test_demo_seeding_writes_the_councils_ceilings_once_and_logs_it(tmp_path):
    store = make_store(tmp_path)
    ws = Workspace.for_store(store)
    wf.seed_demo(ws, store, AS_OF)
    wf.seed_demo(ws, store, AS_OF)
    assert wf.load_settings(store).ceiling_for("Review officer") == 40
    [change] = ws.changes("workforce_settings")
    assert change["actor"] == "demo" and change["action"] == "create"


def test_synthetic_council_has_a_snapshot_every_month_so_the_demo_shows_trends(tmp_path):
    from asc_assure.data.synth import generate

    generate(tmp_path / "extracts", seed=5, people=3000, start=dt.date(2024, 4, 1), end=AS_OF)
    [extract] = (tmp_path / "extracts").rglob("workforce.csv")
    result = ingest_file(tmp_path / "store", extract, as_of=AS_OF, key=KEY)
    assert result.status == "loaded"
    assert len(wf.snapshot_dates(tmp_path / "store", AS_OF)) == 12
    s = wf.build_summary(tmp_path / "store")
    vacancy = next(t for t in s["trends"] if t["id"] == wf.VACANCY)
    assert sum(p["value"] is not None for p in vacancy["trend"]) == 12  # April 2024 to March 2025
    assert s["teams"] and s["caseload"]
