"""Indicators whose computation is written in the catalogue (``[indicator.computation]``),
on hand-built rows and on every engine (the conftest runs each case on DuckDB and
Spark): the example city's indicator, each way of rolling up, and every SQL
construct a city may write, each checked against counts worked out by hand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from city_catalogue import EXAMPLE_CATALOGUE, sql_indicator, write_city_catalogue

from cityops.domain.period import Period
from cityops.indicators.catalogue import load_catalogue
from cityops.indicators.engine import compute_indicators

from fake_lake import CITY, DISTRICT_A, DISTRICT_B, PERIOD, STREET_A1, FakeLake, at, day

EXAMPLE = "data.sharing_call_success_rate"


def _resource(resource_id: str, region: str) -> dict[str, Any]:
    return {
        "resource_id": resource_id,
        "department": "数据局",
        "region_code": region,
        "name": resource_id,
        "classification": "general",
        "share_type": "conditional",
        "open_type": "none",
        "update_frequency": "daily",
        "record_count": 100,
    }


def _call(event_id: str, resource_id: str, ts: str, success: bool | None) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "ts": at(ts),
        "resource_id": resource_id,
        "provider_department": "数据局",
        "consumer_department": "公安局",
        "rows": 10,
        "success": success,
    }


@pytest.fixture
def sharing_lake() -> FakeLake:
    lake = FakeLake()
    lake.add(
        "data_resources",
        [_resource("r1", STREET_A1), _resource("r2", DISTRICT_A), _resource("r3", DISTRICT_B)],
    )
    return lake


def test_the_example_indicator_for_a_street_its_district_and_the_city(
    sharing_lake: FakeLake,
) -> None:
    sharing_lake.add(
        "data_sharing_calls",
        [
            _call("c1", "r1", "2025-03-01 00:00", True),  # the first instant of March
            _call("c2", "r1", "2025-03-10 09:00", False),
            _call("c3", "r1", "2025-03-31 23:59:59", True),  # the last second of March
            _call("c4", "r1", "2025-04-01 00:00", True),  # April: not counted
            _call("c5", "r1", "2025-02-28 23:59", True),  # February: not counted
            _call("c6", "r2", "2025-03-05 10:00", True),
            _call("c7", "r3", "2025-03-05 10:00", False),
            _call("c8", "r3", "2025-03-06 10:00", None),  # no outcome: not a success
            _call("c9", "r9", "2025-03-07 10:00", True),  # an unknown resource: no region
        ],
    )
    facts = sharing_lake.compute(EXAMPLE, catalogue=load_catalogue(EXAMPLE_CATALOGUE))
    figures = {
        region: (fact.value, fact.numerator, fact.denominator, fact.rows_read)
        for region, fact in facts.items()
    }
    # street: c1, c3 of c1–c3; district A adds its own r2's c6; B: c7, c8, no success;
    # the city: every call of March with a known resource, c1–c3 and c6–c8
    assert figures == {
        STREET_A1: (pytest.approx(2 / 3), 2, 3, 3),
        DISTRICT_A: (0.75, 3, 4, 4),
        DISTRICT_B: (0.0, 0, 2, 2),
        CITY: (0.5, 3, 6, 6),
    }
    assert {f.period for f in facts.values()} == {Period(2025, 3)}


def test_a_region_without_calls_has_no_value(sharing_lake: FakeLake) -> None:
    sharing_lake.add("data_sharing_calls", [_call("c1", "r1", "2025-03-01 10:00", True)])
    facts = sharing_lake.compute(EXAMPLE, catalogue=load_catalogue(EXAMPLE_CATALOGUE))
    assert (facts[DISTRICT_B].value, facts[DISTRICT_B].numerator) == (None, 0)
    assert (facts[DISTRICT_B].denominator, facts[DISTRICT_B].rows_read) == (0, 0)
    assert facts[CITY].value == 1.0


def test_a_distinct_count_is_taken_from_the_rows_at_every_level(tmp_path: Path) -> None:
    """A ticket whose events lie in two districts is one ticket for the city."""
    catalogue = load_catalogue(
        write_city_catalogue(
            tmp_path / "catalogue.toml",
            sql_indicator(
                "city.night_tickets",
                "ticket_events",
                "count(DISTINCT ticket_id) FILTER (WHERE status <> 'callback')",
                where="hour(ts) >= 22 OR hour(ts) < 6",
            ),
        )
    )
    lake = FakeLake()
    lake.add(
        "ticket_events",
        [
            _ticket("t1", "created", "2025-03-03 23:00", STREET_A1),
            _ticket("t1", "responded", "2025-03-03 23:20", STREET_A1),
            _ticket("t1", "closed", "2025-03-04 01:00", DISTRICT_B),  # moved to district B
            _ticket("t2", "created", "2025-03-05 05:59", DISTRICT_B),
            _ticket("t3", "created", "2025-03-05 06:00", DISTRICT_B),  # day time
            _ticket("t4", "callback", "2025-03-06 22:30", DISTRICT_A),  # a callback only
            _ticket("t5", "created", "2025-02-28 23:00", DISTRICT_A),  # February
        ],
    )
    facts = lake.compute("city.night_tickets", catalogue=catalogue)
    # street: t1; A: t1 (t4's row is a callback); B: t1, t2; city: t1, t2 (not 1 + 2)
    assert {r: (f.value, f.denominator) for r, f in facts.items()} == {
        STREET_A1: (1, None),
        DISTRICT_A: (1, None),
        DISTRICT_B: (2, None),
        CITY: (2, None),
    }
    # rows read: the night rows under the region, t4's callback included
    assert {r: f.rows_read for r, f in facts.items()} == {
        STREET_A1: 2,
        DISTRICT_A: 3,
        DISTRICT_B: 2,
        CITY: 5,
    }


def _ticket(ticket: str, status: str, ts: str, region: str) -> dict[str, Any]:
    return {
        "event_id": f"{ticket}-{status}",
        "ticket_id": ticket,
        "ts": at(ts),
        "status": status,
        "region_code": region,
        "category": "c",
        "department": "d",
        "channel": "phone",
    }


def test_sums_over_a_period_column_give_a_weighted_mean(tmp_path: Path) -> None:
    """企业满意度: the sample-weighted mean score of the enterprise surveys of March."""
    catalogue = load_catalogue(
        write_city_catalogue(
            tmp_path / "catalogue.toml",
            sql_indicator(
                "city.enterprise_satisfaction",
                "surveys",
                "sum(score * sample_size)",
                denominator="sum(sample_size)",
                where="respondent = 'enterprise'",
            ),
        )
    )
    survey = {"respondent": "enterprise", "period": "2025-03"}
    lake = FakeLake()
    lake.add(
        "surveys",
        [
            survey | {"region_code": STREET_A1, "score": 80.1, "sample_size": 30},
            survey | {"region_code": DISTRICT_A, "score": 90.2, "sample_size": 10},
            survey | {"region_code": DISTRICT_B, "score": 70.3, "sample_size": 60},
            survey
            | {"region_code": DISTRICT_B, "score": 99.0, "period": "2025-02", "sample_size": 5},
            survey
            | {"region_code": CITY, "score": 10.0, "respondent": "public", "sample_size": 50},
        ],
    )
    facts = lake.compute("city.enterprise_satisfaction", catalogue=catalogue)
    # A: (80.1·30 + 90.2·10) ÷ 40 = (2403 + 902) ÷ 40 = 82.625
    # city: (2403 + 902 + 70.3·60) ÷ 100 = (3305 + 4218) ÷ 100 = 75.23
    assert facts[STREET_A1].value == pytest.approx(80.1)
    assert facts[DISTRICT_A].value == pytest.approx(82.625)
    assert (facts[DISTRICT_A].numerator, facts[DISTRICT_A].denominator) == (3305.0, 40.0)
    assert facts[DISTRICT_B].value == pytest.approx(70.3)
    assert facts[CITY].value == pytest.approx(75.23)
    assert (facts[CITY].numerator, facts[CITY].denominator, facts[CITY].rows_read) == (
        7523.0,
        100.0,
        3,
    )


def test_a_date_column_of_a_register_table_can_cut_the_month(tmp_path: Path) -> None:
    catalogue = load_catalogue(
        write_city_catalogue(
            tmp_path / "catalogue.toml",
            sql_indicator(
                "city.cameras_installed",
                "devices",
                "count(*) FILTER (WHERE kind = 'camera')",
                period="installed_at",
            ),
        )
    )
    device = {"kind": "camera", "shared": True, "heartbeat_interval_s": 300}
    lake = FakeLake()
    lake.add(
        "devices",
        [
            device
            | {"device_id": "d1", "region_code": STREET_A1, "installed_at": day("2025-03-01")},
            device
            | {"device_id": "d2", "region_code": DISTRICT_B, "installed_at": day("2025-03-31")},
            device
            | {"device_id": "d3", "region_code": DISTRICT_B, "installed_at": day("2025-04-01")},
            device
            | {"device_id": "d4", "region_code": DISTRICT_A, "installed_at": day("2025-02-28")},
            device
            | {
                "device_id": "s1",
                "kind": "sensor",
                "region_code": DISTRICT_A,
                "installed_at": day("2025-03-10"),
            },
        ],
    )
    facts = lake.compute("city.cameras_installed", catalogue=catalogue)
    # d1 and d2 are installed in March; s1 is not a camera; a count is 0, not missing
    assert {r: f.value for r, f in facts.items()} == {
        STREET_A1: 1,
        DISTRICT_A: 1,
        DISTRICT_B: 1,
        CITY: 2,
    }
    assert facts[DISTRICT_A].rows_read == 2  # d1 and s1


CONSTRUCTS: tuple[tuple[str, str, int], ...] = (
    # (table, condition, rows of March that meet it, counted by hand from the rows below)
    ("network_probes", "up", 2),
    ("network_probes", "NOT up", 1),
    ("network_probes", "up IS NULL", 1),
    ("network_probes", "latency_ms IS NOT NULL AND loss_pct IS NOT NULL", 2),
    ("network_probes", "latency_ms + loss_pct > 50", 1),
    ("network_probes", "latency_ms * 2 - 1 >= 109", 2),
    ("network_probes", "latency_ms / 4 < 3", 1),
    ("network_probes", "loss_pct / (latency_ms - 10) IS NULL", 3),
    ("network_probes", "-latency_ms < -100", 1),
    ("network_probes", "latency_ms BETWEEN 10 AND 55.5", 2),
    ("network_probes", "link_id IN ('L-1', 'l-3')", 2),
    ("network_probes", "link_id NOT IN ('L-1', 'l-3')", 2),
    ("network_probes", "link_id LIKE 'L-%'", 3),
    ("network_probes", "lower(link_id) LIKE 'l-_'", 4),
    ("network_probes", "upper(link_id) = 'L-3'", 1),
    ("network_probes", "abs(loss_pct - 2) <= 1", 2),
    ("network_probes", "coalesce(loss_pct, -1) < 0", 1),
    ("network_probes", "nullif(loss_pct, 0) IS NULL", 2),
    ("network_probes", "least(latency_ms, loss_pct) < 1", 1),
    ("network_probes", "greatest(latency_ms, loss_pct) >= 3", 4),
    ("network_probes", "hour(ts) >= 22 OR hour(ts) < 6", 3),
    ("network_probes", "CAST(ts AS DATE) = DATE '2025-03-02'", 1),
    ("network_probes", "CAST(ts AS DATE) >= '2025-03-03'", 2),
    ("network_probes", "ts + INTERVAL 90 MINUTE >= '2025-03-05 00:00:00+08:00'", 1),
    ("network_probes", "ts - INTERVAL '1' DAY < '2025-03-01 00:00:00+08:00'", 1),
    ("network_probes", "CASE WHEN up THEN latency_ms ELSE 0 END > 50", 1),
    ("network_probes", "if(up, 1, 0) = 1", 2),
    ("network_probes", "CAST(loss_pct AS DOUBLE) / 2 = 0.75", 1),
    ("data_sharing_calls", "rows / 4 = 2.5", 1),
    ("data_sharing_calls", "rows / 0 IS NULL", 3),
    ("data_sharing_calls", "provider_department <> consumer_department", 2),
    ("data_sharing_calls", "success IS TRUE", 1),
)

_PROBES = (
    # link, local time, latency_ms, loss_pct, up
    ("L-1", "2025-03-01 22:30", 10.0, 0.0, True),
    ("L-2", "2025-03-02 05:00", 55.5, 1.5, True),
    ("l-3", "2025-03-03 12:00", 120.0, None, False),
    ("L-4", "2025-03-04 23:59", None, 3.0, None),
    ("L-5", "2025-04-01 23:00", 1.0, 1.0, True),  # April: outside every count
)

_CALLS = (
    # event, rows, provider, consumer, success
    ("e1", 10, "数据局", "公安局", True),
    ("e2", 7, "数据局", "数据局", False),
    ("e3", 0, "公安局", "数据局", None),
)


def test_every_sql_construct_a_city_may_write_means_the_same_on_each_engine(
    tmp_path: Path,
) -> None:
    """Each allowed construct, translated for Spark like the rest: the rows of March it
    keeps are counted by hand (a division by zero is NULL on both engines)."""
    entries = [
        sql_indicator(
            f"city.construct_{number}",
            table,
            f"count(*) FILTER (WHERE {condition})",
            sources=[table, "data_resources"],
        )
        for number, (table, condition, _) in enumerate(CONSTRUCTS)
    ]
    catalogue = load_catalogue(write_city_catalogue(tmp_path / "catalogue.toml", *entries))
    lake = FakeLake()
    lake.add(
        "network_probes",
        [
            {"link_id": link, "region_code": STREET_A1, "ts": at(ts), "latency_ms": latency}
            | {"loss_pct": loss, "up": up}
            for link, ts, latency, loss, up in _PROBES
        ],
    )
    lake.add("data_resources", [_resource("r1", DISTRICT_B)])
    lake.add(
        "data_sharing_calls",
        [
            _call(event, "r1", "2025-03-15 10:00", success)
            | {"rows": rows, "provider_department": provider, "consumer_department": consumer}
            for event, rows, provider, consumer, success in _CALLS
        ],
    )
    facts = compute_indicators(
        type(lake).engine(lake.con), PERIOD, [e["code"] for e in entries], catalogue=catalogue
    )
    counted = {f.indicator: f.value for f in facts if f.region_code == CITY}
    expected = {e["code"]: float(n) for e, (_, _, n) in zip(entries, CONSTRUCTS, strict=True)}
    assert counted == expected
