"""Logins over HTTP and in the console, on SQLite and PostgreSQL: a failed login is audited
without what was typed, and a user with a TOTP second factor needs the current code."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from api_workspace import OWN, ApiWorkspace
from fastapi.testclient import TestClient

from cityops.access.roles import Role
from cityops.accounts.store import create_user, enrol_totp
from cityops.accounts.totp import code_at
from cityops.register.access_schema import audit_log, users
from cityops.server import create_app
from cityops.services.unit_of_work import Backend

PASSWORD = "Second-factor-test-1"


@pytest.fixture
def engine(backend_workspace: ApiWorkspace) -> Iterator[sa.Engine]:
    engine = sa.create_engine(backend_workspace.workspace.register_url)
    yield engine
    engine.dispose()


@pytest.fixture
def client(backend_workspace: ApiWorkspace) -> Iterator[TestClient]:
    address = (f"10.8.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}", 50000)
    with TestClient(create_app(backend_workspace.workspace), client=address) as test_client:
        yield test_client


def _supervisor(engine: sa.Engine) -> str:
    name = f"sf-{uuid.uuid4().hex[:8]}"
    with engine.begin() as connection:
        create_user(
            connection, username=name, password=PASSWORD, role=Role.SUPERVISOR, region_code=OWN
        )
    return name


def _audit_text_since(engine: sa.Engine, seq: int) -> list[str]:
    with engine.connect() as connection:
        rows = connection.execute(sa.select(audit_log).where(audit_log.c.seq > seq)).mappings()
        return [" ".join(str(value) for value in row.values()) for row in rows]


def _last_seq(engine: sa.Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(sa.select(sa.func.max(audit_log.c.seq))).scalar() or 0)


def test_a_password_typed_as_the_user_name_never_reaches_the_audit_log(
    client: TestClient, engine: sa.Engine
) -> None:
    before = _last_seq(engine)
    typed = f"My-Secret-{uuid.uuid4().hex[:6]}"
    answer = client.post("/api/v1/auth/token", data={"username": typed, "password": "x"})
    assert answer.status_code == 401
    written = _audit_text_since(engine, before)
    assert not any(typed in text for text in written)
    assert any(f"login:unknown account ({len(typed)} characters)" in text for text in written)


def test_a_failed_login_to_an_existing_account_names_it(
    client: TestClient, engine: sa.Engine
) -> None:
    name = _supervisor(engine)
    before = _last_seq(engine)
    answer = client.post("/api/v1/auth/token", data={"username": name, "password": "wrong"})
    assert answer.status_code == 401
    assert any(f"login:{name} auth failed" in text for text in _audit_text_since(engine, before))


def _enrol(backend_workspace: ApiWorkspace, engine: sa.Engine, name: str) -> bytes:
    with Backend.open(backend_workspace.workspace) as backend, engine.begin() as connection:
        enrol_totp(connection, backend.cipher, name, issuer="tests")
        sealed = connection.execute(
            sa.select(users.c.totp_secret_enc).where(users.c.username == name)
        ).scalar_one()
        return bytes.fromhex(backend.cipher.decrypt(sealed) or "")


def test_an_enrolled_supervisor_needs_the_code_for_a_token(
    backend_workspace: ApiWorkspace, client: TestClient, engine: sa.Engine
) -> None:
    name = _supervisor(engine)
    secret = _enrol(backend_workspace, engine, name)
    form = {"username": name, "password": PASSWORD}
    assert client.post("/api/v1/auth/token", data=form).status_code == 401
    code = code_at(secret, datetime.now(UTC))
    other = str((int(code) + 500_000) % 1_000_000).zfill(6)  # not this step's code
    assert client.post("/api/v1/auth/token", data=form | {"otp": other}).status_code == 401
    answer = client.post("/api/v1/auth/token", data=form | {"otp": code})
    assert answer.status_code == 200
    assert answer.json()["user"]["username"] == name
    assert client.post("/api/v1/auth/token", data=form | {"otp": code}).status_code == 401


def test_the_console_login_form_takes_the_code(
    backend_workspace: ApiWorkspace, client: TestClient, engine: sa.Engine
) -> None:
    name = _supervisor(engine)
    secret = _enrol(backend_workspace, engine, name)
    form = {"username": name, "password": PASSWORD}
    page = client.get("/console/login")
    assert 'name="otp"' in page.text
    assert client.post("/console/login", data=form, follow_redirects=False).status_code == 401
    code = code_at(secret, datetime.now(UTC))
    logged_in = client.post("/console/login", data=form | {"otp": code}, follow_redirects=False)
    assert logged_in.status_code == 303
