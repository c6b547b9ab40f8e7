"""Ticket use cases (工单): citizens' service requests and what staff did about them,
and the outbox that carries their events into the lake."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from cityops.register.batches import IngestBatch
from cityops.services.unit_of_work import UnitOfWork, on_register
from cityops.tickets import outbox, store
from cityops.tickets.contacts import Contacts, masked, unseal
from cityops.tickets.store import NewTicket, Ticket, TicketEvent

__all__ = [
    "NewTicket",
    "Ticket",
    "TicketEvent",
    "contacts_of",
    "create_ticket",
    "flush_outbox",
    "get_ticket",
    "list_tickets",
    "record_event",
    "seal_free_text",
    "ticket_events",
    "unflushed_count",
]


def create_ticket(
    uow: UnitOfWork, new: NewTicket, *, due_in: timedelta, now: datetime | None = None
) -> Ticket:
    """Store ``new`` as an open ticket due ``due_in`` from now, contacts sealed."""
    ticket = store.create_ticket(uow.register, uow.backend.cipher, new, due_in=due_in, now=now)
    uow.commit()
    return ticket


def record_event(
    uow: UnitOfWork,
    ticket_id: str,
    event: str,
    *,
    note: str | None = None,
    satisfaction: int | None = None,
    now: datetime | None = None,
) -> TicketEvent | None:
    """Record ``event`` on the ticket (None: no such ticket), its note sealed."""
    recorded = store.record_event(
        uow.register,
        uow.backend.cipher,
        ticket_id,
        event,
        note=note,
        satisfaction=satisfaction,
        now=now,
    )
    uow.commit()
    return recorded


def get_ticket(uow: UnitOfWork, ticket_id: str) -> Ticket | None:
    """The ticket, its free text opened (not masked: see ``free_text_of``)."""
    return store.get_ticket(uow.register, uow.backend.cipher, ticket_id)


def list_tickets(
    uow: UnitOfWork,
    *,
    regions: Collection[str] | None = None,
    department: str | None = None,
    status: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[Ticket]:
    """Tickets, newest first, of the given regions (None: all), department and status."""
    return store.list_tickets(
        uow.register,
        uow.backend.cipher,
        regions=regions,
        department=department,
        status=status,
        limit=limit,
        offset=offset,
    )


def seal_free_text(uow: UnitOfWork) -> int:
    """Seal the free text of tickets stored before it was sealed (migration 0007)."""
    sealed = store.seal_free_text(uow.register, uow.backend.cipher)
    uow.commit()
    return sealed


ticket_events = on_register(store.ticket_events, commit=False)


def contacts_of(uow: UnitOfWork, ticket: Ticket, *, in_clear: bool) -> Contacts:
    """The contacts the citizen left, decrypted; masked unless ``in_clear``."""
    contacts = unseal(uow.backend.cipher, ticket.sealed_contacts)
    return contacts if in_clear else masked(contacts)


def flush_outbox(uow: UnitOfWork) -> list[IngestBatch]:
    """Ingest every unflushed ticket event into the lake (none: no batch)."""
    return outbox.flush_outbox(uow.workspace, uow.backend.engine)


def unflushed_count(uow: UnitOfWork) -> int:
    return outbox.unflushed_count(uow.backend.engine)
