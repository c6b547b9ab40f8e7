"""What the Open311 endpoint reads: jurisdictions, offered services and the public
view of service requests.

A jurisdiction is a city: ``jurisdiction_id`` is the code of a region of
level ``city``, and may be left out when the register holds exactly one.  A
city offers the services of the ``services`` register whose region lies in
the city and which are online today (``online_since`` ≤ today <
``offline_at``).  The request queries select the spec's public fields only —
never the sealed contact columns — so nothing personal can leak by accident.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from cityops.access.scope import RegionTree
from cityops.api.open311.schemas import ServicePublic, ServiceRequestPublic
from cityops.domain.contract import table
from cityops.errors import ContractError
from cityops.register.access_schema import service_requests
from cityops.register.schema import current_table
from cityops.tickets.lifecycle import CLOSED, OPEN

__all__ = [
    "MAX_REQUESTS",
    "MAX_SPAN",
    "OfferedService",
    "RequestCriteria",
    "criteria_from_query",
    "find_requests",
    "jurisdiction_of",
    "offered_service",
    "offered_services",
    "request_id_for_token",
    "service_notice",
]

MAX_REQUESTS = 1000
"""The spec's default (and here the only) limit of ``GET requests``."""
MAX_SPAN = timedelta(days=90)
"""The widest ``start_date``…``end_date`` window, and the default one (ending now)."""
_EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
_LATEST = datetime(9999, 1, 1, tzinfo=UTC)
"""Dates a filter may name: far wider than any request's, narrow enough that a
window of ``MAX_SPAN`` around them and their UTC value both exist."""
_UNENCODED_PLUS = re.compile(r"(T[0-9:.]+) ([0-9]{2}:?[0-9]{2})$")


@dataclass(frozen=True, slots=True)
class OfferedService:
    service_code: str
    name: str
    department: str
    category: str
    region_code: str

    def public(self) -> ServicePublic:
        """Service list entry: ``group`` is the category; every service is ``realtime``
        (the id comes back at once) and has no attributes (``metadata`` false)."""
        return ServicePublic(
            service_code=self.service_code,
            service_name=self.name,
            description=f"{self.category} · {self.department}",
            metadata=False,
            type="realtime",
            keywords=f"{self.category}, {self.department}",
            group=self.category,
        )


@dataclass(frozen=True, slots=True)
class RequestCriteria:
    """``GET requests`` filters; ``ids`` overrides all others, as the spec says."""

    ids: tuple[str, ...] = ()
    service_codes: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None


def jurisdiction_of(engine: sa.Engine, jurisdiction_id: str | None) -> str | None:
    """The city code ``jurisdiction_id`` names (None when it names no city); when it is
    omitted, the register's only city (a :class:`ContractError` when there are several
    or none)."""
    regions = current_table(table("regions"))
    query = sa.select(regions.c.region_code).where(regions.c.level == "city")
    if jurisdiction_id is not None:
        query = query.where(regions.c.region_code == jurisdiction_id)
    with engine.connect() as connection:
        cities: list[str] = list(connection.scalars(query.order_by(regions.c.region_code).limit(3)))
    if jurisdiction_id is not None:
        return cities[0] if cities else None
    if len(cities) != 1:
        known = ", ".join(cities) + (", …" if len(cities) > 2 else "")
        raise ContractError(
            "jurisdiction_id is required: "
            + (
                f"this endpoint serves several cities ({known})"
                if cities
                else "the region register holds no city yet"
            )
        )
    return cities[0]


def offered_services(
    engine: sa.Engine, tree: RegionTree, city: str, today: date
) -> list[OfferedService]:
    """The services ``city`` offers today, by code."""
    services = current_table(table("services"))
    query = _services_query(today).where(services.c.region_code.in_(sorted(tree.descendants(city))))
    with engine.connect() as connection:
        rows = connection.execute(query.order_by(services.c.service_id)).all()
    return [OfferedService(*row) for row in rows]


def offered_service(
    engine: sa.Engine, tree: RegionTree, city: str, service_code: str, today: date
) -> OfferedService | None:
    """Service ``service_code`` if ``city`` offers it today."""
    services = current_table(table("services"))
    query = _services_query(today).where(services.c.service_id == service_code)
    with engine.connect() as connection:
        row = connection.execute(query).first()
    if row is None or not tree.within(city, row.region_code):
        return None
    return OfferedService(*row)


def service_notice(department: str, expected_at: datetime | None, zone: ZoneInfo) -> str:
    """What happens next, in Chinese and English."""
    if expected_at is None:
        return f"由{department}办理 / handled by {department}"
    due = expected_at.astimezone(zone)
    return (
        f"由{department}办理，预计{due:%Y-%m-%d %H:%M}前办结 / "
        f"handled by {department}, expected by {due.isoformat(timespec='minutes')}"
    )


def criteria_from_query(
    *,
    service_request_id: Sequence[str],
    service_code: Sequence[str],
    status: Sequence[str],
    start_date: str | None,
    end_date: str | None,
    now: datetime,
    zone: ZoneInfo,
) -> RequestCriteria:
    """The filters of a ``GET requests`` query (lists may repeat and be comma
    delimited).  The window defaults to the 90 days before ``end_date`` (or now),
    and may not span more; a date-time without an offset is local time."""
    ids = _comma_list(service_request_id)
    if ids:
        if len(ids) > MAX_REQUESTS:
            raise ContractError(f"at most {MAX_REQUESTS} service_request_id values at once")
        return RequestCriteria(ids=ids)
    statuses = _comma_list(status)
    if unknown := [s for s in statuses if s not in (OPEN, CLOSED)]:
        raise ContractError(f"status {unknown[0]!r} is not one of: {OPEN}, {CLOSED}")
    end = _instant(end_date, "end_date", zone) or now
    start = _instant(start_date, "start_date", zone) or end - MAX_SPAN
    if start > end:
        raise ContractError("start_date is after end_date")
    if end - start > MAX_SPAN:
        raise ContractError(f"start_date and end_date may not span more than {MAX_SPAN.days} days")
    return RequestCriteria(
        service_codes=_comma_list(service_code), statuses=statuses, start=start, end=end
    )


def find_requests(
    engine: sa.Engine, city: str, criteria: RequestCriteria, zone: ZoneInfo
) -> list[ServiceRequestPublic]:
    """The city's requests that meet ``criteria``, newest first, at most ``MAX_REQUESTS``."""
    services = current_table(table("services"))
    requests = service_requests.c
    query = (
        sa.select(
            requests.service_request_id,
            requests.status,
            requests.status_notes,
            services.c.name.label("service_name"),
            requests.service_code,
            requests.description,
            requests.department,
            requests.requested_at,
            requests.updated_at,
            requests.expected_at,
            requests.address,
            requests.lat,
            requests.lon,
            requests.media_url,
        )
        .select_from(
            service_requests.outerjoin(services, services.c.service_id == requests.service_code)
        )
        .where(requests.jurisdiction_id == city)
    )
    if criteria.ids:
        query = query.where(requests.service_request_id.in_(criteria.ids))
    else:
        if criteria.start is not None:
            query = query.where(requests.requested_at >= criteria.start)
        if criteria.end is not None:
            query = query.where(requests.requested_at <= criteria.end)
        if criteria.service_codes:
            query = query.where(requests.service_code.in_(criteria.service_codes))
        if criteria.statuses:
            query = query.where(requests.status.in_(criteria.statuses))
    query = query.order_by(requests.requested_at.desc(), requests.service_request_id)
    with engine.connect() as connection:
        rows = connection.execute(query.limit(MAX_REQUESTS)).mappings().all()
    return [_public(row, zone) for row in rows]


def request_id_for_token(engine: sa.Engine, city: str, token: str) -> str | None:
    query = sa.select(service_requests.c.service_request_id).where(
        service_requests.c.token == token, service_requests.c.jurisdiction_id == city
    )
    with engine.connect() as connection:
        found: str | None = connection.scalars(query).first()
    return found


def _services_query(today: date) -> sa.Select[Any]:
    services = current_table(table("services"))
    return sa.select(
        services.c.service_id,
        services.c.name,
        services.c.department,
        services.c.category,
        services.c.region_code,
    ).where(
        services.c.online_since <= today,
        sa.or_(services.c.offline_at.is_(None), services.c.offline_at > today),
    )


def _public(row: sa.RowMapping, zone: ZoneInfo) -> ServiceRequestPublic:
    expected: datetime | None = row["expected_at"]
    return ServiceRequestPublic(
        service_request_id=row["service_request_id"],
        status=row["status"],
        status_notes=row["status_notes"],
        service_name=row["service_name"],
        service_code=row["service_code"],
        description=row["description"],
        agency_responsible=row["department"],
        service_notice=service_notice(row["department"], expected, zone),
        requested_datetime=_w3c(row["requested_at"], zone),
        updated_datetime=_w3c(row["updated_at"], zone),
        expected_datetime=None if expected is None else _w3c(expected, zone),
        address=row["address"],
        address_id=None,
        zipcode=None,
        lat=row["lat"],
        long=row["lon"],
        media_url=row["media_url"],
    )


def _w3c(instant: datetime, zone: ZoneInfo) -> str:
    """``2025-01-01T08:00:00+08:00``: local time with its offset, as the spec asks."""
    return instant.astimezone(zone).isoformat(timespec="seconds")


def _comma_list(values: Sequence[str]) -> tuple[str, ...]:
    """Repeated and comma-delimited values, blanks dropped, first occurrence kept."""
    found = (part.strip() for value in values for part in value.split(","))
    return tuple(dict.fromkeys(part for part in found if part))


def _instant(text: str | None, name: str, zone: ZoneInfo) -> datetime | None:
    """The instant ``text`` names, in UTC.  A ``+`` left unencoded in a query string
    arrives as a space (``…T08:00:00 08:00``) and is read as the ``+`` it was."""
    if text is None or not text.strip():
        return None
    written = _UNENCODED_PLUS.sub(r"\1+\2", text.strip())
    try:
        value = datetime.fromisoformat(written)
    except ValueError:
        raise ContractError(
            f"{name} {text!r} is not a W3C date-time such as 2010-01-01T00:00:00Z"
        ) from None
    try:
        instant = (value.replace(tzinfo=zone) if value.tzinfo is None else value).astimezone(UTC)
    except OverflowError:  # year 1 east of UTC, year 9999 west of it
        instant = None
    if instant is None or not _EARLIEST <= instant < _LATEST:
        raise ContractError(
            f"{name} {text!r} lies outside {_EARLIEST.year}–{_LATEST.year - 1}, "
            "where every service request lies"
        )
    return instant
