"""The workspace's writer lock within one process: re-entrant for a thread, taken in
turn by threads, and written with its holder while held (``writer_lock``).  Two
processes are in ``tests/integration/ingestion/test_concurrent_writers.py``."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from cityops.workspace.writer_lock import LOCK_FILE, WriterBusyError, read_holder, writer_lock


def test_the_holder_is_written_while_held_and_cleared_after(tmp_path: Path) -> None:
    with writer_lock(tmp_path, "ingest portal_events", wait_s=0):
        holder = read_holder(tmp_path)
        assert holder is not None
        assert (holder.pid, holder.purpose) == (os.getpid(), "ingest portal_events")
        assert holder.process_started <= holder.since
        with writer_lock(tmp_path, "recover the lake", wait_s=0):  # re-entrant
            assert read_holder(tmp_path) == holder
        assert read_holder(tmp_path) == holder  # still held by the outer block
    assert read_holder(tmp_path) is None
    assert (tmp_path / LOCK_FILE).stat().st_mode & 0o077 == 0


def test_another_thread_waits_its_turn_and_gives_up_after_its_wait(tmp_path: Path) -> None:
    held = threading.Event()
    release = threading.Event()
    order: list[str] = []

    def first() -> None:
        with writer_lock(tmp_path, "first", wait_s=0):
            order.append("first in")
            held.set()
            release.wait(30)
            order.append("first out")

    thread = threading.Thread(target=first)
    thread.start()
    held.wait(30)
    with (
        pytest.raises(WriterBusyError, match=r"waited 0\.1 s"),
        writer_lock(tmp_path, "impatient", wait_s=0.1),
    ):
        order.append("impatient in")
    release.set()
    with writer_lock(tmp_path, "second", wait_s=30):
        order.append("second in")
    thread.join()
    assert order == ["first in", "first out", "second in"]
