"""The shape of what the store keeps for each contract: typed columns, pseudonyms and provenance.

Personal identifiers never reach the analytic tables in clear: NHS numbers become
``<name>_pseudo``, person and case references keep their column name but hold pseudonyms, dates of
birth are cut to the first of the month and postcodes are reduced to sector and district.
"""

from __future__ import annotations

import pyarrow as pa

from asc_assure.data.contracts import Column, Contract

PROVENANCE: list[tuple[str, pa.DataType]] = [
    ("_load_id", pa.string()),
    ("_load_seq", pa.int64()),
    ("_as_of", pa.date32()),
    ("_loaded_at", pa.timestamp("us", tz="UTC")),
    ("_source_file", pa.string()),
    ("_file_sha256", pa.string()),
    ("_row", pa.int64()),
]

ARROW_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "enum": pa.string(),
    "date": pa.date32(),
    "boolean": pa.bool_(),
    "integer": pa.int64(),
    "number": pa.float64(),
    "nhs_number": pa.string(),
    "postcode": pa.string(),
}


def stored_fields(col: Column) -> list[tuple[str, pa.DataType]]:
    """The stored column(s) a contract column becomes."""
    if col.pii == "nhs_number":
        return [(f"{col.name}_pseudo", pa.string())]
    if col.pii == "postcode":
        return [(f"{col.name}_sector", pa.string()), (f"{col.name}_district", pa.string())]
    return [(col.name, ARROW_TYPES[col.type])]


def stored_schema(contract: Contract) -> pa.Schema:
    fields: list[tuple[str, pa.DataType]] = []
    for col in contract.columns:
        fields.extend(stored_fields(col))
    return pa.schema(fields + PROVENANCE)


QUARANTINE_EXTRA: list[tuple[str, pa.DataType]] = [
    ("_errors", pa.string()),
]


def quarantine_schema(contract: Contract) -> pa.Schema:
    """Quarantined rows keep the submitted text (identifiers masked) plus the reasons."""
    fields = [(c.name, pa.string()) for c in contract.columns]
    return pa.schema(fields + QUARANTINE_EXTRA + PROVENANCE)


ISSUES_SCHEMA = pa.schema(
    [
        ("_row", pa.int64()),
        ("column", pa.string()),
        ("value", pa.string()),
        ("rule", pa.string()),
        ("message", pa.string()),
        ("severity", pa.string()),
        ("_load_id", pa.string()),
        ("_source_file", pa.string()),
    ]
)

RESTRICTED_SCHEMA = pa.schema(
    [
        ("pseudonym", pa.string()),
        ("local_ref", pa.string()),
        ("identifier", pa.string()),
        ("column", pa.string()),
        ("_load_id", pa.string()),
    ]
)
