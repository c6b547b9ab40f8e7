"""The report as PDF: the HTML report laid out on A4 by WeasyPrint.

WeasyPrint applies the template's print rules (page size and margins, page
numbers, table headers repeated on each page, no figure split across pages)
and embeds a subset of every font it uses, so Chinese text (Noto Sans CJK SC,
from fonts-noto-cjk) reads and extracts on a machine without the font.
Charts are the same inline SVG the HTML carries; nothing is fetched, and any
attempt to fetch (a URL smuggled into the document) is refused.
"""

from __future__ import annotations

from typing import NoReturn

from weasyprint import HTML  # type: ignore[import-untyped]

from cityops.errors import PipelineError
from cityops.reporting.html import render_html
from cityops.reporting.model import ReportContent

__all__ = ["render_pdf"]


def render_pdf(content: ReportContent) -> bytes:
    """The report as PDF bytes (a few seconds for a county; most of it is layout)."""
    document = HTML(string=render_html(content), url_fetcher=_refuse_fetch)
    pdf: bytes = document.write_pdf()
    return pdf


def _refuse_fetch(url: str, *args: object, **kwargs: object) -> NoReturn:
    raise PipelineError(f"the report refers to {url}; a report must be self-contained")
