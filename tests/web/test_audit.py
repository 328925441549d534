"""The hash-chained, append-only audit log."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.urls import reverse

from asc_assure.data.audit import GENESIS, _digest
from asc_assure.web.auditlog import record, verify_chain
from asc_assure.web.models import AppendOnlyError, AuditEvent

PASSWORD = "correct-horse-battery-staple"  # as in conftest.py

pytestmark = pytest.mark.django_db


def test_sign_in_failure_and_sign_out_are_recorded(client, make_user):
    make_user()
    client.post(reverse("login"), {"username": "alex", "password": "bad"})
    client.post(reverse("login"), {"username": "alex", "password": PASSWORD})
    client.post(reverse("logout"))
    events = list(AuditEvent.objects.values_list("event", "actor"))
    assert events == [("sign_in_failed", "anonymous"), ("sign_in", "alex"), ("sign_out", "alex")]
    assert AuditEvent.objects.first().object == "alex"
    assert all(ev.ip == "127.0.0.1" for ev in AuditEvent.objects.all())
    assert PASSWORD not in str(list(AuditEvent.objects.values_list("details", flat=True)))
    assert verify_chain().ok


def test_chain_hashes_like_the_core_audit_log(make_user):
    a = record(make_user(), "x", object="thing", n=1)
    b = record(None, "y")
    assert a.prev_hash == GENESIS and b.prev_hash == a.hash
    body = {"at": a.at.isoformat(timespec="seconds"), "event": "x", "actor": "alex", "object": "thing",
            "details": {"n": 1}, "ip": None, "prev": GENESIS}
    assert a.hash == _digest(GENESIS, body)
    assert b.actor == "anonymous"


def _three():
    return [record(None, "e", object=str(i), actor="system") for i in range(3)]


def test_verify_detects_an_edited_row():
    evs = _three()
    assert verify_chain().ok
    AuditEvent._base_manager.filter(pk=evs[1].pk).update(object="tampered")  # bypasses save()
    check = verify_chain()
    assert not check.ok and check.broken_at == 2 and "altered" in check.message


def test_verify_detects_a_deleted_row():
    evs = _three()
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", [evs[1].pk])
    check = verify_chain()
    assert not check.ok and check.broken_at == 2 and "removed" in check.message


def test_events_cannot_be_changed_or_deleted():
    ev = _three()[0]
    ev.object = "changed"
    with pytest.raises(AppendOnlyError):
        ev.save()
    with pytest.raises(AppendOnlyError):
        ev.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=ev.pk).update(object="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=ev.pk).object == "0"


def test_audit_page_lists_filters_and_reports_the_chain(client, make_user):
    client.force_login(make_user("admin", role="administrator", password=None))
    _three()
    record(None, "other", actor="system")
    body = client.get("/audit/").content.decode()
    assert "Chain intact" in body and "govuk-table" in body
    body = client.get("/audit/?event=other").content.decode()
    assert "1 events matching the filter" in body
    AuditEvent._base_manager.filter(event="e").update(actor="someone")
    body = client.get("/audit/").content.decode()
    assert "Chain broken at event 2" in body  # event 1 is the sign-in


def test_audit_page_paginates(client, make_user):
    client.force_login(make_user("admin", role="administrator", password=None))
    for i in range(60):
        record(None, "bulk", object=str(i), actor="system")
    body = client.get("/audit/").content.decode()
    assert "govuk-pagination" in body
    assert client.get("/audit/?page=2").status_code == 200


def test_export_csv_is_audited_and_neutralises_formulas(client, make_user):
    client.force_login(make_user("admin", role="administrator", password=None))
    record(None, "e", object="=HYPERLINK(1)", actor="system")
    r = client.get("/audit/export.csv?event=e")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    assert r["X-Audit-Chain"] == "intact"
    rows = list(csv.reader(io.StringIO(b"".join(r.streaming_content).decode())))
    assert rows[0][:4] == ["id", "at", "actor", "event"]
    assert rows[1][4] == "'=HYPERLINK(1)"
    ev = AuditEvent.objects.get(event="audit_exported")
    assert ev.actor == "admin" and ev.details == {"filter_event": "e"}
