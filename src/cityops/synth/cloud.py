"""Government cloud (政务云): allocations, hourly usage samples and resource requests.

Utilisation is a per-resource level (higher in well-run districts) with a
working-hours bump and noise.  Requests are fulfilled after a log-normal
delay (longer in weak districts); some never are, and a fulfilment after the
window's end is not yet known (null).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from .columns import categorical, contract_table, daily_ids, prefixed_ids, timestamps
from .context import Batch, SynthContext
from .departments import DEPARTMENTS, owner_regions
from .seasonality import hour_profile, random_seconds_of_day
from .window import Day

__all__ = ["CloudFleet", "CloudStream", "build_cloud"]

_HOURS = 24
_FULFILMENT_LIMIT_S = 72 * 3_600


@dataclass(frozen=True, slots=True)
class CloudFleet:
    ids: pa.Array
    department: npt.NDArray[np.int64]
    region: npt.NDArray[np.int64]
    vcpu: npt.NDArray[np.float64]
    mem_gb: npt.NDArray[np.float64]
    storage_tb: npt.NDArray[np.float64]
    utilisation: npt.NDArray[np.float64]

    def to_table(self, ctx: SynthContext) -> pa.Table:
        return contract_table(
            "cloud_resources",
            {
                "resource_id": self.ids,
                "department": categorical(DEPARTMENTS, self.department),
                "region_code": categorical(ctx.regions.codes, self.region),
                "vcpu_alloc": self.vcpu,
                "mem_alloc_gb": self.mem_gb,
                "storage_alloc_tb": self.storage_tb,
            },
        )


def build_cloud(ctx: SynthContext, rng: np.random.Generator) -> CloudFleet:
    n = ctx.scale.cloud_resources
    region = owner_regions(ctx, rng, n, 0.5, 0.7, 1.2)
    vcpu = rng.choice([4.0, 8.0, 16.0, 32.0, 64.0], n, p=[0.15, 0.3, 0.3, 0.17, 0.08])
    return CloudFleet(
        ids=prefixed_ids("CL", np.arange(1, n + 1), 5),
        department=rng.integers(0, len(DEPARTMENTS), n),
        region=region,
        vcpu=vcpu,
        mem_gb=vcpu * rng.choice([2.0, 4.0, 8.0], n),
        storage_tb=np.round(rng.lognormal(np.log(2.0), 1.0, n), 2),
        utilisation=np.clip(ctx.level_of(region, 0.15, 0.55) * rng.lognormal(0, 0.3, n), 0.02, 0.9),
    )


class CloudStream:
    tables = ("cloud_usage", "cloud_requests")

    def __init__(self, ctx: SynthContext, fleet: CloudFleet) -> None:
        self._ctx = ctx
        self._fleet = fleet

    def day(self, day: Day) -> Iterator[Batch]:
        yield self._usage(day)
        yield self._requests(day)

    def _usage(self, day: Day) -> Batch:
        fleet, truth = self._fleet, self._ctx.truth
        rng = self._ctx.rng("cloud_usage", day.index)
        n = len(fleet.region)
        office = hour_profile("office", day) * _HOURS
        busy = 0.6 + 0.4 * office / office.max()
        load = fleet.utilisation[:, None] * busy[None, :] * rng.lognormal(0, 0.15, (n, _HOURS))
        used = np.round(np.clip(load, 0.0, 1.0) * fleet.vcpu[:, None], 3).ravel()
        resource = np.repeat(np.arange(n), _HOURS)
        mem = np.round(fleet.mem_gb[resource] * np.clip(used / fleet.vcpu[resource] + 0.2, 0, 1), 3)
        truth.add("cloud_usage_samples", day.month_index, fleet.region[resource])
        truth.add(
            "cloud_vcpu_utilisation_sum",
            day.month_index,
            fleet.region[resource],
            used / fleet.vcpu[resource],
        )
        return "cloud_usage", contract_table(
            "cloud_usage",
            {
                "resource_id": fleet.ids.take(pa.array(resource)),
                "ts": timestamps(day.start_s + np.tile(np.arange(_HOURS) * 3_600, n)),
                "vcpu_used": used,
                "mem_used_gb": mem,
                "storage_used_tb": np.round(fleet.storage_tb[resource] * 0.6, 3),
            },
        )

    def _requests(self, day: Day) -> Batch:
        ctx, fleet = self._ctx, self._fleet
        rng = ctx.rng("cloud_requests", day.index)
        n = int(rng.poisson(max(1.0, len(fleet.region) * 0.02) * (0.3 if day.is_weekend else 1.0)))
        pick = rng.integers(0, len(fleet.region), n)
        region = fleet.region[pick]
        requested = day.start_s + np.sort(random_seconds_of_day(rng, "office", day, n))
        delay = rng.lognormal(np.log(ctx.level_of(region, 80.0, 10.0) * 3_600), 0.8).astype(
            np.int64
        )
        fulfilled = requested + delay
        missing = (rng.random(n) < ctx.level_of(region, 0.15, 0.01)) | (
            fulfilled >= ctx.window.end_s
        )
        in_time = ~missing & (delay <= _FULFILMENT_LIMIT_S)
        ctx.truth.add("cloud_requests", day.month_index, region)
        ctx.truth.add("cloud_requests_fulfilled_72h", day.month_index, region[in_time])
        request_ids = daily_ids("CR", day.date, n, width=5)
        return "cloud_requests", contract_table(
            "cloud_requests",
            {
                "event_id": daily_ids("cr", day.date, n, width=5),
                "request_id": request_ids,
                "department": categorical(DEPARTMENTS, fleet.department[pick]),
                "region_code": categorical(ctx.regions.codes, region),
                "requested_at": timestamps(requested),
                "fulfilled_at": timestamps(fulfilled, missing=missing),
            },
        )

    def month_end(self, month: int) -> None:
        """Cloud figures are counted as they are generated."""
