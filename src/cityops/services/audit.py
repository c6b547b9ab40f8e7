"""Audit use cases (审计): append an entry, read the entries a caller may see, and
verify the hash chain."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from cityops.audit.log import AuditEntry, Verification, append_entry, verify_chain
from cityops.register.access_schema import audit_log
from cityops.services.unit_of_work import UnitOfWork

__all__ = ["AuditEntry", "AuditRecord", "Verification", "audit_page", "record", "verify"]


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One stored entry with its place in the chain."""

    seq: int
    at: datetime
    username: str | None
    role: str | None
    region_code: str | None
    action: str
    object: str
    result: str
    client: str | None
    prev_hash: str
    entry_hash: str


def record(uow: UnitOfWork, entry: AuditEntry) -> int:
    """Append ``entry`` and commit it (with whatever else the unit of work holds);
    return its sequence number."""
    seq = append_entry(uow.register, entry)
    uow.commit()
    return seq


def audit_page(
    uow: UnitOfWork, *, regions: Collection[str] | None, limit: int, offset: int
) -> tuple[int, list[AuditRecord]]:
    """How many entries there are of actors in ``regions`` (None: every entry), and the
    page ``offset``…``offset + limit`` of them, oldest first."""
    where: list[sa.ColumnElement[bool]] = []
    if regions is not None:
        where.append(audit_log.c.region_code.in_(sorted(regions)))
    total = uow.register.execute(
        sa.select(sa.func.count()).select_from(audit_log).where(*where)
    ).scalar_one()
    rows = uow.register.execute(
        sa.select(audit_log).where(*where).order_by(audit_log.c.seq).limit(limit).offset(offset)
    ).mappings()
    return int(total), [AuditRecord(**row) for row in rows]


def verify(uow: UnitOfWork) -> Verification:
    """Recompute the whole hash chain; name the first entry altered, inserted or removed."""
    return verify_chain(uow.register)
