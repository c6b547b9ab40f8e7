"""Compute indicator facts on DuckDB for one period, for every region at every level.

The connection must expose every contract table by its name, with the types of
``cityops.lake.schema.arrow_schema`` (timestamps as TIMESTAMPTZ).  Days, hours
and months are cut in Asia/Shanghai, so the session time zone is set to it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from cityops.domain.period import Period
from cityops.errors import PipelineError
from cityops.indicators.catalogue import Catalogue, IndicatorMeta, load_catalogue
from cityops.indicators.computations import COMPUTATIONS, Computation
from cityops.indicators.computations.base import CLOSURE_SQL
from cityops.indicators.facts import IndicatorFact

if TYPE_CHECKING:
    import duckdb

__all__ = [
    "ENGINE",
    "computable_codes",
    "compute_indicators",
    "definition_hash",
    "query_parameters",
]

ENGINE = "duckdb"
_PARAMETER = re.compile(r"\$([a-z_]+)")


def computable_codes(catalogue: Catalogue) -> tuple[str, ...]:
    """The catalogue's codes that have a registered computation, in catalogue order."""
    return tuple(code for code in catalogue.codes if code in COMPUTATIONS)


def definition_hash(meta: IndicatorMeta, computation: Computation) -> str:
    """sha256 of the definition (catalogue meta) and the exact SQL that computes it."""
    text = "\n".join((meta.canonical_json(), CLOSURE_SQL, computation.sql))
    return hashlib.sha256(text.encode()).hexdigest()


def compute_indicators(
    con: duckdb.DuckDBPyConnection,
    period: Period,
    codes: Sequence[str] | None = None,
    *,
    catalogue: Catalogue | None = None,
) -> list[IndicatorFact]:
    """Facts for ``codes`` (default: every computable indicator) × every region.

    Each region's figure comes from the rows of the region and the regions
    below it (``region_closure``), never from its children's figures; a ratio
    with a zero denominator is missing (``value`` None).
    """
    catalogue = catalogue or load_catalogue()
    selected = computable_codes(catalogue) if codes is None else tuple(codes)
    for code in selected:
        catalogue.get(code)  # an unknown code fails here, naming the catalogue
        if code not in COMPUTATIONS:
            computable = ", ".join(computable_codes(catalogue))
            raise PipelineError(
                f"indicator {code!r} is in the catalogue but not computed yet; "
                f"computable now: {computable}"
            )
    con.execute("SET TimeZone = 'Asia/Shanghai'")
    con.execute(CLOSURE_SQL)
    facts: list[IndicatorFact] = []
    for code in selected:
        meta, computation = catalogue.get(code), COMPUTATIONS[code]
        rows = _run(con, computation, query_parameters(computation.sql, period, meta))
        digest = definition_hash(meta, computation)
        facts.extend(
            IndicatorFact(
                code, region, str(period), value, numerator, denominator, rows_read, ENGINE, digest
            )
            for region, value, numerator, denominator, rows_read in rows
        )
    return facts


def query_parameters(sql: str, period: Period, meta: IndicatorMeta) -> dict[str, Any]:
    """The values of the ``$name`` parameters that ``sql`` uses, for ``period``
    (DuckDB rejects parameters a query does not name)."""
    every = _parameters(period, meta)
    return {name: every[name] for name in sorted(set(_PARAMETER.findall(sql)))}


def _parameters(period: Period, meta: IndicatorMeta) -> dict[str, Any]:
    return {
        "period_start": period.start,
        "period_end": period.end,
        "first_day": period.first_day,
        "last_day": period.last_day,
        "period": str(period),
        "days": period.days,
        "items": list(meta.evidence_items),
    }


def _run(
    con: duckdb.DuckDBPyConnection, computation: Computation, parameters: dict[str, Any]
) -> list[tuple[str, float | None, float | None, float | None, int]]:
    import duckdb

    try:
        result: list[Any] = con.execute(computation.sql, parameters).fetchall()
    except duckdb.Error as error:
        raise PipelineError(f"computing {computation.code} failed: {error}") from error
    return result
