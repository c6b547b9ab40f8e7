"""Data, infrastructure and security operations (数据、设施与安全运营) of a region and
month: the data catalogue and its quality, data sharing, cameras, government
cloud and security incidents.

Rows belong to regions as the indicators say (their formulas: ``docs/indicators.md``):
quality checks and sharing calls to their resource's region, usage samples to
their cloud resource's, heartbeats to their device's, an incident to the
region of its earliest row.  Definitions (month P, region R):

- catalogue: the data resources of R now (the register's latest load), by
  classification, share type and open type;
- quality by dimension: checks in P, 1 − Σ rows_failed ÷ Σ rows_checked;
- sharing: calls in P on R's resources, by consumer department (rows count
  successful calls only);
- camera availability: cameras active in P, each one's ok heartbeat slots in
  its active days of P ÷ the slots those days hold (capped at 1), from the
  daily slot counts built at ingest (``device_day_slots``), in
  ``AVAILABILITY_EDGES`` bins; the same as ``infra.camera_intact_rate`` reads
  when the heartbeat interval divides a day, as every contract default does;
- cloud: R's resources by department, allocation and mean utilisation of the
  samples in P (used ÷ allocated, per sample);
- incidents: those first detected in P, graded by the most severe grade any of
  their rows gives (1 特别重大 … 4 一般); a phase's time is its earliest row;
  ``TIMELINES_SHOWN`` timelines, most severe and earliest first.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from pydantic import BaseModel

from cityops.domain.contract import DEFAULT_HEARTBEAT_INTERVAL_S, table
from cityops.domain.period import Period
from cityops.indicators.computations.common import ACTIVE_DEVICE, IN_PERIOD
from cityops.operations.figures import FactFigure, fact_figures
from cityops.operations.histogram import Bin, bin_sql, bins
from cityops.operations.month import MonthQuery

__all__ = [
    "AVAILABILITY_EDGES",
    "TIMELINES_SHOWN",
    "Cameras",
    "Catalogue",
    "Cloud",
    "CloudDepartment",
    "ConsumerUse",
    "GradeCount",
    "IncidentTimeline",
    "InfrastructureOperations",
    "KeyCount",
    "Quality",
    "QualityDimension",
    "Security",
    "Sharing",
    "infrastructure_operations",
]

AVAILABILITY_EDGES = (0.5, 0.8, 0.9, 0.95, 0.99)
"""Bins of camera availability (0.95: intact)."""
TIMELINES_SHOWN = 50

_RESOURCES = table("data_resources")
_DIMENSIONS = table("data_quality_checks").field("dimension").allowed
_GRADES = table("security_events").field("grade").allowed
_FACTS = (
    "data.resource_count",
    "data.sharing_rate",
    "data.open_rate",
    "data.quality_pass_rate",
    "effect.data_usage_rate",
    "infra.camera_intact_rate",
    "infra.camera_sharing_rate",
    "effect.cloud_utilisation",
    "security.leak_incidents",
)


class KeyCount(BaseModel):
    key: str
    count: int


class Catalogue(BaseModel):
    resources: FactFigure
    """``data.resource_count``."""
    records: int
    by_classification: list[KeyCount]
    by_share_type: list[KeyCount]
    by_open_type: list[KeyCount]
    sharing_rate: FactFigure
    open_rate: FactFigure


class QualityDimension(BaseModel):
    dimension: str
    checks: int
    rows_checked: int
    rows_failed: int
    pass_rate: float | None


class Quality(BaseModel):
    pass_rate: FactFigure
    by_dimension: list[QualityDimension]


class ConsumerUse(BaseModel):
    department: str
    calls: int
    successful: int
    rows: int


class Sharing(BaseModel):
    usage_rate: FactFigure
    """``effect.data_usage_rate``: shareable resources used at least once in the month."""
    calls: int
    successful: int
    rows: int
    by_consumer: list[ConsumerUse]


class Cameras(BaseModel):
    cameras: int
    intact_rate: FactFigure
    sharing_rate: FactFigure
    availability: list[Bin]


class CloudDepartment(BaseModel):
    department: str
    resources: int
    vcpu_alloc: float
    mem_alloc_gb: float
    storage_alloc_tb: float
    vcpu_utilisation: float | None
    mem_utilisation: float | None
    storage_utilisation: float | None


class Cloud(BaseModel):
    utilisation: FactFigure
    resources: int
    by_department: list[CloudDepartment]


class GradeCount(BaseModel):
    grade: int
    incidents: int
    leaks: int
    mean_response_minutes: float | None
    mean_recovery_minutes: float | None


class IncidentTimeline(BaseModel):
    incident_id: str
    grade: int
    leak: bool
    system_id: str | None
    detected_at: datetime
    responded_at: datetime | None
    contained_at: datetime | None
    recovered_at: datetime | None


class Security(BaseModel):
    incidents: int
    leaks: FactFigure
    by_grade: list[GradeCount]
    timelines: list[IncidentTimeline]


class InfrastructureOperations(BaseModel):
    region_code: str
    period: Period
    catalogue: Catalogue
    quality: Quality
    sharing: Sharing
    cameras: Cameras
    cloud: Cloud
    security: Security


_RESOURCES_OF_REGION = "SELECT d.* FROM data_resources AS d JOIN in_region USING (region_code)"

_QUALITY = f"""WITH checks AS (
    SELECT q.dimension, q.rows_checked, q.rows_failed
    FROM data_quality_checks AS q JOIN resources_of_region USING (resource_id)
    WHERE {IN_PERIOD.format(ts="q.ts")}
)
SELECT k.dimension, count(c.dimension) AS checks,
    coalesce(sum(c.rows_checked), 0) AS rows_checked,
    coalesce(sum(c.rows_failed), 0) AS rows_failed,
    1 - sum(c.rows_failed) / nullif(sum(c.rows_checked), 0) AS pass_rate
FROM unnest($dimensions) WITH ORDINALITY AS k(dimension, position)
LEFT JOIN checks AS c USING (dimension)
GROUP BY k.dimension, k.position ORDER BY k.position"""

_SHARING = f"""SELECT s.consumer_department AS department, count(*) AS calls,
    count(*) FILTER (WHERE s.success) AS successful,
    coalesce(sum(s."rows") FILTER (WHERE s.success), 0) AS "rows"
FROM data_sharing_calls AS s JOIN resources_of_region USING (resource_id)
WHERE {IN_PERIOD.format(ts="s.ts")}
GROUP BY s.consumer_department
ORDER BY calls DESC, department"""

_AVAILABILITY = f"""WITH cameras AS (
    SELECT device_id,
        coalesce(heartbeat_interval_s, {DEFAULT_HEARTBEAT_INTERVAL_S}) AS interval_s,
        greatest(installed_at, $first_day) AS from_day,
        least(coalesce(retired_at, $end_day), $end_day) AS to_day
    FROM devices JOIN in_region USING (region_code)
    WHERE kind = 'camera' AND {ACTIVE_DEVICE}
),
ok AS (
    SELECT s.device_id, sum(s.ok_slots) AS slots
    FROM device_day_slots AS s JOIN cameras AS c USING (device_id)
    WHERE s.day >= c.from_day AND s.day < c.to_day
    GROUP BY s.device_id
),
availability AS (
    SELECT least(coalesce(ok.slots, 0)
        / (date_diff('day', c.from_day, c.to_day) * 86400 / c.interval_s), 1.0) AS share
    FROM cameras AS c LEFT JOIN ok USING (device_id)
    WHERE c.to_day > c.from_day
)
SELECT {bin_sql("share", AVAILABILITY_EDGES)} AS bin, count(*) AS cameras
FROM availability GROUP BY bin"""

_CLOUD = f"""WITH resources AS (
    SELECT c.* FROM cloud_resources AS c JOIN in_region USING (region_code)
),
allocated AS (
    SELECT department, count(*) AS resources, sum(vcpu_alloc) AS vcpu_alloc,
        sum(mem_alloc_gb) AS mem_alloc_gb, sum(storage_alloc_tb) AS storage_alloc_tb
    FROM resources GROUP BY department
),
used AS (
    SELECT r.department,
        avg(u.vcpu_used / nullif(r.vcpu_alloc, 0)) AS vcpu_utilisation,
        avg(u.mem_used_gb / nullif(r.mem_alloc_gb, 0)) AS mem_utilisation,
        avg(u.storage_used_tb / nullif(r.storage_alloc_tb, 0)) AS storage_utilisation
    FROM cloud_usage AS u JOIN resources AS r USING (resource_id)
    WHERE {IN_PERIOD.format(ts="u.ts")}
    GROUP BY r.department
)
SELECT a.*, u.vcpu_utilisation, u.mem_utilisation, u.storage_utilisation
FROM allocated AS a LEFT JOIN used AS u USING (department)
ORDER BY a.vcpu_alloc DESC, a.department"""

_INCIDENTS = f"""WITH incidents AS (
    SELECT incident_id,
        min(ts) AS detected_at,
        arg_min(region_code, (ts, event_id)) AS region_code,
        arg_min(system_id, (ts, event_id)) AS system_id,
        CAST(min(grade) AS INTEGER) AS grade,
        bool_or(leak) AS leak,
        min(ts) FILTER (WHERE phase = 'responded') AS responded_at,
        min(ts) FILTER (WHERE phase = 'contained') AS contained_at,
        min(ts) FILTER (WHERE phase = 'recovered') AS recovered_at
    FROM security_events GROUP BY incident_id
)
SELECT i.* EXCLUDE (region_code) FROM incidents AS i JOIN in_region USING (region_code)
WHERE {IN_PERIOD.format(ts="i.detected_at")}"""
"""The incidents of R first detected in P, kept as the table ``incidents_of_month``."""

_BY_GRADE = """SELECT CAST(k.grade AS INTEGER) AS grade, count(i.incident_id) AS incidents,
    count(*) FILTER (WHERE i.leak) AS leaks,
    avg((epoch(i.responded_at) - epoch(i.detected_at)) / 60) AS mean_response_minutes,
    avg((epoch(i.recovered_at) - epoch(i.detected_at)) / 60) AS mean_recovery_minutes
FROM unnest($grades) WITH ORDINALITY AS k(grade, position)
LEFT JOIN incidents_of_month AS i ON i.grade = k.grade
GROUP BY k.grade, k.position ORDER BY k.position"""

_TIMELINES = """SELECT * FROM incidents_of_month
ORDER BY grade, detected_at, incident_id LIMIT $shown"""


def infrastructure_operations(query: MonthQuery) -> InfrastructureOperations:
    """The data, infrastructure and security page of the query's region and month."""
    facts = fact_figures(query, _FACTS)
    query.create("resources_of_region", _RESOURCES_OF_REGION)
    query.create("incidents_of_month", _INCIDENTS)
    return InfrastructureOperations(
        region_code=query.region_code,
        period=query.period,
        catalogue=_catalogue(query, facts),
        quality=_quality(query, facts),
        sharing=_sharing(query, facts),
        cameras=_cameras(query, facts),
        cloud=_cloud(query, facts),
        security=_security(query, facts),
    )


_Facts = Mapping[str, FactFigure]


def _catalogue(query: MonthQuery, facts: _Facts) -> Catalogue:
    def by(column: str) -> list[KeyCount]:
        """The resources by ``column``, in the order of its allowed values."""
        sql = (
            "SELECT k.key, count(r.resource_id) AS count "
            "FROM unnest($keys) WITH ORDINALITY AS k(key, position) "
            f"LEFT JOIN resources_of_region AS r ON r.{column} = k.key "
            "GROUP BY k.key, k.position ORDER BY k.position"
        )
        return [
            KeyCount(**row) for row in query.rows(sql, keys=list(_RESOURCES.field(column).allowed))
        ]

    totals = query.one("SELECT coalesce(sum(record_count), 0) AS records FROM resources_of_region")
    return Catalogue(
        resources=facts["data.resource_count"],
        records=totals["records"],
        by_classification=by("classification"),
        by_share_type=by("share_type"),
        by_open_type=by("open_type"),
        sharing_rate=facts["data.sharing_rate"],
        open_rate=facts["data.open_rate"],
    )


def _quality(query: MonthQuery, facts: _Facts) -> Quality:
    rows = query.rows(_QUALITY, dimensions=list(_DIMENSIONS))
    return Quality(
        pass_rate=facts["data.quality_pass_rate"],
        by_dimension=[QualityDimension(**row) for row in rows],
    )


def _sharing(query: MonthQuery, facts: _Facts) -> Sharing:
    consumers = [ConsumerUse(**row) for row in query.rows(_SHARING)]
    return Sharing(
        usage_rate=facts["effect.data_usage_rate"],
        calls=sum(c.calls for c in consumers),
        successful=sum(c.successful for c in consumers),
        rows=sum(c.rows for c in consumers),
        by_consumer=consumers,
    )


def _cameras(query: MonthQuery, facts: _Facts) -> Cameras:
    counts = {row["bin"]: row["cameras"] for row in query.rows(_AVAILABILITY)}
    return Cameras(
        cameras=sum(counts.values()),
        intact_rate=facts["infra.camera_intact_rate"],
        sharing_rate=facts["infra.camera_sharing_rate"],
        availability=bins(AVAILABILITY_EDGES, counts),
    )


def _cloud(query: MonthQuery, facts: _Facts) -> Cloud:
    departments = [CloudDepartment(**row) for row in query.rows(_CLOUD)]
    return Cloud(
        utilisation=facts["effect.cloud_utilisation"],
        resources=sum(d.resources for d in departments),
        by_department=departments,
    )


def _security(query: MonthQuery, facts: _Facts) -> Security:
    by_grade = [GradeCount(**row) for row in query.rows(_BY_GRADE, grades=list(_GRADES))]
    return Security(
        incidents=sum(g.incidents for g in by_grade),
        leaks=facts["security.leak_incidents"],
        by_grade=by_grade,
        timelines=[
            IncidentTimeline(**row) for row in query.rows(_TIMELINES, shown=TIMELINES_SHOWN)
        ],
    )
