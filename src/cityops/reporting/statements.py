"""The settlement part of a report (结算情况): the statements of the period as the
register holds them, amounts exact (Decimal), statuses in the report's language."""

from __future__ import annotations

from collections.abc import Sequence

from cityops.messages import Lang
from cityops.reporting.labels import label
from cityops.reporting.model import StatementLineRow, StatementRow
from cityops.settlement.statement import Statement

__all__ = ["statement_rows"]


def statement_rows(statements: Sequence[Statement], lang: Lang) -> tuple[StatementRow, ...]:
    """One row per statement, in contract order, with its lines."""
    return tuple(
        StatementRow(
            statement_id=s.statement_id,
            contract_id=s.contract_id,
            version=s.version,
            status=label(f"status.{s.status}", lang),
            complete=s.complete,
            base_amount=s.base_amount,
            fixed_amount=s.fixed_amount,
            total_points=s.total_points,
            total_deductions=s.total_deductions,
            total_bonuses=s.total_bonuses,
            total_payable=s.total_payable,
            withheld=s.withheld,
            lines=tuple(
                StatementLineRow(
                    clause_id=line.clause_id,
                    indicator=line.indicator,
                    region_code=line.region_code,
                    status=label(f"line.{line.status}", lang),
                    value=line.value,
                    completion=line.completion,
                    points=line.points,
                    share_amount=line.share_amount,
                    amount=line.amount,
                    deductions=line.deductions,
                    bonuses=line.bonuses,
                    note=line.note,
                )
                for line in s.lines
            ),
        )
        for s in sorted(statements, key=lambda s: (s.contract_id, s.version))
    )
