"""Ranks among peers (同级排名): regions with the same parent compete with each other."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from cityops.evaluation.normalisation import FloatArray

__all__ = ["peer_ranks", "replicated_ranks"]

_TIE_DECIMALS = 9
"""Scores equal to 9 decimals tie: floating-point noise must not split a tie."""


def peer_ranks(
    parents: Sequence[str | None], scores: Sequence[float | None]
) -> tuple[list[int | None], list[int]]:
    """Competition ranks (1 = best; ties share the lowest rank: 1, 2, 2, 4) within each
    parent group, and the number of scored peers of each region.  A region without a
    score has no rank."""
    groups: dict[str | None, list[float]] = defaultdict(list)
    for parent, score in zip(parents, scores, strict=True):
        if score is not None:
            groups[parent].append(round(score, _TIE_DECIMALS))
    ranks: list[int | None] = []
    for parent, score in zip(parents, scores, strict=True):
        if score is None:
            ranks.append(None)
            continue
        mine = round(score, _TIE_DECIMALS)
        ranks.append(1 + sum(other > mine for other in groups[parent]))
    return ranks, [len(groups.get(parent, ())) for parent in parents]


def replicated_ranks(parents: Sequence[str | None], totals: FloatArray) -> FloatArray:
    """Competition ranks among peers for every replication at once: ``totals`` is
    replications × regions; NaN scores get NaN ranks.  Ties as ``peer_ranks``."""
    rounded = np.round(totals, _TIE_DECIMALS)
    ranks = np.full(totals.shape, np.nan)
    codes = np.array([str(p) for p in parents])
    for parent in np.unique(codes):
        members = np.flatnonzero(codes == parent)
        block = rounded[:, members]
        present = ~np.isnan(block)
        better = (block[:, None, :] > block[:, :, None]) & present[:, None, :]
        ranks[:, members] = np.where(present, 1.0 + better.sum(axis=-1), np.nan)
    return ranks
