"""Creating a workspace (工作区): directories, configuration, secret key and register.

The configuration file is written last: a workspace with ``cityops.toml`` is
complete, so a failed creation (say, PostgreSQL unreachable) leaves nothing that
looks like a workspace, and what it created is removed again.
"""

from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path

from sqlalchemy.exc import ArgumentError, DBAPIError

from cityops.errors import WorkspaceError
from cityops.register.engine import masked_url, normalized_url
from cityops.register.migrate import migrate_register
from cityops.workspace.config import CONFIG_FILE, WorkspaceConfig, write_config
from cityops.workspace.workspace import Workspace, open_workspace

__all__ = ["SECRET_BYTES", "create_workspace"]

SECRET_BYTES = 32
"""Length of the pseudonymisation key (256 bits), written as 64 hex digits."""

_SUPPORTED_BACKENDS = ("sqlite", "postgresql")


def create_workspace(root: Path, *, name: str, register_url: str | None = None) -> Workspace:
    """Create a workspace in ``root`` (absent or empty) and migrate its register.

    ``register_url`` defaults to ``sqlite:///register.sqlite`` inside the
    workspace; a PostgreSQL database (``postgresql+psycopg://…``) must already
    exist.  Fails with :class:`WorkspaceError` when ``root`` already holds a
    workspace or other files, or when the register cannot be reached.
    """
    _check_target(root)
    config = WorkspaceConfig(name=name)
    if register_url is not None:
        _check_register_url(register_url)
        config = config.model_copy(update={"register_url": register_url})
    created_root = not root.exists()
    root.mkdir(parents=True, exist_ok=True)
    layout = Workspace(root.resolve(), config)
    try:
        _write_secret(layout.secret_path)
        _create_private_sqlite(layout.register_url)
        for directory in (layout.lake, layout.facts_dir, layout.runs_dir, layout.reports_dir):
            directory.mkdir(parents=True, exist_ok=True)
        _migrate(layout.register_url)
        write_config(root, config)
    except BaseException:
        _remove_contents(root, remove_root=created_root)
        raise
    return open_workspace(root)


def _check_target(root: Path) -> None:
    if (root / CONFIG_FILE).exists():
        raise WorkspaceError(
            f"{root} already holds a cityops workspace ({CONFIG_FILE} exists); "
            "use it with --workspace, or choose another directory"
        )
    if root.exists() and not root.is_dir():
        raise WorkspaceError(f"{root} is a file; choose a new or empty directory")
    if root.is_dir() and any(root.iterdir()):
        raise WorkspaceError(f"{root} is not empty; a workspace needs a new or empty directory")


def _check_register_url(url: str) -> None:
    try:
        backend = normalized_url(url).get_backend_name()
    except ArgumentError:
        backend = None
    if backend not in _SUPPORTED_BACKENDS:
        raise WorkspaceError(
            f"register URL {masked_url(url) if backend else url!r} is not supported; use "
            "sqlite:///<file> or postgresql+psycopg://<user>:<password>@<host>:<port>/<database>"
        )


def _write_secret(path: Path) -> None:
    """Write a fresh random key as hex, readable by the owner only (mode 0600).

    The file is created with its mode in one step, so the key is never readable
    by others, not even for a moment, and an existing key is never overwritten.
    """
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(secrets.token_hex(SECRET_BYTES) + "\n")


def _create_private_sqlite(register_url: str) -> None:
    """Create an SQLite register as an empty file readable by the owner only (0600)
    before SQLite creates it with the process's umask (0644 as a rule); its WAL
    and shared-memory files take the mode of the database.  The register holds
    users' password hashes, the audit log and sealed personal data."""
    url = normalized_url(register_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return
    path = Path(url.database)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        path.chmod(0o600)


def _migrate(register_url: str) -> None:
    try:
        migrate_register(register_url)
    except DBAPIError as error:
        raise WorkspaceError(
            f"cannot create the register in {masked_url(register_url)}: {error.orig}; "
            "check that the database server runs and the database exists, "
            "or pass another --register-url"
        ) from error


def _remove_contents(root: Path, *, remove_root: bool) -> None:
    """Undo a failed creation; ``root`` was empty or absent before it began."""
    if remove_root:
        shutil.rmtree(root, ignore_errors=True)
        return
    for child in root.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)
