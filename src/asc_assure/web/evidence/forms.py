"""Reading the evidence form: GOV.UK date inputs, choices and the file-or-link question.

Checks here give the field-by-field messages GOV.UK forms use ("Enter a title"); the core checks the
same rules again and its message is shown against the field it names if anything still fails.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict

from asc_assure.assurance import evidence
from asc_assure.assurance.workspace import WorkspaceError
from asc_assure.domain.cqc import load_framework

FIELDS = ("title", "summary", "category", "statements", "source_type", "owner", "evidence_date", "review_by",
          "kind", "link", "file")
LABELS = {"evidence_date": "the date of the evidence", "review_by": "the review-by date"}


@dataclass
class EvidenceForm:
    """What the user typed (to show again) and, when valid, the values for the core."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    cleaned: dict[str, Any] = field(default_factory=dict)

    def add_error(self, name: str, text: str) -> None:
        self.errors.setdefault(name, text)

    def error_list(self) -> list[dict[str, str]]:
        """The error summary, in the order the fields appear, each linking to its field."""
        return [{"text": self.errors[f], "href": f"#{anchor(f)}"} for f in FIELDS if f in self.errors]


def anchor(name: str) -> str:
    """The id of the first input of a field (what the error summary links to)."""
    return {"evidence_date": "evidence_date-day", "review_by": "review_by-day", "category": "category",
            "statements": "statements", "source_type": "source_type", "kind": "kind"}.get(name, name)


def _date(form: EvidenceForm, data: QueryDict, name: str, required: bool) -> dt.date | None:
    parts = {p: data.get(f"{name}-{p}", "").strip() for p in ("day", "month", "year")}
    form.values[name] = parts
    label = LABELS[name]
    if not any(parts.values()):
        if required:
            form.add_error(name, f"Enter {label}")
        return None
    missing = [p for p, v in parts.items() if not v]
    if missing:
        form.add_error(name, f"{label[0].upper()}{label[1:]} must include a {' and '.join(missing)}")
        return None
    try:
        year = int(parts["year"])
        if year < 1900 or len(parts["year"]) != 4:
            raise ValueError
        return dt.date(year, int(parts["month"]), int(parts["day"]))
    except ValueError:
        form.add_error(name, f"{label[0].upper()}{label[1:]} must be a real date, for example 31 3 2025")
        return None


def date_parts(value: str | None) -> dict[str, str]:
    if not value:
        return {"day": "", "month": "", "year": ""}
    d = dt.date.fromisoformat(value)
    return {"day": str(d.day), "month": str(d.month), "year": str(d.year)}


def initial(item: dict[str, Any]) -> dict[str, Any]:
    """The form's values for an existing item."""
    return {"title": item["title"], "summary": item["summary"], "category": item["category"],
            "statements": list(item["statements"]), "source_type": item["source_type"], "owner": item["owner"],
            "evidence_date": date_parts(item["evidence_date"]), "review_by": date_parts(item["review_by"]),
            "kind": "file" if item["has_file"] else "link", "link": item["link"] or ""}


def read(data: QueryDict, has_upload: bool, editing_file_item: bool = False) -> EvidenceForm:
    """Check the posted form. ``editing_file_item``: a file item may keep its file (no new upload needed)."""
    form = EvidenceForm()
    fw = load_framework()
    for name in ("title", "owner", "link"):
        form.values[name] = " ".join(data.get(name, "").split())
    form.values["summary"] = data.get("summary", "").strip()
    for name, message, limit in (("title", "Enter a title", evidence.MAX_TITLE),
                                 ("owner", "Enter who owns this evidence", evidence.MAX_OWNER)):
        if not form.values[name]:
            form.add_error(name, message)
        elif len(form.values[name]) > limit:
            form.add_error(name, f"{name.capitalize()} must be {limit} characters or fewer")
    if len(form.values["summary"]) > evidence.MAX_SUMMARY:
        form.add_error("summary", f"Summary must be {evidence.MAX_SUMMARY} characters or fewer")

    form.values["category"] = data.get("category", "")
    if form.values["category"] not in {c["slug"] for c in fw.evidence_categories}:
        form.add_error("category", "Select the CQC evidence category")
    form.values["statements"] = [s for s in data.getlist("statements") if s]
    if not form.values["statements"]:
        form.add_error("statements", "Select at least one quality statement this evidence supports")
    elif any(s not in fw.slugs for s in form.values["statements"]):
        form.add_error("statements", "Select quality statements from the list")
    form.values["source_type"] = data.get("source_type", "")
    if form.values["source_type"] not in evidence.SOURCE_TYPES:
        form.add_error("source_type", "Select the type of source")

    evidence_date = _date(form, data, "evidence_date", required=True)
    review_by = _date(form, data, "review_by", required=False)
    if evidence_date and review_by and review_by < evidence_date:
        form.add_error("review_by", "The review-by date must be the same as or after the date of the evidence")

    kind = data.get("kind", "")
    form.values["kind"] = kind
    cleaned_source: dict[str, Any] = {}
    if kind == "link":
        if not form.values["link"]:
            form.add_error("link", "Enter the web address where the evidence is kept")
        else:
            try:
                cleaned_source["link"] = evidence.check_link(form.values["link"])
            except WorkspaceError:
                form.add_error("link", "Enter a web address starting with https://, for example "
                                       "https://intranet.example.gov.uk/policy")
    elif kind == "file":
        if not has_upload and not editing_file_item:
            form.add_error("file", "Select a file to upload")
    else:
        form.add_error("kind", "Select whether you are uploading a file or giving a link")

    if not form.errors:
        form.cleaned = {"title": form.values["title"], "summary": form.values["summary"],
                        "category": form.values["category"], "statements": form.values["statements"],
                        "source_type": form.values["source_type"], "owner": form.values["owner"],
                        "evidence_date": evidence_date, "review_by": review_by, **cleaned_source}
    return form


def field_for_message(message: str) -> str:
    """Which field a core error message is about (it starts by naming it)."""
    text = message.lower()
    for prefix, name in (("title", "title"), ("summary", "summary"), ("category", "category"),
                         ("source type", "source_type"), ("quality statement", "statements"),
                         ("statements", "statements"), ("owner", "owner"), ("evidence_date", "evidence_date"),
                         ("review_by", "review_by"), ("link", "link"), ("evidence needs", "kind"),
                         ("give either", "kind")):
        if text.startswith(prefix):
            return name
    return "file"
