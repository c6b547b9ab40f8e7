"""运营成效 effectiveness: utilisation, sharing, coverage, activity, satisfaction."""

from __future__ import annotations

from cityops.indicators.computations.base import Computation
from cityops.indicators.computations.common import (
    ALL,
    IN_PERIOD,
    RESIDENCE_CTE,
    SHARE,
    TICKETS_CTE,
    exact_sum,
    rolled_up,
)

__all__ = ["EFFECTIVENESS"]

_ACTIVE_USERS_CTE = f"""active AS (
    SELECT DISTINCT user_id FROM portal_events WHERE {IN_PERIOD.format(ts="ts")}
)"""

_RESIDENT_COVERAGE = f"""WITH {RESIDENCE_CTE},
covered AS (
    SELECT c.ancestor AS region_code, count(*) AS users
    FROM residence AS x JOIN region_closure AS c ON c.descendant = x.region_code
    WHERE x.real_name
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
        exact_sum("x.score * x.sample_size"),
        "sum(x.sample_size)",
    )


EFFECTIVENESS: tuple[Computation, ...] = (
    Computation(
        "effect.cloud_utilisation",  # 政务云资源利用率: mean of per-sample vcpu_used ÷ vcpu_alloc
        rolled_up(
            "SELECT r.region_code, u.vcpu_used / nullif(r.vcpu_alloc, 0) AS share "
            "FROM cloud_usage AS u JOIN cloud_resources AS r USING (resource_id) "
            f"WHERE {IN_PERIOD.format(ts='u.ts')}",
            exact_sum("x.share"),
            "count(x.share)",
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
    Computation(
        # 日活/月活: (Σ over the days of P of DAU ÷ days) ÷ MAU.  Each user has one
        # residence, so the (user, day) pairs under R are distinct and count(*) = Σ DAU.
        "effect.dau_mau",
        rolled_up(
            "SELECT r.region_code, d.user_id FROM ("
            "SELECT DISTINCT user_id, CAST(ts AS DATE) AS day FROM portal_events "
            f"WHERE {IN_PERIOD.format(ts='ts')}) AS d JOIN residence AS r USING (user_id)",
            "count(*) / $days",
            "count(DISTINCT x.user_id)",
            ctes=RESIDENCE_CTE,
        ),
    ),
    Computation(
        "effect.mau_rate",  # 月活跃率: active in P ÷ registered by the end of P (rows = users)
        rolled_up(
            "SELECT r.region_code, a.user_id IS NOT NULL AS hit "
            "FROM residence AS r LEFT JOIN active AS a USING (user_id)",
            SHARE,
            ALL,
            ctes=f"{RESIDENCE_CTE},\n{_ACTIVE_USERS_CTE}",
        ),
    ),
    Computation(
        "effect.rating_good_rate",  # 好差评好评率: rating ≥ 3 (非常满意, 满意, 基本满意)
        rolled_up(
            "SELECT r.region_code, p.rating >= 3 AS hit "
            "FROM portal_ratings AS p JOIN residence AS r USING (user_id) "
            f"WHERE {IN_PERIOD.format(ts='p.ts')}",
            SHARE,
            ALL,
            ctes=RESIDENCE_CTE,
        ),
    ),
    Computation(
        "effect.hotline_satisfaction",  # 12345满意率: callbacks in P with satisfaction ≥ 4
        rolled_up(
            "SELECT t.region_code, e.satisfaction >= 4 AS hit "
            "FROM ticket_events AS e JOIN tickets AS t USING (ticket_id) "
            "WHERE e.status = 'callback' AND e.satisfaction IS NOT NULL "
            f"AND {IN_PERIOD.format(ts='e.ts')}",
            SHARE,
            ALL,
            ctes=TICKETS_CTE,
        ),
    ),
    Computation("effect.public_satisfaction", _survey_mean("public")),  # 公众满意度
    Computation("effect.government_satisfaction", _survey_mean("government")),  # 政府满意度
)
