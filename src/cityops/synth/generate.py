"""``generate_city``: the whole synthetic city, written table by table and day by day.

The static world (regions, catalogues, devices, users) is built first; the
register tables are written; then every event source generates one day at a
time, appends it to its table's file and forgets it, so memory stays flat
however many months are asked for.  ``truth.json`` is written last.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from cityops.domain.contract import EVENT_TABLES, REGISTER_TABLES, TABLES
from cityops.domain.period import Period
from cityops.errors import ConfigError

from .cloud import CloudStream, build_cloud
from .context import DailyStream, SynthContext
from .data_resources import DataStream, build_data_catalogue
from .devices import HeartbeatStream, build_devices
from .governance import GovernanceStream, staff_table
from .hotline import HotlineStream
from .network import NetworkStream
from .portal import PortalActivityStream
from .profiles import build_profile
from .randomness import stream_rng
from .regions import build_regions
from .register_truth import record_register_truth
from .scales import scale_named
from .security import SecurityStream
from .services import build_services
from .systems import SystemProbeStream, build_systems
from .truth import TruthRecorder
from .users import PortalUsersStream, build_users
from .window import Window
from .writer import Format, TableSink, open_sink

__all__ = ["FORMATS", "SynthSummary", "generate_city"]

FORMATS: tuple[Format, ...] = ("parquet", "csv")
DEFAULT_START = Period(2025, 1)
Advance = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class SynthSummary:
    """What was written: where, with which settings, and how many rows per table."""

    out: Path
    scale: str
    months: int
    start: Period
    seed: int
    format: Format
    tables: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return {
            "out": str(self.out),
            "scale": self.scale,
            "months": self.months,
            "start": str(self.start),
            "seed": self.seed,
            "format": self.format,
            "tables": dict(self.tables),
        }


def generate_city(
    out: Path,
    *,
    scale: str = "county",
    months: int = 1,
    start: Period = DEFAULT_START,
    seed: int = 1,
    fmt: str = "parquet",
    progress: bool = False,
) -> SynthSummary:
    """Write every contract table of a synthetic city to ``out`` (one file each) and truth.json."""
    if months < 1:
        raise ConfigError(f"--months must be at least 1, got {months}")
    if fmt not in FORMATS:
        raise ConfigError(f"unknown format {fmt!r}; choose parquet or csv")
    file_format: Format = "csv" if fmt == "csv" else "parquet"
    chosen = scale_named(scale)
    out.mkdir(parents=True, exist_ok=True)
    window = Window(start, months)
    regions = build_regions(chosen, stream_rng(seed, "regions"))
    ctx = SynthContext(
        seed=seed,
        scale=chosen,
        window=window,
        regions=regions,
        profile=build_profile(chosen.districts, stream_rng(seed, "profile")),
        truth=TruthRecorder(window, regions),
    )
    days = window.days()
    with _progress(progress, total=len(REGISTER_TABLES) + len(days) * len(EVENT_TABLES)) as advance:
        sinks = {str(t.name): open_sink(out, t.name, file_format) for t in TABLES}
        streams = _write_world(ctx, sinks, advance)
        for day in days:
            for stream in streams:
                for name, batch in stream.day(day):
                    sinks[name].write(batch)
                advance(len(stream.tables))
            if day.index + 1 == len(days) or days[day.index + 1].month_index != day.month_index:
                for stream in streams:
                    stream.month_end(day.month_index)
        rows = {name: sink.close() for name, sink in sinks.items()}
    ctx.truth.facts.update(
        seed=seed,
        scale=chosen.name,
        start=str(start),
        months=months,
        strong_district=regions.codes[regions.district_index[ctx.profile.strong]],
        weak_district=regions.codes[regions.district_index[ctx.profile.weak]],
        district_quality={
            regions.codes[index]: float(q)
            for index, q in zip(regions.district_index, ctx.profile.quality, strict=True)
        },
    )
    ctx.truth.write(out / "truth.json")
    return SynthSummary(out, chosen.name, months, start, seed, file_format, rows)


def _write_world(
    ctx: SynthContext, sinks: dict[str, TableSink], advance: Advance
) -> list[DailyStream]:
    """Build the static world, write the register tables, and return the event sources."""
    rng = ctx.rng
    services = build_services(ctx, rng("services"))
    devices = build_devices(ctx, rng("devices"))
    cloud = build_cloud(ctx, rng("cloud_resources"))
    catalogue = build_data_catalogue(ctx, rng("data_resources"))
    systems = build_systems(ctx, rng("systems"))
    registers: dict[str, pa.Table] = {
        "regions": ctx.regions.to_table(),
        "services": services.to_table(rng("services", 1), ctx),
        "devices": devices.to_table(ctx.regions.codes),
        "cloud_resources": cloud.to_table(ctx),
        "data_resources": catalogue.to_table(ctx, rng("data_resources", 1)),
        "systems": systems.to_table(ctx, rng("systems", 1)),
        "staff": staff_table(ctx, rng("staff")),
    }
    for name, rows in registers.items():
        sinks[name].write(rows)
        advance(1)
    record_register_truth(ctx, registers)
    users = build_users(ctx, rng("portal_users"))
    return [
        PortalUsersStream(ctx, users),
        PortalActivityStream(ctx, users, services),
        HotlineStream(ctx),
        HeartbeatStream(ctx, devices),
        CloudStream(ctx, cloud),
        NetworkStream(ctx),
        SystemProbeStream(ctx, systems),
        DataStream(ctx, catalogue),
        SecurityStream(ctx, systems),
        GovernanceStream(ctx),
    ]


@contextmanager
def _progress(enabled: bool, total: int) -> Iterator[Advance]:
    """A Rich progress bar on stderr over days × tables, or nothing."""
    if not enabled:
        yield lambda _steps: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=False) as bar:
        task = bar.add_task("synth", total=total)
        yield lambda steps: bar.advance(task, steps)
