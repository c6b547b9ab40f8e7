from pathlib import Path

import pytest

from cityops.errors import ContractError
from cityops.ingestion.directory import table_files


def test_register_tables_come_first_and_other_files_are_ignored(tmp_path: Path) -> None:
    for name in ("portal_events.parquet", "services.csv", "regions.csv", "notes.txt"):
        (tmp_path / name).write_text("")
    assert [table for table, _ in table_files(tmp_path)] == [
        "regions",
        "services",
        "portal_events",
    ]


def test_two_files_for_one_table_are_refused(tmp_path: Path) -> None:
    (tmp_path / "regions.csv").write_text("")
    (tmp_path / "regions.parquet").write_text("")
    with pytest.raises(ContractError, match="more than one file for regions"):
        table_files(tmp_path)
