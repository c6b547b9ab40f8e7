"""An approval seals its statement: the hash of the statement's content goes into the
audit chain, and ``cityops audit verify`` names every approved statement whose
stored content no longer matches, even with the database's guards dropped."""

from __future__ import annotations

import json
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from demo_contract_month import DEMO_CONTRACT, DEMO_CONTRACT_ID, workspace_with_facts
from typer.testing import CliRunner

from cityops.access.roles import Role
from cityops.cli.app import app
from cityops.domain.period import Period
from cityops.services.accounts import create_user
from cityops.services.settlement import (
    approve_statement,
    load_contracts,
    review_statement,
    settle_period,
    show_statement,
    statement_seal,
)
from cityops.services.settlement import verify_audit as verify
from cityops.services.unit_of_work import unit_of_work
from cityops.workspace.workspace import Workspace

CONTRACT = DEMO_CONTRACT_ID


@pytest.fixture
def sealed(tmp_path: Path) -> tuple[Workspace, str, str]:
    """A workspace with one approved (sealed) statement and one draft after it."""
    ws = workspace_with_facts(tmp_path / "ws")
    with unit_of_work(ws) as uow:
        load_contracts(uow, DEMO_CONTRACT)
        for name in ("drafter", "reviewer", "approver"):
            create_user(
                uow, username=name, password="Harbour-lights-7", role=Role.ADMIN, region_code=None
            )
        month = Period(2025, 3)
        approved = settle_period(uow, CONTRACT, month, by="drafter").statement_id
        review_statement(uow, approved, by="reviewer")
        approve_statement(uow, approved, by="approver")
        draft = settle_period(uow, CONTRACT, month, by="drafter").statement_id
    return ws, approved, draft


def _tamper(ws: Workspace, *statements: str) -> None:
    """What someone holding the register file would do: drop its guards, then write."""
    with sqlite3.connect(ws.root / "register.sqlite") as con:
        guards = con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall()
        for (guard,) in guards:
            con.execute(f'DROP TRIGGER "{guard}"')
        for statement in statements:
            con.execute(statement)


def _verify(ws: Workspace) -> tuple[int, dict[str, object]]:
    done = CliRunner().invoke(app, ["audit", "verify", "-w", str(ws.root), "--json"])
    parsed: dict[str, object] = json.loads(done.stdout)
    return done.exit_code, parsed


def test_the_approval_writes_the_statement_s_seal_into_the_audit_chain(
    sealed: tuple[Workspace, str, str],
) -> None:
    ws, approved, _draft = sealed
    with unit_of_work(ws) as uow:
        seal = statement_seal(show_statement(uow, approved))
    with sqlite3.connect(ws.root / "register.sqlite") as con:
        entries = con.execute(
            "SELECT username, object, result FROM audit_log WHERE action = 'seal'"
        ).fetchall()
    assert entries == [("approver", f"{approved} {seal}", "ok")]
    assert seal.startswith("sha256:")
    assert len(seal) == len("sha256:") + 64
    status, outcome = _verify(ws)
    assert (status, outcome["intact"], outcome["altered_statements"]) == (0, True, [])


def test_an_approved_amount_altered_in_the_database_is_named_by_verify(
    sealed: tuple[Workspace, str, str],
) -> None:
    ws, approved, draft = sealed
    _tamper(
        ws,
        "UPDATE settlement_statements SET total_payable_fen = 99999999 "
        f"WHERE statement_id = '{approved}'",
        # a draft is not sealed: changing it is the workflow's business, not a seal's
        f"UPDATE settlement_statements SET total_payable_fen = 1 WHERE statement_id = '{draft}'",
    )
    with unit_of_work(ws) as uow:
        assert show_statement(uow, approved).total_payable == Decimal("999999.99")
        outcome = verify(uow)
    assert outcome.first_bad_seq is None  # the chain itself is intact
    assert outcome.altered_statements == (
        f"{approved}: its stored content no longer matches its seal",
    )
    status, printed = _verify(ws)
    assert status == 1
    assert printed["intact"] is False
    assert printed["altered_statements"] == [
        f"{approved}: its stored content no longer matches its seal"
    ]
    said = CliRunner().invoke(app, ["audit", "verify", "-w", str(ws.root)])
    assert said.exit_code == 1
    assert approved in said.output


def test_a_deleted_line_of_an_approved_statement_is_named_by_verify(
    sealed: tuple[Workspace, str, str],
) -> None:
    ws, approved, _draft = sealed
    _tamper(
        ws,
        f"DELETE FROM settlement_lines WHERE statement_id = '{approved}' AND line_no = "
        f"(SELECT max(line_no) FROM settlement_lines WHERE statement_id = '{approved}')",
    )
    status, printed = _verify(ws)
    assert status == 1
    assert printed["altered_statements"] == [
        f"{approved}: its stored content no longer matches its seal"
    ]


@pytest.mark.parametrize(
    ("tampering", "why"),
    [
        ("UPDATE settlement_statements SET status = 'reviewed' WHERE statement_id = '{a}'",
         "{a}: sealed, but now reviewed"),
        ("DELETE FROM settlement_lines WHERE statement_id = '{a}'; "
         "DELETE FROM settlement_statements WHERE statement_id = '{a}'",
         "{a}: sealed, but no longer stored"),
        ("UPDATE settlement_statements SET status = 'approved', approved_by = 'x' "
         "WHERE statement_id = '{d}'",
         "{d}: approved, but never sealed by an approval"),
    ],
)  # fmt: skip
def test_a_statement_unapproved_removed_or_approved_behind_the_workflow_s_back_is_named(
    sealed: tuple[Workspace, str, str], tampering: str, why: str
) -> None:
    ws, approved, draft = sealed
    _tamper(ws, *tampering.format(a=approved, d=draft).split("; "))
    status, printed = _verify(ws)
    assert status == 1
    assert printed["altered_statements"] == [why.format(a=approved, d=draft)]
