"""Check a CLD file against the specification before it is submitted: every problem, with row and field.

The council's performance team runs this on the file they are about to send to NHS England, so that
what the national validation (and DHSC's processing) would reject or silently drop is fixed first.
It reads the file with the same reader and contract as ``ingest`` (``readers.open_extract``,
``contracts/cld.yaml`` and ``code_lists.yaml``, checked by ``validate.BatchValidator``), so the two
can never disagree about a date or a defined list, then adds the checks that need the whole file or
the event type (``cld_rules.yaml``): mandatory fields per event type, fields on the wrong kind of
event, the reporting period, duplicate records and people whose details conflict between rows.

Nothing is loaded or stored. A file that cannot be read at all is reported with the reason (exit
code 2); it never raises.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import yaml

from asc_assure.data.contracts import Contract, get_contract, normalise_header
from asc_assure.data.readers import ROW, EncodingMismatch, Extract, UnreadableFile, open_extract
from asc_assure.data.validate import BatchValidator

ERROR, WARNING = "error", "warning"
EVENT_TYPES = ("Request", "Assessment", "Service", "Review")
MAX_VALUE_CHARS = 200
EXCEL_MAX_ISSUES = 1_000_000  # an Excel sheet holds 1,048,576 rows
HTML_MAX_ISSUES = 5_000

ISSUE_SCHEMA: dict[str, pl.DataType] = {
    "row": pl.Int64(),
    "field": pl.String(),
    "rule": pl.String(),
    "severity": pl.String(),
    "value": pl.String(),
    "message": pl.String(),
}

#: Plain-English titles for the rule ids that appear in reports.
RULE_TITLES: dict[str, str] = {
    "unreadable_file": "The file cannot be read",
    "not_a_cld_file": "The header is not a CLD header",
    "missing_column": "A column the specification needs is missing",
    "unknown_column": "A column that is not in the specification",
    "field_count": "A row has the wrong number of fields",
    "required": "A mandatory field is blank",
    "date_format": "Not a real date (e.g. 31/02)",
    "date_range": "Date before 1890 or after 2100",
    "allowed_values": "Value not in the defined list",
    "release_1_value": "Release 1 label (accepted, mapped to Release 2)",
    "nhs_number": "NHS number fails the check digit",
    "pattern": "Value not in the expected form",
    "integer": "Not a whole number",
    "number": "Not a number",
    "minimum": "Below the minimum",
    "maximum": "Above the maximum",
    "mandatory_for_event_type": "Mandatory for this event type but blank",
    "expected_for_event_type": "Expected for this event type but blank",
    "not_applicable_to_event_type": "Filled in on an event type it does not apply to",
    "reporting_period_mixed": "Row's reporting period differs from the file's",
    "reporting_period_mismatch": "File's reporting period differs from the one given",
    "reporting_period_unknown": "No reporting period to check dates against",
    "date_after_period_end": "Date after the reporting period end",
    "event_outside_period": "Event ended before the reporting period",
    "duplicate_record": "Row repeated exactly",
    "duplicate_event": "Same event submitted twice",
    "conflicting_person_details": "Person's details differ between rows",
    "nhs_number_shared": "One NHS number on several people",
}


@cache
def cld_rules() -> dict[str, Any]:
    """The event-type rules (``cld_rules.yaml``), checked against the contract's column names."""
    raw = yaml.safe_load(resources.files("asc_assure.data").joinpath("cld_rules.yaml").read_text("utf-8"))
    names = set(get_contract("cld").column_names)
    used = [f for spec in raw["mandatory"].values() for fs in spec.values() for f in fs]
    used += list(raw["applies_only_to"]) + raw["person_details"] + [f for fs in raw["event_key"].values() for f in fs]
    unknown = sorted(set(used) - names)
    if unknown:  # pragma: no cover - a packaging bug, caught by the tests
        raise ValueError(f"cld_rules.yaml names columns not in the CLD contract: {', '.join(unknown)}")
    return raw


@dataclass
class CldValidation:
    """The outcome of validating one file: what was read, the period used, and every issue."""

    file: str
    readable: bool = True
    reason: str | None = None
    format: str | None = None
    encoding: str | None = None
    rows: int = 0
    blank_rows: int = 0
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    period_source: str | None = None  # "given" (options) or "file" (most common value in the file)
    seconds: float = 0.0
    issues: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=ISSUE_SCHEMA))

    @property
    def errors(self) -> int:
        return self.issues.filter(pl.col("severity") == ERROR).height

    @property
    def warnings(self) -> int:
        return self.issues.filter(pl.col("severity") == WARNING).height

    @property
    def exit_code(self) -> int:
        """0 no errors (warnings allowed), 1 errors found, 2 the file could not be read at all."""
        if not self.readable:
            return 2
        return 1 if self.errors else 0

    @property
    def status(self) -> str:
        if not self.readable:
            return "unreadable"
        return "errors" if self.errors else ("warnings" if self.warnings else "clean")

    @property
    def rows_per_second(self) -> float | None:
        return round(self.rows / self.seconds) if self.seconds > 0 and self.rows else None

    def summary(self) -> list[dict[str, Any]]:
        """Counts by rule and severity (errors first), with how many rows each affects."""
        if self.issues.height == 0:
            return []
        grouped = (self.issues.group_by("rule", "severity")
                   .agg(pl.len().alias("count"), pl.col("row").drop_nulls().n_unique().alias("rows"),
                        pl.col("field").unique().sort().str.join(", ").alias("fields")))
        out = [{"rule": r["rule"], "severity": r["severity"], "title": RULE_TITLES.get(r["rule"], r["rule"]),
                "count": r["count"], "rows": r["rows"], "fields": r["fields"]}
               for r in grouped.iter_rows(named=True)]
        return sorted(out, key=lambda d: (d["severity"] != ERROR, -d["count"], d["rule"]))

    def issue_rows(self, limit: int | None = None) -> list[dict[str, Any]]:
        df = self.sorted_issues()
        return (df.head(limit) if limit is not None else df).to_dicts()

    def sorted_issues(self) -> pl.DataFrame:
        """File-level issues first, then by row; errors before warnings on the same row."""
        return self.issues.sort([pl.col("row").is_not_null(), "row", pl.col("severity") != ERROR, "field"],
                                nulls_last=False)

    def to_dict(self, limit: int | None = 1000) -> dict[str, Any]:
        """What ``cld validate --json`` prints: the counts, the summary and the first ``limit`` issues."""
        return {
            "file": self.file, "status": self.status, "exit_code": self.exit_code, "readable": self.readable,
            "reason": self.reason, "format": self.format, "encoding": self.encoding, "rows": self.rows,
            "blank_rows": self.blank_rows,
            "period_start": self.period_start.isoformat() if self.period_start else None,
            "period_end": self.period_end.isoformat() if self.period_end else None,
            "period_source": self.period_source, "errors": self.errors, "warnings": self.warnings,
            "seconds": round(self.seconds, 2), "rows_per_second": self.rows_per_second,
            "summary": self.summary(), "issues": self.issue_rows(limit),
            "issues_shown": min(self.issues.height, limit) if limit is not None else self.issues.height,
        }


def _file_issue(field_name: str, rule: str, severity: str, message: str, value: str | None = None) -> dict[str, Any]:
    return {"row": None, "field": field_name, "rule": rule, "severity": severity, "value": value,
            "message": message}


def _blank(col: str) -> pl.Expr:
    return pl.col(col).is_null() | (pl.col(col).str.strip_chars() == "")


class _Run:
    """One pass over a file: per-batch checks, plus the slim columns kept for whole-file checks."""

    def __init__(self, contract: Contract, extract: Extract, today: dt.date):
        self.contract = contract
        self.extract = extract
        self.mapping = contract.match_header(extract.header)
        present = set(self.mapping.values())
        self.absent = [c for c in contract.column_names if c not in present]
        by_name = {v: k for k, v in self.mapping.items()}
        self.field_names = {c.name: by_name.get(c.name, c.display_header) for c in contract.columns}
        self.validator = BatchValidator(contract, today)
        self._messages: dict[str, str] = {}
        self._name_pattern = re.compile(r"\b(" + "|".join(sorted((n for n in self.field_names if "_" in n),
                                                                  key=len, reverse=True)) + r")\b")
        self.rules = cld_rules()
        self.pieces: list[pl.DataFrame] = []
        self.slim: list[pl.DataFrame] = []
        self.rows = 0
        self.blank_rows = 0
        self.type_counts: Counter[str] = Counter()
        self.key_cols = list(dict.fromkeys(f for fs in self.rules["event_key"].values() for f in fs))
        # A contract "required when" rule fully covered by a stricter rule here is not reported twice.
        covered: dict[str, set[str]] = {}
        for event, spec in self.rules["mandatory"].items():
            for col in spec.get(ERROR, []):
                covered.setdefault(col, set()).add(event)
        self.superseded = [r.name for r in contract.rules
                           if r.type == "required_when" and set(r.when) == {"event_type"}
                           and set(r.when["event_type"]) <= covered.get(r.column, set())]
        self.caps_only: dict[str, set[str]] = {}
        for c in contract.columns:
            if c.name in present and c.aliases:
                folded = {normalise_header(v) for v in c.values}
                labels = {k for k in c.aliases if k not in c.values and normalise_header(k) in folded}
                if labels:
                    self.caps_only[c.name] = labels

    # -- per batch -----------------------------------------------------------------------------
    def _raw(self, batch: pa.RecordBatch) -> pl.DataFrame:
        df = pl.from_arrow(batch)
        assert isinstance(df, pl.DataFrame)
        df = df.select([pl.col(ROW), *[pl.col(h).alias(n) for h, n in self.mapping.items()]])
        if self.absent:
            df = df.with_columns([pl.lit(None, dtype=pl.String).alias(c) for c in self.absent])
        blank = pl.all_horizontal([_blank(c) for c in self.mapping.values()])
        before = df.height
        df = df.filter(~blank)
        self.blank_rows += before - df.height
        return df

    def batch(self, batch: pa.RecordBatch) -> None:
        raw = self._raw(batch)
        if raw.height == 0:
            return
        self.rows += raw.height
        checked = self.validator.validate(raw)
        issues = checked.issues
        if self.absent:  # a missing column is reported once for the file, not on every row
            issues = issues.filter(~pl.col("column").is_in(self.absent))
        if self.superseded:
            issues = issues.filter(~pl.col("rule").is_in(self.superseded))
        self.pieces.append(issues.select(pl.col(ROW).alias("row"), pl.col("column").alias("field"), "rule",
                                         "severity", "value", self._readable_messages(issues["message"])))
        parsed = checked.parsed
        etype = parsed["event_type"]
        self.type_counts.update({k: v for k, v in etype.drop_nulls().value_counts().iter_rows()})
        self._event_type_rules(raw, etype)
        self._capitalised_release_1(raw)
        self._keep_slim(raw, parsed)

    def _capitalised_release_1(self, raw: pl.DataFrame) -> None:
        """Release 1 labels that differ from Release 2 only in capitals (``Service User``): the shared
        validator accepts them silently (lists are case-insensitive), but DHSC's data-quality table
        reports them as "Failed: Release 1", so they are warned about here."""
        for col, labels in self.caps_only.items():
            hits = raw.filter(pl.col(col).str.strip_chars().is_in(list(labels)))
            if hits.height:
                self._row_issues(hits, col, "release_1_value", WARNING,
                                 "Release 1 label: Release 2 writes it with different capitals; it is accepted "
                                 "and mapped, but national data-quality reports list it as a Release 1 value",
                                 value=True)

    def _event_type_rules(self, raw: pl.DataFrame, etype: pl.Series) -> None:
        frame = raw.with_columns(etype.alias("_etype"))
        for event, spec in self.rules["mandatory"].items():
            for severity, fields in spec.items():
                rule = "mandatory_for_event_type" if severity == ERROR else "expected_for_event_type"
                for col in fields:
                    if col in self.absent:
                        continue
                    hits = frame.filter((pl.col("_etype") == event) & _blank(col))
                    text = (f"{{field}} is blank; it is mandatory on {event} events" if severity == ERROR else
                            f"{{field}} is blank; it is expected on {event} events (the national processing "
                            "uses it)")
                    self._row_issues(hits, col, rule, severity, text)
        for col, events in self.rules["applies_only_to"].items():
            if col in self.absent:
                continue
            hits = frame.filter(pl.col("_etype").is_not_null() & ~pl.col("_etype").is_in(events) & ~_blank(col))
            self._row_issues(hits, col, "not_applicable_to_event_type", WARNING,
                             f"{{field}} applies only to {' and '.join(events)} events; it is ignored on this "
                             "row's event type", value=True)

    def _row_issues(self, hits: pl.DataFrame, col: str, rule: str, severity: str, message: str,
                    value: bool = False) -> None:
        if hits.height == 0:
            return
        text = message.replace("{field}", self.field_names[col])
        shown = (pl.col(col).str.strip_chars().str.slice(0, MAX_VALUE_CHARS) if value
                 else pl.lit(None, dtype=pl.String))
        self.pieces.append(hits.select(pl.col(ROW).alias("row"), pl.lit(col).alias("field"), pl.lit(rule).alias("rule"),
                                       pl.lit(severity).alias("severity"), shown.alias("value"),
                                       pl.lit(text).alias("message")))

    def _keep_slim(self, raw: pl.DataFrame, parsed: pl.DataFrame) -> None:
        """The few columns the whole-file checks need: parsed values, the person, and hashes of the whole
        row (exact repeats) and of DHSC's event key (the same event twice)."""
        row_hash = raw.select(list(self.mapping.values())).hash_rows().alias("_row_hash")
        key_exprs = []
        for col in self.key_cols:
            expr = pl.col(col).cast(pl.String).fill_null("")
            events = [e for e, fs in self.rules["event_key"].items() if e != "all" and col in fs]
            if events:  # a type-specific key field counts only on its own event types
                expr = pl.when(pl.col("event_type").is_in(events)).then(expr).otherwise(pl.lit(""))
            key_exprs.append(expr)
        person = raw["la_person_unique_identifier"].str.strip_chars()
        gender = raw["gender"].str.strip_chars().str.to_lowercase()
        self.slim.append(parsed.select(
            ROW, "event_type", "event_start_date", "event_end_date", "date_of_death",
            "reporting_period_start_date", "reporting_period_end_date", "date_of_birth", "ethnicity",
            "nhs_number",
            pl.concat_str([pl.col("la_code").fill_null(""), *key_exprs], separator="\x1f").hash().alias("_event_key"),
        ).with_columns(row_hash, person.alias("_person"), gender.alias("gender")))

    # -- whole file ----------------------------------------------------------------------------
    def finish(self, period_start: dt.date | None, period_end: dt.date | None,
               result: CldValidation) -> pl.DataFrame:
        slim = pl.concat(self.slim) if self.slim else None
        file_level: list[dict[str, Any]] = []
        if slim is not None:
            period_start, period_end, source = self._period(slim, period_start, period_end, file_level)
            result.period_start, result.period_end, result.period_source = period_start, period_end, source
            self._absent_mandatory(file_level)
            self._period_rules(slim, period_start, period_end)
            self._duplicates(slim)
            self._person_conflicts(slim)
        self._malformed()
        if file_level:
            self.pieces.insert(0, pl.DataFrame(file_level, schema=ISSUE_SCHEMA))
        if not self.pieces:
            return pl.DataFrame(schema=ISSUE_SCHEMA)
        issues = pl.concat([p.cast(ISSUE_SCHEMA) for p in self.pieces])  # type: ignore[arg-type]
        return self._readable_fields(issues)

    def _readable_messages(self, messages: pl.Series) -> pl.Series:
        """The shared validator's messages name columns (``event_end_date``); say them as the file's
        headers. Its messages are a handful of fixed texts, so each is rewritten once and cached."""
        names = self.field_names
        for m in messages.unique().drop_nulls().to_list():
            if m not in self._messages:
                self._messages[m] = self._name_pattern.sub(lambda hit: f"'{names[hit.group(1)]}'", m)
        return messages.replace(self._messages)

    def _readable_fields(self, issues: pl.DataFrame) -> pl.DataFrame:
        """Show fields by the header the council used."""
        return issues.with_columns(pl.col("field").replace(self.field_names),
                                   pl.col("value").str.slice(0, MAX_VALUE_CHARS))

    def _period(self, slim: pl.DataFrame, given_start: dt.date | None, given_end: dt.date | None,
                file_level: list[dict[str, Any]]) -> tuple[dt.date | None, dt.date | None, str | None]:
        """The period to check against: as given, else the period most rows state. Rows stating
        another period are errors (a submission covers one period)."""
        stated = (slim.group_by("reporting_period_start_date", "reporting_period_end_date").len()
                  .drop_nulls().sort("len", descending=True))
        file_start = stated["reporting_period_start_date"][0] if stated.height else None
        file_end = stated["reporting_period_end_date"][0] if stated.height else None
        if stated.height > 1:
            other = slim.filter(pl.col("reporting_period_start_date").is_not_null()
                                & pl.col("reporting_period_end_date").is_not_null()
                                & ((pl.col("reporting_period_start_date") != file_start)
                                   | (pl.col("reporting_period_end_date") != file_end)))
            msg = f"reporting period differs from the rest of the file ({file_start:%d/%m/%Y} to {file_end:%d/%m/%Y})"
            self.pieces.append(other.select(
                pl.col(ROW).alias("row"), pl.lit("reporting_period_start_date").alias("field"),
                pl.lit("reporting_period_mixed").alias("rule"), pl.lit(ERROR).alias("severity"),
                (pl.col("reporting_period_start_date").dt.strftime("%d/%m/%Y") + " to "
                 + pl.col("reporting_period_end_date").dt.strftime("%d/%m/%Y")).alias("value"),
                pl.lit(msg).alias("message")))
        if given_start or given_end:
            start, end = given_start or file_start, given_end or file_end
            if file_start and (start, end) != (file_start, file_end):
                file_level.append(_file_issue(
                    "reporting_period_start_date", "reporting_period_mismatch", WARNING,
                    f"the file states {file_start:%d/%m/%Y} to {file_end:%d/%m/%Y} but you asked to check "
                    f"against {start:%d/%m/%Y} to {end:%d/%m/%Y}"))
            return start, end, "given"
        if file_start is None:
            file_level.append(_file_issue("reporting_period_end_date", "reporting_period_unknown", WARNING,
                                          "no row states a valid reporting period, so dates could not be "
                                          "checked against it; give --period-start and --period-end"))
            return None, None, None
        return file_start, file_end, "file"

    def _absent_mandatory(self, file_level: list[dict[str, Any]]) -> None:
        """A whole column missing: once for the file, with how many rows needed it."""
        needed: dict[str, tuple[str, list[str]]] = {}
        for event, spec in self.rules["mandatory"].items():
            for severity, fields in spec.items():
                for col in fields:
                    if col in self.absent and self.type_counts.get(event):
                        sev, events = needed.get(col, (WARNING, []))
                        needed[col] = (ERROR if ERROR in (sev, severity) else WARNING, [*events, event])
        for col in self.absent:
            column = self.contract.column(col)
            if column.required:
                file_level.append(_file_issue(col, "missing_column", ERROR,
                                              f"the file has no '{column.display_header}' column, which every "
                                              "row needs"))
            elif col in needed:
                sev, events = needed[col]
                rows = sum(self.type_counts[e] for e in events)
                file_level.append(_file_issue(col, "missing_column", sev,
                                              f"the file has no '{column.display_header}' column, needed for "
                                              f"{' and '.join(events)} events ({rows:,} rows)"))
        for header in self.extract.header:
            if header and header not in self.mapping:
                file_level.append(_file_issue(header, "unknown_column", WARNING,
                                              f"column '{header}' is not in the CLD specification and is ignored",
                                              value=header))

    def _period_rules(self, slim: pl.DataFrame, start: dt.date | None, end: dt.date | None) -> None:
        if end is None:
            return
        pe = pl.lit(end)
        service = pl.col("event_type") == "Service"
        checks = [
            ("event_start_date", pl.col("event_start_date") > pe, ERROR,
             f"the event starts after the reporting period end ({end:%d/%m/%Y})"),
            ("event_end_date", (pl.col("event_end_date") > pe) & ~service, ERROR,
             f"the event ends after the reporting period end ({end:%d/%m/%Y}); requests, assessments and "
             "reviews are submitted once complete"),
            ("event_end_date", (pl.col("event_end_date") > pe) & service, WARNING,
             f"the service's end date is after the reporting period end ({end:%d/%m/%Y}); a service still "
             "going on at the period end is normally submitted with a blank end date"),
            ("date_of_death", pl.col("date_of_death") > pe, ERROR,
             f"the date of death is after the reporting period end ({end:%d/%m/%Y})"),
        ]
        if start is not None:
            checks.append(("event_end_date", pl.col("event_end_date") < pl.lit(start), WARNING,
                           f"the event ended before the reporting period started ({start:%d/%m/%Y}); DHSC "
                           "leaves it out of this period's figures"))
        for col, cond, severity, message in checks:
            rule = "event_outside_period" if "before the reporting period started" in message \
                else "date_after_period_end"
            hits = slim.filter(cond.fill_null(False))
            if hits.height:
                self.pieces.append(hits.select(
                    pl.col(ROW).alias("row"), pl.lit(col).alias("field"), pl.lit(rule).alias("rule"),
                    pl.lit(severity).alias("severity"),
                    (pl.col(col).dt.strftime("%d/%m/%Y") if col != "date_of_death"
                     else pl.lit("[date withheld]")).alias("value"),
                    pl.lit(message).alias("message")))

    def _duplicates(self, slim: pl.DataFrame) -> None:
        """Exact repeats are errors; the same event (by DHSC's event key) with other differences, warnings."""
        base = slim.select(ROW, "_row_hash", "_event_key").with_columns(
            pl.col(ROW).min().over("_row_hash").alias("_first_same"),
            pl.col(ROW).min().over("_event_key").alias("_first_event"))
        exact = base.filter(pl.col(ROW) != pl.col("_first_same"))
        if exact.height:
            self.pieces.append(exact.select(
                pl.col(ROW).alias("row"), pl.lit("(row)").alias("field"), pl.lit("duplicate_record").alias("rule"),
                pl.lit(ERROR).alias("severity"), pl.lit(None, dtype=pl.String).alias("value"),
                (pl.lit("this row repeats row ") + pl.col("_first_same").cast(pl.String) + pl.lit(" exactly"))
                .alias("message")))
        event = base.filter((pl.col(ROW) == pl.col("_first_same")) & (pl.col(ROW) != pl.col("_first_event")))
        if event.height:
            self.pieces.append(event.select(
                pl.col(ROW).alias("row"), pl.lit("(row)").alias("field"), pl.lit("duplicate_event").alias("rule"),
                pl.lit(WARNING).alias("severity"), pl.lit(None, dtype=pl.String).alias("value"),
                (pl.lit("same event as row ") + pl.col("_first_event").cast(pl.String)
                 + " (same person, event type, dates and type fields) with other fields different; DHSC keeps "
                   "only one of them").alias("message")))

    def _person_conflicts(self, slim: pl.DataFrame) -> None:
        """Each person's date of birth, gender, ethnicity and NHS number should be the same on every row."""
        people = slim.filter(pl.col("_person").is_not_null() & (pl.col("_person") != ""))
        # Identifiers are masked in reports, as ingest masks them (the report may be emailed).
        for col in self.rules["person_details"]:
            values = people.select(ROW, "_person", pl.col(col).cast(pl.String).alias("_v")).drop_nulls("_v")
            firsts = values.group_by("_person", "_v").agg(pl.col(ROW).min().alias("_first"), pl.len().alias("_n"))
            conflicted = firsts.filter(pl.len().over("_person") > 1)
            if conflicted.height == 0:
                continue
            # The most common value is taken as right; the first row of each other value is reported.
            ranked = conflicted.sort(["_person", "_n", "_first"], descending=[False, True, False]).with_columns(
                pl.col("_first").first().over("_person").alias("_main"), pl.len().over("_person").alias("_k"))
            odd = ranked.filter(pl.col("_first") != pl.col("_main"))
            label = self.contract.column(col).display_header.lower()
            if col == "date_of_birth":
                value = pl.lit("[date withheld]")
            elif col == "nhs_number":
                value = pl.lit("•••") + pl.col("_v").str.slice(-3)
            else:
                value = pl.col("_v")
            self.pieces.append(odd.select(
                pl.col("_first").alias("row"), pl.lit(col).alias("field"),
                pl.lit("conflicting_person_details").alias("rule"), pl.lit(ERROR).alias("severity"),
                value.cast(pl.String).alias("value"),
                (pl.lit(f"this person has {label} values that differ between rows: this value first appears here; ")
                 + pl.lit("row ") + pl.col("_main").cast(pl.String) + pl.lit(" has the most common one (")
                 + pl.col("_k").cast(pl.String) + pl.lit(" different values in all)")).alias("message")))
        nhs = people.select(ROW, "_person", "nhs_number").drop_nulls("nhs_number")
        shared = (nhs.group_by("nhs_number", "_person").agg(pl.col(ROW).min().alias("_first"))
                  .filter(pl.len().over("nhs_number") > 1)
                  .sort("nhs_number", "_first")
                  .with_columns(pl.col("_first").first().over("nhs_number").alias("_main"))
                  .filter(pl.col("_first") != pl.col("_main")))
        if shared.height:
            self.pieces.append(shared.select(
                pl.col("_first").alias("row"), pl.lit("nhs_number").alias("field"),
                pl.lit("nhs_number_shared").alias("rule"), pl.lit(WARNING).alias("severity"),
                (pl.lit("•••") + pl.col("nhs_number").str.slice(-3)).alias("value"),
                (pl.lit("the same NHS number is used for a different LA Person Unique Identifier on row ")
                 + pl.col("_main").cast(pl.String)).alias("message")))

    def _malformed(self) -> None:
        rows = self.extract.malformed
        if rows:
            self.pieces.append(pl.DataFrame(
                {"row": [r.row for r in rows], "field": ["(row)"] * len(rows),
                 "rule": ["field_count"] * len(rows), "severity": [ERROR] * len(rows),
                 "value": [None] * len(rows), "message": [r.reason for r in rows]}, schema=ISSUE_SCHEMA))


def _unreadable(result: CldValidation, reason: str, rule: str = "unreadable_file") -> CldValidation:
    result.readable = False
    result.reason = reason
    result.issues = pl.DataFrame([_file_issue("(file)", rule, ERROR, reason)], schema=ISSUE_SCHEMA)
    return result


def _looks_like_cld(contract: Contract, extract: Extract) -> bool:
    """At least the core columns (event type and start, person id) must be recognisable."""
    found = set(contract.match_header(extract.header).values())
    return {"event_type", "event_start_date", "la_person_unique_identifier"} <= found


def validate_cld(path: Path | str, period_start: dt.date | None = None, period_end: dt.date | None = None,
                 today: dt.date | None = None) -> CldValidation:
    """Validate one CLD file (CSV or XLSX). Never raises for a bad file: see ``CldValidation.readable``.

    ``period_start``/``period_end`` are the submission's reporting period; when not given, the
    period most rows state is used. ``today`` is the date after which no event can have started.
    """
    path = Path(path)
    started = time.perf_counter()
    result = CldValidation(file=path.name)
    contract = get_contract("cld")
    today = today or dt.date.today()
    encoding: str | None = None
    try:
        for _attempt in (1, 2):
            try:
                extract = open_extract(path, encoding=encoding)
                result.format, result.encoding = extract.format, extract.encoding
                if not _looks_like_cld(contract, extract):
                    expected = ", ".join(contract.column(c).display_header
                                         for c in ("la_person_unique_identifier", "event_type", "event_start_date"))
                    return _unreadable(result, f"the header is not a CLD header (expected columns such as "
                                               f"{expected}); found: {', '.join(extract.header[:8])[:300]}",
                                       rule="not_a_cld_file")
                run = _Run(contract, extract, today)
                for batch in extract.batches:
                    run.batch(batch)
                break
            except EncodingMismatch:
                encoding = "cp1252"  # looked like UTF-8 at the start but isn't: read again as Windows-1252
        else:  # pragma: no cover - open_extract with cp1252 cannot raise EncodingMismatch
            return _unreadable(result, "text encoding is neither UTF-8 nor Windows-1252")
        result.rows, result.blank_rows = run.rows, run.blank_rows + extract.blank_rows
        result.issues = run.finish(period_start, period_end, result)
    except UnreadableFile as exc:
        reason = exc.reason
        if "straddl" in reason:  # PyArrow's words for a single row longer than its read block (32 MB)
            reason = "a row is too long to read (over 32 MB): the file is probably damaged or not a CLD file"
        return _unreadable(result, reason)
    except (MemoryError, RecursionError):
        return _unreadable(result, "the file is too large or too deeply nested to check on this computer")
    except Exception as exc:  # a bad file must never crash the validator; say what happened instead
        return _unreadable(result, f"the file could not be checked ({exc.__class__.__name__}: {str(exc)[:200]})")
    finally:
        result.seconds = time.perf_counter() - started
    return result
