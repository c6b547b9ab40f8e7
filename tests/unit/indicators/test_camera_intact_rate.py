"""infra.camera_intact_rate (视频监控设备完好率) on hand-built heartbeats.

P is March 2025 (31 days). The cameras beat once a day (heartbeat_interval_s =
86,400), so a slot is a UTC day and a camera active all month expects 31 slots;
it is intact when availability = ok slots ÷ expected slots ≥ 0.95, i.e. at
least 30 of 31 days (30/31 = 0.968; 29/31 = 0.935).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from fake_lake import CITY, DISTRICT_A, DISTRICT_B, STREET_A1, FakeLake, at, day

DAILY = 86_400
HOURLY = 3_600
SPANNING = 5_400
"""Divides a day, but local midnight (16:00 UTC) falls inside a slot."""


def camera(device_id: str, region: str, **fields: Any) -> dict[str, Any]:
    base = {
        "device_id": device_id,
        "kind": "camera",
        "region_code": region,
        "installed_at": day("2024-01-01"),
        "shared": True,
        "heartbeat_interval_s": DAILY,
    }
    return base | fields


def beats(device_id: str, days: range, status: str = "ok") -> list[dict[str, Any]]:
    """One heartbeat at 12:00 local (04:00 UTC, the same UTC day) on each March day."""
    return [
        {"device_id": device_id, "ts": at(f"2025-03-{d:02d} 12:00"), "status": status} for d in days
    ]


def beat(device_id: str, when: str, status: str = "ok") -> dict[str, Any]:
    return {"device_id": device_id, "ts": at(when), "status": status}


@pytest.fixture
def lake() -> FakeLake:
    fake = FakeLake()
    fake.add(
        "devices",
        [
            camera("c1", STREET_A1),
            camera("c2", DISTRICT_A),
            camera("c3", DISTRICT_B, installed_at=day("2025-03-17")),  # mid-month
            camera("c4", DISTRICT_B, retired_at=day("2025-03-01")),  # no time in P
            camera("c6", DISTRICT_B),  # never beats
            camera("s1", DISTRICT_B, kind="sensor"),  # not a camera
        ],
    )
    fake.add(
        "device_heartbeats",
        [
            # c1: every day ok (31/31 = 1); a second beat on day 1 is the same slot,
            # a fault beat does not count.
            *beats("c1", range(1, 32)),
            beat("c1", "2025-03-01 13:00"),
            beat("c1", "2025-03-02 13:00", status="fault"),
            # c2: days 1–29 ok = 29/31 = 0.935, not intact. Two beats just outside P
            # fall on UTC days 28 Feb and 31 Mar, slots it lacks: if they counted,
            # it would reach 30/31 and pass.
            *beats("c2", range(1, 30)),
            beat("c2", "2025-02-28 23:30"),
            beat("c2", "2025-04-01 01:00"),
            # c3: active from 17 March 00:00 local = 15 days; ok on 18–31 = 14/15 =
            # 0.933, not intact. A beat on 10 March (before installation) must not
            # count, or it would be 15/15.
            *beats("c3", range(18, 32)),
            beat("c3", "2025-03-10 12:00"),
            # c4 beats, but its active window holds no time in P: left out.
            *beats("c4", range(1, 32)),
            *beats("s1", range(1, 32)),
        ],
    )
    return fake


def test_intact_cameras_are_counted_from_distinct_ok_slots_in_their_window(
    lake: FakeLake,
) -> None:
    facts = lake.compute("infra.camera_intact_rate")
    # street A1: c1 → 1/1; district A: c1 intact, c2 not → 1/2;
    # district B: c3 and c6 not intact, c4 left out → 0/2; city: 1/4.
    assert facts[STREET_A1].value == 1.0
    assert facts[DISTRICT_A].value == 0.5
    assert facts[DISTRICT_B].value == 0.0
    assert (facts[CITY].numerator, facts[CITY].denominator, facts[CITY].value) == (1, 4, 0.25)


def test_a_region_without_active_cameras_is_missing() -> None:
    lake = FakeLake()
    lake.add("devices", [camera("c1", DISTRICT_A)])
    facts = lake.compute("infra.camera_intact_rate")
    assert facts[DISTRICT_B].value is None  # 0 ÷ 0
    assert facts[DISTRICT_A].value == 0.0  # one camera, no heartbeat


def _slot_middles(start: str, end: str, interval_s: int) -> list[datetime]:
    """The middle instant of every slot ⌊epoch ÷ interval⌋ lying wholly in [start, end)."""
    first = -(-int(at(start).timestamp()) // interval_s)  # first slot starting at or after
    last = int(at(end).timestamp()) // interval_s  # first slot ending after end
    return [
        datetime.fromtimestamp(k * interval_s + interval_s // 2, tz=UTC) for k in range(first, last)
    ]


def test_slots_that_fit_in_local_days_and_slots_that_span_midnight_count_alike() -> None:
    # h1, h2 beat hourly: every local midnight is an hour boundary, so a slot never
    # spans two days.  Installed on 31 March: 24 slots expected, intact from 23.
    hours = _slot_middles("2025-03-31 00:00", "2025-04-01 00:00", HOURLY)
    # u1 beats every 5,400 s: slots start at 23:00, 00:30, 02:00 … local, so one spans
    # the midnight of 30/31 March.  Installed on 30 March: 48 h = 32 slots expected,
    # intact from 31 (30.4); 33 slots overlap the window, 31 of them wholly inside.
    spans = _slot_middles("2025-03-30 00:00", "2025-04-01 00:00", SPANNING)
    assert len(hours) == 24
    assert len(spans) == 31
    midnight_slot = [t for t in spans if at("2025-03-30 23:00") <= t < at("2025-03-31 00:30")]
    assert len(midnight_slot) == 1
    lake = FakeLake()
    lake.add(
        "devices",
        [
            camera("h1", DISTRICT_A, installed_at=day("2025-03-31"), heartbeat_interval_s=HOURLY),
            camera("h2", DISTRICT_B, installed_at=day("2025-03-31"), heartbeat_interval_s=HOURLY),
            camera("u1", STREET_A1, installed_at=day("2025-03-30"), heartbeat_interval_s=SPANNING),
        ],
    )
    rows = [
        # h1: 23 of 24 hours ok (0.958, intact); a second beat in an hour, a beat of
        # 1 April (after P) and one of 30 March (before installation) add nothing.
        *({"device_id": "h1", "ts": t, "status": "ok"} for t in hours[1:]),
        beat("h1", "2025-03-31 12:59"),
        beat("h1", "2025-04-01 00:00"),
        beat("h1", "2025-03-30 23:59"),
        # h2: 22 of 24 hours ok (0.917, not intact); fault beats in the other two.
        *({"device_id": "h2", "ts": t, "status": "ok"} for t in hours[2:]),
        *({"device_id": "h2", "ts": t, "status": "fault"} for t in hours[:2]),
        # u1: ok in 30 of the 31 inner slots; the slot across midnight has a beat on
        # each side of it.  Distinct slots: 30 of 32 (0.9375, not intact); counting
        # that slot once per day would make it 31 (0.969, intact).
        *({"device_id": "u1", "ts": t, "status": "ok"} for t in spans[1:]),
        beat("u1", "2025-03-30 23:30"),
        beat("u1", "2025-03-31 00:15"),
    ]
    lake.add("device_heartbeats", rows)
    facts = lake.compute("infra.camera_intact_rate")
    # district A: h1 intact, u1 (street A1) not → 1/2; district B: 0/1; city 1/3
    assert (facts[STREET_A1].numerator, facts[STREET_A1].denominator) == (0, 1)
    assert (facts[DISTRICT_A].numerator, facts[DISTRICT_A].denominator) == (1, 2)
    assert (facts[DISTRICT_B].numerator, facts[DISTRICT_B].denominator) == (0, 1)
    assert (facts[CITY].numerator, facts[CITY].denominator) == (1, 3)
