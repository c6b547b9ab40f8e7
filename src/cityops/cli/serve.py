"""``cityops serve``: the API (and console) over a workspace, with uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from cityops.cli.options import WorkspaceOption, stderr, workspace_dir

__all__ = ["serve"]


def serve(
    workspace: WorkspaceOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
) -> None:
    """Serve the API at /api/v1 (OpenAPI docs at /api/v1/docs) until interrupted.
    Create users first with `cityops user create`."""
    import uvicorn

    from cityops.api.app import create_app
    from cityops.workspace.workspace import open_workspace

    app = create_app(open_workspace(workspace_dir(workspace)))
    stderr.print(f"cityops API on http://{host}:{port}/api/v1/docs  (Ctrl-C stops)")
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)
