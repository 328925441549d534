"""The assurance workspace: schema applied once, all-or-nothing writes, every change attributed."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from asc_assure.assurance.workspace import Workspace, WorkspaceError


def test_workspace_lives_beside_the_store_and_applies_every_migration_once(tmp_path):
    ws = Workspace.for_store(tmp_path / "store")
    assert ws.path == tmp_path / "store" / "workspace" / "assurance.sqlite3"
    first = ws.applied_migrations()
    assert first[0] == "0001_core.sql" and first == sorted(first)
    again = Workspace.for_store(tmp_path / "store")
    assert again.applied_migrations() == first


def test_a_failed_write_leaves_nothing_behind(tmp_path):
    ws = Workspace.for_store(tmp_path)
    with pytest.raises(RuntimeError), ws.transaction() as con:
        Workspace.log(con, "alex", "evidence", 1, "create")
        raise RuntimeError("disk full")
    assert ws.changes() == []


def test_every_change_names_who_made_it(tmp_path):
    ws = Workspace.for_store(tmp_path)
    with ws.transaction() as con:
        Workspace.log(con, "sam", "action", "A1", "status", old="not started", new="in progress")
    (change,) = ws.changes("action", "A1")
    assert change["actor"] == "sam" and change["detail"] == {"new": "in progress", "old": "not started"}
    with pytest.raises(WorkspaceError, match="named actor"), ws.transaction() as con:
        Workspace.log(con, " ", "action", "A1", "status")


def test_concurrent_writers_wait_for_each_other_instead_of_failing(tmp_path):
    ws = Workspace.for_store(tmp_path)
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            for i in range(20):
                with ws.transaction() as con:
                    Workspace.log(con, f"user{n}", "x", i, "create")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(ws.changes(limit=1000)) == 80


def test_the_database_is_an_ordinary_sqlite_file_a_council_can_back_up(tmp_path):
    ws = Workspace.for_store(tmp_path)
    con = sqlite3.connect(ws.path)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        con.close()
