"""What a workspace holds (工作区概况), for ``cityops status``: one read of the lake,
the register and the workspace's directories, so nobody has to list them by hand.

* each contract table: its rows (event tables: per month, from the lake's
  partitions; register tables: the current rows in the register), the last
  ingest that finished (``ingest_batches``) and its quarantined rows;
* indicator facts per month (``facts/<period>.parquet``);
* evaluation runs per month (``runs/``);
* settlement statements by state (draft, reviewed, approved);
* active users by role;
* the last audit anchor (``audit-anchors.jsonl``, ``cityops audit anchor``).

Row counts come from the Parquet footers (the lake's committed files only, as
every reader sees them), so a status is cheap even on a large lake.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import pyarrow.parquet as pq
import sqlalchemy as sa

from cityops.audit.anchors import read_anchors
from cityops.domain.contract import TABLES, TableKind
from cityops.errors import WorkspaceError
from cityops.evaluation.model import EvaluationRun
from cityops.lake.layout import LakeLayout
from cityops.register.access_schema import users
from cityops.register.contracts_schema import settlement_statements
from cityops.register.schema import current_table, ingest_batches
from cityops.services.evaluation import saved_runs
from cityops.services.indicators import periods_with_facts
from cityops.services.unit_of_work import UnitOfWork

__all__ = ["TableStatus", "WorkspaceStatus", "workspace_status"]


@dataclass(frozen=True, slots=True)
class TableStatus:
    """One contract table in a workspace."""

    table: str
    kind: str
    """``register`` (current rows in the register) or ``event`` (the lake)."""
    rows: int
    periods: dict[str, int]
    """Rows per month (``YYYY-MM``) for an event table; empty for a register table."""
    last_ingest: datetime | None
    quarantined: int


@dataclass(frozen=True, slots=True)
class WorkspaceStatus:
    """What a workspace holds; ``as_json`` is the ``--json`` form."""

    workspace: str
    name: str
    tables: tuple[TableStatus, ...]
    facts: dict[str, int]
    """Indicator facts per month."""
    runs: dict[str, int]
    """Evaluation runs per month."""
    statements: dict[str, int]
    """Settlement statements by state."""
    users: dict[str, int]
    """Active users by role."""
    audit_anchor: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "tables": [
                {**asdict(t), "last_ingest": t.last_ingest.isoformat() if t.last_ingest else None}
                for t in self.tables
            ],
        }


def workspace_status(uow: UnitOfWork) -> WorkspaceStatus:
    """Count what the workspace of ``uow`` holds (reads only)."""
    workspace = uow.workspace
    layout = LakeLayout(workspace.lake)
    finished = _last_ingests(uow.register)
    tables = []
    for table in TABLES:
        quarantined = _rows_by_partition(layout, layout.quarantine_dir(table.name))
        if table.kind is TableKind.REGISTER:
            periods: dict[str, int] = {}
            count = sa.select(sa.func.count()).select_from(current_table(table))
            rows = int(uow.register.execute(count).scalar_one())
        else:
            periods = _by_month(_rows_by_partition(layout, layout.table_dir(table)))
            rows = sum(periods.values())
        tables.append(
            TableStatus(
                table=table.name,
                kind=table.kind.value,
                rows=rows,
                periods=periods,
                last_ingest=finished.get(table.name),
                quarantined=sum(quarantined.values()),
            )
        )
    facts = {
        str(period): pq.read_metadata(workspace.facts_path(period)).num_rows
        for period in periods_with_facts(workspace)
    }
    return WorkspaceStatus(
        workspace=str(workspace.root),
        name=workspace.config.name,
        tables=tuple(tables),
        facts=facts,
        runs=_runs_by_period(saved_runs(workspace)),
        statements=_grouped(uow.register, settlement_statements.c.status),
        users=_grouped(uow.register, users.c.role, users.c.active.is_(True)),
        audit_anchor=_last_anchor(uow),
    )


def _last_anchor(uow: UnitOfWork) -> str | None:
    """The newest audit anchor, as ``#seq at time`` (None: nothing anchored yet); an
    anchors file that cannot be trusted is said so (``cityops audit verify``)."""
    try:
        anchors = read_anchors(uow.backend.audit_anchors_path, uow.backend.audit_key)
    except WorkspaceError as error:
        return f"unreadable: {error}"
    if not anchors:
        return None
    last = anchors[-1]
    return f"#{last.seq} at {last.at.isoformat(timespec='seconds')}"


def _rows_by_partition(layout: LakeLayout, directory: Any) -> dict[str, int]:
    """Rows of the committed files under ``directory``, by partition directory name
    (``day=2025-03-01``, ``period=2025-03``; ``""`` for files at the top)."""
    counts: Counter[str] = Counter()
    for path in layout.files(directory):
        parts = path.relative_to(directory).parts
        counts[parts[0] if len(parts) > 1 else ""] += pq.read_metadata(path).num_rows
    return dict(counts)


def _by_month(partitions: dict[str, int]) -> dict[str, int]:
    months: Counter[str] = Counter()
    for partition, rows in partitions.items():
        value = partition.partition("=")[2]
        months[value[:7] if value else "—"] += rows
    return dict(sorted(months.items()))


def _last_ingests(register: sa.Connection) -> dict[str, datetime]:
    query = sa.select(
        ingest_batches.c.table_name, sa.func.max(ingest_batches.c.finished_at)
    ).group_by(ingest_batches.c.table_name)
    return {name: at for name, at in register.execute(query) if at is not None}


def _grouped(
    register: sa.Connection, column: sa.Column[Any], *where: sa.ColumnElement[bool]
) -> dict[str, int]:
    query = sa.select(column, sa.func.count()).where(*where).group_by(column).order_by(column)
    return {str(key): int(count) for key, count in register.execute(query)}


def _runs_by_period(runs: list[EvaluationRun]) -> dict[str, int]:
    return dict(sorted(Counter(str(run.period) for run in runs).items()))
