"""运营内容 content: infrastructure, data resources, systems, portal, security."""

from __future__ import annotations

from cityops.domain.contract import DEFAULT_HEARTBEAT_INTERVAL_S
from cityops.indicators.computations.base import Computation, ValueKind
from cityops.indicators.computations.common import (
    ACTIVE_DEVICE,
    ACTIVE_SERVICE,
    ALL,
    IN_PERIOD,
    SHARE,
    integer_sum,
    rolled_up,
    rolled_up_rows,
)

__all__ = ["CONTENT"]


def _resource_share(condition: str) -> str:
    """Share of catalogue data resources meeting ``condition``."""
    return rolled_up(f"SELECT region_code, {condition} AS hit FROM data_resources", SHARE, ALL)


def _system_ratio(part: str, whole: str) -> str:
    """Σ part ÷ Σ whole over the information systems of the region."""
    return rolled_up(
        f"SELECT region_code, {part} AS part, {whole} AS whole FROM systems",
        integer_sum("x.part"),
        integer_sum("x.whole"),
    )


INTACT_AVAILABILITY = 0.95
"""A camera is intact (完好) in P when its availability reaches this share."""

_PORTAL_SERVICES = (
    f"SELECT region_code, category FROM services WHERE on_portal AND {ACTIVE_SERVICE}"
)

_DAY_US = 86_400_000_000
"""A local day in microseconds: Asia/Shanghai keeps no daylight saving time."""

_CAMERA_AVAILABILITY = f"""camera_window AS (
    SELECT device_id, region_code,
        coalesce(heartbeat_interval_s, {DEFAULT_HEARTBEAT_INTERVAL_S}) * 1000000 AS slot_us,
        greatest(epoch_us(CAST(installed_at AS TIMESTAMPTZ)), epoch_us($period_start)) AS from_us,
        least(coalesce(epoch_us(CAST(retired_at AS TIMESTAMPTZ)), epoch_us($period_end)),
              epoch_us($period_end)) AS to_us
    FROM devices
    WHERE kind = 'camera' AND {ACTIVE_DEVICE}
),
camera_slots AS (
    SELECT *,
        {_DAY_US} % slot_us = 0 AND epoch_us($period_start) % slot_us = 0 AS days_hold_whole_slots
    FROM camera_window
),
ok_slots AS (
    SELECT w.device_id, CAST(sum(s.ok_slots) AS BIGINT) AS slots
    FROM device_day_slots AS s JOIN camera_slots AS w USING (device_id)
    WHERE w.days_hold_whole_slots
        AND epoch_us(CAST(s.day AS TIMESTAMPTZ)) >= w.from_us
        AND epoch_us(CAST(s.day AS TIMESTAMPTZ)) < w.to_us
    GROUP BY w.device_id
    UNION ALL
    SELECT w.device_id, count(DISTINCT epoch_us(h.ts) // w.slot_us) AS slots
    FROM device_heartbeats AS h JOIN camera_slots AS w USING (device_id)
    WHERE NOT w.days_hold_whole_slots AND h.status = 'ok'
        AND epoch_us(h.ts) >= w.from_us AND epoch_us(h.ts) < w.to_us
    GROUP BY w.device_id
),
camera_availability AS (
    SELECT w.region_code,
        least(coalesce(o.slots, 0) / ((w.to_us - w.from_us) / w.slot_us), 1.0) AS availability
    FROM camera_window AS w LEFT JOIN ok_slots AS o USING (device_id)
    WHERE w.to_us > w.from_us
)"""
"""Each active camera's availability in P (INDICATORS.md, precise rules): distinct
slots ⌊epoch ÷ interval⌋ with an ok heartbeat inside P and inside the camera's
active window (from the start of its ``installed_at`` day to the start of its
``retired_at`` day, local time) ÷ the slots that window holds in P, capped at
1.  A camera whose window holds no time in P (retired on the first day) had
nothing to be available for and is left out.

The window starts and ends at local midnights, so it holds whole local days.
When every local midnight of P is also a slot boundary (the interval divides a
day and P starts on a slot boundary: 300 s, 900 s, an hour, …), no slot spans
two days, and a camera's distinct ok slots are the sum of its daily distinct ok
slots, counted at ingest (``device_day_slots``): a few rows per camera and day
instead of every heartbeat.  A camera whose slots can span midnight (a daily
interval is a UTC day) is counted from its heartbeats, exactly as written.
The daily counts number slots with the interval the register held when the
heartbeats were ingested: a camera whose ``heartbeat_interval_s`` changes
afterwards keeps the old numbering for the days already ingested."""

CONTENT: tuple[Computation, ...] = (
    Computation(
        "infra.camera_intact_rate",  # 视频监控设备完好率: availability ≥ 0.95
        rolled_up(
            f"SELECT region_code, availability >= {INTACT_AVAILABILITY} AS hit "
            "FROM camera_availability",
            SHARE,
            ALL,
            ctes=_CAMERA_AVAILABILITY,
        ),
    ),
    Computation(
        "infra.camera_sharing_rate",  # 视频监控接入共享率
        rolled_up(
            "SELECT region_code, shared AS hit FROM devices "
            f"WHERE kind = 'camera' AND {ACTIVE_DEVICE}",
            SHARE,
            ALL,
        ),
    ),
    Computation(
        "infra.network_latency_p95_ms",  # 网络时延: continuous p95 of up probes, ms
        rolled_up_rows(
            "SELECT region_code, latency_ms FROM network_probes "
            f"WHERE up AND {IN_PERIOD.format(ts='ts')}",
            "NULL",
            value="quantile_cont(x.latency_ms, 0.95)",
        ),
        ValueKind.STATISTIC,
    ),
    Computation(
        "infra.cloud_fulfilment_rate",  # 政务云资源满足率: fulfilled within 72 h
        rolled_up(
            "SELECT region_code, fulfilled_at <= requested_at + INTERVAL 72 HOUR AS hit "
            f"FROM requests WHERE {IN_PERIOD.format(ts='requested_at')}",
            SHARE,
            ALL,
            ctes="""requests AS (
    SELECT request_id,
        min(requested_at) AS requested_at,
        min(fulfilled_at) AS fulfilled_at,
        arg_min(region_code, (requested_at, event_id)) AS region_code
    FROM cloud_requests GROUP BY request_id
)""",
        ),
    ),
    Computation(
        "data.resource_count",  # 数据资源数量
        rolled_up("SELECT region_code FROM data_resources", ALL),
        ValueKind.COUNT,
    ),
    Computation(
        "data.quality_pass_rate",  # 数据质量合格率 = 1 − Σ failed ÷ Σ checked
        rolled_up(
            "SELECT d.region_code, q.rows_checked, q.rows_failed "
            "FROM data_quality_checks AS q JOIN data_resources AS d USING (resource_id) "
            f"WHERE {IN_PERIOD.format(ts='q.ts')}",
            integer_sum("x.rows_checked - x.rows_failed"),
            integer_sum("x.rows_checked"),
        ),
    ),
    Computation("data.sharing_rate", _resource_share("share_type <> 'none'")),  # 数据共享率
    Computation("data.open_rate", _resource_share("open_type <> 'none'")),  # 数据开放率
    Computation(
        "systems.function_completeness",  # 信息系统功能完备性
        _system_ratio("functions_live", "functions_planned"),
    ),
    Computation(
        "systems.interface_standard_rate",  # 接口标准化率
        _system_ratio("interfaces_standard", "interfaces_total"),
    ),
    Computation(
        "portal.service_count",  # 应用门户整合服务数量
        rolled_up(_PORTAL_SERVICES, ALL),
        ValueKind.COUNT,
    ),
    Computation(
        "portal.service_categories",  # 整合服务种类
        rolled_up_rows(_PORTAL_SERVICES, "count(DISTINCT x.category)"),
        ValueKind.COUNT,
    ),
    Computation(
        "security.leak_incidents",  # 失泄密事件数量: rows_read counts incidents
        rolled_up(
            "SELECT region_code FROM incidents "
            f"WHERE leak AND {IN_PERIOD.format(ts='detected_at')}",
            ALL,
            ctes="""incidents AS (
    SELECT incident_id,
        min(ts) AS detected_at,
        arg_min(region_code, (ts, event_id)) AS region_code,
        bool_or(leak) AS leak
    FROM security_events GROUP BY incident_id
)""",
        ),
        ValueKind.COUNT,
    ),
)
