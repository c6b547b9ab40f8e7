"""Appending to and verifying the audit log.

Every entry records UTC time, user, role, region, action, object and result,
and carries ``prev_hash`` (the previous entry's hash; 64 zeros for the first)
and ``entry_hash`` = HMAC-SHA256 (RFC 2104), under the audit key, of the
canonical JSON of its fields and ``prev_hash``.  The key is kept apart from the
register (``audit/keys.py``): someone who can write the register but not read
the key cannot compute the hash of an entry they change or insert, nor re-chain
the entries after it.  The database refuses UPDATE and DELETE on ``audit_log``
(migration 0003), so tampering needs someone who can drop triggers — and still
shows.  What the chain alone cannot show — its newest entries removed and the
head moved back — the anchors kept outside the register do
(``audit/anchors.py``): :func:`verify_chain` checks the chain against each.

Entries written before the chain was keyed (cityops before issue 17) carry the
plain SHA-256 of the same JSON (:func:`unkeyed_entry_hash`); ``cityops audit
rekey`` pins the end of that prefix in the anchors once, and only that prefix
is then checked by the old rule (``docs/security.md``).

Appending first bumps the single ``audit_head`` row: that write lock
serialises concurrent writers (SQLite and PostgreSQL), so two requests can
never chain to the same predecessor.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from cityops.audit.anchors import Anchor
from cityops.register.access_schema import audit_head, audit_log
from cityops.register.rows import from_row

__all__ = [
    "GENESIS_HASH",
    "AuditEntry",
    "Verification",
    "append_entry",
    "entry_hash",
    "read_entries",
    "unkeyed_entry_hash",
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
    anchors: int = 0
    """How many anchors the chain was compared with."""
    altered_statements: tuple[str, ...] = ()
    """Approved statements whose stored content no longer matches the seal their
    approval wrote into the chain (``<id>: why``); ``cityops.services.audit.verify``
    fills it in."""

    @property
    def intact(self) -> bool:
        return self.first_bad_seq is None and not self.altered_statements


def entry_hash(seq: int, entry: AuditEntry, prev_hash: str, key: bytes) -> str:
    """HMAC-SHA256 under ``key`` of the entry's canonical JSON (sorted keys, UTC ISO
    time, with ``seq`` and ``prev_hash``), as 64 hex digits."""
    return hmac.new(key, _canonical(seq, entry, prev_hash), hashlib.sha256).hexdigest()


def unkeyed_entry_hash(seq: int, entry: AuditEntry, prev_hash: str) -> str:
    """The rule of entries written before the chain was keyed: plain SHA-256 of the
    same canonical JSON.  Only checked for the prefix a re-keying anchor pins."""
    return hashlib.sha256(_canonical(seq, entry, prev_hash)).hexdigest()


def _canonical(seq: int, entry: AuditEntry, prev_hash: str) -> bytes:
    fields = asdict(entry)
    fields["at"] = _utc(entry.at).isoformat(timespec="microseconds")
    fields["seq"] = seq
    fields["prev_hash"] = prev_hash
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return canonical.encode()


def append_entry(connection: sa.Connection, entry: AuditEntry, key: bytes) -> tuple[int, str]:
    """Append ``entry``, chained under ``key``, inside the caller's transaction; return
    its sequence number and hash (what an anchor records)."""
    at = _utc(entry.at or datetime.now(UTC))
    entry = AuditEntry(**{**asdict(entry), "at": at})
    connection.execute(
        audit_head.update().where(audit_head.c.head_id == 1).values(seq=audit_head.c.seq + 1)
    )
    seq, prev_hash = connection.execute(
        sa.select(audit_head.c.seq, audit_head.c.entry_hash).where(audit_head.c.head_id == 1)
    ).one()
    digest = entry_hash(seq, entry, prev_hash, key)
    # Parameters apart from the statement: SQLAlchemy compiles and caches one INSERT
    # instead of building a new statement per entry.
    connection.execute(
        audit_log.insert(),
        {"seq": seq, "prev_hash": prev_hash, "entry_hash": digest, **asdict(entry)},
    )
    connection.execute(
        audit_head.update().where(audit_head.c.head_id == 1).values(entry_hash=digest)
    )
    return int(seq), digest


def read_entries(
    connection: sa.Connection, *, after_seq: int = 0, limit: int | None = None
) -> Iterator[tuple[int, AuditEntry, str, str]]:
    """``(seq, entry, prev_hash, entry_hash)`` in order, from ``after_seq`` on."""
    query = sa.select(audit_log).where(audit_log.c.seq > after_seq).order_by(audit_log.c.seq)
    if limit is not None:
        query = query.limit(limit)
    for row in connection.execute(query).mappings():
        yield int(row["seq"]), from_row(AuditEntry, row), row["prev_hash"], row["entry_hash"]


def verify_chain(
    connection: sa.Connection, key: bytes, anchors: Sequence[Anchor] = ()
) -> Verification:
    """Recompute every hash in order and compare the chain with every anchor; report
    the first entry that does not fit.

    An entry is checked by the keyed rule, except the prefix that a re-keying anchor
    (``Anchor.rekeyed``) pins, which is checked by the unkeyed rule and must end in
    the hash that anchor recorded.  An anchor whose entry has another hash shows a
    rewritten (and perhaps re-chained) log; an anchor beyond the last entry shows
    entries removed from the end, even when the head row was moved back with them.
    """
    rekeyed = next((anchor for anchor in anchors if anchor.rekeyed), None)
    unkeyed_until = rekeyed.seq if rekeyed is not None else 0
    pinned = {anchor.seq: anchor for anchor in anchors}
    counted = len(anchors)
    expected_prev, expected_seq, checked = GENESIS_HASH, 1, 0
    for seq, entry, prev_hash, stored_hash in read_entries(connection):
        if seq != expected_seq:
            return Verification(checked, expected_seq, f"entry {expected_seq} is missing", counted)
        if prev_hash != expected_prev:
            return Verification(checked, seq, "prev_hash does not match the entry before", counted)
        if seq <= unkeyed_until:
            fits = unkeyed_entry_hash(seq, entry, prev_hash) == stored_hash
        else:
            fits = entry_hash(seq, entry, prev_hash, key) == stored_hash
        if not fits:
            return Verification(checked, seq, _misfit(seq, entry, prev_hash, stored_hash), counted)
        anchor = pinned.get(seq)
        if anchor is not None and anchor.entry_hash != stored_hash:
            return Verification(
                checked,
                seq,
                f"the entry does not match the anchor of {anchor.at.isoformat()}: "
                "the log was rewritten from here on",
                counted,
            )
        expected_prev, expected_seq, checked = stored_hash, seq + 1, checked + 1
    beyond = [anchor for anchor in anchors if anchor.seq > checked]
    if beyond:
        last = max(beyond, key=lambda anchor: anchor.seq)
        return Verification(
            checked,
            checked + 1,
            f"the log ends at entry {checked} but the anchor of {last.at.isoformat()} "
            f"recorded {last.seq} entries: entries were removed from its end",
            counted,
        )
    head_seq, head_hash = connection.execute(
        sa.select(audit_head.c.seq, audit_head.c.entry_hash).where(audit_head.c.head_id == 1)
    ).one()
    if head_seq < checked:
        return Verification(
            checked, head_seq + 1, "entries were added after the head's last one", counted
        )
    if head_seq > checked:
        return Verification(checked, checked + 1, "entries after the last one are missing", counted)
    if head_hash != expected_prev:
        return Verification(
            checked, checked, "the last entry does not match the head's hash", counted
        )
    return Verification(checked, None, None, counted)


def _misfit(seq: int, entry: AuditEntry, prev_hash: str, stored_hash: str) -> str:
    if unkeyed_entry_hash(seq, entry, prev_hash) == stored_hash:
        return (
            "the entry carries an unkeyed hash: either it was forged with the public "
            "function, or it was written before the chain was keyed and `cityops audit "
            "rekey` has not been run yet (docs/security.md)"
        )
    return "the entry's content does not match its hash"


def _utc(at: datetime | None) -> datetime:
    moment = at or datetime.now(UTC)
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
