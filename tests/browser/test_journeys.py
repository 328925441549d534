"""The main journeys in a real browser: sign in and out, upload, the weekly pack, the audit log, councillors.

These run with the app's real Content-Security-Policy, so a blocked script or style shows up here.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

WAITING = "People waiting for a Care Act assessment"
COUNCIL = "Testshire County Council"  # the figures store's council (conftest.py)


def _upload(page, files: list[Path]):
    page.goto("/upload/")
    page.set_input_files("#files", [str(f) for f in files])
    page.fill("#as_of", "2025-03-31")
    page.get_by_role("button", name="Upload and load").click()
    page.wait_for_selector("#results")


def _nav(page) -> list[str]:
    return [t.strip() for t in page.locator(".govuk-service-navigation__list a").all_inner_texts()]


def _screenshot_dir(tmp_path: Path) -> Path:
    """Screenshots go to $ASC_ASSURE_SCREENSHOTS if set (to look at them), else the test's temp folder."""
    folder = Path(os.environ.get("ASC_ASSURE_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.mark.django_db(transaction=True)
def test_sign_in_with_the_keyboard_see_the_dashboard_and_sign_out(page, figures, make_user, password):
    make_user("priya", "performance_analyst")
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))

    page.goto("/")
    assert "/sign-in/" in page.url
    for _ in range(15):  # Tab from the top of the page to the username field
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "username":
            break
    else:
        pytest.fail("Tab never reached the username field")
    page.keyboard.type("priya")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "password"
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/sign-in/" not in url)

    assert page.locator("h1").inner_text() == "Dashboard"
    assert COUNCIL in page.locator("header").inner_text()
    assert page.get_by_role("heading", name="Headline measures").is_visible()
    tile = page.locator(".app-tile", has=page.get_by_role("link", name=WAITING))
    assert tile.locator(".app-tile__value").inner_text() == "4"
    assert "Amber" in tile.inner_text()
    # GOV.UK Frontend's CSS and JavaScript loaded (the CSP let them through, WhiteNoise served them).
    assert "arial" in page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily").lower()
    assert page.evaluate("document.body.classList.contains('govuk-frontend-supported')")
    assert page.evaluate("document.querySelector('.govuk-header') && "
                         "getComputedStyle(document.querySelector('.govuk-header')).backgroundColor") \
        not in ("", "rgba(0, 0, 0, 0)")
    assert problems == [], problems

    page.get_by_role("button", name="Sign out").click()
    assert page.locator("h1").inner_text() == "You have signed out"
    page.goto("/")
    assert "/sign-in/" in page.url


@pytest.mark.django_db(transaction=True)
def test_analyst_uploads_a_good_and_a_bad_file_and_downloads_the_problem_report(page, empty_store, sign_in,
                                                                              upload_files, tmp_path):
    good, bad = upload_files
    sign_in(page, "performance_analyst")
    _upload(page, [good, bad])

    loaded = page.locator("tr", has=page.locator("th", has_text="referrals.csv"))
    failed = page.locator("tr", has=page.locator("th", has_text="scan.pdf"))
    assert "Loaded" in loaded.inner_text() and "as referrals" in loaded.inner_text()
    assert "Not loaded" in failed.inner_text() and "is a PDF, not a data extract" in failed.inner_text()
    page.screenshot(path=str(_screenshot_dir(tmp_path) / "upload-results.png"), full_page=True)

    with page.expect_download() as info:
        loaded.get_by_role("link", name="Download the problem report (CSV)").click()
    download = info.value
    assert download.suggested_filename.endswith("-problems.csv")
    report = Path(download.path()).read_text(encoding="utf-8-sig")
    assert "received_date" in report and "31/02/2025" in report


@pytest.mark.django_db(transaction=True)
def test_assurance_lead_downloads_the_weekly_pack(page, figures, sign_in):
    sign_in(page, "assurance_lead")
    page.get_by_role("link", name="Weekly pack").click()
    assert page.locator("h1").inner_text() == "Weekly pack"
    page.get_by_label("Web page (HTML)").check()
    with page.expect_download() as info:
        page.get_by_role("button", name="Download the pack").click()
    download = info.value
    assert download.suggested_filename == "weekly-pack-2025-03-31.html"
    assert "Weekly performance pack" in Path(download.path()).read_text(encoding="utf-8")


@pytest.mark.django_db(transaction=True)
def test_administrator_sees_sign_in_upload_and_downloads_in_the_audit_log(page, empty_store, sign_in,
                                                                          upload_files):
    good, _ = upload_files
    sign_in(page, "administrator", username="ada")
    _upload(page, [good])
    with page.expect_download():
        page.get_by_role("link", name="Download the problem report (CSV)").click()
    page.goto("/pack/?as_of=2025-03-31&period=week&format=html")
    page.get_by_label("Web page (HTML)").check()
    with page.expect_download():
        page.get_by_role("button", name="Download the pack").click()

    page.get_by_role("link", name="Audit").click()
    assert page.locator("h1").inner_text() == "Audit log"
    assert "Chain intact" in page.locator(".govuk-notification-banner").inner_text()
    events = [t.strip() for t in page.locator(".govuk-table__body tr td:nth-child(3)").all_inner_texts()]
    for event in ("sign_in", "upload", "download_error_report", "download_pack"):
        assert event in events, events
    actors = {t.strip() for t in page.locator(".govuk-table__body tr td:nth-child(2)").all_inner_texts()}
    assert actors == {"ada"}


@pytest.mark.django_db(transaction=True)
def test_councillor_sees_suppressed_figures_and_no_upload_or_audit(page, figures, sign_in):
    sign_in(page, "viewer", username="cllr-jones")
    tile = page.locator(".app-tile", has=page.get_by_role("link", name=WAITING))
    assert tile.locator(".app-tile__value").inner_text() == "[c]"
    assert "counts of 1 to 4 are shown as [c]" in page.locator(".govuk-inset-text").inner_text()
    # read-only for viewers, with published (suppressed) figures
    assert _nav(page) == ["Dashboard", "Measures", "Improvement plan", "Risks", "Budget", "ASCOF", "Equity"]
    page.goto("/upload/")
    assert page.locator("h1").inner_text() == "You do not have access to this page"
    assert page.locator("#files").count() == 0


@pytest.mark.django_db(transaction=True)
def test_screenshots_of_dashboard_and_measure_page(page, figures, sign_in, tmp_path):
    folder = _screenshot_dir(tmp_path)
    sign_in(page, "team_manager")
    page.screenshot(path=str(folder / "dashboard.png"), full_page=True)
    page.get_by_role("link", name=WAITING).first.click()
    assert page.locator("h1").inner_text().startswith(WAITING)
    assert page.locator("svg[role=img]").count() >= 1
    page.screenshot(path=str(folder / "measure.png"), full_page=True)
    assert (folder / "dashboard.png").stat().st_size > 10_000 and (folder / "measure.png").stat().st_size > 10_000
