"""``cityops user``: create and list the API's users."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table as RichTable

from cityops.access.roles import Role
from cityops.cli.options import JsonOption, WorkspaceOption, emit, unit_of_work

__all__ = ["user_app"]

user_app = typer.Typer(help="Users of the API and console (用户).", no_args_is_help=True)


@user_app.command("create")
def create(
    username: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[Role, typer.Option(help="What the user may do.")],
    password: Annotated[
        str | None,
        typer.Option(
            help="At least 10 characters [default: $CITYOPS_PASSWORD, else prompted].",
            show_default=False,
        ),
    ] = None,
    region: Annotated[
        str | None,
        typer.Option(
            help="Region the user's view is bound to (all roles but admin).", show_default=False
        ),
    ] = None,
    operator: Annotated[
        str | None, typer.Option(help="Operator id, for role operator.", show_default=False)
    ] = None,
    department: Annotated[
        str | None, typer.Option(help="Department, for role department.", show_default=False)
    ] = None,
    name: Annotated[
        str | None, typer.Option(help="Display name (default: the login name).", show_default=False)
    ] = None,
    personal_data: Annotated[
        bool,
        typer.Option("--personal-data", help="May view unmasked personal data (audited)."),
    ] = False,
    workspace: WorkspaceOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create a user with a role, bound to a region (an operator to its operator, a
    department user to its department)."""
    from cityops.services.accounts import PrincipalPublic, create_user
    from cityops.settings import process_settings

    if password is None:
        given = process_settings().password
        password = (
            given.get_secret_value()
            if given is not None
            else typer.prompt("Password", hide_input=True, confirmation_prompt=True)
        )
    with unit_of_work(workspace) as uow:
        principal = create_user(
            uow,
            username=username,
            password=password,
            role=role,
            region_code=region,
            display_name=name,
            operator_id=operator,
            department=department,
            can_view_personal=personal_data,
        )
    result = PrincipalPublic.of(principal).model_dump(mode="json")
    emit(result, as_json, lambda c: c.print(f"created {role} user {username!r}"))


@user_app.command("list")
def list_(workspace: WorkspaceOption = None, as_json: JsonOption = False) -> None:
    """List the users and their roles and scopes (never their passwords)."""
    from cityops.services.accounts import PrincipalPublic, list_users

    with unit_of_work(workspace) as uow:
        principals = list_users(uow)
    rows = [PrincipalPublic.of(p).model_dump(mode="json") for p in principals]

    def describe(console: Console) -> None:
        view = RichTable(title=f"users ({len(rows)})")
        columns = ("username", "role", "region_code", "operator_id", "department")
        for column in columns:
            view.add_column(column)
        for row in rows:
            view.add_row(*(str(row[c] or "") for c in columns))
        console.print(view)

    emit({"users": rows}, as_json, describe)
