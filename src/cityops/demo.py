"""``cityops demo``: the main job end to end, on a synthetic city.

synthetic city → workspace → ingest → indicators → evaluation → HTML report,
then one user per role (``DEMO_USERS``) so the console and the API can be
tried at once.  Every number comes from the generated rows through the same
steps a real city's data takes; nothing is hard-coded.  The demo's workspace
carries a marker file, so running the demo again replaces its own earlier
workspace (users included) but never a directory it did not make.

The demo users share one password: ``$CITYOPS_PASSWORD`` when set, else the
documented ``DEMO_PASSWORD``.  They are meant for trying cityops on one's own
machine (the server listens on 127.0.0.1 by default); a real city creates its
users with ``cityops user create``.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cityops.access.roles import Role
from cityops.access.scope import Principal
from cityops.accounts.passwords import check_password
from cityops.domain.period import Period
from cityops.errors import ConfigError, WorkspaceError
from cityops.evaluation.model import EvaluationRun
from cityops.services.accounts import create_user
from cityops.services.evaluation import evaluate_period
from cityops.services.indicators import compute_period
from cityops.services.ingestion import IngestBatch, ingest_directory, local_admin
from cityops.services.reports import write_report
from cityops.services.unit_of_work import UnitOfWork, unit_of_work
from cityops.services.workspaces import create_workspace
from cityops.settings import ProcessSettings, process_settings, variable
from cityops.synth import generate_city
from cityops.workspace.workspace import Workspace

__all__ = [
    "DEMO_DEPARTMENT",
    "DEMO_MARKER",
    "DEMO_OPERATOR",
    "DEMO_PASSWORD",
    "DEMO_USERS",
    "PASSWORD_ENV",
    "DemoResult",
    "DemoUser",
    "create_demo_users",
    "demo_password",
    "run_demo",
]

DEMO_MARKER = ".cityops-demo"
"""A file in the workspace's root that says the demo made it."""

SOURCES_DIR = "sources"

DEMO_PASSWORD = "Cityops-demo-2026"
"""The demo users' password unless ``$CITYOPS_PASSWORD`` gives another (documented in
README.md and docs/api.md, so it protects nothing: keep the demo on 127.0.0.1)."""
PASSWORD_ENV = variable("password")

DEMO_OPERATOR = "OP-DEMO-CITIZEN-CLOUD"
"""The operator of ``examples/contracts/demo-purchase-of-service.yaml``, so the demo
operator sees that contract once it is loaded."""
DEMO_DEPARTMENT = "城管局"
"""The department answering the synthetic hotline's 城市管理 tickets."""


@dataclass(frozen=True, slots=True)
class DemoUser:
    """A demo login, bound to the synthetic city unless it is the administrator."""

    username: str
    role: Role
    display_name: str
    operator_id: str | None = None
    department: str | None = None
    can_view_personal: bool = False


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("admin", Role.ADMIN, "演示 系统管理员 (admin)", can_view_personal=True),
    DemoUser("supervisor", Role.SUPERVISOR, "演示 统筹管理部门 (supervisor)"),
    DemoUser("operator", Role.OPERATOR, "演示 运营企业 (operator)", operator_id=DEMO_OPERATOR),
    DemoUser("evaluator", Role.EVALUATOR, "演示 第三方评估机构 (evaluator)"),
    DemoUser("auditor", Role.AUDITOR, "演示 审计 (auditor)"),
    DemoUser("department", Role.DEPARTMENT, "演示 委办局 (department)", department=DEMO_DEPARTMENT),
)
"""One user per role, named after it."""


@dataclass(frozen=True, slots=True)
class DemoResult:
    workspace: Workspace
    sources: Path
    batches: tuple[IngestBatch, ...]
    runs: tuple[EvaluationRun, ...]
    """One evaluation run per month, oldest first."""
    report: Path
    users: tuple[Principal, ...]
    """The demo users, in the order of ``DEMO_USERS``."""

    @property
    def latest_run(self) -> EvaluationRun:
        return self.runs[-1]


def run_demo(
    root: Path,
    *,
    scale: str = "county",
    months: int = 1,
    start: Period,
    seed: int = 1,
    progress: bool = False,
    on_step: Callable[[str], None] | None = None,
    on_batch: Callable[[IngestBatch], None] | None = None,
    password: str = DEMO_PASSWORD,
) -> DemoResult:
    """Run the whole pipeline into a new workspace at ``root`` and create the demo
    users with ``password``.

    ``on_step`` hears the name of each step as it starts, ``on_batch`` each
    ingested file, so a caller can show progress.
    """
    step = on_step or (lambda _: None)
    _check_password(password)
    _clear_previous_demo(root)
    root.parent.mkdir(parents=True, exist_ok=True)

    step("synth")
    staging = Path(tempfile.mkdtemp(prefix=f".{root.name}-", dir=root.parent))
    try:
        generate_city(
            staging, scale=scale, months=months, start=start, seed=seed, progress=progress
        )
        step("init")
        city_code, city_name = _city(staging / "truth.json")
        workspace = create_workspace(root, name=city_name)
        (root / DEMO_MARKER).write_text("made by cityops demo; safe to delete\n", "utf-8")
        sources = root / SOURCES_DIR
        shutil.move(staging, sources)
    finally:
        shutil.rmtree(staging, ignore_errors=True)

    runs: list[EvaluationRun] = []
    with unit_of_work(workspace) as uow:
        step("ingest")
        batches = ingest_directory(uow, sources, on_batch, principal=local_admin())
        for offset in range(months):
            period = start.plus(offset)
            step(f"indicators {period}")
            compute_period(uow, period)
            step(f"evaluate {period}")
            runs.append(evaluate_period(uow, period)[0])
        step("report")
        report = write_report(uow, runs[-1])
        step("users")
        users = create_demo_users(uow, city_code, password)
    return DemoResult(workspace, sources, tuple(batches), tuple(runs), report, users)


def demo_password(settings: ProcessSettings | None = None) -> str:
    """``$CITYOPS_PASSWORD`` of ``settings`` (default: the process's) when set — the same
    variable ``cityops user create`` reads — else ``DEMO_PASSWORD``."""
    given = (settings or process_settings()).password
    return given.get_secret_value() if given is not None else DEMO_PASSWORD


def create_demo_users(uow: UnitOfWork, city_code: str, password: str) -> tuple[Principal, ...]:
    """Create ``DEMO_USERS`` in the workspace's register, all but the administrator
    bound to the region ``city_code``."""
    return tuple(
        create_user(
            uow,
            username=user.username,
            password=password,
            role=user.role,
            region_code=None if user.role is Role.ADMIN else city_code,
            display_name=user.display_name,
            operator_id=user.operator_id,
            department=user.department,
            can_view_personal=user.can_view_personal,
        )
        for user in DEMO_USERS
    )


def _check_password(password: str) -> None:
    """Refuse a password the policy refuses for any demo user before the long steps,
    not after them."""
    try:
        for user in DEMO_USERS:
            check_password(password, user.username)
    except ConfigError as error:
        raise ConfigError(
            f"the demo users' password: {error}; set ${PASSWORD_ENV} to a stronger one, "
            f"or unset it for {DEMO_PASSWORD!r}"
        ) from None


def _clear_previous_demo(root: Path) -> None:
    if not root.exists():
        return
    if (root / DEMO_MARKER).is_file():
        shutil.rmtree(root)
    elif any(root.iterdir()):
        raise WorkspaceError(
            f"{root} exists and was not made by `cityops demo`; "
            "choose another directory with --workspace"
        )


def _city(truth_file: Path) -> tuple[str, str]:
    """Code and name of the synthetic city (the region at level ``city``)."""
    truth = json.loads(truth_file.read_text("utf-8"))
    cities = [(code, r["name"]) for code, r in truth["regions"].items() if r["level"] == "city"]
    if not cities:
        raise WorkspaceError(f"{truth_file} names no region at level city")
    code, name = cities[0]
    return str(code), str(name)
