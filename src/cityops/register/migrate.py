"""Migrating the register database with Alembic, from code.

The migrations ship inside the package (``cityops/register/migrations``), so an
installed cityops needs no ``alembic.ini``: :func:`alembic_config` builds the
configuration in memory.  Developers write a new revision with::

    from alembic import command
    from cityops.register.migrate import alembic_config

    command.revision(alembic_config("sqlite:////tmp/dev.sqlite"),
                     message="add …", autogenerate=True)

then edit it by hand: migrations are frozen history, never regenerated.
"""

from __future__ import annotations

import threading

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext

from cityops.register.engine import make_engine

__all__ = ["SCRIPT_LOCATION", "URL_ATTRIBUTE", "alembic_config", "current_revision", "upgrade"]

SCRIPT_LOCATION = "cityops.register:migrations"
URL_ATTRIBUTE = "register_url"
"""Where ``env.py`` finds the database URL.  It is passed as an attribute, not as
``sqlalchemy.url``, because the ini-style option would interpolate ``%`` in
passwords."""


def alembic_config(url: str) -> Config:
    """An Alembic configuration for the register at ``url``, without any ini file."""
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.attributes[URL_ATTRIBUTE] = url
    return config


_UPGRADE_LOCK = threading.Lock()
"""Alembic keeps the running migration in module globals (``alembic.context``), so two
upgrades at once in one process (concurrent API requests) break each other."""


def upgrade(url: str) -> None:
    """Bring the register at ``url`` to the newest schema; a no-op when it is there."""
    with _UPGRADE_LOCK:
        command.upgrade(alembic_config(url), "head")


def current_revision(url: str) -> str | None:
    """The revision the register at ``url`` is at (``None`` before any migration)."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()
