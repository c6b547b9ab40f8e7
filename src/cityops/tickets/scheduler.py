"""Flushing the ticket outbox while the app runs: every few seconds, and once more
at shutdown so that a stopped server leaves nothing behind in the outbox."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

__all__ = ["periodic_flush"]

_log = logging.getLogger("cityops.tickets")


@asynccontextmanager
async def periodic_flush(flush: Callable[[], object], interval_s: float) -> AsyncIterator[None]:
    """Call ``flush``, which carries the outbox into the lake, every ``interval_s``
    seconds (never when it is 0) while the block runs, then once on the way out.
    Flushes run in a worker thread (ingestion is blocking work); a failed flush is
    logged and its rows wait for the next one."""
    task = asyncio.create_task(_every(interval_s, flush)) if interval_s > 0 else None
    try:
        yield
    finally:
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await _flush_logged(flush)


async def _every(interval_s: float, flush: Callable[[], object]) -> None:
    while True:
        await asyncio.sleep(interval_s)
        await _flush_logged(flush)


async def _flush_logged(flush: Callable[[], object]) -> None:
    try:
        await asyncio.to_thread(flush)
    except Exception:
        _log.exception("flushing the ticket outbox failed; its rows wait for the next flush")
