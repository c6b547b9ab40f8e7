"""Excel workbooks (.xlsx) to Parquet, so DuckDB reads them like any other file.

DuckDB's excel extension cannot be installed offline, so the first sheet is
read with openpyxl in read-only (streaming) mode and written in blocks of
rows.  Every cell becomes text, as a CSV cell would, and the contract checks
then type it: Excel's own types are unreliable (ids typed as numbers, dates
as serials), and text keeps one path for both formats.  The first row is the
header; a fully empty row is kept as a row of blanks so line numbers match
what a person sees in Excel.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime, time
from pathlib import Path

from cityops.errors import ContractError

__all__ = ["xlsx_to_parquet"]

BLOCK_ROWS = 65_536


def _text(value: object) -> str | None:
    """A cell as the text a CSV export would hold."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


def _header(path: Path, first: Sequence[object] | None) -> list[str]:
    if first is None:
        raise ContractError(f"{path}: the first sheet is empty; it needs a header row")
    names = [_text(cell) for cell in first]
    while names and names[-1] is None:
        names.pop()
    if any(name is None for name in names):
        raise ContractError(f"{path}: the header row has an empty column name")
    return [str(name).strip() for name in names]


def _blocks(rows: Iterator[Sequence[object]], width: int) -> Iterator[list[list[str | None]]]:
    """Columns of up to ``BLOCK_ROWS`` rows each (cells beyond the header ignored)."""
    columns: list[list[str | None]] = [[] for _ in range(width)]
    count = 0
    for row in rows:
        padded = list(row[:width]) + [None] * (width - len(row))
        for column, cell in zip(columns, padded, strict=True):
            column.append(_text(cell))
        count += 1
        if count == BLOCK_ROWS:
            yield columns
            columns, count = [[] for _ in range(width)], 0
    if count:
        yield columns


def xlsx_to_parquet(path: Path, target: Path) -> Path:
    """Write the first sheet of ``path`` to ``target`` (Parquet, all text columns)."""
    import openpyxl
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise ContractError(f"{path}: cannot be read as an Excel workbook: {error}") from error
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        names = _header(path, next(rows, None))
        schema = pa.schema([pa.field(name, pa.string()) for name in names])
        target.parent.mkdir(parents=True, exist_ok=True)
        with pq.ParquetWriter(target, schema) as writer:
            for columns in _blocks(rows, len(names)):
                writer.write_table(pa.table(columns, schema=schema))
    finally:
        workbook.close()
    return target
