"""``cityops audit``: check that the audit log is intact, and anchor its head."""

from __future__ import annotations

import typer
from rich.console import Console

from cityops.cli.options import JsonOption, WorkspaceOption, emit, unit_of_work

__all__ = ["audit_app"]

audit_app = typer.Typer(help="The tamper-evident audit log (审计日志).", no_args_is_help=True)


@audit_app.command("verify")
def verify(workspace: WorkspaceOption = None, as_json: JsonOption = False) -> None:
    """Recompute the keyed hash chain and compare it with every anchor; name the first
    altered, inserted or missing entry.  Then derive every approved statement's seal
    again and name each statement whose stored content no longer matches it.  Exit
    status 1 when the log is not intact or a statement was altered."""
    from cityops.services.settlement import verify_audit as verify_chain

    with unit_of_work(workspace) as uow:
        outcome = verify_chain(uow)
    result = {
        "intact": outcome.intact,
        "checked": outcome.checked,
        "first_bad_seq": outcome.first_bad_seq,
        "reason": outcome.reason,
        "anchors": outcome.anchors,
        "altered_statements": list(outcome.altered_statements),
    }

    def describe(console: Console) -> None:
        if outcome.first_bad_seq is None:
            console.print(
                f"audit log intact: {outcome.checked:,} entries, {outcome.anchors:,} anchors"
            )
        else:
            console.print(
                f"[bold red]audit log altered[/] at entry {outcome.first_bad_seq}: {outcome.reason}"
            )
        for altered in outcome.altered_statements:
            console.print(f"[bold red]statement altered[/] {altered}", markup=True)

    emit(result, as_json, describe)
    if not outcome.intact:
        raise typer.Exit(1)


@audit_app.command("anchor")
def anchor(workspace: WorkspaceOption = None, as_json: JsonOption = False) -> None:
    """Verify the log, then append its head (count and last hash) to the anchors file
    outside the register.  Run it from cron, e.g. hourly."""
    from cityops.services.audit import anchor as anchor_head

    with unit_of_work(workspace) as uow:
        mark = anchor_head(uow)
    result = {"seq": mark.seq, "entry_hash": mark.entry_hash, "at": mark.at.isoformat()}
    emit(result, as_json, lambda c: c.print(f"anchored the audit log at entry {mark.seq:,}"))


@audit_app.command("rekey")
def rekey(workspace: WorkspaceOption = None, as_json: JsonOption = False) -> None:
    """Once after upgrading: pin the entries chained before the chain was keyed, so
    ``audit verify`` checks them by the old rule (docs/security.md)."""
    from cityops.services.audit import rekey as rekey_log

    with unit_of_work(workspace) as uow:
        mark = rekey_log(uow)
    result = {"unkeyed_until": mark.seq if mark else 0}

    def describe(console: Console) -> None:
        if mark is None:
            console.print("no entry was chained without a key: nothing to do")
        else:
            console.print(f"entries 1–{mark.seq:,} pinned as chained without a key")

    emit(result, as_json, describe)
