"""Outlier treatment (COINr's rule), imputation and aggregation, worked by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from cityops.evaluation.aggregation import Aggregation, aggregate
from cityops.evaluation.imputation import Imputation, impute
from cityops.evaluation.outliers import excess_kurtosis, skewness, treat_outliers


def test_coinr_winsorises_the_single_outlier_of_1_to_10_and_100() -> None:
    # COINr's documented case (vignette "Outlier treatment"): 1…10, 100 has skew 3.26 and
    # kurtosis 10.7; one winsorisation sets 100 to the next value, 10, and the rule stops
    column = np.array([*range(1, 11), 100.0])[:, None]
    assert list(treat_outliers(column)[:, 0]) == [*range(1, 11), 10.0]


def test_coinr_log_transforms_when_five_points_are_not_enough() -> None:
    # forty 1s and five 100s: winsorising a 100 gives a 100 again, so the rule still holds
    column = np.array([1.0] * 40 + [100.0] * 5)
    assert stats.skew(column, bias=False) >= 2
    assert stats.kurtosis(column, bias=False) >= 3.5
    expected = np.log(column - 1 + 99 / 100)  # log(x − min + (max − min)/100)
    assert treat_outliers(column[:, None])[:, 0] == pytest.approx(expected)


def test_a_column_without_outliers_is_left_alone() -> None:
    column = np.array([3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0])[:, None]
    assert np.array_equal(treat_outliers(column), column)


def test_skewness_and_kurtosis_match_scipys_bias_corrected_estimates() -> None:
    column = np.array([2.0, 8.0, 0.0, 4.0, 1.0, 9.0, 9.0, 0.0, np.nan])
    present = column[~np.isnan(column)]
    assert skewness(column[:, None])[0] == pytest.approx(stats.skew(present, bias=False))
    kurt = stats.kurtosis(present, bias=False)
    assert excess_kurtosis(column[:, None])[0] == pytest.approx(kurt)


GROUPS = np.array([0, 0, 0, 1, 1])


def test_mean_and_median_imputation_use_the_regions_peers() -> None:
    scores = np.array([10.0, np.nan, 40.0, 70.0, np.nan])
    # group 0: mean (10 + 40)/2 = 25; group 1 has only 70
    assert list(impute(scores, GROUPS, Imputation.MEAN)) == [10, 25, 40, 70, 70]
    with_three = np.array([10.0, 20.0, 90.0, np.nan, np.nan, np.nan])
    median = impute(with_three, np.array([0, 0, 0, 0, 1, 1]), Imputation.MEDIAN)
    assert list(median[:4]) == [10, 20, 90, 20]
    assert np.isnan(median[4:]).all()  # nobody in group 1 has a value


def test_renormalise_leaves_the_gap_for_the_aggregation() -> None:
    scores = np.array([10.0, np.nan, 40.0, 70.0, np.nan])
    assert np.array_equal(impute(scores, GROUPS, Imputation.RENORMALISE), scores, equal_nan=True)


def test_arithmetic_and_geometric_means_worked_by_hand() -> None:
    scores = np.array([[80.0, 20.0], [50.0, np.nan]])
    weights = np.array([3.0, 1.0])
    # (3·80 + 20)/4 = 65; 80^¾ · 20^¼ = 56.57; the missing child is renormalised away
    assert list(aggregate(scores, weights, Aggregation.ARITHMETIC)) == pytest.approx([65, 50])
    geometric = aggregate(scores, weights, Aggregation.GEOMETRIC)
    assert list(geometric) == pytest.approx([80**0.75 * 20**0.25, 50])


def test_geometric_mean_counts_a_zero_as_one() -> None:
    # √(0 → 1 · 100) = 10, not 0: one zero must not zero everything above it
    result = aggregate(np.array([[0.0, 100.0]]), np.array([1.0, 1.0]), Aggregation.GEOMETRIC)
    assert result[0] == pytest.approx(math.sqrt(100))


def test_nothing_present_aggregates_to_missing() -> None:
    for method in Aggregation:
        assert np.isnan(aggregate(np.array([[np.nan, np.nan]]), np.array([1.0, 1.0]), method)[0])
