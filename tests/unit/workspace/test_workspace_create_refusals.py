"""create_workspace refuses, before touching anything, what would clobber or cannot work."""

from __future__ import annotations

from pathlib import Path

import pytest

from cityops.errors import WorkspaceError
from cityops.workspace.create import create_workspace


def test_a_directory_holding_a_workspace_is_refused_saying_it_exists(tmp_path: Path) -> None:
    (tmp_path / "cityops.toml").write_text('name = "x"\n', encoding="utf-8")
    with pytest.raises(WorkspaceError, match=r"already holds a cityops workspace"):
        create_workspace(tmp_path, name="x")


def test_a_non_empty_directory_is_refused_and_left_alone(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(WorkspaceError, match="not empty"):
        create_workspace(tmp_path, name="x")
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_a_file_in_place_of_the_directory_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "ws"
    target.write_text("", encoding="utf-8")
    with pytest.raises(WorkspaceError, match="is a file"):
        create_workspace(target, name="x")


@pytest.mark.parametrize(
    "register_url", ["mysql://u@h/db", "not a url", "oracle+oracledb://u:pw@h/db"]
)
def test_an_unsupported_register_url_is_refused_before_anything_is_created(
    tmp_path: Path, register_url: str
) -> None:
    target = tmp_path / "ws"
    with pytest.raises(WorkspaceError, match="not supported") as raised:
        create_workspace(target, name="x", register_url=register_url)
    assert not target.exists()
    assert ":pw@" not in str(raised.value)
