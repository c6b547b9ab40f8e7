"""The frozen migrations build exactly the schema the code expects, on both databases."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from cityops.register.engine import make_engine
from cityops.register.migrate import (
    RegisterBehindError,
    alembic_config,
    current_revision,
    head_revision,
    migrate_register,
    require_current_schema,
)
from cityops.register.schema import metadata


def _table_names(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_migrated_schema_equals_the_metadata(register: sa.Engine) -> None:
    with register.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": True}
        )
        assert compare_metadata(context, metadata) == []


def test_migrations_create_current_and_history_of_seven_register_tables(
    register_url: str,
) -> None:
    migrate_register(register_url)
    registers = {
        "regions",
        "services",
        "devices",
        "cloud_resources",
        "data_resources",
        "systems",
        "staff",
    }
    contracts = {  # migration 0002
        "operators",
        "contracts",
        "region_budgets",
        "settlement_statements",
        "settlement_lines",
    }
    api = {  # migration 0003
        "users",
        "api_tokens",
        "login_throttle",  # migration 0006, in place of login_failures
        "audit_log",
        "audit_head",
        "service_requests",
        "ticket_outbox",
    }
    open311 = {"open311_keys"}  # migration 0008
    audit = {"refused_requests"}  # migration 0004
    expected = (
        registers
        | {f"{name}_history" for name in registers}
        | {"ingest_batches"}
        | contracts
        | api
        | open311
        | audit
    )
    assert _table_names(register_url) == expected


def test_migrating_twice_leaves_the_register_at_the_newest_revision(register_url: str) -> None:
    first = migrate_register(register_url)
    second = migrate_register(register_url)
    head = ScriptDirectory.from_config(alembic_config(register_url)).get_current_head()
    assert current_revision(register_url) == head == head_revision()
    assert (first.before, first.after, first.changed) == (None, head, True)
    assert (second.before, second.after, second.changed) == (head, head, False)


def test_a_register_behind_is_refused_with_the_command_that_migrates_it(
    register_url: str,
) -> None:
    command.upgrade(alembic_config(register_url), "0002")
    engine = make_engine(register_url)
    try:
        with pytest.raises(RegisterBehindError) as refused:
            require_current_schema(engine, workspace="/srv/示范市")
    finally:
        engine.dispose()
    message = str(refused.value)
    assert "revision 0002" in message
    assert "cityops migrate --workspace /srv/示范市" in message
    assert current_revision(register_url) == "0002", "refusing does not migrate"


def test_a_register_without_tables_is_refused_too(register_url: str) -> None:
    engine = make_engine(register_url)
    try:
        with pytest.raises(RegisterBehindError, match="no cityops tables"):
            require_current_schema(engine, workspace="ws")
    finally:
        engine.dispose()


def test_a_register_of_a_newer_cityops_is_refused_without_advice_to_migrate(
    register_url: str,
) -> None:
    migrate_register(register_url)
    engine = make_engine(register_url)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
        with pytest.raises(RegisterBehindError, match="newer cityops") as refused:
            require_current_schema(engine, workspace="ws")
    finally:
        engine.dispose()
    assert "cityops migrate --workspace" not in str(refused.value)


def test_a_new_database_has_no_revision(register_url: str) -> None:
    assert current_revision(register_url) is None


def test_downgrading_to_base_removes_every_table(register_url: str) -> None:
    migrate_register(register_url)
    command.downgrade(alembic_config(register_url), "base")
    assert _table_names(register_url) == set()
