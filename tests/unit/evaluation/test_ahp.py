"""AHP eigenvector weights and consistency, against Saaty's published example."""

from __future__ import annotations

import ahpy
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cityops.errors import ConfigError
from cityops.evaluation.ahp import RANDOM_INDEX, RandomIndexTable, ahp_weights

DRINKS = ("coffee", "wine", "tea", "beer", "soda", "milk", "water")
# Relative consumption of drinks in the US: Saaty, "Decision making with the analytic
# hierarchy process", Int. J. Services Sciences 1(1), 2008, pp. 83–98 (the matrix as
# reproduced in AHPy's README, "Relative consumption of drinks in the United States").
DRINKS_MATRIX = np.array(
    [
        [1, 9, 5, 2, 1, 1, 1 / 2],
        [1 / 9, 1, 1 / 3, 1 / 9, 1 / 9, 1 / 9, 1 / 9],
        [1 / 5, 3, 1, 1 / 3, 1 / 4, 1 / 3, 1 / 9],
        [1 / 2, 9, 3, 1, 1 / 2, 1, 1 / 3],
        [1, 9, 4, 2, 1, 2, 1 / 2],
        [1, 9, 3, 1, 1 / 2, 1, 1 / 3],
        [2, 9, 9, 3, 2, 3, 1],
    ]
)


def test_saatys_drinks_example_gives_the_published_weights_and_lambda_max() -> None:
    result = ahp_weights(DRINKS_MATRIX, name="drinks")
    weights = dict(zip(DRINKS, result.weights, strict=True))
    # published (Saaty 2008): water .327, soda .190, coffee .177, milk .129, beer .116,
    # tea .042, wine .019; the 4-decimal figures: water .3268, wine .0191
    assert weights["water"] == pytest.approx(0.3268, abs=5e-5)
    assert weights["wine"] == pytest.approx(0.0191, abs=5e-5)
    for drink, published in (("soda", 0.190), ("coffee", 0.177), ("milk", 0.129),
                             ("beer", 0.116), ("tea", 0.042)):  # fmt: skip
        assert weights[drink] == pytest.approx(published, abs=5e-4)
    assert result.lambda_max == pytest.approx(7.1766, abs=5e-5)
    # CI = (7.1766 − 7)/6 = 0.02943; CR = CI/1.32 (Saaty 1980, n = 7)
    assert result.consistency_ratio == pytest.approx((7.1766 - 7) / 6 / 1.32, abs=1e-4)


def test_ahpy_agrees_on_the_drinks_weights_and_consistency_ratio() -> None:
    upper = {
        (DRINKS[i], DRINKS[j]): float(DRINKS_MATRIX[i, j])
        for i in range(7)
        for j in range(i + 1, 7)
    }
    compare = ahpy.Compare("drinks", upper, precision=6, random_index="saaty")
    ours = ahp_weights(DRINKS_MATRIX, name="drinks", random_index=RandomIndexTable.SAATY_2005)
    for drink, weight in zip(DRINKS, ours.weights, strict=True):
        assert weight == pytest.approx(compare.target_weights[drink], abs=2e-6)
    assert ours.consistency_ratio == pytest.approx(compare.consistency_ratio, abs=2e-6)


def test_the_random_index_table_changes_the_consistency_ratio() -> None:
    # CI 0.029435 ÷ RI(7): Saaty 1980 1.32, Saaty 2005 1.35, Chinese textbooks 1.36
    ratios = {
        table: ahp_weights(DRINKS_MATRIX, name="d", random_index=table).consistency_ratio
        for table in RandomIndexTable
    }
    ci = (7.1766 - 7) / 6
    assert ratios[RandomIndexTable.SAATY_1980] == pytest.approx(ci / 1.32, abs=1e-4)
    assert ratios[RandomIndexTable.SAATY_2005] == pytest.approx(ci / 1.35, abs=1e-4)
    assert ratios[RandomIndexTable.CHINESE] == pytest.approx(ci / 1.36, abs=1e-4)


def test_an_inconsistent_matrix_is_refused_naming_it() -> None:
    # a ≻ b 9×, b ≻ c 9×, yet c ≻ a 9×: a cycle, as inconsistent as judgements get
    cycle = np.array([[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]])
    with pytest.raises(ConfigError, match=r"capability/及时性.*consistency ratio"):
        ahp_weights(cycle, name="capability/及时性")


def test_a_non_reciprocal_matrix_is_refused() -> None:
    with pytest.raises(ConfigError, match="reciprocal"):
        ahp_weights(np.array([[1, 3], [3, 1]]), name="x")


def test_random_index_tables_cover_orders_1_to_15() -> None:
    assert all(len(table) == 15 and table[:2] == (0.0, 0.0) for table in RANDOM_INDEX.values())


@given(st.lists(st.floats(0.1, 10), min_size=2, max_size=9))
def test_a_consistent_matrix_returns_its_generating_weights(raw: list[float]) -> None:
    weights = np.array(raw) / sum(raw)
    matrix = weights[:, None] / weights[None, :]
    result = ahp_weights(matrix, name="consistent")
    assert result.weights == pytest.approx(weights, rel=1e-6)
    assert result.consistency_ratio == pytest.approx(0.0, abs=1e-9)
