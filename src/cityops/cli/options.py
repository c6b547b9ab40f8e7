"""Options every command shares, and how a command reports its result."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

__all__ = ["JsonOption", "WorkspaceOption", "emit", "stderr", "workspace_dir"]

stderr = Console(stderr=True)
"""Human output goes to stderr when --json owns stdout, and progress bars always do."""

WorkspaceOption = Annotated[
    Path | None,
    typer.Option(
        "--workspace",
        "-w",
        help="Workspace directory (default: $CITYOPS_WORKSPACE, else ./cityops-workspace).",
        show_default=False,
    ),
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Print a machine-readable result on stdout.")
]


def workspace_dir(option: Path | None) -> Path:
    from cityops.workspace.config import find_workspace_dir  # pydantic: not at start-up

    return find_workspace_dir(option)


def emit(result: Mapping[str, Any], as_json: bool, human: Callable[[Console], None]) -> None:
    """Print ``result`` as one JSON object on stdout, or call ``human`` to describe it."""
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, default=str))
    else:
        human(Console())
