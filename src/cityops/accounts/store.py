"""Users and their tokens in the register (``users``, ``api_tokens``, ``login_failures``).

Login is throttled: after ``MAX_FAILURES_PER_USER`` failed attempts for one
user name, or ``MAX_FAILURES_PER_CLIENT`` from one client address, within
``THROTTLE_WINDOW``, further attempts are refused before the password is even
checked, until the window has passed.  Tokens are random 256-bit strings;
only their SHA-256 digest is stored.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from cityops.access.roles import Action, Resource, Role, allows
from cityops.access.scope import Principal
from cityops.accounts.passwords import hash_password, verify_password
from cityops.accounts.tokens import id_of_token
from cityops.errors import ConfigError
from cityops.register.access_schema import api_tokens, login_failures, users

__all__ = [
    "MAX_FAILURES_PER_CLIENT",
    "MAX_FAILURES_PER_USER",
    "THROTTLE_WINDOW",
    "TOKEN_LIFETIME",
    "IssuedToken",
    "LoginOutcome",
    "authenticate",
    "create_user",
    "list_users",
    "principal_for_token",
]

MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_CLIENT = 20
THROTTLE_WINDOW = timedelta(minutes=15)
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
) -> LoginOutcome:
    """Check the password (unless throttled) and issue a token on success; a failed
    attempt is recorded for the throttle either way."""
    at = now or datetime.now(UTC)
    since = at - THROTTLE_WINDOW
    retry = _throttled(connection, username, client, since, at)
    if retry:
        return LoginOutcome(None, throttled=True, retry_after_s=retry)
    row = (
        connection.execute(sa.select(users).where(users.c.username == username)).mappings().first()
    )
    stored_hash = row["password_hash"] if row is not None else _UNKNOWN_USER_HASH
    valid = verify_password(stored_hash, password)
    if row is None or not valid or not row["active"]:
        connection.execute(login_failures.insert().values(username=username, client=client, at=at))
        return LoginOutcome(None)
    connection.execute(login_failures.delete().where(login_failures.c.username == username))
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


def _throttled(
    connection: sa.Connection, username: str, client: str, since: datetime, at: datetime
) -> int:
    """Seconds until the next attempt is allowed (0: allowed now)."""
    for column, value, limit in (
        (login_failures.c.username, username, MAX_FAILURES_PER_USER),
        (login_failures.c.client, client, MAX_FAILURES_PER_CLIENT),
    ):
        recent = connection.execute(
            sa.select(login_failures.c.at)
            .where(column == value, login_failures.c.at > since)
            .order_by(login_failures.c.at.desc())
            .limit(limit)
        ).all()
        if len(recent) >= limit:
            oldest = recent[-1][0]
            return max(1, int((oldest + THROTTLE_WINDOW - at).total_seconds()) + 1)
    return 0


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
