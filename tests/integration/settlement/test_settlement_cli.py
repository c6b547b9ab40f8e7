"""The commands end to end on a SQLite workspace: load the demo contract, settle a
month, review and approve, check compliance, and ask the advisor."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from demo_contract_month import DEMO_CONTRACT, workspace_with_facts
from typer.testing import CliRunner

from cityops.access.roles import Role
from cityops.cli import advise, compliance, contracts, settle
from cityops.services.accounts import create_user
from cityops.services.unit_of_work import unit_of_work

app = typer.Typer()
app.add_typer(contracts.contracts_app, name="contracts")
app.add_typer(settle.settle_app, name="settle")
app.command("compliance")(compliance.compliance)
app.command("advise")(advise.advise)

PASSWORD = "Harbour-lights-7"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    ws = workspace_with_facts(root)
    with unit_of_work(ws) as uow:  # three people; the workflow keeps them apart
        for name in ("赵编制", "张审核", "李批准"):
            create_user(uow, username=name, password=PASSWORD, role=Role.ADMIN, region_code=None)
    return root


def _run(*args: str) -> dict[str, object]:
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    parsed: dict[str, object] = json.loads(result.stdout)
    return parsed


def test_a_month_is_settled_reviewed_and_approved_from_the_command_line(
    workspace: Path, environment: pytest.MonkeyPatch
) -> None:
    environment.setenv("CITYOPS_PASSWORD", PASSWORD)
    ws = str(workspace)
    loaded = _run("contracts", "load", "-w", ws, str(DEMO_CONTRACT))
    assert loaded["contracts"] == ["DEMO-970100-2025-PORTAL"]
    statement = _run(
        "settle", "-w", ws, "--contract", "DEMO-970100-2025-PORTAL", "--period", "2025-03",
        "--by", "赵编制",
    )  # fmt: skip
    # base 3,600,000 ÷ 12 = 300,000.00; fixed 0.10 → 30,000.00
    # K1 (0.45 − 0.30) ÷ 0.30 = 0.5 → 300,000 × 0.30 × 0.5 = 45,000.00
    # K2 0.999 → band 1.0 → 60,000.00; K3 0.90 = target → 60,000.00 (bonus needs 0.95)
    # K4 0.92 ≥ 0.90 → 30,000.00; K5 0 ≤ 0 → 30,000.00, no deduction
    # total 30,000 + 45,000 + 60,000 + 60,000 + 30,000 + 30,000 = 255,000.00
    assert statement["total_payable"] == "255000.00"
    identifier = str(statement["statement_id"])
    _run("settle", "review", "-w", ws, identifier, "--by", "张审核")
    approved = _run("settle", "approve", "-w", ws, identifier, "--by", "李批准")
    assert (approved["status"], approved["approved_by"]) == ("approved", "李批准")

    again = CliRunner().invoke(app, ["settle", "review", "-w", ws, identifier, "--by", "张审核"])
    assert again.exit_code != 0


def test_compliance_and_the_advisor_answer_in_json(workspace: Path) -> None:
    ws = str(workspace)
    _run("contracts", "load", "-w", ws, str(DEMO_CONTRACT))
    checked = _run("compliance", "-w", ws)
    assert checked["compliant"] is True
    advice = _run("advise", str(DEMO_CONTRACT.parents[1] / "advisor" / "xiangtan.yaml"))
    assert advice["recommended"] == "PPP"


PLATFORM_REGISTER = """version: 1
operators:
  - id: OP-PLATFORM
    name: 示范市数字城市运营有限公司
    type: 平台公司
    shareholders:
      - {name: 示范市城投集团, share: 0.5, state_owned: true}
      - {name: 某科技公司, share: 0.5}
contracts:
  - {id: C-PLATFORM, name: 城市大脑运营, project: 城市大脑, region: "970100",
     operator: OP-PLATFORM, model: 平台公司, investor_mode: 政府投资企业运营,
     return_mechanisms: [政府购买服务], start: 2025-01-01, end: 2029-12-31,
     total_amount: "5000000.00", purchase_items: [城市大脑运营服务, 机房建设]}
"""


def test_compliance_reads_the_registered_operators_and_the_purchase_items(
    workspace: Path,
) -> None:
    """A 5-year platform-company contract paid by purchase of services, whose operator
    is only half state-owned and which buys a works item, fails three rules."""
    ws = str(workspace)
    register = workspace / "platform.yaml"
    register.write_text(PLATFORM_REGISTER, encoding="utf-8")
    _run("contracts", "load", "-w", ws, str(register))
    result = CliRunner().invoke(app, ["compliance", "-w", ws, "--json"])
    assert result.exit_code == 1, result.output
    findings = json.loads(result.stdout)["findings"]
    failed = {f["rule_id"] for f in findings if f["outcome"] == "fail"}
    assert failed == {
        "purchase_of_service_term",
        "purchase_of_service_negative_list",
        "platform_company_state_control",
    }
