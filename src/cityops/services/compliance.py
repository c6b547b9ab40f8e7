"""Compliance use case (合规): the workspace's contracts and budgets checked against
the fiscal rules."""

from __future__ import annotations

from pathlib import Path

from cityops.compliance.checks import Finding, Portfolio, check_all
from cityops.compliance.rules import DEFAULT_RULES, load_rules
from cityops.services.unit_of_work import UnitOfWork
from cityops.settlement.store import ContractStore

__all__ = ["check_workspace"]


def check_workspace(uow: UnitOfWork, rules_path: Path = DEFAULT_RULES) -> list[Finding]:
    """Check every registered contract, operator and region budget against the rules."""
    rules = load_rules(rules_path)
    store = ContractStore(uow.register)
    portfolio = Portfolio(
        contracts=[stored.contract for stored in store.contracts()],
        budgets=store.budgets(),
        operators=store.operators(),
    )
    return check_all(rules, portfolio)
