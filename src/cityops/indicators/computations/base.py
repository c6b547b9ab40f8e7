"""What a computation is: one SQL body per indicator, wrapped so every region gets a fact.

A body is a DuckDB ``SELECT`` that returns, per region it has rows for,
``region_code, numerator, denominator, rows_read`` (and ``value`` for a
``STATISTIC``).  Bodies that roll up join the finest region of each row to all
its ancestors through ``region_closure(ancestor, descendant)`` and group by the
ancestor, so every level is computed from the rows themselves.  The wrapper
left-joins the body to ``regions``, so a region without rows still gets a fact:
a count of 0, or a missing (NULL) ratio.

Parameters a body may use (DuckDB ``$name``): ``$period_start`` and
``$period_end`` (TIMESTAMPTZ, the month in Asia/Shanghai, end exclusive),
``$first_day`` and ``$last_day`` (DATE), ``$period`` ('YYYY-MM'), ``$days``
(days in the month), ``$items`` (a mechanism indicator's evidence items), and
``$night_start`` and ``$night_end`` (INTEGER, the city's night hours,
``cityops.domain.night``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["CLOSURE_SQL", "CLOSURE_TABLE", "Computation", "FactRow", "ValueKind"]

CLOSURE_TABLE = "region_closure"

FactRow = tuple[str, float | None, float | None, float | None, int]
"""One row of a computation's result, on any engine: region_code, value, numerator,
denominator, rows_read."""

CLOSURE_SQL = f"""
CREATE OR REPLACE TEMP TABLE {CLOSURE_TABLE} AS
WITH RECURSIVE closure(ancestor, descendant) AS (
    SELECT region_code, region_code FROM regions
    UNION
    SELECT closure.ancestor, child.region_code
    FROM closure JOIN regions AS child ON child.parent_code = closure.descendant
)
SELECT ancestor, descendant FROM closure
"""
"""Every (ancestor, descendant) pair of the region tree, each region its own
ancestor.  ``UNION`` (not ``UNION ALL``) stops on a cycle in bad data."""


class ValueKind(StrEnum):
    RATIO = "ratio"
    """value = scale × numerator ÷ denominator; missing when the denominator is 0."""
    COUNT = "count"
    """value = numerator (0 for a region without rows); no denominator."""
    STATISTIC = "statistic"
    """value computed by the body (a percentile); missing for a region without rows."""


@dataclass(frozen=True, slots=True)
class Computation:
    """How one indicator is computed on DuckDB."""

    code: str
    body: str
    kind: ValueKind = ValueKind.RATIO
    scale: float = 1.0

    @property
    def sql(self) -> str:
        """The full query: one row per region in ``regions``."""
        if self.kind is ValueKind.RATIO:
            numerator = "coalesce(b.numerator, 0)"
            denominator = "coalesce(b.denominator, 0)"
            value = f"{self.scale!r} * b.numerator / nullif(b.denominator, 0)"
        elif self.kind is ValueKind.COUNT:
            numerator = "coalesce(b.numerator, 0)"
            denominator = "NULL"
            value = numerator
        else:
            numerator, denominator, value = "b.numerator", "b.denominator", "b.value"
        return (
            f"WITH body AS ({self.body})\n"
            "SELECT r.region_code,\n"
            f"    CAST({value} AS DOUBLE) AS value,\n"
            f"    CAST({numerator} AS DOUBLE) AS numerator,\n"
            f"    CAST({denominator} AS DOUBLE) AS denominator,\n"
            "    CAST(coalesce(b.rows_read, 0) AS BIGINT) AS rows_read\n"
            "FROM regions AS r LEFT JOIN body AS b ON b.region_code = r.region_code\n"
            "ORDER BY r.region_code"
        )
