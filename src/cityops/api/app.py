"""The ASGI app: ``create_app(workspace)`` wires routers, error handlers and headers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from cityops import __version__
from cityops.api.errors import install_error_handlers
from cityops.api.form_encoding import Utf8FormBodies
from cityops.api.routers import ROUTERS
from cityops.api.state import AppState
from cityops.console.routes import STATIC_DIR
from cityops.console.routes import router as console_router
from cityops.tickets.scheduler import periodic_flush
from cityops.tickets.settings import TicketSettings
from cityops.workspace.workspace import Workspace

__all__ = ["create_app"]

_SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
_STATIC_CACHE = "private, max-age=3600"


def create_app(workspace: Workspace) -> FastAPI:
    """The whole service over ``workspace``: ``/api/v1``, its OpenAPI at
    ``/api/v1/openapi.json`` and docs at ``/api/v1/docs``, and the console at
    ``/console``.  While it runs, the ticket outbox is flushed into the lake every
    ``CITYOPS_OUTBOX_FLUSH_S`` seconds and once at shutdown (``cityops.tickets``)."""
    state = AppState.open(workspace)
    tickets = TicketSettings.from_env()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        async with periodic_flush(workspace, state.engine, tickets.flush_interval_s):
            yield
        state.engine.dispose()

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
    app.state.tickets = tickets
    install_error_handlers(app)
    app.add_middleware(Utf8FormBodies)
    for router in ROUTERS:
        app.include_router(router)
    app.include_router(console_router)
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
        for name, value in _SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    return app
