"""SQL fragments that several indicators share, written once (INDICATORS.md, precise rules)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ACTIVE_DEVICE",
    "ACTIVE_SERVICE",
    "ALL",
    "AT_NIGHT",
    "IN_PERIOD",
    "LATEST_CALLBACK_CTE",
    "RESIDENCE_BY_IX_CTE",
    "RESIDENCE_CTE",
    "SHARE",
    "TICKETS_CTE",
    "Additive",
    "exact_sum",
    "exact_total",
    "integer_sum",
    "rolled_up",
    "rolled_up_rows",
]

IN_PERIOD = "{ts} >= $period_start AND {ts} < $period_end"
"""An instant inside P (format with the timestamp column as ``ts``)."""

AT_NIGHT = "(hour({ts}) - $night_start + 24) % 24 < ($night_end - $night_start + 24) % 24"
"""An instant in the city's night (``cityops.domain.night.NightHours``: from
``$night_start`` o'clock up to ``$night_end`` o'clock, local time, across midnight
when the start is the later hour): its hours since the night started are fewer than
the night has (format with the timestamp column as ``ts``)."""


@dataclass(frozen=True, slots=True)
class Additive:
    """A figure that adds up over regions, so it is computed once per finest region
    and summed over the finest regions under each ancestor (``rolled_up``).

    ``per_leaf`` is an aggregate over the rows ``x`` of one finest region;
    ``total`` combines the finest regions' figures under an ancestor (``{}`` is
    their column): by default their sum as a BIGINT, for counts and integer sums.
    """

    per_leaf: str
    total: str = "CAST(sum({}) AS BIGINT)"


SHARE = Additive("count(*) FILTER (WHERE x.hit)")
"""The numerator of a share: rows whose boolean ``hit`` is true."""

ALL = Additive("count(*)")


def integer_sum(expression: str) -> Additive:
    """Σ of an integer expression over the rows ``x``."""
    return Additive(f"sum({expression})")


def exact_total(expression: str) -> Additive:
    """Σ of a floating-point expression over the rows ``x``, in fixed point as
    ``exact_sum`` (so the same on every run), summed over regions before the
    single cast to DOUBLE."""
    return Additive(f"sum(CAST({expression} AS DECIMAL(38, 12)))", "CAST(sum({}) AS DOUBLE)")


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


def _residence_cte(user: str, registrations: str) -> str:
    """The ``residence`` CTE of each ``user`` (column) from the table ``registrations``."""
    return f"""residence AS (
    SELECT {user}, region_code, real_name
    FROM {registrations}
    WHERE registered_at < $period_end
    QUALIFY row_number() OVER (
        PARTITION BY {user} ORDER BY registered_at DESC, event_id DESC) = 1
)"""


RESIDENCE_CTE = _residence_cte("user_id", "portal_users")
"""A user's residence and real-name status: their latest ``portal_users`` row
registered by the end of P (ties broken by event id, so the choice is stable)."""

RESIDENCE_BY_IX_CTE = _residence_cte("user_ix", "user_registrations")
"""``RESIDENCE_CTE`` by dense user index, from the compact copy of ``portal_users``
built at ingest (``user_registrations``): the same rows, chosen the same way,
keyed by an integer and read from a few files instead of by user_id across the
lake's day partitions.  Indicators place users with it (joining ``user_index``
where their rows carry a user_id)."""

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

LATEST_CALLBACK_CTE = f"""latest_callback AS (
    SELECT ticket_id, satisfaction
    FROM ticket_events
    WHERE status = 'callback' AND satisfaction IS NOT NULL AND {IN_PERIOD.format(ts="ts")}
    QUALIFY row_number() OVER (PARTITION BY ticket_id ORDER BY ts DESC, event_id DESC) = 1
)"""
"""One row per ticket called back in P with a satisfaction: the latest such callback
(回访) in P, so a ticket called back several times counts once, with the citizen's
last word; at the same instant the greater ``event_id`` wins."""

ACTIVE_SERVICE = "online_since <= $last_day AND (offline_at IS NULL OR offline_at >= $first_day)"
"""A service is active in P: online on or before the last day, not offline before the first."""

ACTIVE_DEVICE = "installed_at <= $last_day AND (retired_at IS NULL OR retired_at >= $first_day)"
"""A device is active in P: installed on or before the last day, not retired before the first."""


def rolled_up(
    rows: str,
    numerator: Additive,
    denominator: Additive | None = None,
    *,
    ctes: str = "",
    rows_read: Additive = ALL,
) -> str:
    """A body that aggregates ``rows`` (a query with a ``region_code`` column: the
    row's finest region) over every ancestor of that region, for figures that add up.

    The rows are aggregated once per finest region, and only those few sums are
    joined to ``region_closure`` and added up per ancestor: an ancestor's count or
    sum is the sum of its finest regions' (each row has one finest region), and
    the closure join stays as small as the region tree instead of multiplying
    every row by its depth.  ``rows_read`` counts the rows under the region unless
    told otherwise (rows that stand for several source rows say how many).
    """
    with_clause = f"{ctes},\n" if ctes else ""
    measures = {"numerator": numerator, "denominator": denominator, "rows_read": rows_read}
    per_leaf = "".join(
        f",\n        {measure.per_leaf} AS {name}"
        for name, measure in measures.items()
        if measure is not None
    )
    totals = "".join(
        f",\n    {measure.total.format(f'l.{name}')} AS {name}"
        if measure is not None
        else f",\n    NULL AS {name}"
        for name, measure in measures.items()
    )
    return (
        f"WITH {with_clause}"
        f"leaf AS (\n    SELECT x.region_code{per_leaf}\n"
        f"    FROM ({rows}) AS x\n    GROUP BY x.region_code\n)\n"
        f"SELECT c.ancestor AS region_code{totals},\n    NULL AS value\n"
        "FROM leaf AS l JOIN region_closure AS c ON c.descendant = l.region_code\n"
        "GROUP BY c.ancestor"
    )


def rolled_up_rows(
    rows: str,
    numerator: str,
    denominator: str = "NULL",
    *,
    ctes: str = "",
    value: str = "NULL",
) -> str:
    """A body that joins every row of ``rows`` to all ancestors of its finest region
    and aggregates per ancestor: for figures that do not add up over regions
    (percentiles, distinct counts), computed from the rows themselves at every level.

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
