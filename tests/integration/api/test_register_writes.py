"""Register tables over HTTP ingest: the operator's KPI manipulation, end to end.

An operator is paid on ``effect.resident_coverage`` (用户覆盖率 = registered
users ÷ ``resident_population``) of its district.  Before register writes were
limited to the administrator, the operator could POST a ``regions`` row that
lowered its district's population and so raised its own KPI, move its
district under another parent, or hand a service to another department.  Each
attempt here is refused (403) and changes nothing, the figure computed again
afterwards included; the same population change by the administrator goes
through and is audited with the value before and after.  A batch that would
break the region tree is refused whole, whoever sends it.

The tests run on a private copy of the shared two-city workspace (its users
and tokens work in the copy).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import pytest
from api_workspace import OWN, PERIOD, SIBLING, ApiWorkspace
from fastapi.testclient import TestClient
from httpx2 import Response

from cityops.api.pages import MAX_LIMIT
from cityops.server import create_app
from cityops.services.indicators import compute_period
from cityops.services.unit_of_work import unit_of_work
from cityops.workspace.workspace import open_workspace

COVERAGE = "effect.resident_coverage"
NEW_STREET = "970102901"


@dataclass(frozen=True, slots=True)
class CopyApi:
    api: ApiWorkspace
    client: TestClient

    def get(self, user: str, url: str, **params: str | int) -> Response:
        return self.client.get(url, params=params, headers=self.api.headers(user))

    def post(self, user: str, table: str, rows: list[dict[str, Any]]) -> Response:
        return self.client.post(
            f"/api/v1/ingest/{table}", json=rows, headers=self.api.headers(user)
        )

    def register(self, table: str) -> list[dict[str, Any]]:
        """Every current row of a register table, as the administrator sees them."""
        answer = self.get("admin", f"/api/v1/register/{table}", limit=MAX_LIMIT)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["total"] == len(body["items"]), "the whole table fits in one page"
        return list(body["items"])

    def region(self, code: str) -> dict[str, Any]:
        [row] = [row for row in self.register("regions") if row["region_code"] == code]
        return row

    def coverage(self, region: str) -> float:
        """``effect.resident_coverage`` of ``region`` computed afresh from the register."""
        with unit_of_work(self.api.workspace) as uow:
            compute_period(uow, PERIOD)
        answer = self.get(
            "admin", "/api/v1/facts", period=str(PERIOD), region=region, indicator=COVERAGE
        )
        [fact] = answer.json()["items"]
        value = fact["value"]
        assert isinstance(value, float)
        return value

    def audit(self) -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = []
        while True:
            page = self.get("admin", "/api/v1/audit", limit=MAX_LIMIT, offset=len(entries))
            entries += page.json()["items"]
            if len(entries) >= page.json()["total"]:
                return entries

    def batches(self) -> int:
        """Ingest batches recorded (a refused batch records none)."""
        return len(self.audit_of("write:ingest", "ok"))

    def audit_of(self, action: str, result: str) -> list[dict[str, Any]]:
        return [e for e in self.audit() if (e["action"], e["result"]) == (action, result)]


@pytest.fixture(scope="module")
def copy_api(
    api_workspace: ApiWorkspace, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CopyApi]:
    root = tmp_path_factory.mktemp("register_writes") / "ws"
    shutil.copytree(api_workspace.workspace.root, root)
    api = replace(api_workspace, workspace=open_workspace(root))
    with TestClient(create_app(api.workspace)) as client:
        yield CopyApi(api, client)


def test_the_operator_cannot_lower_its_districts_population_to_raise_its_coverage(
    copy_api: CopyApi,
) -> None:
    district = copy_api.region(OWN)
    coverage = copy_api.coverage(OWN)
    refused = copy_api.post("operator", "regions", [district | {"resident_population": 30000}])
    assert refused.status_code == 403
    assert "register" in refused.json()["detail"]
    assert copy_api.region(OWN) == district
    assert copy_api.coverage(OWN) == coverage
    refusals = copy_api.audit_of("write:ingest", "refused")
    assert ("operator", "regions") in {(e["username"], e["object"]) for e in refusals}


def test_no_one_but_the_administrator_may_move_a_region_under_another_parent(
    copy_api: CopyApi,
) -> None:
    streets = sorted(
        row["region_code"] for row in copy_api.register("regions") if row["parent_code"] == OWN
    )
    assert len(streets) >= 2, "the fixture has streets in the own district"
    before = copy_api.register("regions")
    moves = [
        # inside the operator's own scope: one street of its district under another
        ("operator", streets[0], streets[1]),
        # a city supervisor hands a district, its tickets and contracts to its sibling
        ("city_supervisor", OWN, SIBLING),
    ]
    for user, code, parent in moves:
        moved = copy_api.post(user, "regions", [copy_api.region(code) | {"parent_code": parent}])
        assert moved.status_code == 403, (user, moved.text)
    assert copy_api.register("regions") == before


def test_the_operator_cannot_hand_a_service_to_another_department_or_take_it_offline(
    copy_api: CopyApi,
) -> None:
    services = copy_api.register("services")
    service = next(row for row in services if row["region_code"] == OWN)
    taken = service | {"department": "公安局", "offline_at": "2025-01-02", "on_portal": False}
    answer = copy_api.post("operator", "services", [taken])
    assert answer.status_code == 403
    assert copy_api.register("services") == services


def test_the_administrator_may_change_a_population_and_the_change_is_audited(
    copy_api: CopyApi,
) -> None:
    district = copy_api.region(OWN)
    coverage = copy_api.coverage(OWN)
    population = district["resident_population"]
    answer = copy_api.post("admin", "regions", [district | {"resident_population": 30000}])
    assert answer.status_code == 200, answer.text
    assert answer.json()["stored"] == 1
    # Coverage divides by the population: the same users over a quarter of it or so.
    assert copy_api.coverage(OWN) == pytest.approx(coverage * population / 30000)
    [change] = copy_api.audit_of("change:register", "ok")
    assert change["object"] == f"regions/{OWN} resident_population: {population} → 30000"
    assert (change["username"], change["role"]) == ("admin", "admin")


@pytest.mark.parametrize(
    ("parent", "named"),
    [
        (NEW_STREET, f"regions {OWN} → {NEW_STREET} → {OWN}"),  # under its own new street
        ("970199", f"region {OWN} would have parent 970199, which is not a region"),
    ],
)
def test_a_batch_that_would_break_the_region_tree_is_refused_whole(
    copy_api: CopyApi, parent: str, named: str
) -> None:
    district = copy_api.region(OWN)
    street = {"region_code": NEW_STREET, "name": "新街道", "level": "street",
              "parent_code": OWN, "resident_population": 1000}  # fmt: skip
    batches = copy_api.batches()
    answer = copy_api.post("admin", "regions", [street, district | {"parent_code": parent}])
    assert answer.status_code == 422
    assert named in answer.json()["detail"]
    assert copy_api.region(OWN) == district
    assert NEW_STREET not in {row["region_code"] for row in copy_api.register("regions")}
    assert copy_api.batches() == batches
