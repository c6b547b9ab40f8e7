"""The statement workflow (审核流程): draft → reviewed → approved, each step with who
and when; an approved statement never changes — a correction is a new version.

Three people see every payment: the drafter (编制), the reviewer (复核) and the
approver (批准) are distinct.

The same rule is enforced three times: here (pure), in the store (which refuses
to write an approved row), and in the database itself (triggers of migration
0002), so no interface can alter an approved statement.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from cityops.errors import CityopsError
from cityops.settlement.statement import LineStatus, Statement, StatementStatus

__all__ = ["SettlementError", "StatementLockedError", "approve", "review"]


class SettlementError(CityopsError):
    """A settlement step cannot be done (unknown contract or statement, wrong state)."""


class StatementLockedError(SettlementError):
    """An approved statement was to be changed; settle again for a new version instead."""


def _check_open(statement: Statement) -> None:
    if statement.status is StatementStatus.APPROVED:
        raise StatementLockedError(
            f"statement {statement.statement_id} was approved by {statement.approved_by} "
            f"at {statement.approved_at} and cannot change; settle the period again "
            "for a corrected new version"
        )


def _check_actor(by: str) -> str:
    name = by.strip()
    if not name:
        raise SettlementError("say who does the step (--by NAME)")
    return name


def review(statement: Statement, *, by: str, at: datetime) -> Statement:
    """Mark a draft as reviewed (复核) by ``by`` at ``at``; not by its drafter."""
    _check_open(statement)
    if statement.status is not StatementStatus.DRAFT:
        raise SettlementError(f"statement {statement.statement_id} is already reviewed")
    actor = _check_actor(by)
    if actor == statement.created_by:
        raise SettlementError(
            f"{actor} drafted statement {statement.statement_id}; another person must review it"
        )
    return replace(statement, status=StatementStatus.REVIEWED, reviewed_by=actor, reviewed_at=at)


def approve(statement: Statement, *, by: str, at: datetime) -> Statement:
    """Approve (批准) a reviewed, complete statement; neither its drafter nor its
    reviewer may approve it (three people see every payment)."""
    _check_open(statement)
    actor = _check_actor(by)
    if statement.status is not StatementStatus.REVIEWED:
        raise SettlementError(
            f"statement {statement.statement_id} is a draft; review it before approving"
        )
    if not statement.complete:
        missing = ", ".join(
            line.clause_id for line in statement.lines if line.status is LineStatus.MISSING
        )
        raise SettlementError(
            f"statement {statement.statement_id} has missing KPI values ({missing}); "
            "compute the missing facts and settle the period again"
        )
    for role, person in (("drafted", statement.created_by), ("reviewed", statement.reviewed_by)):
        if actor == person:
            raise SettlementError(
                f"{actor} {role} statement {statement.statement_id}; a third person must approve it"
            )
    return replace(statement, status=StatementStatus.APPROVED, approved_by=actor, approved_at=at)
