"""运营成效 indicators on hand-built rows; every expected value is worked by hand."""

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
    ticket_event,
    user_row,
)


def _login(event_id: str, user: str, ts: str) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "user_id": user,
        "ts": at(ts),
        "event_type": "login",
        "channel": "app",
    }


def test_resident_coverage_counts_real_name_users_by_latest_registration() -> None:
    lake = FakeLake()
    lake.add(
        "portal_users",
        [
            user_row("u1", STREET_A1, "2025-01-01 09:00"),
            user_row("u2", DISTRICT_A, "2025-01-01 09:00"),
            user_row("u3", DISTRICT_A, "2025-01-01 09:00"),
            user_row(
                "u3", DISTRICT_B, "2025-03-20 09:00", real_name=False
            ),  # latest: not real-name
            user_row("u4", DISTRICT_B, "2025-04-01 00:00"),  # the first instant after P
            user_row("u5", DISTRICT_B, "2025-03-31 23:59:59"),
            user_row("u6", DISTRICT_B, "2025-01-01 09:00", real_name=False),
            user_row("u6", DISTRICT_B, "2025-02-01 09:00"),  # became real-name
        ],
    )
    facts = lake.compute("effect.resident_coverage")
    # street u1 → 1/100,000; A u1, u2 → 2/400,000; B u5, u6 → 2/600,000; city 4/1,000,000
    assert {r: f.value for r, f in facts.items()} == pytest.approx(
        {
            STREET_A1: 1 / 100_000,
            DISTRICT_A: 2 / 400_000,
            DISTRICT_B: 2 / 600_000,
            CITY: 4 / 1_000_000,
        }
    )
    assert (facts[CITY].numerator, facts[CITY].denominator) == (4, 1_000_000)


def test_mau_rate_counts_a_user_active_in_two_districts_once_for_the_city() -> None:
    lake = FakeLake()
    lake.add(
        "portal_users",
        [
            user_row("u1", STREET_A1, "2025-01-01 09:00"),
            user_row("u6", STREET_A1, "2025-01-01 09:00"),
            user_row("u2", DISTRICT_A, "2025-01-01 09:00"),
            user_row("u3", DISTRICT_A, "2025-01-01 09:00"),
            user_row("u3", DISTRICT_B, "2025-03-10 09:00"),  # moves to B during P
            user_row("u4", DISTRICT_B, "2025-01-01 09:00"),
            user_row("u5", DISTRICT_B, "2025-04-02 09:00"),  # registered after P
        ],
    )
    lake.add(
        "portal_events",
        [
            _login("e1", "u1", "2025-03-01 10:00"),
            _login("e2", "u1", "2025-03-02 10:00"),
            _login("e3", "u1", "2025-03-03 10:00"),
            _login("e4", "u3", "2025-03-05 10:00"),  # while living in A
            _login("e5", "u3", "2025-03-20 10:00"),  # after moving to B
            _login("e6", "u5", "2025-03-20 10:00"),
            _login("e7", "u4", "2025-02-20 10:00"),  # February only
        ],
    )
    # registered by the end of P: street u1, u6; A u1, u6, u2; B u3, u4; city 5 users
    # active: u1 (street), u3 (B, its residence at the end of P), once each
    # street 1/2, A 1/3, B 1/2, city 2/5
    assert lake.values("effect.mau_rate") == pytest.approx(
        {STREET_A1: 0.5, DISTRICT_A: 1 / 3, DISTRICT_B: 0.5, CITY: 0.4}
    )


def test_dau_mau_averages_over_every_local_day_of_the_month() -> None:
    lake = FakeLake()
    lake.add(
        "portal_users",
        [
            user_row("u1", STREET_A1, "2025-01-01 09:00"),
            user_row("u2", DISTRICT_B, "2025-01-01 09:00"),
        ],
    )
    lake.add(
        "portal_events",
        [
            _login("e1", "u1", "2025-03-01 00:30"),  # 2025-02-28 16:30 UTC: March locally
            _login("e2", "u1", "2025-03-01 10:00"),  # same user, same day
            _login("e3", "u1", "2025-03-02 10:00"),
            _login("e4", "u1", "2025-04-01 00:30"),  # 2025-03-31 16:30 UTC: April locally
            _login("e5", "u2", "2025-03-01 10:00"),
        ],
    )
    # street: u1 active on 2 of 31 days → mean DAU 2/31, MAU 1 → 2/31
    # B: 1/31; city: mean DAU 3/31, MAU 2 → 3/62
    assert lake.values("effect.dau_mau") == pytest.approx(
        {STREET_A1: 2 / 31, DISTRICT_A: 2 / 31, DISTRICT_B: 1 / 31, CITY: 3 / 62}
    )


def test_rating_good_rate_counts_three_as_good() -> None:
    lake = FakeLake()
    lake.add(
        "portal_users",
        [
            user_row("u1", STREET_A1, "2025-01-01 09:00"),
            user_row("u2", DISTRICT_B, "2025-01-01 09:00"),
        ],
    )
    ratings = [
        ("u1", "2025-03-01", 3),
        ("u1", "2025-03-02", 2),
        ("u2", "2025-03-03", 5),
        ("u2", "2025-03-04", 4),
        ("u2", "2025-03-05", 1),
        ("u2", "2025-02-05", 1),
    ]
    lake.add(
        "portal_ratings",
        [
            {
                "event_id": f"r{i}",
                "ts": at(f"{d} 10:00"),
                "user_id": u,
                "service_id": "sv1",
                "rating": rating,
            }
            for i, (u, d, rating) in enumerate(ratings)
        ],
    )
    # street 3 ✓ 2 ✗ → 1/2; B 5 ✓ 4 ✓ 1 ✗ → 2/3 (February excluded); city 3/5
    assert lake.values("effect.rating_good_rate") == pytest.approx(
        {STREET_A1: 0.5, DISTRICT_A: 0.5, DISTRICT_B: 2 / 3, CITY: 0.6}
    )


def test_hotline_satisfaction_places_callbacks_in_the_tickets_created_region() -> None:
    lake = FakeLake()
    lake.add(
        "ticket_events",
        [
            ticket_event("t1", "created", "2025-02-25 08:00", STREET_A1),
            ticket_event("t1", "callback", "2025-03-02 08:00", DISTRICT_B, satisfaction=4),
            ticket_event("t1", "callback", "2025-03-03 08:00", DISTRICT_B, satisfaction=3),
            ticket_event("t2", "created", "2025-03-01 08:00", DISTRICT_B),
            ticket_event("t2", "callback", "2025-03-04 08:00", DISTRICT_B, satisfaction=5),
            ticket_event("t2", "callback", "2025-03-05 08:00", DISTRICT_B),  # no satisfaction
            ticket_event("t2", "callback", "2025-04-01 08:00", DISTRICT_B, satisfaction=1),
        ],
    )
    # one callback per ticket, its latest in March: t1 (street, its created region)
    # 3 ✗ → 0/1; t2 (B) 5 ✓ → 1/1 (the unscored one and April's do not count); city 1/2
    assert lake.values("effect.hotline_satisfaction") == pytest.approx(
        {STREET_A1: 0.0, DISTRICT_A: 0.0, DISTRICT_B: 1.0, CITY: 0.5}
    )


def test_a_ticket_called_back_twice_counts_once_with_its_latest_satisfaction() -> None:
    lake = FakeLake()
    lake.add(
        "ticket_events",
        [
            ticket_event("t1", "created", "2025-03-01 08:00", STREET_A1),
            ticket_event("t1", "callback", "2025-03-10 08:00", STREET_A1, satisfaction=1),
            ticket_event("t1", "callback", "2025-03-12 08:00", STREET_A1, satisfaction=5),
            ticket_event("t1", "callback", "2025-03-11 08:00", STREET_A1, satisfaction=2),
            ticket_event("t2", "created", "2025-03-01 08:00", STREET_A1),
            ticket_event("t2", "callback", "2025-03-05 08:00", STREET_A1, satisfaction=4),
            ticket_event("t3", "created", "2025-03-01 08:00", STREET_A1),
            ticket_event("t3", "callback", "2025-03-06 08:00", STREET_A1, satisfaction=2),
        ],
    )
    # by ticket, latest callback: t1 5 ✓ (12th, recorded out of order), t2 4 ✓, t3 2 ✗
    # → 2/3; counting callbacks, as before, gave (5, 4) ✓ of 5 → 2/5
    values = lake.values("effect.hotline_satisfaction")
    assert {r: values[r] for r in (STREET_A1, DISTRICT_A, CITY)} == pytest.approx(
        {STREET_A1: 2 / 3, DISTRICT_A: 2 / 3, CITY: 2 / 3}
    )


def _survey(region: str, respondent: str, score: float, size: int) -> dict[str, Any]:
    return {
        "region_code": region,
        "period": "2025-03",
        "respondent": respondent,
        "score": score,
        "sample_size": size,
    }


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        # A (80·100 + 90·300)/400 = 87.5; city (8,000 + 27,000 + 7,000)/500 = 84
        (
            "effect.public_satisfaction",
            {STREET_A1: 80.0, DISTRICT_A: 87.5, DISTRICT_B: 70.0, CITY: 84.0},
        ),
        (
            "effect.government_satisfaction",
            {STREET_A1: None, DISTRICT_A: None, DISTRICT_B: 50.0, CITY: 50.0},
        ),
    ],
)
def test_satisfaction_surveys_roll_up_sample_weighted(
    code: str, expected: dict[str, float | None]
) -> None:
    lake = FakeLake()
    lake.add(
        "surveys",
        [
            _survey(STREET_A1, "public", 80.0, 100),
            _survey(DISTRICT_A, "public", 90.0, 300),
            _survey(DISTRICT_B, "public", 70.0, 100),
            _survey(DISTRICT_B, "government", 50.0, 10),
            _survey(CITY, "enterprise", 10.0, 1000),
        ],
    )
    assert lake.values(code) == pytest.approx(expected)


def test_cloud_utilisation_averages_per_sample_shares_of_the_allocation() -> None:
    lake = FakeLake()
    resource = {"department": "d", "mem_alloc_gb": 1.0, "storage_alloc_tb": 1.0}
    lake.add(
        "cloud_resources",
        [
            resource | {"resource_id": "cr1", "region_code": STREET_A1, "vcpu_alloc": 8.0},
            resource | {"resource_id": "cr2", "region_code": DISTRICT_B, "vcpu_alloc": 4.0},
            resource | {"resource_id": "cr3", "region_code": DISTRICT_B, "vcpu_alloc": 0.0},
        ],
    )
    usage = {"mem_used_gb": 0.0, "storage_used_tb": 0.0}
    lake.add(
        "cloud_usage",
        [
            usage | {"resource_id": "cr1", "ts": at("2025-03-01 00:00"), "vcpu_used": 2.0},
            usage | {"resource_id": "cr1", "ts": at("2025-03-01 01:00"), "vcpu_used": 6.0},
            usage | {"resource_id": "cr1", "ts": at("2025-02-01 01:00"), "vcpu_used": 8.0},
            usage | {"resource_id": "cr2", "ts": at("2025-03-01 00:00"), "vcpu_used": 1.0},
            usage | {"resource_id": "cr3", "ts": at("2025-03-01 00:00"), "vcpu_used": 1.0},
        ],
    )
    # street (2/8 + 6/8)/2 = 0.5; B 1/4 (cr3 has no allocation: no share);
    # city (0.25 + 0.75 + 0.25)/3
    assert lake.values("effect.cloud_utilisation") == pytest.approx(
        {STREET_A1: 0.5, DISTRICT_A: 0.5, DISTRICT_B: 0.25, CITY: 1.25 / 3}
    )


def test_data_usage_rate_needs_a_successful_call_in_the_month() -> None:
    lake = FakeLake()
    resource = {
        "department": "d",
        "name": "n",
        "classification": "general",
        "open_type": "none",
        "update_frequency": "daily",
        "record_count": 1,
    }
    lake.add(
        "data_resources",
        [
            resource
            | {"resource_id": "d1", "region_code": STREET_A1, "share_type": "unconditional"},
            resource
            | {"resource_id": "d2", "region_code": DISTRICT_A, "share_type": "conditional"},
            resource | {"resource_id": "d3", "region_code": DISTRICT_B, "share_type": "none"},
            resource
            | {"resource_id": "d4", "region_code": DISTRICT_B, "share_type": "unconditional"},
        ],
    )
    call = {"provider_department": "p", "consumer_department": "c", "rows": 1}
    lake.add(
        "data_sharing_calls",
        [
            call
            | {
                "event_id": "s1",
                "ts": at("2025-03-03 10:00"),
                "resource_id": "d1",
                "success": True,
            },
            call
            | {
                "event_id": "s2",
                "ts": at("2025-03-03 10:00"),
                "resource_id": "d2",
                "success": False,
            },
            call
            | {
                "event_id": "s3",
                "ts": at("2025-03-03 10:00"),
                "resource_id": "d3",
                "success": True,
            },
            call
            | {
                "event_id": "s4",
                "ts": at("2025-02-03 10:00"),
                "resource_id": "d4",
                "success": True,
            },
        ],
    )
    # shared: d1 (used), d2 (failed call only), d4 (used in February only)
    # street 1/1, A 1/2, B 0/1, city 1/3
    assert lake.values("effect.data_usage_rate") == pytest.approx(
        {STREET_A1: 1.0, DISTRICT_A: 0.5, DISTRICT_B: 0.0, CITY: 1 / 3}
    )
