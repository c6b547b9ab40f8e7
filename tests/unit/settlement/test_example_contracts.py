"""The example contracts: 表3's fourteen PPP demonstration projects as typed from the
report, and the demo city's purchase-of-service contract on catalogue indicators."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from cityops.compliance.checks import Portfolio, check_all
from cityops.compliance.rules import load_rules
from cityops.indicators.catalogue import load_catalogue
from cityops.settlement.files import load_register_file
from cityops.settlement.model import OperationType, TypicalModel

EXAMPLES = Path(__file__).parents[3] / "examples" / "contracts"


def test_the_ppp_demonstration_file_holds_the_14_projects_of_table_3() -> None:
    bundle = load_register_file(EXAMPLES / "ppp-demonstration-projects.yaml")
    assert len(bundle.contracts) == 14
    assert all(c.model is TypicalModel.PPP for c in bundle.contracts)
    # 表3 investments in 万元: 271000 + 94000 + 35222 + 322464 + 23850 + 285678 + 70790
    # + 21792 + 20100 + 21408 + 28919 + 34263 + 157445 + 200971 = 1,587,902 万元
    assert sum(c.total_amount for c in bundle.contracts) == Decimal("15879020000.00")
    # 表3 terms in years, in the table's order
    assert [c.term_months for c in bundle.contracts] == [
        12 * years for years in (15, 13, 15, 30, 10, 12, 15, 15, 11, 13, 11, 13, 17, 20)
    ]
    assert [c.operation_type for c in bundle.contracts].count(OperationType.BOT) == 11


def test_the_ppp_demonstration_projects_meet_the_term_rules_and_none_is_bt() -> None:
    bundle = load_register_file(EXAMPLES / "ppp-demonstration-projects.yaml")
    findings = check_all(load_rules(), Portfolio(bundle.contracts, bundle.budgets))
    term_rules = {"ppp_minimum_term", "bt_is_not_ppp"}
    decided = [f for f in findings if f.rule_id in term_rules]
    assert len(decided) == 28
    assert {f.outcome.value for f in decided} == {"pass"}


def test_the_demo_contract_uses_catalogue_indicators_with_their_polarity() -> None:
    bundle = load_register_file(EXAMPLES / "demo-purchase-of-service.yaml")
    catalogue = load_catalogue()
    (contract,) = bundle.contracts
    assert contract.region_code == "970100"
    for clause in contract.clauses:
        assert clause.polarity.value == catalogue.get(clause.indicator).polarity.value
    assert contract.model is TypicalModel.PURCHASE_OF_SERVICES
