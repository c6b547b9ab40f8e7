"""Monte Carlo summaries, replicated ranks and Sobol indices."""

from __future__ import annotations

import numpy as np
import pytest

from cityops.evaluation.normalisation import FloatArray
from cityops.evaluation.ranking import peer_ranks, replicated_ranks
from cityops.evaluation.sensitivity import sobol_indices
from cityops.evaluation.uncertainty import summarise


def test_sobol_indices_of_a_linear_model_are_its_variance_shares() -> None:
    # y = x1 + 2 x2 + 3 x3, xᵢ ~ U(0, 1) independent: V(y) ∝ 1 + 4 + 9 = 14 and, with no
    # interactions, Sᵢ = Sₜᵢ = 1/14, 4/14, 9/14 (Saltelli et al., Global Sensitivity
    # Analysis: The Primer, 2008, §1.2.7)
    def model(x: FloatArray) -> FloatArray:
        result: FloatArray = (x[:, 0] + 2 * x[:, 1] + 3 * x[:, 2])[:, None]
        return result

    (found,) = sobol_indices(model, ["x1", "x2", "x3"], base_samples=4096, seed=7)
    for name, share in (("x1", 1 / 14), ("x2", 4 / 14), ("x3", 9 / 14)):
        assert found.first[name] == pytest.approx(share, abs=0.01)
        assert found.total[name] == pytest.approx(share, abs=0.01)


def test_sobol_indices_of_a_constant_output_are_undefined() -> None:
    (found,) = sobol_indices(
        lambda x: np.ones((x.shape[0], 1)), ["a", "b"], base_samples=16, seed=1
    )
    assert found.first == {"a": None, "b": None}


def test_replicated_ranks_agree_with_peer_ranks_in_every_replication() -> None:
    parents = ["c", "c", "c", None, "c"]
    rng = np.random.default_rng(3)
    totals = np.round(rng.uniform(0, 100, (20, 5)), 0)  # rounded: ties happen
    totals[4, 1] = np.nan
    ranks = replicated_ranks(parents, totals)
    for row in range(20):
        scores = [None if np.isnan(v) else float(v) for v in totals[row]]
        expected = peer_ranks(parents, scores)[0]
        assert [None if np.isnan(r) else int(r) for r in ranks[row]] == expected


def test_summary_gives_intervals_and_stage_shares_worked_by_hand() -> None:
    # region 0 scores 50 in half the replications and 90 in the other half; region 1
    # always 60: P(准备期) = P(成熟期) = ½ for region 0; ranks swap between 1 and 2
    totals = np.column_stack([np.repeat([50.0, 90.0], 50), np.full(100, 60.0)])
    first, second = summarise(totals, ["p", "p"])
    assert first is not None
    assert second is not None
    assert first.stage_probability == {
        "preparation": 0.5,
        "starting": 0.0,
        "growing": 0.0,
        "mature": 0.5,
    }
    assert first.rank_interval == (1, 2)
    assert second.stage_probability["starting"] == 1.0
    assert second.score_interval == (60.0, 60.0)
