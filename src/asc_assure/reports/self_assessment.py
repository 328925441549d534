"""Self-assessment exports: one theme or the whole document, and the executive summary, as Word or PDF.

* Word is built with python-docx from the shared blocks in ``asc_assure.reports.word`` (real headings,
  bullet lists and tables with header rows), because councils edit and circulate Word.
* PDF is rendered from HTML (a Jinja2 template) by ``asc_assure.reports.pdf.html_to_pdf``: tagged,
  A4, with the shipped font.
* Content is the section's newest version by default (or its newest approved version with
  ``which="approved"``). Anything not approved is marked DRAFT, with its version number and status,
  at the top of the document and on every page.
* Key statistics are resolved from the store when the export is made
  (``asc_assure.assurance.key_statistics``). Only aggregate measures appear: no person-level data.
  ``public=True`` suppresses small numbers for documents that leave the council.
* The executive summary must fit on four A4 pages (the council's own is "an accessible four-page
  insight"). It is rendered, its pages counted, and if it is too long it is cut down step by step in a
  fixed order; the document then says exactly what was left out.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from asc_assure.assurance import key_statistics as ks
from asc_assure.assurance import scores as sc
from asc_assure.assurance import self_assessment as sa
from asc_assure.assurance.workspace import Workspace, WorkspaceError
from asc_assure.reports import formatting as fmt
from asc_assure.reports import word

FORMATS = ("docx", "pdf")
SUMMARY_MAX_PAGES = 4
NO_APPROVED = "No approved version yet"
NO_PERSON_LEVEL = "This document contains aggregate figures only: no information about individual people."


@dataclass(frozen=True)
class SectionView:
    """One section as exported: its version and status, its content and its resolved key statistics."""

    slug: str
    title: str
    version: int | None
    status: str | None
    status_text: str
    created_at: str | None
    created_by: str | None
    decided_by: str | None
    content: dict[str, Any]
    statistics: tuple[dict[str, Any], ...] = ()
    omitted: str | None = None  # why the section has no content (e.g. never approved)

    @property
    def is_draft(self) -> bool:
        """Unapproved content, or a section not written at all. In an approved-only export a section
        with no approved version is left out (and says so) rather than shown as a draft."""
        if self.version is None:
            return self.omitted != NO_APPROVED
        return self.status != sa.APPROVED

    @property
    def version_line(self) -> str:
        if self.version is None:
            return self.omitted or "Not written yet"
        who = f", approved by {self.decided_by}" if self.status == sa.APPROVED and self.decided_by else ""
        return (f"Version {self.version} ({self.status_text}{who}), saved {fmt.format_date(self.created_at)} "
                f"by {self.created_by}")


@dataclass(frozen=True)
class Trim:
    """How much of each list the executive summary keeps (None = all)."""

    items: int | None = None
    statistics: int | None = None
    overview_paragraphs: int | None = None
    text_chars: int | None = None
    rationale: bool = True


SUMMARY_TRIMS = (
    Trim(),
    Trim(items=4, statistics=6, overview_paragraphs=2),
    Trim(items=3, statistics=4, overview_paragraphs=1, text_chars=600),
    Trim(items=2, statistics=3, overview_paragraphs=1, text_chars=300, rationale=False),
    Trim(items=1, statistics=2, overview_paragraphs=1, text_chars=160, rationale=False),
)


@dataclass(frozen=True)
class DocumentView:
    kind: str  # "theme", "document" or "summary"
    title: str
    council: str
    generated_on: str
    as_of_text: str
    public: bool
    which: str
    sections: tuple[SectionView, ...]
    comparison: dict[str, Any] | None = None
    trimmed: tuple[str, ...] = field(default_factory=tuple)

    @property
    def is_draft(self) -> bool:
        return any(s.is_draft for s in self.sections)

    @property
    def draft_text(self) -> str:
        """What the DRAFT mark says: which sections are not approved, with their version and status."""
        parts = [f"{s.title}: " + (f"version {s.version}, {s.status_text.lower()}" if s.version else "not written")
                 for s in self.sections if s.is_draft]
        return "DRAFT – not approved. " + "; ".join(parts)


def council_name(store_dir: Path | str | None) -> str:
    from asc_assure.data.store import Store, StoreError

    if store_dir is None:
        return "The council"
    try:
        return str(Store(store_dir).meta.get("council") or "The council")
    except (StoreError, OSError, ValueError):
        return "The council"


def _section_view(ws: Workspace, section: str, which: str) -> SectionView:
    title = sa.section_title(section)
    if which == "approved":
        ver = sa.latest_approved(ws, section)
        omitted = NO_APPROVED if ver is None else None
    elif which == "latest":
        ver = sa.latest(ws, section)
        omitted = "Not written yet" if ver is None else None
    else:
        raise WorkspaceError(f"which must be 'latest' or 'approved', not {which!r}")
    if ver is None:
        return SectionView(section, title, None, None, "Not approved" if which == "approved" else "Not started",
                           None, None, None, sa.empty_content(section), omitted=omitted)
    return SectionView(section, title, ver["version"], ver["status"], ver["status_text"], ver["created_at"],
                       ver["created_by"], ver["decided_by"], ver["content"])


def _resolve(sections: list[SectionView], store_dir: Path | str | None, as_of: dt.date | None,
             public: bool) -> list[SectionView]:
    known = ks.registry()
    out = []
    for s in sections:
        links = s.content.get("key_statistics") or []
        stats = ks.resolve(store_dir, links, as_of, public=public, known=known) if links else []
        out.append(replace(s, statistics=tuple(stats)))
    return out


def build_document(ws: Workspace, store_dir: Path | str | None, today: dt.date, section: str | None = None,
                   which: str = "latest", public: bool = False, as_of: dt.date | None = None) -> DocumentView:
    """One theme (``section``) or the whole self-assessment (overview and the four themes)."""
    slugs = [sa.check_section(section)] if section else [s["slug"] for s in sa.sections()]
    as_of = as_of or ks.default_as_of(store_dir, today)
    views = _resolve([_section_view(ws, s, which) for s in slugs], store_dir, as_of, public)
    council = council_name(store_dir)
    title = (f"Adult social care self-assessment: {views[0].title}" if section
             else "Adult social care self-assessment")
    return DocumentView(kind="theme" if section else "document", title=title, council=council,
                        generated_on=fmt.format_date(today), as_of_text=_as_of_text(views, as_of),
                        public=public, which=which, sections=tuple(views))


def _as_of_text(views: list[SectionView], as_of: dt.date | None) -> str:
    dates = sorted({s["as_of"] for v in views for s in v.statistics if s.get("as_of")})
    if dates:
        return fmt.format_date(dates[-1])
    return fmt.format_date(as_of.isoformat()) if as_of else "no data loaded yet"


# -- executive summary -----------------------------------------------------------------------------
def _cut(text: str, limit: int | None) -> str:
    if limit is None or len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:.")
    return cut + " …"


def _trim_summary(doc: DocumentView, trim: Trim) -> DocumentView:
    """The summary cut down to ``trim``, with a note of everything that was left out."""
    if trim == Trim():
        return doc
    notes: list[str] = []
    sections = []
    shortened = 0
    for s in doc.sections:
        c = dict(s.content)
        if s.slug == sa.OVERVIEW:
            paras = [p for p in (c.get("text") or "").split("\n\n") if p.strip()]
            keep = paras[: trim.overview_paragraphs] if trim.overview_paragraphs else paras
            if len(keep) < len(paras):
                notes.append(f"Overview: {len(paras) - len(keep)} of {len(paras)} paragraphs left out.")
            text = "\n\n".join(_cut(p, trim.text_chars) for p in keep)
            shortened += text != "\n\n".join(keep)
            c["text"] = text
            sections.append(replace(s, content=c))
            continue
        left = []
        for name, label in (("strengths", "strengths"), ("areas_for_improvement", "areas for improvement")):
            items = list(c.get(name) or [])
            kept = items[: trim.items] if trim.items is not None else items
            if len(kept) < len(items):
                left.append(f"{len(items) - len(kept)} of {len(items)} {label}")
            cut = [_cut(i, trim.text_chars) for i in kept]
            shortened += cut != kept
            c[name] = cut
        ambition = _cut(c.get("ambition") or "", trim.text_chars)
        shortened += ambition != (c.get("ambition") or "")
        c["ambition"] = ambition
        stats = list(s.statistics)
        kept_stats = stats[: trim.statistics] if trim.statistics is not None else stats
        if len(kept_stats) < len(stats):
            left.append(f"{len(stats) - len(kept_stats)} of {len(stats)} key statistics")
        if left:
            notes.append(f"{s.title}: " + ", ".join(left) + " left out (the first ones listed are kept).")
        sections.append(replace(s, content=c, statistics=tuple(kept_stats)))
    if shortened:
        notes.append(f"Long passages were shortened to about {trim.text_chars} characters (marked …).")
    comparison = doc.comparison
    if comparison and not trim.rationale:
        comparison = {**comparison, "statements": [{**r, "rationale": None} for r in comparison["statements"]]}
        notes.append("The rationale for each self-assessed score was left out.")
    return replace(doc, sections=tuple(sections), comparison=comparison, trimmed=tuple(notes))


def build_summary(ws: Workspace, store_dir: Path | str | None, today: dt.date, which: str = "latest",
                  public: bool = False, as_of: dt.date | None = None) -> DocumentView:
    """The whole document's executive summary before any trimming: no narrative, plus the scores."""
    doc = build_document(ws, store_dir, today, which=which, public=public, as_of=as_of)
    sections = tuple(replace(s, content={**s.content, "narrative": []}) if s.slug != sa.OVERVIEW else s
                     for s in doc.sections)
    comp = sc.comparison(ws)
    has_scores = comp["self"] is not None or comp["cqc"] is not None
    return replace(doc, kind="summary", title="Adult social care self-assessment: executive summary",
                   sections=sections, comparison=comp if has_scores else None)


def fit_summary(doc: DocumentView, max_pages: int = SUMMARY_MAX_PAGES) -> tuple[DocumentView, bytes]:
    """The least-trimmed summary whose PDF has at most ``max_pages`` pages, and that PDF."""
    last: tuple[DocumentView, bytes] | None = None
    for trim in SUMMARY_TRIMS:
        candidate = _trim_summary(doc, trim)
        pdf = render_pdf(candidate)
        if page_count(pdf) <= max_pages:
            return candidate, pdf
        last = (candidate, pdf)
    assert last is not None
    raise WorkspaceError(f"the executive summary is still {page_count(last[1])} pages after every trimming step; "
                         f"shorten the overview or the themes' text")


def page_count(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


# -- PDF -------------------------------------------------------------------------------------------
@cache
def _environment() -> Environment:
    env = Environment(loader=PackageLoader("asc_assure.reports", "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["date"] = fmt.format_date
    return env


def _paragraphs(text: str | None) -> list[str]:
    return [" ".join(p.split()) for p in (text or "").replace("\r\n", "\n").split("\n\n") if p.strip()]


def render_html(doc: DocumentView) -> str:
    return _environment().get_template("self_assessment/document.html.j2").render(
        doc=doc, groups=ks.GROUPS, paragraphs=_paragraphs, by_group=ks.by_group, overview=sa.OVERVIEW,
        no_person_level=NO_PERSON_LEVEL, titles=sa.FIELD_TITLES)


def render_pdf(doc: DocumentView) -> bytes:
    from asc_assure.reports.pdf import html_to_pdf

    return html_to_pdf(render_html(doc))


# -- Word ------------------------------------------------------------------------------------------
def _draft_header(document: Any, doc: DocumentView) -> None:
    """DRAFT on every page (in the header) and in full under the title."""
    if not doc.is_draft:
        return
    header = document.sections[0].header.paragraphs[0]
    header.text = "DRAFT – not approved"
    para = document.add_paragraph()
    para.add_run(doc.draft_text).bold = True


def _statistics_table(document: Any, stats: tuple[dict[str, Any], ...]) -> None:
    if not stats:
        document.add_paragraph("No key statistics chosen yet.").italic = True
        return
    body = []
    for group in ks.GROUPS:
        for s in (x for x in stats if x["group"] == group):
            body.append([group, s["label"], s["value_text"] if s["has_value"] else f"{ks.NO_DATA}: {s['reason']}",
                         s["as_of_text"], s["rag_text"] if s["has_value"] else "",
                         f"{s['measure_title']} ({s['measure_id']}); {s['source_title']}"])
    word.table(document, ["Group", "Statistic", "Figure", "As at", "RAG", "Source"], body)


def _word_section(document: Any, s: SectionView, summary: bool) -> None:
    word.heading(document, s.title, 1)
    document.add_paragraph(s.version_line).italic = True
    if s.version is None:
        return
    if s.slug == sa.OVERVIEW:
        word.paragraphs(document, s.content.get("text"), empty="No overview written yet.")
        return
    word.heading(document, sa.FIELD_TITLES["ambition"], 2)
    word.paragraphs(document, s.content.get("ambition"), empty="Not written yet.")
    for name in ("strengths", "areas_for_improvement"):
        word.heading(document, sa.FIELD_TITLES[name], 2)
        if s.content.get(name):
            word.bullets(document, s.content[name])
        else:
            document.add_paragraph("None listed yet.").italic = True
    word.heading(document, sa.FIELD_TITLES["key_statistics"], 2)
    _statistics_table(document, s.statistics)
    if not summary:
        for sec in s.content.get("narrative") or []:
            word.heading(document, sec["heading"], 2)
            word.paragraphs(document, sec["text"])


def _word_scores(document: Any, comp: Mapping[str, Any]) -> None:
    word.heading(document, "Quality statement scores", 1)
    for key, label in (("self", "Our self-assessment"), ("cqc", "CQC")):
        o = comp.get(key)
        if o:
            document.add_paragraph(f"{label}: {o['total']} of {o['max']} ({o['percent']}%), {o['rating']}"
                                   + ("" if o["complete"] else f" over {o['statements_scored']} statements scored"))
    a = comp.get("assessment")
    if a:
        document.add_paragraph(f"CQC scores from the assessment of {fmt.format_date(a['assessed_on'])}"
                               + (f", report published {fmt.format_date(a['report_date'])}" if a["report_date"]
                                  else ""))
    body = [[r["title"], r["self_score"] or "not scored", r["cqc_score"] or "not scored",
             r["agreement"] or "", r["rationale"] or ""] for r in comp["statements"]]
    word.table(document, ["Quality statement", "Our score", "CQC score", "Difference", "Our rationale"], body)


def render_docx(doc: DocumentView, out: Path) -> Path:
    document = word.new_document(doc.title, author=doc.council, subject="CQC local authority assurance")
    document.add_paragraph(f"{doc.council}. Produced {doc.generated_on}; key statistics as at {doc.as_of_text}."
                           + (" Public version: small numbers are suppressed." if doc.public else ""))
    _draft_header(document, doc)
    for s in doc.sections:
        _word_section(document, s, summary=doc.kind == "summary")
    if doc.comparison:
        _word_scores(document, doc.comparison)
    if doc.trimmed:
        word.heading(document, "What this summary leaves out", 1)
        document.add_paragraph(f"To keep this summary to {SUMMARY_MAX_PAGES} pages, some content was left out. "
                               "The full self-assessment has everything.")
        word.bullets(document, doc.trimmed)
    document.add_paragraph(NO_PERSON_LEVEL)
    return word.save(document, out)


# -- entry points ----------------------------------------------------------------------------------
def _check_format(out: Path, fmt_name: str | None) -> str:
    chosen = (fmt_name or Path(out).suffix.lstrip(".")).lower()
    if chosen not in FORMATS:
        raise WorkspaceError(f"format must be docx or pdf, not {chosen or 'nothing'!r}")
    return chosen


def _write_bytes(out: Path, data: bytes) -> Path:
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(out)
    return out


def write_document(doc: DocumentView, out: Path, fmt_name: str | None = None) -> Path:
    if _check_format(out, fmt_name) == "pdf":
        return _write_bytes(out, render_pdf(doc))
    return render_docx(doc, Path(out))


def export(ws: Workspace, store_dir: Path | str | None, out: Path, today: dt.date, section: str | None = None,
           fmt_name: str | None = None, which: str = "latest", public: bool = False) -> Path:
    """Write one theme (or the whole self-assessment) as .docx or .pdf."""
    _check_format(out, fmt_name)
    return write_document(build_document(ws, store_dir, today, section, which, public), out, fmt_name)


def export_summary(ws: Workspace, store_dir: Path | str | None, out: Path, today: dt.date,
                   fmt_name: str | None = None, which: str = "latest", public: bool = False) -> DocumentView:
    """Write the executive summary (at most four pages; see ``fit_summary``) and return what was written."""
    chosen = _check_format(out, fmt_name)
    doc, pdf = fit_summary(build_summary(ws, store_dir, today, which, public))
    if chosen == "pdf":
        _write_bytes(out, pdf)
    else:
        render_docx(doc, Path(out))
    return doc
