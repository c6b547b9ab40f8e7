"""12345 hotline operations (热线运营) of a region and month: tickets by status,
response and closure times, SLA misses, the night, callback satisfaction.

A ticket is read as the indicators read it (``TICKETS_CTE``): its region,
department and ``due_at`` are those of its earliest ``created`` event; its
response and closure are its earliest ``responded`` and ``closed`` events,
whenever they happened.  Definitions (month P, region R):

- tickets of P: created in P in R; their status is that of their latest event
  before the end of P (ties broken by event id);
- response time: minutes from creation to the first response; closure time:
  hours from creation to the first closure; tickets still without one are
  counted apart (``missing``); median and 90th percentile are continuous;
- SLA misses: tickets of R due in P (``due_at``) not closed by then, the
  complement of ``capability.on_time_closure_rate``;
- night: tickets created in the city's night (``[hotline]`` in ``cityops.toml``,
  22:00–06:00 local time unless the city sets other hours); the hours show, for
  each hour of the day, the tickets created and those answered within 30 minutes;
- satisfaction: for each ticket of R called back in P with a score, its latest
  such callback (as ``effect.hotline_satisfaction`` counts them).
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from cityops.domain.contract import table
from cityops.domain.period import Period
from cityops.indicators.computations.common import (
    AT_NIGHT,
    IN_PERIOD,
    LATEST_CALLBACK_CTE,
    TICKETS_CTE,
)
from cityops.operations.figures import FactFigure, fact_figures
from cityops.operations.histogram import Bin, bin_sql, bins
from cityops.operations.month import MonthQuery

__all__ = [
    "CLOSURE_EDGES_H",
    "RESPONSE_EDGES_MIN",
    "DepartmentMisses",
    "HotlineOperations",
    "HourCount",
    "ScoreCount",
    "StatusCount",
    "TimeDistribution",
    "hotline_operations",
]

RESPONSE_EDGES_MIN = (5.0, 15.0, 30.0, 60.0, 120.0, 240.0)
"""Bins of the response time, minutes (30: the response SLA)."""
CLOSURE_EDGES_H = (4.0, 24.0, 72.0, 168.0)
"""Bins of the closure time, hours (up to a week)."""

_STATUSES = table("ticket_events").field("status").allowed
_FACTS = (
    "capability.response_30min_rate",
    "capability.on_time_closure_rate",
    "capability.night_response_rate",
    "effect.hotline_satisfaction",
)


class StatusCount(BaseModel):
    status: str
    tickets: int


class TimeDistribution(BaseModel):
    unit: str
    """``minute`` or ``hour``."""
    bins: list[Bin]
    missing: int
    """Tickets without the event yet (never responded, never closed)."""
    median: float | None
    p90: float | None


class DepartmentMisses(BaseModel):
    department: str | None
    due: int
    missed: int


class HourCount(BaseModel):
    hour: int
    created: int
    responded_30min: int


class ScoreCount(BaseModel):
    score: int
    callbacks: int


class HotlineOperations(BaseModel):
    region_code: str
    period: Period
    created: int
    by_status: list[StatusCount]
    response_30min: FactFigure
    response_time: TimeDistribution
    closure_time: TimeDistribution
    on_time_closure: FactFigure
    sla_missed: int
    sla_by_department: list[DepartmentMisses]
    """Departments with tickets due in the month, most misses first."""
    night_start: int
    night_end: int
    """The city's night: from ``night_start`` o'clock up to ``night_end`` o'clock."""
    night_created: int
    night_response: FactFigure
    by_hour: list[HourCount]
    satisfaction: FactFigure
    satisfaction_scores: list[ScoreCount]


_TICKETS = f"""WITH {TICKETS_CTE},
detail AS (
    SELECT ticket_id,
        arg_min(department, (ts, event_id)) FILTER (WHERE status = 'created') AS department,
        arg_max(status, (ts, event_id)) FILTER (WHERE ts < $period_end) AS status_at_end
    FROM ticket_events GROUP BY ticket_id
)
SELECT t.ticket_id, t.created_at, t.due_at, t.responded_at, t.closed_at,
    d.department, d.status_at_end,
    {IN_PERIOD.format(ts="t.created_at")} AS of_month,
    (epoch(t.responded_at) - epoch(t.created_at)) / 60 AS response_min,
    (epoch(t.closed_at) - epoch(t.created_at)) / 3600 AS closure_h
FROM tickets AS t JOIN in_region USING (region_code) JOIN detail AS d USING (ticket_id)"""
"""Every ticket of R, kept as the table ``hotline`` (the events are read once)."""

_SUMMARY = f"""SELECT count(*) AS created,
    count(*) FILTER (WHERE {AT_NIGHT.format(ts="created_at")}) AS night_created
FROM hotline WHERE of_month"""

_BY_STATUS = """SELECT k.status, count(h.ticket_id) AS tickets
FROM unnest($statuses) WITH ORDINALITY AS k(status, position)
LEFT JOIN hotline AS h ON h.status_at_end = k.status AND h.of_month
GROUP BY k.status, k.position ORDER BY k.position"""

_SLA = f"""SELECT department, count(*) AS due,
    count(*) FILTER (WHERE NOT coalesce(closed_at <= due_at, false)) AS missed
FROM hotline WHERE {IN_PERIOD.format(ts="due_at")}
GROUP BY department ORDER BY missed DESC, due DESC, department"""

_BY_HOUR = """SELECT CAST(h.hour AS INTEGER) AS hour, count(t.ticket_id) AS created,
    count(*) FILTER (WHERE t.responded_at <= t.created_at + INTERVAL 30 MINUTE) AS responded_30min
FROM range(24) AS h(hour)
LEFT JOIN hotline AS t ON hour(t.created_at) = h.hour AND t.of_month
GROUP BY h.hour ORDER BY h.hour"""

_SCORES = f"""WITH {LATEST_CALLBACK_CTE},
scored AS (
    SELECT c.satisfaction FROM latest_callback AS c JOIN hotline USING (ticket_id)
)
SELECT CAST(s.score AS INTEGER) AS score, count(scored.satisfaction) AS callbacks
FROM range(1, 6) AS s(score) LEFT JOIN scored ON scored.satisfaction = s.score
GROUP BY s.score ORDER BY s.score"""


@dataclass(frozen=True, slots=True)
class _Timing:
    """A time from creation to a ticket's first event of a kind, as ``hotline`` holds it."""

    column: str
    unit: str
    edges: tuple[float, ...]

    def statistics_sql(self) -> str:
        return (
            f"SELECT count(*) FILTER (WHERE {self.column} IS NULL) AS missing, "
            f"quantile_cont({self.column}, 0.5) AS median, "
            f"quantile_cont({self.column}, 0.9) AS p90 "
            "FROM hotline WHERE of_month"
        )

    def bins_sql(self) -> str:
        return (
            f"SELECT {bin_sql(self.column, self.edges)} AS bin, count(*) AS tickets "
            f"FROM hotline WHERE of_month AND {self.column} IS NOT NULL GROUP BY bin"
        )

    def distribution(self, query: MonthQuery) -> TimeDistribution:
        counts = {row["bin"]: row["tickets"] for row in query.rows(self.bins_sql())}
        return TimeDistribution(
            unit=self.unit, bins=bins(self.edges, counts), **query.one(self.statistics_sql())
        )


_RESPONSE = _Timing("response_min", "minute", RESPONSE_EDGES_MIN)
_CLOSURE = _Timing("closure_h", "hour", CLOSURE_EDGES_H)


def hotline_operations(query: MonthQuery) -> HotlineOperations:
    """The hotline page of the query's region and month."""
    facts = fact_figures(query, _FACTS)
    query.create("hotline", _TICKETS)
    summary = query.one(_SUMMARY)
    sla = [DepartmentMisses(**row) for row in query.rows(_SLA)]
    return HotlineOperations(
        region_code=query.region_code,
        period=query.period,
        created=summary["created"],
        by_status=[StatusCount(**row) for row in query.rows(_BY_STATUS, statuses=list(_STATUSES))],
        response_30min=facts["capability.response_30min_rate"],
        response_time=_RESPONSE.distribution(query),
        closure_time=_CLOSURE.distribution(query),
        on_time_closure=facts["capability.on_time_closure_rate"],
        sla_missed=sum(row.missed for row in sla),
        sla_by_department=sla,
        night_start=query.night.start,
        night_end=query.night.end,
        night_created=summary["night_created"],
        night_response=facts["capability.night_response_rate"],
        by_hour=[HourCount(**row) for row in query.rows(_BY_HOUR)],
        satisfaction=facts["effect.hotline_satisfaction"],
        satisfaction_scores=[ScoreCount(**row) for row in query.rows(_SCORES)],
    )
