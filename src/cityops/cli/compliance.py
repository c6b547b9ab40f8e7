"""``cityops compliance``: check every contract and each region's PPP portfolio
against the fiscal rules."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table as RichTable

from cityops.cli.options import JsonOption, WorkspaceOption, emit, unit_of_work

__all__ = ["compliance"]


def compliance(
    rules: Annotated[
        Path | None,
        typer.Option("--rules", help="A rules file of your own [default: the shipped rules]."),
    ] = None,
    workspace: WorkspaceOption = None,
    as_json: JsonOption = False,
) -> None:
    """Check the registered contracts and region budgets against the fiscal rules
    (purchase-of-service term, PPP term, BT is not PPP, 10 % / 5 % budget shares,
    bundled user-pay share); each finding with its source and a plain explanation.
    Exits with status 1 when any rule fails."""
    from cityops.compliance.checks import Outcome
    from cityops.compliance.rules import DEFAULT_RULES
    from cityops.services.compliance import check_workspace

    with unit_of_work(workspace) as uow:
        findings = check_workspace(uow, rules or DEFAULT_RULES)
    failed = [f for f in findings if f.outcome is Outcome.FAIL]
    result = {
        "compliant": not failed,
        "findings": [
            {
                "rule_id": f.rule_id,
                "subject": f.subject,
                "outcome": f.outcome.value,
                "detail": f.detail,
                "source": f.source,
                "explanation": f.explanation,
            }
            for f in findings
        ],
    }
    marks = {Outcome.PASS: "[green]pass[/]", Outcome.FAIL: "[red]FAIL[/]"}

    def describe(console: Console) -> None:
        view = RichTable(title="compliance")
        for column in ("rule", "subject", "outcome", "detail", "source"):
            view.add_column(column)
        for f in findings:
            view.add_row(
                f.rule_id, f.subject, marks.get(f.outcome, "[yellow]?[/]"), f.detail, f.source
            )
        console.print(view)
        for f in failed:
            console.print(f"[red]{f.rule_id}[/] {f.subject}: {f.explanation}")

    emit(result, as_json, describe)
    if failed:
        raise typer.Exit(1)
