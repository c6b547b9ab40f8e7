"""Operations use cases (运营模块): the portal, hotline and infrastructure pages of a
region's month, each answer kept while the data it was computed from stays the same.

An operations page is computed from the lake (about a second on a county), but
its data change only when a batch is ingested or the month's indicators are
computed again.  An answer is therefore kept per page, workspace, region and
month, together with the versions it was computed from: of the data (the
register's record of ingest batches, ``register.batches.data_version``, which
every ingest updates, whatever its table), of the month's facts file and of the
workspace's own catalogue and framework files, and the city settings it used
(the hotline's night).  The
next request that finds a different version computes the answer again.

When the service starts, ``warm_operations`` computes the latest month's
pages of the regions the console opens on in the background (``cityops.server``),
so that the first visitor does not wait for them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

from pydantic import BaseModel

from cityops.domain.period import Period
from cityops.operations.hotline import HotlineOperations, hotline_operations
from cityops.operations.infrastructure import InfrastructureOperations, infrastructure_operations
from cityops.operations.month import MonthQuery, month_of
from cityops.operations.portal import PortalOperations, portal_operations
from cityops.services.definitions import definitions_stamp, workspace_catalogue
from cityops.services.file_cache import VersionedCache
from cityops.services.indicators import facts_stamp, stored_facts
from cityops.services.unit_of_work import UnitOfWork
from cityops.types import RegionCode

__all__ = [
    "HOTLINE",
    "INFRASTRUCTURE",
    "PORTAL",
    "HotlineOperations",
    "InfrastructureOperations",
    "OperationsPage",
    "PageKey",
    "PortalOperations",
    "warm_operations",
]

AnswerT = TypeVar("AnswerT", bound=BaseModel)

PageKey = tuple[Path, RegionCode, Period]
"""An answer's workspace, region and month."""


@dataclass(frozen=True, slots=True)
class OperationsPage(Generic[AnswerT]):
    """One operations page: how its answer is computed, and the answers kept."""

    compute: Callable[[MonthQuery], AnswerT]
    cache: VersionedCache[PageKey, AnswerT] = field(
        default_factory=lambda: VersionedCache(capacity=128)
    )

    def answer(self, uow: UnitOfWork, region_code: RegionCode, period: Period) -> AnswerT:
        """The page of ``region_code`` (a known region) and ``period``."""
        workspace = uow.workspace
        data = uow.data_version()

        night = workspace.config.hotline.night

        def compute() -> AnswerT:
            cursor = uow.backend.analytics_cursor(data, uow.register)
            stored = stored_facts(workspace, period)
            catalogue = workspace_catalogue(workspace)
            with month_of(cursor, region_code, period, stored, catalogue, night) as query:
                return self.compute(query)

        version = (data, facts_stamp(workspace, period), definitions_stamp(workspace), night)
        return self.cache.get((workspace.root, region_code, period), version, compute)


PORTAL: OperationsPage[PortalOperations] = OperationsPage(portal_operations)
HOTLINE: OperationsPage[HotlineOperations] = OperationsPage(hotline_operations)
INFRASTRUCTURE: OperationsPage[InfrastructureOperations] = OperationsPage(infrastructure_operations)


def warm_operations(uow: UnitOfWork, region_codes: Sequence[RegionCode], period: Period) -> None:
    """Compute every page of ``period`` for ``region_codes`` (in their order), so they
    are kept."""
    for region_code in region_codes:
        PORTAL.answer(uow, region_code, period)
        HOTLINE.answer(uow, region_code, period)
        INFRASTRUCTURE.answer(uow, region_code, period)
