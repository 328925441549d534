"""Write and check the web app's hash-chained audit log (the ``AuditEvent`` table)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest

from asc_assure.web.models import GENESIS_HASH, AuditEvent

_RETRIES = 8


def _actor_and_ip(request_or_user: Any) -> tuple[str, str | None]:
    if isinstance(request_or_user, HttpRequest):
        user = getattr(request_or_user, "user", None)
        ip = request_or_user.META.get("REMOTE_ADDR") or None
    else:
        user, ip = request_or_user, None
    if user is None or not getattr(user, "is_authenticated", False):
        return "anonymous", ip
    return user.get_username(), ip


def _jsonable(details: dict[str, Any]) -> dict[str, Any]:
    # Round-trip so that what is hashed is exactly what the JSON column gives back.
    return json.loads(json.dumps(details, default=str, ensure_ascii=False))


def record(request_or_user: Any, event: str, *, object: str = "", actor: str | None = None,
           **details: Any) -> AuditEvent:
    """Append one event. Pass the request (actor and IP from it) or a user (or None for the system)."""
    who, ip = _actor_and_ip(request_or_user)
    body = _jsonable({k: v for k, v in details.items() if v is not None})
    for _attempt in range(_RETRIES):
        try:
            with transaction.atomic():
                last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
                ev = AuditEvent(
                    at=dt.datetime.now(dt.UTC).replace(microsecond=0),
                    actor=(actor or who)[:150],
                    event=event,
                    object=str(object)[:500],
                    details=body,
                    ip=ip,
                    prev_hash=last or GENESIS_HASH,
                )
                ev.hash = ev.compute_hash()
                ev.save()
                return ev
        except IntegrityError:  # another writer took this place in the chain; read the new tail and retry
            continue
    raise RuntimeError("could not append to the audit log (too much contention)")


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    checked: int
    broken_at: int | None  # 1-based position in the chain of the first bad event
    event_id: int | None
    message: str


def verify_chain() -> ChainCheck:
    """Walk the chain in order. An edited event fails its hash; a removed one breaks the next link."""
    prev = GENESIS_HASH
    n = 0
    for n, ev in enumerate(AuditEvent.objects.order_by("id").iterator(chunk_size=2000), 1):
        if ev.prev_hash != prev:
            return ChainCheck(False, n, n, ev.id,
                              f"event {n} (id {ev.id}) does not follow the one before it "
                              "(an event was removed or reordered)")
        if ev.compute_hash() != ev.hash:
            return ChainCheck(False, n, n, ev.id, f"event {n} (id {ev.id}) was altered after it was written")
        prev = ev.hash
    return ChainCheck(True, n, None, None, f"audit chain intact ({n} events)")
