"""The audit log on SQLite and PostgreSQL: the hash chain verifies, the database refuses
changes, and tampering by someone who can drop the triggers is found at the right entry,
by ``verify_chain`` and by ``cityops audit verify``."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from cityops.audit.log import GENESIS_HASH, AuditEntry, append_entry, entry_hash, verify_chain
from cityops.cli.app import app
from cityops.register.access_schema import audit_log
from cityops.register.engine import make_engine
from cityops.workspace.create import create_workspace
from cityops.workspace.workspace import Workspace

START = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def workspace(tmp_path: Path, register_url: str) -> Workspace:
    return create_workspace(tmp_path / "ws", name="示范市", register_url=register_url)


@pytest.fixture
def engine(workspace: Workspace) -> Iterator[sa.Engine]:
    engine = make_engine(workspace.register_url)
    yield engine
    engine.dispose()


def _entry(number: int) -> AuditEntry:
    return AuditEntry(
        action="approve",
        object=f"C{number}@2025-02#v1",
        result="ok",
        username="李批准",
        role="supervisor",
        region_code="970102",
        client="10.0.0.1",
        at=START + timedelta(minutes=number),
    )


def _append(engine: sa.Engine, count: int) -> None:
    for number in range(1, count + 1):
        with engine.begin() as connection:
            append_entry(connection, _entry(number))


def _verify(engine: sa.Engine) -> tuple[bool, int | None, str | None]:
    with engine.connect() as connection:
        outcome = verify_chain(connection)
    return outcome.intact, outcome.first_bad_seq, outcome.reason


def _drop_append_only_triggers(connection: sa.Connection) -> None:
    """What an attacker with the database owner's rights would do first."""
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("DROP TRIGGER trg_audit_append_only ON audit_log"))
    else:
        connection.execute(sa.text("DROP TRIGGER trg_audit_no_update"))
        connection.execute(sa.text("DROP TRIGGER trg_audit_no_delete"))


def _cli_verify(workspace: Workspace) -> tuple[int, dict[str, object]]:
    result = CliRunner().invoke(app, ["audit", "verify", "-w", str(workspace.root), "--json"])
    parsed: dict[str, object] = json.loads(result.stdout)
    return result.exit_code, parsed


def test_an_untouched_log_verifies_from_the_api_and_the_command(
    engine: sa.Engine, workspace: Workspace
) -> None:
    _append(engine, 5)
    assert _verify(engine) == (True, None, None)
    assert _cli_verify(workspace) == (
        0,
        {"intact": True, "checked": 5, "first_bad_seq": None, "reason": None},
    )


def test_each_entry_is_chained_by_the_sha256_of_its_canonical_json(engine: sa.Engine) -> None:
    _append(engine, 2)
    with engine.connect() as connection:
        rows = connection.execute(sa.select(audit_log).order_by(audit_log.c.seq)).mappings().all()
    first = rows[0]
    canonical = (
        '{"action":"approve","at":"2025-03-01T08:01:00.000000+00:00","client":"10.0.0.1",'
        '"object":"C1@2025-02#v1","prev_hash":"' + GENESIS_HASH + '","region_code":"970102",'
        '"result":"ok","role":"supervisor","seq":1,"username":"李批准"}'
    )
    assert first["prev_hash"] == GENESIS_HASH
    assert first["entry_hash"] == hashlib.sha256(canonical.encode()).hexdigest()
    assert rows[1]["prev_hash"] == first["entry_hash"]


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_log SET result = 'refused' WHERE seq = 2",
        "DELETE FROM audit_log WHERE seq = 2",
        "DELETE FROM audit_log",
    ],
)
def test_the_database_refuses_to_change_or_remove_an_entry(
    engine: sa.Engine, statement: str
) -> None:
    _append(engine, 3)
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), engine.begin() as connection:
        connection.execute(sa.text(statement))
    assert _verify(engine) == (True, None, None)


def test_an_altered_entry_is_found_at_its_sequence_number(
    engine: sa.Engine, workspace: Workspace
) -> None:
    _append(engine, 6)
    with engine.begin() as connection:
        _drop_append_only_triggers(connection)
        connection.execute(audit_log.update().where(audit_log.c.seq == 4).values(result="refused"))
    intact, first_bad, reason = _verify(engine)
    assert (intact, first_bad) == (False, 4)
    assert reason is not None
    assert "content" in reason
    code, report = _cli_verify(workspace)
    assert code == 1
    assert (report["intact"], report["first_bad_seq"], report["checked"]) == (False, 4, 3)


def test_an_entry_altered_and_rehashed_breaks_the_link_to_the_next_one(
    engine: sa.Engine,
) -> None:
    _append(engine, 6)
    with engine.begin() as connection:
        _drop_append_only_triggers(connection)
        prev_hash = connection.execute(
            sa.select(audit_log.c.prev_hash).where(audit_log.c.seq == 3)
        ).scalar_one()
        forged = replace(_entry(3), result="refused")
        connection.execute(
            audit_log.update()
            .where(audit_log.c.seq == 3)
            .values(result="refused", entry_hash=entry_hash(3, forged, prev_hash))
        )
    assert _verify(engine)[:2] == (False, 4)


def test_a_removed_entry_is_named(engine: sa.Engine, workspace: Workspace) -> None:
    _append(engine, 5)
    with engine.begin() as connection:
        _drop_append_only_triggers(connection)
        connection.execute(audit_log.delete().where(audit_log.c.seq == 2))
    intact, first_bad, reason = _verify(engine)
    assert (intact, first_bad, reason) == (False, 2, "entry 2 is missing")
    assert _cli_verify(workspace)[0] == 1


def test_removing_the_newest_entries_is_found(engine: sa.Engine) -> None:
    _append(engine, 5)
    with engine.begin() as connection:
        _drop_append_only_triggers(connection)
        connection.execute(audit_log.delete().where(audit_log.c.seq >= 4))
    assert _verify(engine)[:2] == (False, 4)


def test_an_entry_inserted_behind_the_logs_back_is_found_at_its_number(
    engine: sa.Engine, workspace: Workspace
) -> None:
    """A forger who chains a new entry correctly but cannot move the head is still seen."""
    _append(engine, 3)
    with engine.begin() as connection:
        last_hash = connection.execute(
            sa.select(audit_log.c.entry_hash).where(audit_log.c.seq == 3)
        ).scalar_one()
        forged = _entry(4)
        connection.execute(
            audit_log.insert().values(
                seq=4,
                prev_hash=last_hash,
                entry_hash=entry_hash(4, forged, last_hash),
                action=forged.action,
                object=forged.object,
                result=forged.result,
                username=forged.username,
                role=forged.role,
                region_code=forged.region_code,
                client=forged.client,
                at=forged.at,
            )
        )
    assert _verify(engine)[:2] == (False, 4)
    code, report = _cli_verify(workspace)
    assert (code, report["first_bad_seq"]) == (1, 4)


@pytest.mark.postgres
def test_truncating_the_log_on_postgresql_is_found(postgres_url: str, tmp_path: Path) -> None:
    """Row triggers do not fire on TRUNCATE; the head still remembers the entries."""
    workspace = create_workspace(tmp_path / "ws", name="示范市", register_url=postgres_url)
    engine = make_engine(workspace.register_url)
    try:
        _append(engine, 3)
        with engine.begin() as connection:
            connection.execute(sa.text("TRUNCATE audit_log"))
        assert _verify(engine)[:2] == (False, 1)
    finally:
        engine.dispose()


def test_concurrent_appends_from_threads_keep_the_chain_intact(engine: sa.Engine) -> None:
    threads, per_thread = 6, 15

    def append_many(worker: int) -> list[int]:
        numbers = []
        for number in range(per_thread):
            with engine.begin() as connection:
                numbers.append(append_entry(connection, _entry(worker * 100 + number)))
        return numbers

    with ThreadPoolExecutor(max_workers=threads) as pool:
        assigned = [seq for seqs in pool.map(append_many, range(threads)) for seq in seqs]
    assert sorted(assigned) == list(range(1, threads * per_thread + 1))
    with engine.connect() as connection:
        outcome = verify_chain(connection)
    assert outcome.intact
    assert outcome.checked == threads * per_thread
