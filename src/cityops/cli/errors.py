"""How the command line fails: one plain line on stderr with what to do, never a
traceback (unless ``cityops --debug``).

Every command runs inside :class:`CityopsGroup`, whose ``invoke`` turns the
failures a user can cause or meet (a wrong path, a permission, a full disk, a
missing optional extra, a port in use, Ctrl-C, and every
:class:`~cityops.errors.CityopsError`) into :func:`explain`'s line.  Anything
else is a bug: it is reported as one line too, with the way to get the
traceback for a bug report.

The line is printed with ``typer.echo``, not through rich, so text that comes
from users and files (``pip install 'cityops[spark]'``, a CSV header in
brackets) reaches the terminal unchanged instead of being read as markup.
"""

from __future__ import annotations

import errno
import os
from typing import Any, NoReturn

import typer
from typer.core import TyperGroup

from cityops.errors import CityopsError

__all__ = ["EXTRAS", "CityopsGroup", "explain", "fail"]

EXTRAS = {"psycopg": "postgres", "psycopg_binary": "postgres", "pyspark": "spark"}
"""Optional modules and the extra of cityops that installs each."""

INTERRUPTED = 130
"""Exit status after Ctrl-C, as a shell reports a process killed by SIGINT."""


def _where(error: OSError) -> str:
    name = error.filename
    return os.fsdecode(name) if name is not None else "a file"


def explain(error: BaseException) -> tuple[str, int] | None:
    """The one line that tells a user what went wrong and what to do, and the exit
    status; ``None`` for an error nobody meant (a bug)."""
    if isinstance(error, CityopsError):
        return str(error), 1
    if isinstance(error, KeyboardInterrupt):
        return "interrupted (Ctrl-C); run the command again to finish its work", INTERRUPTED
    if isinstance(error, ModuleNotFoundError):
        top = (error.name or "").partition(".")[0]
        extra = EXTRAS.get(top)
        if extra is None:
            return None
        return (
            f"this needs the optional module {top!r}, which is not installed; "
            f"install the extra with `pip install 'cityops[{extra}]'`"
        ), 1
    if isinstance(error, FileNotFoundError):
        return f"{_where(error)}: no such file or directory; check the path", 1
    if isinstance(error, IsADirectoryError):
        folder = _where(error).rstrip("/")
        return f"{folder} is a directory; give the files in it, e.g. {folder}/*", 1
    if isinstance(error, NotADirectoryError):
        return f"{_where(error)}: a part of this path is a file, not a directory", 1
    if isinstance(error, PermissionError):
        return (
            f"{_where(error)}: permission denied; check its owner and mode (ls -l) "
            "or run as the user who owns the workspace"
        ), 1
    if isinstance(error, OSError) and error.errno == errno.ENOSPC:
        where = "" if error.filename is None else f" holding {_where(error)}"
        return (
            f"no space left on the device{where}; free some space "
            "(`cityops doctor` shows it) and run the command again"
        ), 1
    if isinstance(error, OSError) and error.errno == errno.EADDRINUSE:
        return "the address is already in use; stop the other server or choose --port", 1
    if _is_database_error(error):
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        return (
            f"the register database did not answer: {reason}; check that the database "
            "server runs and that register_url in cityops.toml is right (`cityops doctor`)"
        ), 1
    if isinstance(error, ConnectionError | TimeoutError):
        return f"cannot reach a service: {error}; check that it runs and is reachable", 1
    if isinstance(error, OSError):
        reason = error.strerror or str(error)
        return f"{_where(error)}: {reason}", 1
    return None


def _is_database_error(error: BaseException) -> bool:
    """A SQLAlchemy ``DBAPIError`` (the driver's error, wrapped), told by its class
    name: the command line does not import the storage libraries."""
    return any(
        cls.__name__ == "DBAPIError" and cls.__module__ == "sqlalchemy.exc"
        for cls in type(error).__mro__
    )


def fail(message: str, status: int = 1) -> NoReturn:
    """Print ``message`` as the one error line, plainly, and exit with ``status``."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(status)


class CityopsGroup(TyperGroup):
    """The root command: runs a command and explains its failure in one line."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort):
            raise
        except Exception as error:  # one line, or re-raised with --debug
            if _debugging(ctx) or type(error).__module__.startswith(("click", "typer")):
                raise
            _report(error)
        except KeyboardInterrupt as error:
            if _debugging(ctx):
                raise
            _report(error)


def _debugging(ctx: Any) -> bool:
    return bool(ctx.params.get("debug"))


def _report(error: BaseException) -> NoReturn:
    explained = explain(error)
    if explained is None:
        fail(
            f"unexpected {type(error).__name__}: {error}; this is a bug in cityops: "
            "run the command again with `cityops --debug …` and report the traceback"
        )
    fail(*explained)
