"""``cityops init``: create a workspace with its register database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from cityops.cli.options import JsonOption, emit, workspace_dir

__all__ = ["init"]


def init(
    directory: Annotated[
        Path | None,
        typer.Argument(
            help="Directory to create (new or empty) "
            "[default: $CITYOPS_WORKSPACE, else ./cityops-workspace].",
            show_default=False,
        ),
    ] = None,
    name: Annotated[
        str | None,
        typer.Option("--name", help="Name of the city or county [default: the directory name]."),
    ] = None,
    register_url: Annotated[
        str | None,
        typer.Option(
            "--register-url",
            help="Register database, e.g. postgresql+psycopg://user:pw@host/db "
            "[default: register.sqlite in the workspace].",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Create a workspace: cityops.toml, secret key, lake and the migrated register."""
    from cityops.services.workspaces import create_workspace

    root = workspace_dir(directory)
    workspace = create_workspace(root, name=name or root.resolve().name, register_url=register_url)
    result = {
        "workspace": str(workspace.root),
        "name": workspace.config.name,
        "register_url": workspace.register_url_shown,
        "lake": str(workspace.lake),
    }

    def human(console: Console) -> None:
        console.print(
            f"[bold green]Created workspace[/] {escape(workspace.config.name)} in "
            f"{escape(str(workspace.root))}"
        )
        console.print(f"  register  {result['register_url']}", highlight=False)
        console.print(f"  lake      {workspace.lake}", highlight=False)
        console.print(f"  secret    {workspace.secret_path} (mode 0600, never share it)")

    emit(result, as_json, human)
