"""The unit of work: the one door to a workspace's storage for every use case.

Two objects, after Cosmic Python's unit of work:

* :class:`Backend` — a workspace opened for work, once per process (a command,
  the service): the register engine, made once and checked to be at the schema
  this cityops needs (never migrated here: see ``register/migrate.py``), the
  cipher for personal data, and the analytics database over the lake, opened
  once per data version and shared by cursors.
* :class:`UnitOfWork` — one use case's view of it: a register connection whose
  changes are kept only when the service calls :meth:`UnitOfWork.commit`
  (leaving the ``with`` block rolls back anything else), and a DuckDB cursor
  over the lake, opened on first use.

Services (``cityops.services.*``) take an entered unit of work; the API opens
one per request, a command one per run::

    with unit_of_work(workspace) as uow:
        statement = settle_period(uow, "C1", Period(2025, 3), by="王五")
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import cached_property
from pathlib import Path
from threading import Lock
from types import TracebackType
from typing import Concatenate, ParamSpec, Self, TypeVar

import duckdb
import pyarrow as pa
import sqlalchemy as sa

from cityops.access.cipher import ContactCipher
from cityops.audit.keys import audit_key
from cityops.domain.contract import TABLES, TableKind
from cityops.lake.connection import open_lake
from cityops.register.batches import data_version
from cityops.register.engine import make_engine
from cityops.register.migrate import require_current_schema
from cityops.register.store import read_current
from cityops.settings import ProcessSettings, process_settings
from cityops.workspace.workspace import Workspace

__all__ = [
    "Backend",
    "DataVersion",
    "UnitOfWork",
    "on_register",
    "open_analytics",
    "unit_of_work",
]

DataVersion = tuple[int, datetime | None]
"""What ``register.batches.data_version`` gives: it changes with every ingest."""
StepArgs = ParamSpec("StepArgs")
StepResult = TypeVar("StepResult")


class _Closing(ABC):
    """Usable in ``with``: leaving the block closes it."""

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class Backend(_Closing):
    """A workspace's storage, opened once per process; see the module docstring."""

    def __init__(
        self, workspace: Workspace, engine: sa.Engine, settings: ProcessSettings | None = None
    ) -> None:
        self.workspace = workspace
        self.engine = engine
        self.settings = settings or process_settings()
        self._analytics: tuple[DataVersion, duckdb.DuckDBPyConnection] | None = None
        self._opening = Lock()

    @classmethod
    def open(cls, workspace: Workspace, settings: ProcessSettings | None = None) -> Backend:
        """Open ``workspace``'s register, refusing one whose schema is behind (the
        error names ``cityops migrate``); ``settings`` default to the process's."""
        engine = make_engine(workspace.register_url)
        try:
            require_current_schema(engine, workspace=str(workspace.root))
        except BaseException:
            engine.dispose()
            raise
        return cls(workspace, engine, settings)

    @cached_property
    def cipher(self) -> ContactCipher:
        """The cipher of personal data at rest, keyed by the workspace secret."""
        return ContactCipher(self.workspace.secret_path.read_bytes().strip())

    @cached_property
    def audit_key(self) -> bytes:
        """The key of the audit chain's HMAC: from ``CITYOPS_AUDIT_KEY_FILE``, else
        derived from the workspace secret (``audit/keys.py``)."""
        return audit_key(self.settings.audit_key_file or self.workspace.secret_path)

    @property
    def audit_anchors_path(self) -> Path:
        """Where the audit chain's anchors are appended (outside the register)."""
        return self.settings.audit_anchors or self.workspace.root / "audit-anchors.jsonl"

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self)

    def analytics_cursor(
        self, version: DataVersion, register: sa.Connection
    ) -> duckdb.DuckDBPyConnection:
        """A new cursor on the analytics database of data ``version``, which is opened
        (reading the register tables through ``register``) when the version changed.

        Opening lists the lake's files and copies the register tables (about half a
        second on a county), so it happens once per data version; each cursor has
        its own temporary tables, which no other user of the database sees.
        """
        with self._opening:
            if self._analytics is None or self._analytics[0] != version:
                # the older database is dropped, not closed: closing it would close the
                # cursors still reading it; it goes when the last of them does
                opened = open_lake(self.workspace.lake, register_tables(register))
                self._analytics = (version, opened)
            cursor = self._analytics[1].cursor()
        cursor.execute("SET TimeZone = 'Asia/Shanghai'")  # a setting of each connection
        return cursor

    def close(self) -> None:
        with self._opening:
            if self._analytics is not None:
                self._analytics[1].close()
                self._analytics = None
        self.engine.dispose()


class UnitOfWork(_Closing):
    """One use case's register connection and lake cursor; see the module docstring."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self._register: sa.Connection | None = None
        self._analytics: duckdb.DuckDBPyConnection | None = None

    @property
    def workspace(self) -> Workspace:
        return self.backend.workspace

    @property
    def register(self) -> sa.Connection:
        """The register connection; its first statement begins a transaction."""
        if self._register is None:
            raise RuntimeError("enter the unit of work (`with uow:`) before using it")
        return self._register

    @property
    def analytics(self) -> duckdb.DuckDBPyConnection:
        """A DuckDB cursor on which every contract table is queryable by name, as of
        the data when it was first asked for."""
        if self._analytics is None:
            self._analytics = self.backend.analytics_cursor(self.data_version(), self.register)
        return self._analytics

    def data_version(self) -> DataVersion:
        return data_version(self.register)

    def register_tables(self) -> dict[str, pa.Table]:
        """The current rows of every register table of the contract, by name."""
        return register_tables(self.register)

    def commit(self) -> None:
        self.register.commit()

    def rollback(self) -> None:
        self.register.rollback()

    def __enter__(self) -> Self:
        self._register = self.backend.engine.connect()
        return self

    def close(self) -> None:
        """End the unit of work: what the services did not commit is rolled back."""
        if self._analytics is not None:
            self._analytics.close()
            self._analytics = None
        if self._register is not None:
            self._register.rollback()  # whatever the service did not commit
            self._register.close()
            self._register = None


def on_register(
    step: Callable[Concatenate[sa.Connection, StepArgs], StepResult], *, commit: bool
) -> Callable[Concatenate[UnitOfWork, StepArgs], StepResult]:
    """The use case that is one register ``step`` (a function of a store taking the
    connection first): it runs on the unit of work's register connection, with the
    step's own arguments and docstring, and commits what the step wrote when ``commit``."""

    def use_case(uow: UnitOfWork, /, *args: StepArgs.args, **kwargs: StepArgs.kwargs) -> StepResult:
        result = step(uow.register, *args, **kwargs)
        if commit:
            uow.commit()
        return result

    use_case.__name__ = use_case.__qualname__ = step.__name__
    use_case.__doc__ = step.__doc__
    return use_case


def register_tables(register: sa.Connection) -> dict[str, pa.Table]:
    """The current rows of every register table of the contract, by name."""
    return {
        table.name: read_current(register, table)
        for table in TABLES
        if table.kind is TableKind.REGISTER
    }


@contextmanager
def unit_of_work(workspace: Workspace) -> Iterator[UnitOfWork]:
    """A unit of work on a backend of its own, for a command that does one thing."""
    with Backend.open(workspace) as backend, backend.unit_of_work() as uow:
        yield uow


def open_analytics(workspace: Workspace) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection over ``workspace`` on its own, for a script or a benchmark
    that only reads: every contract table by name, as ``UnitOfWork.analytics`` sees
    them.  The caller closes it."""
    with Backend.open(workspace) as backend, backend.engine.connect() as register:
        return open_lake(workspace.lake, register_tables(register))
