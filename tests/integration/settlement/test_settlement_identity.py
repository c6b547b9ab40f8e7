"""``cityops settle`` and its workflow steps are taken by registered users, proven by
password (``$CITYOPS_PASSWORD``) or API token (``$CITYOPS_TOKEN``), whose role may take
the step; every refusal and every step is in the audit log."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from demo_contract_month import DEMO_CONTRACT, DEMO_CONTRACT_ID, workspace_with_facts
from typer.testing import CliRunner, Result

from cityops.cli.app import app
from cityops.services.accounts import authenticate
from cityops.services.unit_of_work import unit_of_work
from cityops.settings import ProcessSettings
from cityops.workspace.workspace import Workspace

CONTRACT = DEMO_CONTRACT_ID
PASSWORD = "Harbour-lights-7"

USERS = {  # user: role
    "drafter": "supervisor",
    "approver": "supervisor",
    "reviewer": "evaluator",
    "reviewer2": "evaluator",
    "looker": "auditor",
}


def _cli(*args: str, password: str | None = PASSWORD, token: str | None = None) -> Result:
    """Run a command with ``$CITYOPS_PASSWORD`` / ``$CITYOPS_TOKEN`` as given."""
    environ = {"CITYOPS_PASSWORD": password or "", "CITYOPS_TOKEN": token or ""}
    ProcessSettings.settings_clear_cache()
    with pytest.MonkeyPatch.context() as patch:
        for name, value in environ.items():
            patch.setenv(name, value)
        result = CliRunner().invoke(app, list(args))
    ProcessSettings.settings_clear_cache()
    return result


def _said(result: Result) -> str:
    return result.output + str(result.exception or "")


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    ws = workspace_with_facts(tmp_path / "ws")
    regions = tmp_path / "regions.csv"
    regions.write_text(
        "region_code,name,level,parent_code,resident_population\n970100,示范市,city,,300000\n",
        encoding="utf-8",
    )
    root = str(ws.root)
    assert _cli("ingest", "regions", str(regions), "-w", root).exit_code == 0
    assert _cli("contracts", "load", "-w", root, str(DEMO_CONTRACT)).exit_code == 0
    for name, role in USERS.items():
        done = _cli("user", "create", name, "--role", role, "--region", "970100", "-w", root)
        assert done.exit_code == 0, _said(done)
    return ws


def _audit(ws: Workspace) -> list[tuple[str | None, str, str, str]]:
    """(username, action, object, result) of every entry but logins, oldest first."""
    with unit_of_work(ws) as uow:
        rows = uow.register.execute(
            sa.text("SELECT username, action, object, result FROM audit_log ORDER BY seq")
        ).all()
    return [tuple(row) for row in rows if row[1] in {"settle", "review", "approve"}]


def _draft(ws: Workspace) -> str:
    done = _cli(
        "settle", "-w", str(ws.root), "--contract", CONTRACT, "--period", "2025-03",
        "--by", "drafter", "--json",
    )  # fmt: skip
    assert done.exit_code == 0, _said(done)
    return str(json.loads(done.stdout)["statement_id"])


def _step(ws: Workspace, step: str, statement: str, by: str, **given: str | None) -> Result:
    return _cli("settle", step, statement, "--by", by, "-w", str(ws.root), "--json", **given)


def test_three_registered_people_draft_review_and_approve_and_each_step_is_audited(
    workspace: Workspace,
) -> None:
    statement = _draft(workspace)
    assert _step(workspace, "review", statement, "reviewer").exit_code == 0
    approved = _step(workspace, "approve", statement, "approver")
    assert approved.exit_code == 0, _said(approved)
    assert json.loads(approved.stdout)["approved_by"] == "approver"
    assert _audit(workspace) == [
        ("drafter", "settle", statement, "ok"),
        ("reviewer", "review", statement, "ok"),
        ("approver", "approve", statement, "ok"),
    ]


def test_an_api_token_proves_the_user_it_was_issued_to(workspace: Workspace) -> None:
    statement = _draft(workspace)
    with unit_of_work(workspace) as uow:
        issued = authenticate(uow, "reviewer", PASSWORD, client="tests").token
    assert issued is not None
    foreign = _step(workspace, "review", statement, "reviewer2", password=None, token=issued.token)
    assert foreign.exit_code != 0
    assert "is 'reviewer''s, not 'reviewer2''s" in _said(foreign)
    done = _step(workspace, "review", statement, "reviewer", password=None, token=issued.token)
    assert done.exit_code == 0, _said(done)
    assert _audit(workspace)[-2:] == [
        ("reviewer", "review", statement, "refused"),
        ("reviewer", "review", statement, "ok"),
    ]


@pytest.mark.parametrize(
    ("by", "given", "said", "audited_as"),
    [
        ("reviewer", {"password": "Wrong-password-99"}, "wrong password", "reviewer"),
        ("nobody-real", {}, "unknown user or wrong password", None),
        ("reviewer", {"password": None, "token": "not-a-token"}, "unknown, expired", None),
        ("looker", {}, "a auditor may not review", "looker"),
        ("drafter", {}, "a supervisor may not review", "drafter"),
    ],
)
def test_a_review_by_someone_not_proven_or_not_allowed_is_refused_and_audited(
    workspace: Workspace, by: str, given: dict[str, str | None], said: str, audited_as: str | None
) -> None:
    statement = _draft(workspace)
    refused = _step(workspace, "review", statement, by, **given)
    assert refused.exit_code != 0
    assert said in _said(refused)
    assert _audit(workspace)[-1] == (audited_as, "review", statement, "refused")
    with unit_of_work(workspace) as uow:
        status = uow.register.execute(
            sa.text("SELECT status FROM settlement_statements WHERE statement_id = :s"),
            {"s": statement},
        ).scalar_one()
    assert status == "draft"


def test_the_drafter_may_not_review_its_own_draft(workspace: Workspace) -> None:
    """An administrator may both draft and review, but not the same statement."""
    root = str(workspace.root)
    assert _cli("user", "create", "chief", "--role", "admin", "-w", root).exit_code == 0
    done = _cli(
        "settle", "-w", root, "--contract", CONTRACT, "--period", "2025-03", "--by", "chief",
        "--json",
    )  # fmt: skip
    statement = str(json.loads(done.stdout)["statement_id"])
    refused = _step(workspace, "review", statement, "chief")
    assert refused.exit_code != 0
    assert "another person must review it" in _said(refused)
    assert _audit(workspace)[-1] == ("chief", "review", statement, "refused")


@pytest.mark.parametrize(
    ("approver", "said"), [("drafter", "drafted"), ("reviewer", "a evaluator may not approve")]
)
def test_neither_the_drafter_nor_the_reviewer_may_approve(
    workspace: Workspace, approver: str, said: str
) -> None:
    statement = _draft(workspace)
    assert _step(workspace, "review", statement, "reviewer").exit_code == 0
    refused = _step(workspace, "approve", statement, approver)
    assert refused.exit_code != 0
    assert said in _said(refused)
    assert _audit(workspace)[-1] == (approver, "approve", statement, "refused")


def test_an_administrator_who_reviewed_may_not_approve_too(workspace: Workspace) -> None:
    """The role allows both steps; the workflow keeps them apart."""
    root = str(workspace.root)
    assert _cli("user", "create", "chief", "--role", "admin", "-w", root).exit_code == 0
    statement = _draft(workspace)
    assert _step(workspace, "review", statement, "chief").exit_code == 0
    refused = _step(workspace, "approve", statement, "chief")
    assert refused.exit_code != 0
    assert "a third person must approve it" in _said(refused)
    assert _audit(workspace)[-1] == ("chief", "approve", statement, "refused")


def test_a_draft_by_a_user_who_may_not_write_statements_is_refused_and_audited(
    workspace: Workspace,
) -> None:
    refused = _cli(
        "settle", "-w", str(workspace.root), "--contract", CONTRACT, "--period", "2025-03",
        "--by", "reviewer",
    )  # fmt: skip
    assert refused.exit_code != 0
    assert "a evaluator may not settle" in _said(refused)
    assert _audit(workspace) == [("reviewer", "settle", f"{CONTRACT}@2025-03", "refused")]
