"""``cityops audit``: check that the audit log is intact."""

from __future__ import annotations

import typer
from rich.console import Console

from cityops.cli.options import JsonOption, WorkspaceOption, emit, unit_of_work

__all__ = ["audit_app"]

audit_app = typer.Typer(help="The tamper-evident audit log (审计日志).", no_args_is_help=True)


@audit_app.command("verify")
def verify(workspace: WorkspaceOption = None, as_json: JsonOption = False) -> None:
    """Recompute the hash chain; name the first altered, inserted or missing entry.
    Exit status 1 when the log is not intact."""
    from cityops.services.audit import verify as verify_chain

    with unit_of_work(workspace) as uow:
        outcome = verify_chain(uow)
    result = {
        "intact": outcome.intact,
        "checked": outcome.checked,
        "first_bad_seq": outcome.first_bad_seq,
        "reason": outcome.reason,
    }

    def describe(console: Console) -> None:
        if outcome.intact:
            console.print(f"audit log intact: {outcome.checked:,} entries")
        else:
            console.print(
                f"[bold red]audit log altered[/] at entry {outcome.first_bad_seq}: {outcome.reason}"
            )

    emit(result, as_json, describe)
    if not outcome.intact:
        raise typer.Exit(1)
