"""Reading extracts: row numbers people can find, encodings councils produce, unreadable files."""

from __future__ import annotations

import datetime as dt
import random

import openpyxl
import pytest

from asc_assure.data import readers
from asc_assure.data.readers import UnreadableFile, open_extract


def rows_of(ext):
    out = []
    for batch in ext.batches:
        d = batch.to_pydict()
        out += [dict(zip(d, vals, strict=True)) for vals in zip(*d.values(), strict=True)]
    return out


def test_row_numbers_survive_multiline_values_ragged_rows_and_many_blocks(tmp_path, monkeypatch):
    """Column n holds the row number a spreadsheet would show; the reader must agree everywhere."""
    monkeypatch.setattr(readers, "CSV_BLOCK_BYTES", 4096)  # force many parser blocks
    rng = random.Random(7)
    lines = ["n,text,other"]
    expected_bad = []
    for rownum in range(2, 5000):
        kind = rng.random()
        if kind < 0.02:
            lines.append(f"{rownum},too,many,fields")
            expected_bad.append(rownum)
        elif kind < 0.04:
            lines.append(f"{rownum},\"two\nlines\",x")
        elif kind < 0.05:
            lines.append(f"{rownum}")  # too few fields
            expected_bad.append(rownum)
        else:
            lines.append(f"{rownum},plain,y")
    path = tmp_path / "numbers.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ext = open_extract(path)
    rows = rows_of(ext)
    assert all(int(r["n"]) == r["_row"] for r in rows)
    assert [m.row for m in ext.malformed] == expected_bad
    assert len(rows) + len(ext.malformed) == 4998


@pytest.mark.parametrize(
    ("encoding", "prefix"), [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("cp1252", b"")]
)
def test_encodings_councils_use(tmp_path, encoding, prefix):
    path = tmp_path / "x.csv"
    path.write_bytes(prefix + "team,cost\nCafé Team,£12\n".encode(encoding))
    ext = open_extract(path)
    assert ext.header == ["team", "cost"]
    assert rows_of(ext) == [{"team": "Café Team", "cost": "£12", "_row": 2}]
    assert ext.encoding == ("cp1252" if encoding == "cp1252" else "utf-8")


def test_blank_lines_are_not_rows_but_keep_numbering(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n\n3,4\n,\n5,6\n", encoding="utf-8")
    rows = rows_of(open_extract(path))
    assert [(r["a"], r["_row"]) for r in rows if r["a"]] == [("1", 2), ("3", 4), ("5", 6)]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty"),
        (b"a,b\n1,\x00\n", "NUL"),
        (b"%PDF-1.7 ...", "PDF"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", ".xls"),
        (b"PK\x03\x04broken", "damaged"),
        (b"a,a\n1,2\n", "more than once"),
        (b"a\tb\tc\n1\t2\t3\n", "tab-separated"),
        (b"a,b\n\x81\x8d\x8f\x90\x9d\xff\xfe\n", "neither UTF-8 nor Windows-1252"),
    ],
)
def test_unreadable_files_say_why(tmp_path, content, reason):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(UnreadableFile, match=reason) as info:
        open_extract(path)
    assert "bad.csv" in str(info.value)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(UnreadableFile, match="not found"):
        open_extract(tmp_path / "nope.csv")
    with pytest.raises(UnreadableFile, match="folder"):
        open_extract(tmp_path)


def test_xlsx_cells_are_read_as_people_typed_them(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["id", "when", "flag", "count", "money", "note"])
    ws.append(["R1", dt.datetime(2025, 1, 31), True, 3.0, 12.5, None])
    ws.append([None, None, None, None, None, None])
    ws.append(["R2", dt.date(2024, 2, 29), False, 7, 0.1, "ok"])
    ws.append(["R3", "31/01/2025", "Y", "3", "x", "", "spill"])
    path = tmp_path / "x.xlsx"
    wb.save(path)
    ext = open_extract(path)
    rows = rows_of(ext)
    assert rows == [
        {"id": "R1", "when": "2025-01-31", "flag": "TRUE", "count": "3", "money": "12.5", "note": "", "_row": 2},
        {"id": "R2", "when": "2024-02-29", "flag": "FALSE", "count": "7", "money": "0.1", "note": "ok", "_row": 4},
    ]
    assert [m.row for m in ext.malformed] == [5]
    assert ext.blank_rows == 1


def test_xlsx_unknown_sheet(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["a"])
    path = tmp_path / "x.xlsx"
    wb.save(path)
    with pytest.raises(UnreadableFile, match="no sheet called 'Data'"):
        open_extract(path, sheet="Data")
