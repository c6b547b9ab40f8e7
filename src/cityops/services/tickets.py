"""Ticket use cases (工单): citizens' service requests and what staff did about them,
and the outbox that carries their events into the lake."""

from __future__ import annotations

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


record_event = on_register(store.record_event, commit=True)
get_ticket = on_register(store.get_ticket, commit=False)
list_tickets = on_register(store.list_tickets, commit=False)
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
