"""运营能力 capability: coverage, availability, reliability, ease, timeliness, 7×24, team."""

from __future__ import annotations

from cityops.indicators.computations.base import Computation
from cityops.indicators.computations.common import (
    ACTIVE_SERVICE,
    ALL,
    AT_NIGHT,
    IN_PERIOD,
    RESIDENCE_BY_IX_CTE,
    SHARE,
    TICKETS_CTE,
    exact_total,
    integer_sum,
    rolled_up,
)

__all__ = ["CAPABILITY"]

_RESPONDED_IN_30_MIN = "coalesce(responded_at <= created_at + INTERVAL 30 MINUTE, false)"
"""A ticket never responded counts as not responded in time (it stays in the denominator)."""

_SERVICE_CALLS_CTE = """calls AS (
    SELECT user_ix, sum(service_calls) AS calls, sum(successful_calls) AS successes
    FROM user_day_activity
    WHERE day >= $first_day AND day <= $last_day AND service_calls > 0
    GROUP BY user_ix
)"""
"""Each caller's service calls in P and how many succeeded (a call without a
``success`` value did not), from the compact table built at ingest
(``user_day_activity``: a user's ``portal_events`` of a local day counted, among
them the service calls and the successful ones).  Counted per user before the
residence is joined: a caller's calls all belong to one residence, so the join
and the sums per region handle a few hundred thousand callers instead of every
call."""


def _response_within_30_min(extra_condition: str) -> str:
    return rolled_up(
        f"SELECT region_code, {_RESPONDED_IN_30_MIN} AS hit FROM tickets "
        f"WHERE {IN_PERIOD.format(ts='created_at')}{extra_condition}",
        SHARE,
        ALL,
        ctes=TICKETS_CTE,
    )


CAPABILITY: tuple[Computation, ...] = (
    Computation(
        "capability.portal_service_coverage",  # 统一门户服务事项覆盖率
        rolled_up(
            f"SELECT region_code, on_portal AS hit FROM services WHERE {ACTIVE_SERVICE}",
            SHARE,
            ALL,
        ),
    ),
    Computation(
        "capability.online_availability",  # 网上业务7×24可用性
        rolled_up(
            "SELECT s.region_code, p.up AS hit "
            "FROM system_probes AS p JOIN systems AS s USING (system_id) "
            f"WHERE {IN_PERIOD.format(ts='p.ts')}",
            SHARE,
            ALL,
        ),
    ),
    Computation(
        "capability.packet_loss_pct",  # 网络丢包率: mean loss_pct, percent
        rolled_up(
            f"SELECT region_code, loss_pct FROM network_probes WHERE {IN_PERIOD.format(ts='ts')}",
            exact_total("x.loss_pct"),
            ALL,
        ),
    ),
    Computation(
        "capability.service_success_rate",  # 服务一次办成率: by the caller's residence
        rolled_up(
            "SELECT r.region_code, c.calls, c.successes FROM calls AS c "
            "JOIN residence AS r USING (user_ix)",
            integer_sum("x.successes"),
            integer_sum("x.calls"),
            ctes=f"{RESIDENCE_BY_IX_CTE},\n{_SERVICE_CALLS_CTE}",
            rows_read=integer_sum("x.calls"),
        ),
    ),
    Computation(
        "capability.response_30min_rate",  # 30分钟响应率
        _response_within_30_min(""),
    ),
    Computation(
        "capability.night_response_rate",  # 夜间响应率: created at night ([hotline] of the city)
        _response_within_30_min(f" AND {AT_NIGHT.format(ts='created_at')}"),
    ),
    Computation(
        "capability.on_time_closure_rate",  # 按时办结率: due in P, first closed by due_at
        rolled_up(
            "SELECT region_code, coalesce(closed_at <= due_at, false) AS hit FROM tickets "
            f"WHERE {IN_PERIOD.format(ts='due_at')}",
            SHARE,
            ALL,
            ctes=TICKETS_CTE,
        ),
    ),
    Computation(
        "capability.team_staffing_rate",  # 团队专业性
        rolled_up("SELECT region_code, certified AS hit FROM staff WHERE required", SHARE, ALL),
    ),
)
