"""Portal operations (门户运营) of a region and month: users, activity, retention,
services, 一件事 funnels and ratings.

A user belongs to the region of their residence: their latest ``portal_users``
row registered by the end of the month (``RESIDENCE_BY_IX_CTE``, as the
indicators read it), and their events and ratings with them.  Users, activity
and service calls come from the compact tables built at ingest
(``user_registrations``, ``user_day_activity``, ``user_day_services``), not
from the events, so the page costs scans of integers, not of the month's
events.

Definitions (month P, region R):

- registered: users whose residence is in R; real-name: of them, real_name;
  registered in the month: whose first registration falls in P;
- daily actives: per day of P, users with any portal event that day;
- retention cohorts: users grouped by the month of their first registration,
  for the ``COHORT_MONTHS`` months ending with P; cell k of a cohort is the
  share of its users with any portal event in the k-th month after it
  (k = 0: the registration month itself);
- top services: service calls in P by service, the ``TOP_SERVICES`` most called
  (ties by service id);
- 一件事 funnels: for each 一件事 (``services.one_thing_id``; its services those
  active in P and on the portal), users who called one of its services in P
  (started), of whom at least one call succeeded (succeeded), and who
  succeeded with every one of its services (completed);
- ratings: portal ratings in P by score, 1 非常不满意 … 5 非常满意.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from cityops.domain.period import Period
from cityops.indicators.computations.common import (
    ACTIVE_SERVICE,
    IN_PERIOD,
    RESIDENCE_BY_IX_CTE,
)
from cityops.operations.figures import FactFigure, fact_figures
from cityops.operations.month import MonthQuery, month_index

__all__ = [
    "COHORT_MONTHS",
    "TOP_SERVICES",
    "Cohort",
    "DailyActive",
    "OneThingFunnel",
    "PortalOperations",
    "PortalUsers",
    "RatingCount",
    "ServiceUse",
    "portal_operations",
]

COHORT_MONTHS = 6
TOP_SERVICES = 10

_FACTS = (
    "effect.resident_coverage",
    "effect.dau_mau",
    "effect.mau_rate",
    "capability.service_success_rate",
    "effect.rating_good_rate",
)


class PortalUsers(BaseModel):
    registered: int
    real_name: int
    registered_in_month: int
    resident_population: int | None
    coverage: FactFigure
    """``effect.resident_coverage``: real-name users ÷ resident population."""


class DailyActive(BaseModel):
    day: date
    users: int


class Cohort(BaseModel):
    cohort: Period
    """The registration month (written YYYY-MM)."""
    users: int
    retention: list[float | None]
    """Share of the cohort active in its month + k, for k = 0 up to the month asked
    for (None when the cohort is empty)."""


class ServiceUse(BaseModel):
    service_id: str
    name: str | None
    """None when the service is not in the register."""
    department: str | None
    calls: int
    successful: int
    success_rate: float


class OneThingFunnel(BaseModel):
    one_thing_id: str
    services: int
    started: int
    succeeded: int
    completed: int


class RatingCount(BaseModel):
    rating: int
    ratings: int


class PortalOperations(BaseModel):
    region_code: str
    period: Period
    users: PortalUsers
    dau_mau: FactFigure
    """``effect.dau_mau``: numerator the mean daily actives, denominator the monthly actives."""
    mau_rate: FactFigure
    daily_active: list[DailyActive]
    cohorts: list[Cohort]
    top_services: list[ServiceUse]
    service_success: FactFigure
    one_things: list[OneThingFunnel]
    ratings: list[RatingCount]
    rating_good_rate: FactFigure


_RESIDENTS = f"""WITH {RESIDENCE_BY_IX_CTE},
first_registered AS (
    SELECT user_ix, min(registered_at) AS registered_at
    FROM user_registrations WHERE registered_at < $period_end GROUP BY user_ix
)
SELECT r.user_ix, r.real_name, f.registered_at AS first_registered_at
FROM residence AS r
JOIN in_region USING (region_code)
JOIN first_registered AS f USING (user_ix)"""
"""Users whose residence at the end of P lies in R, by dense index, with their first
registration.  Kept as the table ``residents``: the registrations are read once per
answer, not once per query."""

_USERS = """SELECT count(*) AS registered,
    count(*) FILTER (WHERE real_name) AS real_name,
    count(*) FILTER (WHERE first_registered_at >= $period_start) AS registered_in_month,
    (SELECT resident_population FROM regions WHERE region_code = $region) AS resident_population
FROM residents"""

_DAILY_ACTIVE = """WITH active AS (
    SELECT a.day, count(*) AS users
    FROM user_day_activity AS a JOIN residents AS r USING (user_ix)
    WHERE a.day >= $first_day AND a.day <= $last_day
    GROUP BY a.day
)
SELECT CAST(d.day AS DATE) AS day, coalesce(active.users, 0) AS users
FROM generate_series($first_day, $last_day, INTERVAL 1 DAY) AS d(day)
LEFT JOIN active ON active.day = CAST(d.day AS DATE)
ORDER BY 1"""

_COHORT_MEMBERS = """WITH members AS (
    SELECT user_ix, year(first_registered_at) * 12 + month(first_registered_at) - 1 AS cohort
    FROM residents WHERE first_registered_at >= $cohorts_start
)"""

_COHORT_SIZES = f"""{_COHORT_MEMBERS}
SELECT cohort, count(*) AS users FROM members GROUP BY cohort"""

_COHORT_ACTIVE = f"""{_COHORT_MEMBERS},
active_months AS (
    SELECT DISTINCT user_ix, year(day) * 12 + month(day) - 1 AS month
    FROM user_day_activity
    WHERE day >= CAST($cohorts_start AS DATE) AND day <= $last_day
)
SELECT m.cohort, a.month - m.cohort AS months_after, count(*) AS users
FROM members AS m JOIN active_months AS a ON a.user_ix = m.user_ix AND a.month >= m.cohort
GROUP BY ALL"""

_IN_MONTH = "u.day >= $first_day AND u.day <= $last_day"

_TOP_SERVICES = f"""WITH used AS (
    SELECT u.service_id, CAST(sum(u.calls) AS BIGINT) AS calls,
        CAST(sum(u.successes) AS BIGINT) AS successful
    FROM user_day_services AS u JOIN residents USING (user_ix)
    WHERE {_IN_MONTH}
    GROUP BY u.service_id
    ORDER BY calls DESC, u.service_id
    LIMIT $top
)
SELECT used.service_id, s.name, s.department, used.calls, used.successful,
    used.successful / used.calls AS success_rate
FROM used LEFT JOIN services AS s USING (service_id)
ORDER BY used.calls DESC, used.service_id"""

_ONE_THINGS = f"""WITH bundled AS (
    SELECT service_id, one_thing_id FROM services
    WHERE one_thing_id IS NOT NULL AND on_portal AND {ACTIVE_SERVICE}
),
bundle_sizes AS (SELECT one_thing_id, count(*) AS services FROM bundled GROUP BY one_thing_id),
per_service AS (
    SELECT b.one_thing_id, u.user_ix, u.service_id, sum(u.successes) > 0 AS done
    FROM user_day_services AS u
    JOIN bundled AS b USING (service_id)
    JOIN residents USING (user_ix)
    WHERE {_IN_MONTH}
    GROUP BY b.one_thing_id, u.user_ix, u.service_id
),
by_user AS (
    SELECT one_thing_id, user_ix, bool_or(done) AS succeeded,
        count(*) FILTER (WHERE done) AS services_done
    FROM per_service GROUP BY one_thing_id, user_ix
)
SELECT s.one_thing_id, s.services,
    count(u.user_ix) AS started,
    count(*) FILTER (WHERE u.succeeded) AS succeeded,
    count(*) FILTER (WHERE u.services_done = s.services) AS completed
FROM bundle_sizes AS s LEFT JOIN by_user AS u USING (one_thing_id)
GROUP BY s.one_thing_id, s.services
ORDER BY started DESC, s.one_thing_id"""

_RATINGS = f"""WITH rated AS (
    SELECT p.rating FROM portal_ratings AS p
    JOIN user_index USING (user_id) JOIN residents USING (user_ix)
    WHERE {IN_PERIOD.format(ts="p.ts")}
)
SELECT CAST(s.rating AS INTEGER) AS rating, count(rated.rating) AS ratings
FROM range(1, 6) AS s(rating) LEFT JOIN rated ON rated.rating = s.rating
GROUP BY s.rating ORDER BY s.rating"""


def portal_operations(query: MonthQuery) -> PortalOperations:
    """The portal page of the query's region and month."""
    facts = fact_figures(query, _FACTS)
    query.create("residents", _RESIDENTS)
    return PortalOperations(
        region_code=query.region_code,
        period=query.period,
        users=PortalUsers(**query.one(_USERS), coverage=facts["effect.resident_coverage"]),
        dau_mau=facts["effect.dau_mau"],
        mau_rate=facts["effect.mau_rate"],
        daily_active=[DailyActive(**row) for row in query.rows(_DAILY_ACTIVE)],
        cohorts=_cohorts(query),
        top_services=[ServiceUse(**row) for row in query.rows(_TOP_SERVICES, top=TOP_SERVICES)],
        service_success=facts["capability.service_success_rate"],
        one_things=[OneThingFunnel(**row) for row in query.rows(_ONE_THINGS)],
        ratings=[RatingCount(**row) for row in query.rows(_RATINGS)],
        rating_good_rate=facts["effect.rating_good_rate"],
    )


def _cohorts(query: MonthQuery) -> list[Cohort]:
    """The ``COHORT_MONTHS`` cohorts ending with the query's month, oldest first."""
    first = query.period.plus(1 - COHORT_MONTHS)
    start = {"cohorts_start": first.start}
    sizes = {row["cohort"]: row["users"] for row in query.rows(_COHORT_SIZES, **start)}
    active = {
        (row["cohort"], row["months_after"]): row["users"]
        for row in query.rows(_COHORT_ACTIVE, **start)
    }
    cohorts: list[Cohort] = []
    for offset in range(COHORT_MONTHS):
        month = first.plus(offset)
        index = month_index(month)
        size = sizes.get(index, 0)
        retention = [
            active.get((index, k), 0) / size if size else None
            for k in range(COHORT_MONTHS - offset)
        ]
        cohorts.append(Cohort(cohort=month, users=size, retention=retention))
    return cohorts
