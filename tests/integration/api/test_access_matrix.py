"""The access-control matrix (``docs/access-matrix.csv``), executed cell by cell.

Each row names an operation of the API, a role, how the object asked for relates
to the user and what a city expects: ``allow``, ``hidden`` (404, or absent from a
list) or ``forbidden`` (403).  The expectations were written by hand from the
duties of each role (``docs/api-access.md``), not derived from
``cityops.access.roles``: the two are checked against each other here.  An
operation of the API without rows, or rows of an operation that is gone, fail
``test_every_operation_of_the_api_has_rows_in_the_matrix``.

The users are those of the shared two-city workspace, all bound to district
``OWN``.  The cells run against a private copy of it (its users and tokens work
there too), because the module adds what the matrix addresses in each relation
— services and quarantined rows, tickets, audit entries, a statement of the
other operator — and its writing cells settle, review, approve, ingest and
record ticket events.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import quote

import openpyxl
import pytest
from api_workspace import (
    CITY_A,
    CITY_B,
    DEPARTMENT,
    KPI_INDICATORS,
    OTHER_CITY,
    OTHER_DEPARTMENT,
    OWN,
    PASSWORD,
    PERIOD,
    SIBLING,
    USERS,
    ApiWorkspace,
)
from fastapi.testclient import TestClient
from httpx2 import Response

from cityops.access.roles import Role
from cityops.advisor.profile import load_profile
from cityops.api.pages import MAX_LIMIT
from cityops.api.state import AppState
from cityops.audit.log import AuditEntry, append_entry
from cityops.ingestion.batch import ingest_file
from cityops.server import create_app
from cityops.services.settlement import review_statement, settle_period
from cityops.services.unit_of_work import unit_of_work
from cityops.tickets.store import NewTicket, Ticket, create_ticket
from cityops.workspace.workspace import open_workspace

REPOSITORY = Path(__file__).resolve().parents[3]
MATRIX = REPOSITORY / "docs" / "access-matrix.csv"
PROFILE = REPOSITORY / "examples" / "advisor" / "changsha-county.yaml"
TOKEN_URL = "/api/v1/auth/token"
TOKENS_URL = "/api/v1/auth/tokens"

OWN_OTHER_HOLDER = "own_other_holder"
"""The own district, but another operator's contract (and its statements) or another
department's service or ticket."""
NONE = "none"
"""The operation addresses nothing in a region."""
REGION_RELATIONS = ("own", "sibling", "other_city")
HOLDER_RELATIONS = ("own", OWN_OTHER_HOLDER, "sibling", "other_city")
PLACES: Mapping[str, tuple[str, str, str]] = {
    "own": (CITY_A, OWN, DEPARTMENT),
    OWN_OTHER_HOLDER: (CITY_A, OWN, OTHER_DEPARTMENT),
    "sibling": (CITY_A, SIBLING, DEPARTMENT),
    "other_city": (CITY_B, OTHER_CITY, DEPARTMENT),
}
"""Relation → the city, region and department of what the matrix addresses there."""


class Outcome(StrEnum):
    ALLOW = "allow"
    HIDDEN = "hidden"
    FORBIDDEN = "forbidden"


@dataclass(frozen=True, slots=True)
class Cell:
    """One row of the matrix."""

    operation_id: str
    method: str
    path: str
    access: str
    role: str
    relation: str
    expected: Outcome
    why: str

    @property
    def test_id(self) -> str:
        return f"{self.operation_id}-{self.role}-{self.relation}"


def read_matrix(path: Path) -> tuple[Cell, ...]:
    with path.open(encoding="utf-8", newline="") as source:
        return tuple(
            Cell(
                operation_id=row["operation_id"],
                method=row["method"],
                path=row["path"],
                access=row["access"],
                role=row["role"],
                relation=row["relation"],
                expected=Outcome(row["expected"]),
                why=row["why"],
            )
            for row in csv.DictReader(source)
        )


CELLS = read_matrix(MATRIX)


@dataclass(frozen=True, slots=True)
class Addressed:
    """What the matrix asks for in one relation."""

    region: str
    contract: str
    statement: str
    service: str
    """A row of the ``services`` register."""
    quarantined: str
    """The ``service_id`` of a quarantined ``services`` row."""
    ticket: str
    audited: str
    """The object of an audit entry made by a user of the region."""


@dataclass(frozen=True, slots=True)
class MatrixApi:
    api: ApiWorkspace
    client: TestClient
    addressed: Mapping[str, Addressed]
    ticket_token: str
    """The Open311 token of the ``own`` ticket."""

    def at(self, relation: str) -> Addressed:
        return self.addressed[relation]

    def get(self, role: str, url: str, **params: str | int) -> Response:
        return self.client.get(url, params=params, headers=self.api.headers(role))

    def post(self, role: str, url: str, body: Any = None) -> Response:
        return self.client.post(url, json=body, headers=self.api.headers(role))

    def draft(self, relation: str, *, reviewed: bool) -> str:
        """A new draft statement of the relation's contract, reviewed when asked."""
        with unit_of_work(self.api.workspace) as uow:
            made = settle_period(uow, self.at(relation).contract, PERIOD, by="matrix-settler")
            if reviewed:
                review_statement(uow, made.statement_id, by="matrix-reviewer")
        return made.statement_id


@pytest.fixture(scope="module")
def matrix(
    api_workspace: ApiWorkspace, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[MatrixApi]:
    """A copy of the shared workspace holding one object of each kind in each relation."""
    directory = tmp_path_factory.mktemp("access_matrix")
    shutil.copytree(api_workspace.workspace.root, directory / "ws")
    api = replace(api_workspace, workspace=open_workspace(directory / "ws"))
    _add_services(api, directory / "services.csv")
    with unit_of_work(api.workspace) as uow:
        other_statement = settle_period(
            uow, api.other_operator_contract, PERIOD, by="matrix-settler"
        ).statement_id
    app = create_app(api.workspace)
    state: AppState = app.state.cityops
    tickets = _add_tickets(state)
    _add_audit_entries(state)
    contracts = {**api.contracts, OWN_OTHER_HOLDER: api.other_operator_contract}
    statements = {**api.statements, OWN_OTHER_HOLDER: other_statement}
    addressed = {
        relation: Addressed(
            region=region,
            contract=contracts[relation],
            statement=statements[relation],
            service=f"MX-{relation}",
            quarantined=f"MXQ-{relation}",
            ticket=tickets[relation].ticket_id,
            audited=f"matrix/{relation}",
        )
        for relation, (_city, region, _department) in PLACES.items()
    }
    with TestClient(app) as client:
        yield MatrixApi(api, client, addressed, tickets["own"].token)


def _add_services(api: ApiWorkspace, path: Path) -> None:
    """One online service per relation, and one refused row (``on_portal`` is no bool)."""
    lines = ["service_id,name,department,category,region_code,on_portal,online_since"]
    for relation, (_city, region, department) in PLACES.items():
        lines.append(f"MX-{relation},矩阵服务,{department},城市管理,{region},true,2024-01-01")
        lines.append(f"MXQ-{relation},矩阵隔离,{department},城市管理,{region},perhaps,2024-01-01")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    batch = ingest_file(api.workspace, "services", path)
    assert (batch.stored, batch.quarantined) == (len(PLACES), len(PLACES)), batch


def _add_tickets(state: AppState) -> dict[str, Ticket]:
    """One open ticket per relation, of that relation's service."""
    with state.backend.engine.begin() as connection:
        return {
            relation: create_ticket(
                connection,
                state.cipher,
                NewTicket(city, f"MX-{relation}", region, department, "城市管理", "web"),
                due_in=timedelta(days=3),
            )
            for relation, (city, region, department) in PLACES.items()
        }


def _add_audit_entries(state: AppState) -> None:
    """One entry per relation, made by a (made-up) user of that relation's region."""
    with state.backend.engine.begin() as connection:
        for relation, (_city, region, _department) in PLACES.items():
            entry = AuditEntry(
                action="matrix",
                object=f"matrix/{relation}",
                result="ok",
                username=f"matrix-{relation}",
                role=Role.SUPERVISOR.value,
                region_code=region,
            )
            append_entry(connection, entry, state.backend.audit_key)


# --- reading what a response shows ------------------------------------------------------


def _seen(response: Response, listed: Callable[[Response], bool] | None = None) -> Outcome:
    """403 is forbidden and 404 hidden; a success allows, or for a list only when the
    addressed object is in it.  Anything else means the cell could not be run."""
    if response.status_code == 403:
        return Outcome.FORBIDDEN
    if response.status_code == 404:
        return Outcome.HIDDEN
    assert response.is_success, f"{response.status_code}: {response.text[:500]}"
    return Outcome.ALLOW if listed is None or listed(response) else Outcome.HIDDEN


def _items(response: Response) -> list[dict[str, Any]]:
    """The items of a list, all of them: an object missing because the page ended
    would look hidden."""
    body = response.json()
    if isinstance(body, list):
        return body
    items: list[dict[str, Any]] = body["items"]
    assert body["total"] == len(items), "the whole list fits in one page"
    return items


def _has(key: str, value: str) -> Callable[[Response], bool]:
    return lambda response: any(item[key] == value for item in _items(response))


def _in_regions(region: str) -> Callable[[Response], bool]:
    return lambda response: any(r["region_code"] == region for r in response.json()["regions"])


def _in_csv(region: str) -> Callable[[Response], bool]:
    def listed(response: Response) -> bool:
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        return any(row[0] == region for row in rows[1:])

    return listed


def _in_xlsx(region: str) -> Callable[[Response], bool]:
    def listed(response: Response) -> bool:
        sheet = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True).active
        return any(row[0] == region for row in sheet.iter_rows(min_row=2, values_only=True))

    return listed


def _quarantined(service_id: str) -> Callable[[Response], bool]:
    return lambda response: any(
        json.loads(item["row"]).get("service_id") == service_id for item in _items(response)
    )


# --- one probe per operation: the request a cell makes, and what it saw -----------------

Probe = Callable[[MatrixApi, str, str], Outcome]
"""(the API, the role, the relation) → the outcome the API showed."""


def _login(m: MatrixApi, role: str) -> Response:
    return m.client.post(TOKEN_URL, data={"username": role, "password": PASSWORD})


def _logout(m: MatrixApi, role: str, _relation: str) -> Outcome:
    """Ends a session of its own: the shared users' tokens stay valid."""
    token = _login(m, role).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    return _seen(m.client.post("/api/v1/auth/logout", headers=headers))


def _revoke_token(m: MatrixApi, role: str, _relation: str) -> Outcome:
    """Revokes a token of its own, found in the user's list of live tokens."""
    token = _login(m, role).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    (current,) = [t for t in _items(m.client.get(TOKENS_URL, headers=headers)) if t["current"]]
    return _seen(m.client.delete(f"{TOKENS_URL}/{current['token_id']}", headers=headers))


def _audited(m: MatrixApi, role: str, relation: str) -> Outcome:
    """Looks through every page of the log for the relation's entry."""
    wanted, offset = m.at(relation).audited, 0

    def on_page(response: Response) -> bool:
        return any(entry["object"] == wanted for entry in response.json()["items"])

    while True:
        response = m.get(role, "/api/v1/audit", limit=MAX_LIMIT, offset=offset)
        seen = _seen(response, on_page)
        offset += MAX_LIMIT
        if seen is not Outcome.HIDDEN or offset >= response.json()["total"]:
            return seen


def _ingest(m: MatrixApi, role: str, relation: str) -> Outcome:
    """Pushes a ticket event of the relation's region: data, not the register (who may
    write register tables is ``docs/register-write-matrix.csv``'s business)."""
    event_id = f"MXI-{role}-{relation}"
    row = {
        "event_id": event_id,
        "ticket_id": event_id,
        "ts": "2025-01-06T09:00:00+08:00",
        "status": "created",
        "region_code": m.at(relation).region,
        "category": "城市管理",
        "department": DEPARTMENT,
        "channel": "phone",
    }
    response = m.post(role, "/api/v1/ingest/ticket_events", [row])
    seen = _seen(response)
    if seen is Outcome.ALLOW:
        assert response.json()["stored"] == 1, response.text
    return seen


def _statement_step(step: str) -> Probe:
    def probe(m: MatrixApi, role: str, relation: str) -> Outcome:
        statement = m.draft(relation, reviewed=step == "approve")
        return _seen(m.post(role, f"/api/v1/statements/{quote(statement, safe='')}/{step}"))

    return probe


def _open311(url: str) -> Probe:
    def probe(m: MatrixApi, role: str, _relation: str) -> Outcome:
        own = m.at("own")
        filled = url.format(service=own.service, ticket=own.ticket, token=m.ticket_token)
        return _seen(m.get(role, filled, jurisdiction_id=CITY_A))

    return probe


def _create_open311_request(m: MatrixApi, role: str, _relation: str) -> Outcome:
    form = {
        "jurisdiction_id": CITY_A,
        "service_code": m.at("own").service,
        "address_string": "东湖区 1 号",
        "api_key": m.api.open311_key,
    }
    headers = m.api.headers(role)
    return _seen(m.client.post("/open311/v2/requests.json", data=form, headers=headers))


def _operations_page(page: str) -> Probe:
    def probe(m: MatrixApi, role: str, relation: str) -> Outcome:
        region = m.at(relation).region
        return _seen(m.get(role, f"/api/v1/operations/{region}/{page}", **_MONTH))

    return probe


def _statement_url(m: MatrixApi, relation: str) -> str:
    return f"/api/v1/statements/{quote(m.at(relation).statement, safe='')}"


_MONTH = {"period": str(PERIOD)}
_PAGE = {"limit": MAX_LIMIT}

PROBES: Mapping[str, Probe] = {
    "login": lambda m, role, _: _seen(_login(m, role)),
    "whoami": lambda m, role, _: _seen(m.get(role, "/api/v1/auth/me")),
    "logout": _logout,
    "list_tokens": lambda m, role, _: _seen(m.get(role, TOKENS_URL)),
    "revoke_token": _revoke_token,
    "list_regions": lambda m, role, rel: _seen(
        m.get(role, "/api/v1/regions"), _has("region_code", m.at(rel).region)
    ),
    "get_region": lambda m, role, rel: _seen(m.get(role, f"/api/v1/regions/{m.at(rel).region}")),
    "get_region_summary": lambda m, role, rel: _seen(
        m.get(role, f"/api/v1/regions/{m.at(rel).region}/summary", **_MONTH)
    ),
    "list_contracts": lambda m, role, rel: _seen(
        m.get(role, "/api/v1/contracts", **_PAGE), _has("contract_id", m.at(rel).contract)
    ),
    "get_contract": lambda m, role, rel: _seen(
        m.get(role, f"/api/v1/contracts/{m.at(rel).contract}")
    ),
    "list_statements": lambda m, role, rel: _seen(
        m.get(role, "/api/v1/statements", **_PAGE),
        _has("statement_id", m.at(rel).statement),
    ),
    "get_statement": lambda m, role, rel: _seen(m.get(role, _statement_url(m, rel))),
    "settle_period": lambda m, role, rel: _seen(
        m.post(role, f"/api/v1/contracts/{m.at(rel).contract}/statements", _MONTH)
    ),
    "review_statement": _statement_step("review"),
    "approve_statement": _statement_step("approve"),
    "advise_model": lambda m, role, _: _seen(
        m.post(role, "/api/v1/advisor", load_profile(PROFILE).model_dump(mode="json"))
    ),
    "check_compliance": lambda m, role, rel: _seen(
        m.get(role, "/api/v1/compliance"),
        lambda response: any(
            finding["subject"] == m.at(rel).contract for finding in response.json()["findings"]
        ),
    ),
    "list_audit_entries": _audited,
    "verify_audit_log": lambda m, role, _: _seen(m.get(role, "/api/v1/audit/verify")),
    "list_register_rows": lambda m, role, rel: _seen(
        m.get(role, "/api/v1/register/services", **_PAGE), _has("service_id", m.at(rel).service)
    ),
    "ingest_rows": _ingest,
    "list_indicators": lambda m, role, _: _seen(m.get(role, "/api/v1/indicators")),
    "list_facts": lambda m, role, rel: _seen(
        m.get(role, "/api/v1/facts", **_MONTH, **_PAGE),
        _has("region_code", m.at(rel).region),
    ),
    "explain_fact": lambda m, role, rel: _seen(
        m.get(
            role,
            f"/api/v1/facts/{KPI_INDICATORS[0]}/explain",
            region=m.at(rel).region,
            **_MONTH,
        )
    ),
    "list_evaluations": lambda m, role, _: _seen(m.get(role, "/api/v1/evaluations")),
    "get_evaluation": lambda m, role, rel: _seen(
        m.get(role, f"/api/v1/evaluations/{m.api.run_id}"), _in_regions(m.at(rel).region)
    ),
    "export_evaluation_csv": lambda m, role, rel: _seen(
        m.get(role, f"/api/v1/evaluations/{m.api.run_id}/export.csv"), _in_csv(m.at(rel).region)
    ),
    "export_evaluation_xlsx": lambda m, role, rel: _seen(
        m.get(role, f"/api/v1/evaluations/{m.api.run_id}/export.xlsx"),
        _in_xlsx(m.at(rel).region),
    ),
    "get_portal_operations": _operations_page("portal"),
    "get_hotline_operations": _operations_page("hotline"),
    "get_infrastructure_operations": _operations_page("infrastructure"),
    "list_quarantined_rows": lambda m, role, rel: _seen(
        m.get(role, "/api/v1/quarantine", **_PAGE),
        _quarantined(m.at(rel).quarantined),
    ),
    "list_tickets": lambda m, role, rel: _seen(
        m.get(role, "/api/v1/tickets", **_PAGE), _has("ticket_id", m.at(rel).ticket)
    ),
    "get_ticket": lambda m, role, rel: _seen(m.get(role, f"/api/v1/tickets/{m.at(rel).ticket}")),
    "record_ticket_event": lambda m, role, rel: _seen(
        m.post(role, f"/api/v1/tickets/{m.at(rel).ticket}/events", {"status": "dispatched"})
    ),
    "list_open311_services": _open311("/open311/v2/services.json"),
    "get_open311_service_definition": _open311("/open311/v2/services/{service}.json"),
    "create_open311_request": _create_open311_request,
    "list_open311_requests": _open311("/open311/v2/requests.json"),
    "get_open311_token": _open311("/open311/v2/tokens/{token}.json"),
    "get_open311_request": _open311("/open311/v2/requests/{ticket}.json"),
}


# --- the tests --------------------------------------------------------------------------


@pytest.mark.parametrize("cell", CELLS, ids=[cell.test_id for cell in CELLS])
def test_the_api_answers_each_cell_as_the_matrix_expects(matrix: MatrixApi, cell: Cell) -> None:
    seen = PROBES[cell.operation_id](matrix, cell.role, cell.relation)
    assert seen is cell.expected, f"{cell.role}, {cell.relation}: expected {cell.expected}"


def test_every_operation_of_the_api_has_rows_in_the_matrix(api_client: TestClient) -> None:
    paths = api_client.get("/api/v1/openapi.json").json()["paths"]
    operations = {
        operation["operationId"]: (method.upper(), path)
        for path, methods in paths.items()
        for method, operation in methods.items()
    }
    in_matrix = {cell.operation_id: (cell.method, cell.path) for cell in CELLS}
    assert sorted(set(operations) - set(in_matrix)) == [], "operations without rows"
    assert sorted(set(in_matrix) - set(operations)) == [], "rows of operations that are gone"
    assert in_matrix == operations, "the method and path of each operation, as the API has them"
    assert set(PROBES) == set(operations), "every operation has a probe"


def test_every_operation_has_one_row_per_role_and_relation() -> None:
    roles = sorted(role.value for role in Role)
    relation_sets = {(NONE,), REGION_RELATIONS, HOLDER_RELATIONS}
    for operation_id in {cell.operation_id for cell in CELLS}:
        rows = [cell for cell in CELLS if cell.operation_id == operation_id]
        relations = tuple(dict.fromkeys(cell.relation for cell in rows))
        assert relations in relation_sets, operation_id
        assert sorted((c.role, c.relation) for c in rows) == sorted(
            (role, relation) for role in roles for relation in relations
        ), operation_id
        assert len({(c.access, c.method, c.path) for c in rows}) == 1, operation_id


def test_each_role_of_the_matrix_has_a_user_of_that_name() -> None:
    """The probes log in as the user named after the role (``api_workspace.USERS``)."""
    role_of = {user.username: user.role for user in USERS}
    assert all(role_of[role.value] is role for role in Role)
