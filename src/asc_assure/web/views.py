"""Platform views: sign in and out, the placeholder home page, the audit log, error pages."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from asc_assure.web.auditlog import record, verify_chain
from asc_assure.web.models import AuditEvent
from asc_assure.web.permissions import public, requires

AUDIT_PAGE_SIZE = 50


def _lockout_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60) if settings.AXES_COOLOFF_TIME else 0


def _safe_next(request: HttpRequest, value: str | None) -> str | None:
    if value and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return value
    return None


@public
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if request.user.is_authenticated and request.method == "GET":
        return redirect(next_url or "home")
    errors: list[dict[str, str]] = []
    username = ""
    if request.method == "POST":
        username = request.POST.get("username", "").strip()
        password = request.POST.get("password", "")
        if not username:
            errors.append({"text": "Enter your username", "href": "#username"})
        if not password:
            errors.append({"text": "Enter your password", "href": "#password"})
        if not errors:
            user = authenticate(request, username=username, password=password)
            if getattr(request, "axes_locked_out", False):
                return locked_out(request)
            if user is not None:
                login(request, user)
                return redirect(next_url or "home")
            errors.append({"text": "Enter a correct username and password", "href": "#username"})
    status = 200 if not errors else 400
    return render(request, "accounts/sign_in.html",
                  {"errors": errors, "username": username, "next": next_url or ""}, status=status)


def locked_out(request: HttpRequest, credentials: dict[str, Any] | None = None, *args: Any,
               **kwargs: Any) -> HttpResponse:
    """django-axes calls this when an account is locked (see AXES_LOCKOUT_CALLABLE)."""
    return render(request, "accounts/locked_out.html",
                  {"minutes": _lockout_minutes(), "failures": settings.AXES_FAILURE_LIMIT},
                  status=getattr(settings, "AXES_HTTP_RESPONSE_CODE", 429))


@public
@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return render(request, "accounts/signed_out.html")


@requires("view_dashboard")
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Placeholder until the dashboard (asc_assure.web.dashboard) provides the page at ``/``."""
    return render(request, "home.html")


def _filtered_events(request: HttpRequest) -> tuple[Any, dict[str, str]]:
    filters = {k: request.GET.get(k, "").strip() for k in ("event", "actor")}
    qs = AuditEvent.objects.all()
    if filters["event"]:
        qs = qs.filter(event=filters["event"])
    if filters["actor"]:
        qs = qs.filter(actor=filters["actor"])
    return qs, filters


@requires("view_audit")
@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    qs, filters = _filtered_events(request)
    page = Paginator(qs.order_by("-id"), AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in filters.items() if v})
    pagination: dict[str, Any] = {"items": []}
    base = f"?{query}&" if query else "?"
    if page.has_previous():
        pagination["previous"] = {"href": f"{base}page={page.previous_page_number()}"}
    if page.has_next():
        pagination["next"] = {"href": f"{base}page={page.next_page_number()}"}
    for n in page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1):
        if n == page.paginator.ELLIPSIS:
            pagination["items"].append({"ellipsis": True})
        else:
            pagination["items"].append({"number": n, "href": f"{base}page={n}", "current": n == page.number})
    rows = [[
        {"text": ev.at.astimezone(dt.UTC).strftime("%d/%m/%Y %H:%M:%S UTC")},
        {"text": ev.actor},
        {"text": ev.event},
        {"text": ev.object},
        {"html": format_html('<span class="app-audit-details">{}</span>', json_dumps(ev.details))},
        {"text": ev.ip or ""},
    ] for ev in page.object_list]
    return render(request, "audit/list.html", {
        "page": page, "filters": filters, "chain": verify_chain(), "pagination": pagination, "rows": rows,
        "event_items": _choices("event", "All events", filters["event"]),
        "actor_items": _choices("actor", "Everyone", filters["actor"]),
        "export_query": query,
    })


def _choices(field: str, everything: str, selected: str) -> list[dict[str, Any]]:
    values = AuditEvent.objects.order_by(field).values_list(field, flat=True).distinct()
    return [{"value": "", "text": everything}] + [
        {"value": v, "text": v, "selected": v == selected} for v in values
    ]


def _csv_cell(value: Any) -> str:
    text = "" if value is None else str(value)
    # Stop spreadsheet formula injection when the export is opened in Excel.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@requires("export_audit")
@require_GET
def audit_export(request: HttpRequest) -> StreamingHttpResponse:
    qs, filters = _filtered_events(request)
    record(request, "audit_exported", **{f"filter_{k}": v for k, v in filters.items() if v})
    chain = verify_chain()
    columns = ["id", "at", "actor", "event", "object", "details", "ip", "prev_hash", "hash"]

    def rows():
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(columns)
        yield buf.getvalue()
        for ev in qs.order_by("id").iterator(chunk_size=2000):
            buf.seek(0)
            buf.truncate()
            body = ev.body()
            writer.writerow([_csv_cell(x) for x in (ev.id, body["at"], ev.actor, ev.event, ev.object,
                                                    json_dumps(ev.details), ev.ip, ev.prev_hash, ev.hash)])
            yield buf.getvalue()

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="asc-assure-audit.csv"'
    response["X-Audit-Chain"] = "intact" if chain.ok else f"broken-at-{chain.broken_at}"
    return response


def json_dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def forbidden_page(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/403.html", status=403)


def not_found_page(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


def server_error_page(request: HttpRequest) -> HttpResponse:
    return render(request, "errors/500.html", status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "errors/csrf.html", status=403)


@requires("change_own_password")
@require_http_methods(["GET", "POST"])
def change_password(request: HttpRequest) -> HttpResponse:
    """Anyone signed in changes their own password (for example after an administrator set one)."""
    from django.contrib.auth import update_session_auth_hash
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    errors: list[dict[str, str]] = []
    if request.method == "POST":
        current = request.POST.get("current_password", "")
        new = request.POST.get("new_password", "")
        again = request.POST.get("new_password_again", "")
        if not request.user.check_password(current):
            errors.append({"text": "Enter your current password correctly", "href": "#current_password"})
        if not new:
            errors.append({"text": "Enter a new password", "href": "#new_password"})
        elif new != again:
            errors.append({"text": "The new passwords do not match", "href": "#new_password_again"})
        else:
            try:
                validate_password(new, request.user)
            except ValidationError as exc:
                errors += [{"text": m, "href": "#new_password"} for m in exc.messages]
        if not errors:
            request.user.set_password(new)
            request.user.save(update_fields=["password"])
            update_session_auth_hash(request, request.user)
            record(request, "password_changed", object=request.user.get_username())
            return render(request, "accounts/password_changed.html", {"page_title": "Password changed"})
    return render(request, "accounts/change_password.html",
                  {"page_title": "Change your password", "errors": errors}, status=400 if errors else 200)
