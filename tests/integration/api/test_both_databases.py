"""A representative path through the API on each register database: SQLite (the shared
workspace) and PostgreSQL (the same workspace built on a fresh database of the
server on 127.0.0.1:5432; those cases carry the ``postgres`` marker).

Logging in, listing contracts, settling, reviewing and approving a statement,
listing facts and reading a region's summary must give the same answers on both,
each checked against figures worked out apart from the code
(``api_expectations``) and the month's facts read with ``read_facts``.
"""

from __future__ import annotations

import pytest
from api_expectations import (
    audit_trail,
    in_district,
    key_figures_by_hand,
    statement_by_hand,
    statement_figures,
    statement_url,
)
from api_workspace import OWN, PASSWORD, PERIOD, ApiWorkspace
from fastapi.testclient import TestClient

from cityops.indicators.facts import IndicatorFact, read_facts


@pytest.fixture(scope="module")
def facts(backend_workspace: ApiWorkspace) -> list[IndicatorFact]:
    return read_facts(backend_workspace.workspace.facts_path(PERIOD))


def test_a_user_logs_in_and_is_known_by_the_token(backend_client: TestClient) -> None:
    login = backend_client.post(
        "/api/v1/auth/token", data={"username": "evaluator", "password": PASSWORD}
    )
    assert login.status_code == 200, login.text
    token = login.json()["access_token"]
    me = backend_client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert (me.json()["username"], me.json()["role"], me.json()["region_code"]) == (
        "evaluator",
        "evaluator",
        OWN,
    )


def test_contracts_are_listed_by_scope_and_holder(
    backend_client: TestClient, backend_workspace: ApiWorkspace
) -> None:
    def listed(user: str) -> list[str]:
        answer = backend_client.get("/api/v1/contracts", headers=backend_workspace.headers(user))
        assert answer.status_code == 200, answer.text
        return [item["contract_id"] for item in answer.json()["items"]]

    assert listed("supervisor") == ["C-own-OP-EAST", "C-own-OP-WEST"]
    assert listed("operator") == ["C-own-OP-EAST"]


def test_a_statement_is_settled_reviewed_and_approved_by_three_people(
    backend_client: TestClient, backend_workspace: ApiWorkspace, facts: list[IndicatorFact]
) -> None:
    contract_id = backend_workspace.contracts["own"]
    settled = backend_client.post(
        f"/api/v1/contracts/{contract_id}/statements",
        json={"period": str(PERIOD)},
        headers=backend_workspace.headers("supervisor"),
    )
    assert settled.status_code == 201, settled.text
    statement_id = settled.json()["statement_id"]
    assert statement_figures(settled.json()) == statement_by_hand(
        backend_workspace.workspace, contract_id, facts, PERIOD
    )

    reviewed = backend_client.post(
        statement_url(statement_id, "review"), headers=backend_workspace.headers("evaluator")
    )
    assert reviewed.status_code == 200, reviewed.text
    refused = backend_client.post(
        statement_url(statement_id, "approve"), headers=backend_workspace.headers("evaluator")
    )
    assert refused.status_code == 403
    drafter = backend_client.post(
        statement_url(statement_id, "approve"), headers=backend_workspace.headers("supervisor")
    )
    assert drafter.status_code == 409, "the drafter may not approve its own statement"
    approved = backend_client.post(
        statement_url(statement_id, "approve"), headers=backend_workspace.headers("admin")
    )
    assert approved.status_code == 200, approved.text
    assert (approved.json()["status"], approved.json()["approved_by"]) == ("approved", "admin")
    again = backend_client.post(
        statement_url(statement_id, "approve"), headers=backend_workspace.headers("supervisor")
    )
    assert again.status_code == 409
    verified = backend_client.get(
        "/api/v1/audit/verify", headers=backend_workspace.headers("auditor")
    )
    assert verified.json()["altered_statements"] == []  # sealed by the approval, unchanged

    shown = backend_client.get(
        statement_url(statement_id), headers=backend_workspace.headers("auditor")
    )
    assert shown.json() == approved.json()
    assert audit_trail(backend_workspace.workspace, statement_id) == [
        ("supervisor", "settle", "ok"),
        ("evaluator", "review", "ok"),
        ("supervisor", "approve", "refused"),
        ("admin", "approve", "ok"),
        ("supervisor", "approve", "refused"),
    ]


def test_the_reviewer_may_not_approve_on_either_database(
    backend_client: TestClient, backend_workspace: ApiWorkspace
) -> None:
    statement_id = backend_workspace.settle_draft("own")
    admin = backend_workspace.headers("admin")
    assert backend_client.post(statement_url(statement_id, "review"), headers=admin).is_success
    refused = backend_client.post(statement_url(statement_id, "approve"), headers=admin)
    assert refused.status_code == 409
    shown = backend_client.get(statement_url(statement_id), headers=admin).json()
    assert (shown["status"], shown["approved_by"]) == ("reviewed", None)


def test_facts_are_listed_for_the_callers_scope(
    backend_client: TestClient, backend_workspace: ApiWorkspace, facts: list[IndicatorFact]
) -> None:
    answer = backend_client.get(
        "/api/v1/facts",
        params={"period": str(PERIOD), "limit": 1000},
        headers=backend_workspace.headers("supervisor"),
    )
    assert answer.status_code == 200, answer.text
    expected = sorted(
        (f for f in facts if in_district(f.region_code, OWN)),
        key=lambda f: (f.region_code, f.indicator),
    )
    assert [(i["region_code"], i["indicator"], i["value"]) for i in answer.json()["items"]] == [
        (f.region_code, f.indicator, f.value) for f in expected
    ]


def test_a_region_summary_shows_the_run_and_the_key_figures(
    backend_client: TestClient, backend_workspace: ApiWorkspace, facts: list[IndicatorFact]
) -> None:
    answer = backend_client.get(
        f"/api/v1/regions/{OWN}/summary", headers=backend_workspace.headers("supervisor")
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["evaluation"]["run_id"] == backend_workspace.run_id
    assert {f["key"]: f["value"] for f in body["figures"]} == key_figures_by_hand(facts, OWN)
