"""Logging in and out over HTTP, on SQLite and on PostgreSQL: tokens, throttling, expiry,
revocation, and passwords kept only as argon2 hashes."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from api_workspace import OWN, ApiWorkspace
from argon2 import PasswordHasher
from argon2.exceptions import VerifyMismatchError
from fastapi.testclient import TestClient

from cityops.access.roles import Role
from cityops.accounts.store import authenticate, create_user, principal_for_token
from cityops.errors import ConfigError
from cityops.register.access_schema import users
from cityops.server import create_app

PASSWORD = "A long enough password 1"
_CLIENT_NUMBERS = itertools.count(1)


@pytest.fixture
def engine(backend_workspace: ApiWorkspace) -> Iterator[sa.Engine]:
    engine = sa.create_engine(backend_workspace.workspace.register_url)
    yield engine
    engine.dispose()


@pytest.fixture
def username(engine: sa.Engine) -> str:
    """A new supervisor of its own: throttling counts failures per user name."""
    name = f"auth-{uuid.uuid4().hex[:8]}"
    with engine.begin() as connection:
        create_user(
            connection, username=name, password=PASSWORD, role=Role.SUPERVISOR, region_code=OWN
        )
    return name


@pytest.fixture
def client(backend_workspace: ApiWorkspace) -> Iterator[TestClient]:
    """A client with an address of its own: throttling also counts failures per address."""
    address = (f"10.7.0.{next(_CLIENT_NUMBERS)}", 50000)
    with TestClient(create_app(backend_workspace.workspace), client=address) as test_client:
        yield test_client


def _login(client: TestClient, username: str, password: str) -> tuple[int, dict[str, object]]:
    response = client.post("/api/v1/auth/token", data={"username": username, "password": password})
    body: dict[str, object] = response.json() if response.content else {}
    return response.status_code, body


def test_a_user_logs_in_and_the_token_says_who_they_are(client: TestClient, username: str) -> None:
    status, body = _login(client, username, PASSWORD)
    assert status == 200
    assert body["token_type"] == "bearer"
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json()["username"] == username
    assert (me.json()["role"], me.json()["region_code"]) == ("supervisor", OWN)


def test_a_token_expires_eight_hours_after_login(client: TestClient, username: str) -> None:
    before = datetime.now(UTC)
    _, body = _login(client, username, PASSWORD)
    expires = datetime.fromisoformat(str(body["expires_at"]))
    assert before + timedelta(hours=8) <= expires <= datetime.now(UTC) + timedelta(hours=8)


def test_a_wrong_password_and_an_unknown_user_get_the_same_401(
    client: TestClient, username: str
) -> None:
    wrong = _login(client, username, "not the password at all")
    unknown = _login(client, f"nobody-{uuid.uuid4().hex[:6]}", PASSWORD)
    assert wrong == unknown == (401, {"detail": "wrong user name, password or one-time code"})


def test_after_five_failures_even_the_right_password_gets_429_with_retry_after(
    client: TestClient, username: str
) -> None:
    for _ in range(5):
        assert _login(client, username, "wrong password!")[0] == 401
    response = client.post("/api/v1/auth/token", data={"username": username, "password": PASSWORD})
    assert response.status_code == 429
    retry_after = int(response.headers["Retry-After"])
    assert 0 < retry_after <= 15 * 60 + 1


def test_four_failures_do_not_lock_a_user_out(client: TestClient, username: str) -> None:
    for _ in range(4):
        assert _login(client, username, "wrong password!")[0] == 401
    assert _login(client, username, PASSWORD)[0] == 200


def test_throttling_ends_fifteen_minutes_after_the_failures(
    engine: sa.Engine, username: str
) -> None:
    start = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
    for minute in range(5):
        with engine.begin() as connection:
            failed = authenticate(
                connection,
                username,
                "wrong",
                client="10.9.0.1",
                now=start + timedelta(minutes=minute),
            )
        assert failed.token is None
        assert not failed.throttled
    # the first failure (09:00) leaves the window at 09:15; at 09:10 five are in it
    with engine.begin() as connection:
        at_ten = authenticate(
            connection, username, PASSWORD, client="10.9.0.1", now=start + timedelta(minutes=10)
        )
    assert at_ten.throttled
    assert at_ten.retry_after_s == 5 * 60 + 1
    with engine.begin() as connection:
        at_sixteen = authenticate(
            connection, username, PASSWORD, client="10.9.0.1", now=start + timedelta(minutes=16)
        )
    assert at_sixteen.token is not None


def test_an_expired_token_is_refused(client: TestClient, engine: sa.Engine, username: str) -> None:
    issued_at = datetime.now(UTC) - timedelta(hours=9)
    with engine.begin() as connection:
        outcome = authenticate(connection, username, PASSWORD, client="10.9.0.2", now=issued_at)
    assert outcome.token is not None
    token = outcome.token.token
    with engine.begin() as connection:
        assert principal_for_token(
            connection, token, now=issued_at + timedelta(hours=7, minutes=59)
        )
    with engine.begin() as connection:
        assert principal_for_token(connection, token, now=issued_at + timedelta(hours=8)) is None
    response = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_a_token_is_refused_after_logout(client: TestClient, username: str) -> None:
    _, body = _login(client, username, PASSWORD)
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 401


def test_logging_out_revokes_only_the_token_used(client: TestClient, username: str) -> None:
    _, first = _login(client, username, PASSWORD)
    _, second = _login(client, username, PASSWORD)
    client.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {first['access_token']}"})
    still = client.get(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {second['access_token']}"}
    )
    assert still.status_code == 200


def test_a_request_without_a_token_is_refused_with_401(client: TestClient) -> None:
    response = client.get("/api/v1/auth/me")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    garbage = client.get("/api/v1/auth/me", headers={"Authorization": "Bearer not-a-token"})
    assert garbage.status_code == 401


def test_passwords_are_stored_as_argon2id_hashes_only(engine: sa.Engine, username: str) -> None:
    with engine.connect() as connection:
        stored = connection.execute(
            sa.select(users.c.password_hash).where(users.c.username == username)
        ).scalar_one()
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    hasher = PasswordHasher()
    assert hasher.verify(stored, PASSWORD)
    with pytest.raises(VerifyMismatchError):
        hasher.verify(stored, PASSWORD + "!")


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.OPERATOR, Role.EVALUATOR, Role.AUDITOR])
def test_only_roles_that_may_see_contacts_can_be_given_the_personal_data_right(
    engine: sa.Engine, role: Role
) -> None:
    with pytest.raises(ConfigError, match="personal-data right"), engine.begin() as connection:
        create_user(
            connection,
            username=f"p-{uuid.uuid4().hex[:8]}",
            password=PASSWORD,
            role=role,
            region_code=OWN,
            operator_id="OP-EAST",
            can_view_personal=True,
        )


def test_the_personal_data_right_lapses_when_the_role_no_longer_allows_it(
    engine: sa.Engine,
) -> None:
    name = f"dept-{uuid.uuid4().hex[:8]}"
    with engine.begin() as connection:
        create_user(
            connection,
            username=name,
            password=PASSWORD,
            role=Role.DEPARTMENT,
            region_code=OWN,
            department="城管局",
            can_view_personal=True,
        )
    with engine.begin() as connection:  # a role changed by hand in the database
        connection.execute(
            users.update().where(users.c.username == name).values(role=Role.AUDITOR.value)
        )
    with engine.begin() as connection:
        issued = authenticate(connection, name, PASSWORD, client="10.7.9.9").token
    assert issued is not None
    with engine.begin() as connection:
        principal = principal_for_token(connection, issued.token)
    assert principal is not None
    assert principal.role is Role.AUDITOR
    assert principal.can_view_personal is False
