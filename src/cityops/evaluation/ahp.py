"""AHP (层次分析法) weights from a pairwise comparison matrix (判断矩阵).

Weights are the principal right eigenvector of the matrix A (aᵢⱼ = how many
times more important i is than j, aⱼᵢ = 1 ÷ aᵢⱼ), normalised to sum to 1.
Consistency: CI = (λmax − n) ÷ (n − 1), CR = CI ÷ RI(n), where RI is the mean
CI of random reciprocal matrices of order n.  A matrix with CR ≥ 0.1 is refused
(Saaty's rule); matrices of order 1 and 2 are always consistent.

Three random-index tables are in use, and the same matrix passes or fails by
the table chosen, so the table is a parameter:

- ``saaty1980``: Saaty, *The Analytic Hierarchy Process*, McGraw-Hill, 1980
  (n = 3…10: 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49; 11…15 from the
  same book's extended table: 1.51, 1.48, 1.56, 1.57, 1.59).
- ``saaty2005``: Saaty, *Theory and Applications of the Analytic Network
  Process*, RWS Publications, 2005, p. 31 (0.52, 0.89, 1.11, 1.25, 1.35, 1.40,
  1.45, 1.49, 1.52, 1.54, 1.56, 1.58, 1.59) — the table AHPy uses as 'saaty'.
- ``chinese``: the table printed in most Chinese textbooks (e.g. 许树柏《实用
  决策方法——层次分析法原理》, 天津大学出版社, 1988): 0.52, 0.89, 1.12, 1.26,
  1.36, 1.41, 1.46, 1.49, 1.52, 1.54, 1.56, 1.58, 1.59.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from cityops.errors import ConfigError
from cityops.evaluation.normalisation import FloatArray

__all__ = ["CONSISTENCY_LIMIT", "RANDOM_INDEX", "AhpResult", "RandomIndexTable", "ahp_weights"]

CONSISTENCY_LIMIT = 0.1
"""A matrix whose consistency ratio reaches this is refused."""


class RandomIndexTable(StrEnum):
    SAATY_1980 = "saaty1980"
    SAATY_2005 = "saaty2005"
    CHINESE = "chinese"


_SMALL = (0.0, 0.0)
RANDOM_INDEX: dict[RandomIndexTable, tuple[float, ...]] = {
    RandomIndexTable.SAATY_1980: (
        *_SMALL, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51, 1.48, 1.56, 1.57, 1.59,
    ),
    RandomIndexTable.SAATY_2005: (
        *_SMALL, 0.52, 0.89, 1.11, 1.25, 1.35, 1.40, 1.45, 1.49, 1.52, 1.54, 1.56, 1.58, 1.59,
    ),
    RandomIndexTable.CHINESE: (
        *_SMALL, 0.52, 0.89, 1.12, 1.26, 1.36, 1.41, 1.46, 1.49, 1.52, 1.54, 1.56, 1.58, 1.59,
    ),
}  # fmt: skip
"""RI(n) for n = 1…15, by table."""


@dataclass(frozen=True, slots=True)
class AhpResult:
    weights: FloatArray
    lambda_max: float
    consistency_index: float
    consistency_ratio: float


def ahp_weights(
    matrix: FloatArray,
    *,
    name: str,
    random_index: RandomIndexTable = RandomIndexTable.SAATY_1980,
) -> AhpResult:
    """Eigenvector weights and consistency of ``matrix``; ``name`` says which matrix in
    errors (a framework path such as ``directions``)."""
    a = np.asarray(matrix, dtype=np.float64)
    n = a.shape[0]
    if a.ndim != 2 or a.shape != (n, n) or n == 0:
        raise ConfigError(f"AHP matrix {name}: must be square, got shape {a.shape}")
    if np.any(a <= 0) or not np.allclose(a * a.T, 1.0, rtol=1e-3):
        raise ConfigError(
            f"AHP matrix {name}: entries must be positive and reciprocal (a[j][i] = 1/a[i][j])"
        )
    table = RANDOM_INDEX[random_index]
    if n > len(table):
        raise ConfigError(f"AHP matrix {name}: order {n} exceeds the RI table ({len(table)})")
    eigenvalues, eigenvectors = np.linalg.eig(a)
    principal = int(np.argmax(eigenvalues.real))
    vector = np.abs(eigenvectors[:, principal].real)
    lambda_max = float(eigenvalues[principal].real)
    consistency_index = 0.0 if n <= 2 else (lambda_max - n) / (n - 1)
    ratio = 0.0 if n <= 2 else consistency_index / table[n - 1]
    if ratio >= CONSISTENCY_LIMIT:
        raise ConfigError(
            f"AHP matrix {name}: consistency ratio {ratio:.3f} ≥ {CONSISTENCY_LIMIT} "
            f"(λmax {lambda_max:.4f}, RI table {random_index}); revise the comparisons"
        )
    return AhpResult(vector / vector.sum(), lambda_max, consistency_index, ratio)
