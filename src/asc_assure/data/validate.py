"""Validate a batch of text rows against a contract, column by column, in vectorised Polars.

Validation errors are data, not exceptions: each failed check yields rows of
``(_row, column, value, rule, message, severity)``. A row with any ``error`` is quarantined; a
``warning`` is reported but the row loads. Values are parsed once here and the typed columns are
what the store keeps, so every downstream reader sees the same interpretation of a date or a code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl

from asc_assure.data.contracts import Column, Contract, Rule, normalise_header
from asc_assure.data.readers import ROW

TRUE_WORDS = ("y", "yes", "true", "t", "1")
FALSE_WORDS = ("n", "no", "false", "f", "0")
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
POSTCODE_RE = r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$"
NHS_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)
EARLIEST_DATE = dt.date(1890, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)

ISSUE_SCHEMA = {
    ROW: pl.Int64,
    "column": pl.String,
    "value": pl.String,
    "rule": pl.String,
    "message": pl.String,
    "severity": pl.String,
}

POLARS_TYPES: dict[str, pl.DataType] = {
    "string": pl.String(),
    "enum": pl.String(),
    "date": pl.Date(),
    "boolean": pl.Boolean(),
    "integer": pl.Int64(),
    "number": pl.Float64(),
    "nhs_number": pl.String(),
    "postcode": pl.String(),
}


@dataclass
class Check:
    column: str
    rule: str
    message: str
    failed: pl.Expr
    severity: str = "error"
    value_column: str | None = None


def _text(name: str) -> pl.Expr:
    """The trimmed text of a column, with blanks as null."""
    t = pl.col(name).str.strip_chars()
    return pl.when(t == "").then(None).otherwise(t)


def _canonical_key(expr: pl.Expr) -> pl.Expr:
    """Same folding as ``normalise_header``: case, spaces and punctuation don't matter."""
    return expr.str.to_lowercase().str.replace_all(r"[^a-z0-9]+", "_").str.strip_chars("_")


def _enum_maps(col: Column) -> tuple[dict[str, str], dict[str, str]]:
    """Folded text -> canonical value, split into current labels and Release-1 style aliases."""
    current = {normalise_header(v): v for v in col.values}
    older = {normalise_header(k): v for k, v in col.aliases.items() if normalise_header(k) not in current}
    return current, older


MIDNIGHT_SUFFIXES = (" 00:00:00.000", "T00:00:00.000", " 00:00:00", "T00:00:00", " 00:00", "T00:00")


def _parse_date(text: pl.Expr) -> pl.Expr:
    # Spreadsheet exports often carry a midnight time; a date is a date.
    for suffix in MIDNIGHT_SUFFIXES:
        text = text.str.strip_suffix(suffix)
    return pl.coalesce([text.str.to_date(fmt, strict=False) for fmt in DATE_FORMATS])


def _nhs_valid(digits: pl.Expr) -> pl.Expr:
    """Modulus 11 on the number itself: weighted digits by integer arithmetic, no string slicing."""
    n = digits.cast(pl.Int64, strict=False)
    total = sum(((n // 10 ** (9 - i)) % 10) * w for i, w in enumerate(NHS_WEIGHTS))
    check = (11 - total % 11) % 11
    return digits.str.contains(r"^\d{10}$") & (check != 10) & (check == n % 10)


@dataclass
class ColumnPlan:
    """How one column is parsed and checked, as stages over a frame of its distinct values.

    Stage 0 makes ``_t`` (trimmed text, blank as null); later stages build intermediates and the
    parsed value ``_v``; checks then refer to those by name, so nothing is computed twice.
    """

    name: str
    stages: list[list[pl.Expr]]
    checks: list[Check]


text_col, value_col = pl.col("_t"), pl.col("_v")


def column_plan(col: Column) -> ColumnPlan:
    """Parse stages for a column and the checks that guard it."""
    name = col.name
    present = text_col.is_not_null()
    checks: list[Check] = []
    stages: list[list[pl.Expr]] = [[_text(name).alias("_t")]]
    if col.required:
        checks.append(Check(name, "required", f"{name} is required but blank", text_col.is_null()))

    if col.type == "date":
        stages.append([_parse_date(text_col).alias("_v")])
        checks.append(Check(name, "date_format", "not a valid date (use 2025-01-31 or 31/01/2025)",
                            present & value_col.is_null()))
        checks.append(Check(name, "date_range", "date is implausible (before 1890 or after 2100)",
                            value_col.is_not_null() & ((value_col < EARLIEST_DATE) | (value_col > LATEST_DATE))))
    elif col.type == "boolean":
        low = text_col.str.to_lowercase()
        stages.append([pl.when(low.is_in(TRUE_WORDS)).then(True).when(low.is_in(FALSE_WORDS)).then(False)
                       .otherwise(None).alias("_v")])
        checks.append(Check(name, "boolean", "not a yes/no value (use Y/N, Yes/No, TRUE/FALSE or 1/0)",
                            present & value_col.is_null()))
    elif col.type == "integer":
        cleaned = text_col.str.replace_all(",", "").str.replace(r"\.0+$", "")
        stages.append([cleaned.cast(pl.Int64, strict=False).alias("_v")])
        checks.append(Check(name, "integer", "not a whole number", present & value_col.is_null()))
    elif col.type == "number":
        cleaned = text_col.str.replace_all(r"[£,\s]", "")
        stages.append([cleaned.cast(pl.Float64, strict=False).alias("_v")])
        checks.append(Check(name, "number", "not a number", present & (value_col.is_null() | value_col.is_nan())))
    elif col.type == "enum":
        current, older = _enum_maps(col)
        stages.append([_canonical_key(text_col).alias("_k")])
        key = pl.col("_k")
        if col.enforced:
            stages.append([key.replace_strict({**current, **older}, default=None, return_dtype=pl.String)
                           .alias("_v")])
            allowed = ", ".join(col.values) if len(col.values) <= 8 else f"the {col.code_list} list"
            checks.append(Check(name, "allowed_values", f"not one of the allowed values ({allowed})",
                                present & value_col.is_null()))
            if older:
                checks.append(Check(name, "release_1_value", "Release 1 label mapped to its Release 2 equivalent",
                                    key.is_in(list(older)), severity="warning"))
        else:
            stages.append([key.replace_strict(current, default=text_col, return_dtype=pl.String).alias("_v")])
    elif col.type == "nhs_number":
        stages.append([text_col.str.replace_all(r"[\s-]", "").alias("_d")])
        stages.append([_nhs_valid(pl.col("_d")).fill_null(False).alias("_ok")])
        stages.append([pl.when(pl.col("_ok")).then(pl.col("_d")).otherwise(None).alias("_v")])
        checks.append(Check(name, "nhs_number", "not a valid NHS number (10 digits passing the Modulus 11 check)",
                            present & ~pl.col("_ok")))
    elif col.type == "postcode":
        stages.append([text_col.str.to_uppercase().str.replace_all(r"\s+", "").alias("_s")])
        squashed = pl.col("_s")
        stages.append([(squashed.str.slice(0, squashed.str.len_chars() - 3) + " " + squashed.str.slice(-3))
                       .alias("_p")])
        stages.append([pl.col("_p").str.contains(POSTCODE_RE).fill_null(False).alias("_ok")])
        stages.append([pl.when(pl.col("_ok")).then(pl.col("_p")).otherwise(None).alias("_v")])
        checks.append(Check(name, "postcode", "not a valid UK postcode", present & ~pl.col("_ok")))
    else:
        stages.append([text_col.alias("_v")])
        if col.pattern:
            checks.append(Check(name, "pattern", f"does not match the expected form {col.pattern}",
                                present & ~text_col.str.contains(col.pattern).fill_null(False)))
    if col.type in {"integer", "number"}:
        if col.min is not None:
            checks.append(Check(name, "minimum", f"below the minimum of {col.min:g}",
                                value_col.is_not_null() & (value_col < col.min)))
        if col.max is not None:
            checks.append(Check(name, "maximum", f"above the maximum of {col.max:g}",
                                value_col.is_not_null() & (value_col > col.max)))
    return ColumnPlan(name=name, stages=stages, checks=checks)


def evaluate_plan(plan: ColumnPlan, values: pl.DataFrame) -> pl.DataFrame:
    """Run a plan over a one-column frame: the column, ``_v`` and one boolean ``_c<j>`` per check."""
    frame = values
    for stage in plan.stages:
        frame = frame.with_columns(stage)
    return frame.select(
        pl.col(plan.name), value_col,
        *[c.failed.fill_null(False).alias(f"_c{j}") for j, c in enumerate(plan.checks)],
    )


def rule_check(rule: Rule, extract_date: dt.date) -> Check:
    """A cross-field rule over parsed values (the ``parsed`` frame's columns)."""
    col = pl.col(rule.column)
    if rule.type == "not_before":
        failed = col.is_not_null() & pl.col(rule.other).is_not_null() & (col < pl.col(rule.other))
        return Check(rule.column, rule.name, rule.explain(), failed, rule.severity)
    if rule.type == "requires":
        failed = col.is_not_null() & pl.col(rule.other).is_null()
        return Check(rule.other, rule.name, rule.explain(), failed, rule.severity, value_column=rule.other)
    if rule.type == "not_after_extract":
        failed = col.is_not_null() & (col > extract_date)
        msg = f"{rule.column} is after the extract date {extract_date.isoformat()}"
        return Check(rule.column, rule.name, msg, failed, rule.severity)
    cond = pl.lit(True)
    for other, vals in rule.when.items():
        ocol = pl.col(other)
        if vals == "present":
            cond = cond & ocol.is_not_null()
        else:
            cond = cond & ocol.cast(pl.String).str.to_lowercase().is_in([v.lower() for v in vals])
    return Check(rule.column, rule.name, rule.explain(), cond.fill_null(False) & col.is_null(), rule.severity)


@dataclass
class ValidatedBatch:
    parsed: pl.DataFrame  # typed contract columns + _row, every input row
    issues: pl.DataFrame  # ISSUE_SCHEMA rows
    bad: pl.Series  # boolean per row: has an error-severity issue
    derived: dict[str, pl.Series] = field(default_factory=dict)  # from ``derive``, per row


#: Turns a column's distinct parsed values into stored columns (name -> values, same length).
Derive = Callable[[Column, pl.Series], dict[str, pl.Series]]


class BatchValidator:
    """Compiled checks for one contract and extract date, reused for every batch of a file."""

    def __init__(self, contract: Contract, extract_date: dt.date, derive: Derive | None = None):
        self.contract = contract
        self.extract_date = extract_date
        self.derive = derive
        self.columns = [(col, column_plan(col)) for col in contract.columns]
        self.checks: list[Check] = [c for _, plan in self.columns for c in plan.checks]
        self.rule_checks = [rule_check(r, extract_date) for r in contract.rules]
        self._all_null: dict[str, tuple[pl.DataFrame, dict[str, pl.Series]]] = {}
        self._pii = {c.name: c.pii for c in contract.columns if c.pii}

    def _shown(self, column: str, raw: pl.Expr) -> pl.Expr:
        """Value shown in an error report: personal identifiers are masked."""
        pii = self._pii.get(column)
        if pii is None:
            return raw
        if pii in {"date_of_birth", "postcode"}:
            return pl.when(raw.is_null()).then(None).otherwise(pl.lit(f"[{pii} withheld]"))
        return pl.when(raw.is_null()).then(None).otherwise(
            pl.lit("•••") + raw.str.strip_chars().str.slice(-3)
        )

    def _parse_columns(self, raw: pl.DataFrame) -> tuple[pl.DataFrame, list[tuple[Check, pl.Series]],
                                                          dict[str, pl.Series]]:
        """Parse, check and derive each column once per distinct value, then map back to the rows.

        Extracts repeat values heavily (dates, codes, a person's NHS number on every event), so
        working on distinct values is several times faster than working on every row.
        """
        parsed = [raw[ROW]]
        masks: list[tuple[Check, pl.Series]] = []
        derived: dict[str, pl.Series] = {}
        for col, plan in self.columns:
            name, checks = col.name, plan.checks
            if raw[name].null_count() == raw.height and name in self._all_null:
                distinct, extra = self._all_null[name]
            else:
                distinct = evaluate_plan(plan, raw.select(pl.col(name).unique()))
                extra = self.derive(col, distinct["_v"]) if self.derive else {}
                if extra:
                    distinct = distinct.with_columns([s.alias(f"_d:{k}") for k, s in extra.items()])
                if raw[name].null_count() == raw.height:  # a column missing from the file: same every batch
                    self._all_null[name] = (distinct, extra)
            if distinct.height == 1:  # one value (often all blank): broadcast, no row-by-row mapping
                result = {c: pl.repeat(distinct[c][0], raw.height, dtype=distinct[c].dtype, eager=True)
                          for c in distinct.columns[1:]}
            else:
                result = raw.select(name).join(distinct, on=name, how="left", nulls_equal=True,
                                               maintain_order="left")
            parsed.append(result["_v"].alias(name))
            masks += [(c, result[f"_c{j}"]) for j, c in enumerate(checks)]
            derived.update({k: result[f"_d:{k}"].alias(k) for k in extra})
        return pl.DataFrame(parsed), masks, derived

    def validate(self, raw: pl.DataFrame) -> ValidatedBatch:
        parsed, masks, derived = self._parse_columns(raw)
        rmasks = parsed.select(
            [c.failed.fill_null(False).alias(f"r{i}") for i, c in enumerate(self.rule_checks)]
        )
        masks += [(c, rmasks[f"r{i}"]) for i, c in enumerate(self.rule_checks)]
        pieces: list[pl.DataFrame] = []
        bad = pl.Series("bad", [False] * raw.height)
        for check, mask in masks:
            if not mask.any():
                continue
            pieces.append(self._issue_rows(raw.filter(mask), check))
            if check.severity == "error":
                bad = bad | mask
        issues = pl.concat(pieces) if pieces else pl.DataFrame(schema=ISSUE_SCHEMA)
        return ValidatedBatch(parsed=parsed, issues=issues, bad=bad, derived=derived)

    def _issue_rows(self, source: pl.DataFrame, check: Check) -> pl.DataFrame:
        column = check.value_column or check.column
        value = self._shown(column, pl.col(column).str.strip_chars())
        return source.select(
            pl.col(ROW),
            pl.lit(check.column).alias("column"),
            value.cast(pl.String).alias("value"),
            pl.lit(check.rule).alias("rule"),
            pl.lit(check.message).alias("message"),
            pl.lit(check.severity).alias("severity"),
        )
