"""One bound on the size of every request body, enforced before anything parses it.

A body is refused with ``413`` and a one-line JSON ``detail``:

* at once when its declared ``Content-Length`` is beyond the limit — not a byte
  of it is read;
* as soon as the bytes received pass the limit when it comes without a length
  (chunked) or with a false one — what was read is dropped, the rest never read.

The server therefore never holds more than the limit of one body, whatever a
client sends: without this bound a 50 MB form to Open311 or to the login cost
the server over 600 MB while it was parsed.  Each path takes the limit of the
longest matching prefix in :class:`BodyLimits`, so that ingest keeps its large
limit (``CITYOPS_API_INGEST_MAX_BYTES``), logins take a small one, and
everything else ``CITYOPS_API_MAX_BODY_BYTES``.

The middleware is pure ASGI (it wraps ``receive``), so a body is never buffered
here; it must be the outermost middleware that reads bodies.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cityops.settings import ProcessSettings

__all__ = ["LOGIN_MAX_BYTES", "BodyLimit", "BodyLimits", "BodyTooLarge", "body_limits"]

LOGIN_MAX_BYTES = 64 * 1024
"""A login form (user name and password) is a few hundred bytes; 64 KiB is plenty."""

LOGIN_PATHS = ("/api/v1/auth/token", "/console/login")
INGEST_PREFIX = "/api/v1/ingest/"


@dataclass(frozen=True, slots=True)
class BodyLimits:
    """The largest body, in bytes, of a request to each path: the limit of the longest
    prefix of ``by_prefix`` that the path starts with, else ``default``."""

    default: int
    by_prefix: tuple[tuple[str, int], ...] = ()

    def for_path(self, path: str) -> int:
        matching = [(len(p), limit) for p, limit in self.by_prefix if path.startswith(p)]
        return max(matching)[1] if matching else self.default


def body_limits(settings: ProcessSettings) -> BodyLimits:
    """The limits of a process: ingest's own, the logins' small one, and the default."""
    login = min(LOGIN_MAX_BYTES, settings.api_max_body_bytes)
    return BodyLimits(
        default=settings.api_max_body_bytes,
        by_prefix=(
            (INGEST_PREFIX, settings.api_ingest_max_bytes),
            *((path, login) for path in LOGIN_PATHS),
        ),
    )


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` when the body passes its limit: the app's body reading
    lets an HTTP exception through, and the app answers it as any other (413)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, too_large(limit))


def too_large(limit: int) -> str:
    return (
        f"the request body is larger than {limit:,} bytes, the most this address accepts; "
        "send less (split rows over several requests)"
    )


class BodyLimit:
    """ASGI middleware refusing request bodies beyond :class:`BodyLimits`."""

    def __init__(self, app: ASGIApp, limits: BodyLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limits.for_path(scope["path"])
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(scope, receive, send, limit)
            return
        received = 0
        started = False

        async def bounded() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, bounded, tracked)
        except BodyTooLarge:
            if started:
                raise
            await _refuse(scope, receive, send, limit)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None


async def _refuse(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
    response = JSONResponse({"detail": too_large(limit)}, status_code=413)
    # The rest of the body stays unread: the server closes the connection after this.
    response.headers["Connection"] = "close"
    await response(scope, receive, send)
