from collections.abc import Mapping

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cityops.domain.region_tree import (
    RegionChange,
    RegionValue,
    TreeProblem,
    TreeProblemKind,
    describe_problems,
    region_changes,
    tree_problems,
)

TREE: Mapping[str, str | None] = {
    "330000": None,
    "330100": "330000",
    "330102": "330100",
    "330103": "330100",
    "330102001": "330102",
}
CYCLE = TreeProblemKind.CYCLE
ORPHAN = TreeProblemKind.ORPHAN


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"330102001": "330103"}, []),  # a street moved to the other district
        ({"330104": "330100"}, []),  # a new district
        ({"330102": "330199"}, [TreeProblem(ORPHAN, ("330102", "330199"))]),
        ({"330102": "330102"}, [TreeProblem(CYCLE, ("330102",))]),
    ],
)
def test_a_change_that_breaks_the_tree_is_named(
    changes: dict[str, str | None], expected: list[TreeProblem]
) -> None:
    assert tree_problems({**TREE, **changes}, changes) == expected


def test_a_parent_cycle_through_older_regions_is_named_from_its_smallest_code() -> None:
    # The city under its own street: city → street → district → city.
    parents = {**TREE, "330100": "330102001"}
    assert tree_problems(parents, ["330100"]) == [
        TreeProblem(CYCLE, ("330100", "330102001", "330102"))
    ]
    assert describe_problems(tree_problems(parents, ["330100"])) == (
        "regions 330100 → 330102001 → 330102 → 330100 would be each other's ancestors (a cycle)"
    )


def test_a_region_under_a_broken_chain_is_reported_once_per_problem() -> None:
    # Two districts swap parents with each other, and a new street hangs below.
    parents = {**TREE, "330102": "330103", "330103": "330102", "330103001": "330103"}
    assert tree_problems(parents, ["330102", "330103", "330103001"]) == [
        TreeProblem(CYCLE, ("330102", "330103"))
    ]


def test_an_orphan_names_the_region_and_its_missing_parent() -> None:
    [problem] = tree_problems({**TREE, "330105": "330199"}, ["330105"])
    assert problem.describe() == "region 330105 would have parent 330199, which is not a region"


@st.composite
def forests(draw: st.DrawFn) -> dict[str, str | None]:
    """Regions numbered 0…n-1, each under an earlier one or a root: always a forest."""
    size = draw(st.integers(1, 30))
    parents: dict[str, str | None] = {}
    for index in range(size):
        parent = draw(st.none() | st.integers(0, index - 1)) if index else None
        parents[f"r{index:02d}"] = None if parent is None else f"r{parent:02d}"
    return parents


@given(forests())
def test_a_forest_has_no_problems(parents: dict[str, str | None]) -> None:
    assert tree_problems(parents, parents) == []


@given(forests(), st.data())
def test_putting_a_region_under_its_own_descendant_is_a_cycle(
    parents: dict[str, str | None], data: st.DataObject
) -> None:
    region = data.draw(st.sampled_from(sorted(parents)))
    below = [code for code in parents if region in _ancestors(parents, code)]
    descendant = data.draw(st.sampled_from(below))
    changed = {**parents, region: descendant}
    [problem] = tree_problems(changed, [region])
    assert problem.kind is CYCLE
    assert region in problem.regions
    assert descendant in problem.regions


def _ancestors(parents: Mapping[str, str | None], code: str) -> list[str]:
    chain: list[str] = []
    current: str | None = code
    while current is not None:
        chain.append(current)
        current = parents[current]
    return chain


def test_changes_of_population_and_parent_are_listed_with_before_and_after() -> None:
    before: dict[str, dict[str, RegionValue]] = {
        "330102": {"name": "东湖区", "parent_code": "330100", "resident_population": 400000},
        "330103": {"name": "西山区", "parent_code": "330100", "resident_population": 600000},
    }
    after: dict[str, dict[str, RegionValue]] = {
        "330102": {"name": "东湖新区", "parent_code": "330100", "resident_population": 30000},
        "330103": {"name": "西山区", "parent_code": "330102", "resident_population": 600000},
        "330104": {"name": "新区", "parent_code": "330100", "resident_population": 1},
    }
    changes = region_changes(before, after)
    assert changes == [
        RegionChange("330102", "resident_population", 400000, 30000),
        RegionChange("330103", "parent_code", "330100", "330102"),
    ]
    assert changes[0].describe() == "regions/330102 resident_population: 400000 → 30000"
    assert RegionChange("330100", "parent_code", None, "330000").describe() == (
        "regions/330100 parent_code: none → 330000"
    )
