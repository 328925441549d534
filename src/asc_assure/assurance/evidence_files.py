"""Evidence files, stored by content: each file lives at ``files/<first two hex>/<sha256>``.

Why content-addressed: the SHA-256 recorded with an item *is* the file's name, so a download can
prove the bytes are the ones that were uploaded, the same document uploaded twice (a policy attached
to several items) is stored once, and a replaced file never overwrites the old one, so the change log
can still point at the earlier version.

Only the document types a council's evidence is kept in are accepted (PDF, Word, Excel, PowerPoint,
OpenDocument, RTF, CSV, plain text, PNG/JPEG/GIF images). Macro-enabled Office files and anything
else are refused. The first bytes must match the type the name claims, so an executable renamed
``.pdf`` is refused too. Files are limited to :data:`MAX_FILE_BYTES`.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asc_assure.assurance.workspace import WorkspaceError

MAX_FILE_BYTES = 25 * 1024 * 1024
MAX_NAME_CHARS = 180
_CHUNK = 1024 * 1024

_OOXML, _OLE, _ODF = "ooxml", "ole", "odf"
# extension -> (content type served with downloads, how the first bytes are checked)
ALLOWED_TYPES: dict[str, tuple[str, str]] = {
    "pdf": ("application/pdf", "pdf"),
    "doc": ("application/msword", _OLE),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _OOXML),
    "odt": ("application/vnd.oasis.opendocument.text", _ODF),
    "rtf": ("application/rtf", "rtf"),
    "xls": ("application/vnd.ms-excel", _OLE),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _OOXML),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", _ODF),
    "ppt": ("application/vnd.ms-powerpoint", _OLE),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", _OOXML),
    "odp": ("application/vnd.oasis.opendocument.presentation", _ODF),
    "csv": ("text/csv", "text"),
    "txt": ("text/plain", "text"),
    "png": ("image/png", "png"),
    "jpg": ("image/jpeg", "jpeg"),
    "jpeg": ("image/jpeg", "jpeg"),
    "gif": ("image/gif", "gif"),
}
ALLOWED_DESCRIPTION = "PDF, Word, Excel, PowerPoint, OpenDocument, RTF, CSV, text, PNG, JPEG or GIF"

_MAGIC = {
    "pdf": (b"%PDF-",),
    _OLE: (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    "rtf": (b"{\\rtf",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"),
}
_SHA_RE = re.compile(r"[0-9a-f]{64}")


class EvidenceFileError(WorkspaceError):
    """A file that cannot be stored or served: wrong type, too large, missing or altered."""


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int
    name: str
    path: Path

    @property
    def content_type(self) -> str:
        return content_type_for(self.name)


def clean_name(name: str) -> str:
    """The file's own name without folders or control characters (it is shown and used for downloads)."""
    base = re.split(r"[\\/]", str(name or ""))[-1]
    base = "".join(ch for ch in unicodedata.normalize("NFC", base) if unicodedata.category(ch)[0] != "C")
    base = base.strip().strip(".").strip()
    if not base:
        raise EvidenceFileError("file name is empty")
    if len(base) > MAX_NAME_CHARS:
        stem, dot, ext = base.rpartition(".")
        base = (stem[: MAX_NAME_CHARS - len(ext) - 1] + dot + ext) if dot else base[:MAX_NAME_CHARS]
    return base


def extension(name: str) -> str:
    return name.rpartition(".")[2].lower() if "." in name else ""


def content_type_for(name: str) -> str:
    return ALLOWED_TYPES.get(extension(name), ("application/octet-stream", ""))[0]


def check_type(name: str) -> str:
    """The file's extension if it is an allowed document type; refuses anything else by name."""
    ext = extension(name)
    if ext not in ALLOWED_TYPES:
        shown = f".{ext}" if ext else "no extension"
        raise EvidenceFileError(f"file {name!r} is not an accepted type ({shown}); "
                                f"upload a {ALLOWED_DESCRIPTION} file")
    return ext


def _content_matches(path: Path, ext: str) -> bool:
    kind = ALLOWED_TYPES[ext][1]
    with path.open("rb") as fh:
        head = fh.read(64 * 1024)
    if kind in _MAGIC:
        return head.startswith(_MAGIC[kind])
    if kind in (_OOXML, _ODF):
        if not head.startswith(b"PK\x03\x04"):
            return False
        try:
            with zipfile.ZipFile(path) as zf:
                names = set(zf.namelist())
        except (zipfile.BadZipFile, OSError):
            return False
        return "[Content_Types].xml" in names if kind == _OOXML else "mimetype" in names
    # text: no NUL bytes, and readable as UTF-8 or Windows-1252 (what council systems export)
    if b"\x00" in head:
        return False
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            data.decode(encoding)
            return True
        except UnicodeDecodeError:
            continue
    return False


def path_for(files_dir: Path, sha256: str) -> Path:
    if not _SHA_RE.fullmatch(sha256 or ""):
        raise EvidenceFileError(f"{sha256!r} is not a SHA-256 checksum")
    return Path(files_dir) / sha256[:2] / sha256


def hash_file(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with Path(path).open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def store_file(files_dir: Path, source: Path, name: str | None = None) -> StoredFile:
    """Check and copy ``source`` into the store; returns its checksum. Storing the same bytes again is a no-op."""
    source = Path(source)
    shown = clean_name(name or source.name)
    ext = check_type(shown)
    if not source.is_file():
        raise EvidenceFileError(f"file {str(source)!r} does not exist")
    size = source.stat().st_size
    if size == 0:
        raise EvidenceFileError(f"file {shown!r} is empty")
    if size > MAX_FILE_BYTES:
        raise EvidenceFileError(f"file {shown!r} is {size / 1048576:.1f} MB; the limit is "
                                f"{MAX_FILE_BYTES // 1048576} MB")
    if not _content_matches(source, ext):
        raise EvidenceFileError(f"file {shown!r} does not look like a .{ext} file (its contents do not match "
                                "its name)")
    files_dir = Path(files_dir)
    files_dir.mkdir(parents=True, exist_ok=True)
    digest, written = hashlib.sha256(), 0
    fd, tmp_name = tempfile.mkstemp(prefix=".upload-", dir=files_dir)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out, source.open("rb") as fh:
            while chunk := fh.read(_CHUNK):
                digest.update(chunk)
                out.write(chunk)
                written += len(chunk)
            out.flush()
            os.fsync(out.fileno())
        sha = digest.hexdigest()
        dest = path_for(files_dir, sha)
        dest.parent.mkdir(parents=True, exist_ok=True)
        if dest.exists() and hash_file(dest)[0] == sha:
            tmp.unlink()
        else:  # new, or a damaged earlier copy that this upload repairs
            os.chmod(tmp, 0o444)
            os.replace(tmp, dest)
    finally:
        if tmp.exists():
            tmp.unlink()
    return StoredFile(sha, written, shown, dest)


def open_verified(files_dir: Path, sha256: str, name: str) -> StoredFile:
    """The stored file, after re-hashing it: refuses to hand out bytes that are missing or altered."""
    path = path_for(files_dir, sha256)
    if not path.is_file():
        raise EvidenceFileError(f"the stored file for {name!r} is missing (checksum {sha256[:12]}…)")
    actual, size = hash_file(path)
    if actual != sha256:
        raise EvidenceFileError(f"the stored file for {name!r} has been altered since upload "
                                f"(checksum {actual[:12]}… instead of {sha256[:12]}…)")
    return StoredFile(sha256, size, name, path)


def read_verified(files_dir: Path, sha256: str, name: str) -> bytes:
    """The stored bytes, checked against the checksum *as read*, so what is served is what was checked."""
    path = path_for(files_dir, sha256)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise EvidenceFileError(f"the stored file for {name!r} is missing (checksum {sha256[:12]}…)") from None
    actual = hashlib.sha256(data).hexdigest()
    if actual != sha256:
        raise EvidenceFileError(f"the stored file for {name!r} has been altered since upload "
                                f"(checksum {actual[:12]}… instead of {sha256[:12]}…)")
    return data


def verify_store(files_dir: Path, expected: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Re-hash every stored file. ``expected`` maps each checksum items refer to, to those items."""
    files_dir = Path(files_dir)
    missing, altered, unreferenced = [], [], []
    checked = 0
    on_disk = {p.name: p for p in files_dir.glob("??/*") if p.is_file() and _SHA_RE.fullmatch(p.name)} \
        if files_dir.is_dir() else {}
    for sha, items in sorted(expected.items()):
        path = on_disk.get(sha)
        if path is None:
            missing.append({"sha256": sha, "items": items})
            continue
        checked += 1
        actual, _size = hash_file(path)
        if actual != sha:
            altered.append({"sha256": sha, "actual_sha256": actual, "items": items})
    for sha, path in sorted(on_disk.items()):
        if sha in expected:
            continue
        checked += 1
        actual, _size = hash_file(path)
        if actual != sha:
            altered.append({"sha256": sha, "actual_sha256": actual, "items": []})
        else:
            unreferenced.append(sha)
    return {"checked": checked, "missing": missing, "altered": altered,
            "unreferenced": len(unreferenced), "ok": not missing and not altered}
