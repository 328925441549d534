"""The demand and capacity page: who may run it, a full run from a scenario and the levers, errors shown
as a GOV.UK error summary, the saved demo results, and every run in the audit log."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from asc_assure.data.ingest import ingest_files
from asc_assure.data.synth import generate

AS_OF = dt.date(2025, 3, 31)
KINDS = ("referrals", "workforce", "targets")


@pytest.fixture(scope="module")
def extracts(tmp_path_factory) -> list[Path]:
    out = tmp_path_factory.mktemp("simweb")
    generate(out / "extracts", seed=5, people=120_000, start=dt.date(2023, 4, 1), end=AS_OF)
    return sorted(p for p in (out / "extracts").rglob("*.csv") if p.stem in KINDS)


@pytest.fixture
def store(settings, extracts) -> Path:
    store = Path(settings.ASC_ASSURE_STORE)
    results = ingest_files(store, extracts, as_of=AS_OF, key=bytes(range(32)))
    assert all(r.status == "loaded" for r in results)
    return store


def _events(name: str) -> list:
    from asc_assure.web.models import AuditEvent

    return list(AuditEvent.objects.filter(event=name).order_by("id"))


@pytest.mark.parametrize("role", ["viewer", "team_manager", "administrator"])
def test_other_roles_are_refused(client, make_user, role):
    client.force_login(make_user("u", role=role))
    assert client.get("/simulation/").status_code == 403
    assert client.post("/simulation/", {"example": "baseline"}).status_code == 403


@pytest.mark.parametrize("role", ["assurance_lead", "performance_analyst"])
def test_form_is_shown_with_labelled_levers(client, make_user, role):
    client.force_login(make_user("u", role=role))
    html = client.get("/simulation/").content.decode()
    assert "Demand and capacity" in html and "Run the simulation" in html
    for name in ("example", "scenario_yaml", "fte_change_pct", "demand_growth_pct", "rule", "push_weeks",
                 "push_extra_per_week", "target", "weeks", "replications", "seed"):
        assert f'for="{name}"' in html and f'id="{name}"' in html


def test_run_with_levers_shows_chart_table_and_is_audited(client, make_user, store):
    client.force_login(make_user("lead", role="assurance_lead"))
    resp = client.post("/simulation/", {"example": "baseline", "fte_change_pct": "10", "demand_growth_pct": "5",
                                        "rule": "oldest_first", "push_weeks": "4", "push_extra_per_week": "20",
                                        "target": "50", "weeks": "8", "replications": "2", "seed": "3"})
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "Results: Baseline" in html
    assert 'role="img"' in html and "<desc" in html
    assert "<caption class=\"govuk-table__caption govuk-table__caption--m\">Projected waiting list by week" in html
    assert html.count('<th scope="row" class="govuk-table__header">') >= 9
    assert "Chance below target" in html
    [event] = _events("run_simulation")
    assert event.actor == "lead"
    d = event.details
    assert d["weeks"] == 8 and d["replications"] == 2 and d["seed"] == 3
    s = d["scenario"]
    assert s["staff"][0]["change_pct"] == 10 and s["demand"]["growth_pct"] == 5
    assert s["prioritisation"]["rule"] == "oldest_first" and s["backlog_push"][0]["extra_per_week"] == 20
    assert s["target"] == 50


def test_pasted_scenario_errors_are_shown_in_an_error_summary(client, make_user, store):
    client.force_login(make_user("pa", role="performance_analyst"))
    html = client.post("/simulation/", {"scenario_yaml": "staff:\n  - change_pct: ten\n",
                                        "replications": "2", "weeks": "4"}).content.decode()
    assert "There is a problem" in html
    assert "staff[0].change_pct must be a number (not &#39;ten&#39;)" in html
    assert 'href="#scenario_yaml"' in html
    assert not _events("run_simulation") and _events("run_simulation_refused")


def test_bad_lever_values_point_at_their_fields(client, make_user):
    client.force_login(make_user("pa", role="performance_analyst"))
    html = client.post("/simulation/", {"example": "baseline", "fte_change_pct": "lots", "replications": "99",
                                        "push_weeks": "4"}).content.decode()
    assert "Change in assessing FTE must be a number (not &#39;lots&#39;)" in html
    assert 'href="#fte_change_pct"' in html and 'href="#replications"' in html and 'href="#push_extra_per_week"' in html
    assert 'id="fte_change_pct-error"' in html


def test_store_without_referrals_gives_a_clear_error(client, make_user):
    client.force_login(make_user("pa", role="performance_analyst"))
    html = client.post("/simulation/", {"example": "baseline", "replications": "2", "weeks": "4"}).content.decode()
    assert "There is a problem" in html and "no referrals extract" in html


def test_saved_demo_results_are_shown_before_a_run(client, make_user, store, settings):
    from asc_assure.operations.simulation import store as saved
    from asc_assure.operations.simulation.backtest import backtest
    from asc_assure.operations.simulation.results import run_simulation
    from asc_assure.operations.simulation.scenarios import parse_scenario
    from asc_assure.web.workspace import workspace

    ws = workspace()
    saved.save(ws, "baseline", run_simulation(store, parse_scenario({"name": "Baseline"}), weeks=4, replications=2))
    saved.save(ws, "backtest", backtest(store, weeks=4, replications=2))
    client.force_login(make_user("lead", role="assurance_lead"))
    html = client.get("/simulation/").content.decode()
    assert "Saved baseline projection: Baseline" in html
    assert "How well the model did last year" in html
    shutil.rmtree(Path(ws.files_dir) / "simulation")
