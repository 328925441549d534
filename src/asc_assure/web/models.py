"""The web app's own tables: the hash-chained audit log and team managers' teams."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models

from asc_assure.data.audit import GENESIS, _digest


class AppendOnlyError(Exception):
    """Audit events can be added, never changed or removed."""


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("audit events cannot be changed")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit events cannot be deleted")


class AuditEvent(models.Model):
    """One audited action. ``hash`` = sha256(prev_hash + canonical JSON of the other fields), as in
    ``asc_assure.data.audit``; ``prev_hash`` is unique, so two writers can never fork the chain."""

    at = models.DateTimeField(db_index=True)
    actor = models.CharField(max_length=150, db_index=True)
    event = models.CharField(max_length=64, db_index=True)
    object = models.CharField(max_length=500, blank=True, default="")
    details = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64, unique=True)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["id"]  # noqa: RUF012

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor} {self.event} {self.object}".strip()

    def body(self) -> dict[str, Any]:
        """The hashed record, in the same shape as a line of the store's audit.jsonl."""
        at = self.at.astimezone(dt.UTC).isoformat(timespec="seconds")
        return {
            "at": at,
            "event": self.event,
            "actor": self.actor,
            "object": self.object,
            "details": self.details,
            "ip": self.ip,
            "prev": self.prev_hash,
        }

    def compute_hash(self) -> str:
        return _digest(self.prev_hash, self.body())

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding or self.pk is not None:
            raise AppendOnlyError("audit events cannot be changed once written")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError("audit events cannot be deleted")


GENESIS_HASH = GENESIS


class TeamMembership(models.Model):
    """A team whose person-level data a team manager may see (team names as in the extracts)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_memberships")
    team = models.CharField(max_length=200)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "team"], name="unique_user_team")]  # noqa: RUF012
        ordering = ["user_id", "team"]  # noqa: RUF012

    def __str__(self) -> str:
        return f"{self.user} manages {self.team}"
