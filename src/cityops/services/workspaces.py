"""Workspace use cases: create one (``cityops init``) and bring its register to the
schema of this cityops (``cityops migrate``, and ``cityops serve`` as it starts).

These are the only places a register is migrated; everything else refuses a
register that is behind (``register.migrate.require_current_schema``).
"""

from __future__ import annotations

from pathlib import Path

from cityops.register.migrate import Migration, migrate_register
from cityops.services.tickets import seal_free_text
from cityops.services.unit_of_work import Backend
from cityops.workspace.create import create_workspace
from cityops.workspace.workspace import Workspace, open_workspace

__all__ = ["Migration", "create_workspace", "migrate_workspace", "open_workspace"]


def migrate_workspace(root: Path) -> tuple[Workspace, Migration]:
    """Open the workspace at ``root`` and migrate its register to the newest schema,
    then seal the ticket free text stored in clear before migration 0007 (the key
    is the workspace's, which the migration itself does not see)."""
    workspace = open_workspace(root)
    migration = migrate_register(workspace.register_url)
    with Backend.open(workspace) as backend, backend.unit_of_work() as uow:
        seal_free_text(uow)
    return workspace, migration
