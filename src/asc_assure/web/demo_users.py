"""Demo accounts: one per role, with fresh random passwords each time."""

from __future__ import annotations

import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from asc_assure.web.auditlog import record
from asc_assure.web.models import TeamMembership
from asc_assure.web.permissions import ROLES, TEAM_MANAGER, ensure_roles

DEMO_USERS = {role: role.replace("_", "-") for role in ROLES}  # role -> username


# Specialist teams the demo team manager also manages, so the DoLS and safeguarding queues show data.
DEMO_SPECIALIST_TEAMS = ("DoLS Team", "Safeguarding Team")


def _load_files(kind: str) -> list[Path]:
    """The data files of every load of ``kind`` in the configured store (none if there is no store)."""
    from asc_assure.data.store import Store, StoreError

    try:
        store = Store(Path(settings.ASC_ASSURE_STORE))
    except StoreError:
        return []
    paths = [store.loads_dir / m["load_id"] / "data.parquet" for m in store.loads_for(kind)]
    return [p for p in paths if p.exists()]


def demo_teams(limit: int = 2) -> list[str]:
    """The busiest teams in the store's referrals, plus the specialist DoLS and safeguarding teams if the
    teams extract has them, so the demo team manager manages real teams with work in every queue."""
    busiest = _busiest_teams(limit)
    files = _load_files("teams")
    if not files:
        return busiest
    import duckdb

    with duckdb.connect() as con:
        known = {r[0] for r in con.execute("SELECT DISTINCT team FROM read_parquet(?)",
                                           [[str(f) for f in files]]).fetchall()}
    return busiest + [t for t in DEMO_SPECIALIST_TEAMS if t in known and t not in busiest]


def _busiest_teams(limit: int) -> list[str]:
    files = _load_files("referrals")
    if not files:
        return []
    import duckdb

    with duckdb.connect() as con:
        rows = con.execute(
            "SELECT team, count(*) AS n FROM read_parquet(?) WHERE team IS NOT NULL GROUP BY team "
            "ORDER BY n DESC, team LIMIT ?", [[str(f) for f in files], limit]).fetchall()
    return [r[0] for r in rows]


@transaction.atomic
def create_demo_users(teams: list[str] | None = None) -> list[dict[str, object]]:
    """Create (or reset) one user per role; returns username, role, password and teams for each."""
    ensure_roles()
    User = get_user_model()
    teams = demo_teams() if teams is None else teams
    out = []
    for role, username in DEMO_USERS.items():
        password = secrets.token_urlsafe(12)
        user, _ = User.objects.get_or_create(username=username)
        user.set_password(password)
        user.is_active = True
        user.save()
        user.groups.set([Group.objects.get(name=role)])
        user_teams: list[str] = []
        if role == TEAM_MANAGER:
            TeamMembership.objects.filter(user=user).delete()
            for team in teams:
                TeamMembership.objects.create(user=user, team=team)
            user_teams = list(teams)
        record(None, "demo_user_reset", actor="system", object=username, role=role)
        out.append({"username": username, "role": role, "password": password, "teams": user_teams})
    try:  # a reset also clears any lockout of the demo accounts
        from axes.utils import reset

        for username in DEMO_USERS.values():
            reset(username=username)
    except Exception:  # pragma: no cover - axes not configured
        pass
    return out
