"""E-government network links (电子政务外网) probed every five minutes (``network_probes``).

Latency is log-normal around a district median (higher in weak districts,
and higher in busy hours); loss is exponential around a district mean.  A
probe of a link that is down records the probe's timeout (3,000 ms) and
100 % loss.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from .columns import categorical, contract_table, prefixed_ids, timestamps
from .context import Batch, SynthContext
from .seasonality import hour_profile
from .window import DAY_S, Day

__all__ = ["NetworkStream"]

PROBE_INTERVAL_S = 300
_TIMEOUT_MS = 3_000.0


class NetworkStream:
    tables = ("network_probes",)

    def __init__(self, ctx: SynthContext) -> None:
        self._ctx = ctx
        streets = ctx.regions.street_index
        self._region = np.repeat(streets, ctx.scale.links_per_street)
        self._ids = prefixed_ids("L", np.arange(1, len(self._region) + 1), 5)
        self._latency_median = ctx.level_of(self._region, 45.0, 12.0)
        self._loss_mean = ctx.level_of(self._region, 0.8, 0.02)
        self._down_p = ctx.level_of(self._region, 0.01, 0.0005)

    def day(self, day: Day) -> Iterator[Batch]:
        rng = self._ctx.rng("network_probes", day.index)
        slots = DAY_S // PROBE_INTERVAL_S
        n_links = len(self._region)
        link = np.repeat(np.arange(n_links), slots)
        slot = np.tile(np.arange(slots), n_links)
        office = hour_profile("office", day)
        busy = 1.0 + 0.4 * (office / office.max())[slot * PROBE_INTERVAL_S // 3_600]
        n = len(link)
        up = rng.random(n) >= self._down_p[link]
        latency = np.round(rng.lognormal(np.log(self._latency_median[link] * busy), 0.35), 2)
        loss = np.round(np.clip(rng.exponential(self._loss_mean[link]), 0.0, 100.0), 3)
        latency = np.where(up, latency, _TIMEOUT_MS)
        loss = np.where(up, loss, 100.0)
        region = self._region[link]
        truth = self._ctx.truth
        truth.add("network_probes", day.month_index, region)
        truth.add("network_probes_up", day.month_index, region[up])
        truth.add("network_loss_pct_sum", day.month_index, region, loss)
        yield (
            "network_probes",
            contract_table(
                "network_probes",
                {
                    "link_id": self._ids.take(link),
                    "region_code": categorical(self._ctx.regions.codes, region),
                    "ts": timestamps(day.start_s + slot * PROBE_INTERVAL_S + 17),
                    "latency_ms": latency,
                    "loss_pct": loss,
                    "up": up,
                },
            ),
        )

    def month_end(self, month: int) -> None:
        """Probes are counted as they are generated."""
