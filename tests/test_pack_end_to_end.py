"""The weekly pack from a real (small) synthetic council, through the CLI, as a Director would get it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from asc_assure.cli import app
from asc_assure.data.ingest import ingest_files
from asc_assure.data.synth import generate
from asc_assure.measures.engine import run_measures

AS_OF = "2025-03-30"


@pytest.fixture(scope="module")
def council_store(tmp_path_factory):
    out = tmp_path_factory.mktemp("council")
    generate(out / "extracts", seed=3, people=40_000, start=dt.date(2024, 1, 1), end=dt.date(2025, 3, 31))
    files = sorted((out / "extracts").rglob("*.csv"))
    results = ingest_files(out / "store", files, as_of=dt.date(2025, 3, 31), key=bytes(range(32)))
    assert all(r.status == "loaded" for r in results)
    return out / "store"


def test_pack_html_carries_the_engines_numbers(council_store, tmp_path):
    out = tmp_path / "pack.html"
    result = CliRunner().invoke(app, ["pack", "--store", str(council_store), "--as-of", AS_OF, "--out", str(out),
                                      "--council", "Testshire County Council"])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "Testshire County Council" in html and "30 March 2025" in html
    measures = {m["id"]: m for m in run_measures(council_store, dt.date(2025, 3, 30))}
    waiting = measures["waiting_list.count"]
    assert waiting["value"] > 0
    assert f"{waiting['value']:,}" in html
    assert measures["safeguarding.triage_within_2wd_pct"]["title"] in html
    section = html.split('id="exceptions"', 1)[1].split("</section>", 1)[0]
    listed = set(re.findall(r'data-measure-id="([^"]+)"', section))
    assert listed == {m["id"] for m in measures.values() if m["exception"]}
    assert not re.search(r"""(src|href)=["']https?://""", html)


def test_public_pack_suppresses_small_numbers(council_store, tmp_path):
    out = tmp_path / "public.html"
    result = CliRunner().invoke(app, ["pack", "--store", str(council_store), "--as-of", AS_OF, "--out", str(out),
                                      "--public"])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "[c]" in html and "suppressed" in html.lower()


def test_pack_pdf_is_a4_and_readable(council_store, tmp_path):
    out = tmp_path / "pack.pdf"
    result = CliRunner().invoke(app, ["pack", "--store", str(council_store), "--as-of", AS_OF, "--out", str(out)])
    assert result.exit_code == 0, result.output
    reader = PdfReader(out)
    first = reader.pages[0]
    assert (round(float(first.mediabox.width)), round(float(first.mediabox.height))) == (595, 842)
    text = "".join(p.extract_text() for p in reader.pages[:3])
    assert "Weekly performance pack" in text


def test_pack_refuses_other_file_types(council_store, tmp_path):
    result = CliRunner().invoke(app, ["pack", "--store", str(council_store), "--out", str(tmp_path / "p.docx")])
    assert result.exit_code == 2
