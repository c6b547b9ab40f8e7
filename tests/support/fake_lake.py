"""Hand-built contract datasets for tests of any engine: a fake lake on DuckDB.

Every contract table starts empty with its contract Arrow schema; a test fills
the few it needs with hand-written rows (optional fields may be left out), so
the expected value of an indicator can be worked out by hand.  The region tree
is small and fixed::

    330100 示范市 (city, 1,000,000 residents)
    ├── 330102 上城区 (district, 400,000)
    │   └── 330102001 清波街道 (street, 100,000)
    └── 330105 拱墅区 (district, 600,000)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

import duckdb
import pyarrow as pa

from cityops.domain.contract import TABLES, table
from cityops.domain.period import CITY_TZ, Period
from cityops.indicators.engine import compute_indicators
from cityops.indicators.facts import IndicatorFact
from cityops.lake.schema import arrow_schema

__all__ = [
    "CITY",
    "DISTRICT_A",
    "DISTRICT_B",
    "PERIOD",
    "REGIONS",
    "STREET_A1",
    "FakeLake",
    "at",
    "day",
    "ticket_event",
    "user_row",
]

PERIOD = Period(2025, 3)
CITY, DISTRICT_A, STREET_A1, DISTRICT_B = "330100", "330102", "330102001", "330105"

REGIONS: tuple[dict[str, Any], ...] = (
    {
        "region_code": CITY,
        "name": "示范市",
        "level": "city",
        "parent_code": None,
        "resident_population": 1_000_000,
    },
    {
        "region_code": DISTRICT_A,
        "name": "上城区",
        "level": "district",
        "parent_code": CITY,
        "resident_population": 400_000,
    },
    {
        "region_code": STREET_A1,
        "name": "清波街道",
        "level": "street",
        "parent_code": DISTRICT_A,
        "resident_population": 100_000,
    },
    {
        "region_code": DISTRICT_B,
        "name": "拱墅区",
        "level": "district",
        "parent_code": CITY,
        "resident_population": 600_000,
    },
)


def at(text: str) -> datetime:
    """A local (Asia/Shanghai) instant written ``YYYY-MM-DD HH:MM[:SS]``."""
    return datetime.fromisoformat(text).replace(tzinfo=CITY_TZ)


def day(text: str) -> date:
    return date.fromisoformat(text)


class FakeLake:
    """Contract tables as registered Arrow tables on one DuckDB connection."""

    def __init__(self) -> None:
        self.con = duckdb.connect()
        for contract_table in TABLES:
            self.con.register(contract_table.name, arrow_schema(contract_table).empty_table())
        self.add("regions", REGIONS)

    def add(self, name: str, rows: Sequence[Mapping[str, Any]]) -> None:
        """Replace table ``name`` with ``rows``; omitted fields are null."""
        schema = arrow_schema(table(name))
        complete = [{field: row.get(field) for field in schema.names} for row in rows]
        self.con.register(name, pa.Table.from_pylist(complete, schema=schema))

    def compute(self, code: str, period: Period = PERIOD) -> dict[str, IndicatorFact]:
        """The facts of one indicator, by region code."""
        facts = compute_indicators(self.con, period, [code])
        return {fact.region_code: fact for fact in facts}

    def values(self, code: str, period: Period = PERIOD) -> dict[str, float | None]:
        return {region: fact.value for region, fact in self.compute(code, period).items()}


def user_row(user_id: str, region: str, registered: str, real_name: bool = True) -> dict[str, Any]:
    """A ``portal_users`` row (registration or change of residence)."""
    return {
        "event_id": f"{user_id}@{registered}",
        "user_id": user_id,
        "region_code": region,
        "registered_at": at(registered),
        "real_name": real_name,
        "channel": "app",
    }


def ticket_event(ticket: str, status: str, ts: str, region: str, **fields: Any) -> dict[str, Any]:
    """A ``ticket_events`` row; ``fields`` add satisfaction, due_at, …"""
    return {
        "event_id": f"{ticket}-{status}-{ts}",
        "ticket_id": ticket,
        "ts": at(ts),
        "status": status,
        "region_code": region,
        "category": "c",
        "department": "d",
        "channel": "phone",
    } | fields
