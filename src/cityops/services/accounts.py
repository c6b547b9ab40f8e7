"""Account use cases (账户): users, logins and tokens, on the caller's unit of work.

Every step that changes the register commits here, so a login's token and a
failed attempt's record are kept even when the request that made them ends
in an error afterwards.
"""

from __future__ import annotations

from cityops.access.scope import Principal
from cityops.accounts import store
from cityops.accounts.store import LoginOutcome
from cityops.public import Public, derived_from
from cityops.services.unit_of_work import on_register

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


create_user = on_register(store.create_user, commit=True)
list_users = on_register(store.list_users, commit=False)
authenticate = on_register(store.authenticate, commit=True)
principal_for_token = on_register(store.principal_for_token, commit=False)
revoke_token = on_register(store.revoke_token, commit=True)
