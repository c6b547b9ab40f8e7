"""Tickets in the register: ``service_requests`` and the ``ticket_outbox`` of their events.

Every change to a ticket and the ``ticket_events`` row describing it are
written in one transaction, so the outbox holds exactly the events the
tickets went through; ``outbox.flush_outbox`` later carries them into the
lake.  A ticket's region, category, department and channel are fixed when it
is created and copied onto each of its events (the indicators read them from
the ``created`` event, see docs/indicators.md).

The free text of a ticket, its description and status notes, may hold the
citizen's phone or ID-card number, so it is sealed like the contacts
(``description_enc``, ``status_notes_enc``); a :class:`Ticket` carries it
opened, and whoever shows it masks it (``access.personal_text``).
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from cityops.access.cipher import ContactCipher
from cityops.register.access_schema import service_requests, ticket_outbox
from cityops.register.rows import from_row
from cityops.tickets.contacts import SEALED_COLUMNS, Contacts, seal
from cityops.tickets.lifecycle import CREATED, OPEN, status_after

__all__ = [
    "NewTicket",
    "Ticket",
    "TicketEvent",
    "create_ticket",
    "get_ticket",
    "list_tickets",
    "open_free_text",
    "record_event",
    "seal_free_text",
    "ticket_events",
]

FREE_TEXT = {"description": "description_enc", "status_notes": "status_notes_enc"}
"""The free-text fields and the register columns holding them sealed."""

_Row = Mapping[str, Any] | sa.RowMapping


@dataclass(frozen=True, slots=True)
class NewTicket:
    """A request as it arrives; ``contacts`` in clear (they are sealed on the way in)."""

    jurisdiction_id: str
    service_code: str
    region_code: str
    department: str
    category: str
    channel: str
    description: str | None = None
    address: str | None = None
    lat: float | None = None
    lon: float | None = None
    media_url: str | None = None
    contacts: Contacts = field(default_factory=Contacts)


@dataclass(frozen=True, slots=True)
class Ticket:
    """A stored ticket; ``status`` is Open311's ``open``/``closed``, the free text
    opened, and the contacts still sealed (``contacts.unseal`` opens them)."""

    ticket_id: str
    status: str
    status_notes: str | None
    token: str
    jurisdiction_id: str
    service_code: str
    region_code: str
    department: str
    category: str
    channel: str
    description: str | None
    address: str | None
    lat: float | None
    lon: float | None
    media_url: str | None
    requested_at: datetime
    updated_at: datetime
    expected_at: datetime | None
    sealed_contacts: Mapping[str, str | None]


@dataclass(frozen=True, slots=True)
class TicketEvent:
    event_id: str
    ticket_id: str
    status: str
    ts: datetime
    satisfaction: int | None = None
    due_at: datetime | None = None


def create_ticket(
    connection: sa.Connection,
    cipher: ContactCipher,
    new: NewTicket,
    *,
    due_in: timedelta,
    now: datetime | None = None,
) -> Ticket:
    """Store ``new`` as an open ticket due ``due_in`` from now, with its ``created`` event.

    The id is ``sr-`` and 64 random bits (no collision in any city's lifetime);
    the token, for Open311's ``tokens/{token}``, is another 96 random bits.
    """
    at = now or datetime.now(UTC)
    request = {f.name: getattr(new, f.name) for f in fields(NewTicket) if f.name != "contacts"}
    description = request.pop("description")
    row: dict[str, Any] = {
        "service_request_id": f"sr-{secrets.token_hex(8)}",
        "token": secrets.token_urlsafe(12),
        **request,
        "status": OPEN,
        "status_notes": None,
        "status_notes_enc": None,
        "description": None,
        "description_enc": cipher.encrypt(description),
        **seal(cipher, new.contacts),
        "requested_at": at,
        "updated_at": at,
        "expected_at": at + due_in,
    }
    connection.execute(service_requests.insert(), row)
    connection.execute(
        ticket_outbox.insert(), _event_row(row, CREATED, at, due_at=row["expected_at"])
    )
    return _ticket(row, cipher)


def record_event(
    connection: sa.Connection,
    cipher: ContactCipher,
    ticket_id: str,
    event: str,
    *,
    note: str | None = None,
    satisfaction: int | None = None,
    now: datetime | None = None,
) -> TicketEvent | None:
    """Record ``event`` on the ticket: one outbox row, and what Open311 shows of it
    (``_public_change``).  ``None`` when there is no such ticket; a
    :class:`ContractError` when the event may not follow (``lifecycle``)."""
    at = now or datetime.now(UTC)
    query = sa.select(service_requests).where(service_requests.c.service_request_id == ticket_id)
    row = connection.execute(query.with_for_update()).mappings().first()
    if row is None:
        return None
    status = status_after(row["status"], event, satisfaction)
    event_row = _event_row(row, event, at, satisfaction=satisfaction)
    connection.execute(ticket_outbox.insert(), event_row)
    if change := _public_change(row["status"], status, note, at):
        if "status_notes" in change:
            change["status_notes"] = None  # a note from before 0004, now replaced
            change["status_notes_enc"] = cipher.encrypt(note)
        connection.execute(
            service_requests.update()
            .where(service_requests.c.service_request_id == ticket_id)
            .values(change)
        )
    return _event(event_row)


def _public_change(
    before: str, after: str, note: str | None, at: datetime
) -> dict[str, str | datetime | None]:
    """The columns of the public view an event changes.

    ``status_notes`` explain the current status: a note replaces them, a change
    of status without a note clears them (a reopened request must not still say
    how it was fixed).  ``updated_datetime`` is, in the spec's words, when the
    request was last modified and, for a closed one, when it was closed: so an
    event on a closed request that leaves it closed without a note (a
    ``callback``, the ``closed`` after ``resolved``) changes nothing the public
    sees.
    """
    change: dict[str, str | datetime | None] = {}
    if after != before or note is not None:
        change["status_notes"] = note
    if change or after == OPEN:
        change |= {"status": after, "updated_at": at}
    return change


def get_ticket(connection: sa.Connection, cipher: ContactCipher, ticket_id: str) -> Ticket | None:
    query = sa.select(service_requests).where(service_requests.c.service_request_id == ticket_id)
    row = connection.execute(query).mappings().first()
    return None if row is None else _ticket(row, cipher)


def list_tickets(
    connection: sa.Connection,
    cipher: ContactCipher,
    *,
    regions: Collection[str] | None = None,
    department: str | None = None,
    status: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[Ticket]:
    """Tickets, newest first, of the given regions (None: all), department and status."""
    query = sa.select(service_requests)
    if regions is not None:
        query = query.where(service_requests.c.region_code.in_(sorted(regions)))
    if department is not None:
        query = query.where(service_requests.c.department == department)
    if status is not None:
        query = query.where(service_requests.c.status == status)
    query = query.order_by(
        service_requests.c.requested_at.desc(), service_requests.c.service_request_id
    )
    rows = connection.execute(query.limit(limit).offset(offset)).mappings().all()
    return [_ticket(row, cipher) for row in rows]


def ticket_events(connection: sa.Connection, ticket_id: str) -> list[TicketEvent]:
    """The ticket's events, oldest first."""
    query = (
        sa.select(ticket_outbox)
        .where(ticket_outbox.c.ticket_id == ticket_id)
        .order_by(ticket_outbox.c.ts, ticket_outbox.c.event_id)
    )
    return [_event(row) for row in connection.execute(query).mappings()]


def _event_row(
    ticket: _Row,
    status: str,
    at: datetime,
    *,
    satisfaction: int | None = None,
    due_at: datetime | None = None,
) -> dict[str, Any]:
    return {
        "event_id": uuid.uuid4().hex,
        "ticket_id": ticket["service_request_id"],
        "ts": at,
        "status": status,
        "region_code": ticket["region_code"],
        "category": ticket["category"],
        "department": ticket["department"],
        "channel": ticket["channel"],
        "satisfaction": satisfaction,
        "due_at": due_at,
        "batch_id": None,
    }


def _event(row: _Row) -> TicketEvent:
    return from_row(TicketEvent, row)


def open_free_text(cipher: ContactCipher, row: _Row) -> dict[str, str | None]:
    """The description and status notes of a ``service_requests`` row, opened (a row
    from before migration 0007 that ``seal_free_text`` has not reached yet holds
    them in clear)."""
    return {
        name: cipher.decrypt(row[sealed]) if row[sealed] is not None else row[name]
        for name, sealed in FREE_TEXT.items()
    }


def seal_free_text(connection: sa.Connection, cipher: ContactCipher) -> int:
    """Seal the free text that rows from before migration 0007 hold in clear; the
    number of rows sealed."""
    columns = service_requests.c
    query = sa.select(columns.service_request_id, columns.description, columns.status_notes).where(
        sa.or_(columns.description.is_not(None), columns.status_notes.is_not(None))
    )
    rows = connection.execute(query).mappings().all()
    for row in rows:
        sealed = {sealed: cipher.encrypt(row[name]) for name, sealed in FREE_TEXT.items()}
        connection.execute(
            service_requests.update()
            .where(columns.service_request_id == row["service_request_id"])
            .values({**sealed, "description": None, "status_notes": None})
        )
    return len(rows)


def _ticket(row: _Row, cipher: ContactCipher) -> Ticket:
    return from_row(
        Ticket,
        row,
        ticket_id=row["service_request_id"],
        sealed_contacts={column: row[column] for column in SEALED_COLUMNS},
        **open_free_text(cipher, row),
    )
