"""Login throttling on SQLite and on PostgreSQL (``cityops.accounts.throttle``): attempts
are counted exactly however many arrive at once, delays grow 1, 2, 4 … s per account
(at most 60 s) and per client address (at most 15 min) instead of locking the owner
out, and ``X-Forwarded-For`` counts only from a configured proxy.

The delays are checked at given instants (``now``), never against the wall clock."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from threading import Barrier

import pytest
import sqlalchemy as sa
from api_workspace import OWN, ApiWorkspace
from fastapi.testclient import TestClient

from cityops.access.roles import Role
from cityops.accounts.store import LoginOutcome, authenticate, create_user
from cityops.register.access_schema import audit_log
from cityops.server import create_app
from cityops.services import accounts
from cityops.services.unit_of_work import Backend
from cityops.settings import ProcessSettings

PASSWORD = "A long enough password 1"
WRONG = "not the password at all"
START = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
_ADDRESSES = itertools.count(1)


@pytest.fixture
def engine(backend_workspace: ApiWorkspace) -> Iterator[sa.Engine]:
    engine = sa.create_engine(backend_workspace.workspace.register_url)
    yield engine
    engine.dispose()


@pytest.fixture
def username(engine: sa.Engine) -> str:
    name = f"thr-{uuid.uuid4().hex[:8]}"
    with engine.begin() as connection:
        create_user(
            connection, username=name, password=PASSWORD, role=Role.SUPERVISOR, region_code=OWN
        )
    return name


def _address() -> str:
    number = next(_ADDRESSES)
    return f"172.16.{number // 250}.{number % 250 + 1}"


def _try(
    engine: sa.Engine, username: str, password: str, client: str, at: datetime
) -> LoginOutcome:
    with engine.begin() as connection:
        return authenticate(connection, username, password, client=client, now=at)


def test_after_five_failures_the_account_waits_1_2_4_seconds_up_to_a_minute(
    engine: sa.Engine, username: str
) -> None:
    for _ in range(5):
        failed = _try(engine, username, WRONG, _address(), START)
        assert (failed.token, failed.throttled) == (None, False)
    at, waits = START, []
    for _ in range(9):
        early = _try(engine, username, PASSWORD, _address(), at)
        assert early.throttled, "the right password is not checked before the wait is over"
        waits.append(early.retry_after_s)
        at += timedelta(seconds=early.retry_after_s)
        assert not _try(engine, username, WRONG, _address(), at).throttled
    assert waits == [1, 2, 4, 8, 16, 32, 60, 60, 60]


def test_the_owner_from_another_address_logs_in_a_minute_after_an_attackers_last_try(
    engine: sa.Engine, username: str
) -> None:
    attacker, at = _address(), START
    for _ in range(40):
        outcome = _try(engine, username, WRONG, attacker, at)
        at += timedelta(seconds=outcome.retry_after_s or 1)
    owner = _address()
    waiting = _try(engine, username, PASSWORD, owner, at)
    assert waiting.throttled
    assert 0 < waiting.retry_after_s <= 60
    assert _try(engine, username, PASSWORD, owner, at + timedelta(seconds=60)).token is not None
    # the success clears the account: the attacker starts from five free tries again
    after = at + timedelta(seconds=61)
    assert _try(engine, username, WRONG, attacker, after).throttled, "but its address waits"


def test_one_address_trying_many_accounts_waits_up_to_fifteen_minutes(engine: sa.Engine) -> None:
    client, at, waits = _address(), START, []
    for _ in range(20):
        assert not _try(engine, f"nobody-{uuid.uuid4().hex}", WRONG, client, at).throttled
    for _ in range(12):
        early = _try(engine, f"nobody-{uuid.uuid4().hex}", WRONG, client, at)
        assert early.throttled
        waits.append(early.retry_after_s)
        at += timedelta(seconds=early.retry_after_s)
        assert not _try(engine, f"nobody-{uuid.uuid4().hex}", WRONG, client, at).throttled
    assert waits == [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]


def test_counters_are_forgotten_fifteen_minutes_after_the_last_attempt(
    engine: sa.Engine, username: str
) -> None:
    for _ in range(5):
        _try(engine, username, WRONG, _address(), START)
    assert _try(engine, username, PASSWORD, _address(), START).throttled
    later = START + timedelta(minutes=15, seconds=1)
    for _ in range(5):
        assert not _try(engine, username, WRONG, _address(), later).throttled


@pytest.mark.parametrize(("same_account", "checked"), [(True, 5), (False, 20)])
def test_concurrent_attempts_never_get_more_password_checks_than_the_free_ones(
    backend_workspace: ApiWorkspace, username: str, same_account: bool, checked: int
) -> None:
    """Thirty attempts at once, through the service that the API calls (each on a unit of
    work of its own, committing its count before it checks the password): on one
    account from thirty addresses, or on thirty accounts from one address."""
    workers = 30
    client = _address()
    start_together = Barrier(workers)

    def attempt(number: int) -> LoginOutcome:
        name = username if same_account else f"nobody-{number}-{uuid.uuid4().hex[:6]}"
        start_together.wait()
        with backend.unit_of_work() as uow:
            return accounts.authenticate(
                uow, name, WRONG, client=_address() if same_account else client, now=START
            )

    with Backend.open(backend_workspace.workspace) as backend, ThreadPoolExecutor(workers) as pool:
        outcomes = list(pool.map(attempt, range(workers)))
    assert sum(not outcome.throttled for outcome in outcomes) == checked
    assert all(outcome.token is None for outcome in outcomes)


def _client(workspace: ApiWorkspace, peer: str, trusted: str = "") -> TestClient:
    settings = ProcessSettings.from_environ({"CITYOPS_TRUSTED_PROXIES": trusted})
    return TestClient(create_app(workspace.workspace, settings), client=(peer, 40000))


def _audited_logins_from(engine: sa.Engine, clients: list[str]) -> int:
    with engine.connect() as connection:
        return int(
            connection.execute(
                sa.select(sa.func.count()).where(
                    audit_log.c.action.startswith("login"), audit_log.c.client.in_(clients)
                )
            ).scalar_one()
        )


def test_a_forwarded_for_header_from_an_untrusted_peer_is_ignored_and_not_audited(
    backend_workspace: ApiWorkspace, engine: sa.Engine
) -> None:
    peer, name = _address(), f"nobody-{uuid.uuid4().hex[:8]}"
    spoofed = [f"203.0.{next(_ADDRESSES) % 250}.{n}" for n in range(22)]
    with _client(backend_workspace, peer) as client:
        statuses = [
            client.post(
                "/api/v1/auth/token",
                data={"username": f"{name}-{n}", "password": WRONG},
                headers={"X-Forwarded-For": spoofed[n]},
            ).status_code
            for n in range(22)
        ]
    assert statuses[:20] == [401] * 20, "the address's twenty free tries"
    assert 429 in statuses[20:], "rotating the header does not reset the count"
    assert _audited_logins_from(engine, [peer]) == 22
    assert _audited_logins_from(engine, spoofed) == 0


def test_a_forwarded_for_header_from_a_trusted_proxy_names_the_client(
    backend_workspace: ApiWorkspace, engine: sa.Engine
) -> None:
    proxy, name, client_address = _address(), f"nobody-{uuid.uuid4().hex[:8]}", _address()
    with _client(backend_workspace, proxy, trusted=f"{proxy},192.0.2.0/24") as client:
        answer = client.post(
            "/api/v1/auth/token",
            data={"username": name, "password": WRONG},
            headers={"X-Forwarded-For": f"198.51.100.9, {client_address}, 192.0.2.8"},
        )
    assert answer.status_code == 401
    assert _audited_logins_from(engine, [client_address]) == 1
    assert _audited_logins_from(engine, [proxy, "192.0.2.8", "198.51.100.9"]) == 0


def test_a_throttled_login_over_http_is_answered_429_with_a_retry_after_of_a_minute_at_most(
    backend_workspace: ApiWorkspace, engine: sa.Engine, username: str
) -> None:
    at = datetime.now(UTC) + timedelta(seconds=30)
    for _ in range(6):
        _try(engine, username, WRONG, _address(), at)
    with _client(backend_workspace, _address()) as client:
        answer = client.post(
            "/api/v1/auth/token", data={"username": username, "password": PASSWORD}
        )
    assert answer.status_code == 429
    assert 0 < int(answer.headers["Retry-After"]) <= 30 + 60
