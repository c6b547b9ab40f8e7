"""Information systems (``systems``) and their availability probes (``system_probes``).

Weak districts have fewer of their planned functions live, fewer standard
interfaces and more downtime; downtime comes in contiguous runs of probes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from .columns import categorical, contract_table, prefixed_ids, timestamps
from .context import Batch, SynthContext
from .departments import DEPARTMENTS, owner_regions
from .window import DAY_S, Day

__all__ = ["SystemProbeStream", "Systems", "build_systems"]

PROBE_INTERVAL_S = 300
_KINDS = ("业务办理系统", "数据共享平台", "监管平台", "指挥调度系统", "公共服务平台", "门户网站")


@dataclass(frozen=True, slots=True)
class Systems:
    ids: pa.Array
    department: npt.NDArray[np.int64]
    region: npt.NDArray[np.int64]
    kind: npt.NDArray[np.int64]
    downtime_rate: npt.NDArray[np.float64]  # outages per day

    def to_table(self, ctx: SynthContext, rng: np.random.Generator) -> pa.Table:
        n = len(self.region)
        planned = rng.integers(10, 80, n)
        total = rng.integers(5, 60, n)
        live_share = np.clip(ctx.level_of(self.region, 0.55, 0.98) + rng.normal(0, 0.05, n), 0, 1)
        standard_share = np.clip(
            ctx.level_of(self.region, 0.45, 0.95) + rng.normal(0, 0.05, n), 0, 1
        )
        name = pc.binary_join_element_wise(
            categorical(DEPARTMENTS, self.department), categorical(_KINDS, self.kind), ""
        )
        return contract_table(
            "systems",
            {
                "system_id": self.ids,
                "name": name,
                "department": categorical(DEPARTMENTS, self.department),
                "region_code": categorical(ctx.regions.codes, self.region),
                "functions_planned": planned,
                "functions_live": np.round(planned * live_share).astype(np.int64),
                "interfaces_total": total,
                "interfaces_standard": np.round(total * standard_share).astype(np.int64),
            },
        )


def build_systems(ctx: SynthContext, rng: np.random.Generator) -> Systems:
    n = ctx.scale.systems
    region = owner_regions(ctx, rng, n, 0.4, 0.8, 1.1)
    return Systems(
        ids=prefixed_ids("SYS", np.arange(1, n + 1), 4),
        department=rng.integers(0, len(DEPARTMENTS), n),
        region=region,
        kind=rng.integers(0, len(_KINDS), n),
        downtime_rate=ctx.level_of(region, 0.3, 0.01),
    )


class SystemProbeStream:
    tables = ("system_probes",)

    def __init__(self, ctx: SynthContext, systems: Systems) -> None:
        self._ctx = ctx
        self._systems = systems

    def day(self, day: Day) -> Iterator[Batch]:
        systems = self._systems
        rng = self._ctx.rng("system_probes", day.index)
        slots = DAY_S // PROBE_INTERVAL_S
        n = len(systems.region)
        outages = rng.poisson(systems.downtime_rate)
        system = np.repeat(np.arange(n), outages)
        start = rng.integers(0, slots, len(system))
        end = np.minimum(
            start + np.ceil(rng.lognormal(np.log(6.0), 0.8, len(system))).astype(np.int64), slots
        )
        marks = np.zeros((n, slots + 1), dtype=np.int32)
        np.add.at(marks, (system, start), 1)
        np.add.at(marks, (system, end), -1)
        up = (np.cumsum(marks[:, :slots], axis=1) == 0).ravel()
        probe_system = np.repeat(np.arange(n), slots)
        region = systems.region[probe_system]
        self._ctx.truth.add("system_probes", day.month_index, region)
        self._ctx.truth.add("system_probes_up", day.month_index, region[up])
        yield (
            "system_probes",
            contract_table(
                "system_probes",
                {
                    "system_id": systems.ids.take(probe_system),
                    "ts": timestamps(
                        day.start_s + np.tile(np.arange(slots) * PROBE_INTERVAL_S + 42, n)
                    ),
                    "up": up,
                },
            ),
        )

    def month_end(self, month: int) -> None:
        """Probes are counted as they are generated."""
