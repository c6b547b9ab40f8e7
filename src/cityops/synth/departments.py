"""Government departments that own cloud resources, data and systems, and where they sit."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from .context import SynthContext

__all__ = ["DEPARTMENTS", "owner_regions"]

DEPARTMENTS = (
    "大数据局", "公安局", "人社局", "医保局", "市场监管局", "民政局", "住建局", "税务局",
    "教育局", "卫健委", "交通运输局", "自然资源局", "生态环境局", "应急管理局", "城管局",
)  # fmt: skip


def owner_regions(
    ctx: SynthContext, rng: np.random.Generator, n: int, city_share: float, bad: float, good: float
) -> npt.NDArray[np.int64]:
    """Regions of ``n`` assets: ``city_share`` at city level, the rest in districts.

    A district's share is its population times a knob from ``bad`` to ``good``
    (a weak district has fewer data resources, systems …).
    """
    districts = ctx.regions.district_index
    weights = ctx.regions.population[districts] * ctx.profile.level(bad, good)
    in_district = districts[rng.choice(len(districts), n, p=weights / weights.sum())]
    return np.where(rng.random(n) < city_share, ctx.regions.city_index, in_district)
