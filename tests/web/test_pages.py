"""The base layout, security headers and shipped static assets."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import asc_assure.web

pytestmark = pytest.mark.django_db
STATIC = Path(asc_assure.web.__file__).parent / "static"


@pytest.fixture
def signed_in(client, make_user):
    client.force_login(make_user("admin", role="administrator", password=None))
    return client


def test_security_headers(signed_in):
    r = signed_in.get("/")
    csp = r["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert re.search(r"script-src 'self' 'nonce-[A-Za-z0-9+/=_-]+'", csp)
    assert "style-src 'self'" in csp and "img-src 'self' data:" in csp
    assert "unsafe-inline" not in csp
    assert r["X-Frame-Options"] == "DENY"
    assert r["Referrer-Policy"] == "same-origin"
    assert r["X-Content-Type-Options"] == "nosniff"


def test_every_inline_script_carries_the_nonce(signed_in):
    r = signed_in.get("/")
    nonce = re.search(r"'nonce-([^']+)'", r["Content-Security-Policy"]).group(1)
    body = r.content.decode()
    for tag in re.findall(r"<script[^>]*>", body):
        assert "src=" in tag or f'nonce="{nonce}"' in tag, tag
    assert "style=" not in body  # no inline styles either


def test_base_page_is_govuk_with_local_assets_only(signed_in):
    body = signed_in.get("/").content.decode()
    assert '<html lang="en-GB"' in body
    assert "govuk-template__header" in body and "govuk-footer" in body
    assert "govuk-service-navigation" in body and "ASC Assure" in body
    assert "Testshire County Council" in body
    assert "govuk-phase-banner" in body and "Beta" in body
    assert "<title>Dashboard – ASC Assure – Testshire County Council</title>" in body
    refs = re.findall(r'(?:src|href)="([^"]+)"', body)
    assets = [u for u in refs if re.search(r"\.(css|js|ico|svg|png|json)$", u)]
    assert assets and all(u.startswith("/static/") for u in assets), assets
    assert not [u for u in refs if u.startswith(("http:", "https:", "//"))], refs
    assert "Crown copyright" not in body


def test_static_assets_are_served_and_use_arial(signed_in):
    css = signed_in.get("/static/govuk/govuk-frontend.min.css")
    assert css.status_code == 200
    text = b"".join(css.streaming_content) if css.streaming else css.content
    assert b"arial" in text and b"GDS Transport" not in text and b"@font-face" not in text
    for rel in ("govuk/govuk-frontend.min.js", "govuk/assets/images/favicon.ico", "govuk/assets/manifest.json",
                "asc_assure/init.js", "asc_assure/app.css"):
        assert (STATIC / rel).exists(), rel
        assert signed_in.get("/static/" + rel).status_code == 200


def test_sign_in_page_has_no_navigation_for_anonymous(client):
    body = client.get("/sign-in/").content.decode()
    assert "govuk-service-navigation__item" not in body
    assert "Sign out" not in body


def test_not_found_page_is_govuk(signed_in):
    r = signed_in.get("/no-such-page/")
    assert r.status_code == 404 and "Page not found" in r.content.decode()
