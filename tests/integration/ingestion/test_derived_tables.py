"""The compact tables built at ingest, against counts worked by hand."""

from datetime import date
from pathlib import Path

import pytest
from ingest_workspace import make_workspace, write_text

from cityops.errors import WorkspaceError
from cityops.ingestion.batch import ingest_file
from cityops.lake.compact import COMPACT_FORMAT
from cityops.services.unit_of_work import open_analytics
from cityops.workspace.workspace import Workspace

EVENTS_HEADER = "event_id,ts,user_id,event_type,service_id,channel,success\n"
FIRST_EVENTS = EVENTS_HEADER + (
    "e1,2025-01-01 10:00:00,u1,login,,app,\n"
    "e2,2025-01-01 11:00:00,u1,service_call,s1,app,true\n"
    "e3,2025-01-01 12:00:00,u2,login,,pc,\n"
    "e4,2025-01-02 09:00:00,u1,login,,app,\n"
)
SECOND_EVENTS = EVENTS_HEADER + (
    "e4,2025-01-02 09:00:00,u1,login,,app,\n"  # already stored
    "e5,2025-01-02 10:00:00,u3,service_call,s2,app,false\n"
    "e6,2025-01-02 23:30:00,u2,service_call,s1,app,true\n"
    "e7,2025-01-02T16:30:00+00:00,u2,login,,app,\n"  # 00:30 on 3 January in Shanghai
)

HEARTBEATS_HEADER = "device_id,ts,status\n"
FIRST_HEARTBEATS = HEARTBEATS_HEADER + (
    "d1,2025-01-01 10:00:00,ok\n"
    "d1,2025-01-01 10:02:00,ok\n"  # same 300 s slot as 10:00
    "d1,2025-01-01 10:05:00,fault\n"
    "d2,2025-01-01 10:00:00,ok\n"
    "d2,2025-01-01 10:07:00,ok\n"  # same 600 s slot as 10:00
)
SECOND_HEARTBEATS = HEARTBEATS_HEADER + (
    "d1,2025-01-01 10:03:00,ok\n"  # a slot the first batch already filled
    "d1,2025-01-01 10:11:00,ok\n"
    "d3,2025-01-01 10:00:00,fault\n"  # no interval registered: 300 s
    "d2,2025-01-01 10:12:00,ok\n"
)


def ingest_all(ws: Workspace, directory: Path, files: list[tuple[str, str, str]]) -> None:
    for table, name, text in files:
        ingest_file(ws, table, write_text(directory / name, text))


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    ws = make_workspace(tmp_path)
    ingest_all(
        ws,
        tmp_path,
        [
            ("portal_events", "events-1.csv", FIRST_EVENTS),
            ("portal_events", "events-2.csv", SECOND_EVENTS),
            ("device_heartbeats", "hb-1.csv", FIRST_HEARTBEATS),
            ("device_heartbeats", "hb-2.csv", SECOND_HEARTBEATS),
        ],
    )
    return ws


def query(ws: Workspace, sql: str) -> list[tuple[object, ...]]:
    con = open_analytics(ws)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_users_are_numbered_densely_in_order_of_first_batch(workspace: Workspace) -> None:
    # Batch 1 brings u1 and u2 (numbered in id order), batch 2 brings u3.
    assert query(workspace, "SELECT user_id, user_ix FROM user_index ORDER BY user_ix") == [
        ("u1", 0),
        ("u2", 1),
        ("u3", 2),
    ]


def test_user_day_activity_counts_each_stored_event_once(workspace: Workspace) -> None:
    d1, d2, d3 = date(2025, 1, 1), date(2025, 1, 2), date(2025, 1, 3)
    assert query(
        workspace,
        "SELECT user_ix, day, events, service_calls, successful_calls FROM user_day_activity "
        "ORDER BY day, user_ix",
    ) == [
        (0, d1, 2, 1, 1),  # e2 succeeded
        (1, d1, 1, 0, 0),
        (0, d2, 1, 0, 0),
        (1, d2, 1, 1, 1),  # e6 succeeded
        (2, d2, 1, 1, 0),  # e5 failed
        (1, d3, 1, 0, 0),
    ]


def test_user_day_activity_agrees_with_the_events_themselves(workspace: Workspace) -> None:
    direct = query(
        workspace,
        "SELECT user_id, CAST(ts AS DATE) AS day, count(*), "
        "count(*) FILTER (WHERE event_type = 'service_call'), "
        "count(*) FILTER (WHERE event_type = 'service_call' AND success) FROM portal_events "
        "GROUP BY ALL ORDER BY ALL",
    )
    derived = query(
        workspace,
        "SELECT i.user_id, a.day, a.events, a.service_calls, a.successful_calls "
        "FROM user_day_activity a "
        "JOIN user_index i USING (user_ix) ORDER BY ALL",
    )
    assert derived == direct


def test_user_day_services_add_up_the_calls_of_several_batches(
    workspace: Workspace, tmp_path: Path
) -> None:
    third = EVENTS_HEADER + (
        "e8,2025-01-02 23:40:00,u2,service_call,s1,app,true\n"  # u2, 2 January, s1 again
        "e9,2025-01-02 23:50:00,u2,service_call,s1,app,\n"  # no success value: not a success
        "e10,2025-01-02 23:55:00,u2,service_call,s2,app,false\n"
    )
    ingest_all(workspace, tmp_path, [("portal_events", "events-3.csv", third)])
    d1, d2 = date(2025, 1, 1), date(2025, 1, 2)
    # u1 (0): e2; u2 (1): e6 from batch 2, e8 and e9 from batch 3 on s1, e10 on s2; u3 (2): e5
    assert query(
        workspace,
        "SELECT user_ix, day, service_id, calls, successes FROM user_day_services ORDER BY ALL",
    ) == [
        (0, d1, "s1", 1, 1),
        (1, d2, "s1", 3, 2),
        (1, d2, "s2", 1, 0),
        (2, d2, "s2", 1, 0),
    ]


def test_device_day_slots_count_distinct_slots_across_batches(workspace: Workspace) -> None:
    day = date(2025, 1, 1)
    # d1 (300 s): ok in the 10:00 and 10:10 slots, fault in 10:05;
    # d2 (600 s): ok in 10:00 and 10:10; d3 (default 300 s): one fault.
    assert query(
        workspace, "SELECT device_id, day, ok_slots, fault_slots FROM device_day_slots ORDER BY 1"
    ) == [("d1", day, 2, 1), ("d2", day, 2, 0), ("d3", day, 0, 1)]


def test_re_ingesting_a_batch_leaves_the_derived_tables_unchanged(
    workspace: Workspace, tmp_path: Path
) -> None:
    tables = ("user_index", "user_day_activity", "user_day_services", "device_day_slots")
    before = {t: query(workspace, f"SELECT * FROM {t} ORDER BY ALL") for t in tables}
    ingest_all(
        workspace,
        tmp_path,
        [
            ("portal_events", "events-2.csv", SECOND_EVENTS),
            ("device_heartbeats", "hb-2.csv", SECOND_HEARTBEATS),
        ],
    )
    assert {t: query(workspace, f"SELECT * FROM {t} ORDER BY ALL") for t in tables} == before


def test_an_empty_workspace_has_empty_derived_tables(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    assert query(ws, "SELECT count(*) FROM user_day_activity") == [(0,)]
    assert query(ws, "SELECT count(*) FROM user_day_services") == [(0,)]
    assert query(ws, "SELECT count(*) FROM device_day_slots") == [(0,)]


USERS_HEADER = "event_id,user_id,region_code,registered_at,real_name,channel\n"


def test_user_registrations_hold_each_stored_registration_by_user_index(
    workspace: Workspace, tmp_path: Path
) -> None:
    first = USERS_HEADER + (
        "r1,u2,330102,2024-06-01 09:00:00,true,app\nr2,u4,330103,2024-07-01 09:00:00,false,pc\n"
    )
    second = USERS_HEADER + (
        "r2,u4,330103,2024-07-01 09:00:00,false,pc\n"  # already stored
        "r3,u2,330103,2025-01-15 09:00:00,true,app\n"  # u2 moves
    )
    ingest_all(
        workspace,
        tmp_path,
        [("portal_users", "users-1.csv", first), ("portal_users", "users-2.csv", second)],
    )
    # u2 was numbered 1 by the events; u4 is new, the next number after u3's 2.
    rows = query(
        workspace,
        "SELECT user_ix, event_id, region_code, real_name, strftime(registered_at, '%Y-%m-%d') "
        "FROM user_registrations ORDER BY event_id",
    )
    assert rows == [
        (1, "r1", "330102", True, "2024-06-01"),
        (3, "r2", "330103", False, "2024-07-01"),
        (1, "r3", "330103", True, "2025-01-15"),
    ]


def test_a_lake_derived_by_an_older_version_is_refused_not_read_as_empty(
    workspace: Workspace, tmp_path: Path
) -> None:
    marker = workspace.lake / "_derived" / "FORMAT"
    assert marker.read_text("utf-8").strip() == str(COMPACT_FORMAT)
    marker.unlink()  # as a lake from before the marker (format 1) has it
    with pytest.raises(WorkspaceError, match=r"format 1.*ingest the sources again"):
        open_analytics(workspace)
    with pytest.raises(WorkspaceError, match="format 1"):
        ingest_all(workspace, tmp_path, [("portal_events", "events-1.csv", FIRST_EVENTS)])
