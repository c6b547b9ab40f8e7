"""Compliance of the contracts and region budgets with the fiscal rules
(``GET /api/v1/compliance``), limited to the caller's scope.

A finding is about a contract (its subject is the contract id) or a region's
year (``<region>/<year>``); the caller sees those whose contract or region
lies in their scope, and ``compliant`` speaks of those only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from cityops.access.roles import Action, Resource
from cityops.access.scope import Principal
from cityops.api.deps import Allowed, StateDep, UnitOfWorkDep
from cityops.compliance.checks import Finding, Outcome
from cityops.services.compliance import check_workspace
from cityops.services.settlement import list_contracts

__all__ = ["ComplianceReportPublic", "router"]

router = APIRouter(prefix="/api/v1/compliance", tags=["compliance"])
Reader = Annotated[Principal, Depends(Allowed(Resource.COMPLIANCE, Action.READ))]


class ComplianceReportPublic(BaseModel):
    compliant: bool
    """No visible finding failed (an unknown outcome is not a failure)."""
    findings: list[Finding]


@router.get("", operation_id="check_compliance", response_model=ComplianceReportPublic)
def check_compliance(
    state: StateDep, uow: UnitOfWorkDep, principal: Reader
) -> ComplianceReportPublic:
    """Every rule applied to the registered contracts and budgets in the caller's scope."""
    region_of = {s.contract.contract_id: s.contract.region_code for s in list_contracts(uow)}
    tree = state.region_tree()
    visible = [
        finding
        for finding in check_workspace(uow)
        if tree.visible_to(principal, _subject_region(finding.subject, region_of))
    ]
    return ComplianceReportPublic(
        compliant=all(f.outcome is not Outcome.FAIL for f in visible),
        findings=visible,
    )


def _subject_region(subject: str, region_of: Mapping[str, str]) -> str | None:
    """The region a finding concerns: its contract's, or the region of ``<region>/<year>``."""
    if subject in region_of:
        return region_of[subject]
    region, slash, _year = subject.rpartition("/")
    return region if slash else None
