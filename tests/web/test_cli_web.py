"""The web commands of the CLI."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from asc_assure.cli import app

pytestmark = pytest.mark.django_db


def test_create_demo_users_is_idempotent_and_passwords_work(client):
    from django.contrib.auth import get_user_model

    runner = CliRunner()
    first = runner.invoke(app, ["web", "create-demo-users", "--json"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(app, ["web", "create-demo-users", "--json"])
    assert second.exit_code == 0, second.output
    import json

    users = json.loads(second.output)
    assert {u["role"] for u in users} == {"administrator", "assurance_lead", "performance_analyst",
                                         "team_manager", "viewer"}
    assert get_user_model().objects.count() == 5
    for u in users:
        assert get_user_model().objects.get(username=u["username"]).check_password(u["password"])
    old = json.loads(first.output)[0]
    assert not get_user_model().objects.get(username=old["username"]).check_password(old["password"])


def test_verify_audit_command():
    result = CliRunner().invoke(app, ["web", "verify-audit"])
    assert result.exit_code == 0 and "intact" in result.output


def test_core_cli_does_not_import_django():
    import subprocess
    import sys

    code = "import sys, asc_assure.cli; print('django' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_demo_team_manager_gets_the_busiest_teams_and_the_specialist_queues(tmp_path, settings):
    """Busiest referral teams first; the DoLS and safeguarding teams only when the teams extract has them."""
    import datetime as dt

    from asc_assure.data.ingest import ingest_file
    from asc_assure.web.demo_users import demo_teams
    from extracts import build_figures_store, write_extract

    store = build_figures_store(tmp_path)
    settings.ASC_ASSURE_STORE = store
    assert demo_teams() == ["North Team", "South Team"]
    teams = [{"team": t, "team_type": k} for t, k in
             (("North Team", "locality"), ("DoLS Team", "dols"), ("Safeguarding Team", "safeguarding"))]
    ingest_file(store, write_extract(tmp_path / "teams.csv", "teams", teams), as_of=dt.date(2025, 3, 31),
                key=bytes(range(32)))
    assert demo_teams() == ["North Team", "South Team", "DoLS Team", "Safeguarding Team"]
    settings.ASC_ASSURE_STORE = tmp_path / "no-store"
    assert demo_teams() == []
