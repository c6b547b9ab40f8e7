"""Is this set-up healthy? (体检) The checks of ``cityops doctor``, each ok, warn
or fail with what to do.

A check never raises: what it cannot do is its finding.  The checks, in order:

* ``python``, ``packages``: the interpreter and the packages cityops runs on;
* ``workspace``: ``cityops.toml`` readable, the lake and secret key present, the
  directory writable;
* ``permissions``: the secret key and a SQLite register (with its ``-wal`` and
  ``-shm`` files) readable by their owner only — the register holds password
  hashes and personal data, the key unmasks pseudonymised users;
* ``register``: reachable (PostgreSQL: the server answers), at the schema revision
  this cityops needs (``register.migrate.require_current_schema``);
* ``mqtt``: the broker given with ``--mqtt`` accepts a connection;
* ``spark``: PySpark and Java present, when ``$CITYOPS_SPARK_MASTER`` is set;
* ``disk``: free space against the lake's growth: warn below a year of growth
  (the lake's size over its months of data), fail below a month or 100 MiB;
* ``pdf``: WeasyPrint loads, and a Chinese (CJK) font is installed (``fc-list``),
  for PDF reports;
* ``audit``: the audit log's hash chain is intact.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import shutil
import socket
import stat
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path
from urllib.parse import urlsplit

from cityops.errors import CityopsError
from cityops.register.engine import make_engine, masked_url
from cityops.register.migrate import require_current_schema
from cityops.services.settlement import verify_audit as verify
from cityops.services.unit_of_work import unit_of_work
from cityops.settings import ProcessSettings, process_settings
from cityops.workspace.config import SQLITE_PREFIX
from cityops.workspace.workspace import Workspace, open_workspace

__all__ = ["Check", "Level", "diagnose"]

CORE_PACKAGES = ("duckdb", "pyarrow", "sqlalchemy", "alembic", "fastapi", "typer", "weasyprint")
"""Packages every command needs; their versions are shown."""

MIN_FREE_BYTES = 100 * 1024**2
"""Below this much free space a batch may not fit at all."""
MONTHS_AHEAD = 12
"""Free space under this many months of the lake's growth is a warning."""


class Level(StrEnum):
    OK = "ok"
    WARN = "warn"
    FAIL = "fail"


@dataclass(frozen=True, slots=True)
class Check:
    """One finding: what was checked, how it stands, what was seen, what to do."""

    name: str
    level: Level
    detail: str
    fix: str | None = None

    def as_json(self) -> dict[str, str | None]:
        return asdict(self)


def diagnose(
    root: Path, *, mqtt: str | None = None, settings: ProcessSettings | None = None
) -> list[Check]:
    """Every check, on the workspace at ``root`` (and the broker ``mqtt``, if given)."""
    settings = settings or process_settings()
    checks = [_python(), _packages()]
    workspace, found = _workspace(root)
    checks.append(found)
    if workspace is not None:
        checks.extend(_permissions(workspace))
        register = _register(workspace)
        checks.append(register)
        if mqtt:
            checks.append(_mqtt(mqtt))
        checks.append(_spark(settings))
        checks.append(_disk(workspace.lake))
        checks.append(_pdf())
        if register.level is Level.OK:
            checks.append(_audit(workspace))
    else:
        if mqtt:
            checks.append(_mqtt(mqtt))
        checks.extend([_spark(settings), _pdf()])
    return checks


def _python() -> Check:
    version = ".".join(map(str, sys.version_info[:3]))
    return Check("python", Level.OK, f"Python {version} ({sys.executable})")


def _packages() -> Check:
    seen, missing = [], []
    for name in ("cityops", *CORE_PACKAGES):
        try:
            seen.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            missing.append(name)
    if missing:
        return Check(
            "packages",
            Level.FAIL,
            f"not installed: {', '.join(missing)}",
            "reinstall cityops: pip install --force-reinstall cityops",
        )
    return Check("packages", Level.OK, ", ".join(seen))


def _workspace(root: Path) -> tuple[Workspace | None, Check]:
    try:
        workspace = open_workspace(root)
    except CityopsError as error:
        return None, Check("workspace", Level.FAIL, str(error), f"cityops init {root}")
    except OSError as error:
        return None, Check(
            "workspace", Level.FAIL, f"cannot read {root}: {error.strerror}", "check its mode"
        )
    missing = [str(path) for path in (workspace.lake, workspace.secret_path) if not path.exists()]
    if missing:
        return workspace, Check(
            "workspace",
            Level.FAIL,
            f"missing: {', '.join(missing)}",
            "restore them from a backup (a new secret.key cannot read pseudonymised "
            "data), or create the lake directory: mkdir -p " + str(workspace.lake),
        )
    if not os.access(workspace.root, os.W_OK) or not os.access(workspace.lake, os.W_OK):
        return workspace, Check(
            "workspace",
            Level.FAIL,
            f"{workspace.root} or its lake is not writable by this user",
            "run as the workspace's owner, or chown -R it to the user that runs cityops",
        )
    return workspace, Check("workspace", Level.OK, f"{workspace.config.name} at {workspace.root}")


def _private_files(workspace: Workspace) -> Iterator[Path]:
    yield workspace.secret_path
    yield workspace.root / "audit-anchors.jsonl"
    url = workspace.register_url
    if url.startswith(SQLITE_PREFIX):
        register = Path(url.removeprefix(SQLITE_PREFIX))
        yield register
        for suffix in ("-wal", "-shm"):
            yield register.with_name(register.name + suffix)


def _permissions(workspace: Workspace) -> list[Check]:
    open_to_others = []
    for path in _private_files(workspace):
        try:
            mode = path.stat().st_mode
        except FileNotFoundError:
            continue
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            open_to_others.append((path, stat.filemode(mode)))
    if open_to_others:
        shown = ", ".join(f"{path} ({mode})" for path, mode in open_to_others)
        paths = " ".join(str(path) for path, _ in open_to_others)
        return [
            Check(
                "permissions",
                Level.FAIL,
                f"readable by others: {shown}",
                f"chmod 600 {paths}",
            )
        ]
    return [Check("permissions", Level.OK, "secret key and register readable by owner only")]


def _register(workspace: Workspace) -> Check:
    url = workspace.register_url
    shown = masked_url(url)
    postgres = not url.startswith(SQLITE_PREFIX)
    try:
        engine = make_engine(url)
    except ModuleNotFoundError as error:
        return Check(
            "register",
            Level.FAIL,
            f"{shown}: the driver {error.name} is not installed",
            "pip install 'cityops[postgres]'",
        )
    try:
        require_current_schema(engine, workspace=str(workspace.root))
    except CityopsError as error:
        newer = "newer cityops" in str(error)
        fix = (
            "use the newer cityops that migrated it"
            if newer
            else f"back up the register, then: cityops migrate --workspace {workspace.root}"
        )
        return Check("register", Level.FAIL, str(error), fix)
    except Exception as error:  # the database's own errors name what is wrong
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        fix = (
            "check that PostgreSQL runs, answers on this host and port, and that the "
            "database and user exist"
            if postgres
            else "check the register file and its directory"
        )
        return Check("register", Level.FAIL, f"cannot open {shown}: {reason}", fix)
    finally:
        engine.dispose()
    kind = "PostgreSQL" if postgres else "SQLite"
    return Check("register", Level.OK, f"{kind} {shown}, schema up to date")


def _mqtt(url: str) -> Check:
    parts = urlsplit(url)
    if parts.scheme not in ("mqtt", "tcp") or not parts.hostname:
        return Check(
            "mqtt", Level.FAIL, f"{url!r} is not a broker address", "write mqtt://host[:port]"
        )
    port = parts.port or 1883
    try:
        with socket.create_connection((parts.hostname, port), timeout=3):
            pass
    except OSError as error:
        return Check(
            "mqtt",
            Level.FAIL,
            f"broker {parts.hostname}:{port} does not answer: {error.strerror or error}",
            "start the broker (systemctl start mosquitto) or correct --mqtt; "
            "give the broker a queue limit that holds a day of messages "
            "(mosquitto: max_queued_messages) so a stopped listener loses nothing",
        )
    return Check("mqtt", Level.OK, f"broker {parts.hostname}:{port} accepts connections")


def _spark(settings: ProcessSettings) -> Check:
    if "spark_master" not in settings.model_fields_set:
        return Check("spark", Level.OK, "not configured ($CITYOPS_SPARK_MASTER unset)")
    missing = []
    try:
        importlib.import_module("pyspark")
    except ImportError:
        missing.append("PySpark (pip install 'cityops[spark]')")
    if settings.spark_master.startswith("local") and shutil.which("java") is None:
        missing.append("Java 17 for local Spark (apt install openjdk-17-jre-headless)")
    if missing:
        return Check(
            "spark",
            Level.FAIL,
            f"$CITYOPS_SPARK_MASTER is {settings.spark_master} but missing: " + "; ".join(missing),
            "install " + " and ".join(missing) + ", or unset $CITYOPS_SPARK_MASTER",
        )
    return Check("spark", Level.OK, f"PySpark present, master {settings.spark_master}")


def _disk(lake: Path) -> Check:
    size, months = _lake_size(lake) if lake.is_dir() else (0, 0)
    free = shutil.disk_usage(lake if lake.is_dir() else lake.parent).free
    growth = size // max(months, 1)
    seen = (
        f"{_bytes(free)} free; lake {_bytes(size)} over {months} month(s), "
        f"about {_bytes(growth)} a month"
    )
    fix = f"free space on the disk of {lake}, or move the lake (lake_path in cityops.toml)"
    if free < max(MIN_FREE_BYTES, growth):
        return Check("disk", Level.FAIL, seen, fix)
    if free < MONTHS_AHEAD * growth:
        return Check("disk", Level.WARN, seen + f"; less than {MONTHS_AHEAD} months ahead", fix)
    return Check("disk", Level.OK, seen)


def _lake_size(lake: Path) -> tuple[int, int]:
    """Bytes under ``lake`` and the months its partitions hold data for."""
    size, months = 0, set()
    for path in lake.rglob("*"):
        if path.is_file():
            size += path.stat().st_size
            for part in path.relative_to(lake).parts:
                key, _, value = part.partition("=")
                if key in ("day", "period") and len(value) >= 7:
                    months.add(value[:7])
    return size, len(months)


def _bytes(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024:
            return f"{n:.0f} {unit}"
        n //= 1024
    return f"{n:,} TiB"


def _pdf() -> Check:
    try:
        importlib.import_module("weasyprint")
    except (ImportError, OSError) as error:
        return Check(
            "pdf",
            Level.WARN,
            f"WeasyPrint cannot load: {error}",
            "install Pango (apt install libpango-1.0-0 libpangoft2-1.0-0); HTML and "
            "Excel reports work without it",
        )
    fonts = _run(["fc-list", ":lang=zh", "family"])
    if fonts is None:
        return Check(
            "pdf", Level.WARN, "fc-list not found: fonts unknown", "apt install fontconfig"
        )
    if not fonts.strip():
        return Check(
            "pdf",
            Level.WARN,
            "no Chinese (CJK) font installed: PDF reports would show boxes for 中文",
            "apt install fonts-noto-cjk",
        )
    first = fonts.strip().splitlines()[0].split(",")[0]
    return Check("pdf", Level.OK, f"WeasyPrint loads; CJK font {first}")


def _run(command: list[str]) -> str | None:
    if shutil.which(command[0]) is None:
        return None
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=30)
    return done.stdout


def _audit(workspace: Workspace) -> Check:
    with unit_of_work(workspace) as uow:
        found = verify(uow)
    if found.intact:
        return Check("audit", Level.OK, f"hash chain intact ({found.checked:,} entries)")
    if found.first_bad_seq is None:
        return Check(
            "audit",
            Level.FAIL,
            f"approved statements altered: {'; '.join(found.altered_statements)}",
            "a sealed statement was changed outside cityops: keep this register as "
            "evidence, restore it from a backup, and see `cityops audit verify`",
        )
    return Check(
        "audit",
        Level.FAIL,
        f"hash chain broken at entry {found.first_bad_seq}: {found.reason}",
        "the log was altered outside cityops: keep this register as evidence, "
        "restore the register from a backup, and see `cityops audit verify`",
    )
