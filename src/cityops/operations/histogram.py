"""Distributions over fixed bins, counted in SQL (response times, availability …).

A bin holds the values ``lower ≤ v < upper``; the first bin has no lower
bound and the last no upper one, so every value falls in exactly one bin.
``bin_sql`` writes the bin number of a value as a ``CASE``; the query groups
by it and ``bins`` lays the counts out, with the empty bins as 0.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pydantic import BaseModel

__all__ = ["Bin", "bin_sql", "bins"]


class Bin(BaseModel):
    lower: float | None
    """Inclusive; None for the first bin."""
    upper: float | None
    """Exclusive; None for the last bin."""
    count: int


def bin_sql(expression: str, edges: Sequence[float]) -> str:
    """The bin number (0 … len(edges)) of ``expression`` for the inner ``edges``."""
    cases = " ".join(f"WHEN {expression} < {edge!r} THEN {i}" for i, edge in enumerate(edges))
    return f"CASE {cases} ELSE {len(edges)} END"


def bins(edges: Sequence[float], counts: Mapping[int, int]) -> list[Bin]:
    """The ``len(edges) + 1`` bins with their counts (bin number → count)."""
    bounds: list[float | None] = [None, *edges, None]
    return [
        Bin(lower=bounds[i], upper=bounds[i + 1], count=counts.get(i, 0))
        for i in range(len(edges) + 1)
    ]
