"""运营内容 indicators on hand-built rows; every expected value is worked by hand."""

from __future__ import annotations

from typing import Any

import pytest

from fake_lake import (
    CITY,
    DISTRICT_A,
    DISTRICT_B,
    STREET_A1,
    FakeLake,
    at,
    day,
)


def _device(device_id: str, region: str, shared: bool, **fields: Any) -> dict[str, Any]:
    base = {
        "device_id": device_id,
        "kind": "camera",
        "region_code": region,
        "installed_at": day("2024-01-01"),
        "shared": shared,
        "heartbeat_interval_s": 300,
    }
    return base | fields


def test_camera_sharing_rate_counts_cameras_active_on_the_period_boundaries() -> None:
    lake = FakeLake()
    lake.add(
        "devices",
        [
            _device("c1", STREET_A1, True),
            _device("c2", DISTRICT_A, False, installed_at=day("2025-03-31")),  # last day: active
            _device("c3", DISTRICT_A, True, installed_at=day("2025-04-01")),  # after P
            _device("c4", DISTRICT_B, True, retired_at=day("2025-03-01")),  # first day: active
            _device("c5", DISTRICT_B, True, retired_at=day("2025-02-28")),  # retired before P
            _device("s1", DISTRICT_B, False, kind="sensor"),  # not a camera
        ],
    )
    facts = lake.compute("infra.camera_sharing_rate")
    # street: c1 → 1/1; district A: c1, c2 → 1/2; B: c4 → 1/1; city: c1, c2, c4 → 2/3
    assert facts[STREET_A1].value == 1.0
    assert facts[DISTRICT_A].value == 0.5
    assert facts[DISTRICT_B].value == 1.0
    assert facts[CITY].value == pytest.approx(2 / 3)
    assert (facts[CITY].numerator, facts[CITY].denominator, facts[CITY].rows_read) == (2, 3, 3)


def test_camera_sharing_rate_is_missing_where_there_are_no_cameras() -> None:
    lake = FakeLake()
    lake.add("devices", [_device("c4", DISTRICT_B, True)])
    facts = lake.compute("infra.camera_sharing_rate")
    # district A has no camera: 0 ÷ 0 is missing, not 0
    assert facts[DISTRICT_A].value is None
    assert facts[DISTRICT_A].denominator == 0
    assert facts[CITY].value == 1.0


def test_network_latency_p95_interpolates_over_up_probes_of_the_month() -> None:
    lake = FakeLake()
    probe = {"link_id": "l1", "region_code": STREET_A1, "loss_pct": 0.0, "up": True}
    lake.add(
        "network_probes",
        [
            *(
                probe | {"ts": at(f"2025-03-0{i} 10:00"), "latency_ms": 10.0 * i}
                for i in range(1, 6)
            ),
            probe | {"ts": at("2025-03-06 10:00"), "latency_ms": 1000.0, "up": False},  # down
            probe | {"ts": at("2025-02-27 10:00"), "latency_ms": 900.0},  # February
            probe
            | {
                "link_id": "l2",
                "region_code": DISTRICT_B,
                "ts": at("2025-03-02 10:00"),
                "latency_ms": 100.0,
            },
        ],
    )
    values = lake.values("infra.network_latency_p95_ms")
    # street [10..50]: rank 0.95·4 = 3.8 → 40 + 0.8·10 = 48
    # city [10..50, 100]: rank 0.95·5 = 4.75 → 50 + 0.75·50 = 87.5
    assert values[STREET_A1] == pytest.approx(48.0)
    assert values[DISTRICT_A] == pytest.approx(48.0)
    assert values[DISTRICT_B] == pytest.approx(100.0)
    assert values[CITY] == pytest.approx(87.5)


def test_cloud_fulfilment_counts_a_request_once_and_72_hours_as_in_time() -> None:
    lake = FakeLake()
    request = {"department": "d", "fulfilled_at": None}
    lake.add(
        "cloud_requests",
        [
            request
            | {
                "event_id": "e1",
                "request_id": "r1",
                "region_code": DISTRICT_A,
                "requested_at": at("2025-03-01 00:00"),
                "fulfilled_at": at("2025-03-04 00:00"),
            },
            request
            | {
                "event_id": "e2",
                "request_id": "r2",
                "region_code": DISTRICT_A,
                "requested_at": at("2025-03-10 00:00"),
                "fulfilled_at": at("2025-03-13 00:01"),
            },
            request
            | {
                "event_id": "e3a",
                "request_id": "r3",
                "region_code": DISTRICT_B,
                "requested_at": at("2025-03-20 10:00"),
            },
            request
            | {
                "event_id": "e3b",
                "request_id": "r3",
                "region_code": DISTRICT_B,
                "requested_at": at("2025-03-20 10:00"),
                "fulfilled_at": at("2025-03-21 10:00"),
            },
            request
            | {
                "event_id": "e4",
                "request_id": "r4",
                "region_code": DISTRICT_B,
                "requested_at": at("2025-02-28 23:59"),
            },
        ],
    )
    values = lake.values("infra.cloud_fulfilment_rate")
    # A: r1 exactly 72 h (in time), r2 72 h 1 min (late) → 1/2
    # B: r3 (two rows, one request) fulfilled in 24 h → 1/1; r4 is February
    # city: 2/3
    assert values[DISTRICT_A] == 0.5
    assert values[DISTRICT_B] == 1.0
    assert values[CITY] == pytest.approx(2 / 3)


def _resources() -> list[dict[str, Any]]:
    resource = {
        "department": "d",
        "name": "n",
        "classification": "general",
        "update_frequency": "daily",
        "record_count": 10,
    }
    rows = [
        ("d1", STREET_A1, "unconditional", "none"),
        ("d2", DISTRICT_A, "none", "open"),
        ("d3", DISTRICT_B, "conditional", "conditional"),
        ("d4", DISTRICT_B, "none", "none"),
        ("d5", DISTRICT_B, "none", "open"),
    ]
    return [
        resource | {"resource_id": r, "region_code": g, "share_type": s, "open_type": o}
        for r, g, s, o in rows
    ]


def test_data_resource_count_adds_up_the_catalogue_under_each_region() -> None:
    lake = FakeLake()
    lake.add("data_resources", _resources())
    # street d1; A d1, d2; B d3, d4, d5; city all five
    assert lake.values("data.resource_count") == {
        CITY: 5.0,
        DISTRICT_A: 2.0,
        STREET_A1: 1.0,
        DISTRICT_B: 3.0,
    }


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        # share_type ≠ none: d1, d3 → street 1/1, A 1/2, B 1/3, city 2/5
        ("data.sharing_rate", {STREET_A1: 1.0, DISTRICT_A: 0.5, DISTRICT_B: 1 / 3, CITY: 0.4}),
        # open_type ≠ none: d2, d3, d5 → street 0/1, A 1/2, B 2/3, city 3/5
        ("data.open_rate", {STREET_A1: 0.0, DISTRICT_A: 0.5, DISTRICT_B: 2 / 3, CITY: 0.6}),
    ],
)
def test_data_sharing_and_open_rates_are_shares_of_catalogue_resources(
    code: str, expected: dict[str, float]
) -> None:
    lake = FakeLake()
    lake.add("data_resources", _resources())
    assert lake.values(code) == pytest.approx(expected)


def test_data_quality_pass_rate_pools_rows_checked_in_the_month() -> None:
    lake = FakeLake()
    lake.add("data_resources", _resources())
    check = {"dimension": "validity"}
    lake.add(
        "data_quality_checks",
        [
            check
            | {
                "event_id": "q1",
                "resource_id": "d1",
                "ts": at("2025-03-02 01:00"),
                "rows_checked": 1000,
                "rows_failed": 10,
            },
            check
            | {
                "event_id": "q2",
                "resource_id": "d2",
                "ts": at("2025-03-03 01:00"),
                "rows_checked": 500,
                "rows_failed": 50,
            },
            check
            | {
                "event_id": "q3",
                "resource_id": "d2",
                "ts": at("2025-02-03 01:00"),
                "rows_checked": 100,
                "rows_failed": 100,
            },  # February
            check
            | {
                "event_id": "q4",
                "resource_id": "d3",
                "ts": at("2025-03-03 01:00"),
                "rows_checked": 0,
                "rows_failed": 0,
            },
        ],
    )
    values = lake.values("data.quality_pass_rate")
    # street 990/1000; A and city (990 + 450)/1500 = 0.96; B checked 0 rows → missing
    assert values[STREET_A1] == pytest.approx(0.99)
    assert values[DISTRICT_A] == pytest.approx(0.96)
    assert values[CITY] == pytest.approx(0.96)
    assert values[DISTRICT_B] is None


def test_system_ratios_pool_the_counts_of_every_system() -> None:
    lake = FakeLake()
    system = {"name": "n", "department": "d"}
    lake.add(
        "systems",
        [
            system
            | {
                "system_id": "s1",
                "region_code": STREET_A1,
                "functions_planned": 10,
                "functions_live": 8,
                "interfaces_total": 4,
                "interfaces_standard": 3,
            },
            system
            | {
                "system_id": "s2",
                "region_code": DISTRICT_B,
                "functions_planned": 0,
                "functions_live": 0,
                "interfaces_total": 0,
                "interfaces_standard": 0,
            },
            system
            | {
                "system_id": "s3",
                "region_code": CITY,
                "functions_planned": 10,
                "functions_live": 10,
                "interfaces_total": 4,
                "interfaces_standard": 1,
            },
        ],
    )
    functions = lake.values("systems.function_completeness")
    interfaces = lake.values("systems.interface_standard_rate")
    # city (8 + 0 + 10)/(10 + 0 + 10) = 0.9; interfaces (3 + 0 + 1)/(4 + 0 + 4) = 0.5
    assert functions == pytest.approx(
        {CITY: 0.9, DISTRICT_A: 0.8, STREET_A1: 0.8, DISTRICT_B: None}
    )
    assert interfaces == pytest.approx(
        {CITY: 0.5, DISTRICT_A: 0.75, STREET_A1: 0.75, DISTRICT_B: None}
    )


def _services_of_the_month() -> list[dict[str, Any]]:
    """Active in 2025-03: sv1, sv2 (online on the last day), sv4 (offline on the first
    day), sv6; not active: sv3 (online in April), sv5 (offline in February)."""
    service = {"name": "n", "department": "d", "online_since": day("2024-01-01")}
    return [
        service
        | {"service_id": "sv1", "region_code": STREET_A1, "on_portal": True, "category": "社保"},
        service
        | {
            "service_id": "sv2",
            "region_code": DISTRICT_A,
            "on_portal": True,
            "category": "医疗",
            "online_since": day("2025-03-31"),
        },
        service
        | {
            "service_id": "sv3",
            "region_code": DISTRICT_A,
            "on_portal": True,
            "category": "社保",
            "online_since": day("2025-04-01"),
        },
        service
        | {
            "service_id": "sv4",
            "region_code": DISTRICT_B,
            "on_portal": False,
            "category": "教育",
            "offline_at": day("2025-03-01"),
        },
        service
        | {
            "service_id": "sv5",
            "region_code": DISTRICT_B,
            "on_portal": True,
            "category": "教育",
            "offline_at": day("2025-02-28"),
        },
        service
        | {"service_id": "sv6", "region_code": DISTRICT_B, "on_portal": True, "category": "社保"},
    ]


def test_portal_service_coverage_is_the_share_of_active_services_on_the_portal() -> None:
    lake = FakeLake()
    lake.add("services", _services_of_the_month())
    # active: sv1 (street, portal), sv2 (A, portal), sv4 (B, off portal), sv6 (B, portal)
    # street 1/1, A 2/2, B 1/2, city 3/4
    assert lake.values("capability.portal_service_coverage") == {
        CITY: 0.75,
        DISTRICT_A: 1.0,
        STREET_A1: 1.0,
        DISTRICT_B: 0.5,
    }


def test_portal_service_count_counts_active_services_on_the_portal() -> None:
    lake = FakeLake()
    lake.add("services", _services_of_the_month())
    # on the portal and active: street sv1; A sv1, sv2; B sv6; city sv1, sv2, sv6
    assert lake.values("portal.service_count") == {
        CITY: 3.0,
        DISTRICT_A: 2.0,
        STREET_A1: 1.0,
        DISTRICT_B: 1.0,
    }


def test_portal_service_categories_counts_each_category_once() -> None:
    lake = FakeLake()
    lake.add("services", _services_of_the_month())
    # city: 社保 (sv1, sv6) and 医疗 (sv2) → 2
    assert lake.values("portal.service_categories") == {
        CITY: 2.0,
        DISTRICT_A: 2.0,
        STREET_A1: 1.0,
        DISTRICT_B: 1.0,
    }


def test_leak_incidents_are_counted_once_when_first_detected_in_the_month() -> None:
    lake = FakeLake()
    event = {"system_id": "s", "grade": 3, "phase": "detected"}
    lake.add(
        "security_events",
        [
            # i1: first row in the street without leak, later row in B with leak → street
            event
            | {
                "event_id": "e1",
                "incident_id": "i1",
                "ts": at("2025-03-05 10:00"),
                "region_code": STREET_A1,
                "leak": False,
            },
            event
            | {
                "event_id": "e2",
                "incident_id": "i1",
                "ts": at("2025-03-06 10:00"),
                "region_code": DISTRICT_B,
                "leak": True,
            },
            # i2: detected in February
            event
            | {
                "event_id": "e3",
                "incident_id": "i2",
                "ts": at("2025-02-27 10:00"),
                "region_code": DISTRICT_B,
                "leak": True,
            },
            event
            | {
                "event_id": "e4",
                "incident_id": "i2",
                "ts": at("2025-03-02 10:00"),
                "region_code": DISTRICT_B,
                "leak": True,
            },
            # i3: no leak
            event
            | {
                "event_id": "e5",
                "incident_id": "i3",
                "ts": at("2025-03-10 10:00"),
                "region_code": DISTRICT_B,
                "leak": False,
            },
            # i4: leak late on the last day
            event
            | {
                "event_id": "e6",
                "incident_id": "i4",
                "ts": at("2025-03-31 23:00"),
                "region_code": DISTRICT_B,
                "leak": True,
            },
        ],
    )
    assert lake.values("security.leak_incidents") == {
        CITY: 2.0,
        DISTRICT_A: 1.0,
        STREET_A1: 1.0,
        DISTRICT_B: 1.0,
    }
