"""``cityops migrate``: bring a workspace's register to the schema of this cityops."""

from __future__ import annotations

from rich.console import Console

from cityops.cli.options import JsonOption, WorkspaceOption, emit, workspace_dir

__all__ = ["migrate"]


def migrate(workspace: WorkspaceOption = None, as_json: JsonOption = False) -> None:
    """Migrate the register database of a workspace made by an earlier version of
    cityops to the newest schema (a no-op when it is there).  Back the register up
    first; `cityops serve` also migrates as it starts."""
    from cityops.services.workspaces import migrate_workspace

    ws, migration = migrate_workspace(workspace_dir(workspace))
    result = {
        "workspace": str(ws.root),
        "before": migration.before,
        "after": migration.after,
        "changed": migration.changed,
    }

    def human(console: Console) -> None:
        if migration.changed:
            console.print(
                f"register of {ws.root} migrated from revision "
                f"{migration.before or '(empty)'} to {migration.after}",
                highlight=False,
            )
        else:
            console.print(f"register of {ws.root} is up to date (revision {migration.after})")

    emit(result, as_json, human)
