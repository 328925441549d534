"""Evidence library pages: list with search and filters, add, item, edit, retire, download, coverage.

Thin views over :mod:`asc_assure.assurance.evidence`. Viewing needs ``view_assurance``; adding, editing
and retiring need ``edit_evidence``. Every change and every file download is written to the audit log;
a file is re-hashed before it is served and is always sent as an attachment (never shown inline).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import content_disposition_header, urlencode
from django.views.decorators.http import require_http_methods, require_POST

from asc_assure.assurance import evidence
from asc_assure.assurance.evidence_files import MAX_FILE_BYTES, EvidenceFileError, content_type_for
from asc_assure.assurance.workspace import NotFound, WorkspaceError
from asc_assure.domain.cqc import load_framework
from asc_assure.web.auditlog import record
from asc_assure.web.evidence import forms
from asc_assure.web.permissions import requires
from asc_assure.web.workspace import actor, workspace
from asc_assure.web.workspace import today as workspace_today

FIELD_LABELS = {"title": "Title", "summary": "Summary", "category": "Category", "statements": "Quality statements",
                "source_type": "Source type", "owner": "Owner", "evidence_date": "Date of evidence",
                "review_by": "Review by", "link": "Link", "file_sha256": "File checksum", "file_name": "File name",
                "file_size": "File size"}
ACTION_LABELS = {"create": "Added", "update": "Changed", "retire": "Retired", "reinstate": "Reinstated"}


def _breadcrumbs(*items: tuple[str, str]) -> list[dict[str, str]]:
    crumbs = []
    with contextlib.suppress(NoReverseMatch):  # the assurance overview is another package's page
        crumbs.append({"text": "CQC assurance", "href": reverse("assurance")})
    crumbs.append({"text": "Evidence library", "href": reverse("evidence")})
    return crumbs + [{"text": t, "href": h} for t, h in items]


def _long_date(value: str | None) -> str:
    if not value:
        return ""
    return dt.date.fromisoformat(value[:10]).strftime("%d %B %Y").lstrip("0")


def _choices() -> dict[str, Any]:
    fw = load_framework()
    themes = {t.slug: t.short_title for t in fw.themes}
    return {
        "categories": evidence.categories(fw),
        "statements": [{"slug": s.slug, "number": s.number, "title": s.title, "theme": themes[s.theme]}
                       for s in fw.statements],
        "themes": [{"slug": t.slug, "title": t.title} for t in fw.themes],
        "source_types": [{"slug": k, "title": v} for k, v in evidence.SOURCE_TYPES.items()],
    }


# -- list ----------------------------------------------------------------------------------------

def _filters(request: HttpRequest) -> tuple[dict[str, Any], list[dict[str, str]]]:
    fw = load_framework()
    get = request.GET
    f = {"q": get.get("q", "").strip()[:200], "statement": get.get("statement", ""), "theme": get.get("theme", ""),
         "category": get.get("category", ""), "source_type": get.get("source_type", ""),
         "owner": get.get("owner", "").strip()[:120], "status": get.get("status", ""),
         "retired": get.get("retired", "") == "1"}
    allowed = {"statement": set(fw.slugs), "theme": {t.slug for t in fw.themes},
               "category": {c["slug"] for c in fw.evidence_categories}, "source_type": set(evidence.SOURCE_TYPES),
               "status": {"current", "stale"}}
    errors = []
    for name, values in allowed.items():
        if f[name] and f[name] not in values:
            errors.append({"text": f"Select a {name.replace('_', ' ')} from the list", "href": f"#filter-{name}"})
            f[name] = ""
    return f, errors


@requires("view_assurance")
def evidence_list(request: HttpRequest) -> HttpResponse:
    f, errors = _filters(request)
    ws = workspace()
    today = workspace_today()
    items = evidence.list_items(
        ws, today=today, text=f["q"] or None, statement=f["statement"] or None, theme=f["theme"] or None,
        category=f["category"] or None, source_type=f["source_type"] or None, owner=f["owner"] or None,
        stale={"stale": True, "current": False}.get(f["status"]), include_retired=f["retired"])
    for i in items:
        i["evidence_date_text"] = _long_date(i["evidence_date"])
        i["review_by_text"] = _long_date(i["review_by"]) or "Not set"
    filtered = any(v for k, v in f.items())
    return render(request, "evidence/list.html", {
        "page_title": "Evidence library", "errors": errors, "filters": f, "items": items, "filtered": filtered,
        "owners": evidence.owners(ws), "today_text": _long_date(today.isoformat()), **_choices(),
        "breadcrumbs": _breadcrumbs()[:-1],
    })


# -- add and edit --------------------------------------------------------------------------------

def _form_context(request: HttpRequest, values: dict[str, Any], errors: dict[str, str],
                  item: dict[str, Any] | None) -> dict[str, Any]:
    title = f"Change evidence item {item['id']}" if item else "Add evidence"
    crumbs = (_breadcrumbs((item["title"], reverse("evidence_item", args=[item["id"]]))) if item
              else _breadcrumbs())
    return {"page_title": title, "values": values, "field_errors": errors, "item": item,
            "errors": [{"text": errors[f], "href": f"#{forms.anchor(f)}"} for f in forms.FIELDS if f in errors],
            "max_file_mb": MAX_FILE_BYTES // 1048576, "breadcrumbs": crumbs, **_choices()}


def _save_upload(upload: Any, folder: Path) -> Path:
    path = folder / "upload"
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return path


def _handle_form(request: HttpRequest, item: dict[str, Any] | None) -> HttpResponse:
    upload = request.FILES.get("file")
    form = forms.read(request.POST, upload is not None, editing_file_item=bool(item and item["has_file"]))
    if upload is not None and form.values.get("kind") == "file" and upload.size > MAX_FILE_BYTES:
        form.add_error("file", f"The file must be smaller than {MAX_FILE_BYTES // 1048576} MB")
    if form.errors:
        return render(request, "evidence/form.html", _form_context(request, form.values, form.errors, item),
                      status=400)
    ws, who = workspace(), actor(request)
    values = dict(form.cleaned)
    with tempfile.TemporaryDirectory() as tmp:
        if form.values["kind"] == "file" and upload is not None:
            values["file_path"] = _save_upload(upload, Path(tmp))
            values["file_name"] = Path(upload.name).name
        try:
            if item is None:
                item_id = evidence.add_item(ws, actor=who, **values)
            else:
                item_id = item["id"]
                before = len(evidence.history(ws, item_id))
                evidence.update_item(ws, item_id, actor=who, **values)
        except WorkspaceError as exc:
            form.add_error(forms.field_for_message(str(exc)), str(exc)[0].upper() + str(exc)[1:])
            return render(request, "evidence/form.html", _form_context(request, form.values, form.errors, item),
                          status=400)
    saved = evidence.get_item(ws, item_id)
    if item is None:
        record(request, "evidence_added", object=f"evidence:{item_id}", title=saved["title"],
               file_sha256=saved["file_sha256"], link=saved["link"])
    else:
        changes = evidence.history(ws, item_id)
        if len(changes) > before:
            record(request, "evidence_updated", object=f"evidence:{item_id}",
                   fields=sorted(changes[0]["detail"].get("changes", {})))
    return redirect(reverse("evidence_item", args=[item_id]) + ("?added=1" if item is None else "?changed=1"))


@requires("edit_evidence")
@require_http_methods(["GET", "POST"])
def evidence_add(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _handle_form(request, None)
    empty = {"statements": [], "evidence_date": forms.date_parts(None), "review_by": forms.date_parts(None)}
    return render(request, "evidence/form.html", _form_context(request, empty, {}, None))


def _item_or_404(item_id: int, today: dt.date | None = None) -> dict[str, Any]:
    try:
        return evidence.get_item(workspace(), item_id, today=today)
    except NotFound:
        raise Http404("no such evidence item") from None


@requires("edit_evidence")
@require_http_methods(["GET", "POST"])
def evidence_edit(request: HttpRequest, item_id: int) -> HttpResponse:
    item = _item_or_404(item_id)
    if item["retired"]:
        return redirect("evidence_item", item_id=item_id)
    if request.method == "POST":
        return _handle_form(request, item)
    return render(request, "evidence/form.html", _form_context(request, forms.initial(item), {}, item))


# -- item, retire, download ----------------------------------------------------------------------

def _history_rows(changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for c in changes:
        lines = []
        if c["action"] == "update":
            for name, change in c["detail"].get("changes", {}).items():
                if name in ("file_sha256", "file_size"):
                    continue
                old, new = (", ".join(v) if isinstance(v, list) else (v or "none")
                            for v in (change["from"], change["to"]))
                lines.append(f"{FIELD_LABELS.get(name, name)}: {old} → {new}")
        elif c["action"] in ("retire", "reinstate") and c["detail"].get("reason"):
            lines.append(f"Reason: {c['detail']['reason']}")
        out.append({"at": c["at"].replace("T", " ")[:16], "actor": c["actor"],
                    "action": ACTION_LABELS.get(c["action"], c["action"]), "lines": lines})
    return out


def _item_page(request: HttpRequest, item_id: int, errors: dict[str, str] | None = None,
               reason: str = "", status: int = 200) -> HttpResponse:
    today = workspace_today()
    item = _item_or_404(item_id, today)
    item.update(evidence_date_text=_long_date(item["evidence_date"]), review_by_text=_long_date(item["review_by"]),
                retired_at_text=_long_date(item["retired_at"]), updated_at_text=_long_date(item["updated_at"]),
                file_type=content_type_for(item["file_name"]) if item["has_file"] else None)
    errors = errors or {}
    return render(request, "evidence/item.html", {
        "page_title": item["title"], "item": item, "history": _history_rows(evidence.history(workspace(), item_id)),
        "errors": [{"text": t, "href": f"#{k}"} for k, t in errors.items()], "field_errors": errors,
        "reason": reason, "added": request.GET.get("added") == "1", "changed": request.GET.get("changed") == "1",
        "breadcrumbs": _breadcrumbs(), "framework_statements": _choices()["statements"],
    }, status=status)


@requires("view_assurance")
def evidence_item(request: HttpRequest, item_id: int) -> HttpResponse:
    return _item_page(request, item_id)


@requires("edit_evidence")
@require_POST
def evidence_retire(request: HttpRequest, item_id: int) -> HttpResponse:
    _item_or_404(item_id)
    reason = request.POST.get("reason", "").strip()
    if not reason:
        return _item_page(request, item_id, {"reason": "Enter why this evidence is being retired"}, status=400)
    try:
        item = evidence.retire_item(workspace(), item_id, actor=actor(request), reason=reason)
    except WorkspaceError as exc:
        return _item_page(request, item_id, {"reason": str(exc)[0].upper() + str(exc)[1:]}, reason, status=400)
    record(request, "evidence_retired", object=f"evidence:{item_id}", title=item["title"], reason=reason)
    return redirect("evidence_item", item_id=item_id)


@requires("edit_evidence")
@require_POST
def evidence_reinstate(request: HttpRequest, item_id: int) -> HttpResponse:
    _item_or_404(item_id)
    try:
        item = evidence.reinstate_item(workspace(), item_id, actor=actor(request))
    except WorkspaceError:
        return redirect("evidence_item", item_id=item_id)
    record(request, "evidence_reinstated", object=f"evidence:{item_id}", title=item["title"])
    return redirect("evidence_item", item_id=item_id)


@requires("view_assurance")
def evidence_download(request: HttpRequest, item_id: int) -> HttpResponse:
    try:
        item, data = evidence.item_file_bytes(workspace(), item_id)
    except NotFound:
        raise Http404("no such evidence file") from None
    except EvidenceFileError as exc:
        record(request, "evidence_file_check_failed", object=f"evidence:{item_id}", reason=str(exc))
        return render(request, "evidence/file_problem.html", {
            "page_title": "The file cannot be downloaded", "item": _item_or_404(item_id), "reason": str(exc),
            "breadcrumbs": _breadcrumbs()}, status=409)
    record(request, "evidence_downloaded", object=f"evidence:{item_id}", file_name=item["file_name"],
           sha256=item["file_sha256"], size=len(data))
    response = HttpResponse(data, content_type=content_type_for(item["file_name"]))
    response["Content-Disposition"] = content_disposition_header(True, item["file_name"])
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# -- coverage ------------------------------------------------------------------------------------

def _day(text: str) -> dt.date | None:
    """A date typed as 31/3/2025 or 2025-03-31; None if it is not one."""
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


@requires("view_assurance")
def evidence_coverage(request: HttpRequest) -> HttpResponse:
    """The matrix for today, or for the date asked for (to see what was stale at a board meeting, say)."""
    today, errors = workspace_today(), []
    raw = request.GET.get("on", "").strip()[:20]
    if raw:
        if _day(raw) is None:
            errors.append({"text": "Enter a real date, for example 31/3/2025", "href": "#on"})
        else:
            today = _day(raw)  # type: ignore[assignment]
    data = evidence.coverage(workspace(), today)
    for theme in data["themes"]:
        for s in theme["statements"]:
            s["href"] = reverse("evidence") + "?" + urlencode({"statement": s["slug"]})
            for c in s["cells"]:
                c["href"] = reverse("evidence") + "?" + urlencode({"statement": s["slug"], "category": c["category"]})
    for i in data["stale_items"] + data["due_soon"]:
        i["review_by_text"] = _long_date(i["review_by"])
    return render(request, "evidence/coverage.html", {
        "page_title": "Evidence coverage", "data": data, "today_text": _long_date(today.isoformat()),
        "breadcrumbs": _breadcrumbs(), "errors": errors, "on": raw,
    })
