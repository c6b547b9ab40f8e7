"""The workspace configuration file, ``cityops.toml``, and where a workspace is found.

Example::

    name = "示范县"
    timezone = "Asia/Shanghai"
    register_url = "sqlite:///register.sqlite"   # or postgresql+psycopg://…
    lake_path = "lake"

    [tickets]
    deadline_h = 120.0

    [open311]
    public_post = false                  # true: POST requests without an api_key
    posts_per_minute_per_key = 60
    posts_per_minute_per_client = 20
    [hotline]
    night_start = 22                     # the night: 22:00 up to 06:00, local time
    night_end = 6

    [definitions]                        # a city's own, instead of the shipped ones
    catalogue = "catalogue.toml"         # indicator catalogue (docs/indicators.md)
    framework = "framework.yaml"         # evaluation framework (docs/evaluation.md)

Relative paths (including a relative SQLite file) are relative to the
workspace directory, so a workspace can be moved or copied whole.

Besides where things are, the file holds the city's own settings, one table per
subject (``[tickets]``, ``[hotline]``, ``[open311]``, ``[definitions]``): what a
city would change, as opposed to how a process runs (``cityops.settings``).  Every
key has a default that is today's behaviour, so a file without the table reads as
before (save ``[open311] public_post``: submitting now needs a key by default).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import tomli_w
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from cityops.definitions import DefinitionKind
from cityops.domain.night import DEFAULT_NIGHT, NightHours
from cityops.errors import WorkspaceError
from cityops.settings import ProcessSettings, process_settings

__all__ = [
    "CONFIG_FILE",
    "CONFIG_FILE_KIND",
    "DefinitionsConfig",
    "HotlineConfig",
    "Open311Config",
    "TicketsConfig",
    "WorkspaceConfig",
    "find_workspace_dir",
    "read_config",
    "write_config",
]

CONFIG_FILE = "cityops.toml"
SQLITE_PREFIX = "sqlite:///"


class TicketsConfig(BaseModel):
    """``[tickets]``: the city's citizen service requests (Open311, the 12345 hotline)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    deadline_h: float = Field(default=120.0, gt=0, allow_inf_nan=False)
    """Hours from a request's arrival to its ``due_at`` (Open311's
    ``expected_datetime``): five days counted in calendar hours by default — 12345
    hotlines usually allow five working days for an ordinary request, so this errs on
    the strict side."""

    @property
    def deadline(self) -> timedelta:
        return timedelta(hours=self.deadline_h)


class HotlineConfig(BaseModel):
    """``[hotline]``: the 12345 hotline's figures.

    The night (``cityops.domain.night``) runs from ``night_start`` o'clock up to, not
    including, ``night_end`` o'clock, local time, across midnight when the start is
    the later hour: 22:00–06:00 by default.  The night response rate and the hotline
    page's night figures take the tickets created in it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    night_start: int = Field(default=DEFAULT_NIGHT.start, ge=0, le=23, strict=True)
    night_end: int = Field(default=DEFAULT_NIGHT.end, ge=0, le=23, strict=True)

    @field_validator("night_end")
    @classmethod
    def _night_has_hours(cls, night_end: int, info: ValidationInfo) -> int:
        if night_end == info.data.get("night_start"):
            raise ValueError(
                f"the night would start and end at {night_end}:00 and have no hours; "
                "make night_end another hour than night_start"
            )
        return night_end

    @property
    def night(self) -> NightHours:
        return NightHours(self.night_start, self.night_end)


class Open311Config(BaseModel):
    """``[open311]``: who may submit service requests through Open311, and how fast.

    GeoReport v2 requires an ``api_key`` to submit: keys are issued per client
    application (``cityops open311 keys create NAME``).  ``public_post = true``
    is the public mode: a request without a key is accepted too (a key, if given,
    must still be valid).  Submissions are limited per key and per client address
    in a sliding window of one minute; the counts are kept in the server process
    (a restart starts them afresh, and each process of a server counts apart)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    public_post: bool = False
    posts_per_minute_per_key: int = Field(default=60, ge=1)
    posts_per_minute_per_client: int = Field(default=20, ge=1)


class DefinitionsConfig(BaseModel):
    """``[definitions]``: the city's own indicator catalogue and evaluation framework,
    as files relative to the workspace; each defaults to the one shipped with cityops.

    With its own catalogue a city adds an indicator by editing that file alone (an
    entry whose computation is SQL over the contract, ``docs/indicators.md``); with
    its own framework it adds a direction, or moves weights, by editing that file
    alone (``docs/evaluation.md``).  Every step of the workspace (indicators,
    evaluation, reports, the API and the console) then uses them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    catalogue: str | None = None
    framework: str | None = None


class WorkspaceConfig(BaseModel):
    """What ``cityops.toml`` holds."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    timezone: str = "Asia/Shanghai"
    register_url: str = f"{SQLITE_PREFIX}register.sqlite"
    lake_path: str = "lake"
    tickets: TicketsConfig = TicketsConfig()
    hotline: HotlineConfig = HotlineConfig()
    open311: Open311Config = Open311Config()
    definitions: DefinitionsConfig = DefinitionsConfig()

    def resolved_register_url(self, root: Path) -> str:
        """The register URL with a relative SQLite path made absolute under ``root``."""
        if self.register_url.startswith(SQLITE_PREFIX):
            path = Path(self.register_url.removeprefix(SQLITE_PREFIX))
            if not path.is_absolute():
                return f"{SQLITE_PREFIX}{(root / path).resolve()}"
        return self.register_url

    def resolved_lake(self, root: Path) -> Path:
        return _under(root, self.lake_path)

    def resolved_catalogue(self, root: Path) -> Path | None:
        """The city's own indicator catalogue, None for the shipped one."""
        chosen = self.definitions.catalogue
        return None if chosen is None else _under(root, chosen)

    def resolved_framework(self, root: Path) -> Path | None:
        """The city's own evaluation framework, None for the shipped one."""
        chosen = self.definitions.framework
        return None if chosen is None else _under(root, chosen)


def _under(root: Path, written: str) -> Path:
    path = Path(written)
    return path if path.is_absolute() else (root / path).resolve()


CONFIG_FILE_KIND = DefinitionKind(
    "workspace configuration", WorkspaceConfig, "docs/workspace.md", format="toml"
)


def find_workspace_dir(option: Path | None, settings: ProcessSettings | None = None) -> Path:
    """The workspace directory: the ``--workspace`` option, else ``$CITYOPS_WORKSPACE``
    (of ``settings``, default the process's), else ``./cityops-workspace``."""
    return option if option is not None else (settings or process_settings()).workspace


def read_config(root: Path) -> WorkspaceConfig:
    """Read and check ``cityops.toml`` in ``root``: a missing file is a
    :class:`WorkspaceError`, a wrong value a ``DefinitionError`` naming the key, the file
    and the line."""
    path = root / CONFIG_FILE
    if not path.is_file():
        raise WorkspaceError(
            f"{root} is not a cityops workspace (no {CONFIG_FILE}); "
            f"create one with `cityops init {root}` or pass --workspace"
        )
    return CONFIG_FILE_KIND.load(path).model


def write_config(root: Path, config: WorkspaceConfig) -> Path:
    path = root / CONFIG_FILE
    path.write_text(tomli_w.dumps(config.model_dump(exclude_none=True)), encoding="utf-8")
    return path
