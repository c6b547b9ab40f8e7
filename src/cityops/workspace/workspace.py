"""An opened workspace: its configuration and where each kind of thing lives.

::

    cityops-workspace/
      cityops.toml        configuration (see ``config.py``)
      secret.key          key for pseudonymising personal ids (mode 0600, never shared)
      register.sqlite     the register database (default; PostgreSQL in production)
      lake/               event tables as Parquet, by table and day
      facts/              indicator facts, one Parquet file per period
      runs/               evaluation runs, one JSON file per run (immutable)
      reports/            rendered reports
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cityops.domain.period import Period
from cityops.register.engine import masked_url
from cityops.workspace.config import WorkspaceConfig, read_config

__all__ = ["Workspace", "open_workspace"]


@dataclass(frozen=True, slots=True)
class Workspace:
    root: Path
    config: WorkspaceConfig

    @property
    def register_url(self) -> str:
        return self.config.resolved_register_url(self.root)

    @property
    def register_url_shown(self) -> str:
        """The register URL safe to print or log (a password replaced by ``***``)."""
        return masked_url(self.register_url)

    @property
    def lake(self) -> Path:
        return self.config.resolved_lake(self.root)

    @property
    def catalogue_path(self) -> Path | None:
        """The city's own indicator catalogue (``[definitions]``), None: the shipped one."""
        return self.config.resolved_catalogue(self.root)

    @property
    def framework_path(self) -> Path | None:
        """The city's own evaluation framework (``[definitions]``), None: the shipped one."""
        return self.config.resolved_framework(self.root)

    @property
    def secret_path(self) -> Path:
        return self.root / "secret.key"

    @property
    def facts_dir(self) -> Path:
        return self.root / "facts"

    def facts_path(self, period: Period) -> Path:
        """``facts/<YYYY-MM>.parquet``: the indicator facts of ``period``."""
        return self.facts_dir / f"{period}.parquet"

    @property
    def runs_dir(self) -> Path:
        return self.root / "runs"

    @property
    def reports_dir(self) -> Path:
        return self.root / "reports"


def open_workspace(root: Path) -> Workspace:
    """Open the workspace at ``root``; fails with a hint when it is not one."""
    return Workspace(root.resolve(), read_config(root))
