"""Every request body is bounded before it is parsed (``cityops.api.body_limit``).

The server runs in a child process (``cityops serve``) over a small workspace, and
its peak resident memory (``VmHWM``) is read before and after 50 MB bodies are sent
to every POST operation of the app: each must answer 413 and cost the server less
than the body.  Before the bound, one 50 MB form to Open311 cost +617 MB.
"""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from api_writable import writable
from fastapi.routing import APIRoute
from ingest_workspace import make_workspace
from served_workspace import Served, peak_rss_bytes, raw_post, serve_workspace

from cityops.access.roles import Role
from cityops.accounts.store import authenticate, create_user
from cityops.api.body_limit import LOGIN_MAX_BYTES
from cityops.api.routers import ROUTERS
from cityops.console.routes import router as console_router
from cityops.register.engine import make_engine
from cityops.settings import ProcessSettings
from cityops.workspace.workspace import Workspace

MB = 1024 * 1024
HOSTILE_BYTES = 50 * MB
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
NDJSON = "application/x-ndjson"
PATH_VALUES = {"table": "ticket_events", "format": "json"}
"""Values of the path parameters; any other parameter is ``x`` (the body is refused
before anything looks it up)."""


def post_paths() -> list[str]:
    """Every POST operation the app serves (API, Open311 and console), parameters filled in."""
    paths = [
        route.path
        for router in (*ROUTERS, console_router)
        for route in router.routes
        if isinstance(route, APIRoute) and "POST" in (route.methods or ())
    ]
    filled = []
    for path in paths:
        for name, value in PATH_VALUES.items():
            path = path.replace(f"{{{name}}}", value)
        while "{" in path:
            start, end = path.index("{"), path.index("}")
            path = path[:start] + "x" + path[end + 1 :]
        filled.append(path)
    return filled


def media_type(path: str) -> str:
    if path.startswith("/api/v1/ingest/"):
        return NDJSON
    if path.startswith(("/open311/", "/console/", "/api/v1/auth/")):
        return FORM
    return JSON


def hostile_body(size: int = HOSTILE_BYTES, chunk: int = MB) -> Iterator[bytes]:
    """``size`` bytes of a form field that never ends, a megabyte at a time."""
    yield b"description="
    for _ in range(size // chunk):
        yield b"a" * chunk


def admin_token(workspace: Workspace) -> str:
    engine = make_engine(workspace.register_url)
    try:
        with engine.begin() as connection:
            create_user(
                connection,
                username="admin",
                password="Body-Limit-pass-2026!",
                role=Role.ADMIN,
                region_code=None,
            )
        with engine.begin() as connection:
            issued = authenticate(
                connection, "admin", "Body-Limit-pass-2026!", client="tests"
            ).token
    finally:
        engine.dispose()
    assert issued is not None
    return issued.token


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, str]]:
    directory = tmp_path_factory.mktemp("body_limits")
    workspace = make_workspace(directory)
    token = admin_token(workspace)
    with serve_workspace(workspace.root, directory / "serve.log") as server:
        yield server, token


def test_the_post_operations_found_include_every_one_the_audit_named() -> None:
    paths = post_paths()
    for named in ("/open311/v2/requests.json", "/api/v1/auth/token", "/api/v1/advisor",
                  "/console/login", "/api/v1/ingest/ticket_events"):  # fmt: skip
        assert named in paths


@pytest.mark.parametrize("chunked", [False, True], ids=["declared", "chunked"])
def test_fifty_megabytes_to_every_post_operation_are_refused_without_being_held(
    served: tuple[Served, str], chunked: bool
) -> None:
    server, token = served
    paths = post_paths()
    for path in paths:  # warm up: every handler run once with a small body
        if path.endswith("/logout"):
            continue  # it would revoke the token
        raw_post(server, path, [b"x=1"], _headers(path, token, length=3))
    before = peak_rss_bytes(server.pid)
    answers = {
        path: raw_post(
            server,
            path,
            hostile_body(),
            _headers(path, token, length=None if chunked else HOSTILE_BYTES + 12),
            chunked=chunked,
        )
        for path in paths
    }
    grown = peak_rss_bytes(server.pid) - before
    # A body of unknown length is refused when it is read: an operation that takes no
    # body answers without reading it (and the server then closes the connection).
    refused = paths if not chunked else [p for p in paths if p in _taking_a_body(server, paths)]
    assert len(refused) >= 7
    assert {p: answers[p].status for p in refused} == dict.fromkeys(refused, 413)
    for answer in (answers[p] for p in refused):
        detail = answer.body.decode()
        assert "larger than" in detail
        assert len(answer.body) < 1000
    assert grown < HOSTILE_BYTES, f"the server grew by {grown / MB:.0f} MB"


def _taking_a_body(server: Served, paths: list[str]) -> set[str]:
    """The paths whose operation takes a body: by the OpenAPI document, and the console's
    login form (the console is not in the document)."""
    with urllib.request.urlopen(f"{server.base_url}/api/v1/openapi.json") as answer:
        document = json.load(answer)
    taking = {"/console/login"}
    for template, operations in document["paths"].items():
        if "requestBody" in operations.get("post", {}):
            pattern = re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(template))
            taking |= {p for p in paths if re.fullmatch(pattern, p)}
    return taking


def _headers(path: str, token: str, length: int | None) -> dict[str, str]:
    headers = {"Content-Type": media_type(path), "Authorization": f"Bearer {token}"}
    return headers | ({"Content-Length": str(length)} if length is not None else {})


def test_a_login_form_has_a_smaller_bound_than_other_requests(tmp_path: Path) -> None:
    settings = ProcessSettings.from_environ({"CITYOPS_API_MAX_BODY_BYTES": str(4 * MB)})
    with writable(make_workspace(tmp_path), settings) as api:
        login = api.client.post(
            "/api/v1/auth/token", content=b"username=" + b"a" * LOGIN_MAX_BYTES,
            headers={"Content-Type": FORM},
        )  # fmt: skip
        assert login.status_code == 413
        advice = api.client.post(
            "/api/v1/advisor", content=json.dumps({"name": "a" * 2 * MB}),
            headers=api.headers("admin", JSON),
        )  # fmt: skip
        assert advice.status_code == 422, advice.text  # read and validated: within the bound


def test_a_validation_error_names_the_fields_without_echoing_what_was_sent(
    tmp_path: Path,
) -> None:
    sent = {f"field{n}": "秘" * 5_000 for n in range(40)} | {"name": ["x" * 50_000]}
    with writable(make_workspace(tmp_path)) as api:
        answer = api.client.post("/api/v1/advisor", json=sent, headers=api.headers("admin"))
    assert answer.status_code == 422
    errors = answer.json()["detail"]
    assert errors
    assert all(set(e) == {"loc", "msg", "type"} for e in errors)
    assert ["body", "name"] in [e["loc"] for e in errors]
    assert "秘" not in answer.text
    assert "xxxx" not in answer.text
    assert len(answer.content) < 10_000
