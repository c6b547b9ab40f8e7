"""DAU/MAU and the monthly active rate from the compact tables, against sets in Python.

Random registrations (moves, late registrations) and logins around the month's
local boundaries; the expected figures are counted with Python sets over the
same rows, per region and its descendants, without SQL or the compact tables.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cityops.domain.period import CITY_TZ

from fake_lake import CITY, DISTRICT_A, DISTRICT_B, PERIOD, STREET_A1, FakeLake, at

BASE = at("2025-02-28 00:00")
"""Instants are minutes after BASE: 1,440 is the first local minute of March,
46,080 the first of April."""
BOUNDARIES = (1_439, 1_440, 46_079, 46_080)
UNDER = {
    CITY: {CITY, DISTRICT_A, STREET_A1, DISTRICT_B},
    DISTRICT_A: {DISTRICT_A, STREET_A1},
    STREET_A1: {STREET_A1},
    DISTRICT_B: {DISTRICT_B},
}

users = st.sampled_from([f"u{i}" for i in range(6)])
minutes = st.one_of(st.sampled_from(BOUNDARIES), st.integers(-40 * 1_440, 36 * 1_440))
registrations = st.lists(st.tuples(users, st.sampled_from(sorted(UNDER)), minutes), max_size=10)
logins = st.lists(st.tuples(users, minutes), max_size=25)


def _instant(minute: int) -> datetime:
    return BASE + timedelta(minutes=minute)


def _expected(
    registered: list[dict[str, Any]], events: list[dict[str, Any]]
) -> dict[str, dict[str, float | None]]:
    """Both indicators per region, counted with sets."""
    latest: dict[str, dict[str, Any]] = {}
    for row in registered:
        if row["registered_at"] < PERIOD.end:
            key = (row["registered_at"], row["event_id"])
            kept = latest.get(row["user_id"])
            if kept is None or key > (kept["registered_at"], kept["event_id"]):
                latest[row["user_id"]] = row
    home = {user: row["region_code"] for user, row in latest.items()}
    pairs = {
        (e["user_id"], e["ts"].astimezone(CITY_TZ).date())
        for e in events
        if PERIOD.start <= e["ts"] < PERIOD.end and e["user_id"] in home
    }
    dau_mau: dict[str, float | None] = {}
    mau_rate: dict[str, float | None] = {}
    for region, below in UNDER.items():
        residents = {user for user, code in home.items() if code in below}
        days = [user for user, _ in pairs if user in residents]
        active = set(days)
        dau_mau[region] = len(days) / PERIOD.days / len(active) if active else None
        mau_rate[region] = len(active) / len(residents) if residents else None
    return {"effect.dau_mau": dau_mau, "effect.mau_rate": mau_rate}


@settings(max_examples=60, deadline=None)
@given(registrations, logins)
def test_dau_mau_and_mau_rate_match_a_count_of_sets(
    registration: list[tuple[str, str, int]], login: list[tuple[str, int]]
) -> None:
    registered = [
        {
            "event_id": f"r{i}",
            "user_id": user,
            "region_code": region,
            "registered_at": _instant(minute),
            "real_name": True,
            "channel": "app",
        }
        for i, (user, region, minute) in enumerate(registration)
    ]
    events = [
        {
            "event_id": f"e{i}",
            "user_id": user,
            "ts": _instant(minute),
            "event_type": "login",
            "channel": "app",
        }
        for i, (user, minute) in enumerate(login)
    ]
    lake = FakeLake()
    lake.add("portal_events", events)  # before the users, as a lake may receive them
    lake.add("portal_users", registered)
    for code, expected in _expected(registered, events).items():
        assert lake.values(code) == pytest.approx(expected), code


def test_the_fake_lake_numbers_users_densely_across_tables() -> None:
    lake = FakeLake()
    lake.add("portal_events", [{"event_id": "e1", "user_id": "b", "ts": at("2025-03-01 10:00")}])
    lake.add("portal_ratings", [{"event_id": "p1", "user_id": "c", "ts": at("2025-03-01 10:00")}])
    lake.add(
        "portal_users", [{"event_id": "r1", "user_id": "a"}, {"event_id": "r2", "user_id": "b"}]
    )
    rows = lake.con.sql("SELECT user_id, user_ix FROM user_index ORDER BY user_ix").fetchall()
    assert rows == [("a", 0), ("b", 1), ("c", 2)]
    activity = lake.con.sql("SELECT user_ix, day, events FROM user_day_activity").fetchall()
    assert [(ix, str(d), n) for ix, d, n in activity] == [(1, "2025-03-01", 1)]
