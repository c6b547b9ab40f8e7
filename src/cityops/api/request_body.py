"""Saving a request body to a file without ever holding more than the size limit.

A declared ``Content-Length`` beyond the limit is refused before a byte is
read; a body without one (chunked) is counted while it streams in, and
refused as soon as it passes the limit.
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request

__all__ = ["BodyTooLargeError", "save_body"]


class BodyTooLargeError(Exception):
    """The body is larger than the limit; what was written of it is removed."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"the body is larger than {limit:,} bytes; split the rows over several requests"
        )


async def save_body(request: Request, target: Path, limit: int) -> int:
    """Write the body of ``request`` to ``target``; return its size in bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLargeError(limit)
    size = 0
    try:
        with target.open("wb") as out:
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise BodyTooLargeError(limit)
                out.write(chunk)
    except BodyTooLargeError:
        target.unlink(missing_ok=True)
        raise
    return size
