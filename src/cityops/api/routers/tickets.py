"""Tickets for staff (``/api/v1/tickets``, 工单): read them and record what was done.

Everyone sees only tickets in their region scope, and a department only its
own department's; any other ticket is answered 404, like a missing one.
Recording an event updates what Open311 shows (status, notes, update time)
and goes to the outbox for the lake.  Contacts, and any phone, ID-card number
or e-mail address in the free text (description, status notes), are masked
unless the caller may view personal data and asks ``?unmasked=true``; every
such view, and every refusal of one, is audited.
"""

from __future__ import annotations

from typing import Annotated, Literal, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, status
from fastapi.exceptions import RequestValidationError
from pydantic import AfterValidator, BaseModel, Field, field_validator

from cityops.access.personal_text import mask_personal
from cityops.access.roles import Action, Resource, Role
from cityops.access.scope import Principal
from cityops.api.deps import (
    Allowed,
    StateDep,
    UnitOfWorkDep,
    audit,
    not_found,
    require_in_scope,
)
from cityops.api.open311.render import clean_text
from cityops.api.pages import Offset
from cityops.api.state import AppState
from cityops.errors import ContractError
from cityops.public import Public, derived_from
from cityops.services.tickets import (
    Ticket,
    TicketEvent,
    contacts_of,
    get_ticket,
    list_tickets,
    record_event,
)
from cityops.services.tickets import ticket_events as events_of
from cityops.services.unit_of_work import UnitOfWork
from cityops.tickets.contacts import Contacts
from cityops.tickets.lifecycle import StaffEvent

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/tickets", tags=["tickets"])
Reader = Annotated[Principal, Depends(Allowed(Resource.TICKETS, Action.READ))]
Writer = Annotated[Principal, Depends(Allowed(Resource.TICKETS, Action.WRITE))]
UnmaskedQuery = Annotated[
    bool,
    Query(description="Contacts in clear: needs the personal-data right; audited."),
]
TicketId = Annotated[str, Path(max_length=100), AfterValidator(clean_text)]
"""A ticket id as sent: a control character is refused (422) before any lookup, since
PostgreSQL cannot even compare a NUL."""
_PERSONAL_VIEW = f"{Action.READ}:{Resource.PERSONAL_DATA}"


@derived_from(Contacts)
class ContactsPublic(Public):
    """The contacts as the caller may see them: ``masked`` unless shown in clear."""

    masked: bool


@derived_from(TicketEvent, exclude=("ticket_id",))
class TicketEventPublic(Public):
    """An event of the ticket the path names."""


@derived_from(Ticket, exclude=("token", "jurisdiction_id", "sealed_contacts"))
class TicketPublic(Public):
    """A ticket as staff see it: never its Open311 token, contacts as shown to the caller."""

    contacts: ContactsPublic


class TicketDetailPublic(TicketPublic):
    events: list[TicketEventPublic]


TicketT = TypeVar("TicketT", bound=TicketPublic)


class TicketEventCreate(BaseModel):
    status: StaffEvent
    note: str | None = Field(default=None, max_length=1000, description="Shown as status_notes.")
    satisfaction: int | None = Field(default=None, ge=1, le=5, description="callback only")

    @field_validator("note")
    @classmethod
    def _xml_safe(cls, value: str | None) -> str | None:
        return None if value is None else clean_text(value)


@router.get("", operation_id="list_tickets", response_model=list[TicketPublic])
def list_tickets_in_scope(
    request: Request,
    state: StateDep,
    uow: UnitOfWorkDep,
    principal: Reader,
    status_: Annotated[Literal["open", "closed"] | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Offset = 0,
    unmasked: UnmaskedQuery = False,
) -> list[TicketPublic]:
    """Tickets in the caller's scope, newest first."""
    in_clear = _may_unmask(uow, request, principal, unmasked, "tickets")
    regions = None
    if principal.region_code is not None:
        regions = state.region_tree().descendants(principal.region_code)
    tickets = list_tickets(
        uow,
        regions=regions,
        department=_own_department(principal),
        status=status_,
        limit=limit,
        offset=offset,
    )
    return [_public(uow, TicketPublic, t, in_clear) for t in tickets]


@router.get("/{ticket_id}", operation_id="get_ticket", response_model=TicketDetailPublic)
def get_ticket_in_scope(
    ticket_id: TicketId,
    request: Request,
    state: StateDep,
    uow: UnitOfWorkDep,
    principal: Reader,
    unmasked: UnmaskedQuery = False,
) -> TicketDetailPublic:
    """One ticket with its events, oldest first."""
    ticket = _visible(state, uow, principal, ticket_id)
    in_clear = _may_unmask(uow, request, principal, unmasked, f"tickets/{ticket_id}")
    events = [TicketEventPublic.of(e) for e in events_of(uow, ticket_id)]
    return _public(uow, TicketDetailPublic, ticket, in_clear, events=events)


@router.post(
    "/{ticket_id}/events",
    operation_id="record_ticket_event",
    response_model=TicketEventPublic,
    status_code=status.HTTP_201_CREATED,
)
def record_ticket_event(
    ticket_id: TicketId,
    body: TicketEventCreate,
    request: Request,
    state: StateDep,
    uow: UnitOfWorkDep,
    principal: Writer,
) -> TicketEventPublic:
    """Record what was done (dispatched, responded, resolved, closed, reopened, callback
    with satisfaction); a step the ticket's state does not allow is refused (422, with
    the ``detail`` list of any invalid body, at ``["body", "status"]``)."""
    _visible(state, uow, principal, ticket_id)
    try:
        event = record_event(
            uow,
            ticket_id,
            body.status.value,
            note=body.note,
            satisfaction=body.satisfaction,
        )
    except ContractError as error:
        refused = {"loc": ("body", "status"), "msg": str(error), "type": "value_error"}
        raise RequestValidationError([refused]) from error
    if event is None:
        raise not_found("ticket", ticket_id)
    audit(uow, request, principal, f"ticket:{body.status.value}", f"tickets/{ticket_id}", "ok")
    return TicketEventPublic.of(event)


def _own_department(principal: Principal) -> str | None:
    return principal.department if principal.role is Role.DEPARTMENT else None


def _visible(state: AppState, uow: UnitOfWork, principal: Principal, ticket_id: str) -> Ticket:
    """The ticket, if the caller may see it; 404 otherwise (missing or not theirs)."""
    ticket = get_ticket(uow, ticket_id)
    department = _own_department(principal)
    if ticket is None or (department is not None and ticket.department != department):
        raise not_found("ticket", ticket_id)
    require_in_scope(state, principal, ticket.region_code, "ticket", ticket_id)
    return ticket


def _may_unmask(
    uow: UnitOfWork, request: Request, principal: Principal, unmasked: bool, obj: str
) -> bool:
    """Whether to show contacts in clear; a caller without the right is refused (403)."""
    if not unmasked:
        return False
    if not principal.can_view_personal:
        audit(uow, request, principal, _PERSONAL_VIEW, obj, "refused")
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, f"user {principal.username} may not view personal data"
        )
    audit(uow, request, principal, _PERSONAL_VIEW, obj, "ok")
    return True


def _public(
    uow: UnitOfWork, shape: type[TicketT], ticket: Ticket, in_clear: bool, **more: object
) -> TicketT:
    """The ticket in its public ``shape``, contacts and personal data in the free text
    masked unless ``in_clear``."""
    shown = contacts_of(uow, ticket, in_clear=in_clear)
    if not in_clear:
        more |= {
            "description": _masked(ticket.description),
            "status_notes": _masked(ticket.status_notes),
        }
    return shape.of(ticket, contacts=ContactsPublic.of(shown, masked=not in_clear), **more)


def _masked(text: str | None) -> str | None:
    return None if text is None else mask_personal(text)
