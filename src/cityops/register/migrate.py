"""Migrating the register database with Alembic, from code — and only on purpose.

The migrations ship inside the package (``cityops/register/migrations``), so an
installed cityops needs no ``alembic.ini``: :func:`alembic_config` builds the
configuration in memory.

A register is migrated at three moments only: when a workspace is created
(``cityops init``, ``cityops demo``), when the service starts (``cityops
serve``) and when an operator asks for it (``cityops migrate``).  Everything
else opens the register with :func:`require_current_schema`, which refuses a
register that is behind and names the command that brings it up to date, so a
request or a report never runs a migration (Alembic keeps the running
migration in module globals, so migrations inside concurrent requests would
also need a process-wide lock).

Developers write a new revision with::

    from alembic import command
    from cityops.register.migrate import alembic_config

    command.revision(alembic_config("sqlite:////tmp/dev.sqlite"),
                     message="add …", autogenerate=True)

then edit it by hand: migrations are frozen history, never regenerated.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from cityops.errors import WorkspaceError
from cityops.register.engine import make_engine

__all__ = [
    "SCRIPT_LOCATION",
    "URL_ATTRIBUTE",
    "Migration",
    "RegisterBehindError",
    "alembic_config",
    "current_revision",
    "head_revision",
    "migrate_register",
    "require_current_schema",
]

SCRIPT_LOCATION = "cityops.register:migrations"
URL_ATTRIBUTE = "register_url"
"""Where ``env.py`` finds the database URL.  It is passed as an attribute, not as
``sqlalchemy.url``, because the ini-style option would interpolate ``%`` in
passwords."""


class RegisterBehindError(WorkspaceError):
    """The register's schema is older (or other) than this version of cityops needs."""


@dataclass(frozen=True, slots=True)
class Migration:
    """What :func:`migrate_register` did: the revision before and after."""

    before: str | None
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


def alembic_config(url: str) -> Config:
    """An Alembic configuration for the register at ``url``, without any ini file."""
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.attributes[URL_ATTRIBUTE] = url
    return config


@cache
def head_revision() -> str:
    """The newest revision shipped with this cityops (read once per process)."""
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None, "the package ships its migrations"
    return head


def migrate_register(url: str) -> Migration:
    """Bring the register at ``url`` to the newest schema; a no-op when it is there."""
    before = current_revision(url)
    if before != head_revision():
        command.upgrade(alembic_config(url), "head")
    return Migration(before, head_revision())


def current_revision(url_or_engine: str | sa.Engine) -> str | None:
    """The revision the register is at (``None`` before any migration)."""
    if isinstance(url_or_engine, sa.Engine):
        return _revision_of(url_or_engine)
    engine = make_engine(url_or_engine)
    try:
        return _revision_of(engine)
    finally:
        engine.dispose()


def _known(revision: str) -> bool:
    scripts = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return revision in {script.revision for script in scripts.walk_revisions()}


def _revision_of(engine: sa.Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def require_current_schema(engine: sa.Engine, *, workspace: str) -> None:
    """Refuse a register whose schema is not the one this cityops was built for.

    ``workspace`` names the workspace directory in the message, so the user can
    run the command it gives as it stands.
    """
    revision = current_revision(engine)
    if revision == head_revision():
        return
    if revision is not None and not _known(revision):
        raise RegisterBehindError(
            f"the register of workspace {workspace} is at schema revision {revision}, which "
            "this version of cityops does not know: a newer cityops migrated it; "
            "use that version (or newer) with this workspace"
        )
    found = "has no cityops tables yet" if revision is None else f"is at revision {revision}"
    raise RegisterBehindError(
        f"the register of workspace {workspace} {found}, and this version of cityops needs "
        f"revision {head_revision()}; bring it up to date with "
        f"`cityops migrate --workspace {workspace}` (back up the register first)"
    )
