"""Account use cases (账户): users, logins and tokens, on the caller's unit of work.

Every step that changes the register commits here, so a login's token and a
failed attempt's record are kept even when the request that made them ends
in an error afterwards.
"""

from __future__ import annotations

from datetime import datetime

from cityops.access.scope import Principal
from cityops.accounts import store, tokens
from cityops.accounts.store import LoginOutcome
from cityops.accounts.tokens import (
    TokenNotFoundError,
    TokenRecord,
    id_of_token,
    may_manage_tokens_of,
)
from cityops.public import Public, derived_from
from cityops.services.unit_of_work import UnitOfWork, on_register

__all__ = [
    "LoginOutcome",
    "PrincipalPublic",
    "TokenNotFoundError",
    "TokenRecord",
    "TokenRecordPublic",
    "authenticate",
    "create_user",
    "id_of_token",
    "list_tokens",
    "list_users",
    "may_manage_tokens_of",
    "principal_for_token",
    "revoke_token",
    "revoke_token_id",
]


@derived_from(Principal, exclude=("user_id",))
class PrincipalPublic(Public):
    """A user as the API and ``cityops user --json`` show it (its internal id left out)."""


@derived_from(TokenRecord)
class TokenRecordPublic(Public):
    """A live token as its owner and the administrator see it (never its secret);
    ``current`` marks the token of the request that asked."""

    current: bool


create_user = on_register(store.create_user, commit=True)
list_users = on_register(store.list_users, commit=False)


def authenticate(
    uow: UnitOfWork, username: str, password: str, *, client: str, now: datetime | None = None
) -> LoginOutcome:
    """Log in (``cityops.accounts.store.authenticate``): the attempt is counted and
    committed before the password is checked, and the outcome committed after."""
    outcome = store.authenticate(
        uow.register, username, password, client=client, now=now, after_claim=uow.commit
    )
    uow.commit()
    return outcome


principal_for_token = on_register(store.principal_for_token, commit=False)
revoke_token = on_register(tokens.revoke_token, commit=True)
list_tokens = on_register(tokens.list_tokens, commit=False)
revoke_token_id = on_register(tokens.revoke_token_id, commit=True)
