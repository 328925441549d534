"""The projection chart: the median list as a line inside its 5th-95th percentile band, the recent
actual list before it, and the target as a dashed rule. Rendered offline to accessible SVG with the
pack's chart helpers (``reports.charts``), and always described by one sentence and a table."""

from __future__ import annotations

import datetime as dt
from typing import Any

import altair as alt
from markupsafe import Markup

from asc_assure.reports import charts

BAND_COLOUR = "#9dc3e6"
HISTORY_COLOUR = "#505a5f"
HISTORY_WEEKS_SHOWN = 26


def _date_text(iso: str) -> str:
    return f"{dt.date.fromisoformat(iso):%-d %b %Y}"


def summary(result: dict[str, Any]) -> str:
    """The chart's one-sentence text alternative."""
    start, end = result["weeks"][0], result["weeks"][-1]
    text = (f"Projected waiting list from {_date_text(start['week_ending'])} ({start['median']:,.0f} waiting) to "
            f"{_date_text(end['week_ending'])}: median {end['median']:,.0f}, with nine in ten of "
            f"{result['replications']} replications between {end['p5']:,.0f} and {end['p95']:,.0f}")
    target = result["target"]
    if target.get("value") is not None:
        week = target.get("median_week")
        when = ("already below it at the start" if week == 0 else
                f"the median first falls below it in week {week} ({_date_text(target['median_week_ending'])})"
                if week is not None else "the median stays above it throughout")
        text += f"; target {target['value']:,.0f}, {when}"
    return text + "."


def spec(result: dict[str, Any], title: str, width: int = 620, height: int = 220) -> dict[str, Any]:
    """Vega-Lite: band (area), median (line), recent actual list (grey line), target (dashed rule)."""
    rows = [{"date": w["week_ending"], "median": w["median"], "p5": w["p5"], "p95": w["p95"], "series": "projection"}
            for w in result["weeks"]]
    rows += [{"date": h["week_ending"], "actual": h["waiting"], "series": "actual"}
             for h in result.get("history", [])[-HISTORY_WEEKS_SHOWN:]]
    x = alt.X("date:T", scale=alt.Scale(type="utc"), axis=alt.Axis(title=None, format="%b %y", grid=False,
                                                                   tickCount={"interval": "month", "step": 2}))
    y_axis = alt.Axis(title="People waiting", format=",.0f", tickCount=5)
    layers = [
        alt.Chart().mark_area(color=BAND_COLOUR, opacity=0.7).encode(
            x=x, y=alt.Y("p5:Q", axis=y_axis, scale=alt.Scale(zero=True)), y2="p95:Q")
        .transform_filter("datum.series == 'projection'"),
        alt.Chart().mark_line(color=charts.LINE_COLOUR, strokeWidth=2.5).encode(x=x, y="median:Q")
        .transform_filter("datum.series == 'projection'"),
    ]
    if len(rows) > len(result["weeks"]):
        layers.append(alt.Chart().mark_line(color=HISTORY_COLOUR, strokeWidth=2, strokeDash=[2, 2]).encode(
            x=x, y="actual:Q").transform_filter("datum.series == 'actual'"))
    key = "Blue line: median projection. Shaded: 5th to 95th percentile. Grey dotted: actual list."
    target = result["target"].get("value")
    if target is not None:
        rows.append({"series": "target", "target": target})
        layers.append(alt.Chart().mark_rule(strokeDash=[6, 4], color=charts.TEXT_COLOUR, strokeWidth=1.5)
                      .encode(y="target:Q").transform_filter("datum.series == 'target'"))
        key += f" Dashed: target {target:,.0f}."
    chart = alt.layer(*layers, data=alt.Data(values=rows)).properties(
        width=width, height=height,
        title=alt.TitleParams(title, subtitle=key, anchor="start", fontSize=14, fontWeight="bold",
                              color=charts.TEXT_COLOUR, subtitleColor=charts.SECONDARY_TEXT, subtitleFontSize=11,
                              subtitlePadding=4, offset=10),
    ).configure(font=charts.FONT_FAMILY, background="white").configure_view(stroke=None).configure_axis(
        labelColor=charts.TEXT_COLOUR, titleColor=charts.TEXT_COLOUR, labelFontSize=11, titleFontSize=11,
        titleFontWeight="normal", gridColor=charts.GRID_COLOUR)
    return chart.to_dict(validate=False)


def projection_svg(result: dict[str, Any], chart_id: str = "simulation", title: str | None = None) -> Markup:
    """The chart as inline SVG with its title and description (for the web page and ``--out``)."""
    title = title or f"Projected waiting list: {result['scenario']['name']}"
    return charts.accessible_svg(charts.svg_from_spec(spec(result, title)), chart_id, title, summary(result))


def standalone_svg(result: dict[str, Any]) -> str:
    """The chart as an SVG file: inline SVG needs no namespace, a file opened on its own does."""
    svg = str(projection_svg(result))
    return svg.replace("<svg", '<svg xmlns="http://www.w3.org/2000/svg"', 1)
