"""Operations answers kept while the data they were computed from stays the same.

An operations page is computed from the lake (a second or so on a county), but
its data change only when a batch is ingested or the month's indicators are
computed again.  An answer is therefore kept per page, workspace, region and
month, together with the data version it was computed from: the register's
record of ingest batches (``register.batches.data_version``, which every
ingest, whatever its table, updates) and the month's facts file.  The next
request that finds a different version computes the answer again.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from threading import Lock
from typing import Generic, TypeVar

import sqlalchemy as sa
from pydantic import BaseModel

from cityops.domain.period import Period
from cityops.pipeline import facts_path
from cityops.register.batches import data_version
from cityops.workspace.workspace import Workspace

__all__ = ["AnswerCache", "AnswerT", "month_data_version"]

AnswerT = TypeVar("AnswerT", bound=BaseModel)


def month_data_version(workspace: Workspace, engine: sa.Engine, period: Period) -> Hashable:
    """What a month's operations answer depends on: the ingested batches and the
    month's stored facts (the page shows their headline figures)."""
    facts = facts_path(workspace, period)
    try:
        status = facts.stat()
        facts_stamp: tuple[int, int] | None = (status.st_mtime_ns, status.st_size)
    except FileNotFoundError:
        facts_stamp = None
    return (data_version(engine), facts_stamp)


class AnswerCache(Generic[AnswerT]):
    """The ``capacity`` answers of one page used most recently, by key and data version.
    Thread-safe; two requests missing at once may both compute, and either result
    is kept."""

    def __init__(self, capacity: int = 128) -> None:
        self._capacity = capacity
        self._entries: OrderedDict[Hashable, tuple[Hashable, AnswerT]] = OrderedDict()
        self._lock = Lock()

    def get(self, key: Hashable, version: Hashable, compute: Callable[[], AnswerT]) -> AnswerT:
        """The answer of ``key`` computed from data of ``version``."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] == version:
                self._entries.move_to_end(key)
                return entry[1]
        answer = compute()
        with self._lock:
            self._entries[key] = (version, answer)
            self._entries.move_to_end(key)
            while len(self._entries) > self._capacity:
                self._entries.popitem(last=False)
        return answer
