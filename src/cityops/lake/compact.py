"""The compact tables built at ingest, described once for every engine that reads them.

Ingest (``ingestion/derived.py``) writes each batch's increments under
``lake/_derived/<name>/``; DuckDB (``lake/connection.py``) and Spark
(``indicators/spark/tables.py``) read them as one view per table, which sums
the increments per key.  Both build those views from the descriptions here, so
a new compact table is declared in one place.

A lake records the version of its compact tables (``COMPACT_FORMAT``, in
``_derived/FORMAT``).  A lake derived by an older cityops lacks the tables added
since, and reading it would give empty figures rather than an error, so it is
refused until its sources are ingested again into a new workspace.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from cityops.errors import WorkspaceError
from cityops.lake.layout import DERIVED_DIR
from cityops.lake.schema import TIMESTAMP_TYPE

__all__ = [
    "COMPACT_FORMAT",
    "COMPACT_TABLES",
    "DEVICE_DAY_SLOTS",
    "USER_DAY_ACTIVITY",
    "USER_DAY_SERVICES",
    "USER_INDEX",
    "USER_REGISTRATIONS",
    "CompactTable",
    "check_compact_format",
    "stamp_compact_format",
]


@dataclass(frozen=True, slots=True)
class CompactTable:
    """One compact table: its columns (as its view shows them) and its key."""

    name: str
    schema: pa.Schema
    key: tuple[str, ...]
    """The columns that identify a row.  The others are counts: each batch stores
    increments, which the view adds up per key.  A table whose key is all of its
    columns stores each row once and is read as stored."""

    @property
    def counts(self) -> tuple[str, ...]:
        return tuple(name for name in self.schema.names if name not in self.key)


USER_INDEX = CompactTable(
    "user_index",
    pa.schema([("user_id", pa.string()), ("user_ix", pa.int64())]),
    ("user_id", "user_ix"),
)
"""用户索引: user_id → a dense integer, stable across batches."""

USER_REGISTRATIONS = CompactTable(
    "user_registrations",
    pa.schema(
        [
            ("user_ix", pa.int64()),
            ("registered_at", TIMESTAMP_TYPE),
            ("event_id", pa.string()),
            ("region_code", pa.string()),
            ("real_name", pa.bool_()),
        ]
    ),
    ("user_ix", "registered_at", "event_id", "region_code", "real_name"),
)
"""用户登记: the ``portal_users`` rows by user index."""

USER_DAY_ACTIVITY = CompactTable(
    "user_day_activity",
    pa.schema(
        [
            ("user_ix", pa.int64()),
            ("day", pa.date32()),
            ("events", pa.int64()),
            ("service_calls", pa.int64()),
            ("successful_calls", pa.int64()),
        ]
    ),
    ("user_ix", "day"),
)
"""用户日活跃: a user's portal events, service calls and successful service calls of a
local day (a call without a ``success`` value did not succeed)."""

USER_DAY_SERVICES = CompactTable(
    "user_day_services",
    pa.schema(
        [
            ("user_ix", pa.int64()),
            ("day", pa.date32()),
            ("service_id", pa.string()),
            ("calls", pa.int64()),
            ("successes", pa.int64()),
        ]
    ),
    ("user_ix", "day", "service_id"),
)
"""用户日办事: a user's calls of one service on a local day, and how many succeeded
(a call without a ``success`` value did not)."""

DEVICE_DAY_SLOTS = CompactTable(
    "device_day_slots",
    pa.schema(
        [
            ("device_id", pa.string()),
            ("day", pa.date32()),
            ("ok_slots", pa.int64()),
            ("fault_slots", pa.int64()),
        ]
    ),
    ("device_id", "day"),
)
"""设备日心跳时隙: a device's distinct heartbeat slots of a local day, by status."""

COMPACT_TABLES = (
    USER_INDEX,
    USER_REGISTRATIONS,
    USER_DAY_ACTIVITY,
    USER_DAY_SERVICES,
    DEVICE_DAY_SLOTS,
)

COMPACT_FORMAT = 2
"""The version of the compact tables: raise it when one is added or changes.
2: ``user_day_services`` added, ``successful_calls`` added to ``user_day_activity``."""

_FORMAT_FILE = "FORMAT"


def check_compact_format(lake: Path) -> None:
    """Refuse a lake whose compact tables were derived by another version of cityops.

    A lake with no compact table yet (new, or holding register loads only) passes.
    """
    derived = lake / DERIVED_DIR
    if not derived.is_dir() or not any(p.is_dir() for p in derived.iterdir()):
        return
    marker = derived / _FORMAT_FILE
    found = marker.read_text("utf-8").strip() if marker.is_file() else "1"
    if found != str(COMPACT_FORMAT):
        raise WorkspaceError(
            f"the lake {lake} holds compact tables of format {found}, this cityops reads "
            f"format {COMPACT_FORMAT} (it derives more of them at ingest); ingest the "
            "sources again into a new workspace (cityops init, then cityops ingest)"
        )


def stamp_compact_format(lake: Path) -> None:
    """Check the lake's format (``check_compact_format``) and record it when new."""
    check_compact_format(lake)
    marker = lake / DERIVED_DIR / _FORMAT_FILE
    if not marker.is_file():
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text(f"{COMPACT_FORMAT}\n", "utf-8")
