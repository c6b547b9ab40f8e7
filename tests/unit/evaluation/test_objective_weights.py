"""Entropy and CRITIC weights against published examples and worked cases."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from pymcdm import weights as pymcdm_weights

from cityops.evaluation.critic import critic_weights
from cityops.evaluation.entropy import EntropyVariant, entropy_weights
from cityops.evaluation.normalisation import FloatArray

# Elsayed, Dawood & Karthikeyan, "Evaluating alternatives through the application of
# TOPSIS method with entropy weight", Int. J. Eng. Trends Technol. 46(2), 2017, 60–66:
# 12 alternatives × 5 criteria (as in pymcdm's test suite, test/test_weights.py).
ELSAYED_2017 = np.array(
    [
        [7, 312, 1891, 6613, 163],
        [72, 88, 728, 941804, 1078],
        [10, 252, 2594, 3466, 117471],
        [10, 145, 980, 2371, 86329],
        [65, 54, 350, 501, 29897],
        [29, 48, 380, 912, 34051],
        [7, 476, 3300, 78470, 2212],
        [70, 87, 650, 733, 819000],
        [4, 86, 591, 3015, 103],
        [12, 79, 579, 3240, 96098],
        [21, 45, 261, 1253, 453],
        [1, 72, 530, 4333, 0.104800],
    ]
)

# Tuş & Aytaç Adalı, "The new combination with CRITIC and WASPAS methods for the time
# and attendance software selection problem", Opsearch 56(2), 2019, 528–538: 5 × 6
# (as in pymcdm's test suite). Diakoulaki et al.'s own 8 × 3 data could not be found.
TUS_ADALI_2019 = np.array(
    [
        [5000, 3, 3, 4, 3, 2],
        [680, 5, 3, 2, 2, 1],
        [2000, 3, 2, 3, 4, 3],
        [600, 4, 3, 1, 2, 2],
        [800, 2, 4, 3, 3, 4],
    ]
)


def test_plain_entropy_reproduces_elsayed_2017() -> None:
    weights = entropy_weights(ELSAYED_2017, variant=EntropyVariant.PLAIN)
    published = [0.104991, 0.069124, 0.071373, 0.449937, 0.304575]
    assert weights == pytest.approx(published, abs=5e-7)


def test_minmax_entropy_worked_by_hand() -> None:
    # column a: 1, 2, 3 → 0, ½, 1 → p = 0, ⅓, ⅔ → e = −(⅓ ln ⅓ + ⅔ ln ⅔)/ln 3
    # column b: 1, 1, 3 → 0, 0, 1 → p = 0, 0, 1 → e = 0 (all the information)
    e_a = -(1 / 3 * math.log(1 / 3) + 2 / 3 * math.log(2 / 3)) / math.log(3)
    d_a, d_b = 1 - e_a, 1.0
    weights = entropy_weights(np.array([[1.0, 1.0], [2.0, 1.0], [3.0, 3.0]]))
    assert weights == pytest.approx([d_a / (d_a + d_b), d_b / (d_a + d_b)])


def test_minmax_entropy_mirrors_a_lower_is_better_column() -> None:
    # b lower-is-better: 3, 3, 1 → (max − x)/(max − min) = 0, 0, 1, the same as above
    matrix = np.array([[1.0, 3.0], [2.0, 3.0], [3.0, 1.0]])
    mirrored = entropy_weights(matrix, higher=np.array([True, False]))
    assert mirrored == pytest.approx(entropy_weights(np.array([[1.0, 1], [2, 1], [3, 3]])))


def test_critic_reproduces_tus_and_adali_2019() -> None:
    published = [0.157, 0.249, 0.168, 0.121, 0.154, 0.151]
    assert critic_weights(TUS_ADALI_2019) == pytest.approx(published, abs=5e-4)


def test_critic_worked_by_hand_on_two_opposed_columns() -> None:
    # a = 0, 1, 2 and b = 2, 1, 0 standardise to 0, ½, 1 and 1, ½, 0: equal spread,
    # correlation −1, so each Cⱼ = σ · (0 + 2) and the weights are equal; a third,
    # constant column has σ = 0 and weighs nothing
    matrix = np.array([[0.0, 2.0, 5.0], [1.0, 1.0, 5.0], [2.0, 0.0, 5.0]])
    assert critic_weights(matrix) == pytest.approx([0.5, 0.5, 0.0])


positive_matrices = arrays(
    np.float64, st.tuples(st.integers(3, 8), st.integers(2, 5)), elements=st.floats(1, 1000)
)


@settings(max_examples=50)
@given(positive_matrices)
def test_pymcdm_agrees_on_entropy_and_critic(matrix: FloatArray) -> None:
    varies = np.ptp(matrix, axis=0) > 1e-6 * matrix.max(axis=0)
    if not varies.all():
        return
    plain = entropy_weights(matrix, variant=EntropyVariant.PLAIN)
    assert plain == pytest.approx(pymcdm_weights.entropy_weights(matrix), abs=1e-6)
    with np.errstate(invalid="ignore"):  # pymcdm divides 0 by 0 when no column conflicts
        theirs = pymcdm_weights.critic_weights(matrix)
    if np.isfinite(theirs).all():
        assert critic_weights(matrix) == pytest.approx(theirs, abs=1e-6)
