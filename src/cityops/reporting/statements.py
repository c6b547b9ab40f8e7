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
            statement=s,
            status=label(f"status.{s.status}", lang),
            lines=tuple(
                StatementLineRow(line=line, status=label(f"line.{line.status}", lang))
                for line in s.lines
            ),
        )
        for s in sorted(statements, key=lambda s: (s.contract_id, s.version))
    )
