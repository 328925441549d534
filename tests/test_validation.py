"""Every validation rule and every accepted date/boolean/number/code format, at the row level."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from asc_assure.data.contracts import Column, Contract, all_contracts, parse_contract
from asc_assure.data.readers import ROW
from asc_assure.data.validate import BatchValidator
from asc_assure.domain.nhs_number import check_digit, complete, is_valid

EXTRACT_DATE = dt.date(2025, 3, 31)
PATTERN_EXAMPLES = {
    "^\\d{3}$": "931",
    "^[A-Z]\\d{5}$": "K84001",
    "^1-\\d{6,12}$": "1-123456789",
    "^E01\\d{6}$": "E01001234",
    "^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)(;(Mon|Tue|Wed|Thu|Fri|Sat|Sun))*$": "Mon;Tue;Wed",
    "^E(06|07|08|09|10)\\d{6}$": "E10000025",
    "^[0-9A-Z]{2}$": "21",
    "^[1-9]$": "1",
    "^\\d{2}$": "19",
}


def valid_text(col: Column) -> str:
    """A value that passes every single-column check of ``col``."""
    if col.pattern:
        return PATTERN_EXAMPLES[col.pattern]
    return {
        "string": "text",
        "date": "2025-01-01",
        "boolean": "Y",
        "integer": "1",
        "number": "1.5",
        "nhs_number": "9434765919",
        "postcode": "OX1 1AA",
    }.get(col.type) or col.values[0]


def validate_rows(contract: Contract, rows: list[dict[str, str]]):
    data = {c.name: [r.get(c.name, "") for r in rows] for c in contract.columns}
    data[ROW] = list(range(2, len(rows) + 2))
    frame = pl.DataFrame(data, schema={**{c.name: pl.String for c in contract.columns}, ROW: pl.Int64})
    return BatchValidator(contract, EXTRACT_DATE).validate(frame)


def full_row(contract: Contract) -> dict[str, str]:
    return {c.name: valid_text(c) for c in contract.columns}


def one_column(spec: dict) -> Contract:
    return parse_contract({"kind": "t", "title": "T", "version": "1", "supersede": "key", "key": ["v"],
                           "columns": [spec]})


def check_one(spec: dict, text: str):
    result = validate_rows(one_column(spec), [{"v": text}])
    return result.parsed["v"][0], result.issues


@pytest.mark.parametrize("kind", list(all_contracts()))
def test_a_fully_filled_valid_row_passes_every_contract(kind):
    contract = all_contracts()[kind]
    result = validate_rows(contract, [full_row(contract)])
    assert result.issues.height == 0, result.issues.to_dicts()


def _violations():
    for kind, contract in all_contracts().items():
        for rule in contract.rules:
            yield pytest.param(kind, rule, id=f"{kind}:{rule.name}")


@pytest.mark.parametrize(("kind", "rule"), list(_violations()))
def test_every_cross_field_rule_catches_its_violation(kind, rule):
    contract = all_contracts()[kind]
    row = full_row(contract)
    if rule.type == "not_before":
        row[rule.column], row[rule.other] = "2025-01-01", "2025-01-02"
    elif rule.type == "requires":
        row[rule.other] = ""
    elif rule.type == "not_after_extract":
        row[rule.column] = (EXTRACT_DATE + dt.timedelta(days=1)).isoformat()
    else:
        for col, vals in rule.when.items():
            if vals != "present":
                target = contract.column(col)
                row[col] = "Y" if target.type == "boolean" else vals[0]
        row[rule.column] = ""
    result = validate_rows(contract, [row])
    hits = result.issues.filter(pl.col("rule") == rule.name)
    assert hits.height == 1, result.issues.to_dicts()
    assert hits["severity"][0] == rule.severity
    assert bool(result.bad[0]) == (rule.severity == "error" or
                                   result.issues.filter(pl.col("severity") == "error").height > 0)
    # and the same rule is quiet on the valid row
    clean = validate_rows(contract, [full_row(contract)])
    assert clean.issues.filter(pl.col("rule") == rule.name).height == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2025-01-31", dt.date(2025, 1, 31)), ("31/01/2025", dt.date(2025, 1, 31)), ("1/2/2025", dt.date(2025, 2, 1)),
     (" 2025-01-31 ", dt.date(2025, 1, 31)), ("2025-01-31 00:00:00", dt.date(2025, 1, 31)),
     ("2025-01-31T00:00:00", dt.date(2025, 1, 31)), ("29/02/2024", dt.date(2024, 2, 29))],
)
def test_dates_accept_iso_and_uk_forms(text, expected):
    value, issues = check_one({"name": "v", "type": "date"}, text)
    assert value == expected
    assert issues.height == 0


@pytest.mark.parametrize("text", ["31/02/2024", "2025-13-01", "29/02/2025", "yesterday", "01/31/2025", "2025/01/31",
                                  "45000"])
def test_impossible_or_ambiguous_dates_are_errors(text):
    value, issues = check_one({"name": "v", "type": "date"}, text)
    assert value is None
    assert issues["rule"].to_list() == ["date_format"]
    assert issues["value"][0] == text


def test_implausible_years_are_errors():
    _, issues = check_one({"name": "v", "type": "date"}, "1066-10-14")
    assert issues["rule"].to_list() == ["date_range"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Y", True), ("y", True), ("Yes", True), ("TRUE", True), ("true", True), ("1", True),
     ("N", False), ("no", False), ("FALSE", False), ("0", False), ("No ", False)],
)
def test_booleans_accept_the_usual_spellings(text, expected):
    value, issues = check_one({"name": "v", "type": "boolean"}, text)
    assert value is expected
    assert issues.height == 0


@pytest.mark.parametrize("text", ["maybe", "2", "yess", "-"])
def test_other_boolean_text_is_an_error(text):
    value, issues = check_one({"name": "v", "type": "boolean"}, text)
    assert value is None
    assert issues["rule"].to_list() == ["boolean"]


@pytest.mark.parametrize(("text", "expected"), [("12", 12), ("1,200", 1200), ("7.0", 7), ("-3", -3)])
def test_integers(text, expected):
    value, issues = check_one({"name": "v", "type": "integer"}, text)
    assert value == expected
    assert issues.height == 0


@pytest.mark.parametrize("text", ["1.5", "twelve", "1e3"])
def test_non_integers_are_errors(text):
    _, issues = check_one({"name": "v", "type": "integer"}, text)
    assert issues["rule"].to_list() == ["integer"]


@pytest.mark.parametrize(("text", "expected"), [("£1,234.50", 1234.5), ("0.25", 0.25), ("17", 17.0)])
def test_numbers_allow_pounds_and_thousands(text, expected):
    value, issues = check_one({"name": "v", "type": "number"}, text)
    assert value == expected
    assert issues.height == 0


@pytest.mark.parametrize("text", ["abc", "1.2.3", "nan"])
def test_non_numbers_are_errors(text):
    _, issues = check_one({"name": "v", "type": "number"}, text)
    assert issues["rule"].to_list() == ["number"]


def test_minimum_and_maximum():
    spec = {"name": "v", "type": "integer", "min": 1, "max": 10}
    assert check_one(spec, "0")[1]["rule"].to_list() == ["minimum"]
    assert check_one(spec, "11")[1]["rule"].to_list() == ["maximum"]
    assert check_one(spec, "10")[1].height == 0


@pytest.mark.parametrize(("text", "expected"), [("high", "high"), ("High", "high"), (" HIGH ", "high"),
                                                ("S42 Enquiry", "s42_enquiry"), ("s42-enquiry", "s42_enquiry")])
def test_codes_ignore_case_spaces_and_punctuation(text, expected):
    spec = {"name": "v", "type": "enum", "values": ["high", "low", "s42_enquiry"]}
    value, issues = check_one(spec, text)
    assert value == expected
    assert issues.height == 0


def test_unknown_codes_are_errors_naming_the_allowed_values():
    _, issues = check_one({"name": "v", "type": "enum", "values": ["high", "medium", "low"]}, "urgent")
    assert issues["rule"].to_list() == ["allowed_values"]
    assert "high, medium, low" in issues["message"][0]


def test_release_1_cld_labels_map_to_release_2_with_a_warning():
    cld = all_contracts()["cld"]
    row = full_row(cld)
    row["client_type"] = "Carer"
    row["service_type"] = "Long Term Support: Nursing Care"  # capitalisation-only change: silent
    result = validate_rows(cld, [row])
    assert result.parsed["client_type"][0] == "Unpaid carer"
    assert result.parsed["service_type"][0] == "Long term support: Nursing care"
    assert result.issues.select("column", "rule", "severity").to_dicts() == [
        {"column": "client_type", "rule": "release_1_value", "severity": "warning"}]
    assert not result.bad[0]


def test_unenforced_code_lists_keep_the_submitted_value():
    cld = all_contracts()["cld"]
    row = full_row(cld)
    row["assessment_type"] = "Some local assessment"
    result = validate_rows(cld, [row])
    assert result.parsed["assessment_type"][0] == "Some local assessment"
    assert result.issues.height == 0


@pytest.mark.parametrize("text", ["9434765919", "943 476 5919", "943-476-5919"])
def test_valid_nhs_numbers(text):
    value, issues = check_one({"name": "v", "type": "nhs_number"}, text)
    assert value == "9434765919"
    assert issues.height == 0


@pytest.mark.parametrize("text", ["9434765918", "943476591", "94347659190", "943476591X", "0000000001"])
def test_invalid_nhs_numbers_are_errors_with_the_value_masked(text):
    spec = {"name": "v", "type": "nhs_number", "pii": "nhs_number"}
    value, issues = check_one(spec, text)
    assert value is None
    assert issues["rule"].to_list() == ["nhs_number"]
    assert text not in issues["value"][0]


def test_nine_digits_whose_check_digit_would_be_ten_never_validate():
    nine = next(f"{n:09d}" for n in range(100000000, 100000200) if check_digit(f"{n:09d}") is None)
    assert complete(nine) is None
    assert not any(is_valid(nine + str(d)) for d in range(10))
    _, issues = check_one({"name": "v", "type": "nhs_number"}, nine + "0")
    assert issues["rule"].to_list() == ["nhs_number"]


@pytest.mark.parametrize(("text", "expected"), [("OX1 1AA", "OX1 1AA"), ("ox11aa", "OX1 1AA"),
                                                ("SW1A 2AA", "SW1A 2AA"), ("m1 1ae", "M1 1AE")])
def test_postcodes_are_normalised(text, expected):
    value, issues = check_one({"name": "v", "type": "postcode"}, text)
    assert value == expected
    assert issues.height == 0


@pytest.mark.parametrize("text", ["OX1", "12345", "OXX 1AA1"])
def test_invalid_postcodes(text):
    _, issues = check_one({"name": "v", "type": "postcode"}, text)
    assert issues["rule"].to_list() == ["postcode"]


def test_patterns():
    spec = {"name": "v", "type": "string", "pattern": "^\\d{3}$"}
    assert check_one(spec, "931")[1].height == 0
    assert check_one(spec, "93A")[1]["rule"].to_list() == ["pattern"]


@pytest.mark.parametrize("text", ["", "   "])
def test_required_columns_cannot_be_blank(text):
    _, issues = check_one({"name": "v", "type": "string", "required": True}, text)
    assert issues["rule"].to_list() == ["required"]


def test_blank_optional_values_are_null_and_fine():
    for ctype in ["string", "date", "boolean", "integer", "number", "nhs_number", "postcode"]:
        value, issues = check_one({"name": "v", "type": ctype}, "  ")
        assert value is None
        assert issues.height == 0


def test_a_row_reports_every_problem_not_just_the_first():
    contract = all_contracts()["referrals"]
    row = full_row(contract)
    row.update(received_date="31/02/2025", priority="urgent", nhs_number="1234567890", team="")
    result = validate_rows(contract, [row])
    assert sorted(result.issues["column"].to_list()) == ["nhs_number", "priority", "received_date", "team"]
