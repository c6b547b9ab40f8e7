"""``POST /api/v1/ingest/{table}``: rows over HTTP, ingested exactly as a file would be.

The workspace (``ingest_workspace``) has city 330100 with districts 330102 and
330103, services s1 (330102) and s2 (330103), devices d1 (330102), d2 and d3
(330103).  What was stored is read back from the lake's Parquet files and the
register's SQLite file directly.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from api_writable import WritableApi, writable
from httpx2 import Response
from ingest_workspace import make_workspace

from cityops.ingestion.batch import ingest_file
from cityops.services.ingestion import INCOMING_DIR
from cityops.settings import ProcessSettings
from cityops.workspace.workspace import Workspace

NDJSON = "application/x-ndjson"
JSON = "application/json"


def ticket(event_id: str, region: str = "330102", status: str = "created") -> dict[str, Any]:
    return {
        "event_id": event_id,
        "ticket_id": event_id.split("-")[0],
        "ts": "2025-01-06T09:00:00+08:00",
        "status": status,
        "region_code": region,
        "category": "城市管理",
        "department": "城管局",
        "channel": "phone",
    }


def ndjson(*rows: dict[str, Any]) -> bytes:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows).encode()


def lake_rows(workspace: Workspace, table: str) -> list[dict[str, Any]]:
    files = sorted((workspace.lake / table).rglob("*.parquet"))
    if not files:
        return []
    rows = pa.concat_tables([pq.read_table(f) for f in files]).to_pylist()
    return sorted(rows, key=lambda row: json.dumps(row, sort_keys=True, default=str))


def register_sql(workspace: Workspace, query: str) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(workspace.root / "register.sqlite")) as connection:
        return connection.execute(query).fetchall()


def batches(workspace: Workspace) -> list[tuple[Any, ...]]:
    return register_sql(
        workspace,
        "SELECT table_name, source, received, stored, quarantined, duplicates "
        "FROM ingest_batches ORDER BY started_at",
    )


@pytest.fixture
def api(writable_api: WritableApi) -> WritableApi:
    return writable_api


def post(
    api: WritableApi, table: str, body: bytes, user: str = "supervisor", kind: str = NDJSON
) -> Response:
    return api.client.post(f"/api/v1/ingest/{table}", content=body, headers=api.headers(user, kind))


def test_rows_are_checked_deduplicated_and_accounted_like_a_file(api: WritableApi) -> None:
    body = ndjson(ticket("T1-1"), ticket("T1-1"), ticket("T2-1", status="lost"), ticket("T3-1"))
    answer = post(api, "ticket_events", body)
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert {k: result[k] for k in ("received", "stored", "quarantined", "duplicates")} == {
        "received": 4,
        "stored": 2,
        "quarantined": 1,
        "duplicates": 1,
    }
    assert result["table"] == "ticket_events"
    assert [row["event_id"] for row in lake_rows(api.workspace, "ticket_events")] == [
        "T1-1",
        "T3-1",
    ]
    assert batches(api.workspace)[-1] == ("ticket_events", "http", 4, 2, 1, 1)


def test_a_json_array_is_ingested_as_the_same_rows_as_ndjson(tmp_path: Path) -> None:
    rows = [ticket("T1-1"), ticket("T2-1", status="lost"), ticket("T3-1", region="330103")]
    stored = []
    for kind, body in ((NDJSON, ndjson(*rows)), (JSON, json.dumps(rows).encode())):
        workspace = make_workspace(tmp_path / kind.replace("/", "-"))
        with writable(workspace) as api:
            answer = post(api, "ticket_events", body, user="admin", kind=kind)
            assert answer.status_code == 200, answer.text
            assert answer.json()["stored"] == 2
        stored.append(lake_rows(workspace, "ticket_events"))
    assert stored[0] == stored[1]
    assert len(stored[0]) == 2


@pytest.mark.parametrize(
    ("table", "body"),
    [
        ("ticket_events", ndjson(ticket("T1-1"), ticket("T1-2", status="lost"), ticket("T1-1"))),
        (
            "services",
            ndjson(
                {"service_id": "s9", "name": "证明", "department": "公安局", "category": "户籍",
                 "region_code": "330102", "on_portal": "是", "online_since": "2024-03-01"},
                {"service_id": "s1", "name": "出生登记(新)", "department": "公安局",
                 "category": "户籍", "region_code": "330102", "on_portal": True,
                 "online_since": "2024-01-01"},
            ),
        ),
    ],
)  # fmt: skip
def test_http_ingest_and_file_ingest_of_the_same_rows_give_the_same_lake(
    tmp_path: Path, table: str, body: bytes
) -> None:
    by_file = make_workspace(tmp_path / "file")
    source = tmp_path / f"{table}.jsonl"
    source.write_bytes(body)
    file_batch = ingest_file(by_file, table, source)

    by_http = make_workspace(tmp_path / "http")
    with writable(by_http) as api:
        answer = post(api, table, body, user="admin")
    assert answer.status_code == 200, answer.text
    result = answer.json()

    assert result["batch_id"] == file_batch.batch_id  # the same bytes make the same batch
    assert (result["received"], result["stored"], result["quarantined"]) == (
        file_batch.received,
        file_batch.stored,
        file_batch.quarantined,
    )
    assert lake_rows(by_http, table) == lake_rows(by_file, table)
    if table == "services":
        query = "SELECT service_id, name, region_code, on_portal FROM services ORDER BY 1"
        assert register_sql(by_http, query) == register_sql(by_file, query)
    quarantined = [
        {k: v for k, v in row.items() if k != "file"} for row in lake_rows(by_http, "_quarantine")
    ]
    assert quarantined == [
        {k: v for k, v in row.items() if k != "file"} for row in lake_rows(by_file, "_quarantine")
    ]


def test_sending_the_same_body_again_stores_nothing_new(api: WritableApi) -> None:
    body = ndjson(ticket("T1-1"), ticket("T2-1"))
    first = post(api, "ticket_events", body).json()
    again = post(api, "ticket_events", body).json()
    assert again["batch_id"] == first["batch_id"]
    assert (again["received"], again["stored"], again["duplicates"]) == (2, 0, 2)
    assert len(lake_rows(api.workspace, "ticket_events")) == 2


def _limited(limit: int) -> ProcessSettings:
    return ProcessSettings.from_environ({"CITYOPS_API_INGEST_MAX_BYTES": str(limit)})


def test_a_body_beyond_the_limit_is_refused_and_nothing_stored(tmp_path: Path) -> None:
    body = ndjson(ticket("T1-1"))
    workspace = make_workspace(tmp_path)
    with writable(workspace, _limited(len(body) - 1)) as api:
        before = batches(api.workspace)
        declared = post(api, "ticket_events", body)
        assert declared.status_code == 413
        streamed = api.client.post(  # chunked: no Content-Length, counted while it streams
            "/api/v1/ingest/ticket_events",
            content=_chunks(body, 16),
            headers=api.headers("supervisor", NDJSON),
        )
        assert streamed.status_code == 413
        assert batches(api.workspace) == before
        assert lake_rows(api.workspace, "ticket_events") == []
        assert not any((api.workspace.root / INCOMING_DIR).iterdir())

    with writable(workspace, _limited(len(body))) as api:  # the supervisor exists by now
        assert post(api, "ticket_events", body, user="admin").status_code == 200


def _chunks(body: bytes, size: int) -> Iterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


@pytest.mark.parametrize(
    ("kind", "body", "expected"),
    [
        (NDJSON, ndjson(ticket("T1-1"), ticket("T2-1"))[:-20] + b"\n" + ndjson(ticket("T3-1")),
         "line 2, column"),
        (NDJSON, ndjson(ticket("T1-1")) + b"\n" + ndjson(ticket("T2-1")), "line 2 is empty"),
        (NDJSON, ndjson(ticket("T1-1")) + b'["T2-1"]\n', "line 2 is a JSON array"),
        (NDJSON, ndjson(ticket("T1-1")) + b'{"event_id": "\xff"}\n', "line 2 is not UTF-8"),
        (JSON, json.dumps([ticket("T1-1"), 7]).encode(), "element 2 of the array is a JSON number"),
        (JSON, b'[{"event_id": "T1-1"},\n {"event_id": }]', "line 2, column"),
        (JSON, json.dumps(ticket("T1-1")).encode(), "it is a JSON object"),
        (JSON, b"[]", "no rows"),
        (NDJSON, b"", "no rows"),
    ],
)  # fmt: skip
def test_a_malformed_body_is_refused_with_where_it_goes_wrong_and_nothing_stored(
    api: WritableApi, kind: str, body: bytes, expected: str
) -> None:
    before = batches(api.workspace)
    answer = post(api, "ticket_events", body, kind=kind)
    assert answer.status_code == 422
    assert expected in answer.json()["detail"]
    assert batches(api.workspace) == before
    assert lake_rows(api.workspace, "ticket_events") == []


def test_errors_do_not_show_where_the_workspace_lives(api: WritableApi) -> None:
    row = ticket("T1-1")
    del row["status"]
    answer = post(api, "ticket_events", ndjson(row), user="admin")
    assert answer.status_code == 422
    detail = answer.json()["detail"]
    assert "status" in detail
    assert str(api.workspace.root) not in detail
    assert INCOMING_DIR not in detail
    assert "/" not in detail


def test_a_row_of_a_sibling_district_refuses_the_whole_request(api: WritableApi) -> None:
    body = ndjson(ticket("T1-1"), ticket("T2-1", region="330103"), ticket("T3-1", region="x"))
    answer = post(api, "ticket_events", body)
    assert answer.status_code == 403
    detail = answer.json()["detail"]
    assert "line 2" in detail
    assert "330103" in detail
    assert lake_rows(api.workspace, "ticket_events") == []
    audit = register_sql(
        api.workspace, "SELECT username, action, object, result FROM audit_log ORDER BY seq"
    )
    assert audit[-1] == ("supervisor", "write:ingest", "ticket_events", "refused")


def test_the_first_row_outside_is_named_by_its_element_in_an_array(api: WritableApi) -> None:
    rows = [ticket("T1-1"), ticket("T2-1"), ticket("T3-1", region="330100")]
    answer = post(api, "ticket_events", json.dumps(rows).encode(), kind=JSON)
    assert answer.status_code == 403
    assert "element 3 lies in region 330100" in answer.json()["detail"]


def test_a_city_supervisor_may_write_rows_of_every_district_of_the_city(
    api: WritableApi,
) -> None:
    body = ndjson(ticket("T1-1"), ticket("T2-1", region="330103"), ticket("T3-1", region="330100"))
    answer = post(api, "ticket_events", body, user="city_supervisor")
    assert answer.status_code == 200, answer.text
    assert answer.json()["stored"] == 3


def test_rows_placed_through_a_register_key_take_that_rows_region(api: WritableApi) -> None:
    beats = [{"device_id": device, "ts": "2025-01-06T09:00:00+08:00", "status": "ok"}
             for device in ("d1", "d2")]  # fmt: skip
    refused = post(api, "device_heartbeats", ndjson(*beats))
    assert refused.status_code == 403
    assert "line 2 lies in region 330103" in refused.json()["detail"]
    accepted = post(api, "device_heartbeats", ndjson(beats[0]))
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["stored"] == 1


def test_rows_with_no_region_are_for_unscoped_callers_only(api: WritableApi) -> None:
    login = {"event_id": "E1", "ts": "2025-01-06T09:00:00+08:00", "user_id": "u1",
             "event_type": "login", "channel": "app"}  # fmt: skip
    refused = post(api, "portal_events", ndjson(login))
    assert refused.status_code == 403
    assert "line 1 has no known region" in refused.json()["detail"]
    assert post(api, "portal_events", ndjson(login), user="admin").status_code == 200


@pytest.mark.parametrize(
    ("user", "status"),
    [("operator", 200), ("department", 403), ("evaluator", 403), ("auditor", 403)],
)
def test_only_roles_that_may_write_ingest_get_through(
    api: WritableApi, user: str, status: int
) -> None:
    assert post(api, "ticket_events", ndjson(ticket("T1-1")), user=user).status_code == status


def test_an_unknown_table_is_not_found_and_another_media_type_unsupported(
    api: WritableApi,
) -> None:
    assert post(api, "tickets", ndjson(ticket("T1-1"))).status_code == 404
    csv = b"event_id,ticket_id\nT1-1,T1\n"
    assert post(api, "ticket_events", csv, kind="text/csv").status_code == 415
    latin = post(api, "ticket_events", ndjson(ticket("T1-1")), kind=f"{NDJSON}; charset=latin-1")
    assert latin.status_code == 415


def test_a_stored_batch_is_audited_and_its_quarantine_names_no_server_path(
    api: WritableApi,
) -> None:
    answer = post(api, "ticket_events", ndjson(ticket("T1-1"), ticket("T2-1", status="lost")))
    batch_id = answer.json()["batch_id"]
    audit = register_sql(
        api.workspace, "SELECT username, action, object, result FROM audit_log ORDER BY seq"
    )
    assert audit[-1] == ("supervisor", "write:ingest", f"ticket_events/{batch_id}", "ok")
    listed = api.client.get("/api/v1/quarantine", headers=api.headers("supervisor")).json()
    [row] = listed["items"]
    assert (row["batch_id"], row["line"], row["field"]) == (batch_id, 2, "status")
    assert row["file"].startswith("http-ticket_events-")
    assert "/" not in row["file"]
