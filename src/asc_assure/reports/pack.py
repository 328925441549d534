"""The weekly performance pack: the measures engine's output, as HTML or PDF for the DASS.

``render_html(data)`` turns the pack dict (the contract with the measures engine, documented in
docs/weekly-pack.md) into one self-contained HTML page; ``write_pack(data, out)`` writes it as
``.html`` or, through WeasyPrint, as a tagged A4 ``.pdf``.

The pack only presents: every number, RAG rating, exception flag and suppression decision arrives
already made, so the pack can never disagree with the measures engine. What it adds is wording
(units, direction words, reasons instead of blanks), order (exceptions first) and accessibility
(headings, captioned tables, text alternatives for every chart).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from asc_assure.reports import formatting as fmt
from asc_assure.reports.charts import TrendChart, trend_chart

# How many of the latest points the chart in "Exceptions" shows: a quarter of weeks, so the chart
# and its table fit side by side; the measure's own section has the full trend.
RECENT_POINTS = 13

BREAKDOWN_LABELS = {"team": "Team", "locality": "Locality", "priority": "Priority", "role": "Role",
                    "team_role": "Team and role"}
KIND_WORDS = {"dols": "DoLS", "cld": "CLD", "s42": "Section 42"}


@dataclass(frozen=True)
class BreakdownRow:
    key: str
    value_text: str
    numerator_text: str
    denominator_text: str
    rag: str | None
    rag_text: str


@dataclass(frozen=True)
class Breakdown:
    name: str
    label: str
    rows: tuple[BreakdownRow, ...]
    show_numerator: bool
    show_denominator: bool
    position: str = "wide"

    @property
    def wide(self) -> bool:
        """Tables with count columns need the full width, or long team names wrap badly."""
        return self.show_numerator or self.show_denominator


@dataclass
class MeasureView:
    """Everything the templates show for one measure, already worded."""

    id: str
    anchor: str
    title: str
    group: str
    definition: str
    unit: str | None
    value_text: str | None
    reason: str
    numerator_text: str | None
    denominator_text: str | None
    rag: str | None
    rag_text: str
    target_text: str
    previous_text: str
    change_text: str
    change_short: str
    direction: str | None
    last_year_text: str
    last_year_change_text: str
    exception: bool
    exception_reason: str | None
    suppressed: bool
    breakdowns: list[Breakdown] = field(default_factory=list)
    chart: TrendChart | None = None
    recent_chart: TrendChart | None = None

    @property
    def has_value(self) -> bool:
        return self.value_text is not None


@dataclass(frozen=True)
class Group:
    name: str
    anchor: str
    measures: list[MeasureView]


def _anchor(prefix: str, text: str) -> str:
    """A stable, valid HTML id from a measure id or group name."""
    return f"{prefix}-" + (re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-").lower() or "x")


def _kind_label(kind: object) -> str:
    words = [KIND_WORDS.get(w.lower(), w) for w in str(kind or "unknown").replace("-", "_").split("_") if w]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def _count_or_dash(value: object) -> str:
    return fmt.format_count(value) if value is not None else "–"


def _numerator_adds_something(rows: list[dict[str, Any]]) -> bool:
    """A numerator column is shown unless it is empty or merely repeats the value (as for counts)."""
    return any(r.get("numerator") is not None and r.get("numerator") != r.get("value") for r in rows)


def _breakdowns(raw: dict[str, Any] | None, unit: str | None) -> list[Breakdown]:
    """Breakdown tables: wide ones (with counts) first, then narrow ones in left/right pairs."""
    result: list[Breakdown] = []
    for name, rows in (raw or {}).items():
        if not rows:
            continue
        shown = tuple(BreakdownRow(
            key=str(r.get("key", "")),
            value_text=fmt.format_value(r.get("value"), unit) or "No data",
            numerator_text=_count_or_dash(r.get("numerator")),
            denominator_text=_count_or_dash(r.get("denominator")),
            rag=r.get("rag"),
            rag_text=fmt.rag_label(r.get("rag")),
        ) for r in rows)
        result.append(Breakdown(name=name, label=BREAKDOWN_LABELS.get(name, name.replace("_", " ").capitalize()),
                                rows=shown, show_numerator=_numerator_adds_something(rows),
                                show_denominator=any(r.get("denominator") is not None for r in rows)))
    wide = [b for b in result if b.wide]
    narrow = [b for b in result if not b.wide]
    return wide + [replace(b, position="left" if i % 2 == 0 else "right") for i, b in enumerate(narrow)]


def measure_view(m: dict[str, Any], period: str) -> MeasureView:
    """Word one measure. A null value shows its reason, never 0."""
    unit = m.get("unit")
    mid = str(m.get("id") or m.get("title") or "measure")
    title = str(m.get("title") or mid)
    previous_label = f"previous {period}"
    value_text = fmt.format_value(m.get("value"), unit)
    target_text = fmt.format_value(m.get("target"), unit) or "No target"
    last_year_text = fmt.format_value(m.get("last_year"), unit) or "Not available"
    view = MeasureView(
        id=mid,
        anchor=_anchor("m", mid),
        title=title,
        group=str(m.get("group") or "Other measures"),
        definition=str(m.get("definition") or ""),
        unit=unit,
        value_text=value_text,
        reason=str(m.get("reason") or "No data for this period"),
        numerator_text=fmt.format_count(m.get("numerator")),
        denominator_text=fmt.format_count(m.get("denominator")),
        rag=m.get("rag"),
        rag_text=fmt.rag_label(m.get("rag")),
        target_text=target_text,
        previous_text=fmt.format_value(m.get("previous"), unit) or "Not available",
        change_text=fmt.change_text(m.get("change_pct"), m.get("direction"), previous_label),
        change_short=fmt.change_text(m.get("change_pct"), m.get("direction")),
        direction=m.get("direction"),
        last_year_text=last_year_text,
        last_year_change_text=(fmt.change_text(m.get("change_vs_last_year_pct"), None).lower()
                               if fmt.is_number(m.get("change_vs_last_year_pct")) else ""),
        exception=bool(m.get("exception")),
        exception_reason=m.get("exception_reason"),
        suppressed=bool(m.get("suppressed")),
        breakdowns=_breakdowns(m.get("breakdowns"), unit),
    )
    trend = list(m.get("trend") or [])
    if trend:
        view.chart = trend_chart(f"chart-{view.anchor[2:]}", f"{title}: {fmt.period_adjective(period)} trend",
                                 trend, unit, period)
        if view.exception:
            recent = trend[-RECENT_POINTS:]
            view.recent_chart = trend_chart(f"chart-exc-{view.anchor[2:]}", f"{title}: last {len(recent)} {period}s",
                                            recent, unit, period, width=330, height=150, short_span=True)
    return view


def _groups(measures: Iterable[MeasureView]) -> list[Group]:
    """Groups in the order the measures engine lists them (its order is the council's order)."""
    order: dict[str, list[MeasureView]] = {}
    for m in measures:
        order.setdefault(m.group, []).append(m)
    return [Group(name=g, anchor=_anchor("group", g), measures=ms) for g, ms in order.items()]


def _contains_suppressed(data: Any) -> bool:
    if isinstance(data, dict):
        return any(_contains_suppressed(v) for v in data.values())
    if isinstance(data, list):
        return any(_contains_suppressed(v) for v in data)
    return data == fmt.SUPPRESSED


def build_context(data: dict[str, Any]) -> dict[str, Any]:
    """The template's view of the pack: formatted text, ordered sections, rendered charts."""
    period = str(data.get("period") or "week")
    measures = [measure_view(m, period) for m in data.get("measures") or []]
    by_id = {m.id: m for m in measures}
    headline = [by_id.get(str(i)) or str(i) for i in data.get("headline") or []]
    exceptions = sorted((m for m in measures if m.exception), key=lambda m: 0 if m.rag == "red" else 1)
    dq = data.get("data_quality") or {}
    loads = [{
        "kind": _kind_label(load.get("kind")),
        "source_file": str(load.get("source_file") or "–"),
        "as_of": fmt.format_date(load.get("as_of"), short=True),
        "rows_read": _count_or_dash(load.get("rows_read")),
        "rows_loaded": _count_or_dash(load.get("rows_loaded")),
        "rows_quarantined": _count_or_dash(load.get("rows_quarantined")),
        "loaded_at": fmt.format_datetime(load.get("loaded_at"), short=True) if load.get("loaded_at") else "–",
    } for load in dq.get("loads") or []]
    late = [{
        "kind": _kind_label(x.get("kind")),
        "latest_as_of": fmt.format_date(x.get("latest_as_of"), short=True),
        "days_late": _count_or_dash(x.get("days_late")),
    } for x in dq.get("late_extracts") or []]
    public = bool(data.get("public"))
    council = str(data.get("council") or "Council")
    adjective = fmt.period_adjective(period) if period in fmt.PERIOD_ADJECTIVES else "weekly"
    pack_title = f"{adjective.capitalize()} performance pack"
    as_of = fmt.format_date(data.get("as_of"))
    return {
        "council": council,
        "pack_title": pack_title,
        "doc_title": f"{council}: {pack_title}, data as at {as_of}" + (" (public version)" if public else ""),
        "as_of": as_of,
        "as_of_iso": str(data.get("as_of") or ""),
        "period": period,
        "period_text": f"{fmt.format_date(data.get('period_start'))} to {fmt.format_date(data.get('period_end'))}"
        if data.get("period_start") and data.get("period_end") else period,
        "generated_at": fmt.format_datetime(data.get("generated_at")),
        "generated_at_iso": str(data.get("generated_at") or ""),
        "public": public,
        "show_suppressed_note": public or _contains_suppressed(data.get("measures")),
        "suppressed_note": fmt.SUPPRESSED_NOTE,
        "headline": headline,
        "measures": measures,
        "exceptions": exceptions,
        "groups": _groups(measures),
        "loads": loads,
        "late_extracts": late,
        "notes": [str(n) for n in dq.get("notes") or []],
        "workforce": _workforce_section(data),
        "equity": _equity_section(data),
    }


def _workforce_section(data: dict[str, Any]) -> dict[str, Any] | None:
    """The workforce tables by team and caseloads against ceiling, when the pack holds the workforce measures."""
    from asc_assure.measures.workforce import pack_section

    return pack_section(data)


def _equity_section(data: dict[str, Any]) -> dict[str, Any] | None:
    """The Equity section (significant differences and data completeness) when the pack data has one."""
    from asc_assure.reports.equity_view import section

    return section(data.get("equity"), data.get("measures"))


@cache
def _environment() -> Environment:
    """One template environment per process (templates are compiled once)."""
    env = Environment(
        loader=PackageLoader("asc_assure.reports", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


def render_html(data: dict[str, Any]) -> str:
    """The pack as one self-contained HTML page: inline CSS and SVG, nothing fetched."""
    return _environment().get_template("pack.html.j2").render(**build_context(data))


def write_pack(data: dict[str, Any], out: Path) -> Path:
    """Write the pack to ``out``; ``.html`` or ``.pdf`` chooses the format. Returns ``out``.

    The file is written aside and renamed into place, so a failed render never leaves a
    half-written pack where last week's good one was.
    """
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in (".html", ".htm", ".pdf"):
        raise ValueError(f"the pack is written as .html or .pdf, not {out.suffix or 'a file with no extension'!r}")
    html = render_html(data)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.partial")
    try:
        if suffix == ".pdf":
            from asc_assure.reports.pdf import html_to_pdf  # WeasyPrint loads system libraries: only when asked

            tmp.write_bytes(html_to_pdf(html))
        else:
            tmp.write_text(html, encoding="utf-8")
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
    return out
