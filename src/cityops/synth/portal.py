"""Portal activity (``portal_events``) and 好差评 ratings (``portal_ratings``), one day at a time.

A user is active on a day with their own propensity (lower at weekends);
an active user opens one session at an hour drawn from the portal's hour
profile, logs in, and makes a geometric number of service calls a minute or
two apart.  Calls succeed at the rate of the user's district (一次办成).
About 3 % of calls are rated, within minutes and on the same day; failures
and weak districts are rated worse.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from cityops.domain.contract import CHANNELS_PORTAL

from .columns import categorical, contract_table, daily_ids, timestamps
from .context import Batch, SynthContext
from .seasonality import PORTAL_WEEKEND_FACTOR, random_seconds_of_day
from .services import ServiceCatalogue
from .users import CHANNEL_MIX, PortalUsers
from .window import DAY_S, Day

__all__ = ["PortalActivityStream"]

_SESSIONS_PER_BATCH = 1_500_000
_RATED_SHARE = 0.03
_RATING_GOOD = np.array([0.01, 0.02, 0.05, 0.22, 0.70])  # 1 非常不满意 … 5 非常满意
_RATING_POOR = np.array([0.07, 0.07, 0.12, 0.30, 0.44])
_RATING_FAILED = np.array([0.30, 0.20, 0.22, 0.14, 0.14])


class PortalActivityStream:
    tables = ("portal_events", "portal_ratings")

    def __init__(self, ctx: SynthContext, users: PortalUsers, services: ServiceCatalogue) -> None:
        self._ctx = ctx
        self._users = users
        self._services = services
        district = ctx.district_of(users.residence)
        self._success_rate = ctx.profile.level(0.78, 0.985)[district].astype(np.float32)
        quality = ctx.profile.quality[district][:, None]
        good = _RATING_POOR + (_RATING_GOOD - _RATING_POOR) * quality
        self._rating_cdf_ok = np.cumsum(good, axis=1)[:, :4].astype(np.float32)
        self._session_calls = self._calibrate_calls_per_session()
        n = users.count
        self._days_active = np.zeros(n, np.int16)
        self._calls = np.zeros(n, np.int32)
        self._calls_ok = np.zeros(n, np.int32)
        self._ratings = np.zeros(n, np.int32)
        self._ratings_good = np.zeros(n, np.int32)

    def _calibrate_calls_per_session(self) -> float:
        """Mean calls per session so that a month carries the scale's portal events."""
        ctx = self._ctx
        registered = self._users.registered_before(ctx.window.start_s)
        sessions_per_weekday = float(self._users.propensity[:registered].sum())
        sessions_per_month = sessions_per_weekday * (22 + 8 * PORTAL_WEEKEND_FACTOR)
        events_per_session = ctx.scale.portal_events_per_month / max(sessions_per_month, 1.0)
        return max(events_per_session - 1.0, 0.2)

    def day(self, day: Day) -> Iterator[Batch]:
        rng = self._ctx.rng("portal_events", day.index)
        registered = self._users.registered_before(day.start_s)
        factor = PORTAL_WEEKEND_FACTOR if day.is_weekend else 1.0
        draws = rng.random(registered, dtype=np.float32)
        active = np.flatnonzero(draws < self._users.propensity[:registered] * factor)
        self._days_active[active] += 1
        services, service_p = self._services.portal_services_on(day)
        numbering = [0, 0]
        for lo in range(0, len(active), _SESSIONS_PER_BATCH):
            sessions = active[lo : lo + _SESSIONS_PER_BATCH]
            yield from self._sessions(rng, day, sessions, services, service_p, numbering)

    def _sessions(
        self,
        rng: np.random.Generator,
        day: Day,
        user_of_session: npt.NDArray[np.int64],
        services: npt.NDArray[np.int64],
        service_p: npt.NDArray[np.float64],
        numbering: list[int],
    ) -> Iterator[Batch]:
        """One login and a geometric number of calls per session (mean set by calibration)."""
        users = self._users
        n_sessions = len(user_of_session)
        size = rng.geometric(1.0 / (1.0 + self._session_calls), n_sessions)
        starts = np.cumsum(size) - size
        n = int(size.sum())
        user = np.repeat(user_of_session, size)
        gap = rng.exponential(75.0, n).astype(np.int64) + 5
        gap[starts] = 0
        offset = np.cumsum(gap)
        offset -= np.repeat(offset[starts], size)
        second = np.repeat(random_seconds_of_day(rng, "portal", day, n_sessions), size) + offset
        ts = day.start_s + np.minimum(second, DAY_S - 1)
        is_call = np.ones(n, bool)
        is_call[starts] = False
        n_calls = int(is_call.sum())
        call_user = user[is_call]
        service = np.full(n, -1, np.int64)
        service[is_call] = services[rng.choice(len(services), n_calls, p=service_p)]
        success = np.zeros(n, bool)
        success[is_call] = rng.random(n_calls, dtype=np.float32) < self._success_rate[call_user]
        own = rng.random(n) < 0.9
        channel = np.where(own, users.channel[user], rng.choice(5, n, p=CHANNEL_MIX))
        self._calls += np.bincount(call_user, minlength=users.count).astype(np.int32)
        self._calls_ok += np.bincount(user[is_call & success], minlength=users.count).astype(
            np.int32
        )
        order = np.argsort(ts, kind="stable")
        yield (
            "portal_events",
            contract_table(
                "portal_events",
                {
                    "event_id": _event_ids("pe", day, numbering, 0, n),
                    "ts": timestamps(ts[order]),
                    "user_id": users.ids.take(pa.array(user[order])),
                    "event_type": categorical(
                        ("login", "service_call"), is_call[order].astype(np.int8)
                    ),
                    "service_id": self._services.ids.take(
                        pa.array(np.maximum(service[order], 0), mask=~is_call[order])
                    ),
                    "channel": categorical(CHANNELS_PORTAL, channel[order]),
                    "success": pa.array(success[order], mask=~is_call[order]),
                },
            ),
        )
        rated = np.flatnonzero(is_call & (rng.random(n) < _RATED_SHARE))
        yield (
            "portal_ratings",
            self._ratings_of(rng, day, rated, user, ts, service, success, numbering),
        )

    def _ratings_of(
        self,
        rng: np.random.Generator,
        day: Day,
        rated: npt.NDArray[np.int64],
        user: npt.NDArray[np.int64],
        ts: npt.NDArray[np.int64],
        service: npt.NDArray[np.int64],
        success: npt.NDArray[np.bool_],
        numbering: list[int],
    ) -> pa.Table:
        rater = user[rated]
        cdf = np.where(
            success[rated, None],
            self._rating_cdf_ok[rater],
            np.cumsum(_RATING_FAILED)[None, :4],
        )
        rating = 1 + (rng.random(len(rated))[:, None] > cdf).sum(axis=1)
        when = np.minimum(ts[rated] + rng.integers(30, 900, len(rated)), day.end_s - 1)
        self._ratings += np.bincount(rater, minlength=self._users.count).astype(np.int32)
        self._ratings_good += np.bincount(rater[rating >= 3], minlength=self._users.count).astype(
            np.int32
        )
        order = np.argsort(when, kind="stable")
        return contract_table(
            "portal_ratings",
            {
                "event_id": _event_ids("pr", day, numbering, 1, len(rated)),
                "ts": timestamps(when[order]),
                "user_id": self._users.ids.take(pa.array(rater[order])),
                "service_id": self._services.ids.take(pa.array(service[rated][order])),
                "rating": rating[order].astype(np.int64),
            },
        )

    def month_end(self, month: int) -> None:
        """Monthly activity per user, attributed to the residence at the end of the month."""
        users = self._users
        end_s = int(self._ctx.window.month_bounds_s[month + 1])
        residence, _ = users.state_at(end_s)
        truth = self._ctx.truth
        active = self._days_active > 0
        truth.add("active_users", month, residence[active])
        truth.add("active_user_days", month, residence, self._days_active)
        truth.add("service_calls", month, residence, self._calls)
        truth.add("service_calls_ok", month, residence, self._calls_ok)
        truth.add("ratings", month, residence, self._ratings)
        truth.add("ratings_good", month, residence, self._ratings_good)
        for counter in (
            self._days_active,
            self._calls,
            self._calls_ok,
            self._ratings,
            self._ratings_good,
        ):
            counter[:] = 0


def _event_ids(prefix: str, day: Day, numbering: list[int], slot: int, n: int) -> pa.Array:
    """The next ``n`` ids of the day for events (slot 0) or ratings (slot 1)."""
    first = numbering[slot]
    numbering[slot] += n
    return daily_ids(prefix, day.date, n, first)
