"""Residents registered on the unified portal (统一门户用户), and how active each one is.

Coverage of residents and the real-name share differ by district.  Most users
registered during the three years before the window; registration keeps
growing during it.  A few users later file a second ``portal_users`` row: they
complete real-name verification or move to another street.

Users are numbered in order of registration, so the users registered before
an instant are a prefix of the arrays.  Activity is heavy-tailed: a minority
of engaged users (lognormal daily propensity) does most of the using, the
rest log in a few times a year.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from cityops.domain.contract import CHANNELS_PORTAL

from .columns import categorical, contract_table, prefixed_ids, timestamps
from .context import Batch, SynthContext
from .regions import RegionTree
from .seasonality import random_seconds_of_day
from .window import DAY_S, Day

__all__ = ["PortalUsers", "PortalUsersStream", "build_users"]

CHANNEL_MIX = np.array([0.45, 0.30, 0.10, 0.05, 0.10])
_YEAR_S = 365 * DAY_S
_MONTHLY_GROWTH = (0.006, 0.02)  # share of residents newly registering per month (weak, strong)
_CHANGE_SHARE = 0.01  # users filing a second row per month
_BATCH = 1 << 21


@dataclass(frozen=True, slots=True)
class PortalUsers:
    """One entry per user, in registration order; changes as a second set of arrays."""

    ids: pa.Array
    registered_s: npt.NDArray[np.int64]
    residence: npt.NDArray[np.int64]  # street region index at registration
    real_name: npt.NDArray[np.bool_]
    channel: npt.NDArray[np.int8]
    propensity: npt.NDArray[np.float32]  # probability of being active on a weekday
    change_user: npt.NDArray[np.int64]  # users with a second row, sorted by change time
    change_s: npt.NDArray[np.int64]
    change_residence: npt.NDArray[np.int64]

    @property
    def count(self) -> int:
        return len(self.registered_s)

    def registered_before(self, instant_s: int) -> int:
        """How many users registered strictly before ``instant_s``."""
        return int(np.searchsorted(self.registered_s, instant_s, side="left"))

    def state_at(self, instant_s: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
        """Residence and real-name status of every user by their latest row before ``instant_s``."""
        residence = self.residence.copy()
        real_name = self.real_name.copy()
        applied = self.change_s < instant_s
        residence[self.change_user[applied]] = self.change_residence[applied]
        real_name[self.change_user[applied]] = True
        return residence, real_name


def build_users(ctx: SynthContext, rng: np.random.Generator) -> PortalUsers:
    regions, window = ctx.regions, ctx.window
    streets = regions.street_index
    population = regions.population[streets].astype(np.float64)
    coverage = ctx.level_of(streets, 0.30, 0.78) * rng.uniform(0.92, 1.08, len(streets))
    before = rng.poisson(population * coverage)
    growth = ctx.level_of(streets, *_MONTHLY_GROWTH) * window.months
    during = rng.poisson(population * growth)
    residence = np.concatenate([np.repeat(streets, before), np.repeat(streets, during)])
    n_before, n = int(before.sum()), int(before.sum() + during.sum())
    registered = np.empty(n, dtype=np.int64)
    registered[:n_before] = (
        window.start_s - (rng.beta(1.2, 1.8, n_before) * 3 * _YEAR_S).astype(np.int64) - 1
    )
    registered[n_before:] = _registrations_in_window(ctx, rng, n - n_before)
    order = np.argsort(registered, kind="stable")
    registered, residence = registered[order], residence[order]
    engaged = rng.random(n) < ctx.level_of(residence, 0.22, 0.6)
    daily = np.where(
        engaged,
        np.minimum(0.9, 0.13 * rng.lognormal(0.0, 0.9, n)),
        0.004,
    ) * ctx.level_of(residence, 0.75, 1.25)
    change_user, change_s, change_residence = _changes(ctx, rng, registered, residence)
    return PortalUsers(
        ids=prefixed_ids("u", np.arange(1, n + 1), max(7, len(str(n)))),
        registered_s=registered,
        residence=residence,
        real_name=rng.random(n) < ctx.level_of(residence, 0.45, 0.95),
        channel=rng.choice(len(CHANNEL_MIX), n, p=CHANNEL_MIX).astype(np.int8),
        propensity=daily.astype(np.float32),
        change_user=change_user,
        change_s=change_s,
        change_residence=change_residence,
    )


def _registrations_in_window(
    ctx: SynthContext, rng: np.random.Generator, n: int
) -> npt.NDArray[np.int64]:
    """Registration instants inside the window: weekdays busier, office hours busier."""
    days = ctx.window.days()
    weights = np.array([0.7 if d.is_weekend else 1.0 for d in days])
    day_of = rng.choice(len(days), size=n, p=weights / weights.sum())
    starts = np.array([d.start_s for d in days], dtype=np.int64)
    return starts[day_of] + random_seconds_of_day(rng, "portal", days[0], n)


def _changes(
    ctx: SynthContext,
    rng: np.random.Generator,
    registered: npt.NDArray[np.int64],
    residence: npt.NDArray[np.int64],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Second rows: real-name completion (same street) or a move to another street."""
    window = ctx.window
    eligible = int(np.searchsorted(registered, window.start_s))
    n = min(eligible, int(eligible * _CHANGE_SHARE * window.months))
    users = rng.choice(eligible, size=n, replace=False).astype(np.int64)
    when = rng.integers(window.start_s, window.end_s, n)
    moves = rng.random(n) < 0.4
    new_residence = np.where(moves, ctx.random_streets(rng, n), residence[users])
    order = np.argsort(when, kind="stable")
    return users[order], when[order], new_residence[order]


class PortalUsersStream:
    """``portal_users`` rows: the registrations before the window on its first day,
    then each day's new registrations and changes."""

    tables = ("portal_users",)

    def __init__(self, ctx: SynthContext, users: PortalUsers) -> None:
        self._ctx = ctx
        self._users = users

    def day(self, day: Day) -> Iterator[Batch]:
        users = self._users
        first = 0 if day.index == 0 else users.registered_before(day.start_s)
        last = users.registered_before(day.end_s)
        for lo in range(first, last, _BATCH):
            index = np.arange(lo, min(lo + _BATCH, last), dtype=np.int64)
            yield self._rows(
                index,
                users.registered_s[index],
                users.residence[index],
                users.real_name[index],
                "pu",
                index + 1,
            )
        lo, hi = np.searchsorted(users.change_s, [day.start_s, day.end_s])
        if hi > lo:
            changed = users.change_user[lo:hi]
            yield self._rows(
                changed,
                users.change_s[lo:hi],
                users.change_residence[lo:hi],
                np.ones(hi - lo, bool),
                "pm",
                np.arange(lo, hi) + 1,
            )

    def _rows(
        self,
        user: npt.NDArray[np.int64],
        registered_s: npt.NDArray[np.int64],
        residence: npt.NDArray[np.int64],
        real_name: npt.NDArray[np.bool_],
        prefix: str,
        number: npt.NDArray[np.int64],
    ) -> Batch:
        regions: RegionTree = self._ctx.regions
        return "portal_users", contract_table(
            "portal_users",
            {
                "event_id": prefixed_ids(prefix, number, 9),
                "user_id": self._users.ids.take(pa.array(user)),
                "region_code": categorical(regions.codes, residence),
                "registered_at": timestamps(registered_s),
                "real_name": real_name,
                "channel": categorical(CHANNELS_PORTAL, self._users.channel[user]),
            },
        )

    def month_end(self, month: int) -> None:
        """Registered and real-name users by residence at the end of the month."""
        end_s = int(self._ctx.window.month_bounds_s[month + 1])
        registered = self._users.registered_before(end_s)
        residence, real_name = self._users.state_at(end_s)
        truth = self._ctx.truth
        truth.add("registered_users", month, residence[:registered])
        truth.add("real_name_users", month, residence[:registered][real_name[:registered]])
