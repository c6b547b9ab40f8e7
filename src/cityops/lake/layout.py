"""Where each table's files live inside a workspace's lake directory.

Event tables with a timestamp are partitioned by local day, the others by
period::

    lake/portal_events/day=2025-03-01/part-<batch>.parquet
    lake/surveys/period=2025-03/part-<batch>.parquet

A batch writes new part files only, so a reader sees a batch whole or not at
all once its files are renamed into place.
"""

from __future__ import annotations

from pathlib import Path

from cityops.domain.contract import Table

__all__ = ["LakeLayout"]


class LakeLayout:
    """Paths of one lake directory."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def table_dir(self, table: Table) -> Path:
        return self.root / table.name

    def partition_key(self, table: Table) -> str:
        """The Hive-style partition column: ``day`` for timed events, else ``period``."""
        return "day" if table.time_field else "period"

    def glob(self, table: Table) -> str:
        """A glob over every Parquet file of the table, for DuckDB's ``read_parquet``."""
        return str(self.table_dir(table) / "**" / "*.parquet")

    def has_data(self, table: Table) -> bool:
        directory = self.table_dir(table)
        return directory.is_dir() and any(directory.rglob("*.parquet"))
