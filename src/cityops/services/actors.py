"""Who takes a settlement step (结算经办人): a registered user, proven by password or
by an API token, whose role may take the step and whose region holds the contract.

The API authenticates its callers itself (``cityops.api.deps``); this is the same
check for ``cityops settle`` and its workflow commands, where ``--by USER`` would
otherwise be a claim rather than an identity.  Every refusal is audited before it
is raised, and so is every step taken.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from cityops.access.roles import Action, Resource, Role, allows
from cityops.access.scope import Principal
from cityops.accounts import store, tokens
from cityops.audit.log import AuditEntry
from cityops.errors import CityopsError
from cityops.services.audit import record
from cityops.services.regions import region_tree
from cityops.services.unit_of_work import UnitOfWork

__all__ = [
    "STEP_RESOURCES",
    "ActorRefusedError",
    "Credentials",
    "Step",
    "audit_step",
    "authenticate_actor",
]

Step = Literal["settle", "review", "approve"]

STEP_RESOURCES: dict[str, Resource] = {
    "settle": Resource.STATEMENTS,  # drafting (编制) writes a statement
    "review": Resource.REVIEW,  # 复核
    "approve": Resource.APPROVAL,  # 批准
}
"""What each step writes: the same rule the API's routes enforce (``api/routers/contracts.py``)."""


class ActorRefusedError(CityopsError):
    """The person named to take a settlement step is not a registered user, was not
    proven (wrong password or token), or may not take the step."""


@dataclass(frozen=True, slots=True)
class Credentials:
    """``username`` and either its ``password`` or an API ``token`` of that user;
    ``client`` names where the step came from in the audit log."""

    username: str
    password: str | None = None
    token: str | None = None
    client: str = "cli"


def authenticate_actor(
    uow: UnitOfWork, credentials: Credentials, step: Step, obj: str, *, region_code: str | None
) -> Principal:
    """The principal ``credentials`` prove, if its role may take ``step`` on an object of
    region ``region_code``; otherwise the refusal is audited (``step`` ``obj`` refused)
    and raised as an ``ActorRefusedError``.

    A password is checked as a login is (counted and throttled alike); the token a
    successful check issues is revoked at once, so a command leaves no live token
    behind.  A user with a second factor proves itself with a token
    (``$CITYOPS_TOKEN``, from logging in to the API), not a password."""
    principal, reason, account = _prove(uow, credentials)
    if principal is not None:
        reason = _may_not(uow, principal, step, region_code)
    if reason is not None or principal is None:
        uow.rollback()
        if principal is None:  # a known account's name, never what an unknown one typed
            entry = AuditEntry(step, obj, "refused", username=account, client=credentials.client)
            record(uow, entry)
        else:
            audit_step(uow, principal, step, obj, "refused", client=credentials.client)
        raise ActorRefusedError(f"{step} {obj} refused: {reason}")
    return principal


def audit_step(
    uow: UnitOfWork,
    principal: Principal | None,
    step: str,
    obj: str,
    result: str,
    *,
    client: str = "cli",
) -> None:
    """Append ``step`` on ``obj`` with its ``result`` by ``principal`` to the audit log."""
    record(
        uow,
        AuditEntry(
            action=step,
            object=obj,
            result=result,
            username=None if principal is None else principal.username,
            role=None if principal is None else principal.role.value,
            region_code=None if principal is None else principal.region_code,
            client=client,
        ),
    )


def _prove(
    uow: UnitOfWork, credentials: Credentials
) -> tuple[Principal | None, str | None, str | None]:
    """The principal proven (or None, why not, and the account named if it exists)."""
    name = credentials.username
    if credentials.token is not None:
        principal = store.principal_for_token(uow.register, credentials.token)
        if principal is None:
            return None, "the token ($CITYOPS_TOKEN) is unknown, expired or revoked", None
        if principal.username != name:
            why = f"the token ($CITYOPS_TOKEN) is {principal.username!r}'s, not {name!r}'s"
            return None, why, principal.username
        return principal, None, name
    if credentials.password is None:
        why = f"give {name!r}'s password ($CITYOPS_PASSWORD or the prompt) or a token"
        return None, why, None
    outcome = store.authenticate(
        uow.register,
        name,
        credentials.password,
        client=credentials.client,
        cipher=uow.backend.cipher,
        after_claim=uow.commit,
    )
    uow.commit()
    if outcome.throttled:
        why = f"too many failed attempts; try again in {outcome.retry_after_s} s"
        return None, why, outcome.account
    if outcome.token is None:
        why = f"unknown user or wrong password for {name!r} (users: `cityops user list`)"
        return None, why, outcome.account
    tokens.revoke_token(uow.register, outcome.token.token)
    uow.commit()
    return outcome.token.principal, None, name


def _may_not(
    uow: UnitOfWork, principal: Principal, step: Step, region_code: str | None
) -> str | None:
    resource = STEP_RESOURCES[step]
    if not allows(principal.role, resource, Action.WRITE):
        role = principal.role.value
        return f"{principal.username!r} is {role}; a {role} may not {step}"
    if principal.role is Role.ADMIN or region_code is None:
        return None
    if not region_tree(uow).visible_to(principal, region_code):
        return f"{principal.username!r} works for region {principal.region_code}, not {region_code}"
    return None
