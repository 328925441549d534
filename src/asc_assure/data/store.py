"""The Parquet store: immutable loads, atomic commits and as-of views queried with DuckDB.

Layout under the store folder::

    store.json                     format version and the pseudonymisation key's fingerprint
    loads/<load_id>/manifest.json  what was loaded, from which file, with row counts
    loads/<load_id>/data.parquet   accepted rows (typed, pseudonymised, with provenance)
    loads/<load_id>/quarantine.parquet  rejected rows with every reason
    loads/<load_id>/issues.parquet      one row per (row, column, rule) problem, errors and warnings
    loads/<load_id>/restricted/refs.parquet  pseudonym -> local reference (restricted; audited)
    audit.jsonl                    hash-chained log of loads and restricted look-ups
    .staging/                      loads being written; never read

A load is written in ``.staging`` and becomes visible by one atomic ``rename`` into ``loads/``, so a
crash or kill at any point leaves the store exactly as it was. Nothing in ``loads/`` is ever
modified: a newer extract supersedes older rows in the *views*, by business key (or, for the CLD, by
council and reporting period), and any earlier as-of date can still be rebuilt.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from asc_assure.data import audit
from asc_assure.data.contracts import Contract, all_contracts
from asc_assure.data.stored import ISSUES_SCHEMA, quarantine_schema, stored_schema

STORE_FORMAT = 1


class StoreError(Exception):
    """The store folder is missing, of another format, or was made with another key."""


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _file_list(paths: list[Path]) -> str:
    return "[" + ", ".join(_sql_str(str(p)) for p in paths) + "]"


def _empty_select(schema: pa.Schema) -> str:
    cols = []
    for f in schema:
        duck = {
            pa.string(): "VARCHAR",
            pa.date32(): "DATE",
            pa.bool_(): "BOOLEAN",
            pa.int64(): "BIGINT",
            pa.float64(): "DOUBLE",
        }.get(f.type, "TIMESTAMPTZ")
        cols.append(f"CAST(NULL AS {duck}) AS {f.name}")
    return "SELECT " + ", ".join(cols) + " WHERE false"


class Store:
    """A council's store folder."""

    def __init__(self, root: Path | str, create: bool = False, key_fingerprint: str | None = None):
        self.root = Path(root)
        self.meta_path = self.root / "store.json"
        self.loads_dir = self.root / "loads"
        self.staging_dir = self.root / ".staging"
        self.audit_path = self.root / "audit.jsonl"
        self._manifests: dict[str, dict[str, Any]] = {}  # load folder name -> manifest (immutable)
        if not self.meta_path.exists():
            if not create:
                raise StoreError(f"{self.root} is not an ASC Assure store (no store.json); ingest a file first")
            self.root.mkdir(parents=True, exist_ok=True)
            self.loads_dir.mkdir(exist_ok=True)
            self.meta = {}
            self.set_meta("format", STORE_FORMAT)
            self.set_meta("created_at", dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
            self.set_meta("key_fingerprint", key_fingerprint)
        self.meta = json.loads(self.meta_path.read_text())
        if self.meta.get("format") != STORE_FORMAT:
            raise StoreError(f"{self.root} has store format {self.meta.get('format')}, expected {STORE_FORMAT}")
        self.loads_dir.mkdir(exist_ok=True)

    def set_meta(self, key: str, value: Any) -> None:
        """Record a store setting (e.g. the council's name) in ``store.json``, atomically."""
        self.meta[key] = value
        tmp = self.root / "store.json.tmp"
        tmp.write_text(json.dumps(self.meta, indent=2))
        os.replace(tmp, self.meta_path)

    # -- keys ---------------------------------------------------------------------------------
    def check_key(self, key_fingerprint: str) -> None:
        """Refuse to mix pseudonyms made under different keys in one store."""
        stored = self.meta.get("key_fingerprint")
        if stored is None:
            self.set_meta("key_fingerprint", key_fingerprint)
        elif stored != key_fingerprint:
            raise StoreError(
                f"this store was pseudonymised with a different key (fingerprint {stored}, this key "
                f"{key_fingerprint}); use the key file the store was created with"
            )

    # -- locking and commits ------------------------------------------------------------------
    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Exclusive lock for writers: one load at a time, so sequence numbers stay ordered."""
        with (self.root / ".lock").open("a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def clean_staging(self) -> int:
        """Remove leftovers of loads that crashed or were killed (call with the lock held)."""
        if not self.staging_dir.exists():
            return 0
        removed = 0
        for child in self.staging_dir.iterdir():
            shutil.rmtree(child, ignore_errors=True)
            removed += 1
        return removed

    def new_staging(self, load_id: str) -> Path:
        path = self.staging_dir / load_id
        path.mkdir(parents=True)
        return path

    def commit(self, staging: Path, manifest: dict[str, Any]) -> Path:
        """Make a staged load visible atomically: manifest last, fsync, then one rename."""
        for f in staging.rglob("*"):
            if f.is_file():
                with f.open("rb") as fh:
                    os.fsync(fh.fileno())
        tmp = staging / "manifest.json.tmp"
        tmp.write_text(json.dumps(manifest, indent=2, default=str))
        os.replace(tmp, staging / "manifest.json")
        _fsync_dir(staging)
        final = self.loads_dir / manifest["load_id"]
        os.rename(staging, final)
        _fsync_dir(self.loads_dir)
        return final

    # -- catalogue ----------------------------------------------------------------------------
    def manifests(self) -> list[dict[str, Any]]:
        """Every committed load, oldest first.

        Loads never change once committed, so manifests are read once per Store and only new load
        folders are read afterwards (opening a connection asks for them many times).
        """
        names = {d.name for d in self.loads_dir.iterdir()}
        cache = self._manifests
        for gone in set(cache) - names:
            del cache[gone]
        for name in names - set(cache):
            m = self.loads_dir / name / "manifest.json"
            if m.exists():
                cache[name] = json.loads(m.read_text())
        return sorted(cache.values(), key=lambda m: m["seq"])

    def next_seq(self) -> int:
        return max((m["seq"] for m in self.manifests()), default=0) + 1

    def find_duplicate(self, sha256: str, kind: str | None = None) -> dict[str, Any] | None:
        for m in self.manifests():
            if m["file_sha256"] == sha256 and (kind is None or m["kind"] == kind):
                return m
        return None

    def loads_for(self, kind: str, as_of: dt.date | None = None, first_if_later: bool = False
                  ) -> list[dict[str, Any]]:
        """Loads of a kind in force on ``as_of`` (all loads when None).

        With ``first_if_later``, a kind whose first extract is dated after ``as_of`` uses that first
        extract instead of nothing: measuring an earlier date from the earliest data there is.
        """
        of_kind = [m for m in self.manifests() if m["kind"] == kind]
        if as_of is None:
            return of_kind
        out = [m for m in of_kind if dt.date.fromisoformat(m["as_of"]) <= as_of]
        if not out and first_if_later and of_kind:
            first = min(m["as_of"] for m in of_kind)
            out = [m for m in of_kind if m["as_of"] == first]
        return out

    def versions(self, as_of: dt.date, first_if_later: bool = False) -> dict[str, str]:
        """For each kind loaded, the as-of date of the newest extract used for ``as_of``."""
        out = {}
        for kind in all_contracts():
            ms = self.loads_for(kind, as_of, first_if_later)
            if ms:
                out[kind] = max(m["as_of"] for m in ms)
        return out

    def _paths(self, manifests: list[dict[str, Any]], name: str) -> list[Path]:
        paths = [self.loads_dir / m["load_id"] / name for m in manifests]
        return [p for p in paths if p.exists()]

    # -- queries ------------------------------------------------------------------------------
    def current_sql(self, contract: Contract, as_of: dt.date | None = None, first_if_later: bool = False) -> str:
        """SQL for the rows in force on ``as_of``: latest version by business key or partition."""
        files = self._paths(self.loads_for(contract.kind, as_of, first_if_later), "data.parquet")
        if not files:
            return _empty_select(stored_schema(contract))
        if len(files) == 1:
            # One load: its keys are already unique (ingest quarantines repeats), nothing to supersede.
            return f"SELECT * FROM read_parquet({_file_list(files)})"
        key = ", ".join(contract.key)
        rank = "row_number()" if contract.supersede == "key" else "dense_rank()"
        return (
            f"SELECT * FROM read_parquet({_file_list(files)}, union_by_name=true) "
            f"QUALIFY {rank} OVER (PARTITION BY {key} ORDER BY _as_of DESC, _load_seq DESC) = 1"
        )

    def history_sql(self, contract: Contract) -> str:
        files = self._paths(self.loads_for(contract.kind), "data.parquet")
        if not files:
            return _empty_select(stored_schema(contract))
        return f"SELECT * FROM read_parquet({_file_list(files)}, union_by_name=true)"

    def connect(self, as_of: dt.date | None = None, first_if_later: bool = False,
                materialise: tuple[str, ...] = (), only: tuple[str, ...] | None = None
                ) -> duckdb.DuckDBPyConnection:
        """DuckDB connection with a view per kind (as of ``as_of``; latest when None).

        Views: ``<kind>`` (rows in force), ``<kind>_history`` (every loaded version),
        ``quarantine_<kind>``, ``issues`` and ``loads``. Kinds in ``materialise`` become in-memory
        tables instead, so that many queries over them resolve supersession once, not each time.
        ``only`` limits the connection to those kinds' ``<kind>`` views (no history, quarantine, issues
        or loads): binding a view reads Parquet footers, so fewer views open faster.
        """
        con = duckdb.connect()
        for kind, contract in all_contracts().items():
            if only is not None and kind not in only:
                continue
            sql = self.current_sql(contract, as_of, first_if_later)
            many = len(self.loads_for(kind, as_of, first_if_later)) > 1
            what = "TABLE" if kind in materialise and many else "VIEW"
            con.execute(f"CREATE {what} {kind} AS {sql}")
            if only is not None:
                continue
            con.execute(f"CREATE VIEW {kind}_history AS {self.history_sql(contract)}")
            qfiles = self._paths(self.loads_for(kind, as_of), "quarantine.parquet")
            qsql = (f"SELECT * FROM read_parquet({_file_list(qfiles)}, union_by_name=true)" if qfiles
                    else _empty_select(quarantine_schema(contract)))
            con.execute(f"CREATE VIEW quarantine_{kind} AS {qsql}")
        if only is not None:
            return con
        ifiles = self._paths(self.manifests(), "issues.parquet")
        isql = (f"SELECT * FROM read_parquet({_file_list(ifiles)}, union_by_name=true)" if ifiles
                else _empty_select(ISSUES_SCHEMA))
        con.execute(f"CREATE VIEW issues AS {isql}")
        rows = [{k: m.get(k) for k in LOAD_COLUMNS} for m in self.manifests()]
        loads = pa.Table.from_pylist(rows, schema=LOADS_SCHEMA)
        con.register("_loads_arrow", loads)
        con.execute("CREATE VIEW loads AS SELECT * FROM _loads_arrow")
        return con

    def summary(self) -> dict[str, Any]:
        """Row counts by kind and as-of date, and the most recent loads."""
        manifests = self.manifests()
        con = self.connect()
        kinds: dict[str, Any] = {}
        for kind in all_contracts():
            ms = [m for m in manifests if m["kind"] == kind]
            if not ms:
                continue
            by_as_of: dict[str, dict[str, int]] = {}
            for m in ms:
                slot = by_as_of.setdefault(m["as_of"], {"loads": 0, "rows_loaded": 0, "rows_quarantined": 0})
                slot["loads"] += 1
                slot["rows_loaded"] += m["rows_loaded"]
                slot["rows_quarantined"] += m["rows_quarantined"]
            current = con.execute(f"SELECT count(*) FROM {kind}").fetchone()[0]
            kinds[kind] = {
                "loads": len(ms),
                "current_rows": current,
                "rows_quarantined": sum(m["rows_quarantined"] for m in ms),
                "latest_as_of": max(m["as_of"] for m in ms),
                "by_as_of": dict(sorted(by_as_of.items())),
            }
        con.close()
        last = [
            {k: m[k] for k in ("load_id", "kind", "source_file", "as_of", "loaded_at", "rows_read",
                               "rows_loaded", "rows_quarantined")}
            for m in manifests[-10:][::-1]
        ]
        return {"store": str(self.root), "loads": len(manifests), "kinds": kinds, "last_loads": last}

    # -- restricted references ----------------------------------------------------------------
    def reveal(self, pseudonym: str, actor: str, reason: str) -> list[dict[str, Any]]:
        """Look up the council's own reference behind a pseudonym. Always audited."""
        if not actor.strip() or not reason.strip():
            raise StoreError("a look-up of a local reference needs the name of who asks and why")
        files = [p for p in self.loads_dir.glob("*/restricted/refs.parquet")]
        found: list[dict[str, Any]] = []
        if files:
            con = duckdb.connect()
            rows = con.execute(
                f"SELECT DISTINCT local_ref, identifier, \"column\" FROM read_parquet({_file_list(files)}) "
                "WHERE pseudonym = ? ORDER BY 1, 2, 3",
                [pseudonym],
            ).fetchall()
            con.close()
            found = [{"local_ref": r[0], "identifier": r[1], "column": r[2]} for r in rows]
        audit.append(self.audit_path, "restricted_lookup", actor, pseudonym=pseudonym, reason=reason,
                     found=len(found))
        return found


LOAD_COLUMNS = ["load_id", "seq", "kind", "contract_version", "source_file", "file_sha256", "format",
                "encoding", "as_of", "loaded_at", "loaded_by", "rows_read", "rows_loaded",
                "rows_quarantined", "warnings"]
LOADS_SCHEMA = pa.schema(
    [
        ("load_id", pa.string()),
        ("seq", pa.int64()),
        ("kind", pa.string()),
        ("contract_version", pa.string()),
        ("source_file", pa.string()),
        ("file_sha256", pa.string()),
        ("format", pa.string()),
        ("encoding", pa.string()),
        ("as_of", pa.string()),
        ("loaded_at", pa.string()),
        ("loaded_by", pa.string()),
        ("rows_read", pa.int64()),
        ("rows_loaded", pa.int64()),
        ("rows_quarantined", pa.int64()),
        ("warnings", pa.int64()),
    ]
)
