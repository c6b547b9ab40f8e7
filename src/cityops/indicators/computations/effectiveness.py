"""运营成效 effectiveness: utilisation, sharing, coverage, activity, satisfaction."""

from __future__ import annotations

from cityops.indicators.computations.base import Computation
from cityops.indicators.computations.common import (
    ALL,
    IN_PERIOD,
    LATEST_CALLBACK_CTE,
    RESIDENCE_BY_IX_CTE,
    SHARE,
    TICKETS_CTE,
    Additive,
    exact_total,
    integer_sum,
    rolled_up,
)

__all__ = ["EFFECTIVENESS"]

_ACTIVE_DAYS_CTE = """active AS (
    SELECT user_ix, count(*) AS active_days
    FROM user_day_activity
    WHERE day >= $first_day AND day <= $last_day
    GROUP BY user_ix
)"""
"""Each user active in P (by dense index) and on how many local days of P.

Read from the compact table built at ingest (one row per user and day with any
``portal_events``), not from the events: a month of a city is a few million
rows of integers instead of ~120 M events whose string ids would be counted
distinct, per region, at every level.  ``day`` is the local day of the events,
so the days of P are exactly the events with ``ts`` in P."""

_DAU_MAU = rolled_up(
    "SELECT r.region_code, a.active_days FROM active AS a JOIN residence AS r USING (user_ix)",
    Additive("sum(x.active_days)", "CAST(sum({}) AS BIGINT) / $days"),
    ALL,
    ctes=f"{RESIDENCE_BY_IX_CTE},\n{_ACTIVE_DAYS_CTE}",
    rows_read=integer_sum("x.active_days"),
)
"""日活/月活: (Σ over the days of P of DAU ÷ days) ÷ MAU, per region from the users
whose residence is in it.

Σ DAU over the days of P is the number of (user, day) pairs, that is Σ of each
user's active days; MAU is the number of active users.  Each user has one
residence, so a user is one row of one finest region, and the regions' counts
add up to their ancestors': no ``count(DISTINCT)`` at any level.  ``rows_read``
is the (user, day) rows read, as when the pairs were taken from the events."""

_RESIDENT_COVERAGE = f"""WITH {RESIDENCE_BY_IX_CTE},
leaf AS (
    SELECT region_code, count(*) AS users
    FROM residence
    WHERE real_name
    GROUP BY region_code
),
covered AS (
    SELECT c.ancestor AS region_code, CAST(sum(l.users) AS BIGINT) AS users
    FROM leaf AS l JOIN region_closure AS c ON c.descendant = l.region_code
    GROUP BY c.ancestor
)
SELECT r.region_code,
    coalesce(v.users, 0) AS numerator,
    r.resident_population AS denominator,
    NULL AS value,
    coalesce(v.users, 0) AS rows_read
FROM regions AS r LEFT JOIN covered AS v ON v.region_code = r.region_code"""
"""Real-name users whose residence is in R ÷ R's own resident_population.  The
denominator comes from every region, so a region without users scores 0, not missing."""


def _survey_mean(respondent: str) -> str:
    """Sample-weighted mean survey score of R and the regions below it."""
    return rolled_up(
        "SELECT region_code, score, sample_size FROM surveys "
        f"WHERE period = $period AND respondent = '{respondent}'",
        exact_total("x.score * x.sample_size"),
        integer_sum("x.sample_size"),
    )


EFFECTIVENESS: tuple[Computation, ...] = (
    Computation(
        "effect.cloud_utilisation",  # 政务云资源利用率: mean of per-sample vcpu_used ÷ vcpu_alloc
        rolled_up(
            "SELECT r.region_code, u.vcpu_used / nullif(r.vcpu_alloc, 0) AS share "
            "FROM cloud_usage AS u JOIN cloud_resources AS r USING (resource_id) "
            f"WHERE {IN_PERIOD.format(ts='u.ts')}",
            exact_total("x.share"),
            Additive("count(x.share)"),
        ),
    ),
    Computation(
        "effect.data_usage_rate",  # 政务数据资源共享利用率
        rolled_up(
            "SELECT d.region_code, EXISTS (SELECT 1 FROM data_sharing_calls AS s "
            "WHERE s.resource_id = d.resource_id AND s.success "
            f"AND {IN_PERIOD.format(ts='s.ts')}) AS hit "
            "FROM data_resources AS d WHERE d.share_type <> 'none'",
            SHARE,
            ALL,
        ),
    ),
    Computation("effect.resident_coverage", _RESIDENT_COVERAGE),  # 用户覆盖率
    Computation("effect.dau_mau", _DAU_MAU),  # 用户活跃度 (日活/月活)
    Computation(
        "effect.mau_rate",  # 月活跃率: active in P ÷ registered by the end of P (rows = users)
        rolled_up(
            "SELECT r.region_code, a.user_ix IS NOT NULL AS hit "
            "FROM residence AS r LEFT JOIN active AS a USING (user_ix)",
            SHARE,
            ALL,
            ctes=f"{RESIDENCE_BY_IX_CTE},\n{_ACTIVE_DAYS_CTE}",
        ),
    ),
    Computation(
        "effect.rating_good_rate",  # 好差评好评率: rating ≥ 3 (非常满意, 满意, 基本满意)
        rolled_up(
            "SELECT r.region_code, p.rating >= 3 AS hit FROM portal_ratings AS p "
            "JOIN user_index AS i USING (user_id) JOIN residence AS r USING (user_ix) "
            f"WHERE {IN_PERIOD.format(ts='p.ts')}",
            SHARE,
            ALL,
            ctes=RESIDENCE_BY_IX_CTE,
        ),
    ),
    Computation(
        "effect.hotline_satisfaction",  # 12345满意率: tickets whose latest callback in P is ≥ 4
        rolled_up(
            "SELECT t.region_code, c.satisfaction >= 4 AS hit "
            "FROM latest_callback AS c JOIN tickets AS t USING (ticket_id)",
            SHARE,
            ALL,
            ctes=f"{TICKETS_CTE},\n{LATEST_CALLBACK_CTE}",
        ),
    ),
    Computation("effect.public_satisfaction", _survey_mean("public")),  # 公众满意度
    Computation("effect.government_satisfaction", _survey_mean("government")),  # 政府满意度
)
