"""Excel sheets become text columns, as a CSV export would hold them."""

from datetime import datetime
from pathlib import Path

import openpyxl
import pyarrow.parquet as pq
import pytest

from cityops.errors import ContractError
from cityops.ingestion.xlsx import xlsx_to_parquet


def test_cells_become_the_text_a_csv_would_hold(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["event_id", "ts", "rating", "score", "flag"])
    sheet.append(["r1", datetime(2025, 3, 1, 8, 30), 5, 4.0, True])
    sheet.append(["r2", "2025-03-01 09:00", 2.5, None, False])
    workbook.save(tmp_path / "f.xlsx")
    rows = pq.read_table(xlsx_to_parquet(tmp_path / "f.xlsx", tmp_path / "f.parquet"))
    assert rows.to_pylist() == [
        {"event_id": "r1", "ts": "2025-03-01T08:30:00", "rating": "5", "score": "4",
         "flag": "true"},
        {"event_id": "r2", "ts": "2025-03-01 09:00", "rating": "2.5", "score": None,
         "flag": "false"},
    ]  # fmt: skip


def test_a_sheet_without_header_is_refused(tmp_path: Path) -> None:
    openpyxl.Workbook().save(tmp_path / "empty.xlsx")
    with pytest.raises(ContractError, match="header"):
        xlsx_to_parquet(tmp_path / "empty.xlsx", tmp_path / "f.parquet")


def test_a_file_that_is_not_a_workbook_is_refused(tmp_path: Path) -> None:
    (tmp_path / "f.xlsx").write_text("not a zip")
    with pytest.raises(ContractError, match="cannot be read as an Excel workbook"):
        xlsx_to_parquet(tmp_path / "f.xlsx", tmp_path / "f.parquet")
