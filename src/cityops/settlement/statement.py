"""Settlement statements (结算单): a contract's KPI clauses applied to a period's facts.

The arithmetic, in yuan, rounded half up to the fen where written::

    base          = fen(annual_amount ÷ periods per year)         本期基数
    fixed         = fen(base × (1 − Σ payment_share))             固定部分
    per clause    = min(cap, fen(base × payment_share × completion) + bonuses)
    points        = weight × completion                           (0.01 points)
    earned        = fixed + Σ clause amounts
    total_payable = max(0, min(period_cap, earned) − Σ deductions)
                    (a contract stating deductions_before_cap:
                     min(period_cap, max(0, earned − Σ deductions)))

A clause whose value is missing (no fact, or a fact without value) is *not*
scored: its line says ``missing``, it has no amount, its share of the base is
reported as ``withheld`` and the statement is incomplete — never silently paid
as 0 or as 100 %.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from cityops.domain.period import Period
from cityops.errors import ConfigError, PipelineError
from cityops.indicators.facts import IndicatorFact
from cityops.settlement.model import Contract, KpiClause
from cityops.settlement.money import ZERO, round_fen
from cityops.settlement.scoring import as_decimal, bonuses_earned, completion, deductions_due
from cityops.types import IndicatorCode, RegionCode

__all__ = [
    "Evidence",
    "LineStatus",
    "Statement",
    "StatementLine",
    "StatementStatus",
    "compute_statement",
    "statement_id",
]

_POINTS = Decimal("0.01")


class StatementStatus(StrEnum):
    DRAFT = "draft"  # 草稿
    REVIEWED = "reviewed"  # 已复核
    APPROVED = "approved"  # 已批准 (immutable)


class LineStatus(StrEnum):
    SCORED = "scored"
    MISSING = "missing"  # 指标缺失: flagged, not paid


@dataclass(frozen=True, slots=True)
class Evidence:
    """The fact behind a clause's value: which indicator, where, when, by which definition."""

    indicator: IndicatorCode
    region_code: RegionCode
    period: Period
    definition_hash: str | None
    """None when there is no fact at all."""
    numerator: float | None
    denominator: float | None


@dataclass(frozen=True, slots=True)
class StatementLine:
    """One clause of a statement, with the fact behind it (its evidence)."""

    clause_id: str
    status: LineStatus
    value: float | None
    completion: Decimal | None
    points: Decimal | None
    share_amount: Decimal
    """base × payment_share: what the clause pays at full completion."""
    amount: Decimal | None
    deductions: Decimal
    bonuses: Decimal
    note: str
    evidence: Evidence


@dataclass(frozen=True, slots=True)
class Statement:
    statement_id: str
    contract_id: str
    period: Period
    version: int
    status: StatementStatus
    complete: bool = field(init=False)
    """Every clause had a value; an incomplete statement cannot be approved."""
    contract_hash: str
    base_amount: Decimal
    fixed_amount: Decimal
    total_points: Decimal
    total_deductions: Decimal
    total_bonuses: Decimal
    total_payable: Decimal
    withheld: Decimal
    created_at: datetime
    created_by: str
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None
    approved_by: str | None = None
    approved_at: datetime | None = None
    lines: tuple[StatementLine, ...] = ()

    def __post_init__(self) -> None:
        scored = all(line.status is LineStatus.SCORED for line in self.lines)
        object.__setattr__(self, "complete", scored)


def statement_id(contract_id: str, period: Period, version: int) -> str:
    return f"{contract_id}@{period}#v{version}"


def compute_statement(
    contract: Contract,
    facts: Iterable[IndicatorFact],
    *,
    period: Period,
    version: int,
    contract_hash: str,
    created_at: datetime,
    created_by: str,
) -> Statement:
    """The draft statement of ``contract`` for ``period`` from that period's ``facts``."""
    if contract.annual_amount is None:
        raise ConfigError(
            f"contract {contract.contract_id} states no annual_amount, so it has no base to "
            "settle; add annual_amount to its file and load it again"
        )
    if period.last_day < contract.start or period.first_day > contract.end:
        raise PipelineError(
            f"{period} is outside contract {contract.contract_id}'s term "
            f"({contract.start} … {contract.end}); settle a month within it"
        )
    by_key = {(f.indicator, f.region_code): f for f in facts if f.period == period}
    base = round_fen(contract.annual_amount / contract.settlement_cycle.periods_per_year)
    fixed = round_fen(base * contract.fixed_share)
    lines = tuple(_line(clause, base, by_key, period) for clause in contract.clauses)
    scored = [line for line in lines if line.status is LineStatus.SCORED]
    deductions = sum((line.deductions for line in scored), ZERO)
    earned = fixed + sum((line.amount or ZERO for line in scored), ZERO)
    payable = _payable(earned, deductions, contract.period_cap, contract.deductions_before_cap)
    return Statement(
        statement_id=statement_id(contract.contract_id, period, version),
        contract_id=contract.contract_id,
        period=period,
        version=version,
        status=StatementStatus.DRAFT,
        contract_hash=contract_hash,
        base_amount=base,
        fixed_amount=fixed,
        total_points=sum((line.points or ZERO for line in scored), ZERO),
        total_deductions=deductions,
        total_bonuses=sum((line.bonuses for line in scored), ZERO),
        total_payable=payable,
        withheld=sum(
            (line.share_amount for line in lines if line.status is LineStatus.MISSING), ZERO
        ),
        created_at=created_at,
        created_by=created_by,
        lines=lines,
    )


def _payable(
    earned: Decimal, deductions: Decimal, cap: Decimal | None, deductions_first: bool
) -> Decimal:
    """The period's payable: by default the cap bounds what was earned and the
    deductions come off after it, so a deduction counts even in a capped month;
    a contract stating ``deductions_before_cap`` nets them first."""
    if cap is None:
        return max(ZERO, earned - deductions)
    if deductions_first:
        return min(cap, max(ZERO, earned - deductions))
    return max(ZERO, min(cap, earned) - deductions)


def _line(
    clause: KpiClause,
    base: Decimal,
    facts: Mapping[tuple[IndicatorCode, RegionCode], IndicatorFact],
    period: Period,
) -> StatementLine:
    share_amount = round_fen(base * clause.payment_share)
    fact = facts.get((clause.indicator, clause.region_code))
    evidence = Evidence(
        indicator=clause.indicator,
        region_code=clause.region_code,
        period=period,
        definition_hash=None if fact is None else fact.definition_hash,
        numerator=None if fact is None else fact.numerator,
        denominator=None if fact is None else fact.denominator,
    )
    if fact is None or fact.value is None:
        note = (
            f"no fact for {clause.indicator} in region {clause.region_code}, period {period}"
            if fact is None
            else f"{clause.indicator} has no value for region {clause.region_code} in {period}"
        )
        return StatementLine(
            clause_id=clause.clause_id,
            status=LineStatus.MISSING,
            value=None,
            completion=None,
            points=None,
            share_amount=share_amount,
            amount=None,
            deductions=ZERO,
            bonuses=ZERO,
            note=f"指标缺失, withheld: {note}",
            evidence=evidence,
        )
    value = as_decimal(fact.value)
    done = completion(clause, value)
    deductions = deductions_due(clause, value)
    bonuses = bonuses_earned(clause, value)
    bonus_total = sum((b.amount for b in bonuses), ZERO)
    amount = round_fen(base * clause.payment_share * done) + bonus_total
    notes = [f"扣减 {d.amount}: {d.reason}" for d in deductions]
    notes += [f"奖励 {b.amount}: {b.reason}" for b in bonuses]
    if clause.cap is not None and amount > clause.cap:
        notes.append(f"capped at {clause.cap} (计算 {amount})")
        amount = clause.cap
    return StatementLine(
        clause_id=clause.clause_id,
        status=LineStatus.SCORED,
        value=fact.value,
        completion=done,
        points=(clause.weight * done).quantize(_POINTS, rounding=ROUND_HALF_UP),
        share_amount=share_amount,
        amount=amount,
        deductions=sum((d.amount for d in deductions), ZERO),
        bonuses=bonus_total,
        note="; ".join(notes),
        evidence=evidence,
    )
