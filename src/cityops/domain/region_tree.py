"""The region tree (区划树) a change to the ``regions`` register would leave, checked
before anything is stored, and what the change did to each region.

Every scope check, roll-up and payment reads the tree through ``parent_code``:
a region whose parent does not exist, or a chain of parents that loops, falls
out of every ancestor's scope (a cycle hid a district from the city supervisor)
and out of every roll-up.  So a change to ``regions`` is checked against the
tree it would leave — the stored regions with the batch's rows laid over them —
and refused whole when, walking up from any region of the batch, the parents

* lead to a code that is not a region (an *orphan*: the parent is missing), or
* come back to a region already passed (a *cycle*).

Regions outside the batch are not walked: rows are never deleted from the
register, so a batch can only break the tree through its own rows (a cycle
through an older region passes through a region of the batch too).

:func:`region_changes` lists, field by field, what a change did to the
resident population and the parent of regions that existed before it — the
two fields a payment depends on (用户覆盖率 divides by the population; the
parent decides whose tickets, contracts and statements a supervisor sees) —
for the audit log.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "AUDITED_FIELDS",
    "RegionChange",
    "RegionValue",
    "TreeProblem",
    "TreeProblemKind",
    "describe_problems",
    "region_changes",
    "tree_problems",
]

AUDITED_FIELDS = ("resident_population", "parent_code")
"""The fields of ``regions`` whose every change is audited with its before and after."""

RegionValue = str | int | None


class TreeProblemKind(StrEnum):
    ORPHAN = "orphan"
    CYCLE = "cycle"


@dataclass(frozen=True, slots=True)
class TreeProblem:
    """One way the tree would break: ``regions`` are the codes concerned — for an
    orphan the region and its missing parent, for a cycle the regions of the loop in
    parent order, starting from the smallest code."""

    kind: TreeProblemKind
    regions: tuple[str, ...]

    def describe(self) -> str:
        if self.kind is TreeProblemKind.ORPHAN:
            region, parent = self.regions
            return f"region {region} would have parent {parent}, which is not a region"
        loop = " → ".join((*self.regions, self.regions[0]))
        return f"regions {loop} would be each other's ancestors (a cycle)"


def tree_problems(parents: Mapping[str, str | None], changed: Iterable[str]) -> list[TreeProblem]:
    """The problems of the tree ``parents`` (region code → parent code, ``None`` for a
    root) found walking up from each region of ``changed``; each problem once, in a
    stable order.  An empty list: the change keeps the tree whole."""
    found: dict[tuple[TreeProblemKind, tuple[str, ...]], TreeProblem] = {}
    sound: set[str] = set()
    for start in sorted(set(changed)):
        path: list[str] = []
        current: str | None = start
        problem: TreeProblem | None = None
        while current is not None and current not in sound:
            if current not in parents:
                if path:  # a parent link led here (a code of ``changed`` itself is skipped)
                    problem = TreeProblem(TreeProblemKind.ORPHAN, (path[-1], current))
                break
            if current in path:
                problem = TreeProblem(TreeProblemKind.CYCLE, _loop(path[path.index(current) :]))
                break
            path.append(current)
            current = parents[current]
        if problem is None:
            sound.update(path)
        else:
            found.setdefault((problem.kind, problem.regions), problem)
    return list(found.values())


def describe_problems(problems: Iterable[TreeProblem]) -> str:
    """One sentence per problem, joined with ``; ``."""
    return "; ".join(problem.describe() for problem in problems)


def _loop(cycle: list[str]) -> tuple[str, ...]:
    """The cycle rotated to start at its smallest code, so each loop has one name."""
    first = cycle.index(min(cycle))
    return tuple(cycle[first:] + cycle[:first])


@dataclass(frozen=True, slots=True)
class RegionChange:
    """One audited field of one region, before and after a change."""

    region_code: str
    field: str
    before: RegionValue
    after: RegionValue

    def describe(self) -> str:
        """``regions/330102 resident_population: 400000 → 30000`` (``none`` for empty)."""
        return (
            f"regions/{self.region_code} {self.field}: {_shown(self.before)} → {_shown(self.after)}"
        )


def region_changes(
    before: Mapping[str, Mapping[str, RegionValue]],
    after: Mapping[str, Mapping[str, RegionValue]],
) -> list[RegionChange]:
    """The changes of :data:`AUDITED_FIELDS` from ``before`` to ``after`` (region code →
    row) of every region present in both, by code then field.  Regions that are new
    in ``after`` are not listed: they changed nothing that was there."""
    return [
        RegionChange(code, name, before[code].get(name), row.get(name))
        for code, row in sorted(after.items())
        if code in before
        for name in AUDITED_FIELDS
        if before[code].get(name) != row.get(name)
    ]


def _shown(value: RegionValue) -> str:
    return "none" if value is None else str(value)
