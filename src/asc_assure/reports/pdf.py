"""HTML -> tagged A4 PDF with WeasyPrint, using only the fonts shipped in the package.

Why these choices:

* PDF/UA-1 (``pdf_variant="pdf/ua-1"``) makes WeasyPrint tag the structure (headings, tables with
  header cells, figures with alternative text from each chart's SVG ``<title>``), set the document
  language from ``<html lang>`` and show the ``<title>`` as the window title: the pack must be
  readable with a screen reader, as public-sector documents have to be.
* The font is loaded from the package with ``@font-face`` in a stylesheet given only to WeasyPrint,
  so the PDF looks the same on every machine while the HTML stays free of file references.
* Only ``file:`` and ``data:`` URLs may be fetched: rendering a pack never touches the network.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

PDF_VARIANT = "pdf/ua-1"
FONT_FAMILY = "Liberation Sans"
FONT_FILES = {"normal": "LiberationSans-Regular.ttf", "bold": "LiberationSans-Bold.ttf"}


def font_dir() -> Path:
    """The folder of fonts shipped with the package (installed as package data)."""
    return Path(str(resources.files("asc_assure.reports") / "fonts"))


@cache
def font_face_css() -> str:
    """@font-face rules for the shipped font, by absolute file URL."""
    rules = []
    for weight, name in FONT_FILES.items():
        uri = (font_dir() / name).resolve().as_uri()
        rules.append(f'@font-face {{ font-family: "{FONT_FAMILY}"; font-style: normal; font-weight: {weight}; '
                     f'src: url("{uri}") format("truetype"); }}')
    return "\n".join(rules)


def _offline_fetcher() -> URLFetcher:
    return URLFetcher(allowed_protocols={"file", "data"})


def html_to_pdf(html: str) -> bytes:
    """Render the pack's HTML to PDF bytes (A4 comes from the page CSS)."""
    fetcher = _offline_fetcher()
    font_config = FontConfiguration()
    fonts = CSS(string=font_face_css(), font_config=font_config, url_fetcher=fetcher)
    document = HTML(string=html, url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[fonts], font_config=font_config, pdf_variant=PDF_VARIANT)
