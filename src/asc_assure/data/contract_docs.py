"""Render the data contracts as Markdown (docs/data-contract.md) and as blank CSV templates.

Both come from the contract YAML, so the published contract is always the one ingest enforces.
"""

from __future__ import annotations

import csv
from pathlib import Path

from asc_assure.data.contracts import Column, Contract, all_contracts, code_lists
from asc_assure.data.stored import stored_fields

TYPE_WORDS = {
    "string": "text",
    "enum": "code",
    "date": "date",
    "boolean": "yes/no",
    "integer": "whole number",
    "number": "number",
    "nhs_number": "NHS number",
    "postcode": "postcode",
}
PII_WORDS = {
    "nhs_number": "pseudonymised (stored as `{name}_pseudo`)",
    "person_ref": "pseudonymised; local reference kept in the restricted table",
    "case_ref": "pseudonymised; local reference kept in the restricted table",
    "date_of_birth": "stored as first of the month",
    "postcode": "stored as sector and district only",
}


def _allowed(col: Column) -> str:
    parts = []
    if col.type == "enum":
        if col.code_list:
            parts.append(f"list `{col.code_list}`" + ("" if col.enforced else " (not enforced)"))
        else:
            parts.append(", ".join(f"`{v}`" for v in col.values))
    if col.pattern:
        parts.append(f"pattern `{col.pattern}`")
    if col.min is not None:
        parts.append(f"≥ {col.min:g}")
    if col.max is not None:
        parts.append(f"≤ {col.max:g}")
    return "; ".join(parts)


def _esc(text: str) -> str:
    return text.replace("|", "\\|")


def render_contract(contract: Contract) -> str:
    lines = [f"## {contract.title} — `{contract.kind}` (version {contract.version})", "", contract.description, ""]
    if contract.source:
        lines += [f"*Source:* {contract.source}", ""]
    if contract.supersede == "key":
        lines.append(f"**Business key:** {', '.join(f'`{k}`' for k in contract.key)}. A newer extract "
                     "replaces earlier rows with the same key; earlier versions stay available for past as-of dates.")
    else:
        lines.append(f"**Submission key:** {', '.join(f'`{k}`' for k in contract.key)}. A resubmission for the "
                     "same key replaces every row of the earlier submission.")
    lines += ["", "| Column (header) | Type | Required | Allowed values | Personal data | Meaning |",
              "|---|---|---|---|---|---|"]
    for col in contract.columns:
        header = f"`{col.display_header}`"
        pii = PII_WORDS.get(col.pii or "", "").format(name=col.name)
        lines.append(f"| {_esc(header)} | {TYPE_WORDS[col.type]} | {'yes' if col.required else ''} | "
                     f"{_esc(_allowed(col))} | {pii} | {_esc(col.description)} |")
    if contract.rules:
        lines += ["", "Checks across columns:", ""]
        for rule in contract.rules:
            sev = "" if rule.severity == "error" else " *(warning: the row still loads)*"
            lines.append(f"- {rule.explain()}{sev}")
    stored = []
    for col in contract.columns:
        stored.extend(name for name, _ in stored_fields(col))
    lines += ["", f"Stored columns: {', '.join(f'`{s}`' for s in stored)}, plus provenance.", ""]
    return "\n".join(lines)


def render_markdown() -> str:
    contracts = all_contracts()
    head = [
        "# Data contract",
        "",
        "<!-- Generated from src/asc_assure/data/contracts/*.yaml by "
        "`asc-assure contracts doc --out docs/data-contract.md`; do not edit by hand. -->",
        "",
        "These are the files ASC Assure accepts. `asc-assure templates --out DIR` writes a blank CSV for each.",
        "",
        "**Formats.** CSV (UTF-8, UTF-8 with BOM, or Windows-1252) or Excel `.xlsx` (first sheet, or `--sheet`).",
        "The header row names the columns; order does not matter, case, spaces and punctuation in headers",
        "are ignored (`LA Code`, `LA_Code` and `la code` are the same column). Columns not listed are reported",
        "and ignored. The kind of extract is recognised from its header, or named with `--kind`.",
        "",
        "**Values.** Dates as `2025-01-31` or `31/01/2025` (a midnight time is ignored). Yes/no as `Y`/`N`,",
        "`Yes`/`No`, `TRUE`/`FALSE` or `1`/`0`. Codes are matched ignoring case, spaces and punctuation",
        "(`S42 enquiry` = `s42_enquiry`); CLD Release 1 labels are mapped to Release 2 with a warning.",
        "NHS numbers may contain spaces or hyphens and must pass the Modulus 11 check. Blank means not known.",
        "",
        "**Rows.** A row that breaks a rule is quarantined with every reason (file, row, column, value, rule);",
        "the other rows load. Row numbers are those a spreadsheet shows (the header is row 1).",
        "",
        "**Provenance.** Every stored row carries `_load_id`, `_load_seq`, `_as_of`, `_loaded_at`,",
        "`_source_file`, `_file_sha256` and `_row`.",
        "",
        "| Kind | Title | Version |",
        "|---|---|---|",
    ]
    head += [f"| [`{c.kind}`](#{c.kind}) | {c.title} | {c.version} |" for c in contracts.values()]
    head.append("")
    body = []
    for contract in contracts.values():
        body.append(f'<a id="{contract.kind}"></a>')
        body.append(render_contract(contract))
    lists = ["## Code lists", ""]
    for cl in code_lists().values():
        note = "" if cl.enforced else " (not enforced: the published list was not available to check against)"
        lists.append(f"### `{cl.name}`{note}")
        lists.append("")
        lists += [f"- {v}" for v in cl.values]
        if cl.aliases:
            lists += ["", "Release 1 labels accepted and mapped:", ""]
            lists += [f"- {k} → {v}" for k, v in cl.aliases.items()]
        lists.append("")
    return "\n".join(head + body + lists)


def write_templates(out: Path, kinds: list[str] | None = None) -> list[Path]:
    """Blank CSV templates (header row only), one per kind, as a council would fill them in."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for kind, contract in all_contracts().items():
        if kinds and kind not in kinds:
            continue
        path = out / f"{kind}.csv"
        with path.open("w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerow([c.display_header for c in contract.columns])
        written.append(path)
    return written
