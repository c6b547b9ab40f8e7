"""``GET /api/v1/quarantine``: the rows ingestion refused, with where and why, limited to
the caller's scope.

Two files with known bad rows are ingested once into a private workspace (that
of ``writable_api``: city 330100 with districts 330102 and 330103) the tests
only read.  Which rows a
caller sees follows from each row's own region: a district supervisor of 330102
sees that district's rows, the city's supervisor both districts', and a row
whose region is missing only an unscoped caller.  The CSV header is line 1.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from api_writable import WritableApi, writable
from ingest_workspace import make_workspace

from cityops.ingestion.batch import ingest_file

TICKETS = (
    "event_id,ticket_id,ts,status,region_code,category,department,channel\n"
    "T1-1,T1,2025-01-06T09:00:00+08:00,created,330102,城市管理,城管局,phone\n"  # line 2: stored
    "T2-1,T2,2025-01-06T09:00:00+08:00,lost,330102,城市管理,城管局,phone\n"  # 3: status
    "T3-1,T3,2025-01-06T09:00:00+08:00,lost,330103,城市管理,城管局,phone\n"  # 4: status
    "T4-1,T4,2025-01-06T09:00:00+08:00,created,,城市管理,城管局,phone\n"  # 5: no region
    "T5-1,T5,2025-01-06T09:00:00+08:00,created,330102,13812345678,城管局,phone\n"  # 6: a phone
)
SERVICES = (
    "service_id,name,department,category,region_code,on_portal,one_thing_id,online_since,"
    "offline_at\n"
    "s9,证明,公安局,户籍,330102,maybe,,2024-03-01,\n"  # line 2: on_portal
)


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WritableApi]:
    directory = tmp_path_factory.mktemp("quarantine")
    workspace = make_workspace(directory)
    for table, name, text in (
        ("ticket_events", "tickets.csv", TICKETS),
        ("services", "services.csv", SERVICES),
    ):
        path = directory / name
        path.write_text(text, encoding="utf-8")
        ingest_file(workspace, table, path)
    with writable(workspace) as api:
        yield api


def _listed(api: WritableApi, user: str, **params: str | int) -> dict[str, Any]:
    answer = api.client.get("/api/v1/quarantine", params=params, headers=api.headers(user))
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def _where(body: dict[str, Any]) -> list[tuple[str, str, int, str]]:
    return [(i["table_name"], i["file"], i["line"], i["field"]) for i in body["items"]]


SERVICE_ROW = ("services", "services.csv", 2, "on_portal")
TICKET_ROWS = {
    "T2": ("ticket_events", "tickets.csv", 3, "status"),
    "T3": ("ticket_events", "tickets.csv", 4, "status"),
    "T4": ("ticket_events", "tickets.csv", 5, "region_code"),
    "T5": ("ticket_events", "tickets.csv", 6, "category"),
}


@pytest.mark.parametrize(
    ("user", "tickets"),
    [
        ("admin", ["T2", "T3", "T4", "T5"]),
        ("city_supervisor", ["T2", "T3", "T5"]),
        ("supervisor", ["T2", "T5"]),
        ("operator", ["T2", "T5"]),
        ("auditor", ["T2", "T5"]),
    ],
)
def test_each_caller_sees_the_quarantined_rows_of_their_scope(
    api: WritableApi, user: str, tickets: list[str]
) -> None:
    body = _listed(api, user)
    assert _where(body) == [SERVICE_ROW, *(TICKET_ROWS[t] for t in tickets)]
    assert body["total"] == len(tickets) + 1


def test_a_row_says_why_it_was_refused_and_masks_what_looks_personal(api: WritableApi) -> None:
    items = {json.loads(i["row"])["ticket_id"]: i for i in _listed(api, "admin")["items"][1:]}
    assert "lost" in items["T2"]["reason"]
    row = json.loads(items["T5"]["row"])
    assert row["category"] == "***"
    assert "13812345678" not in json.dumps(items["T5"])
    assert {key: row[key] for key in ("event_id", "region_code", "department")} == {
        "event_id": "T5-1",
        "region_code": "330102",
        "department": "城管局",
    }
    assert json.loads(items["T3"]["row"])["status"] == "lost"


def test_rows_name_their_source_file_never_its_path_on_the_server(api: WritableApi) -> None:
    for item in _listed(api, "admin")["items"]:
        assert "/" not in item["file"]
        assert str(api.workspace.root.parent) not in json.dumps(item)


def test_rows_can_be_listed_for_one_table(api: WritableApi) -> None:
    body = _listed(api, "supervisor", table="ticket_events")
    assert _where(body) == [TICKET_ROWS["T2"], TICKET_ROWS["T5"]]
    assert _where(_listed(api, "admin", table="services")) == [SERVICE_ROW]
    assert _listed(api, "admin", table="devices")["total"] == 0


def test_pages_are_slices_of_the_whole_list(api: WritableApi) -> None:
    whole = _listed(api, "admin")["items"]
    page = _listed(api, "admin", limit=2, offset=1)
    assert (page["total"], page["items"]) == (len(whole), whole[1:3])


@pytest.mark.parametrize(
    ("params", "status"),
    [({"table": "tickets"}, 404), ({"limit": 1001}, 422), ({"offset": -1}, 422)],
)
def test_an_unknown_table_or_a_page_beyond_the_bounds_is_refused(
    api: WritableApi, params: dict[str, Any], status: int
) -> None:
    answer = api.client.get("/api/v1/quarantine", params=params, headers=api.headers("admin"))
    assert answer.status_code == status


@pytest.mark.parametrize("user", ["department", "evaluator"])
def test_roles_without_quarantine_access_are_refused(api: WritableApi, user: str) -> None:
    answer = api.client.get("/api/v1/quarantine", headers=api.headers(user))
    assert answer.status_code == 403


def test_an_empty_quarantine_is_an_empty_page(writable_api: WritableApi) -> None:
    assert _listed(writable_api, "supervisor") == {
        "total": 0,
        "limit": 100,
        "offset": 0,
        "items": [],
    }
