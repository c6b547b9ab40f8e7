"""The synthetic city behaves like a city: seasonality, skew, and a weak and a strong district.

Every figure is computed here from the written files with DuckDB; truth.json
is read only for which district is meant to be strong and which weak.
"""

from __future__ import annotations

import json

import duckdb
import pytest

from cityops.synth import SynthSummary

LOCAL = "make_timestamp(epoch_us({0}) + 28800000000)"
"""A timestamp column as Asia/Shanghai wall-clock time, whatever the session zone."""

# Each query yields (district_code, value) rows; higher is better unless listed as lower-better.
DIMENSIONS: dict[str, str] = {
    "registration_coverage": """
        SELECT left(u.region_code, 6), count(DISTINCT u.user_id) / any_value(r.resident_population)
        FROM portal_users u JOIN regions r ON r.region_code = left(u.region_code, 6)
        GROUP BY 1""",
    "real_name_share": """
        SELECT left(region_code, 6), avg(real_name::INT) FROM (
            SELECT region_code, real_name FROM portal_users
            QUALIFY row_number() OVER (PARTITION BY user_id ORDER BY registered_at DESC) = 1)
        GROUP BY 1""",
    "monthly_active_share": """
        WITH home AS (SELECT user_id, any_value(region_code) AS region_code FROM portal_users
                      GROUP BY user_id),
             active AS (SELECT DISTINCT user_id FROM portal_events)
        SELECT left(h.region_code, 6), avg((a.user_id IS NOT NULL)::INT)
        FROM home h LEFT JOIN active a USING (user_id) GROUP BY 1""",
    "service_success_rate": """
        WITH home AS (SELECT user_id, any_value(region_code) AS region_code FROM portal_users
                      GROUP BY user_id)
        SELECT left(h.region_code, 6), avg(e.success::INT)
        FROM portal_events e JOIN home h USING (user_id)
        WHERE e.event_type = 'service_call' GROUP BY 1""",
    "rating_good_rate": """
        WITH home AS (SELECT user_id, any_value(region_code) AS region_code FROM portal_users
                      GROUP BY user_id)
        SELECT left(h.region_code, 6), avg((p.rating >= 3)::INT)
        FROM portal_ratings p JOIN home h USING (user_id) GROUP BY 1""",
    "response_30min_rate": """
        SELECT left(region_code, 6), avg((responded - created <= INTERVAL 30 MINUTE)::INT)
        FROM (SELECT any_value(region_code) AS region_code,
                     min(ts) FILTER (WHERE status = 'created') AS created,
                     coalesce(min(ts) FILTER (WHERE status = 'responded'),
                              TIMESTAMPTZ '2100-01-01') AS responded
              FROM ticket_events GROUP BY ticket_id) GROUP BY 1""",
    "night_response_30min_rate": f"""
        SELECT left(region_code, 6), avg((responded - created <= INTERVAL 30 MINUTE)::INT)
        FROM (SELECT any_value(region_code) AS region_code,
                     min(ts) FILTER (WHERE status = 'created') AS created,
                     coalesce(min(ts) FILTER (WHERE status = 'responded'),
                              TIMESTAMPTZ '2100-01-01') AS responded
              FROM ticket_events GROUP BY ticket_id)
        WHERE hour({LOCAL.format("created")}) >= 22 OR hour({LOCAL.format("created")}) < 6
        GROUP BY 1""",
    "on_time_closure_rate": """
        SELECT left(region_code, 6), avg((coalesce(closed <= due, false))::INT)
        FROM (SELECT any_value(region_code) AS region_code,
                     min(due_at) AS due, min(ts) FILTER (WHERE status = 'closed') AS closed
              FROM ticket_events GROUP BY ticket_id)
        WHERE due < (SELECT max(ts) FROM ticket_events) GROUP BY 1""",
    "callback_satisfaction": """
        SELECT left(region_code, 6), avg((satisfaction >= 4)::INT)
        FROM ticket_events WHERE status = 'callback' GROUP BY 1""",
    "camera_sharing_rate": """
        SELECT left(region_code, 6), avg(shared::INT) FROM devices WHERE kind = 'camera'
        GROUP BY 1""",
    "camera_ok_heartbeat_share": """
        SELECT left(d.region_code, 6), count(*) FILTER (WHERE h.status = 'ok')
               / sum(86400 * 59 / d.heartbeat_interval_s)
        FROM devices d JOIN device_heartbeats h USING (device_id)
        WHERE d.kind = 'camera' AND d.retired_at IS NULL AND d.installed_at < DATE '2025-01-01'
        GROUP BY 1""",
    "data_quality_pass_rate": """
        SELECT left(r.region_code, 6), 1 - sum(q.rows_failed) / sum(q.rows_checked)
        FROM data_quality_checks q JOIN data_resources r USING (resource_id)
        WHERE length(r.region_code) >= 6 AND r.region_code <> '970100' GROUP BY 1""",
    "data_sharing_rate": """
        SELECT region_code, avg((share_type <> 'none')::INT) FROM data_resources
        WHERE region_code <> '970100' GROUP BY 1""",
    "portal_service_share": """
        SELECT region_code, avg(on_portal::INT) FROM services
        WHERE region_code <> '970100' GROUP BY 1""",
    "mechanism_score": """
        SELECT region_code, sum(score) / 19 FROM mechanism_evidence GROUP BY 1""",
    "public_survey_score": """
        SELECT region_code, sum(score * sample_size) / sum(sample_size) FROM surveys
        WHERE respondent = 'public' GROUP BY 1""",
    "system_availability": """
        SELECT s.region_code, avg(p.up::INT) FROM system_probes p JOIN systems s USING (system_id)
        WHERE s.region_code <> '970100' GROUP BY 1""",
    "network_latency_ms": """
        SELECT left(region_code, 6), median(latency_ms) FROM network_probes WHERE up GROUP BY 1""",
}
LOWER_IS_BETTER = {"network_latency_ms"}


@pytest.fixture(scope="module")
def strong_and_weak(tiny_city: SynthSummary) -> tuple[str, str]:
    truth = json.loads((tiny_city.out / "truth.json").read_text(encoding="utf-8"))
    return truth["strong_district"], truth["weak_district"]


@pytest.mark.parametrize("dimension", sorted(DIMENSIONS))
def test_weak_district_is_worse_than_strong(
    lake: duckdb.DuckDBPyConnection, strong_and_weak: tuple[str, str], dimension: str
) -> None:
    values = dict(lake.execute(DIMENSIONS[dimension]).fetchall())
    strong, weak = (float(values[code]) for code in strong_and_weak)
    if dimension in LOWER_IS_BETTER:
        assert weak > strong
    else:
        assert weak < strong


def test_weekday_activity_exceeds_weekend(lake: duckdb.DuckDBPyConnection) -> None:
    row = lake.execute(
        f"""
        WITH daily AS (SELECT {LOCAL.format("ts")}::DATE AS day, count(*) AS events
                       FROM portal_events GROUP BY 1)
        SELECT avg(events) FILTER (WHERE isodow(day) <= 5),
               avg(events) FILTER (WHERE isodow(day) >= 6)
        FROM daily
        """
    ).fetchone()
    assert row is not None
    weekday, weekend = row
    assert weekday > 1.2 * weekend


def test_daytime_hours_are_busier_than_night_hours(lake: duckdb.DuckDBPyConnection) -> None:
    row = lake.execute(
        f"""
        SELECT count(*) FILTER (WHERE hour({LOCAL.format("ts")}) BETWEEN 9 AND 16) / 8,
               count(*) FILTER (WHERE hour({LOCAL.format("ts")}) BETWEEN 1 AND 5) / 5
        FROM portal_events
        """
    ).fetchone()
    assert row is not None
    day_per_hour, night_per_hour = row
    assert day_per_hour > 10 * night_per_hour


def test_response_times_are_right_skewed(lake: duckdb.DuckDBPyConnection) -> None:
    row = lake.execute(
        """
        WITH t AS (SELECT epoch(min(ts) FILTER (WHERE status = 'responded'))
                          - epoch(min(ts) FILTER (WHERE status = 'created')) AS seconds
                   FROM ticket_events GROUP BY ticket_id)
        SELECT avg(seconds), median(seconds), skewness(seconds) FROM t WHERE seconds IS NOT NULL
        """
    ).fetchone()
    assert row is not None
    mean, median, skew = row
    assert mean > median
    assert skew > 1.0


def test_portal_activity_is_heavy_tailed_across_users(lake: duckdb.DuckDBPyConnection) -> None:
    row = lake.execute(
        """
        WITH per_user AS (SELECT user_id, count(*) AS n FROM portal_events GROUP BY 1),
             ranked AS (SELECT n, ntile(10) OVER (ORDER BY n DESC) AS decile FROM per_user)
        SELECT sum(n) FILTER (WHERE decile = 1) / sum(n) FROM ranked
        """
    ).fetchone()
    assert row is not None
    assert row[0] > 0.3  # the busiest tenth of users makes well over a tenth of the events


def test_registrations_continue_during_the_window(lake: duckdb.DuckDBPyConnection) -> None:
    row = lake.execute(
        """
        SELECT count(*) FILTER (WHERE registered_at < TIMESTAMPTZ '2025-01-01 00:00:00+08'),
               count(*) FILTER (WHERE registered_at >= TIMESTAMPTZ '2025-01-01 00:00:00+08'
                                AND event_id LIKE 'pu%'),
               count(*) FILTER (WHERE event_id LIKE 'pm%')
        FROM portal_users
        """
    ).fetchone()
    assert row is not None
    before, during, changes = row
    assert before > during > 0
    assert changes > 0
