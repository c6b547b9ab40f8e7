"""``cityops user create`` takes the password from ``--password``, else from
``$CITYOPS_PASSWORD`` (a process setting), else asks for it twice."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cityops.cli.user import user_app
from cityops.services.accounts import authenticate
from cityops.services.unit_of_work import unit_of_work
from cityops.workspace.create import create_workspace
from cityops.workspace.workspace import Workspace


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return create_workspace(tmp_path_factory.mktemp("users") / "ws", name="示范县")


def _create(workspace: Workspace, username: str, *options: str, given: str = "") -> str:
    command = ["create", username, "--role", "admin", "-w", str(workspace.root), "--json"]
    result = CliRunner().invoke(user_app, [*command, *options], input=given)
    assert result.exit_code == 0, result.output
    return result.output


def _can_log_in(workspace: Workspace, username: str, password: str) -> bool:
    with unit_of_work(workspace) as uow:
        return authenticate(uow, username, password, client="tests").token is not None


def test_the_password_option_is_taken_as_given(workspace: Workspace) -> None:
    output = _create(workspace, "given", "--password", "from the option")
    assert json.loads(output)["username"] == "given"
    assert _can_log_in(workspace, "given", "from the option")


def test_without_the_option_the_environment_gives_the_password(
    workspace: Workspace, environment: pytest.MonkeyPatch
) -> None:
    environment.setenv("CITYOPS_PASSWORD", "from the environment")
    _create(workspace, "env")
    assert _can_log_in(workspace, "env", "from the environment")


def test_without_either_the_password_is_asked_twice(
    workspace: Workspace, environment: pytest.MonkeyPatch
) -> None:
    environment.delenv("CITYOPS_PASSWORD", raising=False)
    output = _create(workspace, "asked", given="typed at the prompt\ntyped at the prompt\n")
    assert output.count("Password") == 1
    assert "Repeat for confirmation" in output
    assert _can_log_in(workspace, "asked", "typed at the prompt")
