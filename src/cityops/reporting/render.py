"""A report's content rendered in a format (HTML, PDF, Excel), and written to a file
atomically.  Gathering the content from a workspace is the report service's
(``cityops.services.reports``)."""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path

from cityops.reporting.html import render_html
from cityops.reporting.model import ReportContent

__all__ = ["ReportFormat", "render_report", "write_report_bytes"]


class ReportFormat(StrEnum):
    HTML = "html"
    PDF = "pdf"
    XLSX = "xlsx"


def render_report(content: ReportContent, fmt: ReportFormat) -> bytes:
    """The report's file content (WeasyPrint and openpyxl load only when asked for)."""
    if fmt is ReportFormat.PDF:
        from cityops.reporting.pdf import render_pdf

        return render_pdf(content)
    if fmt is ReportFormat.XLSX:
        from cityops.reporting.xlsx import render_xlsx

        return render_xlsx(content)
    return render_html(content).encode("utf-8")


def write_report_bytes(path: Path, data: bytes) -> Path:
    """Write a report atomically (temporary file in the same directory, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_bytes(data)
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)
    return path
