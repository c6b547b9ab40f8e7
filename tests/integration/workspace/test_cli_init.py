"""``cityops init`` creates a workspace and reports it, for people or as JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from cityops.cli.init import init


@pytest.fixture
def cli() -> typer.Typer:
    """The init command alone, registered as the CLI app registers it."""
    app = typer.Typer()
    app.command("init")(init)
    return app


def test_init_json_reports_the_workspace_name_register_and_lake(
    cli: typer.Typer, tmp_path: Path
) -> None:
    root = tmp_path / "示范县"
    result = CliRunner().invoke(cli, [str(root), "--json"])
    assert result.exit_code == 0, result.output
    resolved = root.resolve()
    assert json.loads(result.stdout) == {
        "workspace": str(resolved),
        "name": "示范县",  # the directory name, as no --name was given
        "register_url": f"sqlite:///{resolved / 'register.sqlite'}",
        "lake": str(resolved / "lake"),
    }


def test_init_uses_the_given_name_and_prints_a_summary(cli: typer.Typer, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, [str(tmp_path / "ws"), "--name", "杭州市"])
    assert result.exit_code == 0, result.output
    assert "Created workspace" in result.stdout
    assert "杭州市" in result.stdout


def test_init_without_a_directory_uses_the_workspace_environment_variable(
    cli: typer.Typer, tmp_path: Path, environment: pytest.MonkeyPatch
) -> None:
    environment.setenv("CITYOPS_WORKSPACE", str(tmp_path / "from-env"))
    result = CliRunner().invoke(cli, ["--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["workspace"] == str((tmp_path / "from-env").resolve())


def test_init_twice_fails_with_a_workspace_error(cli: typer.Typer, tmp_path: Path) -> None:
    CliRunner().invoke(cli, [str(tmp_path / "ws")])
    result = CliRunner().invoke(cli, [str(tmp_path / "ws")])
    assert result.exit_code != 0
    assert "already holds a cityops workspace" in str(result.exception)
