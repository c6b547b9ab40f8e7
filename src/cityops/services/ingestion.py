"""Ingest use cases (入库): files, a folder of them, rows pushed over HTTP and MQTT
messages, each batch checked, deduplicated, quarantined, accounted for and
published by :mod:`cityops.ingestion`.

The file, folder and HTTP use cases take a unit of work, so the register is
known to be at this cityops's schema before anything is stored; ingestion
opens its own register connections for each batch it records.  The MQTT
listener, which runs for days, takes the workspace alone.

Rows pushed over HTTP take the road a file takes: the body becomes a JSON Lines
file inside the workspace and :func:`cityops.ingestion.batch.ingest_file`
stores it.  Before that, two checks refuse the whole request and store nothing:

* the body must be a JSON array of objects or NDJSON (``json_body``);
* every row must lie in the caller's region scope (``placement``): a scoped
  caller cannot write another district's data, and a refusal names the first
  row (by line, or element of the array) and its region.

HTTP batches are ingested one at a time per process (the lake takes one writer
at a time), and messages never show where the workspace lives on the server.

Register tables (登记库: regions, services, devices …) are written only by a
role the access table (``cityops.access.roles``) gives register write — the
administrator — whichever door the rows come through: every use case here takes
the caller and refuses a register table with :class:`RegisterWriteRefusedError`
before reading a byte.  Regions feed every payment (the resident population
divides 用户覆盖率; the parent decides whose tickets and statements a
supervisor sees), so each change of a region's ``resident_population`` or
``parent_code`` is audited with its value before and after, one entry per
region and field, in the caller's name.  A command on the server's own
machine acts as :func:`local_admin`: whoever can run it can open the register
file as well.
"""

from __future__ import annotations

import getpass
import os
import shutil
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import sqlalchemy as sa

from cityops.access.roles import Action, Resource, Role, allows
from cityops.access.scope import Principal, RegionTree
from cityops.audit.log import AuditEntry
from cityops.domain.contract import Table, TableKind
from cityops.domain.contract import table as contract_table
from cityops.domain.region_tree import RegionValue, region_changes
from cityops.errors import CityopsError, ContractError
from cityops.ingestion import batch, directory, mqtt
from cityops.ingestion.checks import typed_expression
from cityops.ingestion.mqtt import (
    ListenSettings,
    ListenSummary,
    default_client_id,
    parse_broker_url,
)
from cityops.ingestion.mqtt_store import FlushReport, rejected_log
from cityops.ingestion.sources import read_source
from cityops.register.batches import IngestBatch
from cityops.register.schema import BATCH_ID, ingest_batches
from cityops.register.store import read_current
from cityops.services.audit import record
from cityops.services.json_body import BodyFormat, array_to_ndjson, body_format, check_ndjson
from cityops.services.placement import scope_sql
from cityops.services.unit_of_work import UnitOfWork
from cityops.workspace.workspace import Workspace

__all__ = [
    "HTTP_SOURCE",
    "INCOMING_DIR",
    "REGISTER_CHANGE",
    "BodyFormat",
    "FlushReport",
    "IngestBatch",
    "ListenSettings",
    "ListenSummary",
    "OutsideScopeError",
    "RegisterWriteRefusedError",
    "body_format",
    "default_client_id",
    "incoming_dir",
    "ingest_body",
    "ingest_directory",
    "ingest_file",
    "listen",
    "local_admin",
    "parse_broker_url",
    "rejected_log",
    "require_register_write",
]

INCOMING_DIR = ".http-ingest"
"""Where request bodies wait in the workspace while they are ingested (removed after)."""

HTTP_SOURCE = "http"
"""The ``source`` of a batch pushed over HTTP in the ingest accounting."""

_ONE_WRITER = threading.Lock()

REGISTER_CHANGE = "change:register"
"""The audit action of one changed field of a region (object: what changed, how)."""


class RegisterWriteRefusedError(CityopsError):
    """The caller's role may not write register tables; nothing was read or stored."""

    def __init__(self, principal: Principal, table_name: str) -> None:
        super().__init__(
            f"table {table_name!r} is a register table (登记库), and the {principal.role} "
            "role may only read the register: register tables are changed by an "
            "administrator; nothing was stored"
        )
        self.table_name = table_name


def local_admin() -> Principal:
    """The caller of a command run on the server's machine (``cityops ingest``, the
    demo): an administrator, named ``local:<login name>`` in the audit log — whoever
    can run commands against the workspace can read and write its files anyway."""
    try:
        login = getpass.getuser()
    except (OSError, KeyError):
        login = "unknown"
    return Principal(user_id=f"local:{login}", username=f"local:{login}", role=Role.ADMIN,
                     region_code=None)  # fmt: skip


def require_register_write(principal: Principal, table: Table) -> None:
    """Raise :class:`RegisterWriteRefusedError` when ``table`` is a register table and
    ``principal``'s role has no register write in the access table."""
    if table.kind is TableKind.REGISTER and not allows(
        principal.role, Resource.REGISTER, Action.WRITE
    ):
        raise RegisterWriteRefusedError(principal, table.name)


def ingest_file(
    uow: UnitOfWork,
    table_name: str,
    path: Path,
    *,
    principal: Principal,
    encoding: str | None = None,
    pseudonymise_users: bool = False,
    on_part: Callable[[int, int], None] | None = None,
) -> IngestBatch:
    """Ingest the file ``path`` as rows of contract table ``table_name`` for
    ``principal`` (a register table only for a role with register write); see
    :func:`cityops.ingestion.batch.ingest_file` for the options."""
    table = contract_table(table_name)
    require_register_write(principal, table)
    with _audited_regions(uow, principal, watch=table.name == _REGIONS):
        return batch.ingest_file(
            uow.workspace,
            table_name,
            path,
            encoding=encoding,
            pseudonymise_users=pseudonymise_users,
            on_part=on_part,
        )


def ingest_directory(
    uow: UnitOfWork,
    folder: Path,
    on_batch: Callable[[IngestBatch], None] | None = None,
    *,
    principal: Principal,
) -> list[IngestBatch]:
    """Ingest every file of ``folder`` named after a contract table, register tables
    first, for ``principal``; ``on_batch`` hears each batch.  Nothing is ingested when
    a file is of a register table the caller may not write."""
    names = [name for name, _ in directory.table_files(folder)]
    for name in names:
        require_register_write(principal, contract_table(name))
    with _audited_regions(uow, principal, watch=_REGIONS in names):
        return directory.ingest_directory(uow.workspace, folder, on_batch)


def listen(
    workspace: Workspace,
    settings: ListenSettings,
    *,
    on_ready: Callable[[bool], None] | None = None,
    on_flush: Callable[[FlushReport], None] | None = None,
) -> ListenSummary:
    """Store MQTT messages in batches until a stop condition or Ctrl-C; see
    :func:`cityops.ingestion.mqtt.listen`."""
    return mqtt.listen(workspace, settings, on_ready=on_ready, on_flush=on_flush)


class OutsideScopeError(Exception):
    """A row of the body lies outside the caller's scope; nothing was stored."""

    def __init__(self, row: int, region: str | None, unit: str) -> None:
        where = f"lies in region {region}" if region else "has no known region"
        super().__init__(
            f"{unit} {row} {where}, outside your scope (your region and the regions "
            "below it); nothing was stored"
        )
        self.row = row
        self.region = region


@contextmanager
def incoming_dir(workspace: Workspace) -> Iterator[Path]:
    """A new directory for one request's body inside the workspace, removed afterwards."""
    parent = workspace.root / INCOMING_DIR
    parent.mkdir(exist_ok=True)
    folder = Path(tempfile.mkdtemp(dir=parent))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def ingest_body(
    uow: UnitOfWork,
    principal: Principal,
    tree: RegionTree,
    table: Table,
    body: Path,
    body_format: BodyFormat,
) -> IngestBatch:
    """Ingest the request body saved at ``body`` as rows of ``table``.

    Raises :class:`RegisterWriteRefusedError` (``table`` is a register table and
    the caller's role may not write the register), :class:`ContractError` (the
    body is not JSON rows, or ingestion refused it) and :class:`OutsideScopeError`;
    in each case nothing is stored.
    """
    require_register_write(principal, table)
    workspace = uow.workspace
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    rows_file = body.with_name(f"http-{table.name}-{stamp}-{uuid.uuid4().hex[:8]}.jsonl")
    con = duckdb.connect()
    try:
        with _scrubbed(body.parent, workspace.root):
            if body_format is BodyFormat.JSON_ARRAY:
                array_to_ndjson(con, body, rows_file)
            else:
                check_ndjson(con, body)
                body.rename(rows_file)
            if principal.region_code is not None:
                unit = "element" if body_format is BodyFormat.JSON_ARRAY else "line"
                _require_scope(con, uow.register, table, rows_file, tree, principal, unit)
    finally:
        con.close()
    with (
        _ONE_WRITER,
        _scrubbed(body.parent, workspace.root),
        _audited_regions(uow, principal, watch=table.name == _REGIONS),
    ):
        ingested = batch.ingest_file(workspace, table.name, rows_file)
    _mark_http_source(uow, ingested)
    return replace(ingested, source=HTTP_SOURCE)


_REGIONS = "regions"


@contextmanager
def _audited_regions(uow: UnitOfWork, principal: Principal, *, watch: bool) -> Iterator[None]:
    """When ``watch``: audit, in ``principal``'s name, every change of a region's
    population or parent that the block made (compared before and after it)."""
    if not watch:
        yield
        return
    before = _regions_by_code(uow)
    yield
    for change in region_changes(before, _regions_by_code(uow)):
        entry = AuditEntry(
            action=REGISTER_CHANGE,
            object=change.describe(),
            result="ok",
            username=principal.username,
            role=principal.role.value,
            region_code=principal.region_code,
        )
        record(uow, entry)


def _regions_by_code(uow: UnitOfWork) -> dict[str, dict[str, RegionValue]]:
    rows = read_current(uow.register, contract_table(_REGIONS)).to_pylist()
    return {str(row["region_code"]): row for row in rows}


def _require_scope(
    con: duckdb.DuckDBPyConnection,
    register: sa.Connection,
    table: Table,
    rows_file: Path,
    tree: RegionTree,
    principal: Principal,
    unit: str,
) -> None:
    """Raise :class:`OutsideScopeError` for the first row outside ``principal``'s scope."""
    con.execute("SET TimeZone = 'Asia/Shanghai'")
    types = read_source(con, rows_file, "body_rows", scratch=rows_file.parent)

    def value(name: str) -> str:
        return typed_expression(table.field(name), types.get(name))

    test = scope_sql(con, register, table, value, tree.descendants(principal.region_code))
    try:
        found = con.execute(
            f"SELECT raw._line, {test.region} FROM body_rows AS raw {test.joins} "
            f"WHERE {test.outside} ORDER BY raw._line LIMIT 1"
        ).fetchall()
    except duckdb.Error as error:
        raise ContractError(f"the rows cannot be read: {error}") from error
    if found:
        [(line, region)] = found
        raise OutsideScopeError(int(line), None if region is None else str(region), unit)


def _mark_http_source(uow: UnitOfWork, ingested: IngestBatch) -> None:
    """Record the batch's source as ``http`` rather than the temporary file's path; a
    batch recorded earlier (the same body sent again) keeps its own record."""
    uow.register.execute(
        ingest_batches.update()
        .where(ingest_batches.c[BATCH_ID] == ingested.batch_id)
        .where(ingest_batches.c.source == ingested.source)
        .values(source=HTTP_SOURCE)
    )
    uow.commit()


@contextmanager
def _scrubbed(request_dir: Path, root: Path) -> Iterator[None]:
    """Re-raise a cityops error with the server's paths taken out of its message."""
    try:
        yield
    except CityopsError as error:
        message = str(error)
        for path, shown in ((request_dir, "request"), (root, "workspace")):
            message = message.replace(f"{path}{os.sep}", "").replace(str(path), shown)
        raise type(error)(message) from None
