"""Region use cases (区域): the region tree that scopes every user, and the regions
a caller may see."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from cityops.access.scope import RegionTree
from cityops.domain.contract import table
from cityops.register.schema import current_table
from cityops.services.unit_of_work import UnitOfWork
from cityops.types import RegionCode

__all__ = ["RegionRow", "list_regions", "region_tree"]


@dataclass(frozen=True, slots=True)
class RegionRow:
    """A region as the register holds it now."""

    region_code: RegionCode
    name: str
    level: str
    parent_code: RegionCode | None
    resident_population: int


def region_tree(uow: UnitOfWork) -> RegionTree:
    """The region register's parent links."""
    regions = current_table(table("regions"))
    rows = uow.register.execute(sa.select(regions.c.region_code, regions.c.parent_code)).all()
    return RegionTree.from_pairs((code, parent) for code, parent in rows)


def list_regions(uow: UnitOfWork) -> list[RegionRow]:
    """Every region of the register, in code order."""
    regions = current_table(table("regions"))
    query = sa.select(
        regions.c.region_code,
        regions.c.name,
        regions.c.level,
        regions.c.parent_code,
        regions.c.resident_population,
    ).order_by(regions.c.region_code)
    return [RegionRow(**row) for row in uow.register.execute(query).mappings()]
