"""SQL fragments that several indicators share, written once (INDICATORS.md, precise rules)."""

from __future__ import annotations

__all__ = [
    "ACTIVE_DEVICE",
    "ACTIVE_SERVICE",
    "ALL",
    "IN_PERIOD",
    "RESIDENCE_CTE",
    "SHARE",
    "TICKETS_CTE",
    "exact_sum",
    "rolled_up",
]

IN_PERIOD = "{ts} >= $period_start AND {ts} < $period_end"
"""An instant inside P (format with the timestamp column as ``ts``)."""

SHARE = "count(*) FILTER (WHERE x.hit)"
"""The numerator of a share: rows whose boolean ``hit`` is true."""

ALL = "count(*)"


def exact_sum(expression: str, where: str | None = None) -> str:
    """Σ of a floating-point expression, the same on every run.

    DuckDB sums in parallel, and floating-point addition depends on the order,
    so a plain ``sum`` of doubles can differ in its last bits between two runs
    over the same rows; facts, run ids and payments must not.  Summing in fixed
    point (12 decimal places, each value rounded to 10⁻¹²) is exact and so
    independent of the order.  ``where`` filters the rows summed.
    """
    only = f" FILTER (WHERE {where})" if where else ""
    return f"CAST(sum(CAST({expression} AS DECIMAL(38, 12))){only} AS DOUBLE)"


RESIDENCE_CTE = """residence AS (
    SELECT user_id, region_code, real_name
    FROM portal_users
    WHERE registered_at < $period_end
    QUALIFY row_number() OVER (
        PARTITION BY user_id ORDER BY registered_at DESC, event_id DESC) = 1
)"""
"""A user's residence and real-name status: their latest ``portal_users`` row
registered by the end of P (ties broken by event id, so the choice is stable)."""

TICKETS_CTE = """created AS (
    SELECT ticket_id, ts AS created_at, region_code, due_at
    FROM ticket_events
    WHERE status = 'created'
    QUALIFY row_number() OVER (PARTITION BY ticket_id ORDER BY ts, event_id) = 1
),
milestones AS (
    SELECT ticket_id,
        min(ts) FILTER (WHERE status = 'responded') AS responded_at,
        min(ts) FILTER (WHERE status = 'closed') AS closed_at
    FROM ticket_events
    GROUP BY ticket_id
),
tickets AS (
    SELECT c.ticket_id, c.created_at, c.region_code, c.due_at,
        m.responded_at, m.closed_at
    FROM created AS c JOIN milestones AS m USING (ticket_id)
)"""
"""One row per ticket: region and ``due_at`` from its (earliest) created event,
response and closure from its earliest responded and closed events, whenever
they happened (a response after the month still counts for a ticket of the month)."""

ACTIVE_SERVICE = "online_since <= $last_day AND (offline_at IS NULL OR offline_at >= $first_day)"
"""A service is active in P: online on or before the last day, not offline before the first."""

ACTIVE_DEVICE = "installed_at <= $last_day AND (retired_at IS NULL OR retired_at >= $first_day)"
"""A device is active in P: installed on or before the last day, not retired before the first."""


def rolled_up(
    rows: str,
    numerator: str,
    denominator: str = "NULL",
    *,
    ctes: str = "",
    value: str = "NULL",
) -> str:
    """A body that aggregates ``rows`` (a query with a ``region_code`` column: the
    row's finest region) over every ancestor of that region.

    ``numerator``, ``denominator`` and ``value`` are aggregate expressions over
    the row alias ``x``; ``rows_read`` counts the rows under the region.
    """
    with_clause = f"WITH {ctes}\n" if ctes else ""
    return (
        f"{with_clause}"
        "SELECT c.ancestor AS region_code,\n"
        f"    {numerator} AS numerator,\n"
        f"    {denominator} AS denominator,\n"
        f"    {value} AS value,\n"
        "    count(*) AS rows_read\n"
        f"FROM ({rows}) AS x JOIN region_closure AS c ON c.descendant = x.region_code\n"
        "GROUP BY c.ancestor"
    )
