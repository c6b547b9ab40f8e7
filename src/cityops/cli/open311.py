"""``cityops open311 keys``: the ``api_key`` of each Open311 client application."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table as RichTable

from cityops.cli.options import JsonOption, WorkspaceOption, emit, unit_of_work
from cityops.errors import ContractError

__all__ = ["open311_app"]

open311_app = typer.Typer(help="Open311 GeoReport v2 (市民诉求开放接口).", no_args_is_help=True)
keys_app = typer.Typer(
    help="API keys of Open311 client applications (客户端密钥): submitting a service "
    "request needs one, unless [open311] public_post = true.",
    no_args_is_help=True,
)
open311_app.add_typer(keys_app, name="keys")

NameArgument = Annotated[
    str, typer.Argument(help="The client application, e.g. city-app or hotline-12345.")
]


@keys_app.command("create")
def create(
    name: NameArgument, workspace: WorkspaceOption = None, as_json: JsonOption = False
) -> None:
    """Issue a key to a client application.  The key is printed once: only its
    digest is stored, so give it to the application now."""
    from cityops.services.open311 import create_client_key

    with unit_of_work(workspace) as uow:
        key = create_client_key(uow, name)

    def describe(console: Console) -> None:
        console.print(f"api_key of {name!r} (shown once, keep it secret):", highlight=False)
        console.print(key, highlight=False, soft_wrap=True)

    emit({"name": name, "api_key": key}, as_json, describe)


@keys_app.command("list")
def list_(workspace: WorkspaceOption = None, as_json: JsonOption = False) -> None:
    """List the client applications and whether their key is valid (never the keys)."""
    from cityops.services.open311 import list_client_keys

    with unit_of_work(workspace) as uow:
        keys = list_client_keys(uow)
    rows = [
        {
            "name": k.name,
            "created_at": k.created_at.isoformat(),
            "revoked_at": None if k.revoked_at is None else k.revoked_at.isoformat(),
        }
        for k in keys
    ]

    def describe(console: Console) -> None:
        view = RichTable(title=f"Open311 client applications ({len(rows)})")
        for column in ("name", "created_at", "revoked_at"):
            view.add_column(column)
        for row in rows:
            view.add_row(row["name"], row["created_at"], row["revoked_at"] or "")
        console.print(view)

    emit({"keys": rows}, as_json, describe)


@keys_app.command("revoke")
def revoke(
    name: NameArgument, workspace: WorkspaceOption = None, as_json: JsonOption = False
) -> None:
    """Revoke a client application's key: its submissions are refused (403) from now on.
    The name stays taken; issue the application a key under a new name."""
    from cityops.services.open311 import revoke_client_key

    with unit_of_work(workspace) as uow:
        revoked = revoke_client_key(uow, name)
    if not revoked:
        raise ContractError(
            f"application {name!r} has no valid key to revoke; see `cityops open311 keys list`"
        )
    emit({"name": name, "revoked": True}, as_json, lambda c: c.print(f"key of {name!r} revoked"))
