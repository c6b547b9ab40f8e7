"""Report use cases (评估报告): gather what a run's report needs from the workspace (the
run's facts, the framework it used, the period's settlement statements), render
it in a format and write it under ``reports/``."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from cityops.domain.period import CITY_TZ
from cityops.evaluation.model import EvaluationRun
from cityops.messages import Lang
from cityops.reporting.content import build_report_content
from cityops.reporting.model import ReportContent
from cityops.reporting.render import ReportFormat, render_report, write_report_bytes
from cityops.services.definitions import workspace_catalogue, workspace_framework
from cityops.services.indicators import period_facts
from cityops.services.settlement import latest_statements
from cityops.services.unit_of_work import UnitOfWork
from cityops.workspace.workspace import Workspace

__all__ = ["default_report_path", "load_report_content", "write_report"]


def default_report_path(
    workspace: Workspace, run: EvaluationRun, fmt: ReportFormat, lang: Lang = Lang.ZH
) -> Path:
    """``reports/report-<period>-<run>[-en].<format>``."""
    suffix = "" if lang is Lang.ZH else f"-{lang}"
    return workspace.reports_dir / f"report-{run.period}-{run.run_id}{suffix}.{fmt}"


def load_report_content(
    uow: UnitOfWork,
    run: EvaluationRun,
    *,
    lang: Lang = Lang.ZH,
    framework_path: Path | None = None,
    report_date: date | None = None,
) -> ReportContent:
    """The content of ``run``'s report from the workspace: its period's facts, the
    framework (default: the workspace's; it must be the run's), the latest statement
    of each contract for the period."""
    catalogue = workspace_catalogue(uow.workspace)
    return build_report_content(
        run,
        period_facts(uow, run.period),
        catalogue,
        workspace_framework(uow.workspace, framework_path),
        city_name=uow.workspace.config.name,
        report_date=report_date or datetime.now(CITY_TZ).date(),
        lang=lang,
        statements=latest_statements(uow, run.period),
    )


def write_report(
    uow: UnitOfWork,
    run: EvaluationRun,
    fmt: ReportFormat = ReportFormat.HTML,
    out: Path | None = None,
    *,
    lang: Lang = Lang.ZH,
    framework_path: Path | None = None,
) -> Path:
    """Render ``run``'s report in ``fmt`` to ``out`` (default: ``default_report_path``)."""
    content = load_report_content(uow, run, lang=lang, framework_path=framework_path)
    target = out or default_report_path(uow.workspace, run, fmt, lang)
    return write_report_bytes(target, render_report(content, fmt))
