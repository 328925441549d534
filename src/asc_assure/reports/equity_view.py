"""Equity breakdowns as people read them: worded rows, and a chart with the 95% intervals as error bars.

One place turns the numbers from ``asc_assure.measures.equity`` into text, so the CLI, the web page,
the weekly pack and the monthly report word a ratio or an interval the same way. The chart is drawn
with the pack's chart helpers (``reports.charts``): an inline SVG with its own title and description,
and the plotted figures are always in a table beside it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import altair as alt
from markupsafe import Markup

from asc_assure.domain import equity_stats as st
from asc_assure.reports import charts
from asc_assure.reports import formatting as fmt

FLAG_TAGS = {st.HIGHER: "Higher", st.LOWER: "Lower", st.NOT_DIFFERENT: "No difference", st.NOT_TESTED: "Not tested"}


def number(value: Any, unit: str | None, places: int = 1) -> str:
    """A figure in the breakdown's unit: 86.3%, 7.1 (a rate per 1,000), 19.9 days; [c] passes through."""
    if value is None:
        return "–"
    if not fmt.is_number(value):
        return str(value)
    if unit == "percent":
        return f"{value:,.{places}f}%"
    if unit == "days":
        return f"{value:,.{places}f} days"
    return f"{value:,.{places}f}"


def ratio_text(row: dict[str, Any]) -> str:
    """"1.21 (1.04 to 1.40)". Three decimals when two would hide why a group is flagged (1.00 to 1.00)."""
    r, lo, hi = row.get("ratio"), row.get("ratio_low"), row.get("ratio_high")
    if r is None:
        return "–"
    if not fmt.is_number(r):
        return str(r)
    places = 2
    if row.get("significance") in (st.HIGHER, st.LOWER) and round(lo, 2) <= 1 <= round(hi, 2):
        places = 3
    return f"{r:.{places}f} ({lo:.{places}f} to {hi:.{places}f})"


def ci_text(row: dict[str, Any], unit: str | None) -> str:
    lo, hi = row.get("ci_low"), row.get("ci_high")
    if lo is None or hi is None:
        return "–"
    if not fmt.is_number(lo):
        return str(lo)
    return f"{number(lo, unit)} to {number(hi, unit)}"


def count_text(value: Any) -> str:
    return fmt.format_count(value) or "–"


@dataclass(frozen=True)
class Row:
    key: str
    events: str
    denominator: str
    value: str
    ci: str
    ratio: str
    significance: str
    flag: str
    flag_text: str
    note: str | None
    suppressed: bool


def rows(result: dict[str, Any]) -> list[Row]:
    """Each group of a breakdown, worded (the council average first)."""
    unit = result["columns"]["unit"]
    out = []
    for i, g in enumerate([result["council"], *result["groups"]]):
        council = i == 0
        out.append(Row(
            key="Council average" if council else str(g["key"]), events=count_text(g["events"]),
            denominator=count_text(g["denominator"]), value=number(g["value"], unit), ci=ci_text(g, unit),
            ratio="1 (reference)" if council else ratio_text(g), significance=g.get("significance") or "",
            flag="" if council else FLAG_TAGS.get(g["significance"], ""),
            flag_text="" if council else g["significance_text"], note=g.get("note"),
            suppressed=bool(g.get("suppressed"))))
    return out


def summary_sentence(result: dict[str, Any]) -> str:
    """The chart's text alternative: what is compared, the council figure and which groups differ."""
    unit = result["columns"]["unit"]
    m, d = result["measure"], result["dimension"]
    council = number(result["council"]["value"], unit)
    higher = [g["key"] for g in result["groups"] if g["significance"] == st.HIGHER]
    lower = [g["key"] for g in result["groups"] if g["significance"] == st.LOWER]
    plotted = sum(1 for g in result["groups"] if fmt.is_number(g["value"]))
    text = (f"{m['title']} by {d['label'].lower()}, {result['period_text']}: {plotted} group"
            f"{'s' if plotted != 1 else ''} with 95% confidence intervals against a council average of {council}.")
    if higher:
        text += f" Significantly higher: {', '.join(higher)}."
    if lower:
        text += f" Significantly lower: {', '.join(lower)}."
    if not higher and not lower:
        text += " No group is significantly different from the council average."
    return text


@dataclass(frozen=True)
class Chart:
    chart_id: str
    title: str
    summary: str
    svg: Markup


def chart_spec(result: dict[str, Any], title: str, width: int = 520) -> dict[str, Any]:
    """Vega-Lite: one dot per group with its 95% interval as a bar, the council average as a dashed line."""
    unit = result["columns"]["unit"]
    data = [{"group": str(g["key"]), "value": g["value"], "low": g["ci_low"], "high": g["ci_high"],
             "flag": FLAG_TAGS.get(g["significance"], ""), "order": i}
            for i, g in enumerate(result["groups"]) if fmt.is_number(g["value"]) and fmt.is_number(g["ci_low"])]
    council = result["council"]["value"]
    axis_title = result["columns"]["value"]
    y = alt.Y("group:N", sort=alt.SortField("order"), title=None, axis=alt.Axis(labelLimit=360))
    x_axis = (alt.Axis(title=axis_title, labelExpr="format(datum.value, ',.0f') + '%'", tickCount=5)
              if unit == "percent" else alt.Axis(title=axis_title, format=",.1f", tickCount=5))
    x = alt.X("value:Q", axis=x_axis, scale=alt.Scale(zero=False, nice=True))
    base = alt.Chart(alt.Data(values=data))
    layers: list[alt.Chart] = [
        base.mark_rule(color=charts.LINE_COLOUR, strokeWidth=2).encode(y=y, x=alt.X("low:Q", axis=x_axis),
                                                                       x2="high:Q"),
        base.mark_point(filled=True, size=60, color=charts.TEXT_COLOUR, opacity=1).encode(
            y=y, x=x, shape=alt.Shape("flag:N", legend=alt.Legend(title="Against the council average", orient="bottom"),
                                      scale=alt.Scale(domain=list(FLAG_TAGS.values()),
                                                      range=["triangle-right", "triangle-left", "circle", "square"]))),
    ]
    if fmt.is_number(council):
        layers.append(alt.Chart(alt.Data(values=[{"council": council}])).mark_rule(
            strokeDash=[6, 4], color=charts.TEXT_COLOUR, strokeWidth=1.5).encode(x="council:Q"))
    if not data:
        layers = [alt.Chart(alt.Data(values=[{"label": "No figures to chart"}])).mark_text(
            fontSize=13, color=charts.SECONDARY_TEXT).encode(text="label:N")]
    key = "Dot: value. Bar: 95% confidence interval. Dashed line: council average."
    chart = alt.layer(*layers).properties(
        width=width, height=max(60, 26 * len(data)),
        title=alt.TitleParams(title, subtitle=key, anchor="start", fontSize=14, fontWeight="bold",
                              color=charts.TEXT_COLOUR, subtitleColor=charts.SECONDARY_TEXT, subtitleFontSize=11,
                              subtitlePadding=4, offset=10),
    ).configure(font=charts.FONT_FAMILY, background="white").configure_view(stroke=None).configure_axis(
        labelColor=charts.TEXT_COLOUR, titleColor=charts.TEXT_COLOUR, labelFontSize=11, titleFontSize=11,
        titleFontWeight="normal", gridColor=charts.GRID_COLOUR, domainColor=charts.SECONDARY_TEXT,
        tickColor=charts.SECONDARY_TEXT)
    return chart.to_dict(validate=False)


def chart(result: dict[str, Any], chart_id: str | None = None, width: int = 520) -> Chart:
    """The breakdown drawn as an accessible inline SVG (title, description and image role)."""
    m, d = result["measure"], result["dimension"]
    cid = chart_id or "equity-" + re.sub(r"[^a-z0-9]+", "-", f"{m['id']}-{d['id']}".lower()).strip("-")
    title = f"{m['title']} by {d['label'].lower()}"
    summary = summary_sentence(result)
    svg = charts.svg_from_spec(chart_spec(result, title, width))
    return Chart(cid, title, summary, charts.accessible_svg(svg, cid, title, summary))


def flag_rows(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """The equity summary's flagged groups, worded for the pack and the monthly report."""
    out = []
    for f in summary.get("flags") or []:
        unit = f["unit"]
        label = f.get("value_label") or ""
        measure = f"{f['measure']} ({label[:1].lower()}{label[1:]})" if f["kind"] == "rate" else f["measure"]
        out.append({"measure": measure, "dimension": f["dimension"], "group": f["key"],
                    "value": number(f["value"], unit), "ci": ci_text(f, unit),
                    "council": number(f["council_value"], unit), "ratio": ratio_text(f),
                    "flag": FLAG_TAGS.get(f["significance"], ""), "flag_text": f["significance_text"],
                    "period_text": f["period_text"]})
    return out


COMPLETENESS_GROUP = "Data completeness"


def completeness_rows(measures: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The data completeness measures already computed for a pack or report, worded for a short table."""
    out = []
    for m in measures or []:
        if m.get("group") != COMPLETENESS_GROUP:
            continue
        out.append({"id": m["id"], "title": m["title"],
                    "value": fmt.format_value(m.get("value"), m.get("unit")) or m.get("reason") or "No data",
                    "target": fmt.format_value(m.get("target"), m.get("unit")) or "No target",
                    "rag": m.get("rag"), "rag_text": fmt.rag_label(m.get("rag"))})
    return out


def section(equity: dict[str, Any] | None, measures: list[dict[str, Any]] | None = None) -> dict[str, Any] | None:
    """What the pack's and the monthly report's Equity section shows; None when the data has no equity part.

    ``equity`` is :func:`asc_assure.measures.equity.summary`'s output; ``measures`` the measure results the
    document already holds (the data completeness ones are repeated here beside the flags).
    """
    if equity is None:
        return None
    return {"as_of_text": fmt.format_date(equity.get("as_of")), "flags": flag_rows(equity),
            "skipped": list(equity.get("skipped") or []), "measures": len(equity.get("measures") or []),
            "dimensions": ", ".join(d.lower() for d in equity.get("dimensions") or []),
            "completeness": completeness_rows(measures or []), "public": bool(equity.get("public")),
            "note": equity.get("note")}


def report_section(store_dir: Any, as_of: Any, public: bool = False) -> dict[str, Any]:
    """The monthly report's Equity section: the equity summary and this month's data completeness."""
    from asc_assure.measures.engine import run_measures
    from asc_assure.measures.equity import summary
    from asc_assure.measures.registry import load_registry

    ids = [m.id for m in load_registry().values() if m.group == COMPLETENESS_GROUP]
    measures = run_measures(store_dir, as_of, "month", ids=ids, trend_points=1, public=public) if ids else []
    return section(summary(store_dir, as_of, public=public), measures) or {}
