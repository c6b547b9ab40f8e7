"""``GET /api/v1/register/{table}``: register rows, limited to the caller's scope.

Expected rows are read straight from the register's SQLite file, and the scope
is worked out from the codes themselves (a district's streets are the 9-digit
codes that start with its 6 digits), not with the code under test.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from typing import Any

import pytest
from api_workspace import DEPARTMENT, OWN, SIBLING, ApiWorkspace
from fastapi.testclient import TestClient

CITY_A = "970100"


def _sql(api: ApiWorkspace, query: str) -> list[tuple[Any, ...]]:
    path = api.workspace.root / "register.sqlite"
    with closing(sqlite3.connect(path)) as connection:
        return connection.execute(query).fetchall()


def _in_district(code: str, district: str) -> bool:
    return code == district or (len(code) == 9 and code.startswith(district))


def _all_items(client: TestClient, url: str, headers: dict[str, str]) -> list[dict[str, Any]]:
    answer = client.get(url, params={"limit": 1000}, headers=headers)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["total"] == len(body["items"])
    items: list[dict[str, Any]] = body["items"]
    return items


def test_a_district_supervisor_sees_the_services_of_the_district_and_its_streets(
    api_client: TestClient, api_workspace: ApiWorkspace
) -> None:
    items = _all_items(api_client, "/api/v1/register/services", api_workspace.headers("supervisor"))
    expected = sorted(
        service_id
        for service_id, region in _sql(
            api_workspace, "SELECT service_id, region_code FROM services"
        )
        if _in_district(region, OWN)
    )
    assert [item["service_id"] for item in items] == expected
    assert expected, "the fixture has services in the district"
    assert all(item["region_code"] != SIBLING for item in items)


def test_an_administrator_sees_every_row_with_every_contract_field(
    api_client: TestClient, api_workspace: ApiWorkspace
) -> None:
    items = _all_items(api_client, "/api/v1/register/devices", api_workspace.headers("admin"))
    rows = _sql(api_workspace, "SELECT device_id, kind, region_code, installed_at FROM devices")
    assert len(items) == len(rows)
    by_id = {item["device_id"]: item for item in items}
    for device_id, kind, region, installed_at in rows:
        assert by_id[device_id]["kind"] == kind
        assert by_id[device_id]["region_code"] == region
        assert by_id[device_id]["installed_at"] == installed_at  # ISO date, as SQLite keeps it
    assert set(items[0]) == {
        "device_id", "kind", "region_code", "installed_at", "retired_at", "shared",
        "heartbeat_interval_s",
    }  # fmt: skip


def test_a_department_sees_only_its_own_departments_rows_in_its_scope(
    api_client: TestClient, api_workspace: ApiWorkspace
) -> None:
    items = _all_items(api_client, "/api/v1/register/services", api_workspace.headers("department"))
    expected = sorted(
        service_id
        for service_id, region, department in _sql(
            api_workspace, "SELECT service_id, region_code, department FROM services"
        )
        if _in_district(region, OWN) and department == DEPARTMENT
    )
    assert [item["service_id"] for item in items] == expected
    assert {item["department"] for item in items} <= {DEPARTMENT}


def test_the_regions_table_shows_a_city_supervisor_the_city_and_below_only(
    api_client: TestClient, api_workspace: ApiWorkspace
) -> None:
    items = _all_items(
        api_client, "/api/v1/register/regions", api_workspace.headers("city_supervisor")
    )
    codes = [code for (code,) in _sql(api_workspace, "SELECT region_code FROM regions")]
    expected = sorted(code for code in codes if code.startswith("9701"))
    assert [item["region_code"] for item in items] == expected
    assert {"970000", "970200"} <= set(codes), "the province and the other city exist"


def test_pages_are_slices_of_the_whole_list(
    api_client: TestClient, api_workspace: ApiWorkspace
) -> None:
    headers = api_workspace.headers("admin")
    whole = _all_items(api_client, "/api/v1/register/services", headers)
    page = api_client.get(
        "/api/v1/register/services", params={"limit": 3, "offset": 2}, headers=headers
    ).json()
    assert page["total"] == len(whole)
    assert (page["limit"], page["offset"]) == (3, 2)
    assert page["items"] == whole[2:5]


@pytest.mark.parametrize("name", ["portal_events", "users", "nothing"])
def test_a_name_that_is_not_a_register_table_is_not_found(
    api_client: TestClient, api_workspace: ApiWorkspace, name: str
) -> None:
    answer = api_client.get(f"/api/v1/register/{name}", headers=api_workspace.headers("admin"))
    assert answer.status_code == 404


def test_a_limit_above_a_thousand_is_refused(
    api_client: TestClient, api_workspace: ApiWorkspace
) -> None:
    answer = api_client.get(
        "/api/v1/register/services", params={"limit": 1001}, headers=api_workspace.headers("admin")
    )
    assert answer.status_code == 422


def test_reading_the_register_needs_a_token(api_client: TestClient) -> None:
    assert api_client.get("/api/v1/register/services").status_code == 401
