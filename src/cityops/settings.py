"""Process settings: what a running cityops process reads from its environment.

One class, :class:`ProcessSettings`, lists every environment variable cityops
reads (all named ``CITYOPS_…``; the list with defaults is in
``docs/settings.md``).  They are read once, on first use
(:func:`process_settings`), and a bad value fails then with an error naming the
variable.  Tests pass an environment of their own to
:meth:`ProcessSettings.from_environ` instead of changing ``os.environ``.

Only what belongs to a process lives here — where the workspace is, how often
the app flushes its outbox, how large a request may be.  What a *city* would
change (the ticket deadline, …) belongs to the workspace's ``cityops.toml``
(``cityops.workspace.config``), so that every process serving the city
agrees on it.

``CITYOPS_TEST_KILL_AT`` is not a setting: it is a hook of the crash tests,
read where it acts (``cityops.lake.publish.kill_point``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from cityops.errors import ConfigError

__all__ = ["ENV_PREFIX", "ProcessSettings", "process_settings", "variable"]

ENV_PREFIX = "CITYOPS_"

_RETIRED = {
    "ticket_sla_h": "the ticket deadline is a city setting now: set deadline_h under "
    "[tickets] in the workspace's cityops.toml (docs/workspace.md) and unset the variable",
}
"""Variables no longer read, and where their setting went.  A process that still has
one refuses to start, instead of silently going back to the default."""


class ProcessSettings(BaseSettings):
    """Every environment variable cityops reads; the variable is ``CITYOPS_`` and the
    field's name in capitals (``outbox_flush_s`` → ``CITYOPS_OUTBOX_FLUSH_S``).  An
    empty variable counts as unset."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, frozen=True, extra="ignore", use_attribute_docstrings=True
    )

    workspace: Path = Path("cityops-workspace")
    """The workspace of every command that is not given ``--workspace``."""
    password: SecretStr | None = None
    """The demo users' password (``cityops demo``), and the one ``cityops user create``
    takes without prompting; also the password ``cityops settle --by USER`` checks."""
    token: SecretStr | None = None
    """An API token proving the user ``cityops settle … --by USER`` names, instead of
    a password (the only way for a user with a second factor)."""
    spark_master: str = "local[2]"
    """The Spark master URL of ``--engine spark`` (``spark://host:7077``, ``yarn``, …)."""
    api_ingest_max_bytes: int = Field(default=16 * 1024 * 1024, ge=1)
    """The largest body ``POST /api/v1/ingest/{table}`` accepts (16 MiB: about 100,000
    rows of a typical event table)."""
    api_max_body_bytes: int = Field(default=1024 * 1024, ge=1)
    """The largest body of any other request (1 MiB): Open311 requests, the advisor,
    the console's forms; logins take at most 64 KiB of it.  A larger body is refused
    with 413 before it is read (``cityops.api.body_limit``)."""
    writer_wait_s: float = Field(default=60.0, ge=0, allow_inf_nan=False)
    """Seconds a writer of the workspace (an ingest, the outbox flush, an indicator
    computation) waits for another process holding the workspace's writer lock
    before it gives up with an error naming the holder (``cityops.workspace.writer_lock``)."""
    outbox_flush_s: float = Field(default=30.0, ge=0, allow_inf_nan=False)
    """Seconds between two flushes of the ticket outbox by the running app; 0 turns the
    periodic flush off (the app still flushes when it stops)."""
    audit_key_file: Path | None = None
    """The file whose contents key the audit chain's HMAC (at least 32 bytes); unset: a
    key derived from the workspace's ``secret.key`` (``docs/security.md``)."""
    audit_anchors: Path | None = None
    """The append-only file the audit chain's anchors are written to; unset:
    ``audit-anchors.jsonl`` in the workspace.  Put it where the register's
    administrators cannot rewrite it."""
    audit_anchor_every: int = Field(default=100, ge=1)
    """Every this many audit entries, the head of the chain is anchored (besides
    ``cityops audit anchor``); 1 anchors every entry."""
    trusted_proxies: Annotated[tuple[IPv4Network | IPv6Network, ...], NoDecode] = ()
    """Addresses (or networks, ``10.0.0.0/8``) of the reverse proxies in front of the
    server, separated by commas.  Only a request arriving from one of them has its
    client read from ``X-Forwarded-For`` (for throttling and the audit log); from any
    other peer the header is ignored.  Default: none."""
    ticket_sla_h: str | None = Field(default=None, exclude=True, repr=False)
    """Retired (``_RETIRED``)."""

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> ProcessSettings:
        """The settings that ``environ`` gives (the process's own are ignored);
        fails with a :class:`ConfigError` naming the variable of a bad value."""
        try:
            # BaseSettings' own keyword for given sources, which its dataclass transform
            # hides from type checkers.
            no_keywords: dict[str, Any] = {}
            return cls(_build_sources=((_Environment(cls, environ),), no_keywords))  # type: ignore[call-arg]
        except ValidationError as error:
            raise _named(error, environ) from error

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """The process's environment only: no ``.env`` file or secrets directory is read."""
        return (init_settings, _Environment(settings_cls, os.environ))

    @model_validator(mode="before")
    @classmethod
    def _blank_is_unset(cls, values: Any) -> Any:
        """Surrounding blanks are dropped, and a variable left empty is as if unset."""
        if not isinstance(values, dict):
            return values
        stripped = {k: v.strip() if isinstance(v, str) else v for k, v in values.items()}
        return {k: v for k, v in stripped.items() if v != ""}

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(
                ip_network(part.strip(), strict=False) for part in value.split(",") if part.strip()
            )
        return value

    @field_validator(*_RETIRED)
    @classmethod
    def _retired(cls, value: str | None, info: ValidationInfo) -> None:
        if value is not None:
            raise ValueError(_RETIRED[str(info.field_name)])


def variable(field: str) -> str:
    """The environment variable of a field of :class:`ProcessSettings`."""
    if field not in ProcessSettings.model_fields:
        raise KeyError(field)
    return f"{ENV_PREFIX}{field.upper()}"


def process_settings() -> ProcessSettings:
    """This process's settings, read from its environment on first use and kept."""
    try:
        return ProcessSettings.settings_cached()
    except ValidationError as error:
        raise _named(error, os.environ) from error


class _Environment(EnvSettingsSource):
    """Environment variables from a given mapping (``os.environ`` or a test's own)."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]) -> None:
        self._given = environ
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        # Names are matched regardless of case, as the default source does on POSIX.
        return {name.lower(): value for name, value in self._given.items()}


def _named(error: ValidationError, environ: Mapping[str, str]) -> ConfigError:
    """The first problem, told by the variable, its value (never a secret's) and what to do."""
    first = error.errors()[0]
    field = str(first["loc"][0]) if first["loc"] else ""
    if field not in ProcessSettings.model_fields:
        return ConfigError(f"the {ENV_PREFIX}… environment variables: {first['msg']}")
    name = variable(field)
    if field in _RETIRED:
        return ConfigError(f"{name} is no longer read: {_RETIRED[field]}")
    value = "***" if field in {"password", "token"} else repr(environ.get(name, ""))
    default = ProcessSettings.model_fields[field].default
    return ConfigError(
        f"{name}={value}: {first['msg']}; unset it for the default ({default}) or correct it"
    )
