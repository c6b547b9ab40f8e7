"""The register is migrated on purpose only: never by a request, a report or a command
that reads, so concurrent requests need no migration lock, and a register left
behind is refused with the command that brings it up to date."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from urllib.parse import quote

import pytest
from alembic import command
from api_workspace import PERIOD, ApiWorkspace
from fastapi.testclient import TestClient

from cityops.register.migrate import RegisterBehindError, alembic_config, current_revision
from cityops.server import create_app
from cityops.services.unit_of_work import Backend
from cityops.workspace.workspace import Workspace, open_workspace

REQUESTS = 200
WORKERS = 16
SETTLEMENTS = 20
"""Of the requests, this many draft a statement; the others read contracts and statements."""


@pytest.fixture
def copied(api_workspace: ApiWorkspace, tmp_path: Path) -> ApiWorkspace:
    shutil.copytree(api_workspace.workspace.root, tmp_path / "ws")
    return replace(api_workspace, workspace=open_workspace(tmp_path / "ws"))


@pytest.fixture
def upgrades(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every Alembic upgrade run from now on, by target (none is expected)."""
    seen: list[str] = []
    real = command.upgrade

    def recorded(config: object, revision: str, *args: object, **kwargs: object) -> None:
        seen.append(revision)
        real(config, revision, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(command, "upgrade", recorded)
    return seen


def test_two_hundred_concurrent_settlement_requests_run_no_migration(
    copied: ApiWorkspace, upgrades: list[str]
) -> None:
    statement = quote(copied.statements["own"], safe="")
    contract = quote(copied.contracts["own"], safe="")
    reads = ["/api/v1/contracts", "/api/v1/statements", f"/api/v1/statements/{statement}"]
    with TestClient(create_app(copied.workspace)) as client:

        def versions() -> list[int]:
            listed = client.get(
                "/api/v1/statements",
                params={"contract_id": copied.contracts["own"], "limit": 1000},
                headers=copied.headers("supervisor"),
            ).json()
            return sorted(item["version"] for item in listed["items"])

        before = versions()

        def call(number: int) -> int:
            if number < SETTLEMENTS:
                response = client.post(
                    f"/api/v1/contracts/{contract}/statements",
                    json={"period": str(PERIOD)},
                    headers=copied.headers("supervisor"),
                )
            else:
                url = reads[number % len(reads)]
                response = client.get(url, headers=copied.headers("supervisor"))
            return response.status_code

        with ThreadPoolExecutor(WORKERS) as pool:
            statuses = list(pool.map(call, range(REQUESTS)))
        after = versions()
    assert statuses.count(201) == SETTLEMENTS
    assert statuses.count(200) == REQUESTS - SETTLEMENTS
    assert upgrades == []
    assert before == list(range(1, len(before) + 1))
    assert after == list(range(1, len(before) + SETTLEMENTS + 1)), "each draft its own version"


def _behind(workspace: Workspace) -> None:
    command.downgrade(alembic_config(workspace.register_url), "0002")


def test_the_service_refuses_a_register_left_behind(copied: ApiWorkspace) -> None:
    _behind(copied.workspace)
    with pytest.raises(RegisterBehindError, match="cityops migrate --workspace"):
        create_app(copied.workspace)
    with pytest.raises(RegisterBehindError):
        Backend.open(copied.workspace)
    assert current_revision(copied.workspace.register_url) == "0002"


def _cityops(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cityops", *args], capture_output=True, text=True, check=False
    )


def test_commands_refuse_a_register_left_behind_and_migrate_brings_it_up(
    copied: ApiWorkspace,
) -> None:
    root = str(copied.workspace.root)
    _behind(copied.workspace)
    refused = _cityops("contracts", "list", "-w", root)
    assert refused.returncode == 1
    assert f"cityops migrate --workspace {root}" in refused.stderr
    assert "Traceback" not in refused.stderr

    migrated = _cityops("migrate", "-w", root, "--json")
    assert migrated.returncode == 0, migrated.stderr
    assert json.loads(migrated.stdout) | {"workspace": root} == {
        "workspace": root,
        "before": "0002",
        "after": current_revision(copied.workspace.register_url),
        "changed": True,
    }

    listed = _cityops("contracts", "list", "-w", root, "--json")
    assert listed.returncode == 0, listed.stderr
    shown = {contract["contract_id"] for contract in json.loads(listed.stdout)["contracts"]}
    assert set(copied.contracts.values()) <= shown
