"""Private workspaces for API tests that change state (``tests/integration/api``).

- ``WritableApi``: the small workspace of ``ingest_workspace`` (city 330100 with
  districts 330102 and 330103, a few services and devices) with a client, and
  users made and logged in on first use (``WRITABLE_USERS``);
- ``EvaluatedCopy``: a copy of the shared two-city workspace in which a street
  was renamed to a formula and the month evaluated again, so it holds two runs.

The fixtures themselves live in ``tests/integration/api/conftest.py``.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.compute as pc
import sqlalchemy as sa
from api_workspace import PERIOD, ApiWorkspace
from fastapi.testclient import TestClient

from cityops.access.roles import Role
from cityops.accounts.store import authenticate, create_user
from cityops.domain.contract import table
from cityops.evaluation.model import EvaluationRun
from cityops.ingestion.batch import ingest_file
from cityops.register.engine import make_engine
from cityops.register.store import read_current
from cityops.server import create_app
from cityops.services.evaluation import evaluate_period
from cityops.services.unit_of_work import unit_of_work
from cityops.settings import ProcessSettings
from cityops.workspace.workspace import Workspace, open_workspace

__all__ = [
    "FORMULA_NAME",
    "FORMULA_STREET",
    "WRITABLE_USERS",
    "EvaluatedCopy",
    "UserRole",
    "WritableApi",
    "copy_and_evaluate",
    "writable",
]

PASSWORD = "Api-tests-password-1"
FORMULA_NAME = "=1+1"
FORMULA_STREET = "970102001"
"""The street of city A that ``copy_and_evaluate`` renames to ``FORMULA_NAME``."""


@dataclass(frozen=True, slots=True)
class UserRole:
    role: Role
    region_code: str | None
    operator_id: str | None = None
    department: str | None = None


WRITABLE_USERS: Mapping[str, UserRole] = {
    "admin": UserRole(Role.ADMIN, None),
    "supervisor": UserRole(Role.SUPERVISOR, "330102"),
    "city_supervisor": UserRole(Role.SUPERVISOR, "330100"),
    "operator": UserRole(Role.OPERATOR, "330102", operator_id="OP1"),
    "department": UserRole(Role.DEPARTMENT, "330102", department="公安局"),
    "evaluator": UserRole(Role.EVALUATOR, "330102"),
    "auditor": UserRole(Role.AUDITOR, "330102"),
}


@dataclass
class WritableApi:
    workspace: Workspace
    client: TestClient
    engine: sa.Engine
    tokens: dict[str, str] = field(default_factory=dict)

    def headers(self, username: str, content_type: str | None = None) -> dict[str, str]:
        """Credentials of ``username`` (created and logged in on first use), with a
        ``Content-Type`` when given."""
        if username not in self.tokens:
            user = WRITABLE_USERS[username]
            with self.engine.begin() as connection:
                create_user(
                    connection,
                    username=username,
                    password=PASSWORD,
                    role=user.role,
                    region_code=user.region_code,
                    operator_id=user.operator_id,
                    department=user.department,
                )
            with self.engine.begin() as connection:
                issued = authenticate(connection, username, PASSWORD, client="tests").token
            assert issued is not None, f"{username} can log in"
            self.tokens[username] = issued.token
        headers = {"Authorization": f"Bearer {self.tokens[username]}"}
        return headers | ({"Content-Type": content_type} if content_type else {})


@contextmanager
def writable(
    workspace: Workspace, settings: ProcessSettings | None = None
) -> Iterator[WritableApi]:
    """A ``WritableApi`` over ``workspace`` for the length of a ``with`` block, its app
    given ``settings`` (default: the process's)."""
    engine = make_engine(workspace.register_url)
    try:
        with TestClient(create_app(workspace, settings)) as client:
            yield WritableApi(workspace, client, engine)
    finally:
        engine.dispose()


@dataclass(frozen=True, slots=True)
class EvaluatedCopy:
    workspace: Workspace
    client: TestClient
    shared: ApiWorkspace
    """The workspace it was copied from (its users and tokens work in the copy)."""
    second_run: EvaluationRun

    def headers(self, username: str) -> dict[str, str]:
        return self.shared.headers(username)


def copy_and_evaluate(shared: ApiWorkspace, root: Path) -> tuple[Workspace, EvaluationRun]:
    """Copy ``shared`` to ``root``, rename ``FORMULA_STREET`` and evaluate ``PERIOD``."""
    shutil.copytree(shared.workspace.root, root)
    workspace = open_workspace(root)
    engine = make_engine(workspace.register_url)
    try:
        with engine.connect() as connection:
            regions = read_current(connection, table("regions"))
    finally:
        engine.dispose()
    [street] = regions.filter(pc.equal(regions["region_code"], FORMULA_STREET)).to_pylist()
    renamed = root.parent / "renamed-street.jsonl"
    renamed.write_text(json.dumps(street | {"name": FORMULA_NAME}) + "\n", encoding="utf-8")
    ingest_file(workspace, "regions", renamed)
    with unit_of_work(workspace) as uow:
        run, _ = evaluate_period(uow, PERIOD)
    return workspace, run
