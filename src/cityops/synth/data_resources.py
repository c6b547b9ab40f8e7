"""The data-resource catalogue (``data_resources``), quality checks and sharing calls.

Weak districts catalogue fewer resources, share and open fewer, fail more
quality checks and have more failed sharing calls.  Each night a resource is
checked on some of the four dimensions (completeness ← missing values,
validity ← invalid values, timeliness ← stale records, consistency ←
contradictions between sources); popular shareable resources are called
many times a day, most in office hours.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from cityops.domain.contract import QUALITY_DIMENSIONS, UPDATE_FREQUENCIES

from .columns import categorical, contract_table, daily_ids, prefixed_ids, timestamps
from .context import Batch, SynthContext
from .departments import DEPARTMENTS, owner_regions
from .seasonality import random_seconds_of_day
from .window import Day

__all__ = ["DataCatalogue", "DataStream", "build_data_catalogue"]

_TOPICS = (
    "人口",
    "法人",
    "证照",
    "社保",
    "医疗",
    "交通",
    "环境",
    "信用",
    "地理",
    "房屋",
    "就业",
    "教育",
)
_SHARE_TYPES = ("unconditional", "conditional", "none")
_OPEN_TYPES = ("open", "conditional", "none")
_FAIL_RATE = np.array([0.004, 0.003, 0.006, 0.002])  # by dimension, for a middling district


@dataclass(frozen=True, slots=True)
class DataCatalogue:
    ids: pa.Array
    department: npt.NDArray[np.int64]
    region: npt.NDArray[np.int64]
    share_type: npt.NDArray[np.int64]
    record_count: npt.NDArray[np.int64]
    calls_per_day: npt.NDArray[np.float64]
    fail_factor: npt.NDArray[np.float64]
    call_success: npt.NDArray[np.float64]

    def to_table(self, ctx: SynthContext, rng: np.random.Generator) -> pa.Table:
        n = len(self.region)
        topic = categorical(_TOPICS, rng.integers(0, len(_TOPICS), n))
        department = categorical(DEPARTMENTS, self.department)
        no_open = rng.random(n) < ctx.level_of(self.region, 0.92, 0.55)
        open_type = np.where(no_open, 2, np.where(rng.random(n) < 0.6, 0, 1))
        return contract_table(
            "data_resources",
            {
                "resource_id": self.ids,
                "department": department,
                "region_code": categorical(ctx.regions.codes, self.region),
                "name": pc.binary_join_element_wise(department, topic, "信息资源", ""),
                "classification": categorical(
                    ("core", "important", "general"), rng.choice(3, n, p=[0.1, 0.3, 0.6])
                ),
                "share_type": categorical(_SHARE_TYPES, self.share_type),
                "open_type": categorical(_OPEN_TYPES, open_type),
                "update_frequency": categorical(
                    UPDATE_FREQUENCIES, rng.choice(6, n, p=[0.1, 0.35, 0.15, 0.25, 0.1, 0.05])
                ),
                "record_count": self.record_count,
            },
        )


def build_data_catalogue(ctx: SynthContext, rng: np.random.Generator) -> DataCatalogue:
    n = ctx.scale.data_resources
    region = owner_regions(ctx, rng, n, 0.4, 0.4, 1.2)
    not_shared = rng.random(n) < ctx.level_of(region, 0.55, 0.05)
    share_type = np.where(not_shared, 2, np.where(rng.random(n) < 0.6, 0, 1))
    popularity = rng.lognormal(-3.5, 1.8, n) * ctx.level_of(region, 0.3, 1.5)  # calls per day
    return DataCatalogue(
        ids=prefixed_ids("DR", np.arange(1, n + 1), 6),
        department=rng.integers(0, len(DEPARTMENTS), n),
        region=region,
        share_type=share_type.astype(np.int64),
        record_count=rng.lognormal(np.log(50_000), 1.5, n).astype(np.int64) + 10,
        calls_per_day=np.where(not_shared, 0.0, popularity),
        fail_factor=ctx.level_of(region, 6.0, 0.2) * rng.lognormal(0.0, 0.4, n),
        call_success=ctx.level_of(region, 0.85, 0.995),
    )


class DataStream:
    tables = ("data_quality_checks", "data_sharing_calls")

    def __init__(self, ctx: SynthContext, catalogue: DataCatalogue) -> None:
        self._ctx = ctx
        self._catalogue = catalogue
        self._used = np.zeros(len(catalogue.region), bool)

    def day(self, day: Day) -> Iterator[Batch]:
        yield self._checks(day)
        yield self._calls(day)

    def _checks(self, day: Day) -> Batch:
        catalogue, truth = self._catalogue, self._ctx.truth
        rng = self._ctx.rng("data_quality_checks", day.index)
        resource, dimension = np.nonzero(rng.random((len(catalogue.region), 4)) < 0.35)
        n = len(resource)
        checked = (
            np.minimum(
                catalogue.record_count[resource],
                rng.lognormal(np.log(20_000), 1.0, n).astype(np.int64),
            )
            + 1
        )
        rate = np.clip(_FAIL_RATE[dimension] * catalogue.fail_factor[resource], 0.0, 1.0)
        failed = rng.binomial(checked, rate)
        ts = day.start_s + 3_600 + rng.integers(0, 4 * 3_600, n)
        order = np.argsort(ts, kind="stable")
        region = catalogue.region[resource]
        truth.add("quality_rows_checked", day.month_index, region, checked)
        truth.add("quality_rows_failed", day.month_index, region, failed)
        return "data_quality_checks", contract_table(
            "data_quality_checks",
            {
                "event_id": daily_ids("dq", day.date, n, width=7),
                "resource_id": catalogue.ids.take(resource[order]),
                "ts": timestamps(ts[order]),
                "dimension": categorical(QUALITY_DIMENSIONS, dimension[order]),
                "rows_checked": checked[order],
                "rows_failed": failed[order],
            },
        )

    def _calls(self, day: Day) -> Batch:
        catalogue = self._catalogue
        rng = self._ctx.rng("data_sharing_calls", day.index)
        rate = catalogue.calls_per_day * (0.3 if day.is_weekend else 1.0)
        resource = np.repeat(np.arange(len(rate)), rng.poisson(rate))
        n = len(resource)
        consumer = rng.integers(0, len(DEPARTMENTS) - 1, n)
        consumer = np.where(consumer >= catalogue.department[resource], consumer + 1, consumer)
        success = rng.random(n) < catalogue.call_success[resource]
        self._used[resource[success]] = True
        ts = day.start_s + random_seconds_of_day(rng, "office", day, n)
        order = np.argsort(ts, kind="stable")
        return "data_sharing_calls", contract_table(
            "data_sharing_calls",
            {
                "event_id": daily_ids("ds", day.date, n, width=7),
                "ts": timestamps(ts[order]),
                "resource_id": catalogue.ids.take(resource[order]),
                "provider_department": categorical(
                    DEPARTMENTS, catalogue.department[resource][order]
                ),
                "consumer_department": categorical(DEPARTMENTS, consumer[order]),
                "rows": rng.lognormal(np.log(200), 1.5, n).astype(np.int64)[order] + 1,
                "success": success[order],
            },
        )

    def month_end(self, month: int) -> None:
        """Shareable resources with at least one successful call in the month (共享利用)."""
        catalogue = self._catalogue
        shareable = catalogue.share_type != 2
        self._ctx.truth.add("data_resources_used", month, catalogue.region[shareable & self._used])
        self._used[:] = False
