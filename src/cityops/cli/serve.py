"""``cityops serve``: the API (and console) over a workspace, with uvicorn."""

from __future__ import annotations

import errno
from pathlib import Path
from typing import Annotated

import typer

from cityops.cli.errors import fail
from cityops.cli.options import WorkspaceOption, stderr, workspace_dir

__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "HostOption",
    "PortOption",
    "base_url",
    "serve",
    "serve_workspace",
    "taken_port_error",
]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000

HostOption = Annotated[
    str, typer.Option("--host", help="Address to listen on (0.0.0.0: every interface).")
]
PortOption = Annotated[int, typer.Option("--port", help="Port to listen on.", min=1, max=65535)]


def serve(
    workspace: WorkspaceOption = None,
    host: HostOption = DEFAULT_HOST,
    port: PortOption = DEFAULT_PORT,
) -> None:
    """Serve the console at /console and the API at /api/v1 (OpenAPI docs at
    /api/v1/docs) until interrupted.  Create users first with `cityops user create`."""
    serve_workspace(workspace_dir(workspace), host, port)


def base_url(host: str, port: int) -> str:
    """The address a browser on this machine uses for a server bound to ``host``."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
    return f"http://{shown}:{port}"


def taken_port_error(host: str, port: int) -> str | None:
    """Why the server cannot listen on ``host:port`` (in use, or not an address of
    this machine), or ``None`` when it can; checked before anything is printed, so
    a busy port is one line, not a console address and then a uvicorn error."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # As uvicorn binds: SO_REUSEADDR, so a closed connection still in TIME_WAIT
        # does not count as busy, while a listening server does.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return (
                    f"port {port} on {host} is already in use (another cityops serve?); "
                    "stop that server or choose another with --port"
                )
            return f"cannot listen on {host}:{port}: {error.strerror or error}; check --host"
    return None


def serve_workspace(root: Path, host: str, port: int) -> None:
    """Migrate the workspace's register if it is behind, then run the app over the
    workspace at ``root`` until Ctrl-C (shared with ``cityops demo --serve``)."""
    import uvicorn

    from cityops.server import create_app
    from cityops.services.workspaces import migrate_workspace

    busy = taken_port_error(host, port)
    if busy is not None:
        fail(busy)
    workspace, migration = migrate_workspace(root)
    if migration.changed:
        stderr.print(
            f"register migrated from revision {migration.before or '(empty)'} to {migration.after}",
            highlight=False,
        )
    app = create_app(workspace)
    url = base_url(host, port)
    stderr.print(
        f"cityops console on {url}/console, API docs on {url}/api/v1/docs  (Ctrl-C stops)",
        highlight=False,
        soft_wrap=True,
    )
    # uvicorn would take X-Forwarded-For from any local peer; the app reads it itself,
    # only from CITYOPS_TRUSTED_PROXIES (cityops.api.clients).
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level="warning",
        server_header=False,
        proxy_headers=False,
    )
