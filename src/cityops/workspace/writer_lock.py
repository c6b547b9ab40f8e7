"""One writer per workspace at a time, across processes (写入锁).

The lake's commit protocol (``cityops.lake.publish``) takes one writer at a time:
a batch's start-up recovery removes staging that no manifest names, which is the
debris of a dead writer — or, if another writer were running, its live batch.
Two ingests in one workspace (a CLI ingest and an HTTP ingest, say) therefore
take turns, by ``flock`` on ``<workspace>/.writer.lock``:

* the holder writes who it is into the file (pid, host, when the process
  started, what it writes and since when), so that a waiting writer can say
  whom it waits for;
* a second writer waits, saying so once on the log (``cityops.workspace``), for
  at most ``CITYOPS_WRITER_WAIT_S`` seconds, then fails with
  :class:`WriterBusyError` naming the holder;
* the kernel drops the lock when its holder dies, however it dies, so a crashed
  writer never blocks the next one, and the next one's recovery finishes or
  removes exactly what the dead one left.

Within one process the lock is re-entrant and shared by threads in turn: the
app's HTTP ingests and its outbox flush take it one after another, and an ingest
of a folder holds it once per file.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from cityops.errors import PipelineError
from cityops.settings import process_settings, variable

__all__ = ["LOCK_FILE", "Holder", "WriterBusyError", "read_holder", "writer_lock"]

LOCK_FILE = ".writer.lock"
_POLL_S = 0.2
_log = logging.getLogger("cityops.workspace")


@dataclass(frozen=True, slots=True)
class Holder:
    """Who holds a workspace's writer lock, as written in the lock file."""

    pid: int
    host: str
    process_started: str
    """When the holding process started (ISO 8601, UTC): with the pid, which process."""
    purpose: str
    since: str

    def describe(self) -> str:
        return (
            f"pid {self.pid} on {self.host} (started {self.process_started}), "
            f"{self.purpose} since {self.since}"
        )


class WriterBusyError(PipelineError):
    """Another process kept the workspace's writer lock for longer than the wait."""

    def __init__(self, holder: Holder | None, waited_s: float) -> None:
        who = holder.describe() if holder else "another process"
        super().__init__(
            f"the workspace is being written by {who}; waited {waited_s:g} s. Run this "
            f"again once it has finished, or wait longer with {variable('writer_wait_s')}"
        )
        self.holder = holder


@dataclass
class _Entry:
    """This process's hold on one lock file: threads take turns, each re-entrantly."""

    turn: threading.RLock = field(default_factory=threading.RLock)
    depth: int = 0
    descriptor: int | None = None


_ENTRIES: dict[Path, _Entry] = {}
_ENTRIES_GUARD = threading.Lock()


@contextmanager
def writer_lock(root: Path, purpose: str, *, wait_s: float | None = None) -> Iterator[None]:
    """Hold the writer lock of the workspace at ``root`` for the block; ``purpose``
    (``ingest portal_events``) tells a waiting writer what it waits for.  Waits at most
    ``wait_s`` seconds (default ``CITYOPS_WRITER_WAIT_S``) for another holder."""
    wait = process_settings().writer_wait_s if wait_s is None else wait_s
    path = (root / LOCK_FILE).resolve()
    with _ENTRIES_GUARD:
        entry = _ENTRIES.setdefault(path, _Entry())
    started = time.monotonic()
    if not entry.turn.acquire(timeout=wait):
        raise WriterBusyError(read_holder(root), wait)
    try:
        if entry.depth == 0:
            entry.descriptor = _lock_file(path, purpose, started + wait, wait)
        entry.depth += 1
        try:
            yield
        finally:
            entry.depth -= 1
            if entry.depth == 0 and entry.descriptor is not None:
                _unlock_file(entry.descriptor)
                entry.descriptor = None
    finally:
        entry.turn.release()


def read_holder(root: Path) -> Holder | None:
    """Who wrote themselves into the workspace's lock file, if anyone (the file may
    name a writer that has died since: only the ``flock`` says who holds it)."""
    try:
        data = json.loads((root / LOCK_FILE).read_text("utf-8"))
        return Holder(**{name: data[name] for name in Holder.__dataclass_fields__})
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _lock_file(path: Path, purpose: str, deadline: float, wait: float) -> int:
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    told = False
    try:
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = read_holder(path.parent)
                if time.monotonic() >= deadline:
                    raise WriterBusyError(holder, wait) from None
                if not told:
                    who = holder.describe() if holder else "another process"
                    _log.warning(
                        "waiting up to %g s for the workspace's writer to finish: %s", wait, who
                    )
                    told = True
                time.sleep(min(_POLL_S, max(deadline - time.monotonic(), 0)))
        _write_holder(descriptor, purpose)
    except BaseException:
        os.close(descriptor)
        raise
    return descriptor


def _write_holder(descriptor: int, purpose: str) -> None:
    holder = Holder(
        pid=os.getpid(),
        host=socket.gethostname(),
        process_started=_PROCESS_STARTED,
        purpose=purpose,
        since=_now(),
    )
    text = json.dumps({name: getattr(holder, name) for name in Holder.__dataclass_fields__})
    os.ftruncate(descriptor, 0)
    os.pwrite(descriptor, text.encode("utf-8"), 0)


def _unlock_file(descriptor: int) -> None:
    try:
        os.ftruncate(descriptor, 0)
        fcntl.flock(descriptor, fcntl.LOCK_UN)
    finally:
        os.close(descriptor)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _process_started() -> str:
    """When this process started, from ``/proc`` (Linux); else when this module loaded."""
    try:
        fields = Path("/proc/self/stat").read_text().rpartition(")")[2].split()
        ticks = int(fields[19])  # field 22 of stat(5): start time, in clock ticks after boot
        boot = next(
            int(line.split()[1])
            for line in Path("/proc/stat").read_text().splitlines()
            if line.startswith("btime ")
        )
        started = boot + ticks / os.sysconf("SC_CLK_TCK")
        return datetime.fromtimestamp(started, UTC).isoformat(timespec="seconds")
    except (OSError, ValueError, IndexError, StopIteration):
        return _now()


_PROCESS_STARTED = _process_started()
