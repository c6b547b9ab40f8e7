"""Compute indicator facts for one period, for every region at every level, on an engine.

The computations are written once, in DuckDB SQL (``Computation.sql``).  An
engine is where that SQL runs: ``duckdb`` (the default, embedded in this
process) or ``spark`` (``cityops.indicators.spark``: PySpark, in local mode or
on a cluster, with the SQL translated to Spark SQL).  Both give the same facts
from the same data (``tests/integration/indicators/test_engines_agree.py``);
a fact records which engine computed it.

An engine sees every contract table by its name, with the types of
``cityops.lake.schema.arrow_schema`` (timestamps as instants), and the compact
tables built at ingest.  Days, hours and months are cut in Asia/Shanghai.

Besides the period, a computation may use the city's settings that define it: the
hotline's night (``NightHours``, ``[hotline]`` in ``cityops.toml``), as
``$night_start`` and ``$night_end``.  They are part of its definition, so its
definition hash covers the values it used.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from cityops.domain.night import DEFAULT_NIGHT, NightHours
from cityops.domain.period import CITY_TZ, Period
from cityops.errors import PipelineError
from cityops.indicators.catalogue import Catalogue, IndicatorMeta, load_catalogue
from cityops.indicators.computations import Computation, computation_of
from cityops.indicators.computations.base import CLOSURE_SQL, FactRow
from cityops.indicators.engine_name import DEFAULT_ENGINE, EngineName
from cityops.indicators.facts import IndicatorFact
from cityops.types import IndicatorCode, RegionCode

if TYPE_CHECKING:
    import duckdb

__all__ = [
    "DEFAULT_ENGINE",
    "DuckDBEngine",
    "EngineName",
    "FactRow",
    "QueryEngine",
    "computable_codes",
    "compute_indicators",
    "definition_hash",
    "engine_sql",
    "indicator_computation",
    "query_parameters",
]

_PARAMETER = re.compile(r"\$([a-z_]+)")


@runtime_checkable
class QueryEngine(Protocol):
    """Runs the computations' SQL over the contract tables, one result row per region."""

    name: EngineName

    def prepare(self) -> None:
        """Set what every computation relies on: the city's time zone and the
        ``region_closure`` table built from ``regions`` (as ``CLOSURE_SQL`` does)."""

    def rows(self, computation: Computation, parameters: Mapping[str, Any]) -> list[FactRow]:
        """The computation's rows, ordered by region code, with its ``$name``
        parameters set to ``parameters``; a failure is a ``PipelineError``."""


class DuckDBEngine:
    """The default engine: the SQL as written, on a DuckDB connection over the tables
    (``cityops.lake.connection.open_lake`` gives one)."""

    name = EngineName.DUCKDB

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    def prepare(self) -> None:
        self.con.execute(f"SET TimeZone = '{CITY_TZ.key}'")
        self.con.execute(CLOSURE_SQL)

    def rows(self, computation: Computation, parameters: Mapping[str, Any]) -> list[FactRow]:
        import duckdb

        try:
            result: list[Any] = self.con.execute(computation.sql, dict(parameters)).fetchall()
        except duckdb.Error as error:
            raise PipelineError(f"computing {computation.code} failed: {error}") from error
        return result


def engine_sql(name: EngineName, sql: str, parameters: Mapping[str, Any]) -> str:
    """The query engine ``name`` runs for ``sql``, laid out to be read: as written on
    DuckDB (which binds ``parameters`` itself), translated with the parameters
    written in on Spark."""
    if name is EngineName.SPARK:
        from cityops.indicators.spark.transpile import spark_sql

        return spark_sql(sql, parameters, pretty=True)
    return sql


def computable_codes(catalogue: Catalogue) -> tuple[str, ...]:
    """The catalogue's codes that have a computation, in catalogue order: registered in
    ``cityops.indicators.computations`` or written in the entry."""
    return tuple(
        meta.code
        for meta in catalogue.indicators
        if computation_of(meta.code, meta.computation) is not None
    )


def indicator_computation(catalogue: Catalogue, code: str) -> Computation:
    """The computation of ``code``; an unknown code is a ``ConfigError`` naming the
    catalogue, a code without computation a ``PipelineError`` listing those with one."""
    meta = catalogue.get(code)
    computation = computation_of(meta.code, meta.computation)
    if computation is None:
        computable = ", ".join(computable_codes(catalogue))
        raise PipelineError(
            f"indicator {code!r} is in the catalogue but not computed yet; "
            f"computable now: {computable}"
        )
    return computation


def definition_hash(
    meta: IndicatorMeta, computation: Computation, night: NightHours = DEFAULT_NIGHT
) -> str:
    """sha256 of the definition (catalogue meta), the exact SQL that computes it and the
    values of the city's settings that SQL uses (``night``, when it names
    ``$night_start`` or ``$night_end``).

    The same on every engine: an engine runs this SQL (translated, for Spark),
    so a fact's definition does not depend on where it was computed."""
    used = _named(computation.sql, night.parameters)
    settings = [f"${name} = {value}" for name, value in used.items()]
    text = "\n".join((meta.canonical_json(), CLOSURE_SQL, computation.sql, *settings))
    return hashlib.sha256(text.encode()).hexdigest()


def compute_indicators(
    engine: QueryEngine | duckdb.DuckDBPyConnection,
    period: Period,
    codes: Sequence[str] | None = None,
    *,
    catalogue: Catalogue | None = None,
    night: NightHours = DEFAULT_NIGHT,
) -> list[IndicatorFact]:
    """Facts for ``codes`` (default: every computable indicator) × every region.

    ``engine`` is a ``QueryEngine``, or a DuckDB connection over the tables (run
    as ``DuckDBEngine``); ``night`` is the city's (``[hotline]``).  Each region's
    figure comes from the rows of the region and the regions below it
    (``region_closure``), never from its children's figures; a ratio with a zero
    denominator is missing (``value`` None).
    """
    runner = engine if isinstance(engine, QueryEngine) else DuckDBEngine(engine)
    catalogue = catalogue or load_catalogue()
    selected = computable_codes(catalogue) if codes is None else tuple(codes)
    computations = [(code, indicator_computation(catalogue, code)) for code in selected]
    runner.prepare()
    facts: list[IndicatorFact] = []
    for code, computation in computations:
        meta = catalogue.get(code)
        rows = runner.rows(computation, query_parameters(computation.sql, period, meta, night))
        digest = definition_hash(meta, computation, night)
        facts.extend(
            IndicatorFact(
                IndicatorCode(code),
                RegionCode(region),
                period,
                value,
                numerator,
                denominator,
                rows_read,
                str(runner.name),
                digest,
            )
            for region, value, numerator, denominator, rows_read in rows
        )
    return facts


def query_parameters(
    sql: str, period: Period, meta: IndicatorMeta, night: NightHours = DEFAULT_NIGHT
) -> dict[str, Any]:
    """The values of the ``$name`` parameters that ``sql`` uses, for ``period`` and the
    city's ``night`` (DuckDB rejects parameters a query does not name)."""
    every = _parameters(period, meta, night)
    return {name: every[name] for name in sorted(set(_PARAMETER.findall(sql)))}


def _named(sql: str, parameters: Mapping[str, Any]) -> dict[str, Any]:
    """Those of ``parameters`` that ``sql`` names, by name."""
    named = set(_PARAMETER.findall(sql))
    return {name: parameters[name] for name in sorted(named) if name in parameters}


def _parameters(period: Period, meta: IndicatorMeta, night: NightHours) -> dict[str, Any]:
    return {
        **night.parameters,
        "period_start": period.start,
        "period_end": period.end,
        "first_day": period.first_day,
        "last_day": period.last_day,
        "period": str(period),
        "days": period.days,
        "items": list(meta.evidence_items),
    }
