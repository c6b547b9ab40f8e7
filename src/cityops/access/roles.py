"""Roles (角色) and what each may do with each kind of resource.

The table below is the policy the API enforces; region scope (``scope``) and
ownership (an operator's contracts, a department's tickets) narrow it further,
object by object.  ``docs/access-matrix.csv`` states the expected outcome for
every role × endpoint × relation, and the tests execute every cell of it
against the running API, so this table and that one are checked against each
other rather than one being derived from the other.
"""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType

__all__ = ["PERMISSIONS", "Action", "Resource", "Role", "allows"]


class Role(StrEnum):
    ADMIN = "admin"  # 系统管理员: everything, users included
    SUPERVISOR = "supervisor"  # 统筹管理部门: a city or district and everything under it
    OPERATOR = "operator"  # 运营企业: its own contracts and the data it operates
    DEPARTMENT = "department"  # 委办局: its own services and tickets
    EVALUATOR = "evaluator"  # 第三方评估机构: indicators and evaluations, reviews statements
    AUDITOR = "auditor"  # 审计: reads everything in scope, the audit log included


class Resource(StrEnum):
    REGIONS = "regions"
    REGISTER = "register"
    INGEST = "ingest"
    INDICATORS = "indicators"
    EVALUATIONS = "evaluations"
    CONTRACTS = "contracts"
    STATEMENTS = "statements"
    APPROVAL = "approval"  # approving a statement (批准)
    REVIEW = "review"  # reviewing a statement (复核)
    ADVISOR = "advisor"
    COMPLIANCE = "compliance"
    QUARANTINE = "quarantine"
    TICKETS = "tickets"
    PERSONAL_DATA = "personal_data"  # unmasked contacts; every view is audited
    AUDIT = "audit"
    USERS = "users"


class Action(StrEnum):
    READ = "read"
    WRITE = "write"


_R = frozenset({Action.READ})
_RW = frozenset({Action.READ, Action.WRITE})
_W = frozenset({Action.WRITE})

PERMISSIONS: MappingProxyType[Role, MappingProxyType[Resource, frozenset[Action]]] = (
    MappingProxyType(
        {
            Role.ADMIN: MappingProxyType(dict.fromkeys(Resource, _RW)),
            Role.SUPERVISOR: MappingProxyType(
                {
                    Resource.REGIONS: _R,
                    Resource.REGISTER: _R,
                    Resource.INGEST: _RW,
                    Resource.INDICATORS: _RW,
                    Resource.EVALUATIONS: _RW,
                    Resource.CONTRACTS: _RW,
                    Resource.STATEMENTS: _RW,
                    Resource.APPROVAL: _W,
                    Resource.ADVISOR: _R,
                    Resource.COMPLIANCE: _R,
                    Resource.QUARANTINE: _R,
                    Resource.TICKETS: _RW,
                }
            ),
            Role.OPERATOR: MappingProxyType(
                {
                    Resource.REGIONS: _R,
                    Resource.REGISTER: _R,
                    Resource.INGEST: _RW,
                    Resource.INDICATORS: _R,
                    Resource.EVALUATIONS: _R,
                    Resource.CONTRACTS: _R,
                    Resource.STATEMENTS: _R,
                    Resource.QUARANTINE: _R,
                    Resource.TICKETS: _R,
                }
            ),
            Role.DEPARTMENT: MappingProxyType(
                {
                    Resource.REGIONS: _R,
                    Resource.REGISTER: _R,
                    Resource.INDICATORS: _R,
                    Resource.TICKETS: _RW,
                    # to call citizens back; only for users given the right one by one
                    Resource.PERSONAL_DATA: _R,
                }
            ),
            Role.EVALUATOR: MappingProxyType(
                {
                    Resource.REGIONS: _R,
                    Resource.REGISTER: _R,
                    Resource.INDICATORS: _RW,
                    Resource.EVALUATIONS: _RW,
                    Resource.CONTRACTS: _R,
                    Resource.STATEMENTS: _R,
                    Resource.REVIEW: _W,
                    Resource.COMPLIANCE: _R,
                }
            ),
            Role.AUDITOR: MappingProxyType(
                {
                    resource: _R
                    for resource in Resource
                    if resource not in {Resource.APPROVAL, Resource.REVIEW, Resource.PERSONAL_DATA}
                }
            ),
        }
    )
)


def allows(role: Role, resource: Resource, action: Action) -> bool:
    """Whether ``role`` may ``action`` ``resource`` at all (scope is checked apart)."""
    return action in PERMISSIONS[role].get(resource, frozenset())
