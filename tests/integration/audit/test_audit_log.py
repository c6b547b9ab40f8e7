"""The audit log on SQLite and PostgreSQL: the keyed hash chain verifies, the database
refuses changes, and tampering by someone who can drop the triggers is found at the
right entry, by ``verify_chain`` and by ``cityops audit verify``."""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from cityops.audit.keys import audit_key
from cityops.audit.log import (
    GENESIS_HASH,
    AuditEntry,
    append_entry,
    entry_hash,
    unkeyed_entry_hash,
    verify_chain,
)
from cityops.cli.app import app
from cityops.register.access_schema import audit_head, audit_log
from cityops.register.engine import make_engine
from cityops.services.audit import record, verify
from cityops.services.unit_of_work import Backend
from cityops.settings import ProcessSettings
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


@pytest.fixture
def key(workspace: Workspace) -> bytes:
    """The key ``cityops audit verify`` uses: derived from the workspace secret."""
    return audit_key(workspace.secret_path)


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


def _append(engine: sa.Engine, count: int, key: bytes) -> None:
    for number in range(1, count + 1):
        with engine.begin() as connection:
            append_entry(connection, _entry(number), key)


def _verify(engine: sa.Engine, key: bytes) -> tuple[bool, int | None, str | None]:
    with engine.connect() as connection:
        outcome = verify_chain(connection, key)
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
    engine: sa.Engine, workspace: Workspace, key: bytes
) -> None:
    _append(engine, 5, key)
    assert _verify(engine, key) == (True, None, None)
    assert _cli_verify(workspace) == (
        0,
        {
            "intact": True,
            "checked": 5,
            "first_bad_seq": None,
            "reason": None,
            "anchors": 0,
            "altered_statements": [],
        },
    )


def test_each_entry_is_chained_by_the_hmac_of_its_canonical_json(
    engine: sa.Engine, key: bytes
) -> None:
    _append(engine, 2, key)
    with engine.connect() as connection:
        rows = connection.execute(sa.select(audit_log).order_by(audit_log.c.seq)).mappings().all()
    first = rows[0]
    canonical = (
        '{"action":"approve","at":"2025-03-01T08:01:00.000000+00:00","client":"10.0.0.1",'
        '"object":"C1@2025-02#v1","prev_hash":"' + GENESIS_HASH + '","region_code":"970102",'
        '"result":"ok","role":"supervisor","seq":1,"username":"李批准"}'
    )
    assert first["prev_hash"] == GENESIS_HASH
    assert first["entry_hash"] == hmac.new(key, canonical.encode(), "sha256").hexdigest()
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
    engine: sa.Engine, key: bytes, statement: str
) -> None:
    _append(engine, 3, key)
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), engine.begin() as connection:
        connection.execute(sa.text(statement))
    assert _verify(engine, key) == (True, None, None)


def test_an_altered_entry_is_found_at_its_sequence_number(
    engine: sa.Engine, workspace: Workspace, key: bytes
) -> None:
    _append(engine, 6, key)
    with engine.begin() as connection:
        _drop_append_only_triggers(connection)
        connection.execute(audit_log.update().where(audit_log.c.seq == 4).values(result="refused"))
    intact, first_bad, reason = _verify(engine, key)
    assert (intact, first_bad) == (False, 4)
    assert reason is not None
    assert "content" in reason
    code, report = _cli_verify(workspace)
    assert code == 1
    assert (report["intact"], report["first_bad_seq"], report["checked"]) == (False, 4, 3)


def test_an_entry_altered_and_rehashed_breaks_the_link_to_the_next_one(
    engine: sa.Engine, key: bytes
) -> None:
    _append(engine, 6, key)
    with engine.begin() as connection:
        _drop_append_only_triggers(connection)
        prev_hash = connection.execute(
            sa.select(audit_log.c.prev_hash).where(audit_log.c.seq == 3)
        ).scalar_one()
        forged = replace(_entry(3), result="refused")
        connection.execute(
            audit_log.update()
            .where(audit_log.c.seq == 3)
            .values(result="refused", entry_hash=entry_hash(3, forged, prev_hash, key))
        )
    assert _verify(engine, key)[:2] == (False, 4)


def test_a_removed_entry_is_named(engine: sa.Engine, workspace: Workspace, key: bytes) -> None:
    _append(engine, 5, key)
    with engine.begin() as connection:
        _drop_append_only_triggers(connection)
        connection.execute(audit_log.delete().where(audit_log.c.seq == 2))
    intact, first_bad, reason = _verify(engine, key)
    assert (intact, first_bad, reason) == (False, 2, "entry 2 is missing")
    assert _cli_verify(workspace)[0] == 1


def test_removing_the_newest_entries_is_found(engine: sa.Engine, key: bytes) -> None:
    _append(engine, 5, key)
    with engine.begin() as connection:
        _drop_append_only_triggers(connection)
        connection.execute(audit_log.delete().where(audit_log.c.seq >= 4))
    assert _verify(engine, key)[:2] == (False, 4)


def test_an_entry_inserted_behind_the_logs_back_is_found_at_its_number(
    engine: sa.Engine, workspace: Workspace, key: bytes
) -> None:
    """A forger who chains a new entry correctly but cannot move the head is still seen."""
    _append(engine, 3, key)
    with engine.begin() as connection:
        last_hash = connection.execute(
            sa.select(audit_log.c.entry_hash).where(audit_log.c.seq == 3)
        ).scalar_one()
        forged = _entry(4)
        connection.execute(
            audit_log.insert().values(
                seq=4,
                prev_hash=last_hash,
                entry_hash=entry_hash(4, forged, last_hash, key),
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
    assert _verify(engine, key)[:2] == (False, 4)
    code, report = _cli_verify(workspace)
    assert (code, report["first_bad_seq"]) == (1, 4)


@pytest.mark.postgres
def test_truncating_the_log_on_postgresql_is_found(postgres_url: str, tmp_path: Path) -> None:
    """Row triggers do not fire on TRUNCATE; the head still remembers the entries."""
    workspace = create_workspace(tmp_path / "ws", name="示范市", register_url=postgres_url)
    engine = make_engine(workspace.register_url)
    key = audit_key(workspace.secret_path)
    try:
        _append(engine, 3, key)
        with engine.begin() as connection:
            connection.execute(sa.text("TRUNCATE audit_log"))
        assert _verify(engine, key)[:2] == (False, 1)
    finally:
        engine.dispose()


def test_concurrent_appends_from_threads_keep_the_chain_intact(
    engine: sa.Engine, key: bytes
) -> None:
    threads, per_thread = 6, 15

    def append_many(worker: int) -> list[int]:
        numbers = []
        for number in range(per_thread):
            with engine.begin() as connection:
                numbers.append(append_entry(connection, _entry(worker * 100 + number), key)[0])
        return numbers

    with ThreadPoolExecutor(max_workers=threads) as pool:
        assigned = [seq for seqs in pool.map(append_many, range(threads)) for seq in seqs]
    assert sorted(assigned) == list(range(1, threads * per_thread + 1))
    with engine.connect() as connection:
        outcome = verify_chain(connection, key)
    assert outcome.intact
    assert outcome.checked == threads * per_thread


# --- forgeries of someone who can write the register but not read the key ---------------


def _drop_triggers_and(engine: sa.Engine, statements: list[sa.Executable]) -> None:
    with engine.begin() as connection:
        _drop_append_only_triggers(connection)
        for statement in statements:
            connection.execute(statement)


def _rows(engine: sa.Engine) -> list[sa.RowMapping]:
    with engine.connect() as connection:
        return list(
            connection.execute(sa.select(audit_log).order_by(audit_log.c.seq)).mappings().all()
        )


def _rechain_from(engine: sa.Engine, seq: int, change: dict[str, str], hasher: Hasher) -> None:
    """Rewrite entry ``seq`` and recompute every later hash and the head with ``hasher``."""
    rows = _rows(engine)
    statements: list[sa.Executable] = []
    prev_hash = rows[seq - 2]["entry_hash"] if seq > 1 else GENESIS_HASH
    for row in rows[seq - 1 :]:
        fields = {name: row[name] for name in AuditEntry.__slots__}
        if row["seq"] == seq:
            fields.update(change)
        digest = hasher(row["seq"], AuditEntry(**fields), prev_hash)
        statements.append(
            audit_log.update()
            .where(audit_log.c.seq == row["seq"])
            .values(**fields, prev_hash=prev_hash, entry_hash=digest)
        )
        prev_hash = digest
    statements.append(audit_head.update().values(entry_hash=prev_hash))
    _drop_triggers_and(engine, statements)


Hasher = Callable[[int, AuditEntry, str], str]


def test_an_entry_rewritten_and_rechained_with_the_public_function_is_found(
    engine: sa.Engine, workspace: Workspace, key: bytes
) -> None:
    """Yesterday's hash was public: re-chaining with it went unseen.  Without the key the
    rewritten entry no longer fits its hash."""
    _append(engine, 6, key)
    _rechain_from(engine, 3, {"result": "refused"}, unkeyed_entry_hash)
    intact, first_bad, reason = _verify(engine, key)
    assert (intact, first_bad) == (False, 3)
    assert reason is not None
    assert "unkeyed" in reason
    assert _cli_verify(workspace)[0] == 1


def test_an_entry_rechained_under_a_guessed_key_is_found(engine: sa.Engine, key: bytes) -> None:
    _append(engine, 6, key)
    guessed = b"\x00" * 32

    def forged_hash(seq: int, entry: AuditEntry, prev_hash: str) -> str:
        return entry_hash(seq, entry, prev_hash, guessed)

    _rechain_from(engine, 2, {"username": "别人"}, forged_hash)
    assert _verify(engine, key)[:2] == (False, 2)


def test_a_rechain_by_someone_with_the_key_still_breaks_the_anchors(
    engine: sa.Engine, workspace: Workspace, key: bytes
) -> None:
    _append(engine, 6, key)
    assert _cli_anchor(workspace) == 0

    def keyed_hash(seq: int, entry: AuditEntry, prev_hash: str) -> str:
        return entry_hash(seq, entry, prev_hash, key)

    _rechain_from(engine, 4, {"result": "refused"}, keyed_hash)
    code, report = _cli_verify(workspace)
    assert (code, report["intact"], report["first_bad_seq"]) == (1, False, 6)
    assert "anchor" in str(report["reason"])


def test_removing_the_last_entry_and_moving_the_head_back_is_found(
    engine: sa.Engine, workspace: Workspace, key: bytes
) -> None:
    """The chain of entries 1–4 and a head moved back to entry 4 are consistent; only
    the anchor outside the register remembers entry 5."""
    _append(engine, 5, key)
    assert _cli_anchor(workspace) == 0
    fourth = _rows(engine)[3]["entry_hash"]
    _drop_triggers_and(
        engine,
        [
            audit_log.delete().where(audit_log.c.seq == 5),
            audit_head.update().values(seq=4, entry_hash=fourth),
        ],
    )
    code, report = _cli_verify(workspace)
    assert (code, report["first_bad_seq"], report["checked"]) == (1, 5, 4)
    assert "removed" in str(report["reason"])


def test_a_forged_entry_inserted_in_the_middle_is_found(
    engine: sa.Engine, workspace: Workspace, key: bytes
) -> None:
    """A forged "approve" slipped in as entry 3, the later entries renumbered and
    re-chained with the public function: the forged entry does not fit its hash."""
    _append(engine, 4, key)
    rows = _rows(engine)
    moved = [
        {name: row[name] for name in (*AuditEntry.__slots__, "prev_hash", "entry_hash")}
        for row in rows[2:]
    ]
    forged = AuditEntry(
        action="approve",
        object="C9@2025-02#v1",
        result="ok",
        username="李批准",
        role="supervisor",
        region_code="970102",
        client="10.0.0.1",
        at=START,
    )
    statements: list[sa.Executable] = [audit_log.delete().where(audit_log.c.seq >= 3)]
    prev_hash = rows[1]["entry_hash"]
    for seq, fields in enumerate([asdict(forged), *moved], start=3):
        entry = AuditEntry(**{name: fields[name] for name in AuditEntry.__slots__})
        digest = unkeyed_entry_hash(seq, entry, prev_hash)
        statements.append(
            audit_log.insert().values(
                **asdict(entry), seq=seq, prev_hash=prev_hash, entry_hash=digest
            )
        )
        prev_hash = digest
    statements.append(audit_head.update().values(seq=5, entry_hash=prev_hash))
    _drop_triggers_and(engine, statements)
    code, report = _cli_verify(workspace)
    assert (code, report["first_bad_seq"]) == (1, 3)


def test_an_anchor_edited_by_hand_is_refused(
    engine: sa.Engine, workspace: Workspace, key: bytes
) -> None:
    _append(engine, 3, key)
    assert _cli_anchor(workspace) == 0
    anchors = workspace.root / "audit-anchors.jsonl"
    assert anchors.stat().st_mode & 0o777 == 0o600
    anchors.write_text(anchors.read_text().replace('"seq":3', '"seq":2'))
    code, report = _cli_verify(workspace)
    assert (code, report["first_bad_seq"]) == (1, 0)
    assert "HMAC" in str(report["reason"])


def test_an_altered_log_is_not_anchored(
    engine: sa.Engine, workspace: Workspace, key: bytes
) -> None:
    _append(engine, 3, key)
    _rechain_from(engine, 2, {"result": "refused"}, unkeyed_entry_hash)
    assert _cli_anchor(workspace) != 0
    assert not (workspace.root / "audit-anchors.jsonl").exists()


def test_entries_chained_before_the_key_verify_once_rekeyed_and_stay_pinned(
    engine: sa.Engine, workspace: Workspace, key: bytes
) -> None:
    """A workspace upgraded with three unkeyed entries, then two keyed ones: verify
    points to ``audit rekey``; after it, the log verifies; a later rewrite of the
    unkeyed prefix by the old public rule is found."""
    _append_unkeyed(engine, 3)
    for number in (4, 5):
        with engine.begin() as connection:
            append_entry(connection, _entry(number), key)
    code, report = _cli_verify(workspace)
    assert (code, report["first_bad_seq"]) == (1, 1)
    assert "rekey" in str(report["reason"])
    rekeyed = CliRunner().invoke(app, ["audit", "rekey", "-w", str(workspace.root), "--json"])
    assert rekeyed.exit_code == 0, rekeyed.output
    assert json.loads(rekeyed.stdout) == {"unkeyed_until": 3}
    assert _cli_verify(workspace)[0] == 0
    again = CliRunner().invoke(app, ["audit", "rekey", "-w", str(workspace.root)])
    assert again.exit_code != 0
    _rechain_from(engine, 2, {"result": "refused"}, unkeyed_entry_hash)
    assert _cli_verify(workspace)[0] == 1


def test_every_nth_entry_is_anchored_by_the_service(tmp_path: Path, register_url: str) -> None:
    workspace = create_workspace(tmp_path / "ws", name="示范市", register_url=register_url)
    settings = ProcessSettings.from_environ({"CITYOPS_AUDIT_ANCHOR_EVERY": "2"})
    with Backend.open(workspace, settings) as backend:
        for number in range(1, 6):
            with backend.unit_of_work() as uow:
                record(uow, _entry(number))
        with backend.unit_of_work() as uow:
            outcome = verify(uow)
    assert (outcome.intact, outcome.checked, outcome.anchors) == (True, 5, 2)
    lines = (workspace.root / "audit-anchors.jsonl").read_text().splitlines()
    assert [json.loads(line)["seq"] for line in lines] == [2, 4]


def test_a_separate_key_file_keys_the_chain(tmp_path: Path, register_url: str) -> None:
    workspace = create_workspace(tmp_path / "ws", name="示范市", register_url=register_url)
    key_file = tmp_path / "audit.key"
    key_file.write_text("k" * 40)
    settings = ProcessSettings.from_environ({"CITYOPS_AUDIT_KEY_FILE": str(key_file)})
    with Backend.open(workspace, settings) as backend, backend.unit_of_work() as uow:
        record(uow, _entry(1))
        assert verify(uow).intact
    assert _cli_verify(workspace)[0] == 1  # the workspace secret is not the key


def _append_unkeyed(engine: sa.Engine, count: int) -> None:
    """Entries as cityops wrote them before the chain was keyed."""
    prev_hash = GENESIS_HASH
    for seq in range(1, count + 1):
        entry = _entry(seq)
        digest = unkeyed_entry_hash(seq, entry, prev_hash)
        with engine.begin() as connection:
            connection.execute(
                audit_log.insert().values(
                    **asdict(entry), seq=seq, prev_hash=prev_hash, entry_hash=digest
                )
            )
            connection.execute(audit_head.update().values(seq=seq, entry_hash=digest))
        prev_hash = digest


def _cli_anchor(workspace: Workspace) -> int:
    result = CliRunner().invoke(app, ["audit", "anchor", "-w", str(workspace.root)])
    return result.exit_code
