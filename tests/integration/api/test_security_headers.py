"""Headers every answer carries: no sniffing, no framing, no caching of data and a
Content-Security-Policy that runs only the app's own scripts, while the console's static
files may be kept by the browser for an hour; and console pages escape what they echo."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from api_workspace import OWN, ApiWorkspace
from fastapi.testclient import TestClient

from cityops.access.roles import Role
from cityops.accounts.store import create_user
from cityops.server import create_app

PASSWORD = "A long enough password 1"
PAYLOAD = "<img src=x onerror=alert(1)>"


def test_api_answers_are_never_cached_and_never_framed(api_client: TestClient) -> None:
    answer = api_client.get("/api/v1/regions")
    assert answer.status_code == 401
    assert answer.headers["cache-control"] == "no-store"
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["x-content-type-options"] == "nosniff"


def test_static_files_are_kept_by_the_browser_for_an_hour(api_client: TestClient) -> None:
    answer = api_client.get("/static/console.css")
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "private, max-age=3600"
    assert answer.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    "path", ["/api/v1/regions", "/console/login", "/static/console.js", "/open311/v2/services.json"]
)
def test_every_answer_allows_only_the_apps_own_scripts_and_styles(
    api_client: TestClient, path: str
) -> None:
    policy = api_client.get(path).headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy


@pytest.fixture(scope="module")
def marked_up_user(api_workspace: ApiWorkspace) -> Iterator[tuple[TestClient, str]]:
    """A console session of a supervisor whose user name carries markup."""
    username = f"<b onmouseover=alert(1)>{uuid.uuid4().hex[:6]}</b>"
    engine = sa.create_engine(api_workspace.workspace.register_url)
    with engine.begin() as connection:
        create_user(
            connection, username=username, password=PASSWORD, role=Role.SUPERVISOR, region_code=OWN
        )
    engine.dispose()
    with TestClient(create_app(api_workspace.workspace)) as client:
        login = client.post(
            "/console/login",
            data={"username": username, "password": PASSWORD},
            follow_redirects=False,
        )
        assert login.status_code == 303
        yield client, username


def test_a_page_name_with_markup_is_escaped_in_the_404_page(
    marked_up_user: tuple[TestClient, str],
) -> None:
    client, _ = marked_up_user
    answer = client.get(f"/console/{PAYLOAD}")
    assert answer.status_code == 404
    assert PAYLOAD not in answer.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in answer.text


def test_a_user_name_with_markup_is_escaped_in_the_header(
    marked_up_user: tuple[TestClient, str],
) -> None:
    client, username = marked_up_user
    answer = client.get("/console/overview")
    assert answer.status_code == 200
    assert username not in answer.text
    escaped = username.replace("<", "&lt;").replace(">", "&gt;")
    assert escaped in answer.text
