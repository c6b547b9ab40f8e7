"""Account use cases (账户): users, logins and tokens, on the caller's unit of work.

Every step that changes the register commits here, so a login's token and a
failed attempt's record are kept even when the request that made them ends
in an error afterwards.
"""

from __future__ import annotations

from datetime import datetime

from cityops.access.scope import Principal
from cityops.accounts import store
from cityops.accounts.store import LoginOutcome
from cityops.public import Public, derived_from
from cityops.services.unit_of_work import UnitOfWork, on_register

__all__ = [
    "LoginOutcome",
    "PrincipalPublic",
    "authenticate",
    "create_user",
    "enrol_totp",
    "list_tokens",
    "list_users",
    "principal_for_token",
    "revoke_token",
    "revoke_tokens",
    "set_active",
    "set_password",
]


@derived_from(Principal, exclude=("user_id",))
class PrincipalPublic(Public):
    """A user as the API and ``cityops user --json`` show it (its internal id left out)."""


create_user = on_register(store.create_user, commit=True)
list_users = on_register(store.list_users, commit=False)
set_password = on_register(store.set_password, commit=True)
set_active = on_register(store.set_active, commit=True)
list_tokens = on_register(store.list_tokens, commit=False)
revoke_tokens = on_register(store.revoke_tokens, commit=True)


def authenticate(
    uow: UnitOfWork,
    username: str,
    password: str,
    *,
    client: str,
    code: str | None = None,
    now: datetime | None = None,
) -> LoginOutcome:
    """Check the password, and the TOTP ``code`` of a user who enrolled a second factor;
    issue a token on success (``accounts.store.authenticate``)."""
    outcome = store.authenticate(
        uow.register,
        username,
        password,
        client=client,
        code=code,
        cipher=uow.backend.cipher,
        now=now,
    )
    uow.commit()
    return outcome


def enrol_totp(uow: UnitOfWork, username: str) -> str:
    """Give an administrator or supervisor a new TOTP secret; return the ``otpauth://``
    URI for their authenticator app (the issuer is the workspace's name)."""
    uri = store.enrol_totp(
        uow.register, uow.backend.cipher, username, issuer=f"cityops {uow.workspace.config.name}"
    )
    uow.commit()
    return uri


principal_for_token = on_register(store.principal_for_token, commit=False)
revoke_token = on_register(store.revoke_token, commit=True)
