"""Logging in and out: bearer tokens (``/api/v1/auth``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, status

from cityops.api.deps import (
    TOKEN_COOKIE,
    AuditedLogin,
    CurrentPrincipal,
    StateDep,
    UnitOfWorkDep,
    audit,
)
from cityops.api.schemas import PrincipalPublic, TokenPublic
from cityops.services.accounts import LoginOutcome, revoke_token

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


@router.post("/token", operation_id="login", response_model=TokenPublic)
def login(outcome: Annotated[LoginOutcome, Depends(AuditedLogin("auth"))]) -> TokenPublic:
    """Exchange a user name and password (form fields, as OAuth2's password flow) for a
    bearer token; repeated failures are throttled (429 with Retry-After)."""
    if outcome.throttled:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            "too many failed logins; try again later",
            headers={"Retry-After": str(outcome.retry_after_s)},
        )
    if outcome.token is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "wrong user name, password or one-time code")
    issued = outcome.token
    return TokenPublic(
        access_token=issued.token,
        expires_at=issued.expires_at,
        user=PrincipalPublic.of(issued.principal),
    )


@router.get("/me", operation_id="whoami", response_model=PrincipalPublic)
def whoami(principal: CurrentPrincipal) -> PrincipalPublic:
    """The user the token belongs to."""
    return PrincipalPublic.of(principal)


@router.post("/logout", operation_id="logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(
    request: Request, state: StateDep, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> None:
    """Revoke the token used for this request."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        token = request.cookies.get(TOKEN_COOKIE, "")
    revoke_token(uow, token)
    audit(uow, request, principal, "logout", "auth", "ok")
