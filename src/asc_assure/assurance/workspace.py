"""The assurance workspace: the council's own records about its assurance work.

Evidence, self-assessment drafts, scores, the assessment timeline, case tracking, the improvement plan,
risks and budget lines are *records people write*, not extracts the council loads, so they do not
belong in the immutable Parquet store. They live in one SQLite file beside it,
``<store>/workspace/assurance.sqlite3``, with uploaded evidence files in ``<store>/workspace/files``.
Keeping them in the store folder means one folder holds (and backs up) everything a council has;
the CLI and the web app both reach it through this module, so the core never imports Django.

Why SQLite: it is in the standard library, transactional, and a council's assurance records are
thousands of rows, written by a handful of people. WAL mode and a busy timeout let the web app's
workers and a CLI user write at the same time without "database is locked" errors.

Schema changes are numbered ``.sql`` files in ``migrations/`` (``0001_core.sql``, ``0100_evidence.sql``
...), applied in order, once, and recorded in ``schema_migrations``. Areas own their own files.

Every write goes through :meth:`Workspace.transaction` and records who did what in ``changes``
(:meth:`Workspace.log`), so history survives even where a table keeps only the latest state.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

WORKSPACE_DIR = "workspace"
DB_NAME = "assurance.sqlite3"
FILES_DIR = "files"
_migrated: set[str] = set()
_migrate_lock = threading.Lock()


class WorkspaceError(ValueError):
    """A request the workspace cannot carry out; the message says why in words a user understands."""


class NotFound(WorkspaceError):
    """No record with that identifier."""


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def default_actor() -> str:
    """Who the CLI is acting for when no ``--actor`` is given: the operating-system user."""
    try:
        return getpass.getuser()
    except Exception:  # no user name in some containers
        return "unknown"


def _migrations() -> list[tuple[str, str]]:
    folder = resources.files("asc_assure.assurance") / "migrations"
    found = sorted((p.name, p.read_text(encoding="utf-8")) for p in folder.iterdir() if p.name.endswith(".sql"))
    return found


class Workspace:
    """One council's workspace. Cheap to create: connections are opened per operation."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.path = self.root / DB_NAME
        self.files_dir = self.root / FILES_DIR
        self._migrate()

    @classmethod
    def for_store(cls, store_dir: Path | str) -> Workspace:
        """The workspace that belongs to a store folder (created on first use)."""
        return cls(Path(store_dir) / WORKSPACE_DIR)

    # -- connections -----------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        con.row_factory = sqlite3.Row
        con.execute("PRAGMA foreign_keys = ON")
        con.execute("PRAGMA busy_timeout = 30000")
        return con

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A connection for reading (each statement sees committed data)."""
        con = self._connect()
        try:
            yield con
        finally:
            con.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All-or-nothing writes: committed on success, rolled back on any exception."""
        con = self._connect()
        try:
            con.execute("BEGIN IMMEDIATE")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")
        finally:
            con.close()

    def _migrate(self) -> None:
        key = str(self.path.resolve())
        if key in _migrated and self.path.exists():
            return
        with _migrate_lock:
            con = self._connect()
            try:
                con.execute("PRAGMA journal_mode = WAL")
                con.execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
                con.execute("BEGIN IMMEDIATE")
                try:
                    done = {r[0] for r in con.execute("SELECT name FROM schema_migrations")}
                    for name, sql in _migrations():
                        if name in done:
                            continue
                        for statement in _statements(sql):
                            con.execute(statement)
                        con.execute("INSERT INTO schema_migrations VALUES (?, ?)", (name, utc_now()))
                    con.execute("COMMIT")
                except BaseException:
                    con.execute("ROLLBACK")
                    raise
            finally:
                con.close()
            _migrated.add(key)

    def applied_migrations(self) -> list[str]:
        with self.read() as con:
            return [r[0] for r in con.execute("SELECT name FROM schema_migrations ORDER BY name")]

    # -- change log --------------------------------------------------------------------------------
    @staticmethod
    def log(con: sqlite3.Connection, actor: str, entity: str, entity_id: Any, action: str,
            **detail: Any) -> None:
        """Record a change inside the caller's transaction."""
        if not actor or not str(actor).strip():
            raise WorkspaceError("every change needs a named actor")
        con.execute(
            "INSERT INTO changes (at, actor, entity, entity_id, action, detail) VALUES (?, ?, ?, ?, ?, ?)",
            (utc_now(), str(actor), entity, str(entity_id), action,
             json.dumps(detail, default=str, ensure_ascii=False, sort_keys=True)))

    def changes(self, entity: str | None = None, entity_id: Any = None, limit: int = 500) -> list[dict[str, Any]]:
        """The change log, newest first, optionally for one entity or one record."""
        sql, args = "SELECT * FROM changes", []
        where = []
        if entity is not None:
            where.append("entity = ?")
            args.append(entity)
        if entity_id is not None:
            where.append("entity_id = ?")
            args.append(str(entity_id))
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY id DESC LIMIT ?"
        args.append(limit)
        with self.read() as con:
            rows = con.execute(sql, args).fetchall()
        return [{**dict(r), "detail": json.loads(r["detail"])} for r in rows]


def _statements(sql: str) -> list[str]:
    """Split a migration file into statements (no semicolons inside string literals in our files)."""
    lines = [line for line in sql.splitlines() if not line.strip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


def rows(cursor: sqlite3.Cursor) -> list[dict[str, Any]]:
    """Cursor rows as plain dicts (what the CLI prints as JSON and templates read)."""
    return [dict(r) for r in cursor.fetchall()]
