"""truth.json holds the figures an independent count over the files gives, at every level."""

from __future__ import annotations

import json
from typing import Any

import duckdb
import pytest

from cityops.synth import SynthSummary

MONTH = "strftime(make_timestamp(epoch_us({0}) + 28800000000), '%Y-%m')"
ANCESTORS = """
    CREATE OR REPLACE TEMP TABLE ancestry AS
    WITH RECURSIVE up(region_code, ancestor) AS (
        SELECT region_code, region_code FROM regions
        UNION ALL
        SELECT up.region_code, r.parent_code FROM up JOIN regions r ON r.region_code = up.ancestor
        WHERE r.parent_code IS NOT NULL
    )
    SELECT * FROM up
"""
PERIOD_ENDS = """
    SELECT '2025-01' AS period, TIMESTAMPTZ '2025-02-01 00:00:00+08' AS period_end,
           DATE '2025-01-01' AS first_day, DATE '2025-02-01' AS after
    UNION ALL
    SELECT '2025-02', TIMESTAMPTZ '2025-03-01 00:00:00+08', DATE '2025-02-01', DATE '2025-03-01'
"""

# Each query yields (period, region_code, value) at the finest region; the test rolls it up.
COUNTS: dict[str, str] = {
    "tickets_created": f"""
        SELECT {MONTH.format("ts")}, region_code, count(*) FROM ticket_events
        WHERE status = 'created' GROUP BY ALL""",
    "tickets_responded_30min": f"""
        SELECT {MONTH.format("created")}, region_code, count(*) FROM (
            SELECT any_value(region_code) AS region_code,
                   min(ts) FILTER (WHERE status = 'created') AS created,
                   min(ts) FILTER (WHERE status = 'responded') AS responded
            FROM ticket_events GROUP BY ticket_id)
        WHERE responded - created <= INTERVAL 30 MINUTE GROUP BY ALL""",
    "tickets_closed_on_time": f"""
        SELECT {MONTH.format("due")}, region_code, count(*) FROM (
            SELECT any_value(region_code) AS region_code, min(due_at) AS due,
                   min(ts) FILTER (WHERE status = 'closed') AS closed
            FROM ticket_events GROUP BY ticket_id)
        WHERE closed <= due GROUP BY ALL""",
    "callbacks_satisfied": f"""
        SELECT {MONTH.format("ts")}, region_code, count(*) FROM ticket_events
        WHERE status = 'callback' AND satisfaction >= 4 GROUP BY ALL""",
    "registered_users": f"""
        WITH latest AS (
            SELECT p.period, u.user_id, u.region_code, u.real_name FROM portal_users u
            JOIN ({PERIOD_ENDS}) p ON u.registered_at < p.period_end
            QUALIFY row_number() OVER (PARTITION BY p.period, u.user_id
                                       ORDER BY u.registered_at DESC) = 1)
        SELECT period, region_code, count(*) FROM latest GROUP BY ALL""",
    "real_name_users": f"""
        WITH latest AS (
            SELECT p.period, u.user_id, u.region_code, u.real_name FROM portal_users u
            JOIN ({PERIOD_ENDS}) p ON u.registered_at < p.period_end
            QUALIFY row_number() OVER (PARTITION BY p.period, u.user_id
                                       ORDER BY u.registered_at DESC) = 1)
        SELECT period, region_code, count(*) FROM latest WHERE real_name GROUP BY ALL""",
    "active_users": f"""
        WITH latest AS (
            SELECT p.period, u.user_id, u.region_code FROM portal_users u
            JOIN ({PERIOD_ENDS}) p ON u.registered_at < p.period_end
            QUALIFY row_number() OVER (PARTITION BY p.period, u.user_id
                                       ORDER BY u.registered_at DESC) = 1),
        active AS (SELECT DISTINCT {MONTH.format("ts")} AS period, user_id FROM portal_events)
        SELECT period, region_code, count(*) FROM active JOIN latest USING (period, user_id)
        GROUP BY ALL""",
    "service_calls_ok": f"""
        WITH latest AS (
            SELECT p.period, u.user_id, u.region_code FROM portal_users u
            JOIN ({PERIOD_ENDS}) p ON u.registered_at < p.period_end
            QUALIFY row_number() OVER (PARTITION BY p.period, u.user_id
                                       ORDER BY u.registered_at DESC) = 1)
        SELECT e.period, l.region_code, count(*) FROM
            (SELECT {MONTH.format("ts")} AS period, user_id FROM portal_events WHERE success) e
            JOIN latest l USING (period, user_id) GROUP BY ALL""",
    "active_cameras": f"""
        SELECT p.period, d.region_code, count(*) FROM devices d, ({PERIOD_ENDS}) p
        WHERE d.kind = 'camera' AND d.installed_at < p.after
          AND (d.retired_at IS NULL OR d.retired_at >= p.first_day)
        GROUP BY ALL""",
    "intact_cameras": f"""
        WITH p AS ({PERIOD_ENDS}),
        active AS (
            SELECT p.period, d.device_id, d.region_code, d.heartbeat_interval_s AS step,
                   datediff('day', greatest(d.installed_at, p.first_day),
                            least(coalesce(d.retired_at, p.after), p.after)) * 86400 AS seconds
            FROM devices d, p
            WHERE d.kind = 'camera' AND d.installed_at < p.after
              AND (d.retired_at IS NULL OR d.retired_at >= p.first_day)),
        ok AS (
            SELECT {MONTH.format("h.ts")} AS period, h.device_id,
                   count(DISTINCT epoch(h.ts)::BIGINT // d.heartbeat_interval_s) AS slots
            FROM device_heartbeats h JOIN devices d USING (device_id)
            WHERE h.status = 'ok' GROUP BY ALL)
        SELECT a.period, a.region_code, count(*) FROM active a
        LEFT JOIN ok USING (period, device_id)
        WHERE a.seconds > 0 AND least(1.0, coalesce(ok.slots, 0) / (a.seconds / a.step)) >= 0.95
        GROUP BY ALL""",
    "quality_rows_failed": f"""
        SELECT {MONTH.format("q.ts")}, r.region_code, sum(q.rows_failed)
        FROM data_quality_checks q JOIN data_resources r USING (resource_id) GROUP BY ALL""",
    "leak_incidents": f"""
        SELECT {MONTH.format("ts")}, region_code, count(*) FROM (
            SELECT incident_id, arg_min(region_code, ts) AS region_code, min(ts) AS ts,
                   bool_or(leak) AS leak FROM security_events GROUP BY 1)
        WHERE leak GROUP BY ALL""",
    "services_on_portal": f"""
        SELECT p.period, s.region_code, count(*) FROM services s, ({PERIOD_ENDS}) p
        WHERE s.on_portal AND s.online_since < p.after
          AND (s.offline_at IS NULL OR s.offline_at >= p.first_day)
        GROUP BY ALL""",
}


@pytest.fixture(scope="module")
def truth(tiny_city: SynthSummary) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((tiny_city.out / "truth.json").read_text(encoding="utf-8"))
    return loaded


@pytest.mark.parametrize("metric", sorted(COUNTS))
def test_truth_matches_an_independent_count_at_every_level(
    lake: duckdb.DuckDBPyConnection, truth: dict[str, Any], metric: str
) -> None:
    lake.execute(ANCESTORS)
    rows = lake.execute(
        f"""
        WITH finest(period, region_code, value) AS ({COUNTS[metric]})
        SELECT f.period, a.ancestor, sum(f.value) FROM finest f
        JOIN ancestry a USING (region_code) GROUP BY ALL
        """
    ).fetchall()
    independent = {(period, code): int(value) for period, code, value in rows}
    for period, data in truth["months_data"].items():
        for code, value in data[metric].items():
            assert value == independent.get((period, code), 0), (metric, period, code)


def test_truth_names_regions_and_the_strong_and_weak_districts(
    lake: duckdb.DuckDBPyConnection, truth: dict[str, Any]
) -> None:
    rows = lake.execute("SELECT region_code, name, level, resident_population FROM regions")
    expected = {code: (name, level, pop) for code, name, level, pop in rows.fetchall()}
    assert {
        code: (r["name"], r["level"], r["resident_population"])
        for code, r in truth["regions"].items()
    } == expected
    assert expected[truth["strong_district"]][1] == "district"
    assert expected[truth["weak_district"]][1] == "district"
    assert truth["strong_district"] != truth["weak_district"]
    assert sorted(truth["months_data"]) == ["2025-01", "2025-02"]


def test_truth_mechanism_scores_are_the_rows_of_each_region(
    lake: duckdb.DuckDBPyConnection, truth: dict[str, Any]
) -> None:
    rows = lake.execute("SELECT period, region_code, item_code, score FROM mechanism_evidence")
    expected: dict[str, dict[str, dict[str, float]]] = {}
    for period, code, item, score in rows.fetchall():
        expected.setdefault(period, {}).setdefault(code, {})[item] = score
    for period, data in truth["months_data"].items():
        assert data["mechanism_evidence"] == expected[period]
