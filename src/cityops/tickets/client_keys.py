"""The ``api_key`` of Open311 client applications (客户端密钥).

GeoReport v2 requires an ``api_key`` to submit a service request, issued to
each client application (a city app, a WeChat mini-program, the hotline's
system).  A key is 32 random bytes (``o311_`` + URL-safe base64); only its
SHA-256 digest is stored, so a copy of the register holds no usable key, and
the key is shown once, when it is created.  A key is revoked, never deleted:
its name stays taken, so the audit log's ``open311:create_request`` entries
(which name the application) never point at someone else.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from cityops.errors import ContractError
from cityops.register.access_schema import open311_keys

__all__ = ["ClientKey", "create_key", "key_holder", "list_keys", "revoke_key"]

_PREFIX = "o311_"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


@dataclass(frozen=True, slots=True)
class ClientKey:
    name: str
    created_at: datetime
    revoked_at: datetime | None


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(connection: sa.Connection, name: str, *, now: datetime | None = None) -> str:
    """Issue a key to the application ``name``; the key (shown only now)."""
    if _NAME.fullmatch(name) is None:
        raise ContractError(
            f"application name {name!r}: use 1–64 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    taken = connection.execute(sa.select(open311_keys.c.name).where(open311_keys.c.name == name))
    if taken.first() is not None:
        raise ContractError(
            f"application {name!r} already has a key (revoked or not); choose another name"
        )
    key = _PREFIX + secrets.token_urlsafe(32)
    connection.execute(
        open311_keys.insert(),
        {"name": name, "key_digest": _digest(key), "created_at": now or datetime.now(UTC)},
    )
    return key


def list_keys(connection: sa.Connection) -> list[ClientKey]:
    """Every application's key (never the key itself), by name."""
    query = sa.select(
        open311_keys.c.name, open311_keys.c.created_at, open311_keys.c.revoked_at
    ).order_by(open311_keys.c.name)
    return [ClientKey(**row) for row in connection.execute(query).mappings()]


def revoke_key(connection: sa.Connection, name: str, *, now: datetime | None = None) -> bool:
    """Revoke the key of ``name``; False when it has none that is still valid."""
    result = connection.execute(
        open311_keys.update()
        .where(open311_keys.c.name == name, open311_keys.c.revoked_at.is_(None))
        .values(revoked_at=now or datetime.now(UTC))
    )
    return result.rowcount == 1


def key_holder(connection: sa.Connection, key: str) -> str | None:
    """The application a valid (not revoked) ``key`` was issued to."""
    query = sa.select(open311_keys.c.name).where(
        open311_keys.c.key_digest == _digest(key), open311_keys.c.revoked_at.is_(None)
    )
    holder: str | None = connection.scalars(query).first()
    return holder
