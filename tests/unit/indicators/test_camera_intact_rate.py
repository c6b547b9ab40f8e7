"""infra.camera_intact_rate (视频监控设备完好率) on hand-built heartbeats.

P is March 2025 (31 days). The cameras beat once a day (heartbeat_interval_s =
86,400), so a slot is a UTC day and a camera active all month expects 31 slots;
it is intact when availability = ok slots ÷ expected slots ≥ 0.95, i.e. at
least 30 of 31 days (30/31 = 0.968; 29/31 = 0.935).
"""

from __future__ import annotations

from typing import Any

import pytest

from fake_lake import CITY, DISTRICT_A, DISTRICT_B, STREET_A1, FakeLake, at, day

DAILY = 86_400


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
