"""The published contract, the templates and the validator all come from the same YAML."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from asc_assure.data.contract_docs import render_markdown, write_templates
from asc_assure.data.contracts import (
    KINDS,
    ContractError,
    all_contracts,
    get_contract,
    normalise_header,
    parse_contract,
)

DOCS = Path(__file__).resolve().parents[1] / "docs" / "data-contract.md"


def test_every_kind_named_in_the_issue_has_a_contract():
    for kind in ["cld", "referrals", "safeguarding_concerns", "safeguarding_enquiries", "dols_applications",
                 "reviews", "brokerage", "workforce", "teams", "targets"]:
        assert kind in all_contracts()


@pytest.mark.parametrize(
    ("kind", "columns"),
    [
        ("referrals", ["referral_id", "person_id", "received_date", "team", "locality", "priority",
                       "first_contact_date", "assessment_start_date", "assessment_completed_date",
                       "closed_date", "closure_reason"]),
        ("safeguarding_concerns", ["concern_id", "person_id", "received_date", "urgent",
                                   "triage_completed_date", "decision", "enquiry_id"]),
        ("safeguarding_enquiries", ["enquiry_id", "concern_id", "person_id", "start_date", "allocated_date",
                                    "completed_date", "msp_asked", "msp_outcome", "risk_outcome"]),
        ("dols_applications", ["application_id", "person_id", "received_date", "urgent", "screening_priority",
                               "completed_date", "outcome"]),
        ("reviews", ["person_id", "service_id", "service_start_date", "last_review_date",
                     "review_completed_date"]),
        ("brokerage", ["request_id", "person_id", "service_type", "requested_date", "sourced_date"]),
        ("workforce", ["snapshot_date", "team", "role", "headcount", "fte", "vacancies_fte", "agency_fte",
                       "leavers_12m"]),
    ],
)
def test_minimum_columns_from_the_issue_are_present(kind, columns):
    assert set(columns) <= set(get_contract(kind).column_names)


def test_code_lists_match_the_issue():
    assert get_contract("safeguarding_concerns").column("decision").values == (
        "s42_enquiry", "other_enquiry", "no_enquiry")
    assert get_contract("safeguarding_enquiries").column("msp_outcome").values == (
        "fully", "partially", "not_achieved", "not_expressed")
    assert get_contract("safeguarding_enquiries").column("risk_outcome").values == (
        "removed", "reduced", "remains", "not_applicable")
    assert get_contract("dols_applications").column("outcome").values == ("granted", "not_granted", "withdrawn")
    assert get_contract("brokerage").column("service_type").values == ("home_care", "care_home")


def test_cld_uses_the_specification_headers_and_release_2_lists():
    cld = get_contract("cld")
    headers = [c.display_header for c in cld.columns]
    for h in ["LA Code", "NHS Number", "LA Person Unique Identifier", "Event Type", "Event Start Date",
              "Event End Date", "Event Outcome", "Request: Route of Access", "Service Type", "Service Component",
              "Delivery Mechanism", "Cost Frequency (Unit Type)", "Adult 1 Linked Person_ID"]:
        assert h in headers
    assert "Short term support: ST-Max" in cld.column("service_type").values
    assert cld.column("client_type").aliases["Carer"] == "Unpaid carer"
    assert cld.supersede == "partition"


@pytest.mark.parametrize(
    ("header", "expected"),
    [("LA Code", "la_code"), ("LA_Code", "la_code"), ("\ufeffla code ", "la_code"),
     ("Request: Route of Access", "request_route_of_access"),
     ("Cost Frequency (Unit Type)", "cost_frequency_unit_type"),
     ("No. of adults being cared for", "no_of_adults_being_cared_for")],
)
def test_headers_fold_to_one_name(header, expected):
    assert normalise_header(header) == expected


def test_published_contract_document_is_up_to_date():
    assert DOCS.read_text(encoding="utf-8") == render_markdown(), (
        "docs/data-contract.md is stale: run `asc-assure contracts doc --out docs/data-contract.md`")


def test_templates_have_every_column_in_contract_order(tmp_path):
    written = write_templates(tmp_path)
    assert {p.stem for p in written} == set(KINDS)
    for path in written:
        with path.open(encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
        assert rows == [[c.display_header for c in get_contract(path.stem).columns]]


@pytest.mark.parametrize(
    ("mutation", "message"),
    [
        ({"columns": [{"name": "a", "type": "colour"}]}, "unknown type"),
        ({"columns": [{"name": "a", "type": "enum"}]}, "enum without values"),
        ({"key": ["nope"]}, "key column"),
        ({"supersede": "sometimes"}, "supersede"),
        ({"rules": [{"type": "not_before", "column": "a", "other": "zz"}]}, "unknown column"),
        ({"rules": [{"type": "guess", "column": "a"}]}, "unknown rule type"),
    ],
)
def test_malformed_contracts_are_rejected_with_a_reason(mutation, message):
    raw = {"kind": "x", "title": "X", "version": "1", "supersede": "key", "key": ["a"],
           "columns": [{"name": "a", "type": "string"}]}
    raw.update(mutation)
    with pytest.raises(ContractError, match=message):
        parse_contract(raw)
