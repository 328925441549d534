"""Keyed pseudonyms for NHS numbers and the council's person and case references.

Analytics, packs and exports only ever see pseudonyms: HMAC-SHA256 of the identifier under a secret
key kept outside the store. The same identifier always gives the same pseudonym under the same key,
so a person links across extracts and loads; without the key nobody can go back or test a guess.
The key is read from ``ASC_ASSURE_PSEUDONYM_KEY`` (hex) or from a key file created on first use.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

import polars as pl

KEY_ENV = "ASC_ASSURE_PSEUDONYM_KEY"
KEY_FILE_ENV = "ASC_ASSURE_KEY_FILE"
DEFAULT_KEY_FILE = Path.home() / ".config" / "asc-assure" / "pseudonym.key"
PREFIX = {"nhs_number": "N-", "person_ref": "P-", "case_ref": "C-"}
HEX_CHARS = 16


class PseudonymKeyError(Exception):
    """The pseudonymisation key is missing, malformed or not the store's key."""


def key_file_path(explicit: Path | None = None) -> Path:
    if explicit is not None:
        return Path(explicit)
    env = os.environ.get(KEY_FILE_ENV)
    return Path(env) if env else DEFAULT_KEY_FILE


def load_key(key_file: Path | None = None, create: bool = True) -> bytes:
    """The secret key: from the environment, else the key file (created with 0600 on first use)."""
    env = os.environ.get(KEY_ENV)
    if env:
        try:
            key = bytes.fromhex(env.strip())
        except ValueError:
            raise PseudonymKeyError(f"{KEY_ENV} must be hexadecimal") from None
        if len(key) < 32:
            raise PseudonymKeyError(f"{KEY_ENV} must hold at least 32 bytes (64 hex characters)")
        return key
    path = key_file_path(key_file)
    if path.exists():
        try:
            key = bytes.fromhex(path.read_text().strip())
        except ValueError:
            raise PseudonymKeyError(f"key file {path} is not hexadecimal") from None
        if len(key) < 32:
            raise PseudonymKeyError(f"key file {path} holds fewer than 32 bytes")
        return key
    if not create:
        raise PseudonymKeyError(f"no pseudonymisation key: set {KEY_ENV} or create {path}")
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key.hex() + "\n")
    return key


def fingerprint(key: bytes) -> str:
    """A public fingerprint of the key, stored with the store to catch loads under another key."""
    return hmac.new(key, b"asc-assure key fingerprint v1", hashlib.sha256).hexdigest()[:16]


class Pseudonymiser:
    """HMAC pseudonyms for one key, computed once per distinct value in a batch."""

    def __init__(self, key: bytes):
        self._key = key
        self._known: dict[str, pl.DataFrame] = {}

    def one(self, value: str, kind: str) -> str:
        """Pseudonym of a single identifier (already cleaned: trimmed, NHS digits only)."""
        return PREFIX[kind] + hmac.digest(self._key, f"{kind}:{value}".encode(), "sha256").hex()[:HEX_CHARS]

    def _many(self, values: list[str], kind: str) -> list[str]:
        key, prefix, tag = self._key, PREFIX[kind], f"{kind}:"
        digest = hmac.digest
        return [prefix + digest(key, (tag + v).encode(), "sha256").hex()[:HEX_CHARS] for v in values]

    def series(self, values: pl.Series, kind: str) -> tuple[pl.Series, pl.DataFrame]:
        """Pseudonyms for a column, and the distinct (pseudonym, local_ref) pairs seen.

        Identifiers repeat heavily (one person, many events, many batches), so each distinct value
        is hashed once per load and reused through a join.
        """
        known = self._known.get(kind)
        if known is None:
            known = pl.DataFrame(schema={"local_ref": pl.String, "pseudonym": pl.String})
        distinct = values.drop_nulls().unique().to_frame("local_ref")
        new = distinct.join(known, on="local_ref", how="anti")
        if new.height:
            refs = new["local_ref"].to_list()
            new = pl.DataFrame({"local_ref": refs, "pseudonym": self._many(refs, kind)},
                               schema={"local_ref": pl.String, "pseudonym": pl.String})
            known = pl.concat([known, new])
            self._known[kind] = known
        out = values.to_frame("local_ref").join(known, on="local_ref", how="left", maintain_order="left")
        pairs = distinct.join(known, on="local_ref", how="left").select("pseudonym", "local_ref")
        return out["pseudonym"].alias(values.name), pairs
