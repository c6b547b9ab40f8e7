"""``cityops compliance`` as a service: the workspace's contracts and budgets checked."""

from __future__ import annotations

from pathlib import Path

from cityops.compliance.checks import Finding, check_all
from cityops.compliance.rules import DEFAULT_RULES, load_rules
from cityops.settlement.service import contract_store
from cityops.workspace.workspace import Workspace

__all__ = ["check_workspace"]


def check_workspace(workspace: Workspace, rules_path: Path = DEFAULT_RULES) -> list[Finding]:
    """Check every registered contract and region budget against the rules."""
    rules = load_rules(rules_path)
    with contract_store(workspace) as store:
        contracts = [stored.contract for stored in store.contracts()]
        budgets = store.budgets()
    return check_all(rules, contracts, budgets)
