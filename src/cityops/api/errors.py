"""How errors leave the API: a status and a one-line ``detail``, never a traceback,
a SQL statement, a path of the server or a secret."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException
from starlette.routing import Match, Mount

from cityops.errors import CityopsError, ConfigError, ContractError, PipelineError

__all__ = ["MAX_VALIDATION_ERRORS", "install_error_handlers", "validation_errors"]

_log = logging.getLogger("cityops.api")
_STATUS = {
    ContractError: status.HTTP_422_UNPROCESSABLE_CONTENT,
    ConfigError: status.HTTP_422_UNPROCESSABLE_CONTENT,
    PipelineError: status.HTTP_409_CONFLICT,
}


MAX_VALIDATION_ERRORS = 20
"""A 422 lists at most this many problems: enough to correct a request, and a body of
many bad elements does not make an answer larger than itself."""
_MAX_TEXT = 100
"""Characters kept of a name or message in a 422 (a key of the body may be any size)."""


def validation_errors(errors: Any) -> list[dict[str, Any]]:
    """FastAPI's validation errors without the input they were given: each names where
    (``loc``), what (``msg``) and the kind (``type``), never echoes the value, and
    long texts are cut."""
    return [
        {
            "loc": [_cut(part) for part in error.get("loc", ())],
            "msg": _cut(error.get("msg", "")),
            "type": _cut(error.get("type", "")),
        }
        for error in list(errors)[:MAX_VALIDATION_ERRORS]
    ]


def _cut(value: Any) -> Any:
    if isinstance(value, int):
        return value
    text = str(value)
    return text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 1] + "…"


_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
"""The methods an operation of the API may have (``HEAD`` and ``OPTIONS`` are served
by no operation)."""


def allowed_methods(app: FastAPI, request: Request) -> list[str]:
    """The methods of every operation whose path matches the request's: a path may be
    served by several (``GET`` and ``POST /open311/v2/requests.{format}``), and the
    router's own ``405`` names only the first one's."""
    return [
        method
        for method in _METHODS
        if any(
            not isinstance(route, Mount)
            and route.matches({**request.scope, "method": method})[0] is Match.FULL
            for route in app.router.routes
        )
    ]


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> Response:
        if error.status_code == status.HTTP_405_METHOD_NOT_ALLOWED:
            methods = allowed_methods(app, request)
            if methods:
                error.headers = {**(error.headers or {}), "Allow": ", ".join(methods)}
        return await http_exception_handler(request, error)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, error: RequestValidationError) -> JSONResponse:
        return JSONResponse(
            jsonable_encoder({"detail": validation_errors(error.errors())}),
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        )

    @app.exception_handler(CityopsError)
    async def cityops_error(_request: Request, error: CityopsError) -> JSONResponse:
        code = next(
            (value for kind, value in _STATUS.items() if isinstance(error, kind)),
            status.HTTP_400_BAD_REQUEST,
        )
        return JSONResponse({"detail": str(error)}, status_code=code)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        _log.exception("unexpected error on %s %s", request.method, request.url.path)
        return JSONResponse(
            {"detail": "internal error; the server log has the details"},
            status_code=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
