"""Advisor use case (运营模式建议): a profile advised with what the workspace knows of
its region — the PPP budget share the compliance rules compute (财金〔2019〕10号)
and the joint companies already operating there (运营孤岛)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from cityops.advisor.advise import Advice, advise
from cityops.advisor.profile import UNKNOWN, PppBudgetShare, ProjectProfile
from cityops.advisor.record import advice_record
from cityops.advisor.rules import DEFAULT_RULES, load_rules
from cityops.compliance.checks import ppp_expenditure
from cityops.services.unit_of_work import UnitOfWork
from cityops.settlement.model import OperatorType
from cityops.settlement.store import ContractStore

__all__ = ["CityFacts", "advise_in_city", "answer_record", "city_facts", "with_city_facts"]


@dataclass(frozen=True, slots=True)
class CityFacts:
    """What the workspace holds about a region, for the advice."""

    region_code: str
    year: int | None
    """The latest year with a budget for the region (None: no budget registered)."""
    ppp_share: Decimal | None
    """PPP expenditure / general budget expenditure; None when not computable."""
    joint_companies: tuple[str, ...]
    """Joint companies (联合公司) with a contract in the region or, for a city, in
    its districts."""


def _in_region(code: str, region: str) -> bool:
    """``code`` is ``region`` or, when ``region`` is a city (xxxx00), one of its
    districts."""
    return code == region or (region.endswith("00") and code[:4] == region[:4])


def city_facts(uow: UnitOfWork, region_code: str) -> CityFacts:
    store = ContractStore(uow.register)
    contracts = [stored.contract for stored in store.contracts()]
    budgets = sorted(
        (b for b in store.budgets() if b.region_code == region_code), key=lambda b: b.year
    )
    budget = budgets[-1] if budgets else None
    share = None
    if budget is not None:
        spent = ppp_expenditure(budget, contracts)
        if spent is not None and budget.general_budget_expenditure:
            share = spent / budget.general_budget_expenditure
    joint = {o.operator_id: o for o in store.operators() if o.type is OperatorType.JOINT_COMPANY}
    names = sorted(
        {
            joint[c.operator_id].name
            for c in contracts
            if c.operator_id in joint and _in_region(c.region_code, region_code)
        }
    )
    return CityFacts(region_code, None if budget is None else budget.year, share, tuple(names))


def with_city_facts(profile: ProjectProfile, facts: CityFacts) -> ProjectProfile:
    """The profile with the facts it leaves out filled from the workspace (a fact the
    profile states, even ``unknown``, is kept)."""
    update: dict[str, object] = {}
    if profile.ppp_budget_share is None:
        update["ppp_budget_share"] = (
            UNKNOWN if facts.ppp_share is None else PppBudgetShare.of(facts.ppp_share)
        )
    if profile.existing_joint_company is None:
        update["existing_joint_company"] = bool(facts.joint_companies)
    return profile.model_copy(update=update)


def advise_in_city(
    uow: UnitOfWork | None, profile: ProjectProfile, rules_path: Path = DEFAULT_RULES
) -> tuple[Advice, CityFacts | None]:
    """The advice, with the workspace's facts for the profile's region when it names
    one and a workspace is open."""
    rules = load_rules(rules_path)
    if uow is None or profile.region is None:
        return advise(profile, rules), None
    facts = city_facts(uow, profile.region)
    return advise(with_city_facts(profile, facts), rules), facts


def answer_record(advice: Advice, facts: CityFacts | None) -> dict[str, Any]:
    """The answer as ``cityops advise --json`` prints it and the API returns it: the
    advice, and under ``city`` the workspace's facts it used (None: none)."""
    return advice_record(advice) | {
        "city": None
        if facts is None
        else {
            "region": facts.region_code,
            "budget_year": facts.year,
            "ppp_budget_share": None if facts.ppp_share is None else str(facts.ppp_share),
            "joint_companies": list(facts.joint_companies),
        }
    }
