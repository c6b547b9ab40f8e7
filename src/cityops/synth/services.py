"""The service catalogue (政务服务事项) and which items the unified portal offers.

Most items are city-level (市级事项), the rest belong to a district; a weak
district puts fewer of its items on the portal.  About a quarter of the items
are bundled into 一件事 groups.  Popularity is Zipf-like: a few items (社保查询,
公积金提取 …) carry most of the calls.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from .columns import categorical, contract_table, dates, prefixed_ids
from .context import SynthContext
from .window import DAY_S, UTC_OFFSET_S, Day

__all__ = ["ServiceCatalogue", "build_services"]

DEPARTMENT_CATEGORIES: dict[str, tuple[str, ...]] = {
    "公安局": ("户籍办理", "出入境", "交通管理"),
    "人社局": ("社会保障", "就业创业", "劳动关系"),
    "医保局": ("医疗保障", "异地就医"),
    "市场监管局": ("市场主体登记", "食品药品", "知识产权"),
    "民政局": ("婚姻登记", "社会救助", "养老服务"),
    "住建局": ("住房保障", "工程建设"),
    "税务局": ("税费办理", "发票服务"),
    "教育局": ("教育入学", "资格认定"),
    "卫健委": ("医疗卫生", "生育服务"),
    "交通运输局": ("交通出行", "道路运输"),
    "自然资源局": ("不动产登记", "规划许可"),
    "公积金中心": ("住房公积金",),
    "残联": ("残疾人服务",),
    "退役军人事务局": ("优抚安置",),
}
_ACTIONS = ("申请", "变更", "注销", "查询", "备案", "证明开具", "补领", "预约")
_DEPARTMENTS = tuple(DEPARTMENT_CATEGORIES)
_CATEGORIES = tuple(c for cats in DEPARTMENT_CATEGORIES.values() for c in cats)
_DEPARTMENT_OF_CATEGORY = np.array(
    [_DEPARTMENTS.index(d) for d, cats in DEPARTMENT_CATEGORIES.items() for _ in cats]
)


@dataclass(frozen=True, slots=True)
class ServiceCatalogue:
    """The services as arrays; dates are local days since 1970-01-01."""

    ids: pa.Array
    region: npt.NDArray[np.int64]
    category: npt.NDArray[np.int64]
    on_portal: npt.NDArray[np.bool_]
    one_thing: npt.NDArray[np.int64]  # −1: not part of a 一件事
    online_day: npt.NDArray[np.int64]
    offline_day: npt.NDArray[np.int64]  # −1: still online
    popularity: npt.NDArray[np.float64]

    def portal_services_on(self, day: Day) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        """Services callable on the portal that day, and the probability of each being called."""
        epoch_day = (day.start_s + UTC_OFFSET_S) // DAY_S
        live = (
            self.on_portal
            & (self.online_day <= epoch_day)
            & ((self.offline_day < 0) | (self.offline_day > epoch_day))
        )
        index = np.flatnonzero(live)
        weights = self.popularity[index]
        return index, weights / weights.sum()

    def to_table(self, rng: np.random.Generator, ctx: SynthContext) -> pa.Table:
        n = len(self.region)
        names = pc.binary_join_element_wise(
            categorical(_CATEGORIES, self.category),
            categorical(_ACTIONS, rng.integers(0, len(_ACTIONS), n)),
            "",
        )
        one_thing = prefixed_ids("OT", np.maximum(self.one_thing, 0) + 1, 3)
        return contract_table(
            "services",
            {
                "service_id": self.ids,
                "name": names,
                "department": categorical(_DEPARTMENTS, _DEPARTMENT_OF_CATEGORY[self.category]),
                "category": categorical(_CATEGORIES, self.category),
                "region_code": categorical(ctx.regions.codes, self.region),
                "on_portal": self.on_portal,
                "one_thing_id": pc.if_else(pa.array(self.one_thing >= 0), one_thing, None),
                "online_since": dates(self.online_day),
                "offline_at": dates(self.offline_day, missing=self.offline_day < 0),
            },
        )


def build_services(ctx: SynthContext, rng: np.random.Generator) -> ServiceCatalogue:
    n = ctx.scale.services
    regions = ctx.regions
    district_level = rng.random(n) < 0.4
    district_pop = regions.population[regions.district_index].astype(np.float64)
    region = np.where(
        district_level,
        regions.district_index[
            rng.choice(len(district_pop), n, p=district_pop / district_pop.sum())
        ],
        regions.city_index,
    )
    portal_share = np.where(district_level, ctx.level_of(region, 0.35, 0.97), 0.9)
    one_thing_groups = max(3, n // 15)
    one_thing = np.where(rng.random(n) < 0.25, rng.integers(0, one_thing_groups, n), -1)
    window_first = (ctx.window.start_s + UTC_OFFSET_S) // DAY_S
    window_days = (ctx.window.end_s - ctx.window.start_s) // DAY_S
    online_day = window_first - rng.integers(1, 4 * 365, n)
    launched_later = rng.random(n) < 0.04
    online_day[launched_later] = window_first + rng.integers(0, window_days, launched_later.sum())
    offline_day = np.full(n, -1, dtype=np.int64)
    retired = rng.random(n) < 0.03
    offline_day[retired] = np.maximum(
        online_day[retired] + 30, window_first + rng.integers(-200, window_days, retired.sum())
    )
    return ServiceCatalogue(
        ids=prefixed_ids("S", np.arange(1, n + 1), 5),
        region=region.astype(np.int64),
        category=rng.integers(0, len(_CATEGORIES), n),
        on_portal=rng.random(n) < portal_share,
        one_thing=one_thing.astype(np.int64),
        online_day=online_day.astype(np.int64),
        offline_day=offline_day,
        popularity=(1.0 / (rng.permutation(n) + 1.0) ** 1.1).astype(np.float64),
    )
