"""Generated requests to every operation of the OpenAPI document of ``create_app``
(schemathesis), a bounded number per operation and with a fixed seed, so that each
run sends the same requests:

- with an administrator's token, no request ends in a server error (5xx): a
  malformed or absurd input is the client's mistake and gets a 4xx; and every
  answer is one the document gives for the operation: its status code, its
  content type, its body's schema and its headers (``CHECKS``);
- without credentials, every protected operation answers 401; the public ones
  are logging in and Open311, and only those.

The requests change things (ingest, settle, Open311 submissions, logouts), so they
go to a private two-city workspace, never the shared one.  The schema is loaded
when the module is collected, from an app over an empty workspace (the document
does not depend on the data), and each request goes to the app over the private
workspace (``case.call(app=...)``); ``schemathesis.pytest.from_fixture`` would
load it from a fixture instead, but does not run under the pinned pytest.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from api_workspace import (
    CITY_A,
    CITY_B,
    KPI_INDICATORS,
    OTHER_CITY,
    OWN,
    PASSWORD,
    PERIOD,
    SIBLING,
    ApiWorkspace,
    build_api_workspace,
)
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import settings
from schemathesis.checks import not_a_server_error
from schemathesis.filters import HasAPIOperation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from cityops.accounts.store import authenticate
from cityops.api.state import AppState
from cityops.domain.contract import TABLES
from cityops.server import create_app
from cityops.workspace.create import create_workspace

CHECKS = (
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
)
"""Every check of an answer against the document.  Schemathesis's other checks are
run elsewhere or do not apply: ``ignored_auth`` is the unauthenticated test below;
``use_after_free`` and ``ensure_resource_availability`` need stateful runs, and they
and ``unsupported_method`` send requests of their own to a server, while these go to
the app in process; ``positive_data_acceptance`` would have every request the schema
allows succeed, but an unknown id or a region outside the register is a 404 by
design."""
MAX_EXAMPLES = 15
"""Generated requests per operation with a token (about 40 operations)."""
UNAUTHENTICATED_EXAMPLES = 5
"""Generated requests per protected operation without credentials: the answer does
not depend on the input, so a few show it."""
PUBLIC_TAGS = frozenset({"open311"})
PUBLIC_OPERATIONS = frozenset({"login"})
DOCUMENT_URL = "/api/v1/openapi.json"
FuzzCase = schemathesis.Case[Any]
"""A generated request (its operation's parameter types do not matter here)."""

_SOME_OF_THE_TIME = 0.6
"""How often a parameter takes a value the workspace knows rather than a generated one,
so that requests also reach past "not found"."""
_KNOWN_VALUES = {
    "path.table": "tables",
    "query.table": "tables",
    "path.region_code": "regions",
    "query.region": "regions",
    "query.jurisdiction_id": "cities",
    "body.jurisdiction_id": "cities",
    "path.indicator": "indicators",
    "query.indicator": "indicators",
    "query.period": "months",
    "body.period": "months",
}
"""Parameter → the dictionary of known values it takes some of the time."""


def _config(mode: str) -> schemathesis.Config:
    """Generation with a fixed seed and no example database, values the workspace
    knows for some of the parameters, and requests of ``mode`` (positive: valid ones,
    negative: invalid ones, all: both)."""
    return schemathesis.Config.from_dict(
        {
            "seed": 20250107,
            "generation": {
                "mode": mode,
                "database": "none",
                "with-security-parameters": False,
            },
            "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
            "dictionaries": {
                "tables": {"values": [table.name for table in TABLES]},
                "regions": {"values": [CITY_A, CITY_B, OWN, SIBLING, OTHER_CITY]},
                "cities": {"values": [CITY_A, CITY_B]},
                "indicators": {"values": list(KPI_INDICATORS)},
                "months": {"values": [str(PERIOD)]},
            },
            "parameters": {
                name: {"dictionary": dictionary, "probability": _SOME_OF_THE_TIME}
                for name, dictionary in _KNOWN_VALUES.items()
            },
        }
    )


def _openapi_document() -> dict[str, Any]:
    """The document ``create_app`` serves at ``DOCUMENT_URL``."""
    with tempfile.TemporaryDirectory() as directory:
        app = create_app(create_workspace(Path(directory) / "ws", name="openapi"))
        state: AppState = app.state.cityops
        try:
            document: dict[str, Any] = app.openapi()
        finally:
            state.backend.engine.dispose()
    return document


def _is_public(operation: dict[str, Any]) -> bool:
    return operation["operationId"] in PUBLIC_OPERATIONS or bool(
        PUBLIC_TAGS.intersection(operation.get("tags", ()))
    )


def _is_protected(context: HasAPIOperation) -> bool:
    return not _is_public(context.operation.definition.raw)


DOCUMENT = _openapi_document()
schema = schemathesis.openapi.from_dict(DOCUMENT, config=_config("all"))
protected = schemathesis.openapi.from_dict(DOCUMENT, config=_config("positive")).include(
    _is_protected
)
"""Valid requests only: FastAPI refuses a body that is not JSON at all (422) before it
looks at credentials, which tells an anonymous caller nothing about the data."""


@dataclass(frozen=True, slots=True)
class FuzzedApi:
    api: ApiWorkspace
    app: FastAPI

    def admin_headers(self, case: FuzzCase) -> dict[str, str]:
        """The administrator's token; a logout gets a token of its own, so that the
        requests after it still have a valid one."""
        if case.operation.definition.raw["operationId"] != "logout":
            return self.api.headers("admin")
        state: AppState = self.app.state.cityops
        with state.backend.engine.begin() as connection:
            issued = authenticate(connection, "admin", PASSWORD, client="schemathesis").token
        assert issued is not None, "the fixture's administrator can log in"
        return {"Authorization": f"Bearer {issued.token}"}


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> FuzzedApi:
    """A private two-city workspace and the app over it."""
    api = build_api_workspace(tmp_path_factory.mktemp("schemathesis"))
    return FuzzedApi(api, create_app(api.workspace))


def test_only_logging_in_and_open311_go_without_a_token() -> None:
    """The operations the unauthenticated test leaves out are exactly the public ones."""
    operations = [op for methods in DOCUMENT["paths"].values() for op in methods.values()]
    unsecured = {op["operationId"] for op in operations if not op.get("security")}
    public = {op["operationId"] for op in operations if _is_public(op)}
    assert unsecured == public
    assert "list_open311_requests" in public  # the tag is the one Open311 carries


def test_the_fuzzed_document_is_the_one_the_api_serves(fuzzed: FuzzedApi) -> None:
    """It was made over an empty workspace: the data must not change it."""
    with TestClient(fuzzed.app) as client:
        assert client.get(DOCUMENT_URL).json() == DOCUMENT


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES)
def test_no_request_of_an_administrator_ends_in_a_server_error(
    case: FuzzCase, fuzzed: FuzzedApi
) -> None:
    response = case.call(app=fuzzed.app, headers=fuzzed.admin_headers(case))
    case.validate_response(response, checks=list(CHECKS))


@protected.parametrize()
@settings(max_examples=UNAUTHENTICATED_EXAMPLES)
def test_a_protected_operation_refuses_a_request_without_credentials(
    case: FuzzCase, fuzzed: FuzzedApi
) -> None:
    response = case.call(app=fuzzed.app)
    assert response.status_code == 401, f"{response.status_code}: {response.text[:300]}"
    assert response.headers["www-authenticate"] == ["Bearer"]
