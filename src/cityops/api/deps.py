"""Dependencies of the route handlers: the app state, the caller, and permission checks.

Every protected operation declares what it needs with ``Allowed(resource,
action)``; the check runs on the server for every request (never only in a
page), a refusal is audited, and an object outside the caller's region scope
is answered ``404`` exactly like a missing one (``not_found``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from cityops.access.roles import Action, Resource, allows
from cityops.access.scope import Principal
from cityops.accounts.store import principal_for_token
from cityops.api.state import AppState
from cityops.audit.log import AuditEntry, append_entry

__all__ = [
    "CSRF_HEADER",
    "TOKEN_COOKIE",
    "Allowed",
    "CurrentPrincipal",
    "StateDep",
    "audit",
    "client_of",
    "not_found",
    "require_in_scope",
]

TOKEN_COOKIE = "cityops_token"
"""The console keeps the same bearer token in an HttpOnly, SameSite=Strict cookie."""
CSRF_HEADER = "X-Cityops-Console"
"""Changes authenticated by the cookie must carry this header, which a cross-site
form cannot set (the cookie's SameSite=Strict is the first defence)."""
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_bearer = HTTPBearer(auto_error=False, description="Token from POST /api/v1/auth/token")


def _state(request: Request) -> AppState:
    state: AppState = request.app.state.cityops
    return state


StateDep = Annotated[AppState, Depends(_state)]


def client_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _principal(
    request: Request,
    state: StateDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    token = credentials.credentials if credentials else request.cookies.get(TOKEN_COOKIE)
    principal = principal_for_token(state.engine, token) if token else None
    if principal is not None and credentials is None and not _safe_from_csrf(request):
        audit(state, request, principal, "csrf", request.url.path, "refused")
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"a change made with the console's cookie needs {CSRF_HEADER}",
        )
    if principal is None:
        audit(state, request, None, "authenticate", request.url.path, "refused")
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "missing, expired or revoked token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return principal


CurrentPrincipal = Annotated[Principal, Depends(_principal)]


def _safe_from_csrf(request: Request) -> bool:
    return request.method in _SAFE_METHODS or request.headers.get(CSRF_HEADER) == "1"


def Allowed(resource: Resource, action: Action) -> Callable[..., Principal]:  # noqa: N802
    """A dependency that yields the caller if their role may ``action`` ``resource``."""

    def check(request: Request, state: StateDep, principal: CurrentPrincipal) -> Principal:
        if not allows(principal.role, resource, action):
            audit(state, request, principal, f"{action}:{resource}", request.url.path, "refused")
            raise HTTPException(
                status.HTTP_403_FORBIDDEN, f"role {principal.role} may not {action} {resource}"
            )
        return principal

    return check


def not_found(kind: str, key: str) -> HTTPException:
    """The one answer for "missing" and "not yours", so scope leaks nothing."""
    return HTTPException(status.HTTP_404_NOT_FOUND, f"{kind} {key!r} not found")


def require_in_scope(
    state: AppState, principal: Principal, region_code: str | None, kind: str, key: str
) -> None:
    """Raise 404 unless an object of ``region_code`` lies in the caller's scope."""
    if not state.region_tree().visible_to(principal, region_code):
        raise not_found(kind, key)


def audit(
    state: AppState,
    request: Request,
    principal: Principal | None,
    action: str,
    obj: str,
    result: str,
) -> None:
    """Append one entry to the audit log, in its own transaction."""
    entry = AuditEntry(
        action=action,
        object=obj,
        result=result,
        username=principal.username if principal else None,
        role=principal.role.value if principal else None,
        region_code=principal.region_code if principal else None,
        client=client_of(request),
    )
    with state.engine.begin() as connection:
        append_entry(connection, entry)
