"""运营机制 mechanism: assessed evidence, per region, never rolled up.

score = 100 × Σ item scores ÷ number of items, over the indicator's evidence
items (``$items``, from the catalogue) in the region's own rows for P; an
absent item scores 0; a region with no evidence rows at all for P is missing.
"""

from __future__ import annotations

from cityops.indicators.computations.base import Computation
from cityops.indicators.computations.common import exact_sum

__all__ = ["MECHANISM", "MECHANISM_BODY"]

MECHANISM_BODY = f"""SELECT region_code,
    coalesce({exact_sum("score", "list_contains($items, item_code)")}, 0) AS numerator,
    len($items) AS denominator,
    NULL AS value,
    count(*) FILTER (WHERE list_contains($items, item_code)) AS rows_read
FROM mechanism_evidence
WHERE period = $period
GROUP BY region_code"""

MECHANISM: tuple[Computation, ...] = tuple(
    Computation(code, MECHANISM_BODY, scale=100.0)
    for code in (
        "mechanism.coordination",  # 统筹管理机制完整性 (五个一)
        "mechanism.benefit_sharing",  # 利益分配机制合理性
        "mechanism.supervision",  # 考核监督机制完整性
        "mechanism.incentives",  # 激励惩罚机制合理性
        "mechanism.operation_plan",  # 长效运营规划
    )
)
