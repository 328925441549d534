"""axe-core (vendor/axe.min.js, MPL-2.0) on every main page: no serious or critical WCAG 2.2 AA violations."""

from __future__ import annotations

from pathlib import Path

import pytest

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING = {"serious", "critical"}

# page -> (URL, role to sign in as, or None for a signed-out visitor)
PAGES = {
    "sign-in": ("/sign-in/", None),
    "dashboard": ("/?as_of=2025-03-31", "administrator"),
    "measures": ("/measures/", "administrator"),
    "measure": ("/measures/waiting_list.count/?as_of=2025-03-31", "administrator"),
    "upload": ("/upload/", "administrator"),
    "pack": ("/pack/", "administrator"),
    "audit": ("/audit/", "administrator"),
    "dashboard-councillor": ("/?as_of=2025-03-31", "viewer"),
    "users": ("/users/", "administrator"),
    "new-user": ("/users/new/", "administrator"),
    "change-password": ("/account/password/", "viewer"),
    # CQC assurance workspace
    "assurance": ("/assurance/", "assurance_lead"),
    "framework": ("/assurance/framework/", "assurance_lead"),
    "rating": ("/assurance/rating/", "assurance_lead"),
    "evidence": ("/assurance/evidence/", "assurance_lead"),
    "evidence-add": ("/assurance/evidence/add/", "assurance_lead"),
    "evidence-item": ("/assurance/evidence/1/", "assurance_lead"),
    "evidence-coverage": ("/assurance/evidence/coverage/", "assurance_lead"),
    "self-assessment": ("/assurance/self-assessment/", "assurance_lead"),
    "self-assessment-theme": ("/assurance/self-assessment/working-with-people/", "assurance_lead"),
    "self-assessment-edit": ("/assurance/self-assessment/working-with-people/edit/", "performance_analyst"),
    "scores": ("/assurance/scores/", "assurance_lead"),
    "timeline": ("/assurance/timeline/", "assurance_lead"),
    "information-return": ("/assurance/information-return/", "assurance_lead"),
    "cases": ("/assurance/cases/", "assurance_lead"),
    "case": ("/assurance/cases/1/", "assurance_lead"),
    # Improvement plan, risks, budget, monthly report
    "plan": ("/plan/", "viewer"),
    "plan-measures": ("/plan/measures/", "assurance_lead"),
    "plan-action": ("/plan/actions/1.2/", "assurance_lead"),
    "plan-action-edit": ("/plan/actions/1.2/edit/", "assurance_lead"),
    "risks": ("/risks/", "viewer"),
    "risk-heat-map": ("/risks/heat-map/", "assurance_lead"),
    "risk": ("/risks/R002/", "assurance_lead"),
    "budget": ("/budget/", "viewer"),
    "monthly-report": ("/report/monthly/?month=2025-03", "assurance_lead"),
    # Operational tools
    "operations": ("/operations/", "performance_analyst"),
    "dols-queue": ("/operations/dols/", "performance_analyst"),
    "safeguarding-queues": ("/operations/safeguarding/", "performance_analyst"),
    "schedule": ("/operations/schedule/", "performance_analyst"),
    "prioritisation": ("/operations/prioritisation/", "performance_analyst"),
    "waiting-well": ("/operations/prioritisation/waiting-well/", "performance_analyst"),
    "dsr": ("/operations/dsr/", "team_manager"),
    "dsr-counts": ("/operations/dsr/counts/", "performance_analyst"),
    # ASCOF, CLD, equity, workforce, demand and capacity
    "ascof": ("/ascof/", "viewer"),
    "ascof-benchmark": ("/ascof/benchmark/", "performance_analyst"),
    "cld-validate": ("/cld/validate/", "performance_analyst"),
    "cld-waiting-times": ("/cld/waiting-times/", "performance_analyst"),
    "equity": ("/equity/", "viewer"),
    "workforce": ("/workforce/", "assurance_lead"),
    "simulation": ("/simulation/", "performance_analyst"),
}


@pytest.fixture
def axe_page(browser, live_server, context_options):
    # The app's Content-Security-Policy (script-src 'self' + nonce) blocks the injected axe script, so
    # these scans bypass the CSP; test_journeys.py runs the same pages with the CSP enforced.
    context = browser.new_context(base_url=live_server.url, bypass_csp=True, **context_options)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def _scan(page) -> tuple[list[dict], list[dict]]:
    page.add_script_tag(content=AXE)
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS)
    assert len(result["passes"]) > 10, "axe ran too few checks: is the page empty?"
    blocking = [v for v in result["violations"] if v["impact"] in BLOCKING]
    other = [v for v in result["violations"] if v["impact"] not in BLOCKING]
    return blocking, other


def _describe(violations: list[dict]) -> str:
    return "\n".join(f"{v['id']} ({v['impact']}): {v['help']} at "
                     + ", ".join(" ".join(n["target"]) for n in v["nodes"][:5]) for v in violations)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_has_no_serious_accessibility_violations(axe_page, figures, sign_in, name):
    url, role = PAGES[name]
    if role:
        sign_in(axe_page, role)
    axe_page.goto(url)
    assert axe_page.locator("h1").count() == 1
    blocking, other = _scan(axe_page)
    if other:
        print(f"{name}: minor/moderate axe findings:\n{_describe(other)}")
    assert not blocking, f"{name} ({url}): axe found\n{_describe(blocking)}"


@pytest.mark.django_db(transaction=True)
def test_upload_results_and_sign_in_errors_have_no_serious_accessibility_violations(axe_page, empty_store, sign_in,
                                                                                    upload_files):
    axe_page.goto("/sign-in/")
    axe_page.get_by_role("button", name="Sign in").click()  # empty form: error summary and messages
    assert axe_page.locator(".govuk-error-summary").count() == 1
    blocking, _ = _scan(axe_page)
    assert not blocking, f"sign-in with errors: axe found\n{_describe(blocking)}"

    sign_in(axe_page, "performance_analyst")
    axe_page.goto("/upload/")
    axe_page.set_input_files("#files", [str(f) for f in upload_files])
    axe_page.fill("#as_of", "2025-03-31")
    axe_page.get_by_role("button", name="Upload and load").click()
    axe_page.wait_for_selector("#results")
    blocking, _ = _scan(axe_page)
    assert not blocking, f"upload results: axe found\n{_describe(blocking)}"
