"""Form bodies in raw UTF-8, as ``curl -d description=路灯不亮`` sends them, read as UTF-8.

The WHATWG URL standard decodes an ``application/x-www-form-urlencoded`` body
as bytes: percent escapes and raw bytes alike, then UTF-8.  Starlette reads
raw bytes as Latin-1 instead, so a hotline system posting unescaped Chinese
would store mojibake.  This middleware percent-encodes every byte outside
printable ASCII before the app sees the body, which gives the standard's
result; a body that is already escaped passes unchanged.

A body whose bytes are not UTF-8 (a form posted as GBK, say, raw or
percent-escaped) is refused with 400 before the app sees it: decoded as UTF-8
it would be stored as U+FFFD, the citizen's words lost without a word.  Open311
paths answer in the spec's error format (``.json`` or XML), others with the
API's ``detail``.
"""

from __future__ import annotations

from urllib.parse import quote_from_bytes, unquote_to_bytes

from fastapi import status
from fastapi.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cityops.api.open311.render import Format, render_errors

__all__ = ["Utf8FormBodies", "escape_form_body", "undecodable_field"]

_FORM = b"application/x-www-form-urlencoded"
_PRINTABLE_ASCII = bytes(range(0x21, 0x7F))


def escape_form_body(body: bytes) -> bytes:
    """``body`` with each byte outside printable ASCII percent-encoded (a space stays a space
    only as ``%20``, which decodes the same)."""
    return quote_from_bytes(body, safe=_PRINTABLE_ASCII).encode("ascii")


def undecodable_field(body: bytes) -> str | None:
    """The name of the first field of the form ``body`` (escaped) whose name or value
    is not UTF-8 once unescaped (``"a field name"`` when the name itself is not), else
    None."""
    for pair in body.split(b"&"):
        name, _, value = pair.partition(b"=")
        raw_name, raw_value = (unquote_to_bytes(p.replace(b"+", b" ")) for p in (name, value))
        try:
            shown = raw_name.decode("utf-8")
        except UnicodeDecodeError:
            return "a field name"
        try:
            raw_value.decode("utf-8")
        except UnicodeDecodeError:
            return shown
    return None


def _refusal(scope: Scope, field: str) -> Response:
    reason = (
        f"{field}: the form is not UTF-8 (send application/x-www-form-urlencoded "
        "in UTF-8, as the standard has it)"
    )
    path: str = scope["path"]
    if path.startswith("/open311/"):
        fmt = Format.JSON if path.endswith(".json") else Format.XML
        return render_errors(fmt, status.HTTP_400_BAD_REQUEST, [reason])
    return JSONResponse({"detail": reason}, status_code=status.HTTP_400_BAD_REQUEST)


class Utf8FormBodies:
    """ASGI middleware applying :func:`escape_form_body` to form-encoded request bodies."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _is_form(scope):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                await self.app(scope, _replay(message), send)
                return
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = escape_form_body(b"".join(chunks))
        if (field := undecodable_field(body)) is not None:
            await _refusal(scope, field)(scope, receive, send)
            return
        headers = [(k, v) for k, v in scope["headers"] if k != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode("ascii")))
        await self.app(
            {**scope, "headers": headers},
            _replay({"type": "http.request", "body": body, "more_body": False}, receive),
            send,
        )


def _is_form(scope: Scope) -> bool:
    for name, value in scope["headers"]:
        if name == b"content-type":
            return bool(value.split(b";", 1)[0].strip().lower() == _FORM)
    return False


def _replay(first: Message, then: Receive | None = None) -> Receive:
    """A ``receive`` that gives ``first`` once, then defers to ``then`` (disconnects)."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return first
        if then is None:
            return {"type": "http.disconnect"}
        return await then()

    return receive
