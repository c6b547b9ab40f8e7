"""Open311 use cases (市民诉求开放接口): what the GeoReport v2 endpoint reads —
jurisdictions, offered services and the public view of service requests.

A jurisdiction is a city: ``jurisdiction_id`` is the code of a region of
level ``city``, and may be left out when the register holds exactly one.  A
city offers the services of the ``services`` register whose region lies in
the city and which are online today (``online_since`` ≤ today <
``offline_at``).  The request queries select the spec's public fields only —
never the sealed contact columns — and the free text among them (description,
status notes) comes out with every phone, ID-card number and e-mail address
masked (``access.personal_text``): Open311's readers are anonymous, so nothing
personal can leak by accident.  The API turns what these return into the
spec's shapes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from cityops.access.cipher import ContactCipher
from cityops.access.personal_text import mask_personal
from cityops.access.scope import RegionTree
from cityops.domain.contract import table
from cityops.errors import ContractError
from cityops.register.access_schema import service_requests
from cityops.register.schema import current_table
from cityops.services.unit_of_work import UnitOfWork, on_register
from cityops.tickets import client_keys
from cityops.tickets.client_keys import ClientKey
from cityops.tickets.store import open_free_text

__all__ = [
    "MAX_REQUESTS",
    "ClientKey",
    "OfferedService",
    "PublicRequest",
    "RequestCriteria",
    "client_key_holder",
    "create_client_key",
    "find_requests",
    "jurisdiction_of",
    "list_client_keys",
    "offered_service",
    "offered_services",
    "request_id_for_token",
    "revoke_client_key",
]

MAX_REQUESTS = 1000
"""The spec's default (and here the only) limit of ``GET requests``."""

create_client_key = on_register(client_keys.create_key, commit=True)
list_client_keys = on_register(client_keys.list_keys, commit=False)
revoke_client_key = on_register(client_keys.revoke_key, commit=True)
client_key_holder = on_register(client_keys.key_holder, commit=False)


@dataclass(frozen=True, slots=True)
class OfferedService:
    service_code: str
    name: str
    department: str
    category: str
    region_code: str


@dataclass(frozen=True, slots=True)
class RequestCriteria:
    """``GET requests`` filters; ``ids`` overrides all others, as the spec says."""

    ids: tuple[str, ...] = ()
    service_codes: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None


@dataclass(frozen=True, slots=True)
class PublicRequest:
    """A service request's public fields: what Open311 may show of it (no contacts,
    personal data in the free text masked)."""

    service_request_id: str
    status: str
    status_notes: str | None
    service_name: str | None
    """The service's name in the register (None: the service is no longer there)."""
    service_code: str
    description: str | None
    department: str
    requested_at: datetime
    updated_at: datetime
    expected_at: datetime | None
    address: str | None
    lat: float | None
    lon: float | None
    media_url: str | None


def jurisdiction_of(uow: UnitOfWork, jurisdiction_id: str | None) -> str | None:
    """The city code ``jurisdiction_id`` names (None when it names no city); when it is
    omitted, the register's only city (a :class:`ContractError` when there are several
    or none)."""
    regions = current_table(table("regions"))
    query = sa.select(regions.c.region_code).where(regions.c.level == "city")
    if jurisdiction_id is not None:
        query = query.where(regions.c.region_code == jurisdiction_id)
    ordered = query.order_by(regions.c.region_code).limit(3)
    cities: list[str] = list(uow.register.scalars(ordered))
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
    uow: UnitOfWork, tree: RegionTree, city: str, today: date
) -> list[OfferedService]:
    """The services ``city`` offers today, by code."""
    services = current_table(table("services"))
    query = _services_query(today).where(services.c.region_code.in_(sorted(tree.descendants(city))))
    rows = uow.register.execute(query.order_by(services.c.service_id)).all()
    return [OfferedService(*row) for row in rows]


def offered_service(
    uow: UnitOfWork, tree: RegionTree, city: str, service_code: str, today: date
) -> OfferedService | None:
    """Service ``service_code`` if ``city`` offers it today."""
    services = current_table(table("services"))
    query = _services_query(today).where(services.c.service_id == service_code)
    row = uow.register.execute(query).first()
    if row is None or not tree.within(city, row.region_code):
        return None
    return OfferedService(*row)


def find_requests(uow: UnitOfWork, city: str, criteria: RequestCriteria) -> list[PublicRequest]:
    """The city's requests that meet ``criteria``, newest first, at most ``MAX_REQUESTS``."""
    services = current_table(table("services"))
    requests = service_requests.c
    query = (
        sa.select(
            requests.service_request_id,
            requests.status,
            requests.status_notes,
            requests.status_notes_enc,
            services.c.name.label("service_name"),
            requests.service_code,
            requests.description,
            requests.description_enc,
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
    rows = uow.register.execute(query.limit(MAX_REQUESTS)).mappings().all()
    return [_public(uow.backend.cipher, row) for row in rows]


def _public(cipher: ContactCipher, row: sa.RowMapping) -> PublicRequest:
    """The request of ``row``, its free text opened and masked."""
    text = {
        name: None if value is None else mask_personal(value)
        for name, value in open_free_text(cipher, row).items()
    }
    fields = {k: v for k, v in row.items() if not k.endswith("_enc")}
    return PublicRequest(**{**fields, **text})


def request_id_for_token(uow: UnitOfWork, city: str, token: str) -> str | None:
    query = sa.select(service_requests.c.service_request_id).where(
        service_requests.c.token == token, service_requests.c.jurisdiction_id == city
    )
    found: str | None = uow.register.scalars(query).first()
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
