"""Sessions end on the server, on SQLite and on PostgreSQL: logging out of the console
revokes its token (as cookie and as bearer token alike) and is audited; every user lists
and revokes their own live tokens, the administrator anyone's, and nobody else can."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from api_workspace import OWN, ApiWorkspace
from fastapi.testclient import TestClient

from cityops.access.roles import Role
from cityops.accounts.store import create_user
from cityops.api.deps import TOKEN_COOKIE
from cityops.register.access_schema import audit_log
from cityops.server import create_app

PASSWORD = "A long enough password 1"
_CLIENT_NUMBERS = itertools.count(1)


@pytest.fixture
def engine(backend_workspace: ApiWorkspace) -> Iterator[sa.Engine]:
    engine = sa.create_engine(backend_workspace.workspace.register_url)
    yield engine
    engine.dispose()


def _new_user(engine: sa.Engine, role: Role = Role.SUPERVISOR) -> str:
    name = f"tok-{role}-{uuid.uuid4().hex[:8]}"
    with engine.begin() as connection:
        create_user(
            connection,
            username=name,
            password=PASSWORD,
            role=role,
            region_code=None if role is Role.ADMIN else OWN,
        )
    return name


@pytest.fixture
def client(backend_workspace: ApiWorkspace) -> Iterator[TestClient]:
    address = (f"10.8.0.{next(_CLIENT_NUMBERS)}", 50000)
    with TestClient(create_app(backend_workspace.workspace), client=address) as test_client:
        yield test_client


def _token(client: TestClient, username: str) -> str:
    response = client.post("/api/v1/auth/token", data={"username": username, "password": PASSWORD})
    assert response.status_code == 200
    return str(response.json()["access_token"])


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_after_console_logout_the_token_is_refused_as_cookie_and_as_bearer(
    client: TestClient, engine: sa.Engine
) -> None:
    username = _new_user(engine)
    login = client.post(
        "/console/login",
        data={"username": username, "password": PASSWORD},
        follow_redirects=False,
    )
    assert login.status_code == 303
    token = client.cookies[TOKEN_COOKIE]
    assert client.get("/api/v1/auth/me").status_code == 200

    out = client.post("/console/logout", follow_redirects=False)
    assert out.status_code == 303

    client.cookies.set(TOKEN_COOKIE, token)
    assert client.get("/api/v1/auth/me").status_code == 401
    client.cookies.clear()
    assert client.get("/api/v1/auth/me", headers=_bearer(token)).status_code == 401
    assert client.get("/console/overview", follow_redirects=False).status_code == 303
    with engine.connect() as connection:
        logged = connection.execute(
            sa.select(audit_log.c.object, audit_log.c.result).where(
                audit_log.c.username == username, audit_log.c.action == "logout"
            )
        ).all()
    assert [tuple(row) for row in logged] == [("console", "ok")]


def test_an_owner_lists_their_tokens_and_revokes_one(client: TestClient, engine: sa.Engine) -> None:
    username = _new_user(engine)
    first, second = _token(client, username), _token(client, username)
    listed = client.get("/api/v1/auth/tokens", headers=_bearer(first))
    assert listed.status_code == 200
    tokens = listed.json()
    assert len(tokens) == 2
    assert {t["username"] for t in tokens} == {username}
    assert first not in listed.text
    assert second not in listed.text
    (current,) = [t for t in tokens if t["current"]]
    (other,) = [t for t in tokens if not t["current"]]

    revoked = client.delete(f"/api/v1/auth/tokens/{other['token_id']}", headers=_bearer(first))
    assert revoked.status_code == 204
    assert client.get("/api/v1/auth/me", headers=_bearer(second)).status_code == 401
    assert client.get("/api/v1/auth/me", headers=_bearer(first)).status_code == 200
    left = client.get("/api/v1/auth/tokens", headers=_bearer(first)).json()
    assert [t["token_id"] for t in left] == [current["token_id"]]
    again = client.delete(f"/api/v1/auth/tokens/{other['token_id']}", headers=_bearer(first))
    assert again.status_code == 404


def test_an_administrator_lists_and_revokes_another_users_token(
    client: TestClient, engine: sa.Engine
) -> None:
    holder, admin = _new_user(engine), _new_user(engine, Role.ADMIN)
    held, admin_token = _token(client, holder), _token(client, admin)
    listed = client.get(
        "/api/v1/auth/tokens", params={"username": holder}, headers=_bearer(admin_token)
    )
    assert listed.status_code == 200
    (token,) = listed.json()
    assert token["username"] == holder
    assert not token["current"]
    revoked = client.delete(
        f"/api/v1/auth/tokens/{token['token_id']}", headers=_bearer(admin_token)
    )
    assert revoked.status_code == 204
    assert client.get("/api/v1/auth/me", headers=_bearer(held)).status_code == 401
    with engine.connect() as connection:
        logged = connection.execute(
            sa.select(audit_log.c.object).where(
                audit_log.c.username == admin, audit_log.c.action == "revoke_token"
            )
        ).scalars()
        assert [entry.split(":")[:2] for entry in logged] == [["token", holder]]


def test_another_user_who_is_not_an_administrator_can_neither_list_nor_revoke(
    client: TestClient, engine: sa.Engine
) -> None:
    holder, other = _new_user(engine), _new_user(engine)
    held, other_token = _token(client, holder), _token(client, other)
    listed = client.get(
        "/api/v1/auth/tokens", params={"username": holder}, headers=_bearer(other_token)
    )
    assert listed.status_code == 403
    (token,) = client.get("/api/v1/auth/tokens", headers=_bearer(held)).json()
    revoked = client.delete(
        f"/api/v1/auth/tokens/{token['token_id']}", headers=_bearer(other_token)
    )
    assert revoked.status_code == 404
    assert client.get("/api/v1/auth/me", headers=_bearer(held)).status_code == 200
