"""Generated requests to every operation of the OpenAPI document of ``create_app``
(schemathesis), a bounded number per operation and with a fixed seed, so that each
run sends the same requests:

- with an administrator's token, every one of schemathesis's checks holds for every
  request (``EVERY_CHECK``; ``test_every_check_of_schemathesis_is_on`` fails if one is
  left out): no server error (5xx), since a malformed or absurd input is the
  client's mistake and gets a 4xx; every answer is one the document gives for the
  operation (status code, content type, body schema, headers); a request the
  schema refuses is refused; a method the path does not serve is a 405 with an
  ``Allow`` header naming exactly the documented methods; a request without the
  token, or with a wrong one, is refused wherever the document asks for one; a
  missing required header is refused;
- without credentials, every protected operation answers 401; the public ones
  are logging in and Open311, and only those.

The checks that send requests of their own (``ignored_auth``, ``unsupported_method``,
``allow_header_conformance``, ``missing_required_header``) need a server, so the
requests go over HTTP to ``cityops serve`` running over a private two-city workspace
(``served_workspace``), never the shared one: they change things (ingest, settle,
Open311 submissions, logouts).  The coverage phase (schemathesis's deterministic
edge cases: each parameter missing, at its bounds, of the wrong type, and each
method the path does not document) runs besides the generated examples, because
``unsupported_method`` and ``missing_required_header`` judge its requests only.

``positive_data_acceptance`` (a request the schema allows is accepted) is on, with
the answers that refuse such a request by design among its expected statuses: 404
for an id, region or city the register does not know, 409 for a state that does
not allow the change, 422 for a value the schema cannot express the rule of (a
control character in an id, an empty ingest body, an ``assumed`` that is not a
condition field of a profile), and on Open311 its 400 for the same (no
``jurisdiction_id`` when the workspace has several cities, an unknown service
code), as ``docs/api.md`` and ``docs/open311.md`` document them.
``use_after_free``, ``ensure_resource_availability`` and
``object_level_authorization`` are on too; they judge requests that follow each
other in a stateful run, which the document's operations give none of (no links,
no creation of a resource that a later operation reads or deletes), so they pass
vacuously here.

The schema is loaded when the module is collected, from an app over an empty
workspace (the document does not depend on the data);
``schemathesis.pytest.from_fixture`` would load it from a fixture instead, but does
not run under the pinned pytest.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
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
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.core.result import Ok
from schemathesis.filters import HasAPIOperation
from served_workspace import Served, serve_workspace

from cityops.accounts.store import authenticate
from cityops.api.state import AppState
from cityops.domain.contract import TABLES
from cityops.server import create_app
from cityops.workspace.create import create_workspace

MAX_EXAMPLES = 15
"""Generated requests per operation with a token (about 40 operations)."""
UNAUTHENTICATED_EXAMPLES = 5
"""Generated requests per protected operation without credentials: the answer does
not depend on the input, so a few show it."""
PUBLIC_TAGS = frozenset({"open311"})
PUBLIC_OPERATIONS = frozenset({"login"})
DOCUMENT_URL = "/api/v1/openapi.json"
NDJSON = "application/x-ndjson"
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


_ACCEPTED_OR_REFUSED_BY_DESIGN = ["2xx", "401", "403", "404", "409", "422", "429"]
EVERY_CHECK: dict[str, Any] = {
    "phases": {"coverage": {"enabled": True}, "stateful": {"enabled": False}},
    "checks": {"positive_data_acceptance": {"expected-statuses": _ACCEPTED_OR_REFUSED_BY_DESIGN}},
    "operations": [
        {
            "include-tag": "open311",
            "checks": {
                "positive_data_acceptance": {
                    "expected-statuses": [*_ACCEPTED_OR_REFUSED_BY_DESIGN, "400"]
                }
            },
        }
    ],
}


def _config(mode: str, *, every_check: bool = False) -> schemathesis.Config:
    """Generation with a fixed seed and no example database, values the workspace
    knows for some of the parameters, and requests of ``mode`` (positive: valid ones,
    negative: invalid ones, all: both)."""
    config: dict[str, Any] = {
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
    if every_check:
        config |= EVERY_CHECK
    return schemathesis.Config.from_dict(config)


@schemathesis.serializer(NDJSON)
def _ndjson(_context: schemathesis.SerializationContext, value: Any) -> bytes:
    """A generated ingest body sent as NDJSON: one JSON text a line (a body that is
    not a list is one line)."""
    rows = value if isinstance(value, list) else [value]
    return "".join(json.dumps(row) + "\n" for row in rows).encode()


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
schema = schemathesis.openapi.from_dict(DOCUMENT, config=_config("all", every_check=True))
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


@pytest.fixture(scope="module")
def served(fuzzed: FuzzedApi, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """``cityops serve`` over the private workspace, on a free loopback port."""
    log = tmp_path_factory.mktemp("schemathesis-serve") / "serve.log"
    with serve_workspace(fuzzed.api.workspace.root, log) as server:
        yield server


def test_only_logging_in_and_open311_go_without_a_token() -> None:
    """The operations the unauthenticated test leaves out are exactly the public ones."""
    operations = [op for methods in DOCUMENT["paths"].values() for op in methods.values()]
    unsecured = {op["operationId"] for op in operations if not op.get("security")}
    public = {op["operationId"] for op in operations if _is_public(op)}
    assert unsecured == public
    assert "list_open311_requests" in public  # the tag is the one Open311 carries


def test_every_check_of_schemathesis_is_on() -> None:
    """Every check schemathesis has (its built-in ones, whatever the version adds) is
    enabled for every operation the administrator's requests go to."""
    load_all_checks()
    names = {check.__name__ for check in CHECKS.get_all() if not isinstance(check, type)}
    assert len(names) >= 14
    for operation in schema.get_all_operations():
        assert isinstance(operation, Ok), operation
        checks = schema.config.checks_config_for(operation=operation.ok(), phase="fuzzing")
        assert all(checks.get_by_name(name=name).enabled for name in names)


def test_the_fuzzed_document_is_the_one_the_api_serves(fuzzed: FuzzedApi) -> None:
    """It was made over an empty workspace: the data must not change it."""
    with TestClient(fuzzed.app) as client:
        assert client.get(DOCUMENT_URL).json() == DOCUMENT


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES)
def test_every_check_holds_for_every_request_of_an_administrator(
    case: FuzzCase, fuzzed: FuzzedApi, served: Served
) -> None:
    headers = fuzzed.admin_headers(case)
    response = case.call(base_url=served.base_url, headers=headers)
    case.validate_response(
        response,
        headers=headers,
        transport_kwargs={"base_url": served.base_url, "headers": headers},
    )


@protected.parametrize()
@settings(max_examples=UNAUTHENTICATED_EXAMPLES)
def test_a_protected_operation_refuses_a_request_without_credentials(
    case: FuzzCase, fuzzed: FuzzedApi
) -> None:
    response = case.call(app=fuzzed.app)
    assert response.status_code == 401, f"{response.status_code}: {response.text[:300]}"
    assert response.headers["www-authenticate"] == ["Bearer"]
