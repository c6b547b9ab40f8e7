"""A user's live tokens (``api_tokens``): listed and revoked one by one.

A token is known to the server only by the SHA-256 digest of its secret, which
is what ``token_id`` shows: the digest identifies a token for revocation but
cannot be turned back into the bearer secret (a leaked list is as harmless as a
leaked table).  Revoking marks the row; ``principal_for_token`` refuses it from
then on, as a bearer token and as the console's cookie alike.

Who may do what is decided here, once for the API and the command line:
every user lists and revokes their own tokens, and a user whose role may
write users (the administrator) those of anyone.  Another user's token is
answered like a missing one, so its id tells nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from cityops.access.roles import Action, Resource, allows
from cityops.access.scope import Principal
from cityops.errors import CityopsError
from cityops.register.access_schema import api_tokens, users

__all__ = [
    "TokenNotFoundError",
    "TokenRecord",
    "id_of_token",
    "list_tokens",
    "may_manage_tokens_of",
    "revoke_token",
    "revoke_token_id",
]


class TokenNotFoundError(CityopsError):
    """No live token of that id among those the caller may manage."""


@dataclass(frozen=True, slots=True)
class TokenRecord:
    """A live token: who holds it, when it was issued and when it expires."""

    token_id: str
    username: str
    created_at: datetime
    expires_at: datetime


def id_of_token(token: str) -> str:
    """The id of a token's secret: the SHA-256 digest stored in its place."""
    return hashlib.sha256(token.encode()).hexdigest()


def may_manage_tokens_of(caller: Principal | None, username: str | None) -> bool:
    """Whether ``caller`` may list or revoke the tokens of ``username`` (None: of everyone).
    A caller of None is the workspace's own administrator at the command line."""
    if caller is None or allows(caller.role, Resource.USERS, Action.WRITE):
        return True
    return username == caller.username


def list_tokens(
    connection: sa.Connection, *, username: str | None = None, now: datetime | None = None
) -> list[TokenRecord]:
    """The unexpired, unrevoked tokens of ``username`` (of every user when None),
    newest first."""
    query = _live(now)
    if username is not None:
        query = query.where(users.c.username == username)
    return [TokenRecord(*row) for row in connection.execute(query)]


def _live(now: datetime | None) -> sa.Select[str, str, datetime, datetime]:
    return (
        sa.select(
            api_tokens.c.token_digest,
            users.c.username,
            api_tokens.c.created_at,
            api_tokens.c.expires_at,
        )
        .join(users, users.c.user_id == api_tokens.c.user_id)
        .where(api_tokens.c.expires_at > (now or datetime.now(UTC)), sa.not_(api_tokens.c.revoked))
        .order_by(api_tokens.c.created_at.desc(), api_tokens.c.token_digest)
    )


def revoke_token_id(
    connection: sa.Connection,
    token_id: str,
    *,
    caller: Principal | None,
    now: datetime | None = None,
) -> TokenRecord:
    """Revoke the live token ``token_id`` if ``caller`` may manage its holder's tokens;
    :class:`TokenNotFoundError` otherwise (missing, expired, revoked, or not the caller's)."""
    row = connection.execute(_live(now).where(api_tokens.c.token_digest == token_id)).first()
    found = None if row is None else TokenRecord(*row)
    if found is None or not may_manage_tokens_of(caller, found.username):
        raise TokenNotFoundError(f"no live token {token_id!r} of yours")
    connection.execute(
        api_tokens.update().where(api_tokens.c.token_digest == token_id).values(revoked=True)
    )
    return found


def revoke_token(connection: sa.Connection, token: str) -> None:
    """Revoke the token whose secret is ``token`` (logging out with it)."""
    connection.execute(
        api_tokens.update()
        .where(api_tokens.c.token_digest == id_of_token(token))
        .values(revoked=True)
    )
