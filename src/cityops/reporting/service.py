"""Reports of a workspace's runs: gather what a report needs (the run's facts, the
framework it used, the period's settlement statements), render it in a format,
and write the file atomically.  What ``cityops report``, the demo and the
future API call.
"""

from __future__ import annotations

import os
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path

from cityops.domain.period import CITY_TZ
from cityops.evaluation.framework import load_framework
from cityops.evaluation.model import EvaluationRun
from cityops.indicators.catalogue import load_catalogue
from cityops.indicators.facts import read_facts
from cityops.messages import Lang
from cityops.reporting.content import build_report_content
from cityops.reporting.html import render_html
from cityops.reporting.model import ReportContent
from cityops.settlement.statement import Statement
from cityops.workspace.workspace import Workspace

__all__ = [
    "ReportFormat",
    "default_report_path",
    "load_report_content",
    "period_statements",
    "render_report",
    "write_report_bytes",
    "write_report_file",
]


class ReportFormat(StrEnum):
    HTML = "html"
    PDF = "pdf"
    XLSX = "xlsx"


def default_report_path(
    workspace: Workspace, run: EvaluationRun, fmt: ReportFormat, lang: Lang = Lang.ZH
) -> Path:
    """``reports/report-<period>-<run>[-en].<format>``."""
    suffix = "" if lang is Lang.ZH else f"-{lang}"
    return workspace.reports_dir / f"report-{run.period}-{run.run_id}{suffix}.{fmt}"


def load_report_content(
    workspace: Workspace,
    run: EvaluationRun,
    *,
    lang: Lang = Lang.ZH,
    framework_path: Path | None = None,
    report_date: date | None = None,
) -> ReportContent:
    """The content of ``run``'s report from the workspace: its period's facts, the
    framework (default: the shipped one; it must be the run's), the latest statement
    of each contract for the period."""
    from cityops.pipeline import facts_path  # the pipeline imports this module

    catalogue = load_catalogue()
    return build_report_content(
        run,
        read_facts(facts_path(workspace, run.period)),
        catalogue,
        load_framework(framework_path, catalogue=catalogue),
        city_name=workspace.config.name,
        report_date=report_date or datetime.now(CITY_TZ).date(),
        lang=lang,
        statements=period_statements(workspace, run.period),
    )


def period_statements(workspace: Workspace, period: str) -> list[Statement]:
    """The latest version of each contract's statement for ``period`` (none: empty)."""
    from cityops.settlement.service import contract_store
    from cityops.settlement.statement import statement_id

    found = []
    with contract_store(workspace) as store:
        for stored in store.contracts():
            contract_id = stored.contract.contract_id
            latest = store.next_version(contract_id, period) - 1
            if latest > 0:
                found.append(store.statement(statement_id(contract_id, period, latest)))
    return found


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


def write_report_file(
    workspace: Workspace,
    run: EvaluationRun,
    fmt: ReportFormat = ReportFormat.HTML,
    out: Path | None = None,
    *,
    lang: Lang = Lang.ZH,
    framework_path: Path | None = None,
) -> Path:
    """Render ``run``'s report in ``fmt`` to ``out`` (default: ``default_report_path``)."""
    content = load_report_content(workspace, run, lang=lang, framework_path=framework_path)
    target = out or default_report_path(workspace, run, fmt, lang)
    return write_report_bytes(target, render_report(content, fmt))
