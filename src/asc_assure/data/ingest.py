"""Ingest council extracts into the store: detect, validate, pseudonymise, quarantine, commit.

One file is one load and one atomic commit. Every row read is either loaded or quarantined with its
reasons (``rows_read == rows_loaded + rows_quarantined``); a file that cannot be read or recognised
is reported with the reason and nothing is written. Loading a file whose bytes were loaded before
changes nothing and says so.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from asc_assure.data import audit
from asc_assure.data.contracts import Column, Contract, all_contracts, get_contract
from asc_assure.data.pipeline import OrderedWriter, prefetch
from asc_assure.data.pseudonymise import Pseudonymiser, fingerprint, key_file_path, load_key
from asc_assure.data.readers import ROW, EncodingMismatch, Extract, UnreadableFile, open_extract
from asc_assure.data.store import Store, StoreError
from asc_assure.data.stored import (
    ISSUES_SCHEMA,
    RESTRICTED_SCHEMA,
    quarantine_schema,
    stored_schema,
)
from asc_assure.data.validate import ISSUE_SCHEMA, BatchValidator, ValidatedBatch

MAX_ERRORS_REPORTED = 1000


class UnrecognisedFile(UnreadableFile):
    """The file reads, but its header matches no contract (or lacks required columns)."""


@dataclass
class FileResult:
    """What happened to one file; this is what ``ingest --json`` prints."""

    file: str
    status: str  # loaded | duplicate | failed
    kind: str | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    duplicate_file: bool = False
    duplicate_of: str | None = None
    load_id: str | None = None
    as_of: str | None = None
    reason: str | None = None
    encoding: str | None = None
    format: str | None = None
    blank_rows: int = 0
    unknown_columns: list[str] = field(default_factory=list)
    errors_total: int = 0
    warnings_total: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(8 << 20):
            h.update(chunk)
    return h.hexdigest()


def detect_contract(header: list[str], path: Path) -> Contract:
    """The contract whose columns best match the header; its required columns must all be there."""
    scored = []
    for contract in all_contracts().values():
        mapped = contract.match_header(header)
        if mapped:
            scored.append((len(mapped), len(mapped) / len(contract.columns), contract, mapped))
    if not scored:
        raise UnrecognisedFile(path, "header matches no known extract; name the kind with --kind "
                                     f"(known: {', '.join(all_contracts())})")
    scored.sort(key=lambda s: (s[0], s[1]), reverse=True)
    best = scored[0]
    if len(scored) > 1 and scored[1][:2] == best[:2]:
        raise UnrecognisedFile(path, f"header fits both {best[2].kind} and {scored[1][2].kind}; use --kind")
    return best[2]


def _check_required(contract: Contract, mapping: dict[str, str], path: Path) -> None:
    missing = [c for c in contract.required if c not in mapping.values()]
    if missing:
        shown = [contract.column(c).display_header for c in missing]
        raise UnrecognisedFile(path, f"looks like a {contract.kind} extract but is missing required "
                                     f"column(s): {', '.join(shown)}")


class _LoadWriter:
    """Streams one load's outputs into its staging folder."""

    def __init__(self, staging: Path, contract: Contract, sha: Future[str]):
        self.contract = contract
        self.sha = sha
        self.data = pq.ParquetWriter(staging / "data.parquet", stored_schema(contract), compression="zstd")
        self.quarantine = pq.ParquetWriter(staging / "quarantine.parquet", quarantine_schema(contract),
                                           compression="zstd")
        self.issues = pq.ParquetWriter(staging / "issues.parquet", ISSUES_SCHEMA, compression="zstd")
        restricted = staging / "restricted"
        restricted.mkdir(mode=0o700)
        self.refs = pq.ParquetWriter(restricted / "refs.parquet", RESTRICTED_SCHEMA, compression="zstd")

        self.background = OrderedWriter()

    def write(self, writer: pq.ParquetWriter, df: pl.DataFrame, schema: pa.Schema) -> None:
        if df.height:
            self.background.submit(self._write, writer, df.to_arrow(), schema)

    def _write(self, writer: pq.ParquetWriter, table: pa.Table, schema: pa.Schema) -> None:
        """Runs on the writer thread; the file hash is added here, once it is known."""
        if "_file_sha256" in schema.names and "_file_sha256" not in table.column_names:
            table = table.append_column("_file_sha256", pa.array([self.sha.result()] * table.num_rows))
        writer.write_table(table.select(schema.names).cast(schema))

    def close(self) -> None:
        try:
            self.background.finish()
        finally:
            for w in (self.data, self.quarantine, self.issues, self.refs):
                w.close()


class _FileIngest:
    """State for one file's pass: validation, key de-duplication and transformation."""

    def __init__(self, contract: Contract, extract: Extract, mapping: dict[str, str], as_of: dt.date,
                 pseudo: Pseudonymiser, provenance: dict[str, Any]):
        self.contract = contract
        self.extract = extract
        self.mapping = mapping
        self.as_of = as_of
        self.pseudo = pseudo
        self.provenance = provenance
        self.validator = BatchValidator(contract, as_of, derive=self._derive)
        self._refs: list[pl.DataFrame] = []
        self.seen_keys = pl.DataFrame(schema={"_k": pl.String, "_seen_row": pl.Int64})
        self.rows_read = 0
        self.rows_loaded = 0
        self.rows_quarantined = 0
        self.blank_rows = 0
        self.errors_total = 0
        self.warnings_total = 0
        self.sample_errors: list[dict[str, Any]] = []

    def _raw_frame(self, batch: pa.RecordBatch) -> pl.DataFrame:
        df = pl.from_arrow(batch)
        assert isinstance(df, pl.DataFrame)
        df = df.select([pl.col(ROW), *[pl.col(h).alias(n) for h, n in self.mapping.items()]])
        missing = [c for c in self.contract.column_names if c not in df.columns]
        if missing:
            df = df.with_columns([pl.lit(None, dtype=pl.String).alias(c) for c in missing])
        blank = pl.all_horizontal(
            [pl.col(c).is_null() | (pl.col(c).str.strip_chars() == "") for c in self.mapping.values()]
        )
        n_before = df.height
        df = df.filter(~blank)
        self.blank_rows += n_before - df.height
        return df

    def _duplicate_keys(self, parsed: pl.DataFrame, bad: pl.Series) -> tuple[pl.Series, pl.DataFrame]:
        """Second and later rows with the same business key in one file are quarantined."""
        if self.contract.supersede != "key":
            return bad, pl.DataFrame(schema=ISSUE_SCHEMA)
        key_expr = pl.concat_str(
            [pl.col(c).cast(pl.String).fill_null("") for c in self.contract.key], separator="\x1f"
        ).alias("_k")
        keys = parsed.select(pl.int_range(pl.len()).alias("_i"), pl.col(ROW), key_expr).filter(~bad)
        keys = keys.with_columns(pl.col(ROW).first().over("_k").alias("_first"))
        keys = keys.join(self.seen_keys, on="_k", how="left")
        keys = keys.with_columns(pl.coalesce("_seen_row", "_first").alias("_orig"))
        dups = keys.filter(pl.col(ROW) != pl.col("_orig"))
        fresh = keys.filter(pl.col("_seen_row").is_null() & (pl.col(ROW) == pl.col("_first")))
        self.seen_keys = pl.concat([self.seen_keys, fresh.select("_k", pl.col(ROW).alias("_seen_row"))])
        if dups.height == 0:
            return bad, pl.DataFrame(schema=ISSUE_SCHEMA)
        flags = np.zeros(parsed.height, dtype=bool)
        flags[dups["_i"].to_numpy()] = True
        key_names = ", ".join(self.contract.key)
        issues = dups.select(
            pl.col(ROW),
            pl.lit(self.contract.key[0]).alias("column"),
            pl.lit(None, dtype=pl.String).alias("value"),
            pl.lit("duplicate_key").alias("rule"),
            (pl.lit(f"same {key_names} as row ") + pl.col("_orig").cast(pl.String)).alias("message"),
            pl.lit("error").alias("severity"),
        )
        return bad | pl.Series(flags), issues

    def _remember_refs(self, col: Column, local: pl.Series, pseudo: pl.Series) -> None:
        """Queue (pseudonym, council reference) pairs for the restricted table."""
        pairs = pl.DataFrame({"pseudonym": pseudo, "local_ref": local}).drop_nulls()
        if pairs.height:
            self._refs.append(pairs.with_columns(pl.lit(col.pii).alias("identifier"),
                                                 pl.lit(col.name).alias("column")))

    def _derive(self, col: Column, values: pl.Series) -> dict[str, pl.Series]:
        """Stored form of a column's distinct parsed values: pseudonyms, month of birth, sector."""
        if col.pii in {"person_ref", "case_ref"}:
            pseudo = self.pseudo.series(values, col.pii)
            self._remember_refs(col, values, pseudo)
            return {col.name: pseudo}
        if col.pii == "nhs_number":
            return {f"{col.name}_pseudo": self.pseudo.series(values, "nhs_number")}
        if col.pii == "date_of_birth":
            return {col.name: values.dt.truncate("1mo")}
        if col.pii == "postcode":
            parts = values.str.split(" ")
            outward = parts.list.first()
            sector = outward + " " + parts.list.last().str.slice(0, 1)
            return {f"{col.name}_sector": sector, f"{col.name}_district": outward}
        return {}

    def _stored(self, checked: ValidatedBatch, bad: pl.Series) -> pl.DataFrame:
        df = checked.parsed.with_columns(list(checked.derived.values())).filter(~bad)
        return df.with_columns(self._provenance_exprs())

    def _take_refs(self) -> pl.DataFrame:
        refs, self._refs = self._refs, []
        if not refs:
            return pl.DataFrame(schema={n: pl.String for n in ("pseudonym", "local_ref", "identifier", "column")})
        return pl.concat(refs).unique()

    def _provenance_exprs(self) -> list[pl.Expr]:
        p = self.provenance
        return [
            pl.lit(p["load_id"]).alias("_load_id"),
            pl.lit(p["seq"], dtype=pl.Int64).alias("_load_seq"),
            pl.lit(self.as_of).alias("_as_of"),
            pl.lit(p["loaded_at"]).dt.replace_time_zone("UTC").alias("_loaded_at"),
            pl.lit(p["source_file"]).alias("_source_file"),
        ]

    def _quarantined(self, raw: pl.DataFrame, issues: pl.DataFrame) -> pl.DataFrame:
        """Rejected rows keep their submitted text, with identifiers pseudonymised or masked."""
        exprs = []
        for col in self.contract.columns:
            if col.pii in {"person_ref", "case_ref"}:
                local = raw[col.name].str.strip_chars().replace("", None)
                pseudo = self.pseudo.series(local, col.pii)
                self._remember_refs(col, local, pseudo)
                exprs.append(pseudo.alias(col.name))
            elif col.pii == "nhs_number":
                exprs.append(pl.when(pl.col(col.name).str.strip_chars() != "")
                             .then(pl.lit("•••") + pl.col(col.name).str.strip_chars().str.slice(-3))
                             .otherwise(None).alias(col.name))
            elif col.pii == "date_of_birth":
                exprs.append(pl.when(pl.col(col.name).str.strip_chars() != "")
                             .then(pl.lit("[withheld]")).otherwise(None).alias(col.name))
            elif col.pii == "postcode":
                exprs.append(pl.col(col.name).str.strip_chars().str.split(" ").list.first().alias(col.name))
        df = raw.with_columns(exprs) if exprs else raw
        reasons = (
            issues.filter(pl.col("severity") == "error")
            .group_by(ROW)
            .agg(pl.struct("column", "rule", "message", "value").alias("_e"))
            .with_columns(
                (pl.lit("[") + pl.col("_e").list.eval(pl.element().struct.json_encode()).list.join(",")
                 + pl.lit("]")).alias("_errors")
            )
            .select(ROW, "_errors")
        )
        df = df.join(reasons, on=ROW, how="left")
        return df.with_columns(self._provenance_exprs())

    def _note_issues(self, issues: pl.DataFrame) -> None:
        n_err = issues.filter(pl.col("severity") == "error").height
        self.errors_total += n_err
        self.warnings_total += issues.height - n_err
        room = MAX_ERRORS_REPORTED - len(self.sample_errors)
        if room > 0 and issues.height:
            sample = issues.sort(ROW).head(room)
            for r in sample.iter_rows(named=True):
                self.sample_errors.append({"file": self.provenance["source_file"], "row": r[ROW],
                                           "column": r["column"], "value": r["value"], "rule": r["rule"],
                                           "message": r["message"], "severity": r["severity"]})

    def run(self, writer: _LoadWriter) -> None:
        contract = self.contract
        tag = [pl.lit(self.provenance["load_id"]).alias("_load_id"),
               pl.lit(self.provenance["source_file"]).alias("_source_file")]
        for batch in prefetch(self.extract.batches):
            raw = self._raw_frame(batch)
            if raw.height == 0:
                continue
            checked = self.validator.validate(raw)
            bad, dup_issues = self._duplicate_keys(checked.parsed, checked.bad)
            issues = pl.concat([checked.issues, dup_issues]) if dup_issues.height else checked.issues
            accepted = self._stored(checked, bad)
            rejected = self._quarantined(raw.filter(bad), issues)
            writer.write(writer.data, accepted, stored_schema(contract))
            writer.write(writer.quarantine, rejected, quarantine_schema(contract))
            writer.write(writer.issues, issues.with_columns(tag), ISSUES_SCHEMA)
            writer.write(writer.refs, self._take_refs().with_columns(tag[0]), RESTRICTED_SCHEMA)
            self._note_issues(issues)
            self.rows_read += raw.height
            self.rows_loaded += accepted.height
            self.rows_quarantined += rejected.height
        self._malformed(writer)

    def _malformed(self, writer: _LoadWriter) -> None:
        """Rows the CSV parser could not split are quarantined whole, with the reason."""
        rows = self.extract.malformed
        if not rows:
            return
        issues = pl.DataFrame(
            {ROW: [r.row for r in rows], "column": ["(row)"] * len(rows), "value": [None] * len(rows),
             "rule": ["field_count"] * len(rows), "message": [r.reason for r in rows],
             "severity": ["error"] * len(rows)},
            schema=ISSUE_SCHEMA,
        )
        errors = [json.dumps([{"column": "(row)", "rule": "field_count", "message": r.reason}]) for r in rows]
        q = pl.DataFrame({ROW: [r.row for r in rows], "_errors": errors},
                         schema={ROW: pl.Int64, "_errors": pl.String})
        q = q.with_columns([pl.lit(None, dtype=pl.String).alias(c) for c in self.contract.column_names])
        q = q.with_columns(self._provenance_exprs())
        writer.write(writer.quarantine, q, quarantine_schema(self.contract))
        tag = [pl.lit(self.provenance["load_id"]).alias("_load_id"),
               pl.lit(self.provenance["source_file"]).alias("_source_file")]
        writer.write(writer.issues, issues.with_columns(tag), ISSUES_SCHEMA)
        self._note_issues(issues)
        self.rows_read += len(rows)
        self.rows_quarantined += len(rows)


def _duplicate_result(result: FileResult, dup: dict[str, Any]) -> FileResult:
    result.status = "duplicate"
    result.duplicate_file = True
    result.duplicate_of = dup["load_id"]
    result.as_of = dup["as_of"]
    return result


def ingest_file(
    store_dir: Path | str,
    path: Path | str,
    *,
    kind: str | None = None,
    as_of: dt.date | None = None,
    key: bytes | None = None,
    key_file: Path | None = None,
    actor: str = "cli",
    sheet: str | None = None,
) -> FileResult:
    """Load one extract. Raises ``UnreadableFile`` (or ``UnrecognisedFile``) before writing anything."""
    path = Path(path)
    as_of = as_of or dt.date.today()
    extract = open_extract(path, sheet=sheet)
    contract = get_contract(kind) if kind else detect_contract(extract.header, path)
    mapping = contract.match_header(extract.header)
    _check_required(contract, mapping, path)
    if key is None:
        key_path = key_file_path(key_file).resolve()
        if key_path.is_relative_to(Path(store_dir).resolve()):
            raise StoreError(f"the key file {key_path} must be kept outside the store folder")
        key = load_key(key_file)
    store = Store(store_dir, create=True, key_fingerprint=fingerprint(key))
    store.check_key(fingerprint(key))
    size = path.stat().st_size
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="asc-assure-sha") as hasher, store.lock():
        # The file's SHA-256 is computed alongside the load; only a file the same size as one
        # already loaded can be a duplicate, and then we wait for the hash before doing any work.
        sha = hasher.submit(file_sha256, path)
        result = FileResult(file=path.name, status="loaded", kind=contract.kind, as_of=as_of.isoformat(),
                            format=extract.format,
                            unknown_columns=[h for h in extract.header if h and h not in mapping])
        store.clean_staging()
        if any(m["file_bytes"] == size for m in store.manifests()):
            dup = store.find_duplicate(sha.result(), contract.kind)
            if dup is not None:
                return _duplicate_result(result, dup)
        seq = store.next_seq()
        load_id = f"{seq:06d}-{contract.kind}"
        loaded_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        provenance = {"load_id": load_id, "seq": seq, "loaded_at": loaded_at, "source_file": path.name}
        for attempt in (1, 2):
            staging = store.new_staging(load_id)
            try:
                job = _FileIngest(contract, extract, mapping, as_of, Pseudonymiser(key), provenance)
                writer = _LoadWriter(staging, contract, sha)
                try:
                    job.run(writer)
                finally:
                    writer.close()
                break
            except EncodingMismatch:
                # Looked like UTF-8 at the start, isn't: start again as Windows-1252.
                shutil.rmtree(staging, ignore_errors=True)
                if attempt == 2:
                    raise UnreadableFile(path, "text encoding is neither UTF-8 nor Windows-1252") from None
                extract = open_extract(path, sheet=sheet, encoding="cp1252")
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
        try:
            if job.rows_read != job.rows_loaded + job.rows_quarantined:  # pragma: no cover - invariant
                raise RuntimeError(f"{path.name}: row accounting failed; load abandoned")
            manifest = {
                "load_id": load_id,
                "seq": seq,
                "kind": contract.kind,
                "contract_version": contract.version,
                "source_file": path.name,
                "file_sha256": sha.result(),
                "file_bytes": size,
                "format": extract.format,
                "encoding": extract.encoding,
                "sheet": extract.sheet,
                "as_of": as_of.isoformat(),
                "loaded_at": loaded_at.isoformat(timespec="seconds") + "Z",
                "loaded_by": actor,
                "rows_read": job.rows_read,
                "rows_loaded": job.rows_loaded,
                "rows_quarantined": job.rows_quarantined,
                "errors": job.errors_total,
                "warnings": job.warnings_total,
                "blank_rows": job.blank_rows + extract.blank_rows,
                "unknown_columns": result.unknown_columns,
                "header_mapping": mapping,
            }
            store.commit(staging, manifest)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        audit.append(store.audit_path, "load", actor, load_id=load_id, file=path.name, sha256=sha.result(),
                     kind=contract.kind, rows_read=job.rows_read, rows_loaded=job.rows_loaded,
                     rows_quarantined=job.rows_quarantined)
    result.encoding = extract.encoding
    result.load_id = load_id
    result.rows_read = job.rows_read
    result.rows_loaded = job.rows_loaded
    result.rows_quarantined = job.rows_quarantined
    result.blank_rows = job.blank_rows + extract.blank_rows
    result.errors_total = job.errors_total
    result.warnings_total = job.warnings_total
    result.errors = job.sample_errors
    return result


def ingest_files(store_dir: Path | str, paths: list[Path], **kwargs: Any) -> list[FileResult]:
    """Load several files; an unreadable one is reported and the rest still load."""
    results = []
    for p in paths:
        try:
            results.append(ingest_file(store_dir, p, **kwargs))
        except UnreadableFile as exc:
            results.append(FileResult(file=Path(p).name, status="failed", reason=exc.reason))
    return results


def write_error_report(store: Store | None, load_ids: list[str], out: Path) -> int:
    """CSV of every problem in the given loads: file, row, column, value, rule, message, severity."""
    files = [store.loads_dir / lid / "issues.parquet" for lid in load_ids] if store else []
    files = [f for f in files if f.exists()]
    out.parent.mkdir(parents=True, exist_ok=True)
    if not files:
        pl.DataFrame(schema={"file": pl.String, "row": pl.Int64, "column": pl.String, "value": pl.String,
                             "rule": pl.String, "message": pl.String, "severity": pl.String}).write_csv(out)
        return 0
    df = pl.concat([pl.read_parquet(f) for f in files]).select(
        pl.col("_source_file").alias("file"), pl.col(ROW).alias("row"), "column", "value", "rule",
        "message", "severity",
    ).sort("file", "row", "column")
    df.write_csv(out)
    return df.height
