"""DAU/MAU through the compact tables of a real ingest, and the fake lake's copy of them.

The users arrive in three batches (events before registrations), so ingest numbers
them in an order that is not user_id order: the indicators must not depend on it.
"""

from datetime import date
from pathlib import Path

import pytest
from ingest_workspace import make_workspace, write_text

from cityops.domain.period import Period
from cityops.indicators.engine import compute_indicators
from cityops.ingestion.batch import ingest_file
from cityops.services.unit_of_work import open_analytics
from cityops.workspace.workspace import Workspace

from fake_lake import derive_compact_tables

PROVINCE, CITY, EAST, WEST = "330000", "330100", "330102", "330103"

EVENTS_HEADER = "event_id,ts,user_id,event_type,service_id,channel,success\n"
FIRST_EVENTS = EVENTS_HEADER + (
    "e1,2025-03-01 10:00:00,u9,login,,app,\n"
    "e2,2025-03-01 11:00:00,u9,service_call,s1,app,true\n"
    "e3,2025-03-02 09:00:00,u9,login,,app,\n"
    "e4,2025-03-05 10:00:00,u2,login,,pc,\n"
    "e5,2025-02-28T16:30:00+00:00,u5,login,,app,\n"  # 00:30 on 1 March in Shanghai
    "e6,2025-03-31T16:30:00+00:00,u2,login,,app,\n"  # 00:30 on 1 April in Shanghai
)
USERS = (
    "event_id,user_id,region_code,registered_at,real_name,channel\n"
    f"r1,u2,{EAST},2025-01-01 09:00:00,true,app\n"
    f"r2,u5,{WEST},2025-01-01 09:00:00,true,app\n"
    f"r3,u9,{EAST},2025-01-01 09:00:00,true,app\n"
    f"r4,u9,{WEST},2025-03-20 09:00:00,true,app\n"  # moves during March
    f"r5,u1,{WEST},2025-01-01 09:00:00,false,pc\n"  # never active
    f"r6,u7,{WEST},2025-04-02 09:00:00,true,app\n"  # registered after March
)
SECOND_EVENTS = EVENTS_HEADER + (
    "e3,2025-03-02 09:00:00,u9,login,,app,\n"  # already stored
    "e7,2025-03-05 15:00:00,u2,service_call,s2,app,false\n"  # u2's second event that day
    "e8,2025-03-06 10:00:00,u3,login,,app,\n"  # never registered: no residence
)


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    ws = make_workspace(tmp_path)
    for table, name, text in (
        ("portal_events", "events-1.csv", FIRST_EVENTS),
        ("portal_users", "users.csv", USERS),
        ("portal_events", "events-2.csv", SECOND_EVENTS),
    ):
        ingest_file(ws, table, write_text(tmp_path / name, text))
    return ws


def test_ingest_numbers_users_by_batch_not_by_user_id(workspace: Workspace) -> None:
    con = open_analytics(workspace)
    rows = con.execute("SELECT user_id, user_ix FROM user_index ORDER BY user_ix").fetchall()
    # batch 1: u2, u5, u9; batch 2 (users): u1, u7; batch 3: u3
    assert rows == [("u2", 0), ("u5", 1), ("u9", 2), ("u1", 3), ("u7", 4), ("u3", 5)]


def test_dau_mau_and_mau_rate_from_ingested_compact_tables(workspace: Workspace) -> None:
    facts = compute_indicators(
        open_analytics(workspace), Period(2025, 3), ["effect.dau_mau", "effect.mau_rate"]
    )
    values = {(f.indicator, f.region_code): f.value for f in facts}
    rows = {(f.indicator, f.region_code): f.rows_read for f in facts}
    # Residents at the end of March: east u2; west u5, u9 (moved), u1.  Active days in
    # March: u2 5 March (two events; its 1 April login is April), u5 1 March (local),
    # u9 1 and 2 March; u3 has no residence.
    # east: 1 user-day, MAU 1 → (1/31)/1, 1 of 1 resident active
    # west: 3 user-days, MAU 2 → (3/31)/2, 2 of 3 active; city and province: (4/31)/3, 3 of 4
    assert values == pytest.approx(
        {
            ("effect.dau_mau", EAST): 1 / 31,
            ("effect.dau_mau", WEST): 3 / 62,
            ("effect.dau_mau", CITY): 4 / 93,
            ("effect.dau_mau", PROVINCE): 4 / 93,
            ("effect.mau_rate", EAST): 1.0,
            ("effect.mau_rate", WEST): 2 / 3,
            ("effect.mau_rate", CITY): 3 / 4,
            ("effect.mau_rate", PROVINCE): 3 / 4,
        }
    )
    # rows read: (user, day) pairs for DAU/MAU, residents for the active rate
    assert rows == {
        ("effect.dau_mau", EAST): 1,
        ("effect.dau_mau", WEST): 3,
        ("effect.dau_mau", CITY): 4,
        ("effect.dau_mau", PROVINCE): 4,
        ("effect.mau_rate", EAST): 1,
        ("effect.mau_rate", WEST): 3,
        ("effect.mau_rate", CITY): 4,
        ("effect.mau_rate", PROVINCE): 4,
    }


def test_the_fake_lake_derives_the_compact_tables_ingest_built(workspace: Workspace) -> None:
    con = open_analytics(workspace)
    fake = derive_compact_tables(con)
    for name, rows in fake.items():
        con.register(f"fake_{name}", rows)
    activity = (
        "SELECT i.user_id, a.day, a.events, a.service_calls, a.successful_calls "
        "FROM {prefix}user_day_activity AS a JOIN {prefix}user_index AS i USING (user_ix) "
        "ORDER BY ALL"
    )
    ingested = con.execute(activity.format(prefix="")).fetchall()
    assert con.execute(activity.format(prefix="fake_")).fetchall() == ingested
    assert ingested[:2] == [("u2", date(2025, 3, 5), 2, 1, 0), ("u2", date(2025, 4, 1), 1, 0, 0)]
    users = "SELECT user_id FROM {prefix}user_index ORDER BY ALL"
    assert con.execute(users.format(prefix="fake_")).fetchall() == (
        con.execute(users.format(prefix="")).fetchall()
    )
    assert sorted(fake["user_index"].column("user_ix").to_pylist()) == list(range(6))
    registrations = (
        "SELECT i.user_id, r.registered_at, r.event_id, r.region_code, r.real_name "
        "FROM {prefix}user_registrations AS r JOIN {prefix}user_index AS i USING (user_ix) "
        "ORDER BY ALL"
    )
    ingested = con.execute(registrations.format(prefix="")).fetchall()
    assert con.execute(registrations.format(prefix="fake_")).fetchall() == ingested
    assert [(user, event, region) for user, _, event, region, _ in ingested] == [
        ("u1", "r5", WEST),
        ("u2", "r1", EAST),
        ("u5", "r2", WEST),
        ("u7", "r6", WEST),
        ("u9", "r3", EAST),
        ("u9", "r4", WEST),
    ]
    services = (
        "SELECT i.user_id, s.day, s.service_id, s.calls, s.successes "
        "FROM {prefix}user_day_services AS s JOIN {prefix}user_index AS i USING (user_ix) "
        "ORDER BY ALL"
    )
    ingested = con.execute(services.format(prefix="")).fetchall()
    assert con.execute(services.format(prefix="fake_")).fetchall() == ingested
    # e2 (u9, s1, succeeded) and e7 (u2, s2, failed); logins are not service calls
    assert ingested == [
        ("u2", date(2025, 3, 5), "s2", 1, 0),
        ("u9", date(2025, 3, 1), "s1", 1, 1),
    ]
