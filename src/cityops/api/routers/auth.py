"""Logging in and out: bearer tokens (``/api/v1/auth``), and a user's live tokens.

Logging out revokes the token on the server (``cityops.accounts.tokens``): it is
refused from then on as a bearer token and as the console's cookie.  Every user
lists and revokes their own tokens; the administrator those of anyone.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status

from cityops.api.deps import (
    AuditedLogin,
    CurrentPrincipal,
    UnitOfWorkDep,
    audit,
    not_found,
    presented_token,
)
from cityops.api.schemas import PrincipalPublic, TokenPublic
from cityops.services.accounts import (
    LoginOutcome,
    TokenNotFoundError,
    TokenRecordPublic,
    id_of_token,
    list_tokens,
    may_manage_tokens_of,
    revoke_token,
    revoke_token_id,
)

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
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "wrong user name, password or one-time code"
        )
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
def logout(request: Request, uow: UnitOfWorkDep, principal: CurrentPrincipal) -> None:
    """Revoke the token used for this request (as bearer token or as the console's cookie)."""
    revoke_token(uow, presented_token(request) or "")
    audit(uow, request, principal, "logout", "auth", "ok")


@router.get("/tokens", operation_id="list_tokens", response_model=list[TokenRecordPublic])
def tokens(
    request: Request,
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    username: Annotated[
        str | None,
        Query(
            max_length=200,
            description="Whose tokens (default: the caller's own); "
            "another user's only for the administrator.",
        ),
    ] = None,
) -> list[TokenRecordPublic]:
    """The caller's live tokens, or another user's for the administrator (403 otherwise)."""
    whose = username or principal.username
    if not may_manage_tokens_of(principal, whose):
        audit(uow, request, principal, "list_tokens", f"user:{whose}", "refused")
        raise HTTPException(status.HTTP_403_FORBIDDEN, "only an administrator sees others' tokens")
    current = id_of_token(presented_token(request) or "")
    return [
        TokenRecordPublic.of(record, current=record.token_id == current)
        for record in list_tokens(uow, username=whose)
    ]


@router.delete(
    "/tokens/{token_id}", operation_id="revoke_token", status_code=status.HTTP_204_NO_CONTENT
)
def revoke(
    request: Request, uow: UnitOfWorkDep, principal: CurrentPrincipal, token_id: str
) -> None:
    """Revoke one of the caller's live tokens (the administrator: anyone's); another
    user's token is answered 404, like a missing one."""
    try:
        record = revoke_token_id(uow, token_id, caller=principal)
    except TokenNotFoundError:
        audit(uow, request, principal, "revoke_token", f"token:{token_id[:16]}", "refused")
        raise not_found("token", token_id[:16]) from None
    audit(uow, request, principal, "revoke_token", f"token:{record.username}:{token_id[:16]}", "ok")
