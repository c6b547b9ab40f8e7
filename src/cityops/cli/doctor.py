"""``cityops doctor``: is this set-up healthy? (体检) Each check ok, warn or fail,
with what to do."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from cityops.cli.options import JsonOption, WorkspaceOption, emit, workspace_dir

__all__ = ["doctor"]

MARKS = {"ok": "正常 ok  ", "warn": "注意 warn", "fail": "故障 fail"}


def doctor(
    workspace: WorkspaceOption = None,
    mqtt: Annotated[
        str | None,
        typer.Option(
            "--mqtt",
            help="Also check this broker, mqtt://host[:port] (the one `cityops listen` uses).",
            show_default=False,
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Check Python and packages, the workspace's layout and permissions, the
    register (reachable, migrated), the MQTT broker, Spark, free disk against the
    lake's growth, PDF fonts and the audit chain.  Exit status 1 when a check
    fails (warnings do not), so monitoring can run it."""
    from cityops.services.doctor import Level, diagnose

    checks = diagnose(workspace_dir(workspace), mqtt=mqtt)
    failed = any(check.level is Level.FAIL for check in checks)
    result = {"ok": not failed, "checks": [check.as_json() for check in checks]}

    def describe(console: Console) -> None:
        for check in checks:
            console.print(
                f"{MARKS[check.level]}  {check.name:<12} {check.detail}",
                markup=False,
                highlight=False,
                soft_wrap=True,
            )
            if check.fix and check.level is not Level.OK:
                console.print(
                    f"{'':<11}{'':<13}→ {check.fix}", markup=False, highlight=False, soft_wrap=True
                )

    emit(result, as_json, describe)
    if failed:
        raise typer.Exit(1)
