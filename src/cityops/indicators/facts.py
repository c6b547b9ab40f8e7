"""Indicator facts (指标事实): one value per indicator × region × period, with the
numerator and denominator behind it and the definition that produced it.

Facts are stored per period as ``<workspace>/facts/<YYYY-MM>.parquet``; a file
is written under a temporary name and renamed into place, so a reader never
sees half a file.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from cityops.domain.period import Period
from cityops.errors import PipelineError
from cityops.types import IndicatorCode, RegionCode

__all__ = [
    "FACT_SCHEMA",
    "IndicatorFact",
    "facts_hash",
    "facts_to_arrow",
    "read_facts",
    "select_facts",
    "write_facts",
]


@dataclass(frozen=True, slots=True)
class IndicatorFact:
    """The value of one indicator for one region and period.

    ``value`` is ``None`` when the indicator is missing (缺失) for the region,
    e.g. a ratio whose denominator is zero.  ``rows_read`` counts the source
    rows (of the region and the regions below it) that entered the figure.
    """

    indicator: IndicatorCode
    region_code: RegionCode
    period: Period
    value: float | None
    numerator: float | None
    denominator: float | None
    rows_read: int
    engine: str
    definition_hash: str

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Self:
        """The fact of a row of ``FACT_SCHEMA`` (the month as its text, ``YYYY-MM``)."""
        return cls(**{**row, "period": Period.parse(row["period"])})


FACT_SCHEMA = pa.schema(
    [
        pa.field("indicator", pa.string(), nullable=False),
        pa.field("region_code", pa.string(), nullable=False),
        pa.field("period", pa.string(), nullable=False),
        pa.field("value", pa.float64()),
        pa.field("numerator", pa.float64()),
        pa.field("denominator", pa.float64()),
        pa.field("rows_read", pa.int64(), nullable=False),
        pa.field("engine", pa.string(), nullable=False),
        pa.field("definition_hash", pa.string(), nullable=False),
    ]
)
_COLUMNS = tuple(FACT_SCHEMA.names)


def facts_to_arrow(facts: Iterable[IndicatorFact]) -> pa.Table:
    rows = list(facts)
    columns = {name: [getattr(fact, name) for fact in rows] for name in _COLUMNS}
    columns["period"] = [str(fact.period) for fact in rows]
    return pa.table(columns, schema=FACT_SCHEMA)


def write_facts(path: Path, facts: Iterable[IndicatorFact]) -> Path:
    """Write ``facts`` to ``path`` atomically (temporary file, then ``os.replace``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        pq.write_table(facts_to_arrow(facts), temporary)
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)
    return path


def read_facts(path: Path) -> list[IndicatorFact]:
    """Read facts written by ``write_facts``; a missing file says how to make it."""
    if not path.is_file():
        raise PipelineError(f"no indicator facts at {path}; run `cityops indicators` first")
    table = pq.read_table(path, schema=FACT_SCHEMA)
    return [IndicatorFact.from_row(row) for row in table.to_pylist()]


def facts_hash(facts: Sequence[IndicatorFact]) -> str:
    """A hash of what an evaluation depends on (values and their definitions), in a
    stable order, so the same facts from any engine give the same hash."""
    ordered = sorted(facts, key=lambda f: (f.period, f.indicator, f.region_code))
    payload = [
        [
            str(f.period),
            f.indicator,
            f.region_code,
            f.value,
            f.numerator,
            f.denominator,
            f.definition_hash,
        ]
        for f in ordered
    ]
    return hashlib.sha256(json.dumps(payload).encode()).hexdigest()


def select_facts(
    facts: pa.Table,
    *,
    regions: Collection[str] | None = None,
    region: str | None = None,
    indicator: str | None = None,
) -> pa.Table:
    """The facts of the ``regions`` (None: all), of one ``region`` and of one
    ``indicator`` when given."""
    keep: list[pa.ChunkedArray] = []
    if regions is not None:
        keep.append(
            pc.is_in(facts["region_code"], value_set=pa.array(sorted(regions), pa.string()))
        )
    if region is not None:
        keep.append(pc.equal(facts["region_code"], region))
    if indicator is not None:
        keep.append(pc.equal(facts["indicator"], indicator))
    if not keep:
        return facts
    mask = keep[0]
    for more in keep[1:]:
        mask = pc.and_(mask, more)
    return facts.filter(mask)
