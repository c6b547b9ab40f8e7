"""The compliance checks (pure): contracts, operators and region budgets in,
findings out.

Shares are exact decimals, compared with the limits as written (10 % passes,
10.01 % does not).  A year's PPP expenditure of a region is the region's
``other_ppp_expenditure`` plus the ``annual_amount`` of every registered PPP
contract of that region whose term touches the year.  Maximum terms count a
started month whole, minimum terms only whole months completed, so a term is
never rounded in its own favour.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from cityops.compliance.rules import Check, ComplianceRule, ComplianceRules
from cityops.settlement.model import (
    Contract,
    OperationType,
    Operator,
    OperatorType,
    RegionBudget,
    ReturnMechanism,
    TypicalModel,
)

__all__ = ["Finding", "Outcome", "Portfolio", "check_all", "ppp_expenditure"]


class Outcome(StrEnum):
    PASS = "pass"  # 合规
    FAIL = "fail"  # 不合规
    UNKNOWN = "unknown"  # 无法判断 (e.g. no budget figures)


@dataclass(frozen=True, slots=True)
class Finding:
    rule_id: str
    subject: str
    """A contract id, or ``<region>/<year>`` for a portfolio rule."""
    outcome: Outcome
    detail: str
    source: str
    explanation: str


@dataclass(frozen=True, slots=True)
class Portfolio:
    """What the rules look at: the registered contracts, their operators and the
    region budgets."""

    contracts: Sequence[Contract]
    budgets: Sequence[RegionBudget] = ()
    operators: Sequence[Operator] = ()


def check_all(rules: ComplianceRules, portfolio: Portfolio) -> list[Finding]:
    """Every rule applied to every contract (or region-year) it concerns."""
    findings: list[Finding] = []
    for rule in rules.rules:
        findings.extend(_CHECKS[rule.check](rule, portfolio))
    return findings


def _finding(rule: ComplianceRule, subject: str, ok: bool | None, detail: str) -> Finding:
    outcome = Outcome.UNKNOWN if ok is None else Outcome.PASS if ok else Outcome.FAIL
    return Finding(rule.id, subject, outcome, detail, rule.source, rule.explanation)


def _percent(share: Decimal) -> str:
    return f"{share * 100:.2f} %"


def _purchase_of_service_term(rule: ComplianceRule, portfolio: Portfolio) -> list[Finding]:
    """Applies to every contract paid through 政府购买服务, whatever its model."""
    normal, extended = rule.param("normal_max_months"), rule.param("extended_max_months")
    findings = []
    for c in portfolio.contracts:
        if not c.paid_by_purchase_of_services:
            continue
        months = c.term_months
        if months <= normal:
            ok, why = True, f"term {months} months ≤ {normal}"
        elif months <= extended:
            ok = c.stable_service
            why = f"term {months} months > {normal}: " + (
                f"allowed up to {extended} with the stated conditions (stable_service)"
                if ok
                else "needs the stated conditions (stable_service: true)"
            )
        else:
            ok, why = False, f"term {months} months > the maximum {extended}"
        findings.append(_finding(rule, c.contract_id, ok, why))
    return findings


def _ppp(contracts: Sequence[Contract]) -> list[Contract]:
    return [c for c in contracts if c.model is TypicalModel.PPP]


def _ppp_minimum_term(rule: ComplianceRule, portfolio: Portfolio) -> list[Finding]:
    """Whole months completed: 9 years, 11 months and 15 days is not 10 years."""
    least = rule.param("min_months")
    return [
        _finding(
            rule,
            c.contract_id,
            c.completed_term_months >= least,
            f"term {c.completed_term_months} whole months",
        )
        for c in _ppp(portfolio.contracts)
    ]


def _bt_is_not_ppp(rule: ComplianceRule, portfolio: Portfolio) -> list[Finding]:
    return [
        _finding(
            rule,
            c.contract_id,
            c.operation_type is not OperationType.BT,
            f"operation type {c.operation_type.value if c.operation_type else '—'}",
        )
        for c in _ppp(portfolio.contracts)
    ]


def _active_ppp(budget: RegionBudget, contracts: Sequence[Contract]) -> list[Contract]:
    return [
        c
        for c in _ppp(contracts)
        if c.region_code == budget.region_code and c.start.year <= budget.year <= c.end.year
    ]


def ppp_expenditure(budget: RegionBudget, contracts: Sequence[Contract]) -> Decimal | None:
    """The region-year's PPP expenditure from the general public budget (yuan), or
    ``None`` when an active PPP contract does not state its annual amount."""
    amounts = [c.annual_amount for c in _active_ppp(budget, contracts)]
    known = [a for a in amounts if a is not None]
    if len(known) < len(amounts):
        return None
    return budget.other_ppp_expenditure + sum(known, Decimal("0.00"))


def _share(budget: RegionBudget, contracts: Sequence[Contract]) -> Decimal | None:
    spent = ppp_expenditure(budget, contracts)
    return None if spent is None else spent / budget.general_budget_expenditure


def _share_detail(budget: RegionBudget, contracts: Sequence[Contract], limit: Decimal) -> str:
    spent = ppp_expenditure(budget, contracts)
    if spent is None:
        unknown = ", ".join(
            c.contract_id for c in _active_ppp(budget, contracts) if c.annual_amount is None
        )
        return f"PPP contracts without annual_amount: {unknown}; state it to decide"
    share = spent / budget.general_budget_expenditure
    return (
        f"PPP expenditure {spent:,} of general budget expenditure "
        f"{budget.general_budget_expenditure:,} = {_percent(share)} (limit {_percent(limit)})"
    )


def _within(share: Decimal | None, limit: Decimal) -> bool | None:
    return None if share is None else share <= limit


def _ppp_budget_share(rule: ComplianceRule, portfolio: Portfolio) -> list[Finding]:
    most = rule.param("max_share")
    contracts, budgets = portfolio.contracts, portfolio.budgets
    findings = [
        _finding(
            rule,
            f"{b.region_code}/{b.year}",
            _within(_share(b, contracts), most),
            _share_detail(b, contracts, most),
        )
        for b in budgets
    ]
    covered = {(b.region_code, b.year) for b in budgets}
    for c in _ppp(contracts):
        for year in range(c.start.year, c.end.year + 1):
            if (c.region_code, year) not in covered:
                findings.append(
                    _finding(
                        rule,
                        f"{c.region_code}/{year}",
                        None,
                        f"no budget figures for region {c.region_code} in {year} "
                        f"(contract {c.contract_id}); add them under `budgets:`",
                    )
                )
                covered.add((c.region_code, year))
    return findings


def _no_new_government_pay(rule: ComplianceRule, portfolio: Portfolio) -> list[Finding]:
    most = rule.param("max_share")
    contracts, budgets = portfolio.contracts, portfolio.budgets
    by_key = {(b.region_code, b.year): b for b in budgets}
    findings = []
    for c in _ppp(contracts):
        if ReturnMechanism.GOVERNMENT_PAY not in c.return_mechanisms:
            continue
        budget = by_key.get((c.region_code, c.start.year))
        if budget is None:
            findings.append(
                _finding(rule, c.contract_id, None, f"no budget figures for {c.start.year}")
            )
            continue
        findings.append(
            _finding(
                rule,
                c.contract_id,
                _within(_share(budget, contracts), most),
                f"new 政府付费 PPP in {c.start.year}; " + _share_detail(budget, contracts, most),
            )
        )
    return findings


def _bundled_user_pay_share(rule: ComplianceRule, portfolio: Portfolio) -> list[Finding]:
    least = rule.param("min_share")
    findings = []
    for c in portfolio.contracts:
        if not c.bundled or ReturnMechanism.USER_PAY not in c.return_mechanisms:
            continue
        share = c.user_pay_share
        findings.append(
            _finding(
                rule,
                c.contract_id,
                None if share is None else share >= least,
                "user-pay share not stated"
                if share is None
                else f"user-pay share {_percent(share)} (at least {_percent(least)})",
            )
        )
    return findings


def _purchase_of_service_negative_list(rule: ComplianceRule, portfolio: Portfolio) -> list[Finding]:
    """Each declared purchase item of a contract paid through 政府购买服务 against
    the negative list's categories; a contract that declares no items is unknown."""
    categories = rule.word_lists()
    findings = []
    for c in portfolio.contracts:
        if not c.paid_by_purchase_of_services:
            continue
        if not c.purchase_items:
            findings.append(
                _finding(rule, c.contract_id, None, "purchase items not declared (purchase_items)")
            )
            continue
        hits = [
            f"「{item}」: {category} ({word})"
            for item in c.purchase_items
            for category, words in categories.items()
            for word in words
            if word in item
        ]
        findings.append(
            _finding(
                rule,
                c.contract_id,
                not hits,
                "; ".join(hits) if hits else f"{len(c.purchase_items)} items, none on the list",
            )
        )
    return findings


def _platform_company_state_control(rule: ComplianceRule, portfolio: Portfolio) -> list[Finding]:
    """A platform company (平台公司) is state-controlled: its state-owned
    shareholders hold more than ``min_state_share``.  Unknown without shareholders."""
    least = rule.param("min_state_share")
    operators = {o.operator_id: o for o in portfolio.operators}
    findings = []
    for c in portfolio.contracts:
        operator = operators.get(c.operator_id)
        platform = c.model is TypicalModel.PLATFORM_COMPANY or (
            operator is not None and operator.type is OperatorType.PLATFORM_COMPANY
        )
        if not platform:
            continue
        if operator is None or not operator.shareholders:
            findings.append(
                _finding(
                    rule,
                    c.contract_id,
                    None,
                    f"operator {c.operator_id}: shareholders not stated",
                )
            )
            continue
        share = operator.state_share
        findings.append(
            _finding(
                rule,
                c.contract_id,
                share > least,
                f"operator {operator.name}: state-owned shareholders hold {_percent(share)} "
                f"(more than {_percent(least)} needed)",
            )
        )
    return findings


_Check = Callable[[ComplianceRule, Portfolio], list[Finding]]
_CHECKS: dict[Check, _Check] = {
    Check.PURCHASE_OF_SERVICE_TERM: _purchase_of_service_term,
    Check.PPP_MINIMUM_TERM: _ppp_minimum_term,
    Check.BT_IS_NOT_PPP: _bt_is_not_ppp,
    Check.PPP_BUDGET_SHARE: _ppp_budget_share,
    Check.NO_NEW_GOVERNMENT_PAY: _no_new_government_pay,
    Check.BUNDLED_USER_PAY_SHARE: _bundled_user_pay_share,
    Check.PURCHASE_OF_SERVICE_NEGATIVE_LIST: _purchase_of_service_negative_list,
    Check.PLATFORM_COMPANY_STATE_CONTROL: _platform_company_state_control,
}
