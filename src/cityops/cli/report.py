"""``cityops report``: the monthly evaluation report of a run, as HTML, PDF or Excel."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cityops.cli.options import JsonOption, WorkspaceOption, emit, stderr, unit_of_work

if TYPE_CHECKING:
    from cityops.reporting.render import ReportFormat

__all__ = ["report"]

_FORMATS = ("html", "pdf", "xlsx")


def report(
    run: Annotated[
        str | None, typer.Option("--run", help="Run id [default: the latest run].")
    ] = None,
    format_: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="html, pdf or xlsx [default: from the --out suffix, else html].",
            show_default=False,
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="Output file [default: reports/report-<period>-<run>[-en].<format>]."
        ),
    ] = None,
    lang: Annotated[
        str, typer.Option("--lang", help="zh (Chinese, English labels beside) or en.")
    ] = "zh",
    framework: Annotated[
        Path | None,
        typer.Option("--framework", help="The framework YAML the run used [default: shipped]."),
    ] = None,
    workspace: WorkspaceOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write the report of a run: cover, summary, stage, the directions, the district
    table, a chart per indicator, uncertainty, the period's settlement statements and the
    methodology; print the file's path."""
    from cityops.messages import Lang
    from cityops.reporting.render import ReportFormat, render_report, write_report_bytes
    from cityops.services.evaluation import run_or_latest
    from cityops.services.reports import default_report_path, load_report_content

    chosen_format = _format(format_, out)
    if lang not in tuple(Lang):
        raise typer.BadParameter(f"--lang must be zh or en, not {lang!r}", param_hint="--lang")
    language = Lang(lang)
    with unit_of_work(workspace) as uow:
        ws = uow.workspace
        chosen = run_or_latest(ws, run)
        content = load_report_content(uow, chosen, lang=language, framework_path=framework)
    if chosen_format is ReportFormat.PDF:
        with stderr.status("正在排版 PDF · laying out the PDF…"):
            data = render_report(content, chosen_format)
    else:
        data = render_report(content, chosen_format)
    target = out or default_report_path(ws, chosen, chosen_format, language)
    path = write_report_bytes(target, data)
    result = {
        "run_id": chosen.run_id,
        "period": chosen.period,
        "format": str(chosen_format),
        "lang": str(language),
        "path": str(path),
        "bytes": len(data),
        "districts": len(content.districts),
        "statements": len(content.statements),
    }
    emit(result, as_json, lambda console: console.print(f"report written to {path}"))


def _format(option: str | None, out: Path | None) -> ReportFormat:
    """The format asked for, else the one ``out``'s suffix names, else HTML; a suffix
    that names another format than ``--format`` is a usage error."""
    from cityops.reporting.render import ReportFormat

    suffix = out.suffix.lower().lstrip(".") if out else ""
    suffix = "html" if suffix == "htm" else suffix
    if option is None:
        return ReportFormat(suffix) if suffix in _FORMATS else ReportFormat.HTML
    if option not in _FORMATS:
        raise typer.BadParameter(
            f"--format must be one of {', '.join(_FORMATS)}, not {option!r}",
            param_hint="--format",
        )
    if suffix in _FORMATS and suffix != option:
        raise typer.BadParameter(
            f"--out {out} names a .{suffix} file but --format is {option}; "
            "make them agree or drop one",
            param_hint="--format",
        )
    return ReportFormat(option)
