"""Word (.docx) documents built with python-docx: the shared building blocks every export uses.

Councils edit and circulate Word, so exports are real Word structure, not pictures of pages:
built-in Heading styles (they make the navigation pane and a table of contents work, and screen
readers announce them), real bullet lists, tables whose header row repeats on every page, and the
document title and author in its properties. Arial 11pt, as most council templates use.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

FONT = "Arial"


def new_document(title: str, author: str = "ASC Assure", subject: str = "") -> DocxDocument:
    """An A4 document with the council house style and its title in the properties and as Title."""
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = 10692130, 7560310  # A4 in EMU
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(11)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3"):
        doc.styles[name].font.name = FONT
    props = doc.core_properties
    props.title, props.author, props.subject = title, author, subject
    props.language = "en-GB"
    props.created = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    doc.add_heading(title, level=0)
    return doc


def heading(doc: DocxDocument, text: str, level: int = 1) -> None:
    doc.add_heading(text, level=level)


def paragraphs(doc: DocxDocument, text: str | None, empty: str = "") -> None:
    """Free text typed in the app: one Word paragraph per paragraph (blank-line separated)."""
    blocks = [b.strip() for b in (text or "").replace("\r\n", "\n").split("\n\n") if b.strip()]
    if not blocks and empty:
        doc.add_paragraph(empty).italic = True
    for block in blocks:
        doc.add_paragraph(block.replace("\n", " "))


def bullets(doc: DocxDocument, items: Iterable[str]) -> None:
    for item in items:
        if str(item).strip():
            doc.add_paragraph(str(item).strip(), style="List Bullet")


def table(doc: DocxDocument, header: Sequence[str], body: Iterable[Sequence[Any]],
          widths: Sequence[float] | None = None) -> Any:
    """A table with a bold header row that repeats at the top of each page."""
    tbl = doc.add_table(rows=1, cols=len(header))
    tbl.style = "Table Grid"
    tbl.alignment = WD_TABLE_ALIGNMENT.LEFT
    head = tbl.rows[0]
    _repeat_header(head)
    for cell, text in zip(head.cells, header, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(str(text)).bold = True
    for values in body:
        cells = tbl.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            cell.text = "" if value is None else str(value)
    if widths:
        for row in tbl.rows:
            for cell, w in zip(row.cells, widths, strict=False):
                cell.width = Pt(w)
    return tbl


def _repeat_header(row: Any) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def page_break(doc: DocxDocument) -> None:
    doc.add_page_break()


def save(doc: DocxDocument, out: Path) -> Path:
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(out))
    return out


def docx_text(path: Path) -> str:
    """All the text of a .docx (paragraphs, then tables), for tests and search."""
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for tbl in doc.tables:
        for row in tbl.rows:
            parts.append(" | ".join(c.text for c in row.cells))
    return "\n".join(parts)
