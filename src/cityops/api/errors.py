"""How errors leave the API: a status and a one-line ``detail``, never a traceback,
a SQL statement, a path of the server or a secret."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse

from cityops.errors import CityopsError, ConfigError, ContractError, PipelineError

__all__ = ["install_error_handlers"]

_log = logging.getLogger("cityops.api")
_STATUS = {
    ContractError: status.HTTP_422_UNPROCESSABLE_CONTENT,
    ConfigError: status.HTTP_422_UNPROCESSABLE_CONTENT,
    PipelineError: status.HTTP_409_CONFLICT,
}


def install_error_handlers(app: FastAPI) -> None:
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
