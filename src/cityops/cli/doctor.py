"""``cityops doctor``: is this set-up healthy? (体检) Each check ok, warn or fail,
with what to do."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from cityops.cli.options import JsonOption, WorkspaceOption, emit, workspace_dir
from cityops.messages import text

__all__ = ["doctor"]


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

    words = {Level.OK: "doctor.ok", Level.WARN: "doctor.warn", Level.FAIL: "doctor.fail"}
    marks = {level: f"{text(key).zh} {level.value:<4}" for level, key in words.items()}

    def describe(console: Console) -> None:
        for check in checks:
            console.print(
                f"{marks[check.level]}  {check.name:<12} {check.detail}",
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
