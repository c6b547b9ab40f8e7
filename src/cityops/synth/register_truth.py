"""True values of the register tables (catalogues and teams), counted from the tables written."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from .context import SynthContext
from .window import DAY_S, UTC_OFFSET_S

__all__ = ["record_register_truth"]


def _region(ctx: SynthContext, rows: pa.Table) -> npt.NDArray[np.int64]:
    codes = pa.array(ctx.regions.codes)
    return np.asarray(pc.index_in(rows["region_code"], value_set=codes)).astype(np.int64)


def _column(rows: pa.Table, name: str) -> npt.NDArray[np.generic]:
    return np.asarray(rows[name].to_numpy())


def _epoch_days(rows: pa.Table, name: str) -> npt.NDArray[np.int64]:
    days = pc.fill_null(rows[name].cast(pa.int32()), -1)
    return np.asarray(days).astype(np.int64)


def record_register_truth(ctx: SynthContext, tables: Mapping[str, pa.Table]) -> None:
    """Active services (on the portal), catalogue rates, system completeness and staffing."""
    truth = ctx.truth
    services = tables["services"]
    bounds = (ctx.window.month_bounds_s + UTC_OFFSET_S) // DAY_S
    online = _epoch_days(services, "online_since")[None, :]
    offline = _epoch_days(services, "offline_at")[None, :]
    active = (online < bounds[1:, None]) & ((offline < 0) | (offline >= bounds[:-1, None]))
    on_portal = _column(services, "on_portal").astype(bool)
    truth.add_every_month("services_active", _region(ctx, services), active)
    truth.add_every_month("services_on_portal", _region(ctx, services), active & on_portal)

    resources = tables["data_resources"]
    region = _region(ctx, resources)
    truth.add_every_month("data_resources", region)
    truth.add_every_month(
        "data_resources_shared", region[_column(resources, "share_type") != "none"]
    )
    truth.add_every_month("data_resources_open", region[_column(resources, "open_type") != "none"])

    systems = tables["systems"]
    region = _region(ctx, systems)
    for field in ("functions_planned", "functions_live", "interfaces_total", "interfaces_standard"):
        truth.add_every_month(
            f"systems_{field}", region, weights=_column(systems, field).astype(np.int64)
        )

    staff = tables["staff"]
    region = _region(ctx, staff)
    required = _column(staff, "required").astype(bool)
    certified = _column(staff, "certified").astype(bool)
    truth.add_every_month("staff_required", region[required])
    truth.add_every_month("staff_required_certified", region[required & certified])
