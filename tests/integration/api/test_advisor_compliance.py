"""The operating-model advisor (``POST /api/v1/advisor``) and the fiscal compliance check
(``GET /api/v1/compliance``) over HTTP.

The advisor is asked about the report's 14 case studies (``examples/advisor``);
the model each case used, and the PPP sub-mode of the three PPP cases, come from
the report as ``docs/advisor.md`` tabulates it.  Compliance runs over a private
workspace (city 330100, districts 330102 and 330103) whose contracts were made so
that each outcome is known on paper: terms counted in months with a started
month whole, shares of the general budget as exact decimals.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]
from api_workspace import ApiWorkspace
from api_writable import WritableApi, writable
from fastapi.testclient import TestClient
from ingest_workspace import make_workspace

from cityops.advisor.advise import advise
from cityops.advisor.profile import load_profile
from cityops.advisor.rules import load_rules
from cityops.services.advisor import answer_record
from cityops.services.settlement import load_contracts
from cityops.services.unit_of_work import unit_of_work

EXAMPLES = Path(__file__).parents[3] / "examples" / "advisor"
CASES = {
    "wode-yongzhou": "政府购买服务",
    "zhongguancun-gov-cloud": "政府购买服务",
    "haikou-yecheng-citizen-cloud": "政府购买服务",
    "hefei-high-tech-zone": "PPP",
    "xiangtan": "PPP",
    "huainan-smart-health": "PPP",
    "changsha-county": "EPC",
    "lianjiang": "EPC",
    "changsha-shuzhi": "平台公司",
    "digital-guangdong": "平台公司",
    "shanghai-suishenban": "联合公司",
    "chengdu-tianfu": "联合公司",
    "wode-changsha": "联合公司",
    "zande-zhumadian": "联合公司",
}
"""Case study → the model it used (report, section 四)."""
PPP_SUB_MODES = {
    "hefei-high-tech-zone": "大管家",
    "xiangtan": "整体推进",
    "huainan-smart-health": "分领域",
}
"""The PPP cases' sub-modes (report, 表7)."""


def _profile(case: str) -> dict[str, Any]:
    profile: dict[str, Any] = yaml.safe_load((EXAMPLES / f"{case}.yaml").read_text("utf-8"))
    return profile


def _advise(client: TestClient, headers: dict[str, str], body: object) -> Any:
    return client.post("/api/v1/advisor", json=body, headers=headers)


# --- the advisor ---------------------------------------------------------------------------


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_advisor_recommends_the_model_each_case_study_used(
    api_client: TestClient, api_workspace: ApiWorkspace, case: str
) -> None:
    answer = _advise(api_client, api_workspace.headers("supervisor"), _profile(case))
    assert answer.status_code == 200, answer.text
    advice = answer.json()
    assert advice["recommended"] == CASES[case]
    assert advice["profile"] == _profile(case)["name"]
    assert advice["ranking"][0]["model"] == CASES[case]
    assert not advice["ranking"][0]["ruled_out"]
    assert CASES[case] in advice["unknowns"]["possible_models"]
    assert {score["model"] for score in advice["ranking"]} == set(CASES.values())
    for score in advice["ranking"]:
        assert score["score"] == sum(reason["points"] for reason in score["reasons"])
        assert all(reason["source"] for reason in score["reasons"])
    assert advice["ppp_sub_mode"] == PPP_SUB_MODES.get(case)


def test_a_ppp_with_some_revenue_is_repaid_by_users_and_a_viability_gap_subsidy(
    api_client: TestClient, api_workspace: ApiWorkspace
) -> None:
    """三（二）3(3): a quasi-commercial PPP (medium revenue) → 使用者付费 + 可行性缺口补助."""
    profile = _profile("xiangtan")
    assert profile["revenue_potential"] == "medium"
    advice = _advise(api_client, api_workspace.headers("auditor"), profile).json()
    assert advice["return_mechanisms"] == ["使用者付费", "可行性缺口补助"]
    assert advice["mechanism_reason"]["source"]


def test_the_answer_over_http_is_the_commands(
    api_client: TestClient, api_workspace: ApiWorkspace
) -> None:
    """The API and ``cityops advise --json`` return the same object, with the investor
    mode, the operation type, the gates and the unknowns."""
    profile = _profile("wode-yongzhou")
    answer = _advise(api_client, api_workspace.headers("supervisor"), profile).json()
    advice = advise(load_profile(EXAMPLES / "wode-yongzhou.yaml"), load_rules())
    expected = answer_record(advice, None)
    assert answer == json.loads(json.dumps(expected, ensure_ascii=False))
    assert answer["investor_mode"]["value"] == "政府投资企业运营"
    assert answer["unknowns"]["certain"] is False
    assert "local_state_company" in answer["unknowns"]["deciding_fields"]
    assert any(g["status"] == "unknown" for g in answer["gates"])


def test_a_sensitive_project_is_not_given_a_joint_company(
    api_client: TestClient, api_workspace: ApiWorkspace
) -> None:
    body = _profile("wode-changsha") | {"name": "智慧城管", "security_sensitivity": "high"}
    advice = _advise(api_client, api_workspace.headers("supervisor"), body).json()
    assert advice["recommended"] not in {"联合公司", "PPP"}
    joint = next(s for s in advice["ranking"] if s["model"] == "联合公司")
    assert joint["ruled_out"]
    assert "五（二）" in joint["ruled_out_by"][0]["source"]


@pytest.mark.parametrize(
    "change",
    [
        {"assumed": ["colour"]},  # not a condition field
        {"scope": "everywhere"},  # not one of the three scopes
        {"colour": "blue"},  # not a field of a profile
        {"name": ""},
        {"name": "x" * 201},
        {"objects": ["x" * 101]},
        {"objects": ["基础设施"] * 51},
        {"boundary_clear": "perhaps"},
    ],
)
def test_a_profile_that_is_not_valid_is_refused(
    api_client: TestClient, api_workspace: ApiWorkspace, change: dict[str, Any]
) -> None:
    body = _profile("xiangtan") | change
    assert _advise(api_client, api_workspace.headers("admin"), body).status_code == 422


def test_a_profile_missing_a_condition_is_refused(
    api_client: TestClient, api_workspace: ApiWorkspace
) -> None:
    body = {k: v for k, v in _profile("xiangtan").items() if k != "fiscal_room"}
    assert _advise(api_client, api_workspace.headers("admin"), body).status_code == 422


@pytest.mark.parametrize("user", ["department", "evaluator", "operator"])
def test_roles_without_the_advisor_are_refused(
    api_client: TestClient, api_workspace: ApiWorkspace, user: str
) -> None:
    answer = _advise(api_client, api_workspace.headers(user), _profile("xiangtan"))
    assert answer.status_code == 403


# --- compliance ----------------------------------------------------------------------------

CONTRACTS = """version: 1
operators:
  - {id: OP1, name: 示范运营有限公司, type: 服务商}
  - {id: SPV1, name: 示范PPP项目公司, type: PPP项目公司}
contracts:
  - {id: C-YEAR, name: 一年服务, project: 东湖区运营, region: "330102", operator: OP1,
     model: 政府购买服务, investor_mode: 政府投资企业运营, return_mechanisms: [政府购买服务],
     start: 2025-01-01, end: 2025-12-31, total_amount: "1000000.00",
     purchase_items: [政务服务热线运营]}
  - {id: C-THIRTEEN, name: 十三个月服务, project: 西山区运营, region: "330103", operator: OP1,
     model: 政府购买服务, investor_mode: 政府投资企业运营, return_mechanisms: [政府购买服务],
     start: 2025-01-01, end: 2026-01-01, total_amount: "1000000.00"}
  - {id: C-STABLE, name: 三年稳定服务, project: 西山区运营, region: "330103", operator: OP1,
     model: 政府购买服务, investor_mode: 政府投资企业运营, return_mechanisms: [政府购买服务],
     stable_service: true, start: 2025-01-01, end: 2027-12-31, total_amount: "3000000.00"}
  - {id: C-PPP, name: 全市PPP, project: 示范市智慧城市, region: "330100", operator: SPV1,
     model: PPP, investor_mode: 联合投资企业运营, return_mechanisms: [使用者付费, 可行性缺口补助],
     operation_type: BOT, start: 2025-01-01, end: 2034-12-31,
     total_amount: "1001000000.00", annual_amount: "100100000.00"}
budgets:
  - {region: "330100", year: 2025, general_budget_expenditure: "1000000000.00"}
"""
"""On paper: C-YEAR runs 12 months (≤ 12, pass); C-THIRTEEN 13 (2025-01 … 2026-01, fail);
C-STABLE 36 with a stable service (≤ 36, pass); C-PPP 120 months (≥ 120, pass) and, in
2025, 100 100 000.00 of a 1 000 000 000.00 budget: 10.01 % > 10 %, fail."""


@pytest.fixture(scope="module")
def compliance_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WritableApi]:
    directory = tmp_path_factory.mktemp("compliance")
    workspace = make_workspace(directory)
    path = directory / "contracts.yaml"
    path.write_text(CONTRACTS, encoding="utf-8")
    with unit_of_work(workspace) as uow:
        load_contracts(uow, path)
    with writable(workspace) as api:
        yield api


def _report(api: WritableApi, user: str) -> dict[str, Any]:
    answer = api.client.get("/api/v1/compliance", headers=api.headers(user))
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def _outcomes(report: dict[str, Any]) -> dict[tuple[str, str], str]:
    return {(f["rule_id"], f["subject"]): f["outcome"] for f in report["findings"]}


def test_the_city_sees_every_finding_and_that_the_city_is_not_compliant(
    compliance_api: WritableApi,
) -> None:
    report = _report(compliance_api, "city_supervisor")
    outcomes = _outcomes(report)
    assert report["compliant"] is False
    assert {
        key: outcomes[key]
        for key in (
            ("purchase_of_service_term", "C-YEAR"),
            ("purchase_of_service_term", "C-THIRTEEN"),
            ("purchase_of_service_term", "C-STABLE"),
            ("ppp_minimum_term", "C-PPP"),
            ("ppp_budget_share", "330100/2025"),
        )
    } == {
        ("purchase_of_service_term", "C-YEAR"): "pass",
        ("purchase_of_service_term", "C-THIRTEEN"): "fail",
        ("purchase_of_service_term", "C-STABLE"): "pass",
        ("ppp_minimum_term", "C-PPP"): "pass",
        ("ppp_budget_share", "330100/2025"): "fail",
    }
    [share] = [f for f in report["findings"] if f["subject"] == "330100/2025"]
    assert "10.01 %" in share["detail"]
    assert share["source"]
    assert share["explanation"]
    later_years = {
        subject: outcome
        for (rule, subject), outcome in outcomes.items()
        if rule == "ppp_budget_share" and subject != "330100/2025"
    }
    assert later_years == {f"330100/{year}": "unknown" for year in range(2026, 2035)}, (
        "the PPP's other years have no budget figures: never a pass"
    )


def test_an_administrator_sees_what_the_city_sees(compliance_api: WritableApi) -> None:
    assert _report(compliance_api, "admin") == _report(compliance_api, "city_supervisor")


@pytest.mark.parametrize("user", ["supervisor", "evaluator", "auditor"])
def test_a_district_sees_its_own_contracts_only_and_is_compliant(
    compliance_api: WritableApi, user: str
) -> None:
    report = _report(compliance_api, user)
    assert _outcomes(report) == {
        ("purchase_of_service_term", "C-YEAR"): "pass",
        ("purchase_of_service_negative_list", "C-YEAR"): "pass",
    }
    assert report["compliant"] is True


@pytest.mark.parametrize("user", ["department", "operator"])
def test_roles_without_compliance_are_refused(compliance_api: WritableApi, user: str) -> None:
    answer = compliance_api.client.get("/api/v1/compliance", headers=compliance_api.headers(user))
    assert answer.status_code == 403


def test_the_shared_workspace_purchase_contracts_each_run_twelve_months(
    api_client: TestClient, api_workspace: ApiWorkspace
) -> None:
    report = api_client.get("/api/v1/compliance", headers=api_workspace.headers("supervisor"))
    findings = [f for f in report.json()["findings"] if f["rule_id"] == "purchase_of_service_term"]
    assert {(f["rule_id"], f["subject"], f["outcome"]) for f in findings} == {
        ("purchase_of_service_term", "C-own-OP-EAST", "pass"),
        ("purchase_of_service_term", "C-own-OP-WEST", "pass"),
    }
    assert all("12 months" in f["detail"] for f in findings)


# --- the advisor with the city's budget ------------------------------------------------------


def test_the_advisor_reads_the_city_budget_share_and_rules_out_a_new_ppp(
    compliance_api: WritableApi,
) -> None:
    """330100 spends 10.01 % of its 2025 general budget on PPP (above): no new PPP."""
    body = _profile("xiangtan") | {"region": "330100"}
    answer = _advise(compliance_api.client, compliance_api.headers("city_supervisor"), body)
    assert answer.status_code == 200, answer.text
    advice = answer.json()
    assert advice["city"]["region"] == "330100"
    assert advice["city"]["budget_year"] == 2025
    assert advice["city"]["ppp_budget_share"].startswith("0.1001")
    ppp = next(s for s in advice["ranking"] if s["model"] == "PPP")
    assert ppp["ruled_out"]
    assert "财金〔2019〕10号" in ppp["ruled_out_by"][0]["source"]
    assert advice["recommended"] != "PPP"


def test_the_advisor_does_not_read_a_region_outside_the_callers_scope(
    compliance_api: WritableApi,
) -> None:
    body = _profile("xiangtan") | {"region": "330100"}
    answer = _advise(compliance_api.client, compliance_api.headers("supervisor"), body)
    assert answer.status_code == 403
