"""CLD pre-submission validation: every problem found with row, field and rule; bad files never crash."""

from __future__ import annotations

import csv
import datetime as dt
import json
import time
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from asc_assure.cli import app
from asc_assure.data.cld_validate import CldValidation, cld_rules, validate_cld
from asc_assure.data.contracts import get_contract
from asc_assure.domain.nhs_number import complete
from asc_assure.reports.cld_validation import render_html, write_excel

TODAY = dt.date(2025, 8, 1)
NHS_A = complete("943476591")
NHS_B = complete("401023213")


def nhs_for(person: str) -> str:
    """A valid NHS number of the person's own (people sharing one is itself a warning)."""
    seed = 400_000_000 + sum(ord(ch) * 7919 ** i for i, ch in enumerate(person)) % 99_000_000
    while (number := complete(str(seed))) is None:
        seed += 1
    return number
HEADERS = [c.display_header for c in get_contract("cld").columns]


def base(person: str = "P1", **overrides: str) -> dict[str, str]:
    """A valid Request row in the Q1 2025-26 period; overrides by contract column name."""
    row = {
        "la_code": "931", "reporting_period_start_date": "2025-04-01", "reporting_period_end_date": "2025-06-30",
        "nhs_number": nhs_for(person), "la_person_unique_identifier": person, "gender": "Female",
        "ethnicity": "White: Irish", "date_of_birth": "1950-03-12", "client_type": "Service user",
        "event_type": "Request", "event_start_date": "2025-04-03", "event_end_date": "2025-04-10",
        "event_outcome": "Progress to assessment, review or reassessment",
        "request_route_of_access": "Community / other route",
    }
    row.update(overrides)
    return row


def service(person: str = "P1", **overrides: str) -> dict[str, str]:
    values = {"event_type": "Service", "event_outcome": "", "request_route_of_access": "",
              "service_type": "Long term support: Community", "service_component": "Home support or domiciliary care",
              "event_start_date": "2025-05-01", "event_end_date": "", "cost_frequency_unit_type": "Hourly"}
    return base(person, **{**values, **overrides})


def write(path: Path, rows: list[dict[str, str]], headers: list[str] | None = None) -> Path:
    cols = get_contract("cld").columns
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(headers or HEADERS)
        for r in rows:
            w.writerow([r.get(c.name, "") for c in cols])
    return path


def issues_for(result: CldValidation, rule: str) -> list[dict]:
    return [i for i in result.issue_rows() if i["rule"] == rule]


def test_a_clean_file_has_no_problems_and_exit_code_0(tmp_path: Path) -> None:
    path = write(tmp_path / "clean.csv", [base(), service()])
    result = validate_cld(path, today=TODAY)
    assert result.readable and result.rows == 2
    assert result.issue_rows() == []
    assert result.exit_code == 0 and result.status == "clean"
    assert (result.period_start, result.period_end, result.period_source) == (
        dt.date(2025, 4, 1), dt.date(2025, 6, 30), "file")


def test_one_of_each_problem_is_reported_with_row_field_and_rule(tmp_path: Path) -> None:
    rows = [
        base("P1"),                                                        # row 2: fine
        base("P2", event_outcome=""),                                      # 3: outcome mandatory on requests
        base("P3", ethnicity="Martian"),                                   # 4: outside the defined list
        base("P4", event_start_date="31/02/2025"),                         # 5: impossible date
        base("P5", event_end_date="2025-04-01"),                           # 6: end before start
        base("P6", event_start_date="2025-07-02", event_end_date="2025-07-03"),  # 7: after the period end
        base("P1"),                                                        # 8: exact repeat of row 2
        base("P7", nhs_number=NHS_B, date_of_birth="1950-03-12"),          # 9: P7 first DOB
        base("P7", nhs_number=NHS_B, date_of_birth="1951-03-12", event_start_date="2025-05-03",
             event_end_date="2025-05-04"),                                 # 10: P7 conflicting DOB
        base("P8", nhs_number="9434765918"),                               # 11: fails the check digit
        service("P9", service_component=""),                               # 12: component mandatory on services
        base("P10", service_type="Long term support: Community"),          # 13: service type on a request
        base("P11", event_type="Assessment", assessment_type="Long term assessment",
             event_start_date="2025-01-02", event_end_date="2025-02-01",
             method_of_assessment="Face to face", eligible_needs_identified="Yes"),  # 14: ended before period
    ]
    result = validate_cld(write(tmp_path / "bad.csv", rows), today=TODAY)
    found = {(i["row"], i["field"], i["rule"], i["severity"]) for i in result.issue_rows()}
    expected = {
        (3, "Event Outcome", "mandatory_for_event_type", "error"),
        (4, "Ethnicity", "allowed_values", "error"),
        (5, "Event Start Date", "date_format", "error"),
        (6, "Event End Date", "event_end_date_not_before_event_start_date", "error"),
        (7, "Event Start Date", "date_after_period_end", "error"),
        (8, "(row)", "duplicate_record", "error"),
        (10, "Date of Birth", "conflicting_person_details", "error"),
        (11, "NHS Number", "nhs_number", "error"),
        (12, "Service Component", "mandatory_for_event_type", "error"),
        (13, "Service Type", "not_applicable_to_event_type", "warning"),
        (14, "Event End Date", "event_outside_period", "warning"),
    }
    assert expected <= found, expected - found
    assert not any(r == 2 for r, *_ in found), "the clean row has no issues"
    assert result.exit_code == 1 and result.status == "errors"
    dup = issues_for(result, "duplicate_record")[0]
    assert "row 2" in dup["message"]
    bad_nhs = issues_for(result, "nhs_number")[0]
    assert bad_nhs["value"] == "•••918", "NHS numbers are masked in reports"
    summary = {(s["rule"], s["severity"]): s["count"] for s in result.summary()}
    assert summary[("mandatory_for_event_type", "error")] == 2
    assert summary[("duplicate_record", "error")] == 1


def test_messages_name_fields_by_their_headers(tmp_path: Path) -> None:
    result = validate_cld(write(tmp_path / "f.csv", [base(event_end_date="2025-04-01")]), today=TODAY)
    (issue,) = issues_for(result, "event_end_date_not_before_event_start_date")
    assert "'Event End Date'" in issue["message"] and "event_end_date" not in issue["message"]


def test_release_1_labels_are_accepted_with_a_warning_and_case_does_not_matter(tmp_path: Path) -> None:
    rows = [base(client_type="Service User", event_outcome="Progress to Assessment"),
            service("P2", service_type="Long Term Support: Community", delivery_mechanism="Direct Payment"),
            base("P3", ethnicity="white: irish")]
    result = validate_cld(write(tmp_path / "r1.csv", rows), today=TODAY)
    r1 = {(i["row"], i["field"]) for i in issues_for(result, "release_1_value")}
    assert {(2, "Event Outcome"), (3, "Service Type"), (3, "Delivery Mechanism")} <= r1
    assert all(i["severity"] == "warning" for i in issues_for(result, "release_1_value"))
    assert not issues_for(result, "allowed_values"), "R1 labels and other capitalisation are not errors"
    assert result.exit_code == 0


def test_the_same_event_twice_and_a_shared_nhs_number_are_warnings(tmp_path: Path) -> None:
    rows = [base("P1"), base("P1", event_description="resubmitted"), base("P2", nhs_number=nhs_for("P1"))]
    result = validate_cld(write(tmp_path / "f.csv", rows), today=TODAY)
    (dup,) = issues_for(result, "duplicate_event")
    assert dup["row"] == 3 and dup["severity"] == "warning" and "row 2" in dup["message"]
    (shared,) = issues_for(result, "nhs_number_shared")
    assert shared["row"] == 4


def test_period_given_on_the_command_line_wins_and_a_mismatch_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path / "f.csv", [base()])
    result = validate_cld(path, dt.date(2025, 1, 1), dt.date(2025, 3, 31), today=TODAY)
    assert result.period_source == "given"
    assert issues_for(result, "reporting_period_mismatch")
    assert {i["field"] for i in issues_for(result, "date_after_period_end")} == {"Event Start Date",
                                                                                  "Event End Date"}


def test_rows_from_another_period_are_errors(tmp_path: Path) -> None:
    rows = [base(), base("P2"), base("P3", reporting_period_start_date="2025-01-01",
                                     reporting_period_end_date="2025-03-31")]
    result = validate_cld(write(tmp_path / "f.csv", rows), today=TODAY)
    (mixed,) = issues_for(result, "reporting_period_mixed")
    assert mixed["row"] == 4 and result.period_end == dt.date(2025, 6, 30)


def test_missing_columns_are_reported_once_for_the_file(tmp_path: Path) -> None:
    keep = [c for c in get_contract("cld").columns if c.name not in {"service_component", "client_type"}]
    path = tmp_path / "f.csv"
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow([c.display_header for c in keep] + ["Favourite Colour"])
        for r in [base(), service("P2")]:
            w.writerow([r.get(c.name, "") for c in keep] + ["blue"])
    result = validate_cld(path, today=TODAY)
    missing = {i["field"]: i for i in issues_for(result, "missing_column")}
    assert set(missing) == {"Client Type", "Service Component"}
    assert missing["Client Type"]["row"] is None and missing["Client Type"]["severity"] == "error"
    assert "Service events (1 rows)" in missing["Service Component"]["message"]
    assert not [i for i in result.issue_rows() if i["row"] is not None and i["field"] == "Client Type"]
    assert issues_for(result, "unknown_column")[0]["field"] == "Favourite Colour"


@pytest.mark.parametrize("content, reason", [
    (b"", "empty"),
    (b"\x00\x01\x02binary\x00" * 100, "NUL"),
    (b"name,age\nAda,36\n", "not a CLD header"),
    (b"%PDF-1.4 not data", "PDF"),
    (b"PK\x03\x04broken zip", "damaged Excel"),
])
def test_unreadable_files_are_reported_not_raised(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    result = validate_cld(path, today=TODAY)
    assert not result.readable and result.exit_code == 2
    assert reason in result.reason
    (issue,) = result.issue_rows()
    assert issue["row"] is None and issue["severity"] == "error"


def test_a_missing_file_and_a_folder_are_unreadable(tmp_path: Path) -> None:
    assert validate_cld(tmp_path / "nope.csv").exit_code == 2
    assert validate_cld(tmp_path).exit_code == 2


def test_rows_with_too_many_fields_and_windows_1252_text_are_handled(tmp_path: Path) -> None:
    path = write(tmp_path / "f.csv", [base(), base("P2")])
    text = path.read_text(encoding="utf-8")
    text += "931,2025-04-01,2025-06-30," + ",".join(["x"] * 80) + "\n"
    text = text.replace("Female", "Fémale", 1)
    path.write_bytes(text.encode("cp1252"))
    result = validate_cld(path, today=TODAY)
    assert result.readable and result.encoding == "cp1252"
    (malformed,) = issues_for(result, "field_count")
    assert malformed["row"] == 4


def test_xlsx_files_validate_like_csv(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADERS)
    cols = get_contract("cld").columns
    for r in [base(), base("P2", ethnicity="Martian")]:
        ws.append([r.get(c.name, "") for c in cols])
    wb.save(tmp_path / "f.xlsx")
    result = validate_cld(tmp_path / "f.xlsx", today=TODAY)
    assert result.format == "xlsx"
    assert [(i["row"], i["rule"]) for i in result.issue_rows()] == [(3, "allowed_values")]


def test_excel_report_has_summary_and_filterable_issues_sheet(tmp_path: Path) -> None:
    rows = [base(), base("P2", ethnicity="Martian"), base("P3", event_outcome="")]
    result = validate_cld(write(tmp_path / "f.csv", rows), today=TODAY)
    out = write_excel(result, tmp_path / "report.xlsx")
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Summary", "Issues"]
    issues = wb["Issues"]
    assert [c.value for c in issues[1]] == ["Row", "Field", "Rule", "Severity", "Value", "Message"]
    assert issues.auto_filter.ref == "A1:F3"
    assert {issues.cell(r, 3).value for r in (2, 3)} == {"allowed_values", "mandatory_for_event_type"}
    summary_text = " ".join(str(c.value) for row in wb["Summary"].iter_rows() for c in row if c.value)
    assert "Errors found" in summary_text and "allowed_values" in summary_text


def test_html_report_is_self_contained_and_accessible(tmp_path: Path) -> None:
    result = validate_cld(write(tmp_path / "f.csv", [base(), base("P2", ethnicity="<b>Martian</b>")]), today=TODAY)
    html = render_html(result)
    assert "<caption>" in html and 'scope="col"' in html and 'lang="en-GB"' in html
    assert "http://" not in html and "https://" not in html and "<link" not in html and "<script" not in html
    assert "&lt;b&gt;Martian&lt;/b&gt;" in html, "values are escaped"
    assert ">error<" in html, "severity is written as text, not only colour"


def test_rules_file_names_only_contract_columns() -> None:
    rules = cld_rules()
    assert set(rules["mandatory"]) == {"Request", "Assessment", "Service", "Review"}


def test_cli_validate_exit_codes_json_and_reports(tmp_path: Path) -> None:
    runner = CliRunner()
    clean = write(tmp_path / "clean.csv", [base()])
    res = runner.invoke(app, ["cld", "validate", str(clean), "--today", "2025-08-01"])
    assert res.exit_code == 0, res.output
    assert "No problems found" in res.output
    bad = write(tmp_path / "bad.csv", [base(), base("P2", event_outcome="")])
    res = runner.invoke(app, ["cld", "validate", str(bad), "--json", "--today", "2025-08-01",
                              "--out", str(tmp_path / "r.html")])
    assert res.exit_code == 1
    data = json.loads(res.stdout)
    assert data["errors"] == 1 and data["issues"][0]["row"] == 3
    assert (tmp_path / "r.html").exists()
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    res = runner.invoke(app, ["cld", "validate", str(empty)])
    assert res.exit_code == 2 and "cannot be read" in res.output
    res = runner.invoke(app, ["cld", "validate", str(clean), "--out", str(tmp_path / "r.pdf")])
    assert res.exit_code == 2


def test_200k_rows_validate_in_reasonable_time(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    cols = get_contract("cld").columns
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADERS)
        for i in range(200_000):
            r = base(f"P{i % 40_000}", event_start_date=f"2025-04-{1 + i % 28:02d}",
                     event_end_date=f"2025-05-{1 + i % 28:02d}", event_description=str(i))
            w.writerow([r.get(c.name, "") for c in cols])
    started = time.perf_counter()
    result = validate_cld(path, today=TODAY)
    elapsed = time.perf_counter() - started
    assert result.rows == 200_000
    assert elapsed < 60, f"took {elapsed:.1f}s"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.binary(max_size=2000), header=st.booleans())
def test_random_bytes_never_crash_the_validator(tmp_path: Path, body: bytes, header: bool) -> None:
    path = tmp_path / "fuzz.csv"
    path.write_bytes((",".join(HEADERS).encode() + b"\n" if header else b"") + body)
    result = validate_cld(path, today=TODAY)
    assert result.exit_code in {0, 1, 2}
    assert isinstance(result.to_dict(), dict)
    render_html(result)


def test_a_very_long_field_is_reported_shortened(tmp_path: Path) -> None:
    result = validate_cld(write(tmp_path / "f.csv", [base(ethnicity="x" * 1_000_000)]), today=TODAY)
    (issue,) = issues_for(result, "allowed_values")
    assert len(issue["value"]) == 200
