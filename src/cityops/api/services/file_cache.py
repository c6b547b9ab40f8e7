"""Values derived from files, kept while the file stays the same.

The dashboard endpoints read the same facts file and run files on every
request; parsing them each time would cost far more than answering.  A cached
value is keyed by the file's path and its modification time and size, so a
file replaced by a new computation (facts and runs are written to a temporary
name and renamed into place) is read again on the next request.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from threading import Lock
from typing import Generic, TypeVar

__all__ = ["FileCache"]

ValueT = TypeVar("ValueT")
_Stamp = tuple[int, int]


class FileCache(Generic[ValueT]):
    """``load(path)`` remembered per path while its (mtime, size) stays the same,
    for the ``capacity`` paths used most recently.  Thread-safe; two threads
    missing at once may both load, and either result is kept."""

    def __init__(self, load: Callable[[Path], ValueT], capacity: int = 64) -> None:
        self._load = load
        self._capacity = capacity
        self._entries: OrderedDict[Path, tuple[_Stamp, ValueT]] = OrderedDict()
        self._lock = Lock()

    def get(self, path: Path) -> ValueT:
        """The value for ``path``; ``FileNotFoundError`` when there is no such file."""
        status = path.stat()
        stamp = (status.st_mtime_ns, status.st_size)
        with self._lock:
            entry = self._entries.get(path)
            if entry is not None and entry[0] == stamp:
                self._entries.move_to_end(path)
                return entry[1]
        value = self._load(path)
        with self._lock:
            self._entries[path] = (stamp, value)
            self._entries.move_to_end(path)
            while len(self._entries) > self._capacity:
                self._entries.popitem(last=False)
        return value
