"""The operations pages over a month written by hand (March 2025), small enough to
work out on paper: security incidents and their phases, one camera's heartbeats,
and regions with no portal or hotline data at all.

The workspace (``ingest_workspace``: city 330100, districts 330102 and 330103,
cameras d1 in 330102 and d3 in 330103, both every 300 s) has no stored facts,
so every headline rate here is computed for the answer (``stored`` false).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd  # type: ignore[import-untyped]
import pytest
from api_writable import WritableApi, writable
from ingest_workspace import make_workspace, write_text

from cityops.ingestion.batch import ingest_file

PERIOD = "2025-03"

SYSTEMS = (
    "system_id,name,department,region_code,functions_planned,functions_live,"
    "interfaces_total,interfaces_standard\n"
    "SYS1,政务服务系统,大数据局,330102,10,10,4,4\n"
)

INCIDENTS = """event_id,incident_id,ts,region_code,system_id,grade,phase,leak
I1-1,I1,2025-03-02T10:00:00+08:00,330102,SYS1,3,detected,false
I1-2,I1,2025-03-02T10:30:00+08:00,330102,SYS1,3,responded,false
I1-3,I1,2025-03-02T12:00:00+08:00,330102,SYS1,2,contained,false
I1-4,I1,2025-03-03T08:00:00+08:00,330102,SYS1,2,recovered,false
I2-1,I2,2025-03-05T23:00:00+08:00,330102,SYS1,4,detected,false
I2-2,I2,2025-03-06T00:00:00+08:00,330102,SYS1,4,responded,true
I3-1,I3,2025-02-27T09:00:00+08:00,330102,SYS1,1,detected,true
I3-2,I3,2025-03-01T09:00:00+08:00,330102,SYS1,1,responded,true
I4-1,I4,2025-03-10T09:00:00+08:00,330103,SYS1,1,detected,false
I5-1,I5,2025-03-01T00:05:00+08:00,330102,SYS1,4,detected,false
I6-1,I6,2025-04-01T00:10:00+08:00,330102,SYS1,2,detected,true
"""
"""In 330102 and March (local time): I1 (graded 2 once contained; responded after 30
minutes, recovered after 22 hours), I2 (grade 4, a leak, responded after an hour)
and I5 (grade 4, just after midnight on 1 March).  I3 was detected in February,
I4 in the sibling district, I6 on 1 April local time (still 31 March in UTC)."""


def _heartbeats() -> str:
    """Camera d1 in March: an ok heartbeat in every 300 s slot but those of 10–12 March,
    a second ok heartbeat inside one slot and a fault; two heartbeats in February."""
    slots = pd.date_range(
        "2025-03-01", "2025-04-01", freq="300s", tz="Asia/Shanghai", inclusive="left"
    )
    kept = slots[(slots < "2025-03-10") | (slots >= "2025-03-13")]
    times = [*kept, slots[0] + pd.Timedelta(seconds=10), slots[1] + pd.Timedelta(seconds=20)]
    status = ["ok"] * (len(kept) + 1) + ["fault"]
    march = pd.DataFrame({"device_id": "d1", "ts": times, "status": status})
    february = pd.DataFrame(
        {"device_id": "d1", "ts": pd.to_datetime(["2025-02-27T10:00:00+08:00",
                                                  "2025-02-28T23:59:00+08:00"]), "status": "ok"}
    )  # fmt: skip
    frame = pd.concat([march, february])
    frame["ts"] = frame["ts"].map(lambda ts: ts.isoformat())
    text: str = frame.to_csv(index=False)
    return text


AVAILABILITY_D1 = (31 - 3) / 31
"""d1's ok slots, 28 days × 288, over the 31 × 288 slots of March: 0.903."""


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WritableApi]:
    directory = tmp_path_factory.mktemp("operations")
    workspace = make_workspace(directory)
    for name, text in (("systems", SYSTEMS), ("security_events", INCIDENTS),
                       ("device_heartbeats", _heartbeats())):  # fmt: skip
        ingest_file(workspace, name, write_text(directory / f"{name}.csv", text))
    with writable(workspace) as api:
        yield api


def _get(api: WritableApi, page: str, region: str, username: str) -> dict[str, Any]:
    answer = api.client.get(
        f"/api/v1/operations/{region}/{page}",
        params={"period": PERIOD},
        headers=api.headers(username),
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def test_incidents_are_graded_timed_and_placed_as_worked_out(api: WritableApi) -> None:
    security = _get(api, "infrastructure", "330102", "supervisor")["security"]
    assert security["incidents"] == 3
    assert [
        (
            g["grade"],
            g["incidents"],
            g["leaks"],
            g["mean_response_minutes"],
            g["mean_recovery_minutes"],
        )
        for g in security["by_grade"]
    ] == [
        (1, 0, 0, None, None),
        (2, 1, 0, 30.0, 1320.0),
        (3, 0, 0, None, None),
        (4, 2, 1, 60.0, None),
    ]
    assert [i["incident_id"] for i in security["timelines"]] == ["I1", "I5", "I2"]
    first = security["timelines"][0]
    assert (first["grade"], first["leak"], first["system_id"]) == (2, False, "SYS1")
    assert [
        first[f"{phase}_at"] for phase in ("detected", "responded", "contained", "recovered")
    ] == [
        "2025-03-02T10:00:00+08:00",
        "2025-03-02T10:30:00+08:00",
        "2025-03-02T12:00:00+08:00",
        "2025-03-03T08:00:00+08:00",
    ]
    assert security["leaks"] == {
        "indicator": "security.leak_incidents",
        "value": 1.0,
        "numerator": 1.0,
        "denominator": None,
        "stored": False,
    }


def test_the_city_sees_the_incidents_of_both_districts(api: WritableApi) -> None:
    security = _get(api, "infrastructure", "330100", "city_supervisor")["security"]
    assert [g["incidents"] for g in security["by_grade"]] == [1, 1, 0, 2]
    assert security["leaks"]["value"] == 1.0


def test_camera_availability_counts_each_slot_once_within_the_month(api: WritableApi) -> None:
    district = _get(api, "infrastructure", "330102", "supervisor")["cameras"]
    assert district["cameras"] == 1
    assert [b["count"] for b in district["availability"]] == [0, 0, 0, 1, 0, 0]
    assert (district["availability"][3]["lower"], district["availability"][3]["upper"]) == (
        0.9,
        0.95,
    )
    assert 0.9 <= AVAILABILITY_D1 < 0.95
    assert district["intact_rate"]["value"] == 0.0
    assert district["intact_rate"]["stored"] is False
    city = _get(api, "infrastructure", "330100", "city_supervisor")["cameras"]
    assert [b["count"] for b in city["availability"]] == [1, 0, 0, 1, 0, 0]


def test_a_region_without_portal_data_has_zeros_and_empty_cohorts(api: WritableApi) -> None:
    portal = _get(api, "portal", "330102", "supervisor")
    assert (portal["users"]["registered"], portal["users"]["resident_population"]) == (0, 400000)
    assert portal["users"]["coverage"]["value"] == 0.0
    assert [d["users"] for d in portal["daily_active"]] == [0] * 31
    assert [(c["cohort"], c["users"]) for c in portal["cohorts"]] == [
        (month, 0) for month in ("2024-10", "2024-11", "2024-12", "2025-01", "2025-02", "2025-03")
    ]
    assert [len(c["retention"]) for c in portal["cohorts"]] == [6, 5, 4, 3, 2, 1]
    assert all(share is None for c in portal["cohorts"] for share in c["retention"])
    assert portal["top_services"] == []
    assert portal["dau_mau"]["value"] is None
    assert [r["ratings"] for r in portal["ratings"]] == [0] * 5


def test_a_month_without_tickets_has_no_times(api: WritableApi) -> None:
    hotline = _get(api, "hotline", "330102", "department")
    assert hotline["created"] == 0
    assert (hotline["response_time"]["median"], hotline["closure_time"]["p90"]) == (None, None)
    assert hotline["sla_by_department"] == []
    assert hotline["response_30min"]["value"] is None


def test_a_sibling_district_is_not_found(api: WritableApi) -> None:
    answer = api.client.get(
        "/api/v1/operations/330103/infrastructure",
        params={"period": PERIOD},
        headers=api.headers("supervisor"),
    )
    assert answer.status_code == 404


def test_an_empty_workspace_answers_every_page(tmp_path: Path) -> None:
    """No facts stored and none of the lake's tables yet: every page still answers."""
    with writable(make_workspace(tmp_path)) as api:
        for page in ("portal", "hotline", "infrastructure"):
            assert _get(api, page, "330100", "city_supervisor")["region_code"] == "330100"
