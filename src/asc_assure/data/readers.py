"""Read council extracts (CSV in any of the encodings councils produce, or XLSX) as text batches.

Every value is read as text: typing is the validator's job, so that a bad value becomes a row-level
error with its row number rather than a crash or a silent null. Each batch carries ``_row``, the
row number a person sees when they open the file in a spreadsheet (the header is row 1). Rows that
cannot be split into the right number of fields are returned as ``MalformedRow`` so the caller can
quarantine them; nothing is dropped.
"""

from __future__ import annotations

import codecs
import datetime as dt
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

ROW = "_row"
BATCH_ROWS = 100_000
CSV_BLOCK_BYTES = 32 << 20


class UnreadableFile(Exception):
    """The file cannot be read as an extract at all (exit code 2, nothing written)."""

    def __init__(self, path: Path, reason: str):
        super().__init__(f"{path.name}: {reason}")
        self.path = path
        self.reason = reason


@dataclass
class MalformedRow:
    row: int
    reason: str
    text: str


@dataclass
class Extract:
    """An opened extract: its header, a batch iterator and what was learnt while reading."""

    path: Path
    format: str
    encoding: str | None
    header: list[str]
    batches: Iterator[pa.RecordBatch]
    malformed: list[MalformedRow] = field(default_factory=list)
    blank_rows: int = 0
    sheet: str | None = None


SAMPLE_BYTES = 1 << 20


class EncodingMismatch(Exception):
    """The file looked like UTF-8 at the start but is not; read it again as Windows-1252."""


def _detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) if the start of the file decodes as UTF-8, else Windows-1252.

    Councils' exports are one or the other. Only the first megabyte is checked here, so large files
    are not read twice; if invalid UTF-8 turns up later, the CSV reader raises ``EncodingMismatch``
    and the load starts again as Windows-1252. A file that is neither is reported as unreadable.
    """
    with path.open("rb") as fh:
        sample = fh.read(SAMPLE_BYTES)
        at_end = not fh.read(1)
    if b"\x00" in sample:
        raise UnreadableFile(path, "contains NUL bytes: this is not a text (CSV) file")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=at_end)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        sample.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        raise UnreadableFile(path, "text encoding is neither UTF-8 nor Windows-1252") from None


def _sniff_format(path: Path) -> str:
    if not path.exists():
        raise UnreadableFile(path, "file not found")
    if path.is_dir():
        raise UnreadableFile(path, "is a folder, not a file")
    if path.stat().st_size == 0:
        raise UnreadableFile(path, "file is empty")
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(b"PK\x03\x04"):
        if not zipfile.is_zipfile(path):
            raise UnreadableFile(path, "looks like a damaged Excel (zip) file")
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnreadableFile(path, "old Excel .xls format is not supported; save it as .xlsx or CSV")
    if head.startswith(b"%PDF"):
        raise UnreadableFile(path, "is a PDF, not a data extract")
    return "csv"


def open_extract(path: Path, sheet: str | None = None, encoding: str | None = None) -> Extract:
    """Open a CSV or XLSX extract; raises ``UnreadableFile`` with the reason if it can't be read."""
    path = Path(path)
    fmt = _sniff_format(path)
    if fmt == "xlsx":
        return _open_xlsx(path, sheet)
    return _open_csv(path, encoding)


def _check_header(path: Path, header: list[str]) -> list[str]:
    header = [h.replace("\ufeff", "").strip() for h in header]
    if not any(header):
        raise UnreadableFile(path, "the first row (header) is empty")
    seen: set[str] = set()
    for h in header:
        if h and h.lower() in seen:
            raise UnreadableFile(path, f"column {h!r} appears more than once in the header")
        seen.add(h.lower())
    return header


def _open_csv(path: Path, encoding: str | None = None) -> Extract:
    encoding = encoding or _detect_encoding(path)
    malformed: list[MalformedRow] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        if row.text.strip(" \t\r\n,") == "":
            ext.blank_rows += 1
            skipped_rows.append(row.number)
            return "skip"
        skipped_rows.append(row.number)
        malformed.append(
            MalformedRow(
                row=row.number,
                reason=f"row has {row.actual_columns} fields but the header has {row.expected_columns}",
                text=row.text[:200],
            )
        )
        return "skip"

    skipped_rows: list[int] = []
    read_opts = pacsv.ReadOptions(use_threads=False, block_size=CSV_BLOCK_BYTES, encoding=encoding)
    try:
        probe = pacsv.open_csv(
            path,
            read_options=pacsv.ReadOptions(use_threads=False, block_size=1 << 20, encoding=encoding),
            parse_options=pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=lambda r: "skip"),
            convert_options=pacsv.ConvertOptions(strings_can_be_null=False, check_utf8=False),
        )
        raw_header = probe.schema.names
    except pa.ArrowInvalid as exc:
        raise UnreadableFile(path, f"cannot read as CSV ({exc})") from None
    header = _check_header(path, list(raw_header))
    if len(header) == 1 and "\t" in header[0]:
        raise UnreadableFile(path, "looks tab-separated; save it as comma-separated CSV")
    try:
        reader = pacsv.open_csv(
            path,
            read_options=read_opts,
            parse_options=pacsv.ParseOptions(
                newlines_in_values=True, invalid_row_handler=on_invalid, ignore_empty_lines=False
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in raw_header},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid as exc:
        if "UTF8" in str(exc) and encoding == "utf-8":
            return _open_csv(path, "cp1252")
        raise UnreadableFile(path, f"cannot read as CSV ({exc})") from None
    except UnicodeDecodeError:
        raise UnreadableFile(path, "text encoding is neither UTF-8 nor Windows-1252") from None

    def batches() -> Iterator[pa.RecordBatch]:
        next_row = 2
        done = 0
        try:
            for batch in reader:
                n = batch.num_rows
                if n == 0:
                    continue
                rows, next_row, done = _number_rows(n, next_row, skipped_rows, done)
                arrays = [*list(batch.columns), pa.array(rows, pa.int64())]
                yield pa.RecordBatch.from_arrays(arrays, names=[*header, ROW])
        except pa.ArrowInvalid as exc:
            if "UTF8" in str(exc) and encoding == "utf-8":
                raise EncodingMismatch(str(exc)) from None
            raise UnreadableFile(path, f"cannot read as CSV ({exc})") from None
        except UnicodeDecodeError:
            raise UnreadableFile(path, "text encoding is neither UTF-8 nor Windows-1252") from None

    ext = Extract(path=path, format="csv", encoding=encoding, header=header, batches=batches(),
                  malformed=malformed)
    return ext


def _number_rows(n: int, next_row: int, skipped: list[int], done: int) -> tuple[np.ndarray, int, int]:
    """Spreadsheet row numbers for the next ``n`` parsed rows, stepping over skipped rows.

    ``skipped`` is the (growing, sorted) list of row numbers the CSV parser rejected; ``done`` is how
    many of them have already been stepped over.
    """
    pending = sorted(skipped[done:])
    end = next_row + n
    idx = 0
    while idx < len(pending) and pending[idx] < end:
        if pending[idx] >= next_row:
            end += 1
        idx += 1
    candidates = np.arange(next_row, end, dtype=np.int64)
    if idx:
        candidates = candidates[~np.isin(candidates, np.asarray(pending[:idx], dtype=np.int64))]
    return candidates[:n], int(end), done + idx


def _cell_text(value: object) -> str:
    """Render an Excel cell as the text a person would type for it (dates as ISO)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _open_xlsx(path: Path, sheet: str | None) -> Extract:
    import openpyxl  # imported lazily: only XLSX loads pay for it

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise UnreadableFile(path, f"cannot open as an Excel workbook ({exc.__class__.__name__})") from None
    if sheet is not None:
        if sheet not in wb.sheetnames:
            raise UnreadableFile(path, f"no sheet called {sheet!r} (sheets: {', '.join(wb.sheetnames)})")
        ws = wb[sheet]
    else:
        ws = next((s for s in wb.worksheets if s.max_row and s.max_row > 0), wb.worksheets[0])
    rows = ws.iter_rows(values_only=True)
    first = next(rows, None)
    if first is None:
        raise UnreadableFile(path, f"sheet {ws.title!r} is empty")
    raw_header = [_cell_text(v) for v in first]
    while raw_header and raw_header[-1] == "":
        raw_header.pop()
    header = _check_header(path, raw_header)
    width = len(header)
    malformed: list[MalformedRow] = []
    ext = Extract(path=path, format="xlsx", encoding=None, header=header, batches=iter(()),
                  malformed=malformed, sheet=ws.title)

    def batches() -> Iterator[pa.RecordBatch]:
        cols: list[list[str]] = [[] for _ in range(width)]
        numbers: list[int] = []
        for rownum, values in enumerate(rows, start=2):
            texts = [_cell_text(v) for v in values]
            if not any(texts):
                ext.blank_rows += 1
                continue
            if len(texts) > width and any(texts[width:]):
                malformed.append(MalformedRow(rownum, f"row has values beyond the {width} header columns",
                                              ",".join(texts)[:200]))
                continue
            texts += [""] * (width - len(texts))
            for i in range(width):
                cols[i].append(texts[i])
            numbers.append(rownum)
            if len(numbers) >= BATCH_ROWS:
                yield _batch(header, cols, numbers)
                cols = [[] for _ in range(width)]
                numbers = []
        if numbers:
            yield _batch(header, cols, numbers)
        wb.close()

    ext.batches = batches()
    return ext


def _batch(header: list[str], cols: list[list[str]], numbers: list[int]) -> pa.RecordBatch:
    arrays = [pa.array(c, pa.string()) for c in cols] + [pa.array(numbers, pa.int64())]
    return pa.RecordBatch.from_arrays(arrays, names=[*header, ROW])
