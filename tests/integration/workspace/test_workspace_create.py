"""Creating a workspace lays out its directories, secret, configuration and register."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from cityops.errors import WorkspaceError
from cityops.register.engine import make_engine
from cityops.register.migrate import alembic_config, current_revision
from cityops.workspace.config import read_config
from cityops.workspace.create import create_workspace
from cityops.workspace.workspace import open_workspace


def test_a_new_workspace_has_the_documented_layout(tmp_path: Path) -> None:
    root = tmp_path / "county"
    workspace = create_workspace(root, name="示范县")
    assert sorted(p.name for p in root.iterdir()) == [
        "cityops.toml",
        "facts",
        "lake",
        "register.sqlite",
        "reports",
        "runs",
        "secret.key",
    ]
    assert workspace == open_workspace(root)
    assert workspace.register_url == f"sqlite:///{root.resolve() / 'register.sqlite'}"


def test_the_configuration_keeps_paths_relative_so_the_workspace_can_move(
    tmp_path: Path,
) -> None:
    create_workspace(tmp_path / "ws", name="示范县")
    config = read_config(tmp_path / "ws")
    assert (config.name, config.register_url, config.lake_path) == (
        "示范县",
        "sqlite:///register.sqlite",
        "lake",
    )


def test_the_secret_is_32_random_bytes_in_hex_readable_by_the_owner_only(
    tmp_path: Path,
) -> None:
    first = create_workspace(tmp_path / "a", name="a").secret_path
    second = create_workspace(tmp_path / "b", name="b").secret_path
    assert stat.S_IMODE(first.stat().st_mode) == 0o600
    key = first.read_text(encoding="ascii").strip()
    assert re.fullmatch(r"[0-9a-f]{64}", key)
    assert key != second.read_text(encoding="ascii").strip()


def test_the_register_and_its_journal_are_readable_by_the_owner_only(tmp_path: Path) -> None:
    workspace = create_workspace(tmp_path / "ws", name="ws")
    engine = make_engine(workspace.register_url)
    try:
        with engine.connect() as connection:  # WAL mode: the -wal and -shm files appear
            connection.exec_driver_sql("SELECT 1")
            files = sorted(workspace.root.glob("register.sqlite*"))
            modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in files}
    finally:
        engine.dispose()
    assert "register.sqlite" in modes
    assert modes == dict.fromkeys(modes, 0o600)


def test_the_register_is_migrated_to_the_newest_revision(tmp_path: Path) -> None:
    workspace = create_workspace(tmp_path / "ws", name="ws")
    head = ScriptDirectory.from_config(alembic_config(workspace.register_url)).get_current_head()
    assert current_revision(workspace.register_url) == head


def test_an_empty_existing_directory_is_accepted(tmp_path: Path) -> None:
    workspace = create_workspace(tmp_path, name="here")
    assert workspace.root == tmp_path.resolve()


def test_creating_a_workspace_twice_fails_and_keeps_the_first(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    first_key = create_workspace(root, name="first").secret_path.read_text(encoding="ascii")
    with pytest.raises(WorkspaceError, match="already holds a cityops workspace"):
        create_workspace(root, name="second")
    assert read_config(root).name == "first"
    assert (root / "secret.key").read_text(encoding="ascii") == first_key


def test_an_unreachable_register_leaves_no_half_made_workspace(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    unreachable = "postgresql+psycopg://ops:s3cret@127.0.0.1:1/register"  # nothing listens
    with pytest.raises(WorkspaceError, match="cannot create the register") as raised:
        create_workspace(root, name="ws", register_url=unreachable)
    assert "s3cret" not in str(raised.value)
    assert not root.exists()
