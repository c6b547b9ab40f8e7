"""Ranks among peers (同级排名): regions with the same parent compete with each other."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

__all__ = ["peer_ranks"]

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
