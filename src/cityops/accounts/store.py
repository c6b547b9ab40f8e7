"""Users and their tokens in the register (``users``, ``api_tokens``, ``login_failures``).

A password must meet the policy of ``passwords.check_password``.  An
administrator or supervisor may enrol a TOTP second factor (``totp.py``): its
secret is stored encrypted with the workspace's cipher, and login then needs
the current code as well.  A disabled user can neither log in nor use a token.

Login is throttled: after ``MAX_FAILURES_PER_USER`` failed attempts for one
user name, or ``MAX_FAILURES_PER_CLIENT`` from one client address, within
``THROTTLE_WINDOW``, further attempts are refused before the password is even
checked, until the window has passed.  Tokens are random 256-bit strings;
only their SHA-256 digest is stored.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from cityops.access.cipher import ContactCipher
from cityops.access.roles import Action, Resource, Role, allows
from cityops.access.scope import Principal
from cityops.accounts.passwords import check_password, hash_password, verify_password
from cityops.accounts.totp import accepted_step, new_secret, otpauth_uri
from cityops.domain.contract import table
from cityops.errors import ConfigError
from cityops.register.access_schema import api_tokens, login_failures, users
from cityops.register.schema import current_table

__all__ = [
    "MAX_FAILURES_PER_CLIENT",
    "MAX_FAILURES_PER_USER",
    "SECOND_FACTOR_ROLES",
    "THROTTLE_WINDOW",
    "TOKEN_LIFETIME",
    "TOKEN_PREFIX_CHARS",
    "IssuedToken",
    "LoginOutcome",
    "TokenInfo",
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

MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_CLIENT = 20
THROTTLE_WINDOW = timedelta(minutes=15)
TOKEN_LIFETIME = timedelta(hours=8)
TOKEN_PREFIX_CHARS = 12
"""Digits of a token's digest that ``cityops user tokens`` shows and takes."""
SECOND_FACTOR_ROLES = frozenset({Role.ADMIN, Role.SUPERVISOR})
"""The roles that may enrol a TOTP second factor (``cityops user totp``)."""
_UNKNOWN_USER_HASH = hash_password("a password nobody has, for equal timing")


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: str
    expires_at: datetime
    principal: Principal


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """A token as its owner's administrator sees it: never the token, only the first
    digits of its digest (enough to name it for ``revoke_tokens``)."""

    digest_prefix: str
    created_at: datetime
    expires_at: datetime
    revoked: bool


@dataclass(frozen=True, slots=True)
class LoginOutcome:
    """``token`` on success; otherwise ``throttled`` tells a refusal from a wrong password.

    ``account`` is the user name when it names an existing user, None otherwise: what
    the audit log may record of a failed attempt (a password typed into the user-name
    field must not reach it)."""

    token: IssuedToken | None
    throttled: bool = False
    retry_after_s: int = 0
    account: str | None = None


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
    if region_code is not None and not _region_exists(connection, region_code):
        raise ConfigError(
            f"region {region_code!r} is not in the register; load the regions first "
            "(`cityops ingest`) or give the code of an existing region (--region)"
        )
    check_password(password, username)
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


def set_password(connection: sa.Connection, username: str, password: str) -> None:
    """Give ``username`` a new password (checked against the policy)."""
    _user_row(connection, username)
    check_password(password, username)
    connection.execute(
        users.update()
        .where(users.c.username == username)
        .values(password_hash=hash_password(password))
    )


def set_active(connection: sa.Connection, username: str, active: bool) -> int:
    """Enable or disable ``username``; disabling also revokes every token they hold.
    Return how many tokens were revoked."""
    row = _user_row(connection, username)
    connection.execute(users.update().where(users.c.username == username).values(active=active))
    if active:
        return 0
    revoked = connection.execute(
        api_tokens.update()
        .where(api_tokens.c.user_id == row["user_id"], sa.not_(api_tokens.c.revoked))
        .values(revoked=True)
    )
    return int(revoked.rowcount)


def list_tokens(connection: sa.Connection, username: str) -> list[TokenInfo]:
    """The tokens ``username`` was issued, newest first."""
    row = _user_row(connection, username)
    rows = connection.execute(
        sa.select(api_tokens)
        .where(api_tokens.c.user_id == row["user_id"])
        .order_by(api_tokens.c.created_at.desc())
    ).mappings()
    return [
        TokenInfo(
            digest_prefix=str(token["token_digest"])[:TOKEN_PREFIX_CHARS],
            created_at=token["created_at"],
            expires_at=token["expires_at"],
            revoked=bool(token["revoked"]),
        )
        for token in rows
    ]


def revoke_tokens(connection: sa.Connection, username: str, digest_prefix: str | None) -> int:
    """Revoke ``username``'s token whose digest starts with ``digest_prefix`` (at least
    ``TOKEN_PREFIX_CHARS`` hex digits), or every token of theirs when None; return how
    many were revoked."""
    row = _user_row(connection, username)
    where = [api_tokens.c.user_id == row["user_id"], sa.not_(api_tokens.c.revoked)]
    if digest_prefix is not None:
        if len(digest_prefix) < TOKEN_PREFIX_CHARS:
            raise ConfigError(
                f"name a token by at least {TOKEN_PREFIX_CHARS} digits of its digest "
                "(`cityops user tokens USER`)"
            )
        where.append(api_tokens.c.token_digest.startswith(digest_prefix.lower(), autoescape=True))
    revoked = connection.execute(api_tokens.update().where(*where).values(revoked=True))
    return int(revoked.rowcount)


def enrol_totp(
    connection: sa.Connection, cipher: ContactCipher, username: str, *, issuer: str
) -> str:
    """Give ``username`` (an administrator or a supervisor) a new TOTP secret, replacing
    any earlier one; return the ``otpauth://`` URI to enter in an authenticator app."""
    row = _user_row(connection, username)
    role = Role(str(row["role"]))
    if role not in SECOND_FACTOR_ROLES:
        allowed = " and ".join(sorted(r.value for r in SECOND_FACTOR_ROLES))
        raise ConfigError(f"a second factor is for {allowed} users; {username!r} is a {role}")
    secret = new_secret()
    connection.execute(
        users.update()
        .where(users.c.username == username)
        .values(totp_secret_enc=cipher.encrypt(secret.hex()), totp_last_step=None)
    )
    return otpauth_uri(secret, username, issuer)


def authenticate(
    connection: sa.Connection,
    username: str,
    password: str,
    *,
    client: str,
    code: str | None = None,
    cipher: ContactCipher | None = None,
    now: datetime | None = None,
) -> LoginOutcome:
    """Check the password (unless throttled), and the TOTP ``code`` of a user who enrolled
    one (its secret opened with ``cipher``), and issue a token on success; a failed
    attempt is recorded for the throttle either way."""
    at = now or datetime.now(UTC)
    since = at - THROTTLE_WINDOW
    row = (
        connection.execute(sa.select(users).where(users.c.username == username)).mappings().first()
    )
    account = None if row is None else username
    retry = _throttled(connection, username, client, since, at)
    if retry:
        return LoginOutcome(None, throttled=True, retry_after_s=retry, account=account)
    stored_hash = row["password_hash"] if row is not None else _UNKNOWN_USER_HASH
    valid = verify_password(stored_hash, password)
    step = None
    if row is not None and valid and row["totp_secret_enc"] is not None:
        step = _second_factor(row, code, cipher, at)
        valid = step is not None
    if row is None or not valid or not row["active"]:
        connection.execute(login_failures.insert().values(username=username, client=client, at=at))
        return LoginOutcome(None, account=account)
    if step is not None:
        connection.execute(
            users.update().where(users.c.user_id == row["user_id"]).values(totp_last_step=step)
        )
    connection.execute(login_failures.delete().where(login_failures.c.username == username))
    token = secrets.token_urlsafe(32)
    expires_at = at + TOKEN_LIFETIME
    connection.execute(
        api_tokens.insert().values(
            token_digest=_digest(token),
            user_id=row["user_id"],
            created_at=at,
            expires_at=expires_at,
            revoked=False,
        )
    )
    return LoginOutcome(IssuedToken(token, expires_at, _principal(row)), account=account)


def principal_for_token(
    connection: sa.Connection, token: str, *, now: datetime | None = None
) -> Principal | None:
    """The active user holding an unexpired, unrevoked ``token``; None otherwise."""
    at = now or datetime.now(UTC)
    query = (
        sa.select(users)
        .join(api_tokens, api_tokens.c.user_id == users.c.user_id)
        .where(
            api_tokens.c.token_digest == _digest(token),
            api_tokens.c.expires_at > at,
            sa.not_(api_tokens.c.revoked),
            users.c.active,
        )
    )
    row = connection.execute(query).mappings().first()
    return None if row is None else _principal(row)


def revoke_token(connection: sa.Connection, token: str) -> None:
    connection.execute(
        api_tokens.update().where(api_tokens.c.token_digest == _digest(token)).values(revoked=True)
    )


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


def _second_factor(
    row: sa.RowMapping, code: str | None, cipher: ContactCipher | None, at: datetime
) -> int | None:
    """The TOTP step ``code`` is valid for (and not replayed), None otherwise."""
    if not code or cipher is None:
        return None
    secret = bytes.fromhex(cipher.decrypt(row["totp_secret_enc"]) or "")
    last = row["totp_last_step"]
    return accepted_step(secret, code, at, None if last is None else int(last))


def _user_row(connection: sa.Connection, username: str) -> sa.RowMapping:
    row = (
        connection.execute(sa.select(users).where(users.c.username == username)).mappings().first()
    )
    if row is None:
        raise ConfigError(f"there is no user {username!r}; see `cityops user list`")
    return row


def _region_exists(connection: sa.Connection, region_code: str) -> bool:
    regions = current_table(table("regions"))
    found = connection.execute(
        sa.select(regions.c.region_code).where(regions.c.region_code == region_code)
    ).first()
    return found is not None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


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
