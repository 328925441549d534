"""Data contracts: the council's inputs, declared as data.

Each extract kind (CLD, referrals, safeguarding, ...) is a YAML file beside this module. The YAML is
the single source of truth for column names, types, code lists, business keys and cross-field rules;
ingest validation, the blank CSV templates and ``docs/data-contract.md`` are all generated from it,
so they cannot drift apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

COLUMN_TYPES = {"string", "date", "boolean", "integer", "number", "enum", "nhs_number", "postcode"}
PII_KINDS = {"nhs_number", "person_ref", "case_ref", "date_of_birth", "postcode"}
RULE_TYPES = {"not_before", "requires", "required_when", "not_after_extract"}
SEVERITIES = {"error", "warning"}


class ContractError(ValueError):
    """A contract file is malformed (a bug in the package or a council's custom contract)."""


def normalise_header(text: str) -> str:
    """Fold a column header to a comparable name: ``'LA Code'``, ``'LA_Code'`` -> ``'la_code'``.

    Councils submit the CLD with the specification's headers (spaces, colons, brackets) and
    sometimes with the DHSC database names; both fold to the same canonical name.
    """
    text = text.replace("\ufeff", "").strip().lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


@dataclass(frozen=True)
class CodeList:
    """A defined list of allowed values, with older labels that map onto current ones."""

    name: str
    values: tuple[str, ...]
    aliases: dict[str, str] = field(default_factory=dict)
    enforced: bool = True


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool = False
    header: str | None = None
    description: str = ""
    pii: str | None = None
    values: tuple[str, ...] = ()
    aliases: dict[str, str] = field(default_factory=dict)
    enforced: bool = True
    code_list: str | None = None
    pattern: str | None = None
    min: float | None = None
    max: float | None = None

    @property
    def display_header(self) -> str:
        """The header a council writes in its file (spec header for CLD, else the name)."""
        return self.header or self.name


@dataclass(frozen=True)
class Rule:
    type: str
    column: str
    other: str | None = None
    when: dict[str, Any] = field(default_factory=dict)
    severity: str = "error"
    description: str = ""

    @property
    def name(self) -> str:
        if self.type == "required_when":
            return f"{self.column}_required_when_" + "_".join(self.when)
        if self.other:
            return f"{self.column}_{self.type}_{self.other}"
        return f"{self.column}_{self.type}"

    def explain(self) -> str:
        """Plain-English statement of the rule, used in error messages and the docs."""
        if self.description:
            return self.description
        if self.type == "not_before":
            return f"{self.column} must not be before {self.other}"
        if self.type == "requires":
            return f"when {self.column} is filled in, {self.other} must be too"
        if self.type == "not_after_extract":
            return f"{self.column} must not be after the extract date"
        conds = []
        for col, vals in self.when.items():
            conds.append(f"{col} is filled in" if vals == "present" else f"{col} is {' or '.join(vals)}")
        return f"{self.column} is required when " + " and ".join(conds)


@dataclass(frozen=True)
class Contract:
    kind: str
    title: str
    version: str
    description: str
    supersede: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    rules: tuple[Rule, ...]
    source: str = ""

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    def match_header(self, header: list[str]) -> dict[str, str]:
        """Map file headers to contract column names (unknown headers are left out)."""
        wanted = {normalise_header(c.display_header): c.name for c in self.columns}
        wanted.update({c.name: c.name for c in self.columns})
        out: dict[str, str] = {}
        for h in header:
            name = wanted.get(normalise_header(h))
            if name and name not in out.values():
                out[h] = name
        return out


def _load_yaml(name: str) -> dict[str, Any]:
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    return yaml.safe_load(text)


@cache
def code_lists() -> dict[str, CodeList]:
    raw = _load_yaml("code_lists.yaml")
    return {
        name: CodeList(
            name=name,
            values=tuple(str(v) for v in spec["values"]),
            aliases={str(k): str(v) for k, v in (spec.get("release_1") or {}).items()},
            enforced=bool(spec.get("enforced", True)),
        )
        for name, spec in raw.items()
    }


def _parse_column(kind: str, spec: dict[str, Any]) -> Column:
    ctype = spec.get("type")
    if ctype not in COLUMN_TYPES:
        raise ContractError(f"{kind}.{spec.get('name')}: unknown type {ctype!r}")
    pii = spec.get("pii")
    if pii is not None and pii not in PII_KINDS:
        raise ContractError(f"{kind}.{spec['name']}: unknown pii kind {pii!r}")
    values: tuple[str, ...] = tuple(str(v) for v in spec.get("values", ()))
    aliases: dict[str, str] = {}
    enforced = True
    code_list = spec.get("values_from")
    if code_list:
        cl = code_lists().get(code_list)
        if cl is None:
            raise ContractError(f"{kind}.{spec['name']}: unknown code list {code_list!r}")
        values, aliases, enforced = cl.values, cl.aliases, cl.enforced
    if ctype == "enum" and not values:
        raise ContractError(f"{kind}.{spec['name']}: enum without values")
    return Column(
        name=spec["name"],
        type=ctype,
        required=bool(spec.get("required", False)),
        header=spec.get("header"),
        description=spec.get("description", ""),
        pii=pii,
        values=values,
        aliases=aliases,
        enforced=enforced,
        code_list=code_list,
        pattern=spec.get("pattern"),
        min=spec.get("min"),
        max=spec.get("max"),
    )


def _parse_rule(kind: str, names: set[str], spec: dict[str, Any]) -> Rule:
    rtype = spec.get("type")
    if rtype not in RULE_TYPES:
        raise ContractError(f"{kind}: unknown rule type {rtype!r}")
    severity = spec.get("severity", "error")
    if severity not in SEVERITIES:
        raise ContractError(f"{kind}: unknown severity {severity!r}")
    when = {k: (v if v == "present" else [str(x).lower() if isinstance(x, bool) else str(x) for x in v])
            for k, v in (spec.get("when") or {}).items()}
    rule = Rule(type=rtype, column=spec["column"], other=spec.get("other"), when=when,
                severity=severity, description=spec.get("description", ""))
    for col in [rule.column, rule.other, *rule.when]:
        if col is not None and col not in names:
            raise ContractError(f"{kind}: rule {rule.name} names unknown column {col!r}")
    return rule


def parse_contract(raw: dict[str, Any]) -> Contract:
    kind = raw["kind"]
    columns = tuple(_parse_column(kind, c) for c in raw["columns"])
    names = {c.name for c in columns}
    if len(names) != len(columns):
        raise ContractError(f"{kind}: duplicate column names")
    key = tuple(raw["key"])
    for k in key:
        if k not in names:
            raise ContractError(f"{kind}: key column {k!r} not declared")
    if raw.get("supersede") not in {"key", "partition"}:
        raise ContractError(f"{kind}: supersede must be 'key' or 'partition'")
    rules = tuple(_parse_rule(kind, names, r) for r in raw.get("rules") or ())
    return Contract(
        kind=kind,
        title=raw["title"],
        version=str(raw["version"]),
        description=" ".join(str(raw.get("description", "")).split()),
        supersede=raw["supersede"],
        key=key,
        columns=columns,
        rules=rules,
        source=" ".join(str(raw.get("source", "")).split()),
    )


#: Order in which kinds are listed in docs, templates and summaries.
KINDS = (
    "cld",
    "referrals",
    "safeguarding_concerns",
    "safeguarding_enquiries",
    "dols_applications",
    "reviews",
    "brokerage",
    "workforce",
    "staff_roster",
    "staff_leave",
    "people",
    "teams",
    "targets",
    "areas",
    "population",
    "hospital_episodes",
)


@cache
def all_contracts() -> dict[str, Contract]:
    """Every contract shipped with the package, keyed by kind."""
    out = {}
    for kind in KINDS:
        contract = parse_contract(_load_yaml(f"{kind}.yaml"))
        if contract.kind != kind:
            raise ContractError(f"{kind}.yaml declares kind {contract.kind!r}")
        out[kind] = contract
    return out


def get_contract(kind: str) -> Contract:
    try:
        return all_contracts()[kind]
    except KeyError:
        raise ContractError(f"unknown extract kind {kind!r}; known kinds: {', '.join(KINDS)}") from None
