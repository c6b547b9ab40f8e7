"""Account use cases (账户): users, logins and tokens, on the caller's unit of work.

Every step that changes the register commits here, so a login's token and a
failed attempt's record are kept even when the request that made them ends
in an error afterwards.
"""

from __future__ import annotations

from datetime import datetime

from cityops.access.roles import Role
from cityops.access.scope import Principal
from cityops.accounts import store
from cityops.accounts.store import LoginOutcome
from cityops.public import Public, derived_from
from cityops.services.unit_of_work import UnitOfWork

__all__ = [
    "LoginOutcome",
    "PrincipalPublic",
    "authenticate",
    "create_user",
    "list_users",
    "principal_for_token",
    "revoke_token",
]


@derived_from(Principal, exclude=("user_id",))
class PrincipalPublic(Public):
    """A user as the API and ``cityops user --json`` show it (its internal id left out)."""


def create_user(
    uow: UnitOfWork,
    *,
    username: str,
    password: str,
    role: Role,
    region_code: str | None,
    display_name: str | None = None,
    operator_id: str | None = None,
    department: str | None = None,
    can_view_personal: bool = False,
    now: datetime | None = None,
) -> Principal:
    """Add a user; the rules a role needs (a region, an operator, a department) are checked."""
    principal = store.create_user(
        uow.register,
        username=username,
        password=password,
        role=role,
        region_code=region_code,
        display_name=display_name,
        operator_id=operator_id,
        department=department,
        can_view_personal=can_view_personal,
        now=now,
    )
    uow.commit()
    return principal


def list_users(uow: UnitOfWork) -> list[Principal]:
    return store.list_users(uow.register)


def authenticate(
    uow: UnitOfWork, username: str, password: str, *, client: str, now: datetime | None = None
) -> LoginOutcome:
    """Check the password (unless throttled) and issue a token on success; a failed
    attempt is recorded for the throttle either way."""
    outcome = store.authenticate(uow.register, username, password, client=client, now=now)
    uow.commit()
    return outcome


def principal_for_token(
    uow: UnitOfWork, token: str, *, now: datetime | None = None
) -> Principal | None:
    """The active user holding an unexpired, unrevoked ``token``; None otherwise."""
    return store.principal_for_token(uow.register, token, now=now)


def revoke_token(uow: UnitOfWork, token: str) -> None:
    store.revoke_token(uow.register, token)
    uow.commit()
