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

    def __init__(self, key: bytes, cache_limit: int = 2_000_000):
        self._key = key
        self._cache: dict[str, dict[str, str]] = {}
        self._cache_limit = cache_limit

    def one(self, value: str, kind: str) -> str:
        """Pseudonym of a single identifier (already cleaned: trimmed, NHS digits only)."""
        return PREFIX[kind] + hmac.digest(self._key, f"{kind}:{value}".encode(), "sha256").hex()[:HEX_CHARS]

    def series(self, values: pl.Series, kind: str) -> pl.Series:
        """Pseudonyms for a column of identifiers (nulls stay null).

        Identifiers repeat heavily (one person, many events, many batches), so each distinct value
        is hashed once per load and remembered (up to ``cache_limit`` values per kind).
        """
        cache = self._cache.setdefault(kind, {})
        if len(cache) > self._cache_limit:
            cache.clear()
        distinct = values.drop_nulls().unique()
        key, prefix, tag, digest = self._key, PREFIX[kind], f"{kind}:", hmac.digest
        out = []
        for v in distinct.to_list():
            p = cache.get(v)
            if p is None:
                p = cache[v] = prefix + digest(key, (tag + v).encode(), "sha256").hex()[:HEX_CHARS]
            out.append(p)
        mapped = values.replace_strict(distinct, pl.Series(out, dtype=pl.String), default=None)
        return mapped.alias(values.name)
