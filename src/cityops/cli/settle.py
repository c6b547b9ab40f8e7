"""``cityops settle``: a contract's settlement statement for a period, and its workflow
(``settle review|approve|show``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

import typer
from rich.console import Console
from rich.table import Table as RichTable

from cityops.cli.options import JsonOption, WorkspaceOption, emit, period_option, unit_of_work
from cityops.domain.period import Period

if TYPE_CHECKING:
    from cityops.services.settlement import Credentials
    from cityops.settlement.statement import Statement

__all__ = ["settle_app"]

settle_app = typer.Typer(invoke_without_command=True, no_args_is_help=False, add_completion=False)

StatementArgument = Annotated[str, typer.Argument(help="Statement id, e.g. C1@2025-03#v1.")]
ByOption = Annotated[
    str,
    typer.Option(
        "--by",
        help="The registered user who takes this step: proven by $CITYOPS_TOKEN, else by "
        "$CITYOPS_PASSWORD, else by the password asked for.",
    ),
]


@settle_app.callback()
def settle(
    context: typer.Context,
    contract: Annotated[str | None, typer.Option("--contract", help="Contract id.")] = None,
    period: Annotated[Period | None, period_option("Month, YYYY-MM.")] = None,
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            help="The registered user who drafts the statement (password or token as for "
            "`settle review`).",
            show_default=False,
        ),
    ] = None,
    workspace: WorkspaceOption = None,
    as_json: JsonOption = False,
) -> None:
    """Compute a new draft statement of CONTRACT for PERIOD from facts/<period>.parquet:
    per KPI clause the value, completion, points and amount, each with its evidence.
    `settle review|approve ID --by USER` move a statement on; `settle show ID` prints it.
    Every step is taken by a registered user whose role may take it, and audited."""
    if context.invoked_subcommand is not None:
        return
    if contract is None or period is None:
        raise typer.BadParameter("give --contract ID, --period YYYY-MM and --by USER")
    from cityops.services.settlement import get_contract, settle_as

    with unit_of_work(workspace) as uow:
        get_contract(uow, contract)  # an unknown contract is named before a password is asked
        if by is None:
            raise typer.BadParameter("say who drafts the statement: --by USER")
        _emit(settle_as(uow, _credentials(by), contract, period), as_json)


@settle_app.command("show")
def show(
    statement_id: StatementArgument, workspace: WorkspaceOption = None, as_json: JsonOption = False
) -> None:
    """Print a stored statement."""
    from cityops.services.settlement import show_statement

    with unit_of_work(workspace) as uow:
        _emit(show_statement(uow, statement_id), as_json)


@settle_app.command("list")
def list_(
    contract: Annotated[str | None, typer.Option("--contract", help="Only this contract.")] = None,
    workspace: WorkspaceOption = None,
    as_json: JsonOption = False,
) -> None:
    """List stored statement ids (by contract, period and version)."""
    from cityops.services.settlement import list_statements

    with unit_of_work(workspace) as uow:
        ids = list_statements(uow, contract)
    emit({"statements": ids}, as_json, lambda console: console.print("\n".join(ids)))


def _step_command(step: Literal["review", "approve"], summary: str) -> None:
    """Register ``settle review`` or ``settle approve``: the workflow step on a stored
    statement, by the person ``--by`` names."""

    def command(
        statement_id: StatementArgument,
        by: ByOption,
        workspace: WorkspaceOption = None,
        as_json: JsonOption = False,
    ) -> None:
        from cityops.services.settlement import show_statement, step_as

        with unit_of_work(workspace) as uow:
            show_statement(uow, statement_id)  # an unknown one is named before a password is asked
            _emit(step_as(uow, _credentials(by), step, statement_id), as_json)

    settle_app.command(step, help=summary)(command)


_step_command("review", "Mark a draft statement reviewed (复核).")
_step_command(
    "approve", "Approve (批准) a reviewed, complete statement; it never changes afterwards."
)


def _credentials(username: str) -> Credentials:
    """What proves ``username``: ``$CITYOPS_TOKEN``, else ``$CITYOPS_PASSWORD``, else a
    password asked for without echo (never a command-line option)."""
    from cityops.services.settlement import Credentials
    from cityops.settings import process_settings

    settings = process_settings()
    if settings.token is not None:
        return Credentials(username, token=settings.token.get_secret_value())
    if settings.password is not None:
        return Credentials(username, password=settings.password.get_secret_value())
    entered: str = typer.prompt(f"Password of {username}", hide_input=True)
    return Credentials(username, password=entered)


def _emit(statement: Statement, as_json: bool) -> None:
    from cityops.services.settlement import statement_as_dict

    result = statement_as_dict(statement)

    def describe(console: Console) -> None:
        view = RichTable(
            title=f"{statement.statement_id} · {statement.status.value}"
            f"{'' if statement.complete else ' · 指标缺失 incomplete'}"
        )
        for column in ("clause", "indicator", "value", "completion", "points", "amount", "note"):
            view.add_column(column)
        for line in statement.lines:
            view.add_row(
                line.clause_id,
                line.evidence.indicator,
                "—" if line.value is None else f"{line.value:.4g}",
                "—" if line.completion is None else f"{line.completion:.2%}",
                "—" if line.points is None else str(line.points),
                "—" if line.amount is None else f"{line.amount:,}",
                line.note,
            )
        console.print(view)
        console.print(
            f"base {statement.base_amount:,} · fixed {statement.fixed_amount:,} · "
            f"deductions {statement.total_deductions:,} · withheld {statement.withheld:,} · "
            f"[bold]payable {statement.total_payable:,}[/] yuan · points {statement.total_points}"
        )

    emit(result, as_json, describe)
