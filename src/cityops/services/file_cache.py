"""Values kept while what they were derived from stays the same.

The dashboard endpoints read the same facts file and run files on every
request, and the operations pages compute from the lake; doing that each time
would cost far more than answering.  ``VersionedCache`` keeps a value per key
together with the version of its source and computes it again when the
version differs.  ``FileCache`` is its use for files: the version is the
file's modification time and size, so a file replaced by a new computation
(facts and runs are written to a temporary name and renamed into place) is
read again on the next request.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path
from threading import Lock
from typing import Generic, TypeVar

__all__ = ["FileCache", "VersionedCache", "file_version"]

KeyT = TypeVar("KeyT", bound=Hashable)
ValueT = TypeVar("ValueT")


class VersionedCache(Generic[KeyT, ValueT]):
    """Values by key, each with the version of the data it was computed from, for the
    ``capacity`` keys used most recently.  Thread-safe; two threads missing at once
    may both compute, and either result is kept."""

    def __init__(self, capacity: int = 64) -> None:
        self._capacity = capacity
        self._entries: OrderedDict[KeyT, tuple[Hashable, ValueT]] = OrderedDict()
        self._lock = Lock()

    def get(self, key: KeyT, version: Hashable, compute: Callable[[], ValueT]) -> ValueT:
        """The value of ``key`` computed from data of ``version``."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] == version:
                self._entries.move_to_end(key)
                return entry[1]
        value = compute()
        with self._lock:
            self._entries[key] = (version, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self._capacity:
                self._entries.popitem(last=False)
        return value

    def kept(self) -> list[KeyT]:
        """The keys of the values kept, least recently used first."""
        with self._lock:
            return list(self._entries)


def file_version(path: Path) -> tuple[int, int]:
    """A file's modification time and size: what changes when it is written again.
    ``FileNotFoundError`` when there is no such file."""
    status = path.stat()
    return (status.st_mtime_ns, status.st_size)


class FileCache(Generic[ValueT]):
    """``load(path)`` remembered per path while its (mtime, size) stays the same."""

    def __init__(self, load: Callable[[Path], ValueT], capacity: int = 64) -> None:
        self._load = load
        self._values: VersionedCache[Path, ValueT] = VersionedCache(capacity)

    def get(self, path: Path) -> ValueT:
        """The value for ``path``; ``FileNotFoundError`` when there is no such file."""
        return self._values.get(path, file_version(path), lambda: self._load(path))
