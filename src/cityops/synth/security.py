"""Security incidents (``security_events``): grades, phases and leaks.

Incidents hit information systems (more often in weak districts) at a rate
proportional to the population; nine in ten are grade 4 (一般).  Each one is
detected, then responded to, contained and recovered after log-normal
delays, so its phases are in time order.  Leaks (失泄密) are rare.  Phases
after the window's end are not written.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyarrow.compute as pc

from cityops.domain.contract import SECURITY_PHASES

from .columns import categorical, contract_table, daily_ids, prefixed_ids, timestamps
from .context import Batch, SynthContext
from .systems import Systems
from .window import DAY_S, Day

__all__ = ["SecurityStream"]

_GRADE_P = np.array([0.001, 0.009, 0.07, 0.92])  # grade 1 特别重大 … 4 一般
_PHASE_MEDIAN_S = (20 * 60.0, 3 * 3_600.0, 12 * 3_600.0)  # detected→responded→contained→recovered


class SecurityStream:
    tables = ("security_events",)

    def __init__(self, ctx: SynthContext, systems: Systems) -> None:
        self._ctx = ctx
        self._systems = systems
        exposure = ctx.level_of(systems.region, 3.0, 0.5)
        self._target_p = exposure / exposure.sum()
        self._per_day = 0.8 * ctx.scale.residents / 1_000_000
        self._leak_p = ctx.level_of(systems.region, 0.04, 0.002)

    def day(self, day: Day) -> Iterator[Batch]:
        ctx, systems = self._ctx, self._systems
        rng = ctx.rng("security_events", day.index)
        n = int(rng.poisson(self._per_day))
        system = rng.choice(len(systems.region), n, p=self._target_p)
        grade = 1 + rng.choice(4, n, p=_GRADE_P)
        leak = rng.random(n) < self._leak_p[system]
        times = [day.start_s + rng.integers(0, DAY_S, n)]
        for median in _PHASE_MEDIAN_S:
            times.append(times[-1] + 60 + rng.lognormal(np.log(median), 0.8, n).astype(np.int64))
        incident = np.tile(np.arange(n), 4)
        phase = np.repeat(np.arange(4), n)
        ts = np.concatenate(times)
        keep = ts < ctx.window.end_s
        incident, phase, ts = incident[keep], phase[keep], ts[keep]
        order = np.lexsort((phase, ts))
        incident, phase, ts = incident[order], phase[order], ts[order]
        region = systems.region[system]
        ctx.truth.add("security_incidents", day.month_index, region)
        ctx.truth.add("leak_incidents", day.month_index, region[leak])
        incident_ids = daily_ids("SI", day.date, n, width=4).take(incident)
        yield (
            "security_events",
            contract_table(
                "security_events",
                {
                    "event_id": pc.binary_join_element_wise(
                        incident_ids, prefixed_ids("", phase + 1, 1), "-"
                    ),
                    "incident_id": incident_ids,
                    "ts": timestamps(ts),
                    "region_code": categorical(ctx.regions.codes, region[incident]),
                    "system_id": systems.ids.take(system[incident]),
                    "grade": grade[incident].astype(np.int64),
                    "phase": categorical(SECURITY_PHASES, phase),
                    "leak": leak[incident],
                },
            ),
        )

    def month_end(self, month: int) -> None:
        """Incidents are counted in the month they are detected, as they are generated."""
