"""What the app holds for its lifetime: the workspace's storage opened for work (its
register engine, its cipher for personal data, its analytics database), the process
settings, a short-lived cache of the region tree and the Open311 submission
throttles."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from threading import Lock

from cityops.access.cipher import ContactCipher
from cityops.access.scope import RegionTree
from cityops.api.open311.throttle import SlidingWindow
from cityops.services.regions import region_tree
from cityops.services.unit_of_work import Backend
from cityops.settings import ProcessSettings
from cityops.workspace.workspace import Workspace

__all__ = ["REGION_TREE_TTL_S", "AppState"]

REGION_TREE_TTL_S = 10.0
"""Regions change by ingest, rarely; a scope check may see a change this late."""


@dataclass
class AppState:
    backend: Backend
    settings: ProcessSettings
    _tree: RegionTree | None = field(default=None, repr=False)
    _tree_loaded: float = field(default=0.0, repr=False)
    _lock: Lock = field(default_factory=Lock, repr=False)
    posts_per_key: SlidingWindow = field(default_factory=lambda: SlidingWindow(60), repr=False)
    posts_per_client: SlidingWindow = field(default_factory=lambda: SlidingWindow(20), repr=False)

    @classmethod
    def open(cls, workspace: Workspace, settings: ProcessSettings) -> AppState:
        """The state over ``workspace``, whose register must be migrated already
        (``cityops serve`` migrates it as it starts)."""
        limits = workspace.config.open311
        return cls(
            Backend.open(workspace, settings),
            settings,
            posts_per_key=SlidingWindow(limits.posts_per_minute_per_key),
            posts_per_client=SlidingWindow(limits.posts_per_minute_per_client),
        )

    @property
    def workspace(self) -> Workspace:
        return self.backend.workspace

    @property
    def cipher(self) -> ContactCipher:
        return self.backend.cipher

    def region_tree(self) -> RegionTree:
        """The region register's parent links, reloaded at most every few seconds."""
        with self._lock:
            if self._tree is None or time.monotonic() - self._tree_loaded > REGION_TREE_TTL_S:
                with self.backend.unit_of_work() as uow:
                    self._tree = region_tree(uow)
                self._tree_loaded = time.monotonic()
            return self._tree
