"""Turning an Open311 ``POST requests`` form into a ticket (市民诉求受理).

The ticket takes its department and category from the service and its region
from the service too, unless the form names a region (the ``region_code``
extension) within the service's region: a city-wide service, say road
repairs, can then be counted in the district where the pothole is.  The
channel is ``app`` when the form carries a ``device_id`` (the spec: "usually
only used for mobile devices"), ``web`` otherwise.  An ``address_id`` is kept
as the address text: there is no master address repository here.
"""

from __future__ import annotations

from datetime import timedelta

from cityops.access.scope import RegionTree
from cityops.api.open311.schemas import ServiceRequestCreate
from cityops.errors import ContractError
from cityops.services.open311 import OfferedService
from cityops.services.tickets import NewTicket, Ticket, create_ticket
from cityops.services.unit_of_work import UnitOfWork
from cityops.tickets.contacts import Contacts, full_name

__all__ = ["submit_request"]


def submit_request(
    uow: UnitOfWork,
    tree: RegionTree,
    city: str,
    service: OfferedService,
    form: ServiceRequestCreate,
    *,
    due_in: timedelta,
) -> Ticket:
    """Store the request as a new open ticket of ``service`` in ``city``."""
    region = form.region_code or service.region_code
    if not tree.within(service.region_code, region):
        raise ContractError(
            f"region_code {region!r} does not lie within region {service.region_code} "
            f"of service {service.service_code!r}"
        )
    new = NewTicket(
        jurisdiction_id=city,
        service_code=service.service_code,
        region_code=region,
        department=service.department,
        category=service.category,
        channel="app" if form.device_id else "web",
        description=form.description,
        address=form.address_string or form.address_id,
        lat=form.lat,
        lon=form.long,
        media_url=form.media_url,
        contacts=Contacts(
            name=full_name(form.first_name, form.last_name), phone=form.phone, email=form.email
        ),
    )
    return create_ticket(uow, new, due_in=due_in)
