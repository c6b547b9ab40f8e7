"""The ASGI app of ``cityops serve``: ``create_app(workspace)`` wires the API's routers,
the console, error handlers and headers."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from functools import partial
from threading import Thread

from fastapi import FastAPI, Request, Response
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from cityops import __version__
from cityops.api.body_limit import BodyLimit, body_limits
from cityops.api.errors import install_error_handlers
from cityops.api.form_encoding import Utf8FormBodies
from cityops.api.openapi_errors import document_errors
from cityops.api.routers import ROUTERS
from cityops.api.state import AppState
from cityops.console.routes import STATIC_DIR
from cityops.console.routes import router as console_router
from cityops.services.accounts import list_users
from cityops.services.indicators import periods_with_facts
from cityops.services.operations import warm_operations
from cityops.services.regions import list_regions
from cityops.services.tickets import flush_outbox
from cityops.settings import ProcessSettings, process_settings
from cityops.tickets.scheduler import periodic_flush
from cityops.types import RegionCode
from cityops.workspace.workspace import Workspace

__all__ = ["create_app"]

_log = logging.getLogger(__name__)

_SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
}
"""Headers of every answer.  The policy allows only the app's own scripts and styles
(the console's are files under ``/static``, its data a ``type="application/json"`` block
that no browser runs), so markup that slipped into a page could not run a script."""
_DOCS_PATH = "/api/v1/docs"
_DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' https://cdn.jsdelivr.net; img-src 'self' data: https://fastapi.tiangolo.com; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
"""FastAPI's interactive API docs load Swagger UI from its CDN and start it with an inline
script; that one fixed page (it shows no user data) gets a policy of its own."""
_STATIC_CACHE = "private, max-age=3600"


def create_app(workspace: Workspace, settings: ProcessSettings | None = None) -> FastAPI:
    """The whole service over ``workspace``: ``/api/v1``, its OpenAPI at
    ``/api/v1/openapi.json`` and docs at ``/api/v1/docs``, and the console at
    ``/console``.  While it runs, the ticket outbox is flushed into the lake every
    ``CITYOPS_OUTBOX_FLUSH_S`` seconds and once at shutdown (``cityops.tickets``), and
    the operations pages of the latest month are computed in advance at start-up.
    ``settings`` default to the process's (``cityops.settings``)."""
    state = AppState.open(workspace, settings or process_settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        warming = Thread(target=_warm_operations, args=(state,), name="cityops-warm")
        app.state.warming = warming
        warming.start()
        async with periodic_flush(partial(_flush_outbox, state), state.settings.outbox_flush_s):
            yield
        warming.join()
        state.backend.close()

    app = FastAPI(
        title="cityops",
        version=__version__,
        summary="Long-term operation (长效运营) of smart cities",
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.cityops = state
    install_error_handlers(app)
    app.add_middleware(Utf8FormBodies)
    app.add_middleware(BodyLimit, limits=body_limits(state.settings))  # outside every reader
    for router in ROUTERS:
        app.include_router(router)
    app.include_router(console_router)
    document_errors(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/console/overview", status_code=303)

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        if request.url.path.startswith("/static/"):
            # Scripts, styles and ECharts (1 MB) change only with the package: keep them
            # for an hour instead of fetching them again on every page.
            response.headers.setdefault("Cache-Control", _STATIC_CACHE)
        if request.url.path == _DOCS_PATH:
            response.headers.setdefault("Content-Security-Policy", _DOCS_POLICY)
        for name, value in _SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    return app


def _flush_outbox(state: AppState) -> None:
    """Carry the ticket outbox into the lake (the scheduler logs a failure)."""
    with state.backend.unit_of_work() as uow:
        flush_outbox(uow)


WARM_REGIONS = 8
"""At most this many regions' operations pages are computed at start-up."""


def _warm_operations(state: AppState) -> None:
    """The operations pages of the latest month with facts, computed before anyone
    asks, for the regions the console opens on: its users' own regions, most users
    first, and the cities (where an administrator's console opens).  A failure is
    logged, not raised: a request for the page computes it and reports the error then."""
    try:
        months = periods_with_facts(state.workspace)
        if not months:
            return
        known = state.region_tree().parents
        with state.backend.unit_of_work() as uow:
            own = Counter(
                u.region_code
                for u in list_users(uow)
                if u.region_code is not None and u.region_code in known
            )
            cities = [r.region_code for r in list_regions(uow) if r.level == "city"]
            regions = [RegionCode(code) for code, _ in own.most_common()]
            regions += [code for code in cities if code not in own]
            warm_operations(uow, regions[:WARM_REGIONS], months[-1])
    except Exception:
        _log.exception("the operations pages could not be computed in advance")
