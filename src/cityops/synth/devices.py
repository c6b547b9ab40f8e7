"""Cameras and sensors (``devices``) and their heartbeats (``device_heartbeats``).

A device sends one heartbeat per slot of ``heartbeat_interval_s`` seconds
(cameras 300 s, sensors 900 s — the longer interval keeps a city's volume
manageable and is a realistic setting for environmental sensors), at a fixed
phase inside the slot, only while it is installed and not retired.  Outages
are contiguous runs of slots — starting at a Poisson rate, log-normal in
length, carried over midnight — during which the device either reports
``fault`` or falls silent.  Weak districts have more, longer outages and a
share of chronically failing devices, so their camera intact rate is lower.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from .columns import categorical, contract_table, dates, prefixed_ids, timestamps
from .context import Batch, SynthContext
from .window import DAY_S, UTC_OFFSET_S, Day

__all__ = ["DeviceFleet", "HeartbeatStream", "build_devices"]

CAMERA, SENSOR = 0, 1
KINDS = ("camera", "sensor")
INTERVAL_S = np.array([300, 900])
_BLOCK = 20_000  # devices per heartbeat batch: bounds memory at any scale


@dataclass(frozen=True, slots=True)
class DeviceFleet:
    ids: pa.Array
    kind: npt.NDArray[np.int64]
    region: npt.NDArray[np.int64]
    installed_day: npt.NDArray[np.int64]  # local days since 1970-01-01
    retired_day: npt.NDArray[np.int64]  # −1: in service
    shared: npt.NDArray[np.bool_]
    interval_s: npt.NDArray[np.int64]
    phase_s: npt.NDArray[np.int64]
    reports_faults: npt.NDArray[np.bool_]  # an outage shows as `fault` rows, else silence
    outage_rate: npt.NDArray[np.float64]  # outages starting per day
    outage_median_s: npt.NDArray[np.float64]

    def to_table(self, region_codes: Sequence[str]) -> pa.Table:
        return contract_table(
            "devices",
            {
                "device_id": self.ids,
                "kind": categorical(KINDS, self.kind),
                "region_code": categorical(region_codes, self.region),
                "installed_at": dates(self.installed_day),
                "retired_at": dates(self.retired_day, missing=self.retired_day < 0),
                "shared": self.shared,
                "heartbeat_interval_s": self.interval_s,
            },
        )


def build_devices(ctx: SynthContext, rng: np.random.Generator) -> DeviceFleet:
    n = ctx.scale.devices
    window = ctx.window
    first_day = (window.start_s + UTC_OFFSET_S) // DAY_S
    days = (window.end_s - window.start_s) // DAY_S
    kind = np.where(rng.random(n) < 0.8, CAMERA, SENSOR)
    region = ctx.random_streets(rng, n)
    installed = first_day - rng.integers(1, 5 * 365, n)
    new = rng.random(n) < 0.03
    installed[new] = first_day + rng.integers(0, days, int(new.sum()))
    retired = np.full(n, -1, dtype=np.int64)
    leaving = (rng.random(n) < 0.03) & ~new
    retired[leaving] = first_day + rng.integers(1, days + 1, int(leaving.sum()))
    chronic = rng.random(n) < ctx.level_of(region, 0.12, 0.005)
    outage_rate = ctx.level_of(region, 0.25, 0.03) * np.where(chronic, 6.0, 1.0)
    outage_median_s = ctx.level_of(region, 3.0 * 3_600, 0.5 * 3_600) * np.where(chronic, 4.0, 1.0)
    interval = INTERVAL_S[kind]
    return DeviceFleet(
        ids=prefixed_ids("D", np.arange(1, n + 1), 6),
        kind=kind.astype(np.int64),
        region=region,
        installed_day=installed.astype(np.int64),
        retired_day=retired,
        shared=rng.random(n) < np.where(kind == CAMERA, ctx.level_of(region, 0.3, 0.92), 0.5),
        interval_s=interval.astype(np.int64),
        phase_s=rng.integers(0, interval),
        reports_faults=rng.random(n) < 0.5,
        outage_rate=outage_rate,
        outage_median_s=outage_median_s,
    )


class HeartbeatStream:
    """Heartbeats, one batch per block of devices and interval per day."""

    tables = ("device_heartbeats",)

    def __init__(self, ctx: SynthContext, fleet: DeviceFleet) -> None:
        self._ctx = ctx
        self._fleet = fleet
        n = len(fleet.region)
        self._down_carry_s = np.zeros(n, dtype=np.int64)  # outage time left at midnight
        self._ok_slots = np.zeros(n, dtype=np.int64)

    def day(self, day: Day) -> Iterator[Batch]:
        fleet = self._fleet
        rng = self._ctx.rng("device_heartbeats", day.index)
        epoch_day = (day.start_s + UTC_OFFSET_S) // DAY_S
        active = (fleet.installed_day <= epoch_day) & (
            (fleet.retired_day < 0) | (fleet.retired_day > epoch_day)
        )
        for interval in INTERVAL_S:
            group = np.flatnonzero(fleet.interval_s == interval)
            for lo in range(0, len(group), _BLOCK):
                block = group[lo : lo + _BLOCK]
                yield self._block(rng, day, block, int(interval), active[block])

    def _block(
        self,
        rng: np.random.Generator,
        day: Day,
        block: npt.NDArray[np.int64],
        interval: int,
        active: npt.NDArray[np.bool_],
    ) -> Batch:
        fleet = self._fleet
        slots = DAY_S // interval
        down = self._outages(rng, block, interval, slots)
        present = active[:, None] & (~down | fleet.reports_faults[block, None])
        device, slot = np.nonzero(present)
        fault = down[device, slot]
        self._ok_slots[block] += (present & ~down).sum(axis=1)
        ts = day.start_s + slot.astype(np.int64) * interval + fleet.phase_s[block][device]
        return "device_heartbeats", contract_table(
            "device_heartbeats",
            {
                "device_id": fleet.ids.take(pa.array(block[device])),
                "ts": timestamps(ts),
                "status": categorical(("ok", "fault"), fault.astype(np.int8)),
            },
        )

    def _outages(
        self, rng: np.random.Generator, block: npt.NDArray[np.int64], interval: int, slots: int
    ) -> npt.NDArray[np.bool_]:
        """Which slots of the day each device of ``block`` is down.

        Runs are marked +1 at their first slot and −1 after their last; a cumulative
        sum along the day is then positive exactly inside an outage.
        """
        fleet = self._fleet
        n = len(block)
        starts_per_device = rng.poisson(fleet.outage_rate[block])
        device = np.repeat(np.arange(n), starts_per_device)
        start = rng.integers(0, slots, len(device))
        length_s = rng.lognormal(np.log(fleet.outage_median_s[block][device]), 1.0)
        end = start + np.ceil(length_s / interval).astype(np.int64)
        carry = -(-self._down_carry_s[block] // interval)  # slots still down from yesterday
        marks = np.zeros((n, slots + 1), dtype=np.int32)
        np.add.at(marks, (device, start), 1)
        np.add.at(marks, (device, np.minimum(end, slots)), -1)
        marks[:, 0] += carry > 0
        marks[np.arange(n), np.minimum(carry, slots)] -= carry > 0
        left = np.maximum(carry - slots, 0)
        np.maximum.at(left, device, end - slots)
        self._down_carry_s[block] = np.maximum(left, 0) * interval
        return np.cumsum(marks[:, :slots], axis=1) > 0

    def month_end(self, month: int) -> None:
        """Active, shared and intact (availability ≥ 0.95) cameras of the month."""
        fleet, window, truth = self._fleet, self._ctx.window, self._ctx.truth
        bounds = (window.month_bounds_s + UTC_OFFSET_S) // DAY_S
        first, after = int(bounds[month]), int(bounds[month + 1])
        retired = np.where(fleet.retired_day < 0, after, fleet.retired_day)
        active = (fleet.installed_day < after) & (retired >= first)
        active_days = np.clip(
            np.minimum(retired, after) - np.maximum(fleet.installed_day, first), 0, None
        )
        expected = active_days * DAY_S // fleet.interval_s
        availability = np.minimum(1.0, self._ok_slots / np.maximum(expected, 1))
        camera = active & (fleet.kind == CAMERA)
        intact = camera & (expected > 0) & (availability >= 0.95)
        truth.add("active_devices", month, fleet.region[active])
        truth.add("active_cameras", month, fleet.region[camera])
        truth.add("shared_cameras", month, fleet.region[camera & fleet.shared])
        truth.add("intact_cameras", month, fleet.region[intact])
        self._ok_slots[:] = 0
