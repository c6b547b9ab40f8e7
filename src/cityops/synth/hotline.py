"""12345 hotline tickets and their lifecycle (``ticket_events``).

Each day's tickets are created with weekday and hour seasonality in a street
drawn by population; their whole lifecycle is drawn at creation: dispatched
within minutes; responded after a log-normal delay whose median depends on
the district and is longer at night (22:00–06:00); resolved and closed hours
to days later; some are reopened and closed again, most get a callback with a
satisfaction score.  Some are never responded to (they stay open).  Events
after the window's end are not written — the export was taken then.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from cityops.domain.contract import TICKET_CHANNELS, TICKET_STATUSES

from .columns import categorical, contract_table, daily_ids, prefixed_ids, timestamps
from .context import Batch, SynthContext
from .seasonality import PORTAL_WEEKEND_FACTOR, random_seconds_of_day
from .window import Day, local_hour

__all__ = ["HotlineStream"]

_CATEGORIES = (
    ("城市管理", "城管局", 5), ("市场监管", "市场监管局", 7), ("交通出行", "交通运输局", 5),
    ("环境保护", "生态环境局", 7), ("住房建设", "住建局", 10), ("社会保障", "人社局", 7),
    ("公共安全", "公安局", 2), ("教育卫生", "教育局", 7), ("供水供电", "城投集团", 2),
)  # fmt: skip
_DUE_DAYS = np.array([c[2] for c in _CATEGORIES])
_CHANNEL_MIX = np.array([0.55, 0.15, 0.10, 0.20])
_SATISFIED = np.array([0.02, 0.03, 0.07, 0.28, 0.60])  # 1 … 5
_DISSATISFIED = np.array([0.15, 0.15, 0.20, 0.28, 0.22])
_HOUR = 3_600
_STATUS = {name: code for code, name in enumerate(TICKET_STATUSES)}


def _lognormal_s(
    rng: np.random.Generator, median_s: npt.NDArray[np.float64] | float, sigma: float, n: int
) -> npt.NDArray[np.int64]:
    """Whole seconds (at least 1) from a log-normal with the given median."""
    return np.maximum(1, rng.lognormal(np.log(median_s), sigma, n)).astype(np.int64)


class HotlineStream:
    tables = ("ticket_events",)

    def __init__(self, ctx: SynthContext) -> None:
        self._ctx = ctx
        days = ctx.window.days()
        weekday_equivalents = sum(PORTAL_WEEKEND_FACTOR if d.is_weekend else 1.0 for d in days)
        self._per_weekday = ctx.scale.tickets_per_month * ctx.window.months / weekday_equivalents

    def day(self, day: Day) -> Iterator[Batch]:
        ctx = self._ctx
        rng = ctx.rng("ticket_events", day.index)
        n = int(rng.poisson(self._per_weekday * (PORTAL_WEEKEND_FACTOR if day.is_weekend else 1)))
        street = ctx.random_streets(rng, n)
        district = ctx.district_of(street)
        level = ctx.profile.level
        created = day.start_s + np.sort(random_seconds_of_day(rng, "hotline", day, n))
        hour = local_hour(created)
        night = (hour >= 22) | (hour < 6)
        category = rng.integers(0, len(_CATEGORIES), n)
        dispatched = created + 60 + _lognormal_s(rng, 240.0, 0.6, n)
        response_median = level(45 * 60, 7 * 60)[district] * np.where(
            night, level(3.0, 1.3)[district], 1.0
        )
        responded = dispatched + _lognormal_s(rng, response_median, 0.9, n)
        answered = rng.random(n) >= level(0.08, 0.005)[district]
        resolved = responded + _lognormal_s(rng, level(70 * _HOUR, 18 * _HOUR)[district], 0.9, n)
        closed = resolved + _lognormal_s(rng, 2.0 * _HOUR, 0.7, n)
        reopened_flag = answered & (rng.random(n) < level(0.12, 0.03)[district])
        reopened = closed + _lognormal_s(rng, 24.0 * _HOUR, 0.8, n)
        closed_again = reopened + _lognormal_s(rng, 24.0 * _HOUR, 0.8, n)
        final_close = np.where(reopened_flag, closed_again, closed)
        called_back = answered & (rng.random(n) < 0.7)
        callback = final_close + _lognormal_s(rng, 6.0 * _HOUR, 0.5, n)
        satisfied_p = np.where(
            reopened_flag[:, None],
            _DISSATISFIED[None, :],
            _DISSATISFIED + (_SATISFIED - _DISSATISFIED) * ctx.profile.quality[district][:, None],
        )
        satisfaction = 1 + (rng.random(n)[:, None] > np.cumsum(satisfied_p, axis=1)[:, :4]).sum(1)
        due = created + _DUE_DAYS[category] * 24 * _HOUR
        always = np.ones(n, bool)
        lifecycle = (
            ("created", created, always),
            ("dispatched", dispatched, always),
            ("responded", responded, answered),
            ("resolved", resolved, answered),
            ("closed", closed, answered),
            ("reopened", reopened, reopened_flag),
            ("closed", closed_again, reopened_flag),
            ("callback", callback, called_back),
        )
        ticket = np.concatenate([np.flatnonzero(mask) for _, _, mask in lifecycle])
        step = np.concatenate([np.full(int(m.sum()), i) for i, (_, _, m) in enumerate(lifecycle)])
        status = np.array([_STATUS[name] for name, _, _ in lifecycle])[step]
        ts = np.concatenate([t[mask] for _, t, mask in lifecycle])
        keep = ts < ctx.window.end_s
        order = np.lexsort((step[keep], ts[keep]))
        ticket, step, status, ts = (
            ticket[keep][order],
            step[keep][order],
            status[keep][order],
            ts[keep][order],
        )
        ticket_ids = daily_ids("T", day.date, n, width=6)
        ids = ticket_ids.take(ticket)
        is_created = status == _STATUS["created"]
        is_callback = status == _STATUS["callback"]
        yield (
            "ticket_events",
            contract_table(
                "ticket_events",
                {
                    "event_id": pc.binary_join_element_wise(
                        ids, prefixed_ids("", step + 1, 1), "-"
                    ),
                    "ticket_id": ids,
                    "ts": timestamps(ts),
                    "status": categorical(TICKET_STATUSES, status),
                    "region_code": categorical(ctx.regions.codes, street[ticket]),
                    "category": categorical([c[0] for c in _CATEGORIES], category[ticket]),
                    "department": categorical([c[1] for c in _CATEGORIES], category[ticket]),
                    "channel": categorical(
                        TICKET_CHANNELS, rng.choice(4, n, p=_CHANNEL_MIX)[ticket]
                    ),
                    "satisfaction": pa.array(
                        satisfaction[ticket].astype(np.int64), mask=~is_callback
                    ),
                    "due_at": timestamps(due[ticket], missing=~is_created),
                },
            ),
        )
        self._record_truth(
            day,
            street,
            created,
            night,
            responded,
            answered,
            closed,
            due,
            callback,
            called_back,
            satisfaction,
        )

    def _record_truth(
        self,
        day: Day,
        street: npt.NDArray[np.int64],
        created: npt.NDArray[np.int64],
        night: npt.NDArray[np.bool_],
        responded: npt.NDArray[np.int64],
        answered: npt.NDArray[np.bool_],
        closed: npt.NDArray[np.int64],
        due: npt.NDArray[np.int64],
        callback: npt.NDArray[np.int64],
        called_back: npt.NDArray[np.bool_],
        satisfaction: npt.NDArray[np.int64],
    ) -> None:
        """Counts over the rows as written (events past the window's end do not exist)."""
        window, truth = self._ctx.window, self._ctx.truth
        end = window.end_s
        quick = answered & (responded < end) & (responded - created <= 1_800)
        truth.add("tickets_created", day.month_index, street)
        truth.add("tickets_responded_30min", day.month_index, street[quick])
        truth.add("night_tickets_created", day.month_index, street[night])
        truth.add("night_tickets_responded_30min", day.month_index, street[quick & night])
        truth.add("tickets_due", window.month_of(due), street)
        on_time = answered & (closed < end) & (closed <= due)
        truth.add("tickets_closed_on_time", window.month_of(due[on_time]), street[on_time])
        rows = called_back & (callback < end)
        truth.add("callbacks", window.month_of(callback[rows]), street[rows])
        happy = rows & (satisfaction >= 4)
        truth.add("callbacks_satisfied", window.month_of(callback[happy]), street[happy])

    def month_end(self, month: int) -> None:
        """Tickets are counted as they are generated."""
