"""Trend charts for the pack: Altair specs rendered to inline SVG by vl-convert, offline.

Why this shape:

* vl-convert runs Vega in-process, so a chart needs no browser and no network (``allowed_base_urls``
  is empty, and the only data is inlined in the spec).
* Every chart carries its own text alternative: an SVG ``<title>`` and ``<desc>`` (WeasyPrint uses the
  title as the tagged PDF figure's /Alt) plus ``role="img"``/``aria-labelledby`` for screen readers in
  HTML. The same one-sentence summary is shown under the chart, and the pack puts the plotted numbers
  in a table beside it, so nothing is available only as a picture.
* Many charts are inlined in one HTML page, so the ids Vega generates (clip paths) are prefixed with
  the chart's id to keep them unique.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import altair as alt
import vl_convert as vlc
from markupsafe import Markup, escape

from asc_assure.reports import formatting as fmt

# The shipped font first (the PDF embeds it; vl-convert measures labels with it), then the
# metric-compatible fonts a browser viewing the HTML is likely to have.
FONT_FAMILY = "Liberation Sans, Arial, Helvetica, sans-serif"
TEXT_COLOUR = "#0b0c0c"
LINE_COLOUR = "#1d70b8"
GRID_COLOUR = "#dddddd"
SECONDARY_TEXT = "#505a5f"
# The Vega-Lite version Altair writes specs for ("v6.4.1" -> "6.4"), so spec and renderer agree.
VL_VERSION = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])


@dataclass(frozen=True)
class TrendPoint:
    """One row of a trend, already formatted for the table that sits beside the chart."""

    as_of: str
    date_text: str
    value: Any
    value_text: str
    target: float | None
    target_text: str
    rag: str | None
    rag_text: str

    @property
    def plotted(self) -> bool:
        return fmt.is_number(self.value)


@dataclass(frozen=True)
class TrendChart:
    """A rendered chart: SVG markup, its title and the one-sentence summary it is described by."""

    chart_id: str
    title: str
    summary: str
    svg: Markup
    points: tuple[TrendPoint, ...]

    @property
    def plotted_count(self) -> int:
        return sum(1 for p in self.points if p.plotted)

    @property
    def constant_target(self) -> str | None:
        """The target's text when every point has the same one, so the table can say it once."""
        texts = {p.target_text for p in self.points}
        return texts.pop() if len(texts) == 1 else None


def trend_points(trend: list[dict[str, Any]], unit: str | None) -> tuple[TrendPoint, ...]:
    """Format a measure's trend (oldest first) for the table and the chart."""
    points = []
    for row in trend or []:
        value = row.get("value")
        points.append(TrendPoint(
            as_of=str(row.get("as_of") or ""),
            date_text=fmt.format_date(row.get("as_of"), short=True),
            value=value,
            value_text=fmt.format_value(value, unit) or "No data",
            target=row.get("target") if fmt.is_number(row.get("target")) else None,
            target_text=fmt.format_value(row.get("target"), unit) or "No target",
            rag=row.get("rag"),
            rag_text=fmt.rag_label(row.get("rag")),
        ))
    return tuple(points)


def summarise(points: tuple[TrendPoint, ...], unit: str | None, period: str) -> str:
    """The visible one-sentence text alternative: span, latest value with RAG, target, range."""
    plotted = [p for p in points if p.plotted]
    if not plotted:
        return "There are no values to chart for this period."
    first, latest = plotted[0], plotted[-1]
    low = min(plotted, key=lambda p: p.value)
    high = max(plotted, key=lambda p: p.value)
    n = len(plotted)
    noun = fmt.period_adjective(period)
    target = "" if latest.target_text == "No target" else f" against a target of {latest.target_text}"
    rating = "" if latest.rag is None else f" ({latest.rag_text})"
    span = (f"{n} {noun} value{'s' if n != 1 else ''} from {first.date_text} to {latest.date_text}"
            if n > 1 else f"One value, for {latest.date_text}")
    rng = f"; lowest {low.value_text} ({low.date_text}), highest {high.value_text} ({high.date_text})" if n > 1 else ""
    trailing = points[max(i for i, p in enumerate(points) if p.plotted) + 1:]
    if trailing:
        gap = f"{len(trailing)} {period}{'s' if len(trailing) != 1 else ''}"
        why = ("are suppressed ([c])" if all(p.value == fmt.SUPPRESSED for p in trailing)
               else "have no value")
        if len(trailing) == 1:
            why = why.replace("are ", "is ").replace("have ", "has ")
            gap = f"latest {period}"
            return f"{span}: the {gap} {why}; latest available {latest.value_text}{rating}{target}{rng}."
        return f"{span}: the last {gap} {why}; latest available {latest.value_text}{rating}{target}{rng}."
    return f"{span}: latest {latest.value_text}{rating}{target}{rng}."


def _value_axis(unit: str | None) -> alt.Axis:
    if unit == fmt.PERCENT:
        return alt.Axis(title="Per cent", labelExpr="format(datum.value, ',.0f') + '%'", tickCount=5)
    if unit == fmt.DAYS:
        return alt.Axis(title="Days", format=",.0f", tickCount=5)
    return alt.Axis(title=fmt.axis_suffix(unit), format=",.0f", tickCount=5)


def trend_spec(points: tuple[TrendPoint, ...], unit: str | None, title: str, *, width: int = 560,
               height: int = 135, short_span: bool = False) -> dict[str, Any]:
    """Vega-Lite spec: the value line with its points, the target as a dashed rule, latest labelled.

    One inline dataset is shared by every layer (each filters what it draws), which keeps the spec
    small and Altair quick. The time scale is UTC so an ``as_of`` of 2025-03-31 is drawn on the 31st
    whatever the machine's time zone.
    """
    dated = [p for p in points if p.as_of]
    last_plotted = max((i for i, p in enumerate(dated) if p.plotted), default=None)
    first_target = next((i for i, p in enumerate(dated) if p.target is not None), None)
    rows = [{"as_of": p.as_of, "value": p.value if p.plotted else None, "target": p.target,
             "latest": i == last_plotted, "label": fmt.format_value(p.value, unit) if i == last_plotted else None,
             "rule": i == first_target}
            for i, p in enumerate(dated)]
    known_targets = [p.target for p in dated if p.target is not None]
    x = alt.X("as_of:T", scale=alt.Scale(type="utc"), axis=alt.Axis(
        title=None, format="%-d %b" if short_span else "%b %y", labelOverlap=True,
        tickCount={"interval": "week", "step": 2} if short_span else {"interval": "month", "step": 1},
        grid=False))
    # A line chart need not start at zero (unlike a bar chart): the movement is what matters.
    y = alt.Y("value:Q", axis=_value_axis(unit), scale=alt.Scale(zero=False, nice=True, padding=6))
    has_value = "isValid(datum.value)"

    layers: list[alt.Chart] = []
    if known_targets:
        dashed = {"strokeDash": [6, 4], "color": TEXT_COLOUR, "strokeWidth": 1.5}
        if len(set(known_targets)) == 1:
            # One rule across the plot, drawn from a single row.
            layers.append(alt.Chart().mark_rule(**dashed).encode(y=alt.Y("target:Q")).transform_filter("datum.rule"))
        else:
            layers.append(alt.Chart().mark_line(interpolate="step-after", **dashed)
                          .encode(x=x, y=alt.Y("target:Q")).transform_filter("isValid(datum.target)"))
    if last_plotted is not None:
        layers.append(alt.Chart().mark_line(color=LINE_COLOUR, strokeWidth=2.5).encode(x=x, y=y)
                      .transform_filter(has_value))
        layers.append(alt.Chart().mark_point(filled=True, size=18, color=LINE_COLOUR, opacity=1)
                      .encode(x=x, y=y).transform_filter(has_value).properties(name="values"))
        # The last point drawn is labelled: with data missing at the end it is the latest available.
        layers.append(alt.Chart().mark_point(filled=True, size=70, color=TEXT_COLOUR, shape="diamond")
                      .encode(x=x, y=y).transform_filter("datum.latest"))
        layers.append(alt.Chart().mark_text(align="left", dx=8, dy=10, fontWeight="bold", fontSize=12,
                                            color=TEXT_COLOUR)
                      .encode(x=x, y=y, text="label:N").transform_filter("datum.latest"))
    if not layers:
        # Nothing to draw (every value missing and no target): say so inside the frame.
        layers.append(alt.Chart(alt.Data(values=[{"label": "No values to chart"}]))
                      .mark_text(fontSize=13, color=SECONDARY_TEXT).encode(text="label:N"))
    key = "Blue line: value. Diamond: latest."
    if known_targets:
        shown = fmt.format_value(known_targets[-1], unit)
        one_target = len(set(known_targets)) == 1
        key += f" Dashed line: target {shown}." if one_target else f" Dashed line: target (latest {shown})."
    chart = alt.layer(*layers, data=alt.Data(values=rows)).properties(
        width=width, height=height,
        title=alt.TitleParams(title, subtitle=key, anchor="start", fontSize=14, fontWeight="bold",
                              color=TEXT_COLOUR, subtitleColor=SECONDARY_TEXT, subtitleFontSize=11,
                              subtitlePadding=4, offset=10),
    ).configure(font=FONT_FAMILY, background="white").configure_view(stroke=None).configure_axis(
        labelColor=TEXT_COLOUR, titleColor=TEXT_COLOUR, labelFontSize=11, titleFontSize=11,
        titleFontWeight="normal", gridColor=GRID_COLOUR, domainColor=SECONDARY_TEXT, tickColor=SECONDARY_TEXT,
    )
    return chart.to_dict(validate=False)


def trend_chart(chart_id: str, title: str, trend: list[dict[str, Any]], unit: str | None, period: str = "week",
                *, width: int = 560, height: int = 135, short_span: bool = False) -> TrendChart:
    """Render one measure's trend to an accessible inline SVG chart."""
    points = trend_points(trend, unit)
    summary = summarise(points, unit, period)
    spec = trend_spec(points, unit, title, width=width, height=height, short_span=short_span)
    svg = svg_from_spec(spec)
    return TrendChart(chart_id=chart_id, title=title, summary=summary,
                      svg=accessible_svg(svg, chart_id, title, summary), points=points)


@cache
def _register_fonts() -> None:
    """Measure chart text with the same font the PDF embeds (once per process)."""
    fonts = resources.files("asc_assure.reports") / "fonts"
    vlc.register_font_directory(str(fonts))


def svg_from_spec(spec: dict[str, Any]) -> str:
    """Vega-Lite -> SVG, offline: no external data or fonts may be fetched."""
    _register_fonts()
    return vlc.vegalite_to_svg(spec, vl_version=VL_VERSION, allowed_base_urls=[], format_locale="en-GB",
                               time_format_locale="en-GB")


_ID_ATTR = re.compile(r'\bid="([^"]+)"')
_URL_REF = re.compile(r'url\(#([^)]+)\)')
_HREF_REF = re.compile(r'((?:xlink:)?href)="#([^"]+)"')
_NOISE = re.compile(r'\s(?:role|aria-roledescription|aria-label|aria-hidden|pointer-events|xmlns(?::\w+)?)="[^"]*"')
_OPEN_SVG = re.compile(r"<svg\b([^>]*)>")


def accessible_svg(svg: str, chart_id: str, title: str, summary: str) -> Markup:
    """Give the SVG a title, a description and an image role, and make its ids unique in the page.

    Vega's own ARIA attributes on every group are dropped: inside ``role="img"`` they are ignored by
    assistive technology anyway, and removing them keeps the HTML small. So are the namespace
    declarations: the SVG is only ever inlined in HTML, whose parser supplies the namespace, and the
    page then contains no URL at all.
    """
    svg = svg.strip()
    if svg.startswith("<?xml"):
        svg = svg[svg.index("?>") + 2:].lstrip()
    svg = _NOISE.sub("", svg)
    svg = _ID_ATTR.sub(lambda m: f'id="{chart_id}-{m.group(1)}"', svg)
    svg = _URL_REF.sub(lambda m: f"url(#{chart_id}-{m.group(1)})", svg)
    svg = _HREF_REF.sub(lambda m: f'{m.group(1)}="#{chart_id}-{m.group(2)}"', svg)
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"

    def opening(match: re.Match[str]) -> str:
        return (f'<svg{match.group(1)} role="img" aria-labelledby="{title_id} {desc_id}" '
                f'data-chart-id="{chart_id}"><title id="{title_id}">{escape(title)}</title>'
                f'<desc id="{desc_id}">{escape(summary)}</desc>')

    svg = _OPEN_SVG.sub(opening, svg, count=1)
    return Markup(svg)
