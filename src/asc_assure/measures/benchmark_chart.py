"""The funnel chart of a benchmark: Altair spec rendered offline to an accessible SVG.

Every council is a point at (denominator, value); the England value is the centre line and the 95% and
99.8% control limits fan out from it. The council being benchmarked is a labelled black diamond, its
peers are squares, the rest grey circles, so nothing is told by colour alone. The SVG carries a title
and a one-sentence description (``reports.charts.accessible_svg``), and the figures plotted are
returned as table rows for the page or file that shows the chart.
"""

from __future__ import annotations

import csv
import io
import math
from typing import Any

import altair as alt

from asc_assure.measures.benchmark import Benchmark
from asc_assure.reports.charts import (
    FONT_FAMILY,
    GRID_COLOUR,
    LINE_COLOUR,
    SECONDARY_TEXT,
    TEXT_COLOUR,
    accessible_svg,
    svg_from_spec,
)

GRID_POINTS = 120


def _fmt(value: float | None, bm: Benchmark) -> str:
    if value is None or math.isnan(value) or math.isinf(value):
        return "-"
    return f"{value:,.1f}{bm.unit}"


def summary(bm: Benchmark) -> str:
    """The chart's text alternative: where the council sits and how many councils fall outside."""
    what = f"{bm.measure}{f' ({bm.group})' if bm.group else ''}"
    point = bm.council_point()
    if point is None:
        me = f"{bm.council.name} has no value"
    else:
        me = (f"{bm.council.name} {_fmt(point.outcome, bm)} on a denominator of {point.denominator:,.0f}, "
              f"{point.band} ({bm.verdict(point)})")
    above = sum(1 for p in bm.outside("99.8%") if p.band.startswith("above"))
    below = len(bm.outside("99.8%")) - above
    return (f"Funnel plot of {what} for {len(bm.funnel)} councils around the England value of "
            f"{_fmt(bm.england_value, bm)}: {me}; {above} councils above and {below} below the 99.8% limits.")


def table_rows(bm: Benchmark) -> list[dict[str, Any]]:
    """The figures behind the chart, one row per council, best first."""
    sign = -1 if bm.polarity == "lower" else 1
    pts = sorted(bm.funnel, key=lambda p: (-(sign * (p.outcome or 0.0)), p.la_code))
    return [{"la_code": p.la_code, "name": p.name, "peer": p.peer, "numerator": p.numerator,
             "denominator": p.denominator, "outcome": p.outcome, "lower_998": round(p.lower_998, 3),
             "lower_95": round(p.lower_95, 3), "upper_95": round(p.upper_95, 3),
             "upper_998": round(p.upper_998, 3), "band": p.band} for p in pts]


def table_csv(bm: Benchmark) -> str:
    rows = table_rows(bm)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]) if rows else ["la_code"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def _limit_rows(bm: Benchmark) -> list[dict[str, Any]]:
    """Limits on a geometric grid of denominators, so the funnel is drawn smoothly across the plot."""
    from asc_assure.measures.benchmark import SCALE, poisson_limits, proportion_limits

    dens = [p.denominator for p in bm.funnel if p.denominator > 0]
    if not dens or bm.england_value is None:
        return []
    lo, hi = min(dens) * 0.9, max(dens) * 1.05
    p0 = bm.england_value / SCALE[bm.kind]
    rows = []
    for i in range(GRID_POINTS):
        n = lo * (hi / lo) ** (i / (GRID_POINTS - 1))
        row: dict[str, Any] = {"denominator": n, "centre": bm.england_value}
        for level, key in (("95%", "95"), ("99.8%", "998")):
            low, high = (proportion_limits(p0, n, level) if bm.kind == "proportion" else poisson_limits(p0, n, level))
            row[f"lower_{key}"], row[f"upper_{key}"] = low * SCALE[bm.kind], high * SCALE[bm.kind]
        rows.append(row)
    return rows


def funnel_spec(bm: Benchmark, *, width: int = 560, height: int = 320) -> dict[str, Any]:
    """Vega-Lite spec of the funnel plot."""
    den_title = "Population (denominator)" if bm.kind == "rate" else "Denominator"
    y_title = "Per 100,000" if bm.kind == "rate" else "Per cent"
    x = alt.X("denominator:Q", title=den_title, scale=alt.Scale(type="log", nice=False),
              axis=alt.Axis(format="~s", grid=False))
    points = [{"denominator": p.denominator, "value": p.position, "name": p.name,
               "role": "council" if p.la_code == bm.council.la_code else ("peer" if p.peer else "other"),
               "label": p.name if p.la_code == bm.council.la_code else None} for p in bm.funnel]
    limits = _limit_rows(bm)
    layers: list[alt.Chart] = []
    line = alt.Chart(alt.Data(values=limits))
    for key, dash, width_ in (("998", [], 1.5), ("95", [5, 4], 1.2)):
        for side in ("lower", "upper"):
            layers.append(line.mark_line(color=SECONDARY_TEXT, strokeDash=dash, strokeWidth=width_)
                          .encode(x=x, y=alt.Y(f"{side}_{key}:Q", title=y_title)))
    layers.append(line.mark_line(color=TEXT_COLOUR, strokeWidth=1.5).encode(x=x, y=alt.Y("centre:Q", title=y_title)))
    data = alt.Chart(alt.Data(values=points))
    y = alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=False, nice=True))
    layers.append(data.mark_point(shape="circle", size=30, color="#b1b4b6", filled=True, opacity=0.9)
                  .encode(x=x, y=y).transform_filter("datum.role == 'other'"))
    layers.append(data.mark_point(shape="square", size=55, color=LINE_COLOUR, filled=True)
                  .encode(x=x, y=y).transform_filter("datum.role == 'peer'"))
    layers.append(data.mark_point(shape="diamond", size=120, color=TEXT_COLOUR, filled=True)
                  .encode(x=x, y=y).transform_filter("datum.role == 'council'"))
    layers.append(data.mark_text(align="left", dx=9, dy=-8, fontWeight="bold", fontSize=12, color=TEXT_COLOUR)
                  .encode(x=x, y=y, text="label:N").transform_filter("datum.role == 'council'"))
    key = ["Solid black line: England value. Dashed lines: 95% limits. Solid grey lines: 99.8% limits.",
           f"Diamond: {bm.council.name}." + (" Squares: peer councils." if bm.peers else "")
           + " Circles: other councils."]
    title = f"{bm.measure}{f' ({bm.group})' if bm.group else ''}: funnel plot against England"
    chart = alt.layer(*layers).resolve_scale(y="shared").properties(
        width=width, height=height,
        title=alt.TitleParams(title, subtitle=key, anchor="start", fontSize=14, fontWeight="bold",
                              color=TEXT_COLOUR, subtitleColor=SECONDARY_TEXT, subtitleFontSize=11, offset=10),
    ).configure(font=FONT_FAMILY, background="white").configure_view(stroke=None).configure_axis(
        labelColor=TEXT_COLOUR, titleColor=TEXT_COLOUR, labelFontSize=11, titleFontSize=11,
        titleFontWeight="normal", gridColor=GRID_COLOUR, domainColor=SECONDARY_TEXT, tickColor=SECONDARY_TEXT)
    return chart.to_dict(validate=False)


def funnel_svg(bm: Benchmark, chart_id: str = "funnel", standalone: bool = False) -> str:
    """The funnel chart as accessible SVG; ``standalone`` adds the namespace a file on its own needs."""
    title = f"{bm.measure}{f' ({bm.group})' if bm.group else ''}: funnel plot against England"
    svg = str(accessible_svg(svg_from_spec(funnel_spec(bm)), chart_id, title, summary(bm)))
    if standalone:
        svg = svg.replace("<svg", '<svg xmlns="http://www.w3.org/2000/svg"', 1)
    return svg
