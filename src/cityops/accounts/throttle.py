"""Login throttling (登录限制): progressive delays per account and per client address.

Each account (keyed by a digest of the user name typed, so that a password
typed into the name field is never stored) and each client address has one
counter in ``login_throttle``: the attempts whose password was checked and did
not succeed, and when the last one was made.  The first ``free`` attempts of a
key pass at once; after that the key must wait ``2 ** (failures - free)``
seconds after its last attempt (1, 2, 4, … s), at most ``max_delay``, before its
next attempt is checked; an attempt that comes earlier is refused (HTTP 429 with
``Retry-After``) without looking at the password and without counting.  A
counter is forgotten ``FORGET_AFTER`` after its last attempt, and an account's
counter is cleared by a successful login.

==========  ======  =========  =============================================
key         free    max delay  what it bounds
==========  ======  =========  =============================================
account     5       60 s       guessing one account from many addresses
client      20      15 min     one address guessing, one account or many
==========  ======  =========  =============================================

There is no lockout: whoever attacks an account, its owner waits at most 60 s
(``Retry-After`` says how long) before the right password is checked, from any
other address; the attacker's own address soon waits 15 minutes between tries.

An attempt is *claimed* before its password is checked, by a compare-and-set
on the counter's ``version`` (one conditional UPDATE, which SQLite and
PostgreSQL both make atomic), so concurrent attempts are counted exactly and no
more than ``free`` passwords are checked before the delays begin, however many
arrive at once.  The client's counter is claimed first; an attempt refused
because the account must wait still counts against the client that sent it.
A success gives the client its attempt back.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from cityops.register.access_schema import login_throttle

__all__ = [
    "ACCOUNT_LIMIT",
    "CLIENT_LIMIT",
    "FORGET_AFTER",
    "Limit",
    "claim_attempt",
    "delay_after",
    "record_success",
]


@dataclass(frozen=True, slots=True)
class Limit:
    free: int
    """Attempts that pass without delay."""
    max_delay: timedelta
    """The longest wait between two checked attempts."""


ACCOUNT_LIMIT = Limit(free=5, max_delay=timedelta(seconds=60))
CLIENT_LIMIT = Limit(free=20, max_delay=timedelta(minutes=15))
FORGET_AFTER = timedelta(minutes=15)
"""A counter whose last attempt is older than this starts again from zero."""
_MAX_TRIES = 200
"""Compare-and-set rounds before an attempt is refused as if throttled (each lost round
means another attempt on the same key was counted meanwhile)."""


def delay_after(failures: int, limit: Limit) -> timedelta:
    """How long a key with ``failures`` counted attempts waits after the last one."""
    if failures < limit.free:
        return timedelta(0)
    exponent = min(failures - limit.free, 30)
    return min(timedelta(seconds=2**exponent), limit.max_delay)


def claim_attempt(connection: sa.Connection, username: str, client: str, at: datetime) -> int:
    """Count one attempt of ``username`` from ``client`` at ``at`` if both keys allow it
    now: 0 when the password may be checked, else the seconds to wait (``Retry-After``)."""
    wait = _claim(connection, _client_key(client), CLIENT_LIMIT, at)
    if wait:
        return wait
    return _claim(connection, _account_key(username), ACCOUNT_LIMIT, at)


def record_success(connection: sa.Connection, username: str, client: str, at: datetime) -> None:
    """A checked attempt succeeded: the account's counter is cleared, the client gets its
    attempt back, and counters forgotten by now are removed."""
    connection.execute(
        login_throttle.delete().where(login_throttle.c.throttle_key == _account_key(username))
    )
    connection.execute(
        login_throttle.update()
        .where(login_throttle.c.throttle_key == _client_key(client), login_throttle.c.failures > 0)
        .values(failures=login_throttle.c.failures - 1, version=login_throttle.c.version + 1)
    )
    connection.execute(login_throttle.delete().where(login_throttle.c.last_at < at - FORGET_AFTER))


def _claim(connection: sa.Connection, key: str, limit: Limit, at: datetime) -> int:
    for _ in range(_MAX_TRIES):
        row = connection.execute(
            sa.select(
                login_throttle.c.failures, login_throttle.c.last_at, login_throttle.c.version
            ).where(login_throttle.c.throttle_key == key)
        ).first()
        if row is None:
            _create(connection, key, at)
            continue
        failures, last_at, version = int(row[0]), row[1], int(row[2])
        if at - last_at > FORGET_AFTER:
            failures = 0
        wait: float = (last_at + delay_after(failures, limit) - at).total_seconds()
        if wait > 0:
            return max(1, math.ceil(wait))
        claimed = connection.execute(
            login_throttle.update()
            .where(login_throttle.c.throttle_key == key, login_throttle.c.version == version)
            .values(failures=failures + 1, last_at=at, version=version + 1)
        )
        if claimed.rowcount == 1:
            return 0
    return 1


def _create(connection: sa.Connection, key: str, at: datetime) -> None:
    """A counter at zero for ``key``, unless a concurrent attempt made it first."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    connection.execute(
        dialect.insert(login_throttle)
        .values(throttle_key=key, failures=0, last_at=at, version=0)
        .on_conflict_do_nothing(index_elements=[login_throttle.c.throttle_key])
    )


def _account_key(username: str) -> str:
    return "account:" + hashlib.sha256(username.encode()).hexdigest()


def _client_key(client: str) -> str:
    return f"client:{client}"
