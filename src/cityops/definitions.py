"""Reading definition files: the shipped default inside the package, or a city's own.

Catalogues, frameworks and (later) contracts and rules are configuration as
data.  Each is read the same way, so a missing or unreadable file always
fails with the same kind of message.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from cityops.errors import ConfigError

__all__ = ["read_definition"]


def read_definition(path: Path | None, *, package: str, default: str, what: str) -> tuple[str, str]:
    """Return ``(text, source)``: the file at ``path``, or ``default`` shipped in ``package``.

    ``source`` names the file in error messages; ``what`` says what it is
    ("indicator catalogue") when it cannot be read.
    """
    if path is None:
        text = resources.files(package).joinpath(default).read_text("utf-8")
        return text, f"{package.replace('.', '/')}/{default}"
    try:
        return path.read_text(encoding="utf-8"), str(path)
    except OSError as error:
        raise ConfigError(f"cannot read {what} {path}: {error}") from error
