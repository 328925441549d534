"""One page's worth of the assurance workspace: what needs attention, area by area.

Each area module answers for itself; this module only gathers the answers so the CLI and the web app show
the same picture.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from asc_assure.assurance.workspace import Workspace


def recent_changes(ws: Workspace, limit: int = 10) -> list[dict[str, Any]]:
    """The latest changes anyone made in the workspace, newest first."""
    return ws.changes(limit=limit)


def workspace_overview(ws: Workspace, today: dt.date) -> dict[str, Any]:
    """The figures the assurance overview shows for ``today``."""
    return {"recent_changes": recent_changes(ws)}
