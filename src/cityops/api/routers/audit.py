"""The audit log over HTTP (``/api/v1/audit``): its entries, and a check of its chain.

Reading it is for auditors and administrators.  An auditor bound to a region
sees the entries of users of that region and below (an entry's region is its
actor's); entries without a region (anonymous requests, administrators) only
an unbound user sees.  Verification always covers the whole chain.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from cityops.access.roles import Action, Resource
from cityops.access.scope import Principal
from cityops.api.deps import Allowed, StateDep, UnitOfWorkDep
from cityops.api.pages import DEFAULT_LIMIT, Limit, Offset, Page
from cityops.services.audit import audit_page, verify

__all__ = ["AuditEntryPublic", "VerificationPublic", "router"]

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])
Auditor = Annotated[Principal, Depends(Allowed(Resource.AUDIT, Action.READ))]


class AuditEntryPublic(BaseModel):
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


class VerificationPublic(BaseModel):
    intact: bool
    checked: int
    first_bad_seq: int | None
    reason: str | None


@router.get("", operation_id="list_audit_entries", response_model=Page[AuditEntryPublic])
def list_audit_entries(
    state: StateDep,
    uow: UnitOfWorkDep,
    principal: Auditor,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> Page[AuditEntryPublic]:
    """Entries in the caller's scope, oldest first."""
    visible = None
    if principal.region_code is not None:
        visible = state.region_tree().descendants(principal.region_code)
    total, records = audit_page(uow, regions=visible, limit=limit, offset=offset)
    items = [AuditEntryPublic(**asdict(record)) for record in records]
    return Page(total=total, limit=limit, offset=offset, items=items)


@router.get("/verify", operation_id="verify_audit_log", response_model=VerificationPublic)
def verify_audit_log(uow: UnitOfWorkDep, _principal: Auditor) -> VerificationPublic:
    """Recompute the hash chain, as ``cityops audit verify`` does; name the first entry
    that was altered, inserted or removed."""
    outcome = verify(uow)
    return VerificationPublic(
        intact=outcome.intact,
        checked=outcome.checked,
        first_bad_seq=outcome.first_bad_seq,
        reason=outcome.reason,
    )
