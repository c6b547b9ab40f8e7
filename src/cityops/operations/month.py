"""One region's month on DuckDB: the connection every operations query runs on.

``month_of(con, region, period, stored, catalogue, night)`` takes a cursor on the
workspace's analytics database (every contract table by its name, time zone
Asia/Shanghai; the unit of work gives one) and makes the temporary table
``in_region(region_code)``: the region and every region below it.  A cursor's
temporary tables are its own, so requests on cursors of one database never
see each other's.  A query keeps the rows of the region by joining its finest
``region_code`` to ``in_region``, so a district's figures include its
streets', computed from the rows themselves.

Queries name the month with DuckDB parameters, as the indicator bodies do:
``$region``, ``$period_start`` and ``$period_end`` (TIMESTAMPTZ, end
exclusive), ``$first_day``, ``$last_day`` and ``$end_day`` (DATE; ``$end_day``
is the day after the month), and the city's night, ``$night_start`` and
``$night_end`` (``cityops.domain.night``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa

from cityops.domain.night import DEFAULT_NIGHT, NightHours
from cityops.domain.period import Period
from cityops.indicators.catalogue import Catalogue
from cityops.types import RegionCode

__all__ = ["MonthQuery", "month_index", "month_of"]

_PARAMETER = re.compile(r"\$([a-z_]+)")

_IN_REGION = """
WITH RECURSIVE tree(region_code) AS (
    SELECT region_code FROM regions WHERE region_code = $region
    UNION
    SELECT child.region_code FROM regions AS child JOIN tree ON child.parent_code = tree.region_code
)
SELECT region_code FROM tree
"""
"""The region and its descendants; ``UNION`` stops on a cycle in bad data."""


def month_index(period: Period) -> int:
    """Months since year 0 (year × 12 + month − 1), so that months subtract; the
    same number as ``year(ts) * 12 + month(ts) - 1`` in SQL."""
    return period.year * 12 + period.month - 1


@dataclass(frozen=True, slots=True)
class MonthQuery:
    """Queries of one region and month on an open connection over a workspace."""

    con: duckdb.DuckDBPyConnection
    region_code: RegionCode
    period: Period
    stored_facts: pa.Table | None
    """The month's stored indicator facts (None: not computed yet)."""
    catalogue: Catalogue
    """The workspace's indicator catalogue: a figure not stored is computed with it."""
    night: NightHours = DEFAULT_NIGHT
    """The city's night (``[hotline]`` in ``cityops.toml``)."""

    @property
    def parameters(self) -> Mapping[str, Any]:
        period = self.period
        return {
            "region": self.region_code,
            "period_start": period.start,
            "period_end": period.end,
            "first_day": period.first_day,
            "last_day": period.last_day,
            "end_day": period.next().first_day,
            **self.night.parameters,
        }

    def rows(self, sql: str, **extra: Any) -> list[dict[str, Any]]:
        """The rows of ``sql`` as dicts (``extra``: more parameters)."""
        rows: list[dict[str, Any]] = (
            self.con.sql(sql, params=self._named(sql, extra)).to_arrow_table().to_pylist()
        )
        return rows

    def one(self, sql: str, **extra: Any) -> dict[str, Any]:
        """The single row of an aggregate ``sql``."""
        [row] = self.rows(sql, **extra)
        return row

    def create(self, name: str, sql: str, **extra: Any) -> None:
        """Keep the result of ``sql`` as the temporary table ``name``, for a page whose
        queries all start from the same rows."""
        self.con.execute(f'CREATE TEMP TABLE "{name}" AS {sql}', self._named(sql, extra))

    def _named(self, sql: str, extra: Mapping[str, Any]) -> dict[str, Any]:
        """The parameters ``sql`` names (DuckDB rejects those a query does not use)."""
        every = {**self.parameters, **extra}
        return {name: every[name] for name in set(_PARAMETER.findall(sql))}


@contextmanager
def month_of(
    con: duckdb.DuckDBPyConnection,
    region_code: RegionCode,
    period: Period,
    stored_facts: pa.Table | None,
    catalogue: Catalogue,
    night: NightHours = DEFAULT_NIGHT,
) -> Iterator[MonthQuery]:
    """A ``MonthQuery`` on the cursor ``con`` for the length of a ``with`` block (the
    cursor is closed after it)."""
    try:
        query = MonthQuery(con, region_code, period, stored_facts, catalogue, night)
        query.create("in_region", _IN_REGION)
        yield query
    finally:
        con.close()
