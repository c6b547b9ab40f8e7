"""What the app holds for its lifetime: the workspace, the process settings, the
register engine, the cipher for personal data and a short-lived cache of the region tree."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from threading import Lock

import sqlalchemy as sa

from cityops.access.cipher import ContactCipher
from cityops.access.scope import RegionTree
from cityops.register.schema import current_table
from cityops.settings import ProcessSettings
from cityops.workspace.workspace import Workspace

__all__ = ["REGION_TREE_TTL_S", "AppState"]

REGION_TREE_TTL_S = 10.0
"""Regions change by ingest, rarely; a scope check may see a change this late."""


@dataclass
class AppState:
    workspace: Workspace
    settings: ProcessSettings
    engine: sa.Engine
    cipher: ContactCipher
    _tree: RegionTree | None = field(default=None, repr=False)
    _tree_loaded: float = field(default=0.0, repr=False)
    _lock: Lock = field(default_factory=Lock, repr=False)

    @classmethod
    def open(cls, workspace: Workspace, settings: ProcessSettings) -> AppState:
        from cityops.register.engine import make_engine

        secret = workspace.secret_path.read_bytes().strip()
        engine = make_engine(workspace.register_url)
        return cls(workspace, settings, engine, ContactCipher(secret))

    def region_tree(self) -> RegionTree:
        """The region register's parent links, reloaded at most every few seconds."""
        with self._lock:
            if self._tree is None or time.monotonic() - self._tree_loaded > REGION_TREE_TTL_S:
                self._tree = self._load_tree()
                self._tree_loaded = time.monotonic()
            return self._tree

    def _load_tree(self) -> RegionTree:
        from cityops.domain.contract import table

        regions = current_table(table("regions"))
        with self.engine.connect() as connection:
            rows = connection.execute(sa.select(regions.c.region_code, regions.c.parent_code)).all()
        return RegionTree.from_pairs((code, parent) for code, parent in rows)
