"""Audit use cases (审计): append an entry, read the entries a caller may see, anchor
the chain's head outside the register, and verify the chain against its anchors."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from cityops.audit.anchors import Anchor, append_anchor, read_anchors
from cityops.audit.log import (
    AuditEntry,
    Verification,
    append_entry,
    read_entries,
    unkeyed_entry_hash,
    verify_chain,
)
from cityops.audit.refusals import (
    REFUSAL_WINDOW,
    RefusalCount,
    count_refusal,
    take_refusals,
    window_of,
)
from cityops.errors import WorkspaceError
from cityops.register.access_schema import audit_head, audit_log
from cityops.services.unit_of_work import UnitOfWork

__all__ = [
    "Anchor",
    "AuditEntry",
    "AuditRecord",
    "Verification",
    "anchor",
    "audit_page",
    "flush_refusals",
    "record",
    "record_refusal",
    "rekey",
    "verify",
]


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
    return its sequence number.  Every ``CITYOPS_AUDIT_ANCHOR_EVERY``-th entry is
    anchored once committed."""
    backend = uow.backend
    seq, digest = append_entry(uow.register, entry, backend.audit_key)
    uow.commit()
    if seq % backend.settings.audit_anchor_every == 0:
        append_anchor(
            backend.audit_anchors_path, Anchor(seq, digest, datetime.now(UTC)), backend.audit_key
        )
    return seq


def record_refusal(
    uow: UnitOfWork, *, route: str, path: str, client: str, now: datetime | None = None
) -> None:
    """Count an anonymous request refused on ``route`` (its template) and commit.

    The first refusal of an hour and route is audited at once (with the ``path``
    asked for and the client); the rest only count, and the counts of hours
    already over are written as one entry each (``audit/refusals.py``)."""
    at = now or datetime.now(UTC)
    count = count_refusal(uow.register, route, client, at)
    _write_counts(uow, take_refusals(uow.register, before=window_of(at)))
    if count == 1:
        entry = AuditEntry("authenticate", path, "refused", client=client, at=at)
        record(uow, entry)
    else:
        uow.commit()


def flush_refusals(uow: UnitOfWork, *, now: datetime | None = None) -> int:
    """Write the counts of refusals of every hour already over to the audit log, one
    entry per hour and route; return how many entries that made."""
    counts = take_refusals(uow.register, before=window_of(now or datetime.now(UTC)))
    _write_counts(uow, counts)
    uow.commit()
    return len(counts)


def _write_counts(uow: UnitOfWork, counts: list[RefusalCount]) -> None:
    for count in counts:
        end = count.window_start + REFUSAL_WINDOW
        span = f"{count.window_start:%Y-%m-%dT%H:%M}Z/{end:%H:%M}Z"
        entry = AuditEntry(
            "authenticate:count",
            f"{count.route}: {count.count} refused in {span}",
            "refused",
            client=count.last_client,
        )
        record(uow, entry)


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
    """Recompute the whole keyed chain and compare it with every anchor; name the first
    entry altered, inserted or removed (``first_bad_seq`` 0: the anchors file itself
    was altered).  ``cityops.services.settlement.verify_audit`` adds the sealed
    statements to this."""
    backend = uow.backend
    try:
        anchors = read_anchors(backend.audit_anchors_path, backend.audit_key)
    except WorkspaceError as error:
        return Verification(0, 0, f"the anchors cannot be trusted: {error}")
    return verify_chain(uow.register, backend.audit_key, anchors)


def anchor(uow: UnitOfWork) -> Anchor:
    """Verify the chain, then anchor its head (number and hash of the last entry) in
    the anchors file; an altered chain is refused rather than anchored.  The counts
    of anonymous refusals of hours already over are written first."""
    flush_refusals(uow)
    outcome = verify(uow)
    if not outcome.intact:
        raise WorkspaceError(
            f"the audit log is not intact at entry {outcome.first_bad_seq} "
            f"({outcome.reason}); it is not anchored"
        )
    seq, digest = uow.register.execute(
        sa.select(audit_head.c.seq, audit_head.c.entry_hash).where(audit_head.c.head_id == 1)
    ).one()
    mark = Anchor(int(seq), str(digest), datetime.now(UTC))
    append_anchor(uow.backend.audit_anchors_path, mark, uow.backend.audit_key)
    return mark


def rekey(uow: UnitOfWork) -> Anchor | None:
    """Once, after upgrading a workspace whose log was chained without a key: pin the
    end of the unkeyed prefix in a re-keying anchor (None: there is no such prefix).

    The prefix is the run of entries from the first that fit the unkeyed rule and
    link to each other; every entry after it must fit the keyed rule, and the chain
    as a whole must then verify, or nothing is written.  Refused when the anchors
    already hold one."""
    backend = uow.backend
    anchors = read_anchors(backend.audit_anchors_path, backend.audit_key)
    if any(mark.rekeyed for mark in anchors):
        raise WorkspaceError("the audit log was re-keyed already; see `cityops audit verify`")
    last: tuple[int, str] | None = None
    expected_prev = "0" * 64
    for seq, entry, prev_hash, stored_hash in read_entries(uow.register):
        if prev_hash != expected_prev or unkeyed_entry_hash(seq, entry, prev_hash) != stored_hash:
            break
        last, expected_prev = (seq, stored_hash), stored_hash
    if last is None:
        return None
    mark = Anchor(last[0], last[1], datetime.now(UTC), rekeyed=True)
    outcome = verify_chain(uow.register, backend.audit_key, [*anchors, mark])
    if not outcome.intact:
        raise WorkspaceError(
            f"entries 1–{last[0]} fit the unkeyed rule, but the log is not intact at "
            f"entry {outcome.first_bad_seq} ({outcome.reason}); nothing was re-keyed"
        )
    append_anchor(backend.audit_anchors_path, mark, backend.audit_key)
    return mark
