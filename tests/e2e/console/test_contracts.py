"""The contracts page against the contract files, the compliance rules and the facts:
contracts by operating model, flags with rule and source, per-KPI completion."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import yaml  # type: ignore[import-untyped]
from console_site import CONTRACT_FILES, MONTHS, OpenConsole

from cityops.access.roles import Role
from cityops.indicators.facts import read_facts

pytestmark = pytest.mark.slow

RULES = Path(__file__).parents[3] / "src" / "cityops" / "compliance" / "rules.yaml"
PPP = "PPP-970100-2025-CITYBRAIN"


def contract_entries() -> list[dict[str, Any]]:
    return [
        entry
        for path in CONTRACT_FILES
        for entry in yaml.safe_load(path.read_text("utf-8"))["contracts"]
    ]


def test_contracts_are_grouped_by_their_operating_model(console: OpenConsole) -> None:
    supervisor = console(Role.SUPERVISOR)
    supervisor.open("/console/contracts")
    expected: dict[str, list[str]] = {}
    for entry in contract_entries():
        expected.setdefault(entry["model"], []).append(entry["id"])
    groups = supervisor.page.locator("section.model-group")
    shown = {
        str(group.get_attribute("data-model")): [
            str(row.get_attribute("data-key")) for row in group.locator("tbody tr").all()
        ]
        for group in groups.all()
    }
    assert {model: sorted(ids) for model, ids in shown.items()} == {
        model: sorted(ids) for model, ids in expected.items()
    }
    assert supervisor.page.locator("#models-chart canvas").count() > 0


def test_a_ppp_shorter_than_ten_years_is_flagged_with_its_rule_and_source(
    console: OpenConsole,
) -> None:
    supervisor = console(Role.SUPERVISOR)
    supervisor.open("/console/contracts")
    page = supervisor.page
    flag = page.locator(f"tr[data-key='{PPP}'] [data-rule]")
    assert [f.get_attribute("data-rule") for f in flag.all()] == ["ppp_minimum_term"]
    rule = next(
        r
        for r in yaml.safe_load(RULES.read_text("utf-8"))["rules"]
        if r["id"] == "ppp_minimum_term"
    )
    finding = page.locator(f"#compliance-table tbody tr[data-key^='ppp_minimum_term:{PPP}:']")
    assert finding.locator("[data-outcome]").get_attribute("data-outcome") == "fail"
    assert finding.locator("summary").inner_text() == rule["source"]
    flagged = page.locator("tr[data-key] [data-rule]")
    assert flagged.count() == 1, "the other contracts break no rule"


def completion(value: float, floor: float, target: float) -> Decimal:
    """Linear completion clipped to [0, 1] (docs/settlement.md), from the value's
    shortest decimal text as the settlement reads it."""
    share = (Decimal(repr(value)) - Decimal(str(floor))) / (
        Decimal(str(target)) - Decimal(str(floor))
    )
    return min(Decimal(1), max(Decimal(0), share))


def test_a_statement_shows_each_kpi_completion_and_amount(console: OpenConsole) -> None:
    supervisor = console(Role.SUPERVISOR)
    month = MONTHS[-1]
    statement_id = f"{PPP}@{month}#v1"
    supervisor.open(f"/console/contracts?statement={quote(statement_id)}")
    page = supervisor.page
    assert page.locator("#statement-body").is_visible()
    assert page.locator("#completion-chart canvas").count() > 0

    contract = next(entry for entry in contract_entries() if entry["id"] == PPP)
    base = Decimal(contract["annual_amount"]) / 12
    facts = {
        fact.indicator: fact.value
        for fact in read_facts(supervisor.site.workspace.facts_path(month))
        if fact.region_code == contract["region"]
    }
    for kpi in contract["kpis"]:
        value = facts[kpi["indicator"]]
        assert value is not None
        done = completion(value, kpi["floor"], kpi["target"])
        amount = (base * Decimal(str(kpi["payment_share"])) * done).quantize(
            Decimal("0.01"), ROUND_HALF_UP
        )
        cells = page.locator(f"#statement-lines tr[data-key='{kpi['id']}'] td").all_inner_texts()
        assert cells[0] == kpi["indicator"]
        assert cells[3] == f"{done * 100:.1f}%"
        assert cells[6] == f"{amount:,.2f}"
    assert supervisor.log.problems() == []
