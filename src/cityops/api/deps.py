"""Dependencies of the route handlers: the app state, the caller, permission checks, and
the month a request names.

Every protected operation declares what it needs with ``Allowed(resource,
action)``; the check runs on the server for every request (never only in a
page), a refusal is audited, and an object outside the caller's region scope
is answered ``404`` exactly like a missing one (``not_found``).

A month in a query (``?period=YYYY-MM``) reaches the handler as a ``Period``
(``PeriodQuery``, ``OptionalPeriodQuery``); one that is not a month is a ``422``
that says so and shows the form, as a month in a body is (a ``Period`` field).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Form, HTTPException, Query, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from cityops.access.roles import Action, Resource, allows
from cityops.access.scope import Principal
from cityops.api.clients import client_address
from cityops.api.state import AppState
from cityops.domain.period import PERIOD_PATTERN, Period
from cityops.errors import ConfigError
from cityops.services.accounts import LoginOutcome, authenticate, principal_for_token
from cityops.services.audit import AuditEntry, record, record_refusal
from cityops.services.unit_of_work import UnitOfWork

__all__ = [
    "CSRF_HEADER",
    "TOKEN_COOKIE",
    "Allowed",
    "AuditedLogin",
    "CurrentPrincipal",
    "OptionalPeriodQuery",
    "PeriodQuery",
    "StateDep",
    "UnitOfWorkDep",
    "audit",
    "client_of",
    "not_found",
    "presented_token",
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


def _unit_of_work(state: StateDep) -> Iterator[UnitOfWork]:
    """One unit of work per request: what its services write is kept only where they
    commit, and the rest is rolled back when the request ends."""
    with state.backend.unit_of_work() as uow:
        yield uow


UnitOfWorkDep = Annotated[UnitOfWork, Depends(_unit_of_work)]


_MONTH_SCHEMA = {"pattern": PERIOD_PATTERN, "examples": ["2025-03"]}
"""How the OpenAPI document shows a month in a query (the dependency parses it)."""


def _month(text: str) -> Period:
    try:
        return Period.parse(text)
    except ConfigError as error:
        problem = {"type": "value_error", "loc": ("query", "period"), "msg": str(error)}
        raise RequestValidationError([problem | {"input": text}]) from None


def _period_query(
    period: Annotated[str, Query(description="A month, YYYY-MM.", json_schema_extra=_MONTH_SCHEMA)],
) -> Period:
    return _month(period)


def _optional_period_query(
    period: Annotated[
        str | None,
        Query(
            description="A month, YYYY-MM (optional).",
            json_schema_extra=_MONTH_SCHEMA,
        ),
    ] = None,
) -> Period | None:
    return None if period is None else _month(period)


PeriodQuery = Annotated[Period, Depends(_period_query)]
"""``?period=YYYY-MM``, required."""
OptionalPeriodQuery = Annotated[Period | None, Depends(_optional_period_query)]
"""``?period=YYYY-MM`` or none."""


def client_of(request: Request) -> str:
    """The request's client address (``cityops.api.clients``): ``X-Forwarded-For`` is
    read only from the proxies of ``CITYOPS_TRUSTED_PROXIES``."""
    state: AppState = request.app.state.cityops
    return client_address(
        request.client.host if request.client else None,
        request.headers.getlist("x-forwarded-for"),
        state.settings.trusted_proxies,
    )


def presented_token(request: Request) -> str | None:
    """The token a request presents: its bearer token, else the console's cookie."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return request.cookies.get(TOKEN_COOKIE) or None


def _principal(
    request: Request,
    state: StateDep,
    uow: UnitOfWorkDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    token = presented_token(request)
    principal = principal_for_token(uow, token) if token else None
    if principal is not None and credentials is None and not _safe_from_csrf(request):
        audit(uow, request, principal, "csrf", request.url.path, "refused")
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"a change made with the console's cookie needs {CSRF_HEADER}",
        )
    if principal is None:
        # counted per hour and route rather than one entry each: a flood must not grow
        # the audit log without bound
        template = getattr(request.scope.get("route"), "path", request.url.path)
        record_refusal(
            uow,
            route=f"{request.method} {template}",
            path=request.url.path,
            client=client_of(request),
        )
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

    def check(request: Request, uow: UnitOfWorkDep, principal: CurrentPrincipal) -> Principal:
        if not allows(principal.role, resource, action):
            audit(uow, request, principal, f"{action}:{resource}", request.url.path, "refused")
            raise HTTPException(
                status.HTTP_403_FORBIDDEN, f"role {principal.role} may not {action} {resource}"
            )
        return principal

    return check


def AuditedLogin(via: str) -> Callable[..., LoginOutcome]:  # noqa: N802
    """A dependency that checks the posted form's ``username``, ``password`` and, for a
    user with a second factor, ``otp`` (throttled after repeated failures,
    ``services.accounts``) and audits the outcome as a login through ``via``: ``ok``,
    ``failed`` or ``throttled``.  A failure records the user name only when it names
    an existing account, otherwise only its length: what was typed may be a password."""

    def login(
        request: Request,
        uow: UnitOfWorkDep,
        username: Annotated[str, Form(max_length=200)],
        password: Annotated[str, Form(max_length=1000)],
        otp: Annotated[str | None, Form(max_length=16)] = None,
    ) -> LoginOutcome:
        outcome = authenticate(uow, username, password, client=client_of(request), code=otp)
        if outcome.token is not None:
            audit(uow, request, outcome.token.principal, "login", via, "ok")
        else:
            result = "throttled" if outcome.throttled else "failed"
            who = outcome.account or f"unknown account ({len(username)} characters)"
            audit(uow, request, None, f"login:{who}", via, result)
        return outcome

    return login


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
    uow: UnitOfWork,
    request: Request,
    principal: Principal | None,
    action: str,
    obj: str,
    result: str,
) -> None:
    """Append one entry to the audit log and commit it with the request's unit of work.

    Call it after the service has committed what the step changed (an ``ok``), or
    after rolling back what a refused step left (a refusal), so the entry never
    carries half a step with it.  The request's own connection is used: a second
    one per request would let a burst of requests exhaust the pool while each
    waits for its second connection."""
    entry = AuditEntry(
        action=action,
        object=obj,
        result=result,
        username=principal.username if principal else None,
        role=principal.role.value if principal else None,
        region_code=principal.region_code if principal else None,
        client=client_of(request),
    )
    record(uow, entry)
