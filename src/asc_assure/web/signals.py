"""Sign-in, sign-in failure, sign-out and lockouts go into the audit log."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from asc_assure.web.auditlog import record


@receiver(user_logged_in, dispatch_uid="asc_audit_sign_in")
def _signed_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if request is not None:
        request.user = user
    record(request if request is not None else user, "sign_in")


@receiver(user_logged_out, dispatch_uid="asc_audit_sign_out")
def _signed_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is None:
        return
    record(request if request is not None else user, "sign_out", actor=user.get_username())


@receiver(user_login_failed, dispatch_uid="asc_audit_sign_in_failed")
def _sign_in_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    username = str(credentials.get("username", ""))[:150]
    record(request, "sign_in_failed", object=username, username=username)


@receiver(user_locked_out, dispatch_uid="asc_audit_locked_out")
def _locked_out(sender: Any, request: Any, username: str | None = None, ip_address: str | None = None,
                **kwargs: Any) -> None:
    record(request, "account_locked", object=username or "", username=username)
