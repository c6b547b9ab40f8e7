"""The ``cityops`` command: one Typer app, one module per command."""

from __future__ import annotations

import typer

from cityops import __version__
from cityops.cli.errors import CityopsGroup

__all__ = ["app", "main"]

app = typer.Typer(
    name="cityops",
    help="Long-term operation (长效运营) of smart cities.",
    cls=CityopsGroup,  # every failure one plain line on stderr (cityops.cli.errors)
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # help text is reflowed, not printed with its source line breaks
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cityops {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
    debug: bool = typer.Option(
        False,
        "--debug",
        help="On an error, show the Python traceback (for a bug report).",
    ),
) -> None:
    """Long-term operation (长效运营) of smart cities: register → ingest → indicators →
    evaluation → settlement."""


def main() -> None:
    """Run the CLI; an expected failure is one plain line on stderr and exit status 1
    (130 after Ctrl-C; usage errors keep the parser's own message and status 2)."""
    app()


def _register_commands() -> None:
    """Each command lives in its own module; this is the one place that lists them."""
    from cityops.cli import (
        advise,
        audit,
        compliance,
        contracts,
        demo,
        doctor,
        evaluate,
        indicators,
        ingest,
        init,
        listen,
        migrate,
        open311,
        quarantine,
        report,
        schemas,
        serve,
        settle,
        status,
        synth,
        tickets,
        user,
    )

    app.command("demo")(demo.demo)
    app.command("synth")(synth.synth)
    app.command("init")(init.init)
    app.command("migrate")(migrate.migrate)
    app.command("status")(status.status)
    app.command("doctor")(doctor.doctor)
    app.command("ingest")(ingest.ingest)
    app.command("listen")(listen.listen)
    app.command("quarantine")(quarantine.quarantine)
    app.command("schemas")(schemas.schemas)
    app.add_typer(indicators.indicators_app, name="indicators")
    app.command("evaluate")(evaluate.evaluate)
    app.command("report")(report.report)
    app.add_typer(contracts.contracts_app, name="contracts")
    app.add_typer(settle.settle_app, name="settle")
    app.command("advise")(advise.advise)
    app.command("compliance")(compliance.compliance)
    app.command("serve")(serve.serve)
    app.add_typer(user.user_app, name="user")
    app.add_typer(audit.audit_app, name="audit")
    app.add_typer(tickets.tickets_app, name="tickets")
    app.add_typer(open311.open311_app, name="open311")


_register_commands()
