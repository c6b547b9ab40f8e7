"""The statement workflow: draft → reviewed → approved, with who and when; approved
statements never change."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from cityops.domain.period import Period
from cityops.settlement.statement import (
    Evidence,
    LineStatus,
    Statement,
    StatementLine,
    StatementStatus,
)
from cityops.settlement.workflow import (
    SettlementError,
    StatementLockedError,
    approve,
    review,
)
from cityops.types import IndicatorCode, RegionCode

T0 = datetime(2025, 4, 1, tzinfo=UTC)
T1 = datetime(2025, 4, 2, tzinfo=UTC)
T2 = datetime(2025, 4, 3, tzinfo=UTC)


def _line(status: LineStatus) -> StatementLine:
    scored = status is LineStatus.SCORED
    return StatementLine(
        clause_id="K1",
        status=status,
        share_amount=Decimal("100.00"),
        value=0.5 if scored else None,
        completion=Decimal(1) if scored else None,
        points=Decimal(100) if scored else None,
        amount=Decimal("100.00") if scored else None,
        deductions=Decimal("0.00"),
        bonuses=Decimal("0.00"),
        note="",
        evidence=Evidence(
            indicator=IndicatorCode("effect.mau_rate"),
            region_code=RegionCode("970100"),
            period=Period(2025, 3),
            definition_hash="h",
            numerator=None,
            denominator=None,
        ),
    )


def _draft(status: LineStatus = LineStatus.SCORED) -> Statement:
    zero = Decimal("0.00")
    return Statement(
        statement_id="C1@2025-03#v1",
        contract_id="C1",
        period=Period(2025, 3),
        version=1,
        contract_hash="h",
        status=StatementStatus.DRAFT,
        base_amount=Decimal("100.00"),
        fixed_amount=zero,
        total_points=Decimal(100),
        total_deductions=zero,
        total_bonuses=zero,
        total_payable=Decimal("100.00"),
        withheld=zero,
        lines=(_line(status),),
        created_at=T0,
        created_by="system",
    )


def test_a_draft_is_reviewed_then_approved_by_another_person_with_who_and_when() -> None:
    reviewed = review(_draft(), by="张审核", at=T1)
    approved = approve(reviewed, by="李批准", at=T2)
    assert approved.status is StatementStatus.APPROVED
    assert (approved.reviewed_by, approved.reviewed_at) == ("张审核", T1)
    assert (approved.approved_by, approved.approved_at) == ("李批准", T2)


def test_a_draft_cannot_be_approved_before_review() -> None:
    with pytest.raises(SettlementError, match="review it before approving"):
        approve(_draft(), by="李批准", at=T2)


def test_the_reviewer_cannot_approve_the_same_statement() -> None:
    with pytest.raises(SettlementError, match="a third person must approve"):
        approve(review(_draft(), by="张", at=T1), by="张", at=T2)


def test_a_statement_with_a_missing_kpi_cannot_be_approved() -> None:
    reviewed = review(_draft(LineStatus.MISSING), by="张", at=T1)
    with pytest.raises(SettlementError, match="missing KPI values"):
        approve(reviewed, by="李", at=T2)


def test_an_approved_statement_cannot_be_reviewed_or_approved_again() -> None:
    approved = approve(review(_draft(), by="张", at=T1), by="李", at=T2)
    with pytest.raises(StatementLockedError):
        review(approved, by="王", at=T2)
    with pytest.raises(StatementLockedError):
        approve(replace(approved), by="王", at=T2)


def test_a_step_needs_a_name() -> None:
    with pytest.raises(SettlementError, match="--by"):
        review(_draft(), by="  ", at=T1)


def test_the_drafter_may_not_review_its_own_draft() -> None:
    with pytest.raises(SettlementError, match="drafted"):
        review(replace(_draft(), created_by="赵编制"), by="赵编制", at=T1)


@pytest.mark.parametrize(("approver", "role"), [("赵编制", "drafted"), ("张审核", "reviewed")])
def test_neither_the_drafter_nor_the_reviewer_may_approve(approver: str, role: str) -> None:
    reviewed = review(replace(_draft(), created_by="赵编制"), by="张审核", at=T1)
    with pytest.raises(SettlementError, match=role):
        approve(reviewed, by=approver, at=T2)
