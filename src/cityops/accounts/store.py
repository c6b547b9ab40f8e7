"""Users and their tokens in the register (``users``, ``api_tokens``).

Login is throttled with progressive delays per account and per client address
(``cityops.accounts.throttle``): an attempt is counted before its password is
checked, and one that comes too early is refused without checking it.  Tokens
are random 256-bit strings; only their SHA-256 digest is stored
(``cityops.accounts.tokens``).
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from cityops.access.roles import Action, Resource, Role, allows
from cityops.access.scope import Principal
from cityops.accounts.passwords import hash_password, verify_password
from cityops.accounts.throttle import claim_attempt, record_success
from cityops.accounts.tokens import id_of_token
from cityops.errors import ConfigError
from cityops.register.access_schema import api_tokens, users

__all__ = [
    "TOKEN_LIFETIME",
    "IssuedToken",
    "LoginOutcome",
    "authenticate",
    "create_user",
    "list_users",
    "principal_for_token",
]

TOKEN_LIFETIME = timedelta(hours=8)
_UNKNOWN_USER_HASH = hash_password("a password nobody has, for equal timing")


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: str
    expires_at: datetime
    principal: Principal


@dataclass(frozen=True, slots=True)
class LoginOutcome:
    """``token`` on success; otherwise ``throttled`` tells a refusal from a wrong password."""

    token: IssuedToken | None
    throttled: bool = False
    retry_after_s: int = 0


def create_user(
    connection: sa.Connection,
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
    if not username.strip():
        raise ConfigError("a user needs a user name")
    if role is not Role.ADMIN and region_code is None:
        raise ConfigError(f"a {role} user needs a region (--region)")
    if role is Role.OPERATOR and not operator_id:
        raise ConfigError("an operator user needs the operator it works for (--operator)")
    if role is Role.DEPARTMENT and not department:
        raise ConfigError("a department user needs its department (--department)")
    if can_view_personal and not allows(role, Resource.PERSONAL_DATA, Action.READ):
        raise ConfigError(
            f"a {role} user may not be given the personal-data right "
            "(only administrators and departments may view contacts in clear)"
        )
    user_id = uuid.uuid4().hex
    row = {
        "user_id": user_id,
        "username": username,
        "display_name": display_name or username,
        "password_hash": hash_password(password),
        "role": role.value,
        "region_code": region_code,
        "operator_id": operator_id,
        "department": department,
        "can_view_personal": can_view_personal,
        "active": True,
        "created_at": now or datetime.now(UTC),
    }
    taken = connection.execute(
        sa.select(users.c.user_id).where(users.c.username == username)
    ).first()
    if taken is not None:
        raise ConfigError(f"user {username!r} exists already")
    connection.execute(users.insert().values(row))
    return _principal(row)


def list_users(connection: sa.Connection) -> list[Principal]:
    rows = connection.execute(sa.select(users).order_by(users.c.username)).mappings()
    return [_principal(row) for row in rows]


def authenticate(
    connection: sa.Connection,
    username: str,
    password: str,
    *,
    client: str,
    now: datetime | None = None,
    after_claim: Callable[[], None] | None = None,
) -> LoginOutcome:
    """Count the attempt (refused while the account or the client must wait), then check
    the password and issue a token on success.  ``after_claim`` runs between the two
    steps: the service commits there, so that the count is kept and the slow password
    check holds no lock."""
    at = now or datetime.now(UTC)
    wait = claim_attempt(connection, username, client, at)
    if after_claim is not None:
        after_claim()
    if wait:
        return LoginOutcome(None, throttled=True, retry_after_s=wait)
    row = (
        connection.execute(sa.select(users).where(users.c.username == username)).mappings().first()
    )
    stored_hash = row["password_hash"] if row is not None else _UNKNOWN_USER_HASH
    valid = verify_password(stored_hash, password)
    if row is None or not valid or not row["active"]:
        return LoginOutcome(None)
    record_success(connection, username, client, at)
    token = secrets.token_urlsafe(32)
    expires_at = at + TOKEN_LIFETIME
    connection.execute(
        api_tokens.insert().values(
            token_digest=id_of_token(token),
            user_id=row["user_id"],
            created_at=at,
            expires_at=expires_at,
            revoked=False,
        )
    )
    return LoginOutcome(IssuedToken(token, expires_at, _principal(row)))


def principal_for_token(
    connection: sa.Connection, token: str, *, now: datetime | None = None
) -> Principal | None:
    """The active user holding an unexpired, unrevoked ``token``; None otherwise."""
    at = now or datetime.now(UTC)
    query = (
        sa.select(users)
        .join(api_tokens, api_tokens.c.user_id == users.c.user_id)
        .where(
            api_tokens.c.token_digest == id_of_token(token),
            api_tokens.c.expires_at > at,
            sa.not_(api_tokens.c.revoked),
            users.c.active,
        )
    )
    row = connection.execute(query).mappings().first()
    return None if row is None else _principal(row)


def _principal(row: Mapping[str, Any] | sa.RowMapping) -> Principal:
    """The caller of a user row; the personal-data flag counts only while the role allows it
    (a user whose role was changed by hand in the database loses the right)."""
    role = Role(str(row["role"]))
    return Principal(
        user_id=str(row["user_id"]),
        username=str(row["username"]),
        role=role,
        region_code=None if row["region_code"] is None else str(row["region_code"]),
        operator_id=None if row["operator_id"] is None else str(row["operator_id"]),
        department=None if row["department"] is None else str(row["department"]),
        can_view_personal=bool(row["can_view_personal"])
        and allows(role, Resource.PERSONAL_DATA, Action.READ),
    )
