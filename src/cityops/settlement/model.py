"""The register of operators and contracts as pure data (运营主体与合同登记).

Categories follow the report (《智慧城市长效运营研究报告》2021): the five
typical models (表6), investor/operator modes (表5), return mechanisms
(回报机制), PPP sub-modes (表7) and PPP operation types.  Values are the
Chinese terms the report uses, so files and statements read as a city writes
them.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from cityops.types import IndicatorCode, Polarity, RegionCode

__all__ = [
    "Adjustment",
    "Band",
    "Contract",
    "Formula",
    "InvestorMode",
    "KpiClause",
    "OperationType",
    "Operator",
    "OperatorType",
    "PppSubMode",
    "RegionBudget",
    "ReturnMechanism",
    "SettlementCycle",
    "Shareholder",
    "TypicalModel",
    "completed_months",
    "term_months",
]


class OperatorType(StrEnum):
    """Who operates (运营主体)."""

    PLATFORM_COMPANY = "平台公司"
    JOINT_COMPANY = "联合公司"
    PPP_SPV = "PPP项目公司"
    SERVICE_VENDOR = "服务商"
    GOVERNMENT_UNIT = "政府单位"


class TypicalModel(StrEnum):
    """The five typical construction-and-operation models (表6)."""

    PURCHASE_OF_SERVICES = "政府购买服务"
    PPP = "PPP"
    EPC = "EPC"
    PLATFORM_COMPANY = "平台公司"
    JOINT_COMPANY = "联合公司"


class InvestorMode(StrEnum):
    """Who invests and who operates (表5)."""

    GOVERNMENT_GOVERNMENT = "政府投资政府运营"
    GOVERNMENT_ENTERPRISE = "政府投资企业运营"
    ENTERPRISE_ENTERPRISE = "企业投资企业运营"
    JOINT_ENTERPRISE = "联合投资企业运营"


class ReturnMechanism(StrEnum):
    """How the operator is paid (回报机制)."""

    PURCHASE_OF_SERVICES = "政府购买服务"
    GOVERNMENT_PAY = "政府付费"
    USER_PAY = "使用者付费"
    VIABILITY_GAP = "可行性缺口补助"
    OTHER_INCOME = "其他综合收入"


class PppSubMode(StrEnum):
    """PPP sub-modes by what the SPV does (表7)."""

    STEWARD = "大管家"
    INTEGRATED = "整体推进"
    BY_DOMAIN = "分领域"


class OperationType(StrEnum):
    """PPP operation types; BT is listed so that it can be refused (BT is not PPP)."""

    OM = "O&M"
    BOT = "BOT"
    TOT = "TOT"
    ROT = "ROT"
    BOO = "BOO"
    TOT_BOT = "TOT+BOT"
    BT = "BT"
    OTHER = "其他"


class SettlementCycle(StrEnum):
    """How often a contract is settled; the base amount is the annual amount ÷ periods."""

    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"

    @property
    def periods_per_year(self) -> int:
        return {"month": 12, "quarter": 4, "year": 1}[self.value]


class Formula(StrEnum):
    """How a KPI value becomes a completion (完成度) between 0 and 1."""

    LINEAR = "linear"
    BANDS = "bands"
    PASS_FAIL = "pass_fail"


@dataclass(frozen=True, slots=True)
class Shareholder:
    name: str
    share: Decimal
    """Share of the capital, 0–1."""
    state_owned: bool


@dataclass(frozen=True, slots=True)
class Operator:
    operator_id: str
    name: str
    type: OperatorType
    shareholders: tuple[Shareholder, ...] = ()

    @property
    def state_share(self) -> Decimal:
        """国有股比例: the summed share of state-owned shareholders."""
        return sum((s.share for s in self.shareholders if s.state_owned), Decimal(0))


@dataclass(frozen=True, slots=True)
class Band:
    """A step of a banded formula: a value at least (or, lower-is-better, at most)
    ``threshold`` earns ``completion``."""

    threshold: Decimal
    completion: Decimal


@dataclass(frozen=True, slots=True)
class Adjustment:
    """A fixed deduction (扣减) or bonus (奖励) tied to ``threshold``: a deduction
    applies when the value is worse than it, a bonus when the value meets it."""

    threshold: Decimal
    amount: Decimal
    reason: str


@dataclass(frozen=True, slots=True)
class KpiClause:
    """One KPI clause (考核条款) of a contract.

    ``payment_share`` is the share of the period's base amount that depends on
    this clause; ``weight`` gives its points out of 100.  ``cap`` limits the
    clause's amount (bonus included).
    """

    clause_id: str
    indicator: IndicatorCode
    region_code: RegionCode
    formula: Formula
    weight: Decimal
    payment_share: Decimal
    polarity: Polarity = Polarity.HIGHER
    target: Decimal | None = None
    floor: Decimal | None = None
    bands: tuple[Band, ...] = ()
    cap: Decimal | None = None
    deductions: tuple[Adjustment, ...] = ()
    bonuses: tuple[Adjustment, ...] = ()


@dataclass(frozen=True, slots=True)
class Contract:
    """A contract with its project (项目) and KPI clauses.

    ``annual_amount`` is what the government pays per year (for PPP: its
    annual fiscal expenditure responsibility, 财政支出责任).  ``period_cap``
    limits the total payable of one settlement period.
    """

    contract_id: str
    name: str
    project_name: str
    region_code: RegionCode
    operator_id: str
    objects: tuple[str, ...]
    model: TypicalModel
    investor_mode: InvestorMode
    return_mechanisms: tuple[ReturnMechanism, ...]
    start: date
    end: date
    total_amount: Decimal
    annual_amount: Decimal | None
    """Unknown (``None``) for a registered project whose yearly payment is not public."""
    settlement_cycle: SettlementCycle = SettlementCycle.MONTH
    ppp_sub_mode: PppSubMode | None = None
    operation_type: OperationType | None = None
    stable_service: bool = False
    """For purchase of services: the stated conditions of a term up to 3 years hold
    (预算有保障, 购买内容相对固定, 连续性强, 经费来源稳定, 价格变化幅度小)."""
    bundled: bool = False
    """Several unrelated 政府付费 projects packed into one (打捆)."""
    user_pay_share: Decimal | None = None
    """Share of the project's revenue paid by users, 0–1."""
    period_cap: Decimal | None = None
    deductions_before_cap: bool = False
    """The order the contract states: by default the period cap bounds the
    performance payment and deductions then reduce the payable, so a deduction
    bites even in a capped month; ``True`` nets deductions first, then caps."""
    purchase_items: tuple[str, ...] = ()
    """What the government buys (购买内容), as the contract lists it: the
    purchase-of-service negative list is checked against these."""
    clauses: tuple[KpiClause, ...] = ()

    @property
    def term_months(self) -> int:
        """The term with a started month counted whole: right for maximum terms."""
        return term_months(self.start, self.end)

    @property
    def completed_term_months(self) -> int:
        """The term in whole months completed: right for minimum terms."""
        return completed_months(self.start, self.end)

    @property
    def paid_by_purchase_of_services(self) -> bool:
        """Paid through 政府购买服务, whatever the operating model (platform and
        joint companies usually are)."""
        return (
            self.model is TypicalModel.PURCHASE_OF_SERVICES
            or ReturnMechanism.PURCHASE_OF_SERVICES in self.return_mechanisms
        )

    @property
    def fixed_share(self) -> Decimal:
        """The share of the base amount paid whatever the KPIs (固定部分)."""
        return Decimal(1) - sum((c.payment_share for c in self.clauses), Decimal(0))


def term_months(start: date, end: date) -> int:
    """Contract term in months, ``end`` inclusive; a started month counts whole.

    2025-01-01 … 2027-12-31 is 36 months; 2025-01-01 … 2028-01-01 is 37.
    """
    after = end + timedelta(days=1)
    months = (after.year - start.year) * 12 + after.month - start.month
    return months + (1 if after.day > start.day else 0)


def completed_months(start: date, end: date) -> int:
    """Whole months completed from ``start`` to ``end`` inclusive; a part month
    does not count.  A month ends on the same day number as ``start`` (or on the
    last day of a shorter month).

    2025-01-01 … 2034-12-31 is 120 months; 2025-01-01 … 2034-12-15 (9 years,
    11 months and 15 days) is 119; 2025-01-31 … 2025-02-27 is 1.
    """
    after = end + timedelta(days=1)
    months = (after.year - start.year) * 12 + after.month - start.month
    month_end = calendar.monthrange(after.year, after.month)[1]
    return months - (1 if after.day < min(start.day, month_end) else 0)


@dataclass(frozen=True, slots=True)
class RegionBudget:
    """A government level's budget figures for one year (本级一般公共预算), the
    denominators of the fiscal rules of 财金〔2019〕10号.

    ``other_ppp_expenditure`` is the level's PPP expenditure from the general
    public budget for projects *not* in this register; the register's own PPP
    contracts are added to it.
    """

    region_code: str
    year: int
    general_budget_expenditure: Decimal
    other_ppp_expenditure: Decimal = Decimal("0.00")
