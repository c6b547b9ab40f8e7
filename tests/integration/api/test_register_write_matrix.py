"""Who writes the register (登记库): ``docs/register-write-matrix.csv``, executed.

Each row names a path by which rows could reach a register table, a role and
what a city expects: ``allow`` (the rows are stored), ``forbidden`` (refused,
nothing stored) or ``absent`` (the path does not exist: 405).  Every row is run
for every register table of the contract, on a small private workspace
(``ingest_workspace``: city 330100, districts 330102 and 330103); the rows sent
lie in 330102, the district of every scoped user, so that a refusal can only
come from the register rule, not from the region scope.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from api_writable import WRITABLE_USERS, WritableApi, writable
from ingest_workspace import make_workspace
from starlette.routing import BaseRoute
from typer.testing import CliRunner

from cityops.access.roles import Role
from cityops.access.scope import Principal
from cityops.cli.app import app as cli_app
from cityops.domain.contract import REGISTER_TABLES
from cityops.register.store import read_current
from cityops.server import create_app
from cityops.services.ingestion import RegisterWriteRefusedError, ingest_file
from cityops.services.unit_of_work import unit_of_work

REPOSITORY = Path(__file__).resolve().parents[3]
MATRIX = REPOSITORY / "docs" / "register-write-matrix.csv"
DISTRICT = "330102"
ROLES = ("local", *sorted(role.value for role in Role))
TABLES = tuple(table.name for table in REGISTER_TABLES)


@dataclass(frozen=True, slots=True)
class Cell:
    path: str
    role: str
    expected: str
    why: str

    @property
    def test_id(self) -> str:
        return f"{self.path.split(' ')[-1]}-{self.role}"


with MATRIX.open(encoding="utf-8", newline="") as source:
    CELLS = tuple(Cell(**row) for row in csv.DictReader(source))


def new_row(table: str, key: str) -> dict[str, Any]:
    """A valid new row of register ``table`` with key ``key``, in ``DISTRICT``."""
    rows: Mapping[str, dict[str, Any]] = {
        "regions": {"region_code": key, "name": "新街道", "level": "street",
                    "parent_code": DISTRICT, "resident_population": 1000},
        "services": {"service_id": key, "name": "矩阵服务", "department": "公安局",
                     "category": "户籍", "region_code": DISTRICT, "on_portal": True,
                     "online_since": "2024-01-01"},
        "devices": {"device_id": key, "kind": "camera", "region_code": DISTRICT,
                    "installed_at": "2024-01-01", "shared": True},
        "cloud_resources": {"resource_id": key, "department": "公安局",
                            "region_code": DISTRICT, "vcpu_alloc": 4, "mem_alloc_gb": 8,
                            "storage_alloc_tb": 1},
        "data_resources": {"resource_id": key, "department": "公安局", "region_code": DISTRICT,
                           "name": "人口库", "classification": "general",
                           "share_type": "none", "open_type": "none",
                           "update_frequency": "daily", "record_count": 10},
        "systems": {"system_id": key, "name": "办件系统", "department": "公安局",
                    "region_code": DISTRICT, "functions_planned": 4, "functions_live": 3,
                    "interfaces_total": 2, "interfaces_standard": 1},
        "staff": {"staff_id": key, "operator": "OP1", "region_code": DISTRICT,
                  "role": "运维", "required": True, "certified": True},
    }  # fmt: skip
    return rows[table]


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WritableApi]:
    with writable(make_workspace(tmp_path_factory.mktemp("register_write_matrix"))) as made:
        yield made


def key_of(probe: int, role: str, table: str) -> str:
    """A new key, one per probe, role and table, that reads as a street code."""
    return f"9{probe}{ROLES.index(role)}{TABLES.index(table)}00000"


def stored_keys(api: WritableApi, table: str) -> set[str]:
    contract = next(t for t in REGISTER_TABLES if t.name == table)
    with api.engine.connect() as connection:
        rows = read_current(connection, contract)
    return {str(key) for key in rows.column(contract.identity[0]).to_pylist()}


# --- one probe per path: send a new row of ``table`` as ``role``; what happened -------

Probe = Callable[[WritableApi, str, str, Path], str]


def _seen(stored: bool, status: int) -> str:
    if status == 405:
        return "absent"
    if status == 403:
        return "forbidden"
    assert status == 200, status
    assert stored, "a success stores the row"
    return "allow"


def _http_ingest(api: WritableApi, role: str, table: str, _scratch: Path) -> str:
    key = key_of(1, role, table)
    answer = api.client.post(
        f"/api/v1/ingest/{table}", json=[new_row(table, key)], headers=api.headers(role)
    )
    return _seen(key in stored_keys(api, table), answer.status_code)


def _register_router(api: WritableApi, role: str, table: str, _scratch: Path) -> str:
    key = key_of(2, role, table)
    answer = api.client.post(
        f"/api/v1/register/{table}", json=[new_row(table, key)], headers=api.headers(role)
    )
    assert key not in stored_keys(api, table)
    return _seen(False, answer.status_code)


def _service(api: WritableApi, role: str, table: str, scratch: Path) -> str:
    key = key_of(3, role, table)
    user = WRITABLE_USERS[role]
    caller = Principal(f"id-{role}", role, user.role, user.region_code, user.operator_id,
                       user.department)  # fmt: skip
    rows = scratch / f"{table}-{role}.jsonl"
    rows.write_text(json.dumps(new_row(table, key), ensure_ascii=False) + "\n", "utf-8")
    try:
        with unit_of_work(api.workspace) as uow:
            ingest_file(uow, table, rows, principal=caller)
    except RegisterWriteRefusedError:
        assert key not in stored_keys(api, table)
        return "forbidden"
    return _seen(key in stored_keys(api, table), 200)


def _command(api: WritableApi, role: str, table: str, scratch: Path) -> str:
    assert role == "local", "a command has no role of its own: it acts as the local admin"
    key = key_of(4, role, table)
    rows = scratch / f"{table}-command.jsonl"
    rows.write_text(json.dumps(new_row(table, key), ensure_ascii=False) + "\n", "utf-8")
    where = ["--workspace", str(api.workspace.root)]
    result = CliRunner().invoke(cli_app, ["ingest", table, str(rows), *where, "--json"])
    assert result.exit_code == 0, result.output
    return _seen(key in stored_keys(api, table), 200)


PROBES: Mapping[str, Probe] = {
    "POST /api/v1/ingest/{register_table}": _http_ingest,
    "POST /api/v1/register/{register_table}": _register_router,
    "services.ingestion": _service,
    "cityops ingest {register_table}": _command,
}


@pytest.mark.parametrize("cell", CELLS, ids=[cell.test_id for cell in CELLS])
def test_each_path_to_the_register_answers_as_the_matrix_expects(
    api: WritableApi, cell: Cell, tmp_path: Path
) -> None:
    seen = {table.name: PROBES[cell.path](api, cell.role, table.name, tmp_path)
            for table in REGISTER_TABLES}  # fmt: skip
    assert seen == dict.fromkeys(seen, cell.expected), cell.why


def test_every_role_has_a_row_for_every_path_by_role() -> None:
    roles = sorted(role.value for role in Role)
    for path in {cell.path for cell in CELLS} - {"cityops ingest {register_table}"}:
        assert sorted(cell.role for cell in CELLS if cell.path == path) == roles, path


def test_no_route_but_ingest_writes_the_register(api: WritableApi) -> None:
    """Every route that accepts anything but a read, listed: a new one (a console form,
    a register endpoint) must be added here and to the matrix when it can reach the
    register."""
    app = create_app(api.workspace)
    app.state.cityops.backend.close()
    writes = sorted(
        (method, path) for method, path in _routes(app.routes) if method not in {"GET", "HEAD"}
    )
    assert writes == [
        ("DELETE", "/api/v1/auth/tokens/{token_id}"),
        ("POST", "/api/v1/advisor"),
        ("POST", "/api/v1/auth/logout"),
        ("POST", "/api/v1/auth/token"),
        ("POST", "/api/v1/contracts/{contract_id}/statements"),
        ("POST", "/api/v1/ingest/{table}"),
        ("POST", "/api/v1/statements/{statement_id}/approve"),
        ("POST", "/api/v1/statements/{statement_id}/review"),
        ("POST", "/api/v1/tickets/{ticket_id}/events"),
        ("POST", "/console/login"),
        ("POST", "/console/logout"),
        ("POST", "/open311/v2/requests.{format}"),
    ]


def _routes(routes: Iterable[BaseRoute], prefix: str = "") -> Iterator[tuple[str, str]]:
    """(method, path) of every route, through included routers (FastAPI keeps those
    as routes of their own that wrap the router)."""
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from _routes(included.routes, prefix + route.include_context.prefix)  # type: ignore[attr-defined]
            continue
        for method in getattr(route, "methods", None) or ():
            yield method, prefix + getattr(route, "path", "")


def test_a_command_acts_as_the_local_administrator_and_its_population_change_is_audited(
    api: WritableApi, tmp_path: Path
) -> None:
    changed = {"region_code": "330103", "name": "西山区", "level": "district",
               "parent_code": "330100", "resident_population": 550000}  # fmt: skip
    rows = tmp_path / "regions.jsonl"
    rows.write_text(json.dumps(changed, ensure_ascii=False) + "\n", "utf-8")
    where = ["--workspace", str(api.workspace.root)]
    result = CliRunner().invoke(cli_app, ["ingest", "regions", str(rows), *where, "--json"])
    assert result.exit_code == 0, result.output
    entries = api.client.get("/api/v1/audit", params={"limit": 500}, headers=api.headers("admin"))
    [entry] = [e for e in entries.json()["items"] if e["action"] == "change:register"]
    assert entry["object"] == "regions/330103 resident_population: 600000 → 550000"
    assert entry["username"].startswith("local:")
    assert entry["role"] == "admin"
