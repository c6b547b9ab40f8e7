"""Why a fact is what it is: its formula, the numbers that went into it, the query.

An auditor or an operator disputing a payment starts here.  The explanation is
built from the stored fact (so it explains the number that was used, not a
recomputation) and from today's definition; when the two definition hashes
differ, the definition changed after the fact was computed, and the
explanation says so instead of passing today's formula off as the one used.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cityops.domain.night import DEFAULT_NIGHT, NightHours
from cityops.domain.period import Period
from cityops.errors import PipelineError
from cityops.indicators.catalogue import Catalogue, IndicatorMeta
from cityops.indicators.engine import (
    EngineName,
    definition_hash,
    engine_sql,
    indicator_computation,
    query_parameters,
)
from cityops.indicators.facts import IndicatorFact
from cityops.types import IndicatorCode, RegionCode

__all__ = ["Explanation", "explain_fact"]


@dataclass(frozen=True, slots=True)
class Explanation:
    meta: IndicatorMeta
    fact: IndicatorFact
    sql: str
    """The query as ``sql_engine`` runs it (on Spark: translated, parameters written in)."""
    sql_engine: EngineName
    parameters: dict[str, Any]
    """The values of the query's ``$name`` parameters for the fact's period."""
    definition_current: bool
    """False when the definition changed after the fact was computed."""

    def as_dict(self) -> dict[str, Any]:
        fact = self.fact
        return {
            "indicator": fact.indicator,
            "name_zh": self.meta.name_zh,
            "name_en": self.meta.name_en,
            "formula": self.meta.formula,
            "unit": self.meta.unit,
            "polarity": self.meta.polarity,
            "region_code": fact.region_code,
            "period": str(fact.period),
            "value": fact.value,
            "numerator": fact.numerator,
            "denominator": fact.denominator,
            "rows_read": fact.rows_read,
            "engine": fact.engine,
            "definition_hash": fact.definition_hash,
            "definition_current": self.definition_current,
            "sql": self.sql,
            "sql_engine": str(self.sql_engine),
            "parameters": {name: str(value) for name, value in self.parameters.items()},
        }


def explain_fact(
    catalogue: Catalogue,
    facts: Sequence[IndicatorFact],
    code: IndicatorCode,
    region_code: RegionCode,
    period: Period,
    engine: EngineName | None = None,
    night: NightHours = DEFAULT_NIGHT,
) -> Explanation:
    """Explain the stored fact of ``code`` for ``region_code`` in ``period``, with the
    query of ``engine`` (default: the engine that computed the fact) and the city's
    ``night`` (``[hotline]``)."""
    meta = catalogue.get(code)
    found = [f for f in facts if f.indicator == code and f.region_code == region_code]
    if not found:
        raise PipelineError(
            f"no fact of {code} for region {region_code} in {period}; "
            f"check the region code, or run `cityops indicators --period {period}`"
        )
    computation = indicator_computation(catalogue, code)
    parameters = query_parameters(computation.sql, period, meta, night)
    # a fact no engine computed (one a city reported by hand, engine "manual") is shown
    # with DuckDB's query, the reference definition its hash is compared with
    stored_by = found[0].engine
    shown = engine or (EngineName(stored_by) if stored_by in set(EngineName) else EngineName.DUCKDB)
    return Explanation(
        meta=meta,
        fact=found[0],
        sql=engine_sql(shown, computation.sql, parameters),
        sql_engine=shown,
        parameters=parameters,
        definition_current=found[0].definition_hash == definition_hash(meta, computation, night),
    )
