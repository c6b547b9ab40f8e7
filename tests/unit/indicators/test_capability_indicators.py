"""运营能力 indicators on hand-built rows; every expected value is worked by hand."""

from __future__ import annotations

import pytest

from cityops.domain.night import NightHours

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


def test_service_success_rate_follows_the_callers_latest_residence() -> None:
    lake = FakeLake()
    lake.add(
        "portal_users",
        [
            user_row("u1", STREET_A1, "2025-01-01 09:00"),
            user_row("u2", DISTRICT_B, "2025-01-01 09:00"),
            user_row("u3", DISTRICT_A, "2025-01-01 09:00"),
            user_row("u3", DISTRICT_B, "2025-03-15 09:00"),  # moved to B within P
            user_row("u4", DISTRICT_A, "2025-04-02 09:00"),  # registered after P
        ],
    )
    call = {"event_type": "service_call", "channel": "app", "service_id": "sv1"}
    events = [
        ("u1", "2025-03-02", True),
        ("u1", "2025-03-03", False),
        ("u2", "2025-03-04", True),
        ("u2", "2025-03-05", True),
        ("u3", "2025-03-06", False),
        ("u4", "2025-03-07", True),
        ("u2", "2025-02-20", False),
    ]
    lake.add(
        "portal_events",
        [
            call | {"event_id": f"e{i}", "user_id": u, "ts": at(f"{d} 10:00"), "success": ok}
            for i, (u, d, ok) in enumerate(events)
        ]
        + [
            {
                "event_id": "login",
                "user_id": "u1",
                "ts": at("2025-03-02 09:00"),
                "event_type": "login",
                "channel": "app",
            }
        ],
    )
    # street/A: u1 1 of 2; B: u2 ✓✓, u3 ✗ → 2/3 (u3 lives in B by the end of P);
    # u4 has no residence at the end of P; city 3/5
    assert lake.values("capability.service_success_rate") == pytest.approx(
        {CITY: 0.6, DISTRICT_A: 0.5, STREET_A1: 0.5, DISTRICT_B: 2 / 3}
    )


def test_response_30min_rate_keeps_unanswered_tickets_in_the_denominator() -> None:
    lake = FakeLake()
    lake.add(
        "ticket_events",
        [
            ticket_event("t1", "created", "2025-03-01 08:00", STREET_A1),
            ticket_event("t1", "responded", "2025-03-01 08:30", STREET_A1),  # exactly 30 min
            ticket_event("t2", "created", "2025-03-02 09:00", DISTRICT_A),
            ticket_event("t2", "responded", "2025-03-02 09:31", DISTRICT_A),  # 31 min
            ticket_event("t3", "created", "2025-03-03 10:00", DISTRICT_B),  # never responded
            ticket_event("t4", "created", "2025-03-31 23:50", DISTRICT_B),
            ticket_event("t4", "responded", "2025-04-01 00:10", DISTRICT_B),  # in April, 20 min
            ticket_event("t5", "created", "2025-02-28 23:00", DISTRICT_B),  # February
            ticket_event("t5", "responded", "2025-02-28 23:10", DISTRICT_B),
            ticket_event("t6", "created", "2025-03-05 12:00", DISTRICT_B),
            ticket_event("t6", "dispatched", "2025-03-05 12:05", DISTRICT_A),  # region of created
            ticket_event("t6", "responded", "2025-03-05 12:50", DISTRICT_B),
            ticket_event("t6", "responded", "2025-03-05 12:10", DISTRICT_B),  # the first one
        ],
    )
    facts = lake.compute("capability.response_30min_rate")
    # street t1 ✓ → 1/1; A t1 ✓ t2 ✗ → 1/2; B t3 ✗ t4 ✓ t6 ✓ → 2/3; city 3/5
    assert {r: f.value for r, f in facts.items()} == pytest.approx(
        {CITY: 0.6, DISTRICT_A: 0.5, STREET_A1: 1.0, DISTRICT_B: 2 / 3}
    )
    assert (facts[DISTRICT_B].numerator, facts[DISTRICT_B].denominator) == (2, 3)


def test_night_response_rate_takes_tickets_created_between_22_and_6_local_time() -> None:
    lake = FakeLake()
    lake.add(
        "ticket_events",
        [
            ticket_event("n1", "created", "2025-03-10 22:00", DISTRICT_B),  # night
            ticket_event("n1", "responded", "2025-03-10 22:20", DISTRICT_B),
            ticket_event("n2", "created", "2025-03-11 05:59", DISTRICT_A),  # night
            ticket_event("n2", "responded", "2025-03-11 06:40", DISTRICT_A),  # 41 min
            ticket_event("d1", "created", "2025-03-11 06:00", DISTRICT_A),  # day time
            ticket_event("d1", "responded", "2025-03-11 06:05", DISTRICT_A),
            ticket_event("d2", "created", "2025-03-11 21:59", STREET_A1),  # day time
        ],
    )
    # B n1 ✓ → 1; A n2 ✗ → 0; street has no night ticket → missing; city 1/2
    assert lake.values("capability.night_response_rate") == {
        CITY: 0.5,
        DISTRICT_A: 0.0,
        STREET_A1: None,
        DISTRICT_B: 1.0,
    }


NIGHT_TICKETS = [
    ticket_event("a", "created", "2025-03-10 22:30", DISTRICT_B),
    ticket_event("a", "responded", "2025-03-10 22:50", DISTRICT_B),  # 20 min
    ticket_event("b", "created", "2025-03-11 06:30", DISTRICT_A),
    ticket_event("b", "responded", "2025-03-11 07:30", DISTRICT_A),  # 60 min
    ticket_event("c", "created", "2025-03-11 05:00", STREET_A1),
    ticket_event("c", "responded", "2025-03-11 05:10", STREET_A1),  # 10 min
    ticket_event("d", "created", "2025-03-11 23:15", DISTRICT_B),  # never responded
    ticket_event("e", "created", "2025-03-12 00:00", DISTRICT_A),
    ticket_event("e", "responded", "2025-03-12 00:05", DISTRICT_A),  # 5 min
]
"""Tickets created at 22:30, 06:30, 05:00, 23:15 and 00:00; a, c and e answered in time."""


@pytest.mark.parametrize(
    ("night", "expected"),
    [
        # 22–6: a ✓ d ✗ in B; c ✓ e ✓ in A (c in its street): B 1/2, A 2/2, city 3/4
        (
            NightHours(22, 6),
            {CITY: (3, 4), DISTRICT_A: (2, 2), STREET_A1: (1, 1), DISTRICT_B: (1, 2)},
        ),
        # 23–7: b ✗ c ✓ e ✓ in A, d ✗ in B: A 2/3, B 0/1, city 2/4
        (
            NightHours(23, 7),
            {CITY: (2, 4), DISTRICT_A: (2, 3), STREET_A1: (1, 1), DISTRICT_B: (0, 1)},
        ),
        # 0–6, not across midnight: c ✓ e ✓, both in A
        (
            NightHours(0, 6),
            {CITY: (2, 2), DISTRICT_A: (2, 2), STREET_A1: (1, 1), DISTRICT_B: (0, 0)},
        ),
    ],
)
def test_night_response_rate_takes_the_tickets_created_in_the_citys_night_hours(
    night: NightHours, expected: dict[str, tuple[int, int]]
) -> None:
    lake = FakeLake()
    lake.add("ticket_events", NIGHT_TICKETS)
    facts = lake.compute("capability.night_response_rate", night=night)
    assert {r: (f.numerator, f.denominator) for r, f in facts.items()} == expected


def test_on_time_closure_takes_tickets_due_in_the_month() -> None:
    lake = FakeLake()
    lake.add(
        "ticket_events",
        [
            ticket_event(
                "k1", "created", "2025-03-01 08:00", STREET_A1, due_at=at("2025-03-05 12:00")
            ),
            ticket_event("k1", "closed", "2025-03-05 12:00", STREET_A1),  # at the due time
            ticket_event(
                "k2", "created", "2025-03-10 08:00", DISTRICT_A, due_at=at("2025-03-20 12:00")
            ),
            ticket_event("k2", "closed", "2025-03-21 12:00", DISTRICT_A),  # late
            ticket_event(
                "k3", "created", "2025-03-25 08:00", DISTRICT_B, due_at=at("2025-03-31 23:00")
            ),
            ticket_event(
                "k4", "created", "2025-02-20 08:00", DISTRICT_B, due_at=at("2025-03-02 12:00")
            ),
            ticket_event(
                "k4", "closed", "2025-03-01 12:00", DISTRICT_B
            ),  # created in Feb, due in P
            ticket_event(
                "k5", "created", "2025-03-28 08:00", DISTRICT_B, due_at=at("2025-04-02 12:00")
            ),
        ],
    )
    # street k1 ✓; A k1 ✓ k2 ✗ → 1/2; B k3 ✗ (never closed) k4 ✓ → 1/2; k5 due in April;
    # city 2/4
    assert lake.values("capability.on_time_closure_rate") == {
        CITY: 0.5,
        DISTRICT_A: 0.5,
        STREET_A1: 1.0,
        DISTRICT_B: 0.5,
    }


def test_team_staffing_rate_counts_only_required_staff() -> None:
    lake = FakeLake()
    person = {"operator": "o", "role": "r"}
    lake.add(
        "staff",
        [
            person
            | {"staff_id": "p1", "region_code": STREET_A1, "required": True, "certified": True},
            person
            | {"staff_id": "p2", "region_code": DISTRICT_A, "required": True, "certified": False},
            person
            | {"staff_id": "p3", "region_code": DISTRICT_A, "required": False, "certified": True},
            person
            | {"staff_id": "p4", "region_code": DISTRICT_B, "required": False, "certified": False},
        ],
    )
    # street 1/1; A p1 ✓ p2 ✗ → 1/2; B no required staff → missing; city 1/2
    assert lake.values("capability.team_staffing_rate") == {
        CITY: 0.5,
        DISTRICT_A: 0.5,
        STREET_A1: 1.0,
        DISTRICT_B: None,
    }


def test_online_availability_is_the_share_of_up_probes_by_system_region() -> None:
    lake = FakeLake()
    system = {
        "name": "n",
        "department": "d",
        "functions_planned": 1,
        "functions_live": 1,
        "interfaces_total": 1,
        "interfaces_standard": 1,
    }
    lake.add(
        "systems",
        [
            system | {"system_id": "sy1", "region_code": STREET_A1},
            system | {"system_id": "sy2", "region_code": DISTRICT_B},
        ],
    )
    probes = [
        ("sy1", "2025-03-01 00:00", True),
        ("sy1", "2025-03-01 00:05", True),
        ("sy1", "2025-03-01 00:10", True),
        ("sy1", "2025-03-01 00:15", False),
        ("sy1", "2025-04-01 00:00", True),
        ("sy2", "2025-03-02 00:00", True),
        ("sy2", "2025-03-02 00:05", True),
    ]
    lake.add("system_probes", [{"system_id": s, "ts": at(t), "up": up} for s, t, up in probes])
    # street/A 3/4 (the April probe is outside P); B 2/2; city 5/6
    assert lake.values("capability.online_availability") == pytest.approx(
        {CITY: 5 / 6, DISTRICT_A: 0.75, STREET_A1: 0.75, DISTRICT_B: 1.0}
    )


def test_packet_loss_is_the_mean_loss_over_probes_of_the_month() -> None:
    lake = FakeLake()
    probe = {"link_id": "l", "latency_ms": 5.0, "up": True}
    lake.add(
        "network_probes",
        [
            probe | {"region_code": STREET_A1, "ts": at("2025-03-01 00:00"), "loss_pct": 1.0},
            probe | {"region_code": STREET_A1, "ts": at("2025-03-01 00:05"), "loss_pct": 3.0},
            probe | {"region_code": DISTRICT_B, "ts": at("2025-03-01 00:00"), "loss_pct": 0.5},
            probe | {"region_code": DISTRICT_B, "ts": at("2025-02-01 00:00"), "loss_pct": 50.0},
        ],
    )
    # street/A (1 + 3)/2 = 2; B 0.5; city (1 + 3 + 0.5)/3 = 1.5
    assert lake.values("capability.packet_loss_pct") == pytest.approx(
        {CITY: 1.5, DISTRICT_A: 2.0, STREET_A1: 2.0, DISTRICT_B: 0.5}
    )
