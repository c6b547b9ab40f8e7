"""The console's pages: login, language switch and one route per page.

Every page is rendered in the user's language (Chinese unless the
``cityops_lang`` cookie says English); templates call ``t(key)`` on the message
catalogue (``cityops.messages``), the one place labels are written.  Pages need
a logged-in user (the API's token in an HttpOnly cookie); without
one they redirect to the login page.  What a page shows is fetched by the
browser from ``/api/v1`` with the same cookie, so the API's permission and
scope checks apply unchanged.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader

from cityops.access.roles import Action, Resource, allows
from cityops.access.scope import Principal
from cityops.accounts.store import TOKEN_LIFETIME
from cityops.api.deps import CSRF_HEADER, TOKEN_COOKIE, AuditedLogin, UnitOfWorkDep, audit
from cityops.api.state import AppState
from cityops.domain.stages import STAGES
from cityops.messages import Lang, label
from cityops.services.accounts import LoginOutcome, principal_for_token, revoke_token
from cityops.services.definitions import workspace_framework

__all__ = ["CONSOLE_PAGES", "LANG_COOKIE", "STATIC_DIR", "router"]

LANG_COOKIE = "cityops_lang"

STATIC_DIR = Path(__file__).parent / "static"
_templates = Jinja2Templates(
    env=Environment(
        loader=FileSystemLoader(Path(__file__).parent / "templates"),
        # Every template is escaped, whatever its suffix (ours end in .html.j2, which
        # jinja2's select_autoescape would leave raw).
        autoescape=True,
    )
)

CONSOLE_PAGES: tuple[tuple[str, str], ...] = (
    ("overview", "nav.overview"),
    ("evaluation", "nav.evaluation"),
    ("contracts", "nav.contracts"),
    ("portal", "nav.portal"),
    ("hotline", "nav.hotline"),
    ("infrastructure", "nav.infrastructure"),
)
"""(page, label key) in navigation order; each page has ``templates/<page>.html.j2``."""

router = APIRouter(prefix="/console", include_in_schema=False)


def _lang(request: Request) -> Lang:
    value = request.cookies.get(LANG_COOKIE, Lang.ZH.value)
    return Lang(value) if value in Lang.__members__.values() else Lang.ZH


def _render(
    request: Request, template: str, principal: Principal | None, **context: Any
) -> HTMLResponse:
    lang = _lang(request)
    return _templates.TemplateResponse(
        request,
        template,
        {
            "lang": lang,
            "t": lambda key: label(key, lang),
            "user": principal,
            "pages": CONSOLE_PAGES,
            "csrf_header": CSRF_HEADER,
            "content_names": _content_names(request, lang),
            "stages": [stage.code for stage in STAGES],
            "can": lambda resource, action: _can(principal, resource, action),
            **context,
        },
    )


def _content_names(request: Request, lang: Lang) -> dict[str, str]:
    """The workspace framework's contents in ``lang``, by their Chinese names (a page
    script names a content of a run's tree by the label ``content.<Chinese name>``)."""
    state: AppState = request.app.state.cityops
    return {
        content.name_zh: content.name_zh if lang is Lang.ZH else content.name_en
        for direction in workspace_framework(state.workspace).directions
        for content in direction.contents
    }


def _can(principal: Principal | None, resource: str, action: str) -> bool:
    """Whether the page should offer ``action`` on ``resource`` (the API checks again)."""
    return principal is not None and allows(principal.role, Resource(resource), Action(action))


def _logged_in(request: Request, uow: UnitOfWorkDep) -> Principal | None:
    token = request.cookies.get(TOKEN_COOKIE)
    return principal_for_token(uow, token) if token else None


@router.get("/login")
def login_page(request: Request) -> HTMLResponse:
    return _render(request, "login.html.j2", None, error=None)


@router.post("/login")
def login(
    request: Request, outcome: Annotated[LoginOutcome, Depends(AuditedLogin("console"))]
) -> Response:
    if outcome.token is None:
        error = "login.throttled" if outcome.throttled else "login.failed"
        response = _render(request, "login.html.j2", None, error=error)
        response.status_code = 429 if outcome.throttled else 401
        if outcome.throttled:
            response.headers["Retry-After"] = str(outcome.retry_after_s)
        return response
    redirect = RedirectResponse("/console/overview", status_code=303)
    redirect.set_cookie(
        TOKEN_COOKIE,
        outcome.token.token,
        max_age=int(TOKEN_LIFETIME.total_seconds()),
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return redirect


@router.post("/logout")
def logout(request: Request, uow: UnitOfWorkDep) -> RedirectResponse:
    """Revoke the session's token on the server (it is refused from then on, as cookie
    and as bearer token), audit the logout, and clear the cookie."""
    principal = _logged_in(request, uow)
    if principal is not None:
        revoke_token(uow, request.cookies.get(TOKEN_COOKIE, ""))
        audit(uow, request, principal, "logout", "console", "ok")
    redirect = RedirectResponse("/console/login", status_code=303)
    redirect.delete_cookie(TOKEN_COOKIE)
    return redirect


@router.get("/lang/{lang}")
def switch_language(lang: Lang, request: Request) -> RedirectResponse:
    back = request.headers.get("referer", "/console/overview")
    target = back if back.startswith(str(request.base_url)) else "/console/overview"
    redirect = RedirectResponse(target, status_code=303)
    redirect.set_cookie(LANG_COOKIE, lang.value, samesite="strict", max_age=365 * 86400)
    return redirect


@router.get("")
@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/console/overview", status_code=303)


@router.get("/{page}")
def page(page: str, request: Request, uow: UnitOfWorkDep) -> Response:
    """A console page; the login page for a visitor without a valid session."""
    principal = _logged_in(request, uow)
    if principal is None:
        return RedirectResponse("/console/login", status_code=303)
    if page not in dict(CONSOLE_PAGES):
        response = _render(request, "not_found.html.j2", principal, page=page)
        response.status_code = 404
        return response
    return _render(request, f"{page}.html.j2", principal, page=page)
