"""Appending to and verifying the audit log.

Every entry records UTC time, user, role, region, action, object and result,
and carries ``prev_hash`` (the previous entry's hash; 64 zeros for the first)
and ``entry_hash`` = SHA-256 of the canonical JSON of its fields and
``prev_hash``.  Changing, inserting or removing an entry anywhere breaks the
chain from there on, and :func:`verify` names the first entry that no longer
fits.  The database refuses UPDATE and DELETE on ``audit_log`` (migration
0003), so tampering needs someone who can drop triggers — and still shows.

Appending first bumps the single ``audit_head`` row: that write lock
serialises concurrent writers (SQLite and PostgreSQL), so two requests can
never chain to the same predecessor.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from cityops.register.access_schema import audit_head, audit_log
from cityops.register.rows import from_row

__all__ = [
    "GENESIS_HASH",
    "AuditEntry",
    "Verification",
    "append_entry",
    "entry_hash",
    "read_entries",
    "verify_chain",
]

GENESIS_HASH = "0" * 64


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One audited event; ``result`` is e.g. ``ok``, ``refused``, ``failed``, ``throttled``."""

    action: str
    object: str
    result: str
    username: str | None = None
    role: str | None = None
    region_code: str | None = None
    client: str | None = None
    at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Verification:
    """The outcome of :func:`verify_chain`: entries checked and the first bad one, if any."""

    checked: int
    first_bad_seq: int | None
    reason: str | None = None

    @property
    def intact(self) -> bool:
        return self.first_bad_seq is None


def entry_hash(seq: int, entry: AuditEntry, prev_hash: str) -> str:
    """SHA-256 of the entry's canonical JSON (sorted keys, UTC ISO time) and ``prev_hash``."""
    fields = asdict(entry)
    fields["at"] = _utc(entry.at).isoformat(timespec="microseconds")
    fields["seq"] = seq
    fields["prev_hash"] = prev_hash
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def append_entry(connection: sa.Connection, entry: AuditEntry) -> int:
    """Append ``entry`` inside the caller's transaction; return its sequence number."""
    at = _utc(entry.at or datetime.now(UTC))
    entry = AuditEntry(**{**asdict(entry), "at": at})
    connection.execute(
        audit_head.update().where(audit_head.c.head_id == 1).values(seq=audit_head.c.seq + 1)
    )
    seq, prev_hash = connection.execute(
        sa.select(audit_head.c.seq, audit_head.c.entry_hash).where(audit_head.c.head_id == 1)
    ).one()
    digest = entry_hash(seq, entry, prev_hash)
    # Parameters apart from the statement: SQLAlchemy compiles and caches one INSERT
    # instead of building a new statement per entry.
    connection.execute(
        audit_log.insert(),
        {"seq": seq, "prev_hash": prev_hash, "entry_hash": digest, **asdict(entry)},
    )
    connection.execute(
        audit_head.update().where(audit_head.c.head_id == 1).values(entry_hash=digest)
    )
    return int(seq)


def read_entries(
    connection: sa.Connection, *, after_seq: int = 0, limit: int | None = None
) -> Iterator[tuple[int, AuditEntry, str, str]]:
    """``(seq, entry, prev_hash, entry_hash)`` in order, from ``after_seq`` on."""
    query = sa.select(audit_log).where(audit_log.c.seq > after_seq).order_by(audit_log.c.seq)
    if limit is not None:
        query = query.limit(limit)
    for row in connection.execute(query).mappings():
        yield int(row["seq"]), from_row(AuditEntry, row), row["prev_hash"], row["entry_hash"]


def verify_chain(connection: sa.Connection) -> Verification:
    """Recompute every hash in order; report the first entry that does not fit."""
    expected_prev, expected_seq, checked = GENESIS_HASH, 1, 0
    for seq, entry, prev_hash, stored_hash in read_entries(connection):
        if seq != expected_seq:
            return Verification(checked, expected_seq, f"entry {expected_seq} is missing")
        if prev_hash != expected_prev:
            return Verification(checked, seq, "prev_hash does not match the entry before")
        if entry_hash(seq, entry, prev_hash) != stored_hash:
            return Verification(checked, seq, "the entry's content does not match its hash")
        expected_prev, expected_seq, checked = stored_hash, seq + 1, checked + 1
    head_seq, head_hash = connection.execute(
        sa.select(audit_head.c.seq, audit_head.c.entry_hash).where(audit_head.c.head_id == 1)
    ).one()
    if head_seq < checked:
        return Verification(checked, head_seq + 1, "entries were added after the head's last one")
    if head_seq > checked:
        return Verification(checked, checked + 1, "entries after the last one are missing")
    if head_hash != expected_prev:
        return Verification(checked, checked, "the last entry does not match the head's hash")
    return Verification(checked, None)


def _utc(at: datetime | None) -> datetime:
    moment = at or datetime.now(UTC)
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
