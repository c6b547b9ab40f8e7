"""The region closure for engines without ``WITH RECURSIVE … UNION``: built in Python.

The region tree is small (a megacity has a few hundred regions), so walking it
here costs nothing next to the queries, and it is exact: the same pairs as
``cityops.indicators.computations.base.CLOSURE_SQL``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

import pyarrow as pa

__all__ = ["closure_table", "region_closure"]


def region_closure(edges: Iterable[tuple[str, str | None]]) -> list[tuple[str, str]]:
    """Every ``(ancestor, descendant)`` pair of the tree given as ``(region_code,
    parent_code)`` edges, each region its own ancestor, sorted.

    As with ``CLOSURE_SQL``'s ``UNION``, a pair is listed once and a cycle in bad
    data ends the walk instead of looping; a parent that is not a region adds
    no pair.
    """
    codes: set[str] = set()
    children: defaultdict[str, set[str]] = defaultdict(set)
    for code, parent in edges:
        codes.add(code)
        if parent is not None:
            children[parent].add(code)
    pairs: list[tuple[str, str]] = []
    for ancestor in codes:
        reached, frontier = {ancestor}, [ancestor]
        while frontier:
            below = children[frontier.pop()] - reached
            reached |= below
            frontier.extend(below)
        pairs.extend((ancestor, descendant) for descendant in reached)
    return sorted(pairs)


def closure_table(pairs: Sequence[tuple[str, str]]) -> pa.Table:
    """``pairs`` as the Arrow table ``region_closure(ancestor, descendant)``."""
    return pa.table(
        {
            "ancestor": pa.array([ancestor for ancestor, _ in pairs], pa.string()),
            "descendant": pa.array([descendant for _, descendant in pairs], pa.string()),
        }
    )
