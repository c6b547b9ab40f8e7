"""``cityops user``: create, list, disable and enable users, change their password,
enrol a second factor, and list or revoke their tokens.

A password is never an argument (a command line is visible to every user of the
machine in the process list): it is read from ``$CITYOPS_PASSWORD`` when set,
else asked for twice without echo."""

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
    """Create a user with a role, bound to an existing region (an operator to its
    operator, a department user to its department).  The password comes from
    $CITYOPS_PASSWORD, else is asked for twice; it needs 12 characters of 3 kinds
    (docs/security.md)."""
    from cityops.services.accounts import PrincipalPublic, create_user

    password = _new_password()
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


Username = Annotated[str, typer.Argument(help="Login name.")]


@user_app.command("password")
def password(username: Username, workspace: WorkspaceOption = None) -> None:
    """Set a user's password: from $CITYOPS_PASSWORD, else asked for twice."""
    from cityops.services.accounts import set_password

    new = _new_password()
    with unit_of_work(workspace) as uow:
        set_password(uow, username, new)
    Console().print(f"password of {username!r} changed")


@user_app.command("disable")
def disable(username: Username, workspace: WorkspaceOption = None) -> None:
    """Refuse the user's logins and revoke every token they hold."""
    from cityops.services.accounts import set_active

    with unit_of_work(workspace) as uow:
        revoked = set_active(uow, username, False)
    Console().print(f"disabled {username!r}; {revoked} token(s) revoked")


@user_app.command("enable")
def enable(username: Username, workspace: WorkspaceOption = None) -> None:
    """Let a disabled user log in again (their old tokens stay revoked)."""
    from cityops.services.accounts import set_active

    with unit_of_work(workspace) as uow:
        set_active(uow, username, True)
    Console().print(f"enabled {username!r}")


@user_app.command("totp")
def totp(username: Username, workspace: WorkspaceOption = None) -> None:
    """Enrol a TOTP second factor for an administrator or supervisor, replacing any
    earlier one, and print the otpauth:// URI to enter in an authenticator app.
    From then on their login needs the app's current code too."""
    from cityops.services.accounts import enrol_totp

    with unit_of_work(workspace) as uow:
        uri = enrol_totp(uow, username)
    typer.echo(uri)


@user_app.command("tokens")
def tokens(
    username: Username,
    revoke: Annotated[
        str | None,
        typer.Option(
            help="Revoke the token whose digest starts so (as listed), or 'all'.",
            show_default=False,
        ),
    ] = None,
    workspace: WorkspaceOption = None,
    as_json: JsonOption = False,
) -> None:
    """List a user's tokens (never the tokens: the first digits of their digests), or
    revoke one of them or all with --revoke."""
    from cityops.services.accounts import list_tokens, revoke_tokens

    with unit_of_work(workspace) as uow:
        revoked = None
        if revoke is not None:
            revoked = revoke_tokens(uow, username, None if revoke == "all" else revoke)
        listed = list_tokens(uow, username)
    rows = [
        {
            "digest_prefix": token.digest_prefix,
            "created_at": token.created_at.isoformat(),
            "expires_at": token.expires_at.isoformat(),
            "revoked": token.revoked,
        }
        for token in listed
    ]

    def describe(console: Console) -> None:
        if revoked is not None:
            console.print(f"{revoked} token(s) of {username!r} revoked")
        view = RichTable(title=f"tokens of {username} ({len(rows)})")
        for column in ("digest_prefix", "created_at", "expires_at", "revoked"):
            view.add_column(column)
        for row in rows:
            view.add_row(*(str(value) for value in row.values()))
        console.print(view)

    emit({"revoked": revoked, "tokens": rows}, as_json, describe)


def _new_password() -> str:
    """``$CITYOPS_PASSWORD`` when set, else asked for twice without echo."""
    from cityops.settings import process_settings

    given = process_settings().password
    if given is not None:
        return given.get_secret_value()
    entered: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return entered
