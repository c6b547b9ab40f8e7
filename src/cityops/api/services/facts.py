"""Stored indicator facts (``facts/<period>.parquet``) for the API: which months have
them, and the facts of a month filtered to a caller, read once per file version.

The Parquet file is read into Arrow and kept (``FileCache``) until the file
changes; filters run in Arrow, so a request costs a few vectorised passes
over the month's facts, never a read of the file.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from cityops.api.services.file_cache import FileCache
from cityops.domain.period import Period
from cityops.indicators.catalogue import Catalogue
from cityops.indicators.explain import Explanation, explain_fact
from cityops.indicators.facts import FACT_SCHEMA, IndicatorFact
from cityops.pipeline import facts_path
from cityops.workspace.workspace import Workspace

__all__ = ["explain_stored_fact", "facts_at", "periods_with_facts", "select_facts", "stored_facts"]

_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


def _read(path: Path) -> pa.Table:
    table = pq.read_table(path, schema=FACT_SCHEMA)
    return table.sort_by([("region_code", "ascending"), ("indicator", "ascending")])


_FACTS: FileCache[pa.Table] = FileCache(_read)


def periods_with_facts(workspace: Workspace) -> list[str]:
    """The months (``YYYY-MM``) whose facts are stored, oldest first."""
    if not workspace.facts_dir.is_dir():
        return []
    found = (p.stem for p in workspace.facts_dir.glob("*.parquet"))
    return sorted(stem for stem in found if _MONTH.fullmatch(stem))


def facts_at(path: Path) -> pa.Table:
    """The facts in the file at ``path`` (schema ``FACT_SCHEMA``, by region and
    indicator); ``FileNotFoundError`` when there is none."""
    return _FACTS.get(path)


def stored_facts(workspace: Workspace, period: Period | str) -> pa.Table | None:
    """Every stored fact of ``period``, or None when the month has not been computed."""
    try:
        return facts_at(facts_path(workspace, period))
    except FileNotFoundError:
        return None


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


def explain_stored_fact(
    facts: pa.Table, catalogue: Catalogue, code: str, region: str, period: Period
) -> Explanation | None:
    """Why the stored fact of ``code`` for ``region`` is what it is; None when there is
    no such fact."""
    found = select_facts(facts, region=region, indicator=code)
    if found.num_rows == 0:
        return None
    stored = [IndicatorFact(**row) for row in found.to_pylist()]
    return explain_fact(catalogue, stored, code, region, period)
