"""Indicator use cases (指标): compute a month's facts on an engine, read stored facts
(each file read once per version), and explain one fact.

Facts live in the workspace as ``facts/<YYYY-MM>.parquet``, written whole by
:func:`compute_period`; readers keep a file's Arrow table while the file stays
the same, so the API filters facts in memory instead of reading the file per
request.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from cityops.domain.period import PERIOD_PATTERN, Period
from cityops.errors import PipelineError
from cityops.indicators.catalogue import Catalogue
from cityops.indicators.engine import DuckDBEngine, QueryEngine, compute_indicators
from cityops.indicators.engine_name import DEFAULT_ENGINE, EngineName
from cityops.indicators.explain import Explanation, explain_fact
from cityops.indicators.facts import (
    FACT_SCHEMA,
    IndicatorFact,
    read_facts,
    select_facts,
    write_facts,
)
from cityops.services.definitions import workspace_catalogue
from cityops.services.file_cache import FileCache, file_version
from cityops.services.unit_of_work import UnitOfWork
from cityops.types import IndicatorCode, RegionCode
from cityops.workspace.workspace import Workspace
from cityops.workspace.writer_lock import writer_lock

__all__ = [
    "compute_period",
    "explain_stored_fact",
    "facts_at",
    "facts_stamp",
    "period_facts",
    "periods_with_facts",
    "query_engine",
    "stored_facts",
]

_MONTH = re.compile(PERIOD_PATTERN)


def compute_period(
    uow: UnitOfWork, period: Period, engine: EngineName = DEFAULT_ENGINE
) -> tuple[list[IndicatorFact], Path]:
    """Compute every computable indicator of the workspace's catalogue for every region
    in ``period`` on ``engine`` (DuckDB by default, or Spark) and store the facts in
    ``facts/<period>.parquet``."""
    catalogue = workspace_catalogue(uow.workspace)
    # Under the writer lock: the facts are computed from a lake no batch is changing.
    night = uow.workspace.config.hotline.night
    with writer_lock(uow.workspace.root, f"compute indicators {period}"):
        facts = compute_indicators(
            query_engine(uow, engine), period, catalogue=catalogue, night=night
        )
        return facts, write_facts(uow.workspace.facts_path(period), facts)


def query_engine(uow: UnitOfWork, name: EngineName) -> QueryEngine:
    """The engine ``name`` over the unit of work's lake and register.

    Spark's master comes from ``$CITYOPS_SPARK_MASTER`` (default ``local[2]``);
    the session stays up for the rest of the process, so later periods reuse it.
    """
    if name is EngineName.SPARK:
        from cityops.indicators.spark.engine import open_spark_engine

        return open_spark_engine(uow.workspace.lake, uow.register_tables())
    return DuckDBEngine(uow.analytics)


def period_facts(uow: UnitOfWork, period: Period) -> list[IndicatorFact]:
    """The stored facts of ``period``; a ``PipelineError`` says how to compute them."""
    return read_facts(uow.workspace.facts_path(period))


def periods_with_facts(workspace: Workspace) -> list[Period]:
    """The months whose facts are stored (``facts/YYYY-MM.parquet``), oldest first."""
    if not workspace.facts_dir.is_dir():
        return []
    found = (p.stem for p in workspace.facts_dir.glob("*.parquet"))
    return sorted(Period.parse(stem) for stem in found if _MONTH.match(stem))


def facts_stamp(workspace: Workspace, period: Period) -> tuple[int, int] | None:
    """The version of the month's stored facts (modification time and size), None when
    there are none: what an answer computed from them is kept with."""
    try:
        return file_version(workspace.facts_path(period))
    except FileNotFoundError:
        return None


def _read(path: Path) -> pa.Table:
    table = pq.read_table(path, schema=FACT_SCHEMA)
    return table.sort_by([("region_code", "ascending"), ("indicator", "ascending")])


_FACTS: FileCache[pa.Table] = FileCache(_read)


def facts_at(path: Path) -> pa.Table:
    """The facts in the file at ``path`` (schema ``FACT_SCHEMA``, by region and
    indicator), read once per version; ``FileNotFoundError`` when there is none."""
    return _FACTS.get(path)


def stored_facts(workspace: Workspace, period: Period) -> pa.Table | None:
    """Every stored fact of ``period`` (schema ``FACT_SCHEMA``, by region and
    indicator), or None when the month has not been computed."""
    try:
        return facts_at(workspace.facts_path(period))
    except FileNotFoundError:
        return None


def explain_stored_fact(
    workspace: Workspace,
    code: IndicatorCode,
    region: RegionCode,
    period: Period,
    *,
    engine: EngineName | None = None,
    catalogue: Catalogue | None = None,
) -> Explanation | None:
    """Why the stored fact of ``code`` for ``region`` in ``period`` is what it is (the
    query as ``engine`` runs it; default: the fact's own engine); None when there is
    no such fact."""
    facts = stored_facts(workspace, period)
    if facts is None:
        raise PipelineError(
            f"no indicator facts for {period}; compute them with "
            f"`cityops indicators --period {period}`"
        )
    found = select_facts(facts, region=region, indicator=code)
    if found.num_rows == 0:
        return None
    stored = [IndicatorFact.from_row(row) for row in found.to_pylist()]
    chosen = catalogue or workspace_catalogue(workspace)
    night = workspace.config.hotline.night
    return explain_fact(chosen, stored, code, region, period, engine, night)
