"""Within one batch, the last row of each key wins."""

from __future__ import annotations

import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from cityops.register.store import last_row_per_key


def test_the_last_row_of_each_key_is_kept_in_original_order() -> None:
    rows = pa.table({"k": ["a", "b", "a", "c", "b"], "v": [1, 2, 3, 4, 5]})
    # by hand: a → 3 (row 2), c → 4 (row 3), b → 5 (row 4)
    assert last_row_per_key(rows, ("k",)).to_pydict() == {"k": ["a", "c", "b"], "v": [3, 4, 5]}


def test_a_composite_key_keeps_one_row_per_combination() -> None:
    rows = pa.table({"k1": ["a", "a", "a"], "k2": [1, 2, 1], "v": [10, 20, 30]})
    assert last_row_per_key(rows, ("k1", "k2")).to_pydict() == {
        "k1": ["a", "a"],
        "k2": [2, 1],
        "v": [20, 30],
    }


def test_an_empty_table_stays_empty() -> None:
    rows = pa.table({"k": pa.array([], pa.string()), "v": pa.array([], pa.int64())})
    assert last_row_per_key(rows, ("k",)).num_rows == 0


@given(
    st.lists(st.tuples(st.sampled_from("abcdef"), st.integers(-(2**63), 2**63 - 1)), max_size=60)
)
def test_the_result_matches_a_dictionary_that_overwrites_each_key(
    pairs: list[tuple[str, int]],
) -> None:
    rows = pa.table({"k": [k for k, _ in pairs], "v": [v for _, v in pairs]})
    last_position = {k: i for i, (k, _) in enumerate(pairs)}  # later positions overwrite
    expected = [pairs[i] for i in sorted(last_position.values())]
    result = last_row_per_key(rows, ("k",))
    assert list(zip(result["k"].to_pylist(), result["v"].to_pylist(), strict=True)) == expected
