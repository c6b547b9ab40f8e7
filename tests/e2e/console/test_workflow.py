"""Review and approval through the console's buttons, as the API's roles allow: an
evaluator reviews but may not approve; a supervisor approves what someone else reviewed."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from console_site import MONTHS, ConsolePage, OpenConsole

from cityops.access.roles import Role
from cityops.messages import Lang, label
from cityops.services.settlement import review_statement, settle_period, show_statement
from cityops.services.unit_of_work import unit_of_work
from cityops.settlement.statement import StatementStatus

pytestmark = pytest.mark.slow

CONTRACT = "DEMO-970100-2025-PORTAL"


def open_statement(user: ConsolePage, statement_id: str) -> None:
    user.open(f"/console/contracts?statement={quote(statement_id)}")
    assert user.page.locator("#statement-body").is_visible()


def shown_status(user: ConsolePage) -> str:
    return user.page.locator("#statement-totals [data-field=status]").inner_text()


def test_an_evaluator_reviews_a_draft_but_is_refused_approval(console: OpenConsole) -> None:
    evaluator = console(Role.EVALUATOR)
    workspace = evaluator.site.workspace
    with unit_of_work(workspace) as uow:
        draft = settle_period(uow, CONTRACT, MONTHS[0], by="console-test").statement_id
    open_statement(evaluator, draft)
    page = evaluator.page
    assert page.locator("#approve-button").count() == 0

    page.click("#review-button")
    page.wait_for_selector("#action-result[data-status='200']")
    assert shown_status(evaluator) == label("status.reviewed", Lang.ZH)
    assert (
        page.locator("#statement-totals [data-field=reviewed]")
        .inner_text()
        .startswith("console-evaluator")
    )
    assert page.locator("#review-button").count() == 0
    assert page.locator("#approve-button").count() == 0, "an evaluator is offered no approval"

    refused = page.request.post(
        evaluator.site.url(f"/api/v1/statements/{quote(draft, safe='')}/approve"),
        headers={"X-Cityops-Console": "1"},
    )
    assert refused.status == 403
    with unit_of_work(workspace) as uow:
        stored = show_statement(uow, draft)
    assert (stored.status, stored.reviewed_by) == (StatementStatus.REVIEWED, "console-evaluator")
    assert evaluator.log.problems() == []


def test_a_supervisor_approves_a_statement_someone_else_reviewed(console: OpenConsole) -> None:
    supervisor = console(Role.SUPERVISOR)
    workspace = supervisor.site.workspace
    with unit_of_work(workspace) as uow:
        statement = settle_period(uow, CONTRACT, MONTHS[-1], by="console-test").statement_id
        review_statement(uow, statement, by="console-reviewer")
    open_statement(supervisor, statement)
    page = supervisor.page
    assert page.locator("#review-button").count() == 0, "a supervisor does not review"

    page.click("#approve-button")
    page.wait_for_selector("#action-result[data-status='200']")
    approved = label("status.approved", Lang.ZH)
    assert shown_status(supervisor) == approved
    assert page.locator(f"[data-status-of='{statement}']").inner_text() == approved
    assert page.locator("#approve-button").count() == 0
    with unit_of_work(workspace) as uow:
        stored = show_statement(uow, statement)
    assert (stored.status, stored.approved_by) == (StatementStatus.APPROVED, "console-supervisor")
    assert supervisor.log.problems() == []


def test_a_supervisor_is_offered_nothing_on_a_draft(console: OpenConsole) -> None:
    supervisor = console(Role.SUPERVISOR)
    with unit_of_work(supervisor.site.workspace) as uow:
        draft = settle_period(uow, CONTRACT, MONTHS[0], by="console-test")
    open_statement(supervisor, draft.statement_id)
    assert supervisor.page.locator("#statement-actions button").count() == 0
