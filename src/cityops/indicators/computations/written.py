"""The shape of a computation written in a catalogue entry (``[indicator.computation]``),
as the catalogue file states it; ``sql_template`` checks and expands it.

It lives with the computations, not with the catalogue, so that the catalogue can
check an entry's computation without the computations needing the catalogue.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ComputationMeta"]


class ComputationMeta(BaseModel):
    """An indicator's computation written in the catalogue (``[indicator.computation]``):
    SQL over one contract table, checked and expanded by
    ``cityops.indicators.computations.sql_template`` (the format: ``docs/indicators.md``).

    The city writes what to count; the engine adds the month's window, each row's
    region and the roll-up to every region at every level."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    table: str
    """The contract table the rows come from."""
    numerator: str = Field(min_length=1)
    """One aggregate: ``count(*)``, ``count(e)``, ``count(DISTINCT e)`` or ``sum(e)``,
    optionally ``FILTER (WHERE condition)``."""
    denominator: str | None = Field(default=None, min_length=1)
    """As ``numerator``; without it the value is the numerator (a count)."""
    where: str | None = Field(default=None, min_length=1)
    """A condition on the table's rows: only those enter the figures."""
    period: str | None = None
    """The column that places a row in a month (default: the table's time column)."""
