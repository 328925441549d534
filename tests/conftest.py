"""Shared fixtures: an isolated key, a store folder, and a helper to write extracts."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

TEST_KEY = bytes(range(32))


@pytest.fixture(autouse=True)
def _isolated_key(tmp_path_factory, monkeypatch):
    """Never touch the user's real key file; each test session gets its own."""
    keydir = tmp_path_factory.mktemp("keys")
    monkeypatch.setenv("ASC_ASSURE_KEY_FILE", str(keydir / "pseudonym.key"))
    monkeypatch.delenv("ASC_ASSURE_PSEUDONYM_KEY", raising=False)


@pytest.fixture
def key() -> bytes:
    return TEST_KEY


@pytest.fixture
def store_dir(tmp_path) -> Path:
    return tmp_path / "store"


def write_csv(path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding=encoding) as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


REFERRAL_HEADER = [
    "referral_id", "person_id", "nhs_number", "received_date", "team", "locality", "priority",
    "first_contact_date", "assessment_start_date", "assessment_completed_date", "closed_date", "closure_reason",
]


def referral(ref: str, person: str = "P1", received: str = "2025-01-06", **over: str) -> list[str]:
    row = {
        "referral_id": ref, "person_id": person, "nhs_number": "", "received_date": received,
        "team": "North Locality Team", "locality": "North", "priority": "high", "first_contact_date": "",
        "assessment_start_date": "", "assessment_completed_date": "", "closed_date": "", "closure_reason": "",
    }
    row.update(over)
    return [row[h] for h in REFERRAL_HEADER]
