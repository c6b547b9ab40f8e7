"""Every reference points at a row of its register, and the region tree is consistent."""

from __future__ import annotations

import duckdb
import pytest

REGION_REFERENCES = [
    "services",
    "devices",
    "cloud_resources",
    "data_resources",
    "systems",
    "staff",
    "portal_users",
    "ticket_events",
    "cloud_requests",
    "network_probes",
    "security_events",
    "mechanism_evidence",
    "surveys",
]
ID_REFERENCES = [
    ("portal_events", "service_id", "services", "service_id"),
    ("portal_ratings", "service_id", "services", "service_id"),
    ("portal_events", "user_id", "portal_users", "user_id"),
    ("portal_ratings", "user_id", "portal_users", "user_id"),
    ("device_heartbeats", "device_id", "devices", "device_id"),
    ("cloud_usage", "resource_id", "cloud_resources", "resource_id"),
    ("data_quality_checks", "resource_id", "data_resources", "resource_id"),
    ("data_sharing_calls", "resource_id", "data_resources", "resource_id"),
    ("system_probes", "system_id", "systems", "system_id"),
    ("security_events", "system_id", "systems", "system_id"),
]


def _orphans(lake: duckdb.DuckDBPyConnection, child: str, key: str, parent: str, pkey: str) -> int:
    row = lake.execute(
        f"SELECT count(*) FROM {child} c WHERE c.{key} IS NOT NULL "
        f"AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE p.{pkey} = c.{key})"
    ).fetchone()
    assert row is not None
    return int(row[0])


@pytest.mark.parametrize("child", REGION_REFERENCES)
def test_every_region_code_exists_in_regions(lake: duckdb.DuckDBPyConnection, child: str) -> None:
    assert _orphans(lake, child, "region_code", "regions", "region_code") == 0


@pytest.mark.parametrize(("child", "key", "parent", "pkey"), ID_REFERENCES)
def test_every_referenced_id_exists_in_its_register(
    lake: duckdb.DuckDBPyConnection, child: str, key: str, parent: str, pkey: str
) -> None:
    assert _orphans(lake, child, key, parent, pkey) == 0


@pytest.mark.parametrize(
    ("table", "identity"),
    [
        ("portal_events", "event_id"),
        ("portal_ratings", "event_id"),
        ("portal_users", "event_id"),
        ("ticket_events", "event_id"),
        ("device_heartbeats", "device_id, ts"),
        ("network_probes", "link_id, ts"),
        ("data_quality_checks", "event_id"),
        ("security_events", "event_id"),
        ("mechanism_evidence", "region_code, period, item_code"),
        ("surveys", "region_code, period, respondent"),
        ("regions", "region_code"),
        ("services", "service_id"),
    ],
)
def test_identities_are_unique(lake: duckdb.DuckDBPyConnection, table: str, identity: str) -> None:
    row = lake.execute(f"SELECT count(*), count(DISTINCT ({identity})) FROM {table}").fetchone()
    assert row is not None
    assert row[0] == row[1]


def test_region_codes_follow_gbt2260_shape_and_nest(lake: duckdb.DuckDBPyConnection) -> None:
    rows = lake.execute("SELECT region_code, level, parent_code FROM regions").fetchall()
    by_code = {code: (level, parent) for code, level, parent in rows}
    for code, (level, parent) in by_code.items():
        if level == "province":
            assert code.endswith("0000")
            assert len(code) == 6
            assert parent is None
        elif level == "city":
            assert code.endswith("00")
            assert len(code) == 6
            assert by_code[parent][0] == "province"
        elif level == "district":
            assert len(code) == 6
            assert by_code[parent][0] == "city"
        else:
            assert len(code) == 9
            assert code.startswith(parent)
            assert by_code[parent][0] == "district"


def test_populations_add_up_from_streets_to_city(lake: duckdb.DuckDBPyConnection) -> None:
    mismatches = lake.execute(
        """
        SELECT p.region_code FROM regions p JOIN regions c ON c.parent_code = p.region_code
        WHERE p.level IN ('city', 'district')
        GROUP BY p.region_code, p.resident_population
        HAVING sum(c.resident_population) <> p.resident_population
        """
    ).fetchall()
    assert mismatches == []
    row = lake.execute(
        "SELECT max(resident_population) FILTER (WHERE level = 'province'),"
        " max(resident_population) FILTER (WHERE level = 'city') FROM regions"
    ).fetchone()
    assert row is not None
    assert row[0] > row[1]


def test_ticket_statuses_follow_the_lifecycle_in_time(lake: duckdb.DuckDBPyConnection) -> None:
    row = lake.execute(
        """
        WITH firsts AS (
            SELECT ticket_id,
                   min(ts) FILTER (WHERE status = 'created') AS created,
                   min(ts) FILTER (WHERE status = 'dispatched') AS dispatched,
                   min(ts) FILTER (WHERE status = 'responded') AS responded,
                   min(ts) FILTER (WHERE status = 'resolved') AS resolved,
                   min(ts) FILTER (WHERE status = 'closed') AS closed,
                   min(ts) FILTER (WHERE status = 'callback') AS callback,
                   min(ts) AS earliest
            FROM ticket_events GROUP BY ticket_id
        )
        SELECT count(*) FILTER (WHERE created IS NULL OR earliest <> created
                                OR dispatched <= created OR responded <= dispatched
                                OR resolved <= responded OR closed <= resolved
                                OR callback <= closed)
        FROM firsts
        """
    ).fetchone()
    assert row == (0,)


def test_due_at_and_satisfaction_appear_only_where_the_contract_says(
    lake: duckdb.DuckDBPyConnection,
) -> None:
    row = lake.execute(
        """
        SELECT count(*) FILTER (WHERE (due_at IS NOT NULL) <> (status = 'created')),
               count(*) FILTER (WHERE (satisfaction IS NOT NULL) <> (status = 'callback'))
        FROM ticket_events
        """
    ).fetchone()
    assert row == (0, 0)


def test_logins_have_no_service_and_calls_have_one(lake: duckdb.DuckDBPyConnection) -> None:
    row = lake.execute(
        """
        SELECT count(*) FILTER (WHERE event_type = 'login'
                                AND (service_id IS NOT NULL OR success IS NOT NULL)),
               count(*) FILTER (WHERE event_type = 'service_call'
                                AND (service_id IS NULL OR success IS NULL))
        FROM portal_events
        """
    ).fetchone()
    assert row == (0, 0)


def test_security_phases_come_in_order_and_leak_is_per_incident(
    lake: duckdb.DuckDBPyConnection,
) -> None:
    row = lake.execute(
        """
        WITH ordered AS (
            SELECT incident_id, phase, leak,
                   row_number() OVER (PARTITION BY incident_id ORDER BY ts, event_id) AS position
            FROM security_events
        )
        SELECT count(*) FILTER (WHERE phase <> ['detected', 'responded', 'contained',
                                                'recovered'][position]),
               (SELECT count(*) FROM (SELECT incident_id FROM security_events
                                      GROUP BY 1 HAVING count(DISTINCT leak) > 1))
        FROM ordered
        """
    ).fetchone()
    assert row == (0, 0)


def test_heartbeats_fall_inside_each_device_active_window(lake: duckdb.DuckDBPyConnection) -> None:
    row = lake.execute(
        """
        SELECT count(*) FROM device_heartbeats h JOIN devices d USING (device_id)
        WHERE (epoch(h.ts)::BIGINT + 28800) // 86400 < epoch(d.installed_at)::BIGINT // 86400
           OR (d.retired_at IS NOT NULL
               AND (epoch(h.ts)::BIGINT + 28800) // 86400 >= epoch(d.retired_at)::BIGINT // 86400)
        """
    ).fetchone()
    assert row == (0,)
