"""Publish the measure registry as Markdown (docs/measure-catalogue.md), from the YAML itself."""

from __future__ import annotations

from asc_assure.measures.registry import Measure, load_registry

UNIT_WORDS = {"count": "count", "days": "days", "percent": "%", "rate": "rate"}
POLARITY_WORDS = {"higher": "higher is better", "lower": "lower is better", "neutral": "activity (no better way)"}


def _measure_md(m: Measure) -> list[str]:
    agg = m.aggregate
    how = {"count": "count of rows", "count_if": f"rows where `{agg.column}`", "pct": f"% of rows where `{agg.column}`",
           "ratio": f"{agg.scale:g} × sum(`{agg.numerator}`) / sum(`{agg.denominator}`)"}.get(
        agg.kind, f"{agg.kind} of `{agg.column}`")
    target = "none" if m.target is None else f"{m.target:g}" + (
        f" (Amber within {m.amber_tolerance:g})" if m.amber_tolerance else "")
    return [
        f"### `{m.id}` — {m.title}",
        "",
        m.definition,
        "",
        f"- **Unit:** {UNIT_WORDS[m.unit]}; **polarity:** {POLARITY_WORDS[m.polarity]}; "
        f"**{'snapshot on the as-of date' if m.kind == 'snapshot' else 'flow over the period'}**; "
        f"reported {m.frequency}ly",
        f"- **Source:** `{m.source}`; **figure:** {how}; **breakdowns:** "
        + (", ".join(f"`{b}`" for b in m.breakdowns) or "none"),
        f"- **Default target:** {target} (the `targets` extract overrides it)"
        + ("; **headline tile** in the pack" if m.headline else ""),
        "",
        "```sql",
        m.sql,
        "```",
        "",
    ]


def render_catalogue() -> str:
    registry = load_registry()
    lines = [
        "# Measure catalogue",
        "",
        "<!-- Generated from src/asc_assure/measures/definitions/*.yaml by "
        "`asc-assure measures doc --out docs/measure-catalogue.md`; do not edit by hand. -->",
        "",
        "Every measure ASC Assure ships, with its definition and the SQL that computes it. How measures, "
        "targets, RAG and periods work: [measures.md](measures.md).",
        "",
    ]
    groups: dict[str, list[Measure]] = {}
    for m in registry.values():
        groups.setdefault(m.group, []).append(m)
    for group, ms in groups.items():
        lines += [f"## {group}", "", "| Id | Title | Unit | Better |", "|---|---|---|---|"]
        lines += [f"| `{m.id}` | {m.title} | {UNIT_WORDS[m.unit]} | {m.polarity} |" for m in ms]
        lines.append("")
        for m in ms:
            lines += _measure_md(m)
    return "\n".join(lines)
