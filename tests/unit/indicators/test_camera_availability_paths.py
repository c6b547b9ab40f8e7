"""infra.camera_intact_rate against distinct slots counted in Python, for intervals
whose slots fit in local days (read from the daily slot counts) and intervals whose
slots span local midnight (read from the heartbeats).

One camera installed on 30 March, so its window is the last two local days of
March; beats fall in each slot of a range around it, at both ends of the slot
and once in between (so a slot across midnight has beats on both days), and
about as many slots have only faults as put availability at the 0.95 line.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from cityops.indicators.computations.content import INTACT_AVAILABILITY

from fake_lake import CITY, DISTRICT_A, FakeLake, at, day

WINDOW = (at("2025-03-30 00:00"), at("2025-04-01 00:00"))
INTERVALS = (900, 3_600, 5_400, 7_200, 86_400)
"""900, 3,600 and 7,200 s divide the day from local midnight; 5,400 s and a UTC day
(86,400 s) have slots across local midnight (16:00 UTC)."""


def _expected_intact(interval_s: int, beats: list[tuple[datetime, str]]) -> bool:
    start, end = WINDOW
    slots = {int(ts.timestamp()) // interval_s for ts, status in beats if status == "ok"
             and start <= ts < end}  # fmt: skip
    expected = (end - start).total_seconds() / interval_s
    return min(len(slots) / expected, 1.0) >= INTACT_AVAILABILITY


@st.composite
def heartbeats(draw: st.DrawFn) -> tuple[int, list[tuple[datetime, str]]]:
    interval_s = draw(st.sampled_from(INTERVALS))
    start, end = (int(t.timestamp()) for t in WINDOW)
    inside = range(start // interval_s, (end - 1) // interval_s + 1)  # slots touching it
    # Leave out about as many slots as keep availability at the 0.95 line.
    spare = len(inside) - math.ceil(INTACT_AVAILABILITY * (end - start) / interval_s)
    left_out = draw(st.integers(max(spare - 1, 0), spare + 1))
    faults = set(draw(st.permutations(list(inside)))[:left_out])
    beats: list[tuple[datetime, str]] = []
    for slot in range(inside.start - 1, inside.stop + 1):  # and one slot either side
        # The first and last second of the slot: a slot across midnight has a beat
        # on each side of it.
        offsets = {0, interval_s - 1, draw(st.integers(0, interval_s - 1))}
        status = "fault" if slot in faults else "ok"
        beats += [
            (datetime.fromtimestamp(slot * interval_s + offset, tz=UTC), status)
            for offset in sorted(offsets)
        ]
    return interval_s, beats


@settings(max_examples=30, deadline=None)
@given(heartbeats())
def test_a_camera_is_intact_exactly_when_its_distinct_ok_slots_say_so(
    drawn: tuple[int, list[tuple[datetime, str]]],
) -> None:
    interval_s, beats = drawn
    lake = FakeLake()
    lake.add(
        "devices",
        [
            {
                "device_id": "c1",
                "kind": "camera",
                "region_code": DISTRICT_A,
                "installed_at": day("2025-03-30"),
                "shared": True,
                "heartbeat_interval_s": interval_s,
            }
        ],
    )
    lake.add(
        "device_heartbeats",
        [{"device_id": "c1", "ts": ts, "status": status} for ts, status in beats],
    )
    fact = lake.compute("infra.camera_intact_rate")[CITY]
    assert fact.denominator == 1
    assert fact.numerator == (1 if _expected_intact(interval_s, beats) else 0)
