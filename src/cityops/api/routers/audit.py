"""The audit log over HTTP (``/api/v1/audit``): its entries, and a check of its chain.

Reading it is for auditors and administrators.  An auditor bound to a region
sees the entries of users of that region and below (an entry's region is its
actor's); entries without a region (anonymous requests, administrators) only
an unbound user sees.  Verification always covers the whole chain.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from cityops.access.roles import Action, Resource
from cityops.access.scope import Principal
from cityops.api.deps import Allowed, StateDep, UnitOfWorkDep
from cityops.api.pages import DEFAULT_LIMIT, Limit, Offset, Page
from cityops.public import Public, derived_from
from cityops.services.audit import AuditRecord, Verification, audit_page
from cityops.services.settlement import verify_audit

__all__ = ["VerificationPublic", "router"]

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])
Auditor = Annotated[Principal, Depends(Allowed(Resource.AUDIT, Action.READ))]


@derived_from(
    Verification,
    fields=("intact", "checked", "first_bad_seq", "reason", "anchors", "altered_statements"),
)
class VerificationPublic(Public):
    """The outcome of ``verify_chain``, as ``cityops audit verify`` reports it."""


@router.get("", operation_id="list_audit_entries", response_model=Page[AuditRecord])
def list_audit_entries(
    state: StateDep,
    uow: UnitOfWorkDep,
    principal: Auditor,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> Page[AuditRecord]:
    """Entries in the caller's scope, oldest first."""
    visible = None
    if principal.region_code is not None:
        visible = state.region_tree().descendants(principal.region_code)
    total, records = audit_page(uow, regions=visible, limit=limit, offset=offset)
    return Page(total=total, limit=limit, offset=offset, items=records)


@router.get("/verify", operation_id="verify_audit_log", response_model=VerificationPublic)
def verify_audit_log(uow: UnitOfWorkDep, _principal: Auditor) -> VerificationPublic:
    """Recompute the hash chain, as ``cityops audit verify`` does; name the first entry
    that was altered, inserted or removed, and every approved statement whose stored
    content no longer matches the seal its approval wrote into the chain."""
    return VerificationPublic.of(verify_audit(uow))
