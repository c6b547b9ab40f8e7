"""Hand-built contract datasets for tests of any engine: a fake lake on DuckDB.

Every contract table starts empty with its contract Arrow schema; a test fills
the few it needs with hand-written rows (optional fields may be left out), so
the expected value of an indicator can be worked out by hand.  The region tree
is small and fixed::

    330100 示范市 (city, 1,000,000 residents)
    ├── 330102 上城区 (district, 400,000)
    │   └── 330102001 清波街道 (street, 100,000)
    └── 330105 拱墅区 (district, 600,000)

Like a lake opened with ``open_analytics``, the fake lake also exposes the
compact tables that ingest derives (``COMPACT_TABLES``: ``user_index``,
``user_registrations``, ``user_day_activity``, ``user_day_services``,
``device_day_slots``), rebuilt
from the contract tables whenever a table they read changes
(``derive_compact_tables``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, ClassVar

import duckdb
import pyarrow as pa

from cityops.domain.contract import TABLES, table
from cityops.domain.night import DEFAULT_NIGHT, NightHours
from cityops.domain.period import CITY_TZ, Period
from cityops.indicators.catalogue import Catalogue
from cityops.indicators.engine import DuckDBEngine, QueryEngine, compute_indicators
from cityops.indicators.facts import IndicatorFact
from cityops.lake.schema import arrow_schema
from cityops.types import RegionCode

__all__ = [
    "CITY",
    "COMPACT_TABLES",
    "DISTRICT_A",
    "DISTRICT_B",
    "PERIOD",
    "REGIONS",
    "STREET_A1",
    "FakeLake",
    "at",
    "day",
    "derive_compact_tables",
    "ticket_event",
    "user_row",
]

PERIOD = Period(2025, 3)
CITY, DISTRICT_A, STREET_A1, DISTRICT_B = (
    RegionCode("330100"),
    RegionCode("330102"),
    RegionCode("330102001"),
    RegionCode("330105"),
)

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


COMPACT_TABLES: dict[str, pa.Schema] = {
    "user_index": pa.schema([("user_id", pa.string()), ("user_ix", pa.int64())]),
    "user_registrations": pa.schema(
        [
            ("user_ix", pa.int64()),
            ("registered_at", pa.timestamp("us", tz=CITY_TZ.key)),
            ("event_id", pa.string()),
            ("region_code", pa.string()),
            ("real_name", pa.bool_()),
        ]
    ),
    "user_day_activity": pa.schema(
        [
            ("user_ix", pa.int64()),
            ("day", pa.date32()),
            ("events", pa.int64()),
            ("service_calls", pa.int64()),
            ("successful_calls", pa.int64()),
        ]
    ),
    "user_day_services": pa.schema(
        [
            ("user_ix", pa.int64()),
            ("day", pa.date32()),
            ("service_id", pa.string()),
            ("calls", pa.int64()),
            ("successes", pa.int64()),
        ]
    ),
    "device_day_slots": pa.schema(
        [
            ("device_id", pa.string()),
            ("day", pa.date32()),
            ("ok_slots", pa.int64()),
            ("fault_slots", pa.int64()),
        ]
    ),
}
"""The compact tables an indicator may read besides the contract tables, with the
types of the lake's views (``cityops.lake.connection``)."""

_USER_TABLES = tuple(t.name for t in TABLES if "user_id" in t.field_names)

_USER_INDEX_SQL = (
    "SELECT user_id, row_number() OVER (ORDER BY user_id) - 1 AS user_ix FROM ("
    + " UNION ".join(f"SELECT user_id FROM {name}" for name in _USER_TABLES)
    + ") AS u WHERE user_id IS NOT NULL"
)

_USER_DAY_ACTIVITY_SQL = (
    f"WITH ix AS ({_USER_INDEX_SQL}) "
    f"SELECT ix.user_ix, CAST(timezone('{CITY_TZ.key}', e.ts) AS DATE) AS day, "
    "count(*) AS events, count(*) FILTER (WHERE e.event_type = 'service_call') AS service_calls, "
    "count(*) FILTER (WHERE e.event_type = 'service_call' AND e.success IS TRUE) "
    "AS successful_calls "
    "FROM portal_events AS e JOIN ix ON ix.user_id = e.user_id "
    "GROUP BY ix.user_ix, day"
)

_USER_DAY_SERVICES_SQL = (
    f"WITH ix AS ({_USER_INDEX_SQL}) "
    f"SELECT ix.user_ix, CAST(timezone('{CITY_TZ.key}', e.ts) AS DATE) AS day, e.service_id, "
    "count(*) AS calls, count(*) FILTER (WHERE e.success IS TRUE) AS successes "
    "FROM portal_events AS e JOIN ix ON ix.user_id = e.user_id "
    "WHERE e.event_type = 'service_call' GROUP BY ix.user_ix, day, e.service_id"
)

_USER_REGISTRATIONS_SQL = (
    f"WITH ix AS ({_USER_INDEX_SQL}) "
    "SELECT ix.user_ix, p.registered_at, p.event_id, p.region_code, p.real_name "
    "FROM portal_users AS p JOIN ix ON ix.user_id = p.user_id"
)

_DEVICE_DAY_SLOTS_SQL = (
    f"SELECT h.device_id, CAST(timezone('{CITY_TZ.key}', h.ts) AS DATE) AS day, "
    "count(DISTINCT h.slot) FILTER (WHERE h.status = 'ok') AS ok_slots, "
    "count(DISTINCT h.slot) FILTER (WHERE h.status = 'fault') AS fault_slots "
    "FROM (SELECT b.*, epoch_us(b.ts) // (coalesce(d.heartbeat_interval_s, 300) * 1000000) "
    "AS slot FROM device_heartbeats AS b LEFT JOIN devices AS d USING (device_id)) AS h "
    "GROUP BY h.device_id, day"
)


def derive_compact_tables(con: duckdb.DuckDBPyConnection) -> dict[str, pa.Table]:
    """The compact tables of the contract tables on ``con``, the whole lake at once:
        every user of a table with ``user_id`` numbered densely in user_id order, the
        ``portal_users`` rows by that number, one row per user and local day of
        ``portal_events``, one row per user, local day and service of its service
    calls (how many, how many succeeded), and each device's distinct heartbeat slots (its
        ``heartbeat_interval_s``, 300 s when unknown) per local day and status.

        Written independently of ingest (which adds increments batch by batch); a test
        checks both give the same tables from the same rows
        (``tests/integration/indicators/test_compact_activity.py``).
    """
    queries = {
        "user_index": _USER_INDEX_SQL,
        "user_registrations": _USER_REGISTRATIONS_SQL,
        "user_day_activity": _USER_DAY_ACTIVITY_SQL,
        "user_day_services": _USER_DAY_SERVICES_SQL,
        "device_day_slots": _DEVICE_DAY_SLOTS_SQL,
    }
    return {
        name: con.sql(queries[name]).to_arrow_table().cast(schema)
        for name, schema in COMPACT_TABLES.items()
    }


def at(text: str) -> datetime:
    """A local (Asia/Shanghai) instant written ``YYYY-MM-DD HH:MM[:SS]``."""
    return datetime.fromisoformat(text).replace(tzinfo=CITY_TZ)


def day(text: str) -> date:
    return date.fromisoformat(text)


class FakeLake:
    """Contract tables as registered Arrow tables on one DuckDB connection."""

    engine: ClassVar[Callable[[duckdb.DuckDBPyConnection], QueryEngine]] = DuckDBEngine
    """The engine ``compute`` runs on, made from the lake's connection (the conftest of
    tests/unit/indicators swaps it to run each hand-built case on every engine)."""

    def __init__(self) -> None:
        self.con = duckdb.connect()
        for contract_table in TABLES:
            self.con.register(contract_table.name, arrow_schema(contract_table).empty_table())
        self._derive()
        self.add("regions", REGIONS)

    def add(self, name: str, rows: Sequence[Mapping[str, Any]]) -> None:
        """Replace table ``name`` with ``rows``; omitted fields are null."""
        schema = arrow_schema(table(name))
        complete = [{field: row.get(field) for field in schema.names} for row in rows]
        self.con.register(name, pa.Table.from_pylist(complete, schema=schema))
        if "user_id" in schema.names or name in ("devices", "device_heartbeats"):
            self._derive()

    def _derive(self) -> None:
        """Re-derive the compact tables, as ingest would after the new rows."""
        for name, rows in derive_compact_tables(self.con).items():
            self.con.register(name, rows)

    def compute(
        self,
        code: str,
        period: Period = PERIOD,
        *,
        catalogue: Catalogue | None = None,
        night: NightHours = DEFAULT_NIGHT,
    ) -> dict[str, IndicatorFact]:
        """The facts of one indicator (of the shipped catalogue unless told), by region."""
        engine = type(self).engine(self.con)
        facts = compute_indicators(engine, period, [code], catalogue=catalogue, night=night)
        return {fact.region_code: fact for fact in facts}

    def values(
        self, code: str, period: Period = PERIOD, *, night: NightHours = DEFAULT_NIGHT
    ) -> dict[str, float | None]:
        facts = self.compute(code, period, night=night)
        return {region: fact.value for region, fact in facts.items()}


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
