"""The demo's users: one per role, bound to the synthetic city, able to log in through
the API with the documented password or the one in ``$CITYOPS_PASSWORD``."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from ingest_workspace import make_workspace

from cityops.demo import create_demo_users, demo_password, run_demo
from cityops.domain.period import Period
from cityops.errors import ConfigError
from cityops.server import create_app
from cityops.services.unit_of_work import unit_of_work
from cityops.settings import ProcessSettings

CITY = "330100"  # a city of the small workspace (users are bound to existing regions)
PASSWORD = "A demo password 1"

# username → (role, region, operator, department, may view personal data), by hand
EXPECTED = {
    "admin": ("admin", None, None, None, True),
    "supervisor": ("supervisor", CITY, None, None, False),
    "operator": ("operator", CITY, "OP-DEMO-CITIZEN-CLOUD", None, False),
    "evaluator": ("evaluator", CITY, None, None, False),
    "auditor": ("auditor", CITY, None, None, False),
    "department": ("department", CITY, None, "城管局", False),
}


def test_each_demo_user_logs_in_with_its_role_and_scope(tmp_path: Path) -> None:
    workspace = make_workspace(tmp_path)
    with unit_of_work(workspace) as uow:
        created = create_demo_users(uow, CITY, PASSWORD)
    assert [user.username for user in created] == list(EXPECTED)
    with TestClient(create_app(workspace)) as client:
        for username, expected in EXPECTED.items():
            response = client.post(
                "/api/v1/auth/token", data={"username": username, "password": PASSWORD}
            )
            assert response.status_code == 200, (username, response.text)
            user = response.json()["user"]
            seen = (
                user["role"],
                user["region_code"],
                user["operator_id"],
                user["department"],
                user["can_view_personal"],
            )
            assert seen == expected, username


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "Cityops-demo-2026"),
        ({"CITYOPS_PASSWORD": ""}, "Cityops-demo-2026"),
        ({"CITYOPS_PASSWORD": "chosen-by-me-1"}, "chosen-by-me-1"),
    ],
)
def test_the_password_is_the_documented_one_unless_the_environment_sets_it(
    environ: dict[str, str], expected: str
) -> None:
    assert demo_password(ProcessSettings.from_environ(environ)) == expected


def test_a_short_password_is_refused_before_the_demo_touches_anything(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    with pytest.raises(ConfigError, match="at least 12 characters"):
        run_demo(root, scale="tiny", start=Period(2025, 1), password="too-short")
    assert not tmp_path.joinpath("ws").exists()
    assert list(tmp_path.iterdir()) == []
