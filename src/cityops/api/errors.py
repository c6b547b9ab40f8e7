"""How errors leave the API: a status and a one-line ``detail``, never a traceback,
a SQL statement, a path of the server or a secret."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

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


def install_error_handlers(app: FastAPI) -> None:
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
