"""The regions an evaluation covers, read from the ``regions`` contract table."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import astuple, dataclass
from typing import TYPE_CHECKING

from cityops.types import RegionCode

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["Region", "regions_from_arrow", "regions_hash"]


@dataclass(frozen=True, slots=True)
class Region:
    region_code: RegionCode
    name: str
    level: str
    parent_code: RegionCode | None
    resident_population: int


def regions_from_arrow(table: pa.Table) -> tuple[Region, ...]:
    """Regions from an Arrow table with the contract's ``regions`` columns."""
    columns = ("region_code", "name", "level", "parent_code", "resident_population")
    rows = table.select(list(columns)).to_pylist()
    return tuple(Region(**row) for row in rows)


def regions_hash(regions: Sequence[Region]) -> str:
    """sha256 of the regions in code order: names, tree and populations all matter
    (a population-scaled goalpost depends on them)."""
    ordered = sorted(astuple(region) for region in regions)
    return hashlib.sha256(json.dumps(ordered, ensure_ascii=False).encode()).hexdigest()
