"""Contracts, settlement statements and their workflow over HTTP (``/api/v1/contracts``,
``/api/v1/statements``).

Amounts are worked out by hand (``api_expectations.statement_by_hand``) from the
contract file the fixture loaded and the month's facts read with ``read_facts``;
which contracts a caller may see follows from the fixture's layout (``OP-EAST``
holds one contract in the users' district, its sibling and the other city;
``OP-WEST`` one in the users' district).  Tests that change state settle a
statement of their own first.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from api_expectations import audit_trail, statement_by_hand, statement_figures, statement_url
from api_workspace import OTHER_OPERATOR, PERIOD, RELATIONS, ApiWorkspace
from fastapi.testclient import TestClient

from cityops.indicators.facts import IndicatorFact, read_facts


@pytest.fixture(scope="module")
def facts(api_workspace: ApiWorkspace) -> list[IndicatorFact]:
    return read_facts(api_workspace.workspace.facts_path(PERIOD))


def _contract_ids(client: TestClient, headers: dict[str, str]) -> list[str]:
    answer = client.get("/api/v1/contracts", params={"limit": 1000}, headers=headers)
    assert answer.status_code == 200, answer.text
    return [item["contract_id"] for item in answer.json()["items"]]


def _statement(client: TestClient, api: ApiWorkspace, statement_id: str) -> dict[str, Any]:
    answer = client.get(statement_url(statement_id), headers=api.headers("admin"))
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def _latest_version(api: ApiWorkspace, contract_id: str) -> int:
    engine = sa.create_engine(api.workspace.register_url)
    try:
        with engine.connect() as connection:
            version = connection.execute(
                sa.text(
                    "SELECT max(version) FROM settlement_statements "
                    "WHERE contract_id = :contract AND period = :period"
                ),
                {"contract": contract_id, "period": str(PERIOD)},
            ).scalar_one()
    finally:
        engine.dispose()
    return int(version)


# --- contracts ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ("supervisor", ["C-own-OP-EAST", "C-own-OP-WEST"]),
        ("city_supervisor", ["C-own-OP-EAST", "C-own-OP-WEST", "C-sibling-OP-EAST"]),
        ("operator", ["C-own-OP-EAST"]),
        ("other_operator", ["C-own-OP-WEST"]),
        (
            "admin",
            ["C-other_city-OP-EAST", "C-own-OP-EAST", "C-own-OP-WEST", "C-sibling-OP-EAST"],
        ),
    ],
)
def test_each_caller_lists_the_contracts_of_their_scope_and_an_operator_only_its_own(
    api_client: TestClient, api_workspace: ApiWorkspace, user: str, expected: list[str]
) -> None:
    assert _contract_ids(api_client, api_workspace.headers(user)) == expected


def test_a_contract_states_its_terms_and_kpi_clauses_as_loaded(
    api_client: TestClient, api_workspace: ApiWorkspace
) -> None:
    contract_id = api_workspace.contracts["own"]
    answer = api_client.get(
        f"/api/v1/contracts/{contract_id}", headers=api_workspace.headers("supervisor")
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["region_code"], body["operator_id"]) == ("970102", "OP-EAST")
    assert (body["start"], body["end"]) == ("2025-01-01", "2025-12-31")
    assert (body["annual_amount"], body["settlement_cycle"]) == ("1200000.00", "month")
    assert [
        (k["clause_id"], k["indicator"], k["region_code"], k["formula"], k["weight"])
        for k in body["kpis"]
    ] == [
        ("K1", "effect.resident_coverage", "970102", "linear", "60"),
        ("K2", "capability.response_30min_rate", "970102", "linear", "40"),
    ]


@pytest.mark.parametrize(
    ("user", "contract"),
    [
        ("supervisor", "C-sibling-OP-EAST"),
        ("supervisor", "C-other_city-OP-EAST"),
        ("city_supervisor", "C-other_city-OP-EAST"),
        ("operator", f"C-own-{OTHER_OPERATOR}"),
        ("admin", "C-nothing"),
    ],
)
def test_a_contract_outside_the_callers_reach_is_not_found_like_a_missing_one(
    api_client: TestClient, api_workspace: ApiWorkspace, user: str, contract: str
) -> None:
    answer = api_client.get(f"/api/v1/contracts/{contract}", headers=api_workspace.headers(user))
    assert answer.status_code == 404
    assert answer.json() == {"detail": f"contract {contract!r} not found"}


def test_a_contract_outside_the_scope_cannot_be_settled(
    api_client: TestClient, api_workspace: ApiWorkspace
) -> None:
    contract_id = api_workspace.contracts["other_city"]
    before = _latest_version(api_workspace, contract_id)
    answer = api_client.post(
        f"/api/v1/contracts/{contract_id}/statements",
        json={"period": "2025-01"},
        headers=api_workspace.headers("supervisor"),
    )
    assert answer.status_code == 404
    assert _latest_version(api_workspace, contract_id) == before


def test_a_department_may_not_read_contracts(
    api_client: TestClient, api_workspace: ApiWorkspace
) -> None:
    headers = api_workspace.headers("department")
    assert api_client.get("/api/v1/contracts", headers=headers).status_code == 403
    assert api_client.get("/api/v1/statements", headers=headers).status_code == 403


def test_contract_pages_are_slices_of_the_whole_list_and_bounded(
    api_client: TestClient, api_workspace: ApiWorkspace
) -> None:
    headers = api_workspace.headers("admin")
    whole = _contract_ids(api_client, headers)
    page = api_client.get("/api/v1/contracts", params={"limit": 2, "offset": 1}, headers=headers)
    assert page.json()["total"] == len(whole) == 4
    assert [item["contract_id"] for item in page.json()["items"]] == whole[1:3]
    beyond = api_client.get("/api/v1/contracts", params={"offset": 10}, headers=headers).json()
    assert (beyond["total"], beyond["items"]) == (4, [])
    for bad in ({"limit": 1001}, {"limit": 0}, {"offset": -1}):
        assert api_client.get("/api/v1/contracts", params=bad, headers=headers).status_code == 422


# --- statements --------------------------------------------------------------------------


@pytest.mark.parametrize("relation", RELATIONS)
def test_a_statement_pays_what_the_clauses_give_for_the_months_facts(
    api_client: TestClient,
    api_workspace: ApiWorkspace,
    facts: list[IndicatorFact],
    relation: str,
) -> None:
    body = _statement(api_client, api_workspace, api_workspace.statements[relation])
    contract_id = api_workspace.contracts[relation]
    expected = statement_by_hand(api_workspace.workspace, contract_id, facts, PERIOD)
    assert statement_figures(body) == expected
    assert (body["contract_id"], body["period"], body["status"]) == (
        contract_id,
        "2025-01",
        "draft",
    )


def test_the_fixture_statements_cover_a_partial_a_nil_and_a_half_payment(
    api_client: TestClient, api_workspace: ApiWorkspace
) -> None:
    """Worked on paper: base 100 000.00, fixed 20 %; the sibling district's values lie below
    both floors (nothing but the fixed part), the other city's 0.5 and 0.6 are half-way
    from floor to target (20 000 + 25 000 + 15 000)."""
    payable = {
        relation: _statement(api_client, api_workspace, statement_id)["total_payable"]
        for relation, statement_id in api_workspace.statements.items()
    }
    assert payable["sibling"] == "20000.00"
    assert payable["other_city"] == "60000.00"
    assert 20000 < float(payable["own"]) < 100000


def test_each_line_carries_the_fact_it_was_computed_from(
    api_client: TestClient, api_workspace: ApiWorkspace, facts: list[IndicatorFact]
) -> None:
    body = _statement(api_client, api_workspace, api_workspace.statements["own"])
    by_key = {(f.indicator, f.region_code): f for f in facts}
    for line in body["lines"]:
        evidence = line["evidence"]
        fact = by_key[(evidence["indicator"], evidence["region_code"])]
        assert line["value"] == fact.value
        assert (evidence["numerator"], evidence["denominator"]) == (
            fact.numerator,
            fact.denominator,
        )
        assert evidence["definition_hash"] == fact.definition_hash
        assert evidence["period"] == str(fact.period) == "2025-01"


def test_statements_are_listed_for_the_contracts_in_scope_only(
    api_client: TestClient, api_workspace: ApiWorkspace
) -> None:
    answer = api_client.get(
        "/api/v1/statements", params={"limit": 1000}, headers=api_workspace.headers("operator")
    )
    assert answer.status_code == 200, answer.text
    items = answer.json()["items"]
    assert {item["contract_id"] for item in items} == {"C-own-OP-EAST"}
    assert answer.json()["total"] == len(items) == _latest_version(api_workspace, "C-own-OP-EAST")
    assert [item["version"] for item in items] == list(range(1, len(items) + 1))


def test_statements_can_be_filtered_by_contract_and_month(
    api_client: TestClient, api_workspace: ApiWorkspace
) -> None:
    headers = api_workspace.headers("admin")
    contract_id = api_workspace.contracts["other_city"]
    listed = api_client.get(
        "/api/v1/statements",
        params={"contract_id": contract_id, "period": "2025-01"},
        headers=headers,
    ).json()
    first = listed["items"][0]
    assert (first["statement_id"], first["total_payable"]) == (
        api_workspace.statements["other_city"],
        "60000.00",
    )
    assert {i["contract_id"] for i in listed["items"]} == {contract_id}
    empty = api_client.get("/api/v1/statements", params={"period": "2024-12"}, headers=headers)
    assert empty.json()["total"] == 0
    bad = api_client.get("/api/v1/statements", params={"period": "2025-1"}, headers=headers)
    assert bad.status_code == 422
    over = api_client.get("/api/v1/statements", params={"limit": 1001}, headers=headers)
    assert over.status_code == 422


def test_a_statement_of_a_contract_outside_the_scope_is_not_found(
    api_client: TestClient, api_workspace: ApiWorkspace
) -> None:
    for user, relation in (("supervisor", "sibling"), ("city_supervisor", "other_city")):
        statement_id = api_workspace.statements[relation]
        answer = api_client.get(statement_url(statement_id), headers=api_workspace.headers(user))
        assert answer.status_code == 404
        assert answer.json() == {"detail": f"statement {statement_id!r} not found"}
        listed = api_client.get(
            "/api/v1/statements",
            params={"contract_id": api_workspace.contracts[relation]},
            headers=api_workspace.headers(user),
        )
        assert listed.json()["total"] == 0


# --- settling ------------------------------------------------------------------------------


def test_settling_stores_the_next_draft_version_computed_from_the_facts(
    api_client: TestClient, api_workspace: ApiWorkspace, facts: list[IndicatorFact]
) -> None:
    contract_id = api_workspace.contracts["own"]
    before = _latest_version(api_workspace, contract_id)
    answer = api_client.post(
        f"/api/v1/contracts/{contract_id}/statements",
        json={"period": "2025-01"},
        headers=api_workspace.headers("supervisor"),
    )
    assert answer.status_code == 201, answer.text
    body = answer.json()
    statement_id = f"{contract_id}@2025-01#v{before + 1}"
    assert (body["statement_id"], body["version"]) == (statement_id, before + 1)
    assert (body["status"], body["created_by"]) == ("draft", "supervisor")
    assert body["reviewed_by"] is body["approved_by"] is None
    assert statement_figures(body) == statement_by_hand(
        api_workspace.workspace, contract_id, facts, PERIOD
    )
    assert _statement(api_client, api_workspace, statement_id) == body
    assert audit_trail(api_workspace.workspace, statement_id) == [("supervisor", "settle", "ok")]


def test_settling_a_month_without_facts_is_refused_without_naming_server_paths(
    api_client: TestClient, api_workspace: ApiWorkspace
) -> None:
    contract_id = api_workspace.contracts["own"]
    before = _latest_version(api_workspace, contract_id)
    answer = api_client.post(
        f"/api/v1/contracts/{contract_id}/statements",
        json={"period": "2025-02"},
        headers=api_workspace.headers("supervisor"),
    )
    assert answer.status_code == 409
    detail = answer.json()["detail"]
    assert "2025-02" in detail
    assert str(api_workspace.workspace.root) not in detail
    assert "/" not in detail
    assert _latest_version(api_workspace, contract_id) == before


@pytest.mark.parametrize("period", ["2025-13", "2025-1", "25-01", ""])
def test_a_malformed_month_is_refused(
    api_client: TestClient, api_workspace: ApiWorkspace, period: str
) -> None:
    answer = api_client.post(
        f"/api/v1/contracts/{api_workspace.contracts['own']}/statements",
        json={"period": period},
        headers=api_workspace.headers("supervisor"),
    )
    assert answer.status_code == 422


def test_a_malformed_month_is_refused_saying_what_a_month_is(
    api_client: TestClient, api_workspace: ApiWorkspace
) -> None:
    answer = api_client.post(
        f"/api/v1/contracts/{api_workspace.contracts['own']}/statements",
        json={"period": "2025-13"},
        headers=api_workspace.headers("supervisor"),
    )
    assert answer.status_code == 422
    [problem] = answer.json()["detail"]
    assert problem["loc"] == ["body", "period"]
    assert "period '2025-13' is not a month written YYYY-MM (e.g. 2025-03)" in problem["msg"]


@pytest.mark.parametrize("user", ["operator", "evaluator", "auditor"])
def test_only_roles_that_write_statements_may_settle(
    api_client: TestClient, api_workspace: ApiWorkspace, user: str
) -> None:
    answer = api_client.post(
        f"/api/v1/contracts/{api_workspace.contracts['own']}/statements",
        json={"period": "2025-01"},
        headers=api_workspace.headers(user),
    )
    assert answer.status_code == 403


# --- the workflow --------------------------------------------------------------------------


def test_a_statement_is_reviewed_by_an_evaluator_and_approved_by_a_supervisor(
    api_client: TestClient, api_workspace: ApiWorkspace
) -> None:
    statement_id = api_workspace.settle_draft("own")
    reviewed = api_client.post(
        statement_url(statement_id, "review"), headers=api_workspace.headers("evaluator")
    )
    assert reviewed.status_code == 200, reviewed.text
    assert (reviewed.json()["status"], reviewed.json()["reviewed_by"]) == ("reviewed", "evaluator")
    assert reviewed.json()["reviewed_at"] is not None

    approved = api_client.post(
        statement_url(statement_id, "approve"), headers=api_workspace.headers("supervisor")
    )
    assert approved.status_code == 200, approved.text
    body = approved.json()
    assert (body["status"], body["reviewed_by"], body["approved_by"]) == (
        "approved",
        "evaluator",
        "supervisor",
    )
    assert body["approved_at"] is not None
    assert _statement(api_client, api_workspace, statement_id) == body
    assert audit_trail(api_workspace.workspace, statement_id) == [
        ("evaluator", "review", "ok"),
        ("supervisor", "approve", "ok"),
    ]


def test_the_person_who_reviewed_a_statement_may_not_approve_it(
    api_client: TestClient, api_workspace: ApiWorkspace
) -> None:
    statement_id = api_workspace.settle_draft("own")
    admin = api_workspace.headers("admin")  # the one role that may do both steps
    assert api_client.post(statement_url(statement_id, "review"), headers=admin).status_code == 200
    refused = api_client.post(statement_url(statement_id, "approve"), headers=admin)
    assert refused.status_code == 409
    assert "a third person must approve" in refused.json()["detail"]
    assert _statement(api_client, api_workspace, statement_id)["status"] == "reviewed"
    assert audit_trail(api_workspace.workspace, statement_id) == [
        ("admin", "review", "ok"),
        ("admin", "approve", "refused"),
    ]


def test_an_evaluator_may_not_approve_and_the_refusal_is_audited(
    api_client: TestClient, api_workspace: ApiWorkspace
) -> None:
    statement_id = api_workspace.settle_draft("own", reviewed=True)
    refused = api_client.post(
        statement_url(statement_id, "approve"), headers=api_workspace.headers("evaluator")
    )
    assert refused.status_code == 403
    assert _statement(api_client, api_workspace, statement_id)["status"] == "reviewed"
    path = statement_url(statement_id, "approve")  # the request's path, as sent
    assert audit_trail(api_workspace.workspace, path) == [
        ("evaluator", "write:approval", "refused")
    ]


@pytest.mark.parametrize("user", ["supervisor", "operator", "auditor"])
def test_only_evaluators_and_administrators_may_review(
    api_client: TestClient, api_workspace: ApiWorkspace, user: str
) -> None:
    statement_id = api_workspace.settle_draft("own")
    answer = api_client.post(
        statement_url(statement_id, "review"), headers=api_workspace.headers(user)
    )
    assert answer.status_code == 403
    assert _statement(api_client, api_workspace, statement_id)["status"] == "draft"


def test_a_draft_must_be_reviewed_before_it_is_approved(
    api_client: TestClient, api_workspace: ApiWorkspace
) -> None:
    statement_id = api_workspace.settle_draft("own")
    answer = api_client.post(
        statement_url(statement_id, "approve"), headers=api_workspace.headers("supervisor")
    )
    assert answer.status_code == 409
    assert "review it before approving" in answer.json()["detail"]
    assert _statement(api_client, api_workspace, statement_id)["status"] == "draft"
    assert audit_trail(api_workspace.workspace, statement_id) == [
        ("supervisor", "approve", "refused")
    ]


def test_an_approved_statement_takes_no_further_step(
    api_client: TestClient, api_workspace: ApiWorkspace
) -> None:
    statement_id = api_workspace.settle_draft("own", reviewed=True)
    supervisor = api_workspace.headers("supervisor")
    assert api_client.post(statement_url(statement_id, "approve"), headers=supervisor).is_success
    approved = _statement(api_client, api_workspace, statement_id)
    for user, step in (("admin", "approve"), ("admin", "review"), ("supervisor", "approve")):
        answer = api_client.post(
            statement_url(statement_id, step), headers=api_workspace.headers(user)
        )
        assert answer.status_code == 409, (user, step)
    assert _statement(api_client, api_workspace, statement_id) == approved


def test_a_statement_outside_the_scope_cannot_be_reviewed_or_approved(
    api_client: TestClient, api_workspace: ApiWorkspace
) -> None:
    statement_id = api_workspace.settle_draft("sibling", reviewed=True)
    approve = api_client.post(
        statement_url(statement_id, "approve"), headers=api_workspace.headers("supervisor")
    )
    assert approve.status_code == 404
    draft = api_workspace.settle_draft("sibling")
    review = api_client.post(
        statement_url(draft, "review"), headers=api_workspace.headers("evaluator")
    )
    assert review.status_code == 404
    assert _statement(api_client, api_workspace, statement_id)["status"] == "reviewed"
    assert _statement(api_client, api_workspace, draft)["status"] == "draft"
