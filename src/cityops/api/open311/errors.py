"""Open311 failures in the spec's error format, in the format the URL asked for.

GeoReport v2 answers errors as ``<errors><error><code/><description/>…`` (or
the JSON list of the same), with 404 for what does not exist and 400 for any
other request that cannot be fulfilled.  ``Open311Route`` wraps each Open311
operation so that invalid parameters (FastAPI's validation), ``HTTPException``
and the ``CityopsError`` of a refused input all come back that way instead of
as the ``/api/v1`` JSON ``detail``.  Unexpected errors still go to the app's
handler (500, no details).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response, status
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

from cityops.api.open311.render import Format, render_errors
from cityops.errors import CityopsError

__all__ = ["Open311Route", "format_of"]


def format_of(request: Request) -> Format:
    """The format named by the URL's suffix; XML (the spec's required format) when
    the suffix is not one we serve."""
    suffix = request.path_params.get("format")
    return Format(suffix) if suffix in {f.value for f in Format} else Format.XML


class Open311Route(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as error:
                descriptions = [_describe(e) for e in error.errors()]
                return render_errors(format_of(request), status.HTTP_400_BAD_REQUEST, descriptions)
            except HTTPException as error:
                answer = render_errors(format_of(request), error.status_code, [str(error.detail)])
                answer.headers.update(error.headers or {})
                return answer
            except CityopsError as error:
                return render_errors(format_of(request), status.HTTP_400_BAD_REQUEST, [str(error)])

        return handle


def _describe(error: Any) -> str:
    """``lat: Input should be a valid number``: the field and what was wrong (never
    the value sent, which may be long or personal)."""
    fields = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path")]
    where = ".".join(fields) or "request"
    message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
    return f"{where}: {message}"
