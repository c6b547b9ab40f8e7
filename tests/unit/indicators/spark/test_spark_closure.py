"""The region closure the Spark engine builds in Python: the pairs CLOSURE_SQL gives."""

from __future__ import annotations

import duckdb
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from cityops.indicators.computations.base import CLOSURE_SQL, CLOSURE_TABLE
from cityops.indicators.spark.closure import closure_table, region_closure

TREE = [
    ("33", None),  # province
    ("3301", "33"),  # city
    ("330102", "3301"),  # district
    ("330102001", "330102"),  # street
    ("330105", "3301"),  # district without streets
]


def test_every_region_is_paired_with_itself_and_every_region_below_it() -> None:
    assert region_closure(TREE) == sorted(
        [
            ("33", "33"),
            ("33", "3301"),
            ("33", "330102"),
            ("33", "330102001"),
            ("33", "330105"),
            ("3301", "3301"),
            ("3301", "330102"),
            ("3301", "330102001"),
            ("3301", "330105"),
            ("330102", "330102"),
            ("330102", "330102001"),
            ("330102001", "330102001"),
            ("330105", "330105"),
        ]
    )


def test_a_cycle_in_bad_data_ends_the_walk_with_each_pair_once() -> None:
    # a → b → c → a: each region reaches all three
    cycle = [("a", "c"), ("b", "a"), ("c", "b")]
    assert region_closure(cycle) == [(x, y) for x in "abc" for y in "abc"]


def test_a_parent_that_is_not_a_region_adds_no_pair() -> None:
    assert region_closure([("330102", "999999")]) == [("330102", "330102")]


def _duckdb_closure(edges: list[tuple[str, str | None]]) -> list[tuple[str, str]]:
    """The pairs of ``CLOSURE_SQL``, the definition the DuckDB engine runs."""
    con = duckdb.connect()
    regions = pa.table(
        {
            "region_code": pa.array([code for code, _ in edges], pa.string()),
            "parent_code": pa.array([parent for _, parent in edges], pa.string()),
        }
    )
    con.register("regions", regions)
    con.execute(CLOSURE_SQL)
    rows: list[tuple[str, str]] = con.execute(
        f"SELECT ancestor, descendant FROM {CLOSURE_TABLE} ORDER BY ALL"
    ).fetchall()
    return rows


_CODES = st.sampled_from([f"r{number}" for number in range(8)])


@settings(max_examples=60, deadline=None)  # a DuckDB connection per example
@given(st.dictionaries(_CODES, st.none() | _CODES, min_size=1))
def test_the_closure_has_the_pairs_of_the_recursive_query(parents: dict[str, str | None]) -> None:
    # any parent links, cycles and self-loops included
    edges = list(parents.items())
    assert region_closure(edges) == _duckdb_closure(edges)


def test_the_closure_table_has_the_columns_the_computations_join_on() -> None:
    table = closure_table([("3301", "3301"), ("3301", "330102")])
    assert table.schema == pa.schema([("ancestor", pa.string()), ("descendant", pa.string())])
    assert table.to_pylist() == [
        {"ancestor": "3301", "descendant": "3301"},
        {"ancestor": "3301", "descendant": "330102"},
    ]
    assert closure_table([]).num_rows == 0
