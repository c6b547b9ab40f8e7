"""The advice reads the workspace when the profile names a region: the PPP budget
share (the compliance rules' computation, 财金〔2019〕10号) gates PPP, and a joint
company already operating in the city is flagged (运营孤岛)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cityops.advisor.profile import load_profile
from cityops.cli.app import app
from cityops.services.advisor import advise_in_city
from cityops.services.settlement import load_contracts
from cityops.services.unit_of_work import UnitOfWork, unit_of_work
from cityops.settlement.model import TypicalModel
from cityops.workspace.create import create_workspace

EXAMPLES = Path(__file__).parents[3] / "examples" / "advisor"

# city 970100 spends 1 000 000 000.00; its PPP pays 60 000 000.00 a year: 6 % (> 5 %)
# city 970200 spends the same; its PPP pays 101 000 000.00: 10.1 % (> 10 %)
CONTRACTS = """version: 1
operators:
  - {id: SPV1, name: 示范PPP项目公司, type: PPP项目公司}
  - {id: JC1, name: 示范市民云服务有限公司, type: 联合公司}
contracts:
  - {id: P1, name: 全市PPP, project: 甲市智慧城市, region: "970100", operator: SPV1,
     model: PPP, investor_mode: 联合投资企业运营, return_mechanisms: [政府付费],
     operation_type: BOT, start: 2025-01-01, end: 2034-12-31,
     total_amount: "600000000.00", annual_amount: "60000000.00"}
  - {id: P2, name: 全市PPP, project: 乙市智慧城市, region: "970200", operator: SPV1,
     model: PPP, investor_mode: 联合投资企业运营, return_mechanisms: [政府付费],
     operation_type: BOT, start: 2025-01-01, end: 2034-12-31,
     total_amount: "1010000000.00", annual_amount: "101000000.00"}
  - {id: J1, name: 市民云运营, project: 市民云, region: "970102", operator: JC1,
     model: 联合公司, investor_mode: 联合投资企业运营,
     return_mechanisms: [政府购买服务, 其他综合收入],
     start: 2025-01-01, end: 2025-12-31, total_amount: "1000000.00"}
budgets:
  - {region: "970100", year: 2025, general_budget_expenditure: "1000000000.00"}
  - {region: "970200", year: 2025, general_budget_expenditure: "1000000000.00"}
"""


@pytest.fixture
def uow(tmp_path: Path, register_url: str) -> Iterator[UnitOfWork]:
    ws = create_workspace(tmp_path / "ws", name="示范市", register_url=register_url)
    contracts = tmp_path / "contracts.yaml"
    contracts.write_text(CONTRACTS, "utf-8")
    with unit_of_work(ws) as uow:
        load_contracts(uow, contracts)
        yield uow


def test_above_ten_percent_no_new_ppp(uow: UnitOfWork) -> None:
    profile = load_profile(EXAMPLES / "xiangtan.yaml").model_copy(update={"region": "970200"})
    advice, facts = advise_in_city(uow, profile)
    assert facts is not None
    assert facts.ppp_share == Decimal("0.101")
    ppp = next(s for s in advice.ranking if s.model is TypicalModel.PPP)
    assert ppp.ruled_out
    assert "财金〔2019〕10号" in ppp.ruled_out_by[0].source
    assert advice.recommended is not TypicalModel.PPP


def test_above_five_percent_no_new_government_paid_ppp(uow: UnitOfWork) -> None:
    huainan = load_profile(EXAMPLES / "huainan-smart-health.yaml")  # 政府付费
    advice, _ = advise_in_city(uow, huainan.model_copy(update={"region": "970100"}))
    assert next(s for s in advice.ranking if s.model is TypicalModel.PPP).ruled_out
    xiangtan = load_profile(EXAMPLES / "xiangtan.yaml")  # users pay, with a gap subsidy
    advice, _ = advise_in_city(uow, xiangtan.model_copy(update={"region": "970100"}))
    assert advice.recommended is TypicalModel.PPP


def test_a_second_joint_company_in_the_city_is_flagged(uow: UnitOfWork) -> None:
    profile = load_profile(EXAMPLES / "chengdu-tianfu.yaml")
    advice, facts = advise_in_city(uow, profile.model_copy(update={"region": "970100"}))
    assert facts is not None
    assert facts.joint_companies == ("示范市民云服务有限公司",)
    assert advice.recommended is TypicalModel.JOINT_COMPANY
    assert any("运营孤岛" in risk.reason for risk in advice.risks)
    alone, _ = advise_in_city(uow, profile.model_copy(update={"region": "970200"}))
    assert not any("运营孤岛" in risk.reason for risk in alone.risks)


def test_a_region_without_a_budget_leaves_the_share_unknown(uow: UnitOfWork) -> None:
    profile = load_profile(EXAMPLES / "xiangtan.yaml").model_copy(update={"region": "970300"})
    advice, facts = advise_in_city(uow, profile)
    assert facts is not None
    assert facts.ppp_share is None
    assert "ppp_budget_share" in advice.unknown_fields
    assert "ppp_budget_share" in advice.deciding_fields


def test_the_command_reads_the_workspace_for_a_profile_with_a_region(
    uow: UnitOfWork, tmp_path: Path
) -> None:
    text = (EXAMPLES / "xiangtan.yaml").read_text("utf-8") + 'region: "970200"\n'
    profile = tmp_path / "project.yaml"
    profile.write_text(text, "utf-8")
    result = CliRunner().invoke(
        app, ["advise", str(profile), "--workspace", str(tmp_path / "ws"), "--json"]
    )
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert answer["city"] == {
        "region": "970200",
        "budget_year": 2025,
        "ppp_budget_share": "0.101",
        "joint_companies": [],
    }
    assert answer["recommended"] != "PPP"
