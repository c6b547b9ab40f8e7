"""Operations answers kept while the data they were computed from stays the same.

An operations page is computed from the lake (about a second on a county), but
its data change only when a batch is ingested or the month's indicators are
computed again.  An answer is therefore kept per page, workspace, region and
month, together with the versions it was computed from: of the data (the
register's record of ingest batches, ``register.batches.data_version``, which
every ingest updates, whatever its table) and of the month's facts file.  The
next request that finds a different version computes the answer again.

When the service starts, ``warm_operations`` computes the latest month's
pages of the regions the console opens on in the background (``api/app.py``),
so that the first visitor does not wait for them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

import sqlalchemy as sa
from pydantic import BaseModel

from cityops.api.services.file_cache import VersionedCache, file_version
from cityops.api.services.operations.hotline import HotlineOperations, hotline_operations
from cityops.api.services.operations.infrastructure import (
    InfrastructureOperations,
    infrastructure_operations,
)
from cityops.api.services.operations.month import MonthQuery, month_of
from cityops.api.services.operations.portal import PortalOperations, portal_operations
from cityops.domain.period import Period
from cityops.pipeline import facts_path
from cityops.register.batches import data_version
from cityops.workspace.workspace import Workspace

__all__ = [
    "HOTLINE",
    "INFRASTRUCTURE",
    "PORTAL",
    "OperationsPage",
    "PageKey",
    "facts_stamp",
    "warm_operations",
]

AnswerT = TypeVar("AnswerT", bound=BaseModel)


def facts_stamp(workspace: Workspace, period: Period) -> tuple[int, int] | None:
    """The version of the month's stored facts (the page shows their headline
    figures): the file's modification time and size, None when there is none."""
    try:
        return file_version(facts_path(workspace, period))
    except FileNotFoundError:
        return None


PageKey = tuple[Path, str, Period]
"""An answer's workspace, region and month."""


@dataclass(frozen=True, slots=True)
class OperationsPage(Generic[AnswerT]):
    """One operations page: how its answer is computed, and the answers kept."""

    compute: Callable[[MonthQuery], AnswerT]
    cache: VersionedCache[PageKey, AnswerT] = field(
        default_factory=lambda: VersionedCache(capacity=128)
    )

    def answer(
        self, workspace: Workspace, engine: sa.Engine, region_code: str, period: Period
    ) -> AnswerT:
        """The page of ``region_code`` (a known region) and ``period``."""
        data = data_version(engine)

        def compute() -> AnswerT:
            with month_of(workspace, region_code, period, data) as query:
                return self.compute(query)

        version = (data, facts_stamp(workspace, period))
        return self.cache.get((workspace.root, region_code, period), version, compute)


PORTAL: OperationsPage[PortalOperations] = OperationsPage(portal_operations)
HOTLINE: OperationsPage[HotlineOperations] = OperationsPage(hotline_operations)
INFRASTRUCTURE: OperationsPage[InfrastructureOperations] = OperationsPage(infrastructure_operations)


def warm_operations(
    workspace: Workspace, engine: sa.Engine, region_codes: Sequence[str], period: Period
) -> None:
    """Compute every page of ``period`` for ``region_codes`` (in their order), so they
    are kept."""
    for region_code in region_codes:
        PORTAL.answer(workspace, engine, region_code, period)
        HOTLINE.answer(workspace, engine, region_code, period)
        INFRASTRUCTURE.answer(workspace, engine, region_code, period)
