"""Browser fixtures: Debian's Chromium driven by Playwright against pytest-django's live server.

The browser is Debian's own ``/usr/bin/chromium`` (``apt-get install chromium``); Playwright's downloaded
browsers are never used. If Chromium or Playwright is missing, these tests are skipped, not failed.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest

from asc_assure.demo import DEMO_SEEDERS, seed_workspace
from extracts import build_figures_store, write_extract

CHROMIUM = Path(os.environ.get("ASC_ASSURE_CHROMIUM", "/usr/bin/chromium"))
LAUNCH_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu", "--disable-component-update",
               "--disable-sync"]
CONTEXT = {"locale": "en-GB", "timezone_id": "Europe/London", "viewport": {"width": 1280, "height": 900}}
PASSWORD = "correct-horse-battery-staple"
AS_OF = dt.date(2025, 3, 31)
COUNCIL = "Testshire County Council"
KEY = bytes(range(32))


@pytest.fixture(scope="session")
def figures_store(tmp_path_factory) -> Path:
    """Four people waiting on 31 March 2025 (three in North Team, one in South Team), and a target."""
    store = build_figures_store(tmp_path_factory.mktemp("browser-figures"))
    meta = json.loads((store / "store.json").read_text())
    (store / "store.json").write_text(json.dumps({**meta, "council": COUNCIL}))
    # The workspace records to scan (the simulation and ASCOF need more history than this small store holds).
    seed_workspace(store, AS_OF, echo=lambda _text: None,
                   only=tuple(m for m in DEMO_SEEDERS if m.startswith("asc_assure.assurance.")
                              or m in {"asc_assure.operations.dsr", "asc_assure.operations.prioritisation"}))
    return store


@pytest.fixture
def figures(settings, figures_store) -> Path:
    """The app reads the small figures store (read-only: tests that upload use ``empty_store``)."""
    settings.ASC_ASSURE_STORE = figures_store
    settings.ASC_ASSURE_TODAY = AS_OF
    return figures_store


@pytest.fixture
def empty_store(settings, tmp_path, monkeypatch) -> Path:
    """A fresh, empty store for uploads, with its own key file and data folder."""
    monkeypatch.setenv("ASC_ASSURE_KEY_FILE", str(tmp_path / "keys" / "pseudonym.key"))
    monkeypatch.delenv("ASC_ASSURE_PSEUDONYM_KEY", raising=False)
    settings.ASC_ASSURE_STORE = tmp_path / "upload-store"
    settings.DATA_DIR = tmp_path / "var"
    return settings.ASC_ASSURE_STORE


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def upload_files(tmp_path) -> tuple[Path, Path]:
    """A referrals extract with one good row and one impossible date, and a PDF that is not data."""
    folder = tmp_path / "to-upload"
    folder.mkdir()
    row = {"person_id": "P1", "team": "North Team", "locality": "North", "priority": "high"}
    good = write_extract(folder / "referrals.csv", "referrals", [
        {**row, "referral_id": "R1", "received_date": "2025-03-01"},
        {**row, "referral_id": "R2", "received_date": "31/02/2025"}])  # no such date: set aside
    bad = folder / "scan.pdf"
    bad.write_bytes(b"%PDF-1.4 not data")
    return good, bad


@pytest.fixture
def make_user(transactional_db):
    """A user in one role group, with PASSWORD. (The live server needs ``transactional_db``, whose flush
    also empties the role groups that migrations made, so they are made again here.)"""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from asc_assure.web.permissions import ensure_roles

    def make(username: str, role: str):
        ensure_roles()
        user = get_user_model().objects.create_user(username=username, password=PASSWORD)
        user.groups.add(Group.objects.get(name=role))
        return user

    return make


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium per test module (and per xdist worker).

    Playwright's sync API keeps an asyncio loop running in this thread, which makes Django refuse
    ORM calls ("You cannot call this from an async context"). The ORM calls here (creating users,
    pytest-django's flush) are ordinary synchronous test code, so allow them while the browser
    is open, and only then: the module scope ends the loop before other tests in the worker run.
    """
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e .[dev])")
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    old = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_api.sync_playwright() as p:
            b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
            yield b
            b.close()
    finally:
        if old is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = old


@pytest.fixture
def context_options() -> dict:
    return dict(CONTEXT)


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (no cookies) with the app's real Content-Security-Policy enforced."""
    context = browser.new_context(base_url=live_server.url, accept_downloads=True, **CONTEXT)
    context.set_default_timeout(15_000)
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture
def sign_in(make_user):
    """Make a user in ``role`` and sign them in through the real form; returns the page on the dashboard."""

    def go(page, role: str, username: str | None = None):
        username = username or role.replace("_", "-")
        make_user(username, role)
        page.goto("/sign-in/")
        page.fill("#username", username)
        page.fill("#password", PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: "/sign-in/" not in url)
        return page

    return go
