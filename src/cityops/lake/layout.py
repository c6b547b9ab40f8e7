"""Where each table's files live inside a workspace's lake directory.

Event tables with a timestamp are partitioned by local day, the others by
period::

    lake/portal_events/day=2025-03-01/part-<batch>.parquet
    lake/surveys/period=2025-03/part-<batch>.parquet
    lake/_derived/user_day_activity/day=2025-03-01/part-<batch>.parquet
    lake/_derived/user_index/part-<batch>.parquet
    lake/_quarantine/portal_events/part-<batch>.parquet

A batch writes new part files only, published by the commit protocol of
``publish.py``; readers list files with :meth:`LakeLayout.files`, which leaves
out those of a batch not yet committed, so they see a batch whole or not at
all.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from cityops.domain.contract import Table
from cityops.lake.publish import pending_targets

__all__ = ["DERIVED_DIR", "QUARANTINE_DIR", "LakeLayout"]

DERIVED_DIR = "_derived"
QUARANTINE_DIR = "_quarantine"


class LakeLayout:
    """Paths of one lake directory."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def table_dir(self, table: Table) -> Path:
        return self.root / table.name

    def partition_key(self, table: Table) -> str:
        """The Hive-style partition column: ``day`` for timed events, else ``period``."""
        return "day" if table.time_field else "period"

    def derived_dir(self, name: str) -> Path:
        """A compact table built at ingest (``lake/compact.py``)."""
        return self.root / DERIVED_DIR / name

    def quarantine_dir(self, table_name: str) -> Path:
        return self.root / QUARANTINE_DIR / table_name

    def files(self, directory: Path, partitions: Iterable[str] | None = None) -> list[Path]:
        """The committed Parquet files under ``directory``, sorted; with ``partitions``
        (directory names such as ``day=2025-03-01``), only those partitions'."""
        if not directory.is_dir():
            return []
        if partitions is None:
            found = directory.rglob("*.parquet")
        else:
            found = (f for p in partitions for f in (directory / p).glob("*.parquet"))
        hidden = pending_targets(self.root)
        return sorted(f for f in found if f not in hidden)
