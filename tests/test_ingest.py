"""Ingest: rows are loaded or quarantined with reasons, never lost; loads are atomic and repeatable."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asc_assure.data import audit
from asc_assure.data.ingest import UnrecognisedFile, detect_contract, ingest_file, ingest_files
from asc_assure.data.pseudonymise import fingerprint, load_key
from asc_assure.data.readers import UnreadableFile
from asc_assure.data.store import Store, StoreError
from conftest import REFERRAL_HEADER, referral, write_csv

AS_OF = dt.date(2025, 3, 31)


def tree(path: Path) -> dict[str, bytes]:
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


def test_valid_rows_load_with_provenance(tmp_path, store_dir, key):
    path = write_csv(tmp_path / "referrals.csv", REFERRAL_HEADER,
                     [referral("R1"), referral("R2", "P2", "06/01/2025", priority="Low")])
    r = ingest_file(store_dir, path, as_of=AS_OF, key=key)
    assert (r.status, r.kind, r.rows_read, r.rows_loaded, r.rows_quarantined) == ("loaded", "referrals", 2, 2, 0)
    con = Store(store_dir).connect()
    rows = con.execute("SELECT received_date, priority, _row, _source_file, _file_sha256, _load_id, _as_of "
                       "FROM referrals ORDER BY _row").fetchall()
    sha = __import__("hashlib").sha256(path.read_bytes()).hexdigest()
    assert rows == [
        (dt.date(2025, 1, 6), "high", 2, "referrals.csv", sha, r.load_id, AS_OF),
        (dt.date(2025, 1, 6), "low", 3, "referrals.csv", sha, r.load_id, AS_OF),
    ]


def test_bad_rows_are_quarantined_with_file_row_column_and_reason_and_good_rows_still_load(
        tmp_path, store_dir, key):
    path = write_csv(tmp_path / "referrals.csv", REFERRAL_HEADER, [
        referral("R1"),
        referral("R2", received="31/02/2025"),
        referral("R3", priority="urgent", nhs_number="9434765918"),
        referral("R4", assessment_start_date="2025-01-01"),
        referral("R5"),
    ])
    r = ingest_file(store_dir, path, as_of=AS_OF, key=key)
    assert (r.rows_read, r.rows_loaded, r.rows_quarantined) == (5, 2, 3)
    problems = {(e["file"], e["row"], e["column"], e["rule"]) for e in r.errors}
    assert problems == {
        ("referrals.csv", 3, "received_date", "date_format"),
        ("referrals.csv", 4, "priority", "allowed_values"),
        ("referrals.csv", 4, "nhs_number", "nhs_number"),
        ("referrals.csv", 5, "assessment_start_date", "assessment_start_date_not_before_received_date"),
    }
    con = Store(store_dir).connect()
    assert con.execute("SELECT list(_row ORDER BY _row) FROM quarantine_referrals").fetchone()[0] == [3, 4, 5]
    reasons = json.loads(con.execute("SELECT _errors FROM quarantine_referrals WHERE _row = 4").fetchone()[0])
    assert {e["column"] for e in reasons} == {"priority", "nhs_number"}
    assert con.execute("SELECT list(_row ORDER BY _row) FROM referrals").fetchone()[0] == [2, 6]


def test_duplicate_keys_within_a_file_are_quarantined_pointing_at_the_first(tmp_path, store_dir, key):
    path = write_csv(tmp_path / "referrals.csv", REFERRAL_HEADER,
                     [referral("R1"), referral("R2"), referral("R1", "P9")])
    r = ingest_file(store_dir, path, as_of=AS_OF, key=key)
    assert (r.rows_loaded, r.rows_quarantined) == (2, 1)
    assert r.errors[0]["row"] == 4 and r.errors[0]["message"] == "same referral_id as row 2"


def test_loading_the_same_file_twice_changes_nothing(tmp_path, store_dir, key):
    path = write_csv(tmp_path / "referrals.csv", REFERRAL_HEADER, [referral("R1"), referral("R2", received="x")])
    first = ingest_file(store_dir, path, as_of=AS_OF, key=key)
    before = tree(store_dir / "loads")
    audit_before = (store_dir / "audit.jsonl").read_bytes()
    copy = tmp_path / "renamed copy.csv"
    copy.write_bytes(path.read_bytes())
    for again in (path, copy):
        second = ingest_file(store_dir, again, as_of=AS_OF, key=key)
        assert second.status == "duplicate" and second.duplicate_file
        assert second.duplicate_of == first.load_id
        assert (second.rows_read, second.rows_loaded, second.rows_quarantined) == (0, 0, 0)
    assert tree(store_dir / "loads") == before
    assert (store_dir / "audit.jsonl").read_bytes() == audit_before


def test_newer_extract_supersedes_by_key_and_older_as_of_dates_can_be_rebuilt(tmp_path, store_dir, key):
    week1 = write_csv(tmp_path / "w1.csv", REFERRAL_HEADER, [referral("R1"), referral("R2")])
    week2 = write_csv(tmp_path / "w2.csv", REFERRAL_HEADER, [
        referral("R2", assessment_start_date="2025-01-17"), referral("R3", received="2025-01-15")])
    ingest_file(store_dir, week1, as_of=dt.date(2025, 1, 12), key=key)
    ingest_file(store_dir, week2, as_of=dt.date(2025, 1, 19), key=key)
    store = Store(store_dir)

    def state(as_of):
        con = store.connect(as_of)
        return con.execute("SELECT count(*), count(assessment_start_date), list(DISTINCT _source_file ORDER BY "
                           "_source_file) FROM referrals").fetchone()

    assert state(dt.date(2025, 1, 12)) == (2, 0, ["w1.csv"])
    assert state(dt.date(2025, 1, 19)) == (3, 1, ["w1.csv", "w2.csv"])  # R1 kept, R2 updated, R3 new
    assert state(None) == state(dt.date(2025, 1, 19))
    assert state(dt.date(2025, 1, 1))[:2] == (0, 0)
    assert store.connect().execute("SELECT count(*) FROM referrals_history").fetchone()[0] == 4


CLD_HEADER = ["LA Code", "Reporting Period Start Date", "Reporting Period End Date", "LA Person Unique Identifier",
              "NHS Number", "Client Type", "Event Type", "Event Start Date", "Event End Date", "Event Outcome",
              "Service Type", "Service Component", "Date of Birth", "Postcode"]


def cld_row(person: str, event: str = "Request", start: str = "2025-01-10", **over: str) -> list[str]:
    row = dict(zip(CLD_HEADER, ["931", "2024-10-01", "2024-12-31", person, "", "Service user", event, start,
                                start, "NFA: Information and advice or signposting", "", "", "1940-06-17",
                                "OX1 1AA"], strict=True))
    row.update(over)
    return list(row.values())


def test_cld_resubmission_replaces_the_whole_period(tmp_path, store_dir, key):
    first = write_csv(tmp_path / "cld_q3_v1.csv", CLD_HEADER, [cld_row("A"), cld_row("B"), cld_row("C")])
    other_period = write_csv(tmp_path / "cld_q2.csv", CLD_HEADER, [
        cld_row("A", **{"Reporting Period Start Date": "2024-07-01", "Reporting Period End Date": "2024-09-30"})])
    resub = write_csv(tmp_path / "cld_q3_v2.csv", CLD_HEADER, [cld_row("A"), cld_row("D")])
    for f in (first, other_period, resub):
        assert ingest_file(store_dir, f, as_of=AS_OF, key=key).kind == "cld"
    con = Store(store_dir).connect()
    got = con.execute("SELECT reporting_period_start_date, count(*), list(DISTINCT _source_file) FROM cld "
                      "GROUP BY 1 ORDER BY 1").fetchall()
    assert got == [(dt.date(2024, 7, 1), 1, ["cld_q2.csv"]), (dt.date(2024, 10, 1), 2, ["cld_q3_v2.csv"])]


def test_cld_personal_data_is_reduced_at_ingest(tmp_path, store_dir, key):
    path = write_csv(tmp_path / "cld.csv", CLD_HEADER, [cld_row("LA-PERSON-77", **{"NHS Number": "943 476 5919"})])
    ingest_file(store_dir, path, as_of=AS_OF, key=key)
    con = Store(store_dir).connect()
    dob, sector, district, nhs, person = con.execute(
        "SELECT date_of_birth, postcode_sector, postcode_district, nhs_number_pseudo, la_person_unique_identifier "
        "FROM cld").fetchone()
    assert (dob, sector, district) == (dt.date(1940, 6, 1), "OX1 1", "OX1")
    assert nhs.startswith("N-") and person.startswith("P-")


def test_identifiers_never_reach_the_analytic_files_and_reveal_is_audited(tmp_path, store_dir, key):
    path = write_csv(tmp_path / "referrals.csv", REFERRAL_HEADER, [
        referral("REF-0001", "MOSAIC-123456", nhs_number="943 476 5919"),
        referral("REF-0002", "MOSAIC-654321", nhs_number="9434765918")])  # second is invalid -> quarantined
    ingest_file(store_dir, path, as_of=AS_OF, key=key)
    store = Store(store_dir)
    for f in store_dir.rglob("*.parquet"):
        blob = f.read_bytes()
        assert b"9434765919" not in blob and b"9434765918" not in blob, f
        if "restricted" not in f.parts:
            assert b"MOSAIC-123456" not in blob and b"REF-0001" not in blob, f
    assert oct((store_dir / "loads").glob("*/restricted").__next__().stat().st_mode & 0o777) == "0o700"
    pseudo = store.connect().execute("SELECT person_id FROM referrals").fetchone()[0]
    assert store.reveal(pseudo, "team.manager@council", "allocating case") == [
        {"local_ref": "MOSAIC-123456", "identifier": "person_ref", "column": "person_id"}]
    # a quarantined row's person can be found too, so the source record can be fixed
    qpseudo = store.connect().execute("SELECT person_id FROM quarantine_referrals").fetchone()[0]
    assert store.reveal(qpseudo, "analyst", "fix source")[0]["local_ref"] == "MOSAIC-654321"
    with pytest.raises(StoreError, match="who asks and why"):
        store.reveal(pseudo, "analyst", " ")
    events = [(e["event"], e["actor"]) for e in audit.read(store.audit_path)]
    assert events == [("load", "cli"), ("restricted_lookup", "team.manager@council"),
                      ("restricted_lookup", "analyst")]
    assert audit.verify(store.audit_path)[0]


def test_tampering_with_the_audit_log_is_detected(tmp_path, store_dir, key):
    for i in range(3):
        path = write_csv(tmp_path / f"r{i}.csv", REFERRAL_HEADER, [referral(f"R{i}")])
        ingest_file(store_dir, path, as_of=AS_OF, key=key)
    log = store_dir / "audit.jsonl"
    lines = log.read_text().splitlines()
    edited = json.loads(lines[1])
    edited["actor"] = "someone else"
    log.write_text("\n".join([lines[0], json.dumps(edited), lines[2]]) + "\n")
    assert audit.verify(log) == (False, 2, "line 2 was altered after it was written")
    log.write_text("\n".join([lines[0], lines[2]]) + "\n")
    assert audit.verify(log)[:2] == (False, 2)


def test_a_store_refuses_a_different_key(tmp_path, store_dir, key):
    path = write_csv(tmp_path / "r.csv", REFERRAL_HEADER, [referral("R1")])
    ingest_file(store_dir, path, as_of=AS_OF, key=key)
    other = write_csv(tmp_path / "r2.csv", REFERRAL_HEADER, [referral("R2")])
    with pytest.raises(StoreError, match="different key"):
        ingest_file(store_dir, other, as_of=AS_OF, key=b"\x01" * 32)


def test_key_file_is_created_once_private_and_reused(tmp_path):
    path = tmp_path / "keys" / "pseudonym.key"
    k1 = load_key(path)
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert load_key(path) == k1 and fingerprint(k1) == fingerprint(load_key(path))


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1252"])
def test_encodings_load_the_same_values(tmp_path, store_dir, key, encoding):
    path = write_csv(tmp_path / "r.csv", REFERRAL_HEADER,
                     [referral("R1", team="Équipe Nord", closure_reason="£ not needed")], encoding=encoding)
    r = ingest_file(store_dir, path, as_of=AS_OF, key=key)
    assert r.rows_loaded == 1
    assert Store(store_dir).connect().execute("SELECT team FROM referrals").fetchone()[0] == "Équipe Nord"


def test_xlsx_extracts_load_with_excel_row_numbers(tmp_path, store_dir, key):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(REFERRAL_HEADER)
    ws.append(["R1", "P1", None, dt.datetime(2025, 1, 6), "North", "N", "High", None, None, None, None, None])
    ws.append(["R2", "P2", None, "not a date", "North", "N", "low", None, None, None, None, None])
    path = tmp_path / "referrals.xlsx"
    wb.save(path)
    r = ingest_file(store_dir, path, as_of=AS_OF, key=key)
    assert (r.format, r.rows_loaded, r.rows_quarantined) == ("xlsx", 1, 1)
    assert r.errors[0]["row"] == 3 and r.errors[0]["column"] == "received_date"


def test_ragged_rows_are_quarantined_not_dropped(tmp_path, store_dir, key):
    path = tmp_path / "r.csv"
    lines = [",".join(REFERRAL_HEADER), ",".join(referral("R1")), "R2,P2,,2025-01-06", ",".join(referral("R3"))]
    path.write_text("\n".join(lines) + "\n")
    r = ingest_file(store_dir, path, as_of=AS_OF, key=key)
    assert (r.rows_read, r.rows_loaded, r.rows_quarantined) == (3, 2, 1)
    assert r.errors[0]["row"] == 3 and r.errors[0]["rule"] == "field_count"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"colour,size\nred,large\n", "matches no known extract"),
        (b"referral_id,person_id,team\nR1,P1,North\n", "missing required column"),
    ],
)
def test_unreadable_or_unrecognised_files_write_nothing(tmp_path, store_dir, key, content, message):
    path = tmp_path / "mystery.csv"
    path.write_bytes(content)
    with pytest.raises(UnreadableFile, match=message):
        ingest_file(store_dir, path, as_of=AS_OF, key=key)
    assert not store_dir.exists()


def test_detection_picks_the_right_extract():
    assert detect_contract(["Concern ID", "person_id", "received_date", "urgent", "decision"], Path("x")).kind == \
        "safeguarding_concerns"
    assert detect_contract(["enquiry_id", "concern_id", "person_id", "start_date"], Path("x")).kind == \
        "safeguarding_enquiries"
    with pytest.raises(UnrecognisedFile):
        detect_contract(["colour"], Path("x"))


def test_one_bad_file_does_not_stop_the_others(tmp_path, store_dir, key):
    good = write_csv(tmp_path / "good.csv", REFERRAL_HEADER, [referral("R1")])
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\x00\x01")
    results = ingest_files(store_dir, [bad, good], as_of=AS_OF, key=key)
    assert [(r.file, r.status) for r in results] == [("bad.csv", "failed"), ("good.csv", "loaded")]
    assert "NUL" in results[0].reason


def test_a_crash_before_commit_leaves_the_store_as_it_was(tmp_path, store_dir, key, monkeypatch):
    ingest_file(store_dir, write_csv(tmp_path / "a.csv", REFERRAL_HEADER, [referral("R1")]), as_of=AS_OF, key=key)
    before = tree(store_dir / "loads")

    def boom(self, staging, manifest):
        raise OSError("disk full")

    monkeypatch.setattr(Store, "commit", boom)
    with pytest.raises(OSError, match="disk full"):
        ingest_file(store_dir, write_csv(tmp_path / "b.csv", REFERRAL_HEADER, [referral("R2")]), as_of=AS_OF,
                    key=key)
    assert tree(store_dir / "loads") == before
    assert list((store_dir / ".staging").iterdir()) == []


KILL_SCRIPT = """
import sys, datetime
from asc_assure.data.ingest import ingest_file
ingest_file(sys.argv[1], sys.argv[2], as_of=datetime.date(2025, 3, 31), key=bytes(range(32)))
"""


def test_a_killed_load_leaves_no_partial_state(tmp_path, store_dir, key):
    rows = [referral(f"R{i}", f"P{i % 5000}") for i in range(400_000)]
    big = write_csv(tmp_path / "big.csv", REFERRAL_HEADER, rows)
    ingest_file(store_dir, write_csv(tmp_path / "a.csv", REFERRAL_HEADER, [referral("X1")]), as_of=AS_OF, key=key)
    before = tree(store_dir / "loads")
    proc = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, str(store_dir), str(big)])
    deadline = time.time() + 60
    staged = store_dir / ".staging"
    while time.time() < deadline:
        if staged.exists() and any(p.suffix == ".parquet" for p in staged.rglob("*")):
            break
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert tree(store_dir / "loads") == before, "a killed load must not appear in the store"
    assert Store(store_dir).connect().execute("SELECT count(*) FROM referrals").fetchone()[0] == 1
    # the next load cleans up after it and the big file loads in full
    r = ingest_file(store_dir, big, as_of=AS_OF, key=key)
    assert r.rows_loaded == 400_000
    assert list(staged.iterdir()) == []


HEADER_LINE = ",".join(REFERRAL_HEADER)
row_strategy = st.fixed_dictionaries({
    "id": st.integers(0, 30),
    "received": st.sampled_from(["2025-01-06", "06/01/2025", "31/02/2025", "", "soon"]),
    "priority": st.sampled_from(["high", "Low", "", "urgent"]),
    "nhs": st.sampled_from(["", "9434765919", "9434765918"]),
    "shape": st.sampled_from(["ok", "ok", "ok", "blank", "short", "long"]),
})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(row_strategy, max_size=40))
def test_ingest_never_loses_or_duplicates_a_row(tmp_path_factory, rows):
    tmp = tmp_path_factory.mktemp("prop")
    lines = [HEADER_LINE]
    data_rows = []
    for i, r in enumerate(rows, start=2):
        if r["shape"] == "blank":
            lines.append("")
            continue
        if r["shape"] == "short":
            lines.append(f"R{r['id']},P1")
        else:
            cells = referral(f"R{r['id']}", "P1", r["received"], priority=r["priority"], nhs_number=r["nhs"])
            if r["shape"] == "long":
                cells.append("extra")
            lines.append(",".join(cells))
        data_rows.append(i)
    path = tmp / "referrals.csv"
    path.write_text("\n".join(lines) + "\n")
    store_dir = tmp / "store"
    result = ingest_file(store_dir, path, as_of=AS_OF, key=bytes(range(32)))
    assert result.rows_read == len(data_rows)
    assert result.rows_read == result.rows_loaded + result.rows_quarantined
    loads = list((store_dir / "loads").iterdir())
    assert len(loads) == 1
    con = duckdb.connect()
    loaded = con.execute(f"SELECT list(_row) FROM '{loads[0]}/data.parquet'").fetchone()[0] or []
    quarantined = con.execute(f"SELECT list(_row) FROM '{loads[0]}/quarantine.parquet'").fetchone()[0] or []
    assert sorted(loaded + quarantined) == data_rows
    assert not set(loaded) & set(quarantined)


def test_pseudonyms_are_hmac_sha256_of_the_identifier_under_the_key():
    import hashlib
    import hmac

    import polars as pl

    from asc_assure.data.pseudonymise import Pseudonymiser

    key = bytes(range(32))
    values = pl.Series(["9434765919", None, "9434765919", "4010232137"])
    got = Pseudonymiser(key).series(values, "nhs_number").to_list()
    expected = "N-" + hmac.new(key, b"nhs_number:9434765919", hashlib.sha256).hexdigest()[:16]
    assert got[0] == got[2] == expected
    assert got[1] is None and got[3] != got[0]
    assert Pseudonymiser(b"\x02" * 32).series(values, "nhs_number")[0] != expected


def test_a_failed_background_write_abandons_the_load(tmp_path, store_dir, key, monkeypatch):
    import pyarrow.parquet as pq

    ingest_file(store_dir, write_csv(tmp_path / "a.csv", REFERRAL_HEADER, [referral("R1")]), as_of=AS_OF, key=key)
    before = tree(store_dir / "loads")

    def failing(self, table, *args, **kwargs):
        raise OSError("no space left on device")

    monkeypatch.setattr(pq.ParquetWriter, "write_table", failing)
    with pytest.raises(OSError, match="no space"):
        ingest_file(store_dir, write_csv(tmp_path / "b.csv", REFERRAL_HEADER, [referral("R2")]), as_of=AS_OF,
                    key=key)
    assert tree(store_dir / "loads") == before
    assert list((store_dir / ".staging").iterdir()) == []


def test_the_key_file_may_not_live_inside_the_store(tmp_path, store_dir):
    path = write_csv(tmp_path / "r.csv", REFERRAL_HEADER, [referral("R1")])
    with pytest.raises(StoreError, match="outside the store"):
        ingest_file(store_dir, path, as_of=AS_OF, key_file=store_dir / "pseudonym.key")
    assert not (store_dir / "pseudonym.key").exists()


@pytest.mark.parametrize("block", [1 << 20, 4096])
def test_windows_1252_text_deep_in_a_utf8_looking_file_restarts_the_load_cleanly(
        tmp_path, store_dir, key, monkeypatch, block):
    from asc_assure.data import readers

    monkeypatch.setattr(readers, "SAMPLE_BYTES", 1024)
    monkeypatch.setattr(readers, "CSV_BLOCK_BYTES", block)
    rows = [referral(f"R{i}") for i in range(2000)] + [referral("R-last", team="Café Team")]
    path = write_csv(tmp_path / "r.csv", REFERRAL_HEADER, rows, encoding="cp1252")
    r = ingest_file(store_dir, path, as_of=AS_OF, key=key)
    assert (r.encoding, r.rows_read, r.rows_loaded) == ("cp1252", 2001, 2001)
    con = Store(store_dir).connect()
    assert con.execute("SELECT team FROM referrals WHERE _row = 2002").fetchone()[0] == "Café Team"
    assert len(list((store_dir / "loads").iterdir())) == 1
