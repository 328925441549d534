"""The web app's way into the assurance workspace (``asc_assure.assurance``): open it, name the actor.

Views never touch SQLite themselves; they call the core's functions with ``workspace()`` and
``actor(request)``, and record what they did in the web audit log as well.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest

from asc_assure.assurance.workspace import Workspace


def workspace() -> Workspace:
    """The workspace beside the configured store (created on first use)."""
    return Workspace.for_store(Path(settings.ASC_ASSURE_STORE))


def actor(request: HttpRequest) -> str:
    """The signed-in user's name, as recorded in the workspace change log."""
    return request.user.get_username()


def today() -> dt.date:
    """The date the workspace pages treat as today: ``settings.ASC_ASSURE_TODAY`` if set, else the real date."""
    fixed = getattr(settings, "ASC_ASSURE_TODAY", None)
    return fixed or dt.date.today()
